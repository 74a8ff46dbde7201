import { z } from "zod";
import { ActorId, ProfileId, WorkspaceId } from "./ids.ts";
import { PageQuery, pageOf } from "./pagination.ts";
import { Timestamp } from "./timestamp.ts";

/** The profile granted access plus the actor row (the junction record) that links it to the workspace. */
export const WorkspaceMember = z
  .object({
    actorId: ActorId,
    profileId: ProfileId,
    addedAt: Timestamp.optional(),
    email: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ id: "WorkspaceMember" });
export type WorkspaceMember = z.infer<typeof WorkspaceMember>;

export const WorkspaceMemberPage = pageOf(WorkspaceMember, "WorkspaceMemberPage");
export type WorkspaceMemberPage = z.infer<typeof WorkspaceMemberPage>;

export const ListWorkspaceMembersInput = PageQuery.extend({ workspaceId: WorkspaceId }).strict();
export type ListWorkspaceMembersInput = z.input<typeof ListWorkspaceMembersInput>;

export const AddWorkspaceMemberInput = z.object({ workspaceId: WorkspaceId, profileId: ProfileId }).strict();
export type AddWorkspaceMemberInput = z.input<typeof AddWorkspaceMemberInput>;

export const RemoveWorkspaceMemberInput = AddWorkspaceMemberInput;
export type RemoveWorkspaceMemberInput = z.input<typeof RemoveWorkspaceMemberInput>;

export const GetWorkspaceMemberInput = AddWorkspaceMemberInput;
export type GetWorkspaceMemberInput = z.input<typeof GetWorkspaceMemberInput>;
