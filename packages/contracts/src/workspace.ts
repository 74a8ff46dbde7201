import { z } from "zod";
import { WorkspaceId } from "./ids.ts";
import { PageQuery, pageOf } from "./pagination.ts";
import { storableText } from "./text.ts";
import { Timestamp } from "./timestamp.ts";

export const WORKSPACE_NAME_MAX = 255;
export const WORKSPACE_DESCRIPTION_MAX = 2000;

/** Trimmed, 1-255 characters of storable text (see text.ts). Unique among the account's active workspaces, ignoring case. */
export const WorkspaceName = storableText(z.string().trim().min(1, { message: "must not be empty" }).max(WORKSPACE_NAME_MAX))
  .meta({ description: "Trimmed; 1-255 characters; unique among active workspaces, ignoring case" });

export const WorkspaceDescription = storableText(z.string().max(WORKSPACE_DESCRIPTION_MAX))
  .nullable()
  .meta({ description: `Free text up to ${WORKSPACE_DESCRIPTION_MAX} characters, or null` });

export const Workspace = z
  .object({
    id: WorkspaceId,
    name: z.string(),
    description: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    archivedAt: Timestamp.nullable(),
    version: z
      .number()
      .int()
      .min(1)
      .meta({ description: "Starts at 1 and grows with every change; the `ETag` is this number in quotes" }),
  })
  .meta({ id: "Workspace" });
export type Workspace = z.infer<typeof Workspace>;

/**
 * The entity tag of one version of a resource: the version in quotes, a strong validator (one version
 * always serializes to the same bytes). Answered as `ETag`, expected back in `If-Match`.
 */
export function entityTag(resource: { version: number }): string {
  return `"${resource.version}"`;
}

export const WorkspacePage = pageOf(Workspace, "WorkspacePage");
export type WorkspacePage = z.infer<typeof WorkspacePage>;

export const ListWorkspacesInput = PageQuery.extend({
  // A string enum, not z.boolean(): the REST adapter coerces booleans with Boolean("false") === true.
  // Any other value is a 400.
  includeArchived: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .default(false)
    .meta({ description: "Include archived workspaces: true or false (default false)" }),
}).strict();
export type ListWorkspacesInput = z.input<typeof ListWorkspacesInput>;

export const CreateWorkspaceInput = z
  .object({
    name: WorkspaceName,
    description: WorkspaceDescription.optional(),
  })
  .strict();
export type CreateWorkspaceInput = z.input<typeof CreateWorkspaceInput>;

export const GetWorkspaceInput = z.object({ workspaceId: WorkspaceId }).strict();
export type GetWorkspaceInput = z.input<typeof GetWorkspaceInput>;

export const UpdateWorkspaceInput = z
  .object({
    workspaceId: WorkspaceId,
    name: WorkspaceName.optional(),
    description: WorkspaceDescription.optional(),
  })
  .strict();
export type UpdateWorkspaceInput = z.input<typeof UpdateWorkspaceInput>;

export const ArchiveWorkspaceInput = GetWorkspaceInput;
export type ArchiveWorkspaceInput = z.input<typeof ArchiveWorkspaceInput>;
