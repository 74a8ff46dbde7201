import type { z } from "zod";
import { AuditEventPage, ListAuditEventsInput } from "./audit.ts";
import {
  AddWorkspaceMemberInput,
  GetWorkspaceMemberInput,
  ListWorkspaceMembersInput,
  RemoveWorkspaceMemberInput,
  WorkspaceMember,
  WorkspaceMemberPage,
} from "./member.ts";
import { ProfilePage, SearchProfilesInput } from "./profile.ts";
import {
  ArchiveWorkspaceInput,
  CreateWorkspaceInput,
  GetWorkspaceInput,
  ListWorkspacesInput,
  UpdateWorkspaceInput,
  Workspace,
  WorkspacePage,
} from "./workspace.ts";

export interface EndpointContract {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** REST path; `{name}` segments are required keys of `input`. */
  path: `/${string}`;
  /** Status of a successful REST answer. */
  successStatus: 200 | 201;
  summary: string;
  tag: "Workspaces" | "Members" | "Profiles" | "Audit";
  input: z.ZodObject;
  output: z.ZodType;
  /**
   * Error statuses this operation answers besides those every operation may: 401 and 403, 413 and 415
   * (any request, a GET's included, may carry a body, and one over the limit, in another encoding or
   * charset, or with a method that takes a body of a type other than JSON is refused before it is
   * routed), 429, 500 and 503. POST, PATCH and DELETE also list 409 and 422, which the `Idempotency-Key`
   * layer answers (a key still in progress; a key reused for a different request).
   */
  errors: readonly ErrorStatus[];
  /** The answer carries an `ETag` (the resource's version). */
  etag?: true;
  /** Honors `If-Match`: a stale tag is a 412 and changes nothing. */
  ifMatch?: true;
}

export type ErrorStatus = 400 | 404 | 409 | 412 | 422;

/** The most procedures one tRPC batch (`/trpc/a,b,...?batch=1`) may call: the typed client's batch size. */
export const TRPC_BATCH_MAX = 10;

/**
 * Every operation of the API, keyed by its tRPC procedure path. The server builds its procedures and
 * REST routes from this table, and the tests walk it, so an operation is described exactly once.
 */
export const endpoints = {
  "workspaces.list": {
    method: "GET",
    path: "/v1/account/workspaces",
    successStatus: 200,
    summary: "List all workspaces in the account",
    tag: "Workspaces",
    input: ListWorkspacesInput,
    output: WorkspacePage,
    errors: [400],
  },
  "workspaces.create": {
    method: "POST",
    path: "/v1/account/workspaces",
    successStatus: 201,
    summary: "Create a workspace",
    tag: "Workspaces",
    input: CreateWorkspaceInput,
    output: Workspace,
    errors: [400, 409, 422],
    etag: true,
  },
  "workspaces.get": {
    method: "GET",
    path: "/v1/account/workspaces/{workspaceId}",
    successStatus: 200,
    summary: "Get a workspace by ID",
    tag: "Workspaces",
    input: GetWorkspaceInput,
    output: Workspace,
    errors: [400, 404],
    etag: true,
  },
  "workspaces.update": {
    method: "PATCH",
    path: "/v1/account/workspaces/{workspaceId}",
    successStatus: 200,
    summary: "Update a workspace",
    tag: "Workspaces",
    input: UpdateWorkspaceInput,
    output: Workspace,
    errors: [400, 404, 409, 412, 422],
    etag: true,
    ifMatch: true,
  },
  "workspaces.archive": {
    method: "DELETE",
    path: "/v1/account/workspaces/{workspaceId}",
    successStatus: 200,
    summary: "Archive a workspace (soft delete; repeating it is harmless)",
    tag: "Workspaces",
    input: ArchiveWorkspaceInput,
    output: Workspace,
    errors: [400, 404, 409, 412, 422],
    etag: true,
    ifMatch: true,
  },
  "members.list": {
    method: "GET",
    path: "/v1/account/workspaces/{workspaceId}/members",
    successStatus: 200,
    summary: "List workspace members",
    tag: "Members",
    input: ListWorkspaceMembersInput,
    output: WorkspaceMemberPage,
    errors: [400, 404],
  },
  "members.add": {
    method: "POST",
    path: "/v1/account/workspaces/{workspaceId}/members",
    successStatus: 201,
    summary: "Add a member to a workspace",
    tag: "Members",
    input: AddWorkspaceMemberInput,
    output: WorkspaceMember,
    errors: [400, 404, 409, 422],
  },
  "members.get": {
    method: "GET",
    path: "/v1/account/workspaces/{workspaceId}/members/{profileId}",
    successStatus: 200,
    summary: "Get one member of a workspace by profile ID",
    tag: "Members",
    input: GetWorkspaceMemberInput,
    output: WorkspaceMember,
    errors: [400, 404],
  },
  "members.remove": {
    method: "DELETE",
    path: "/v1/account/workspaces/{workspaceId}/members/{profileId}",
    successStatus: 200,
    summary: "Remove a member from a workspace; answers the removed member",
    tag: "Members",
    input: RemoveWorkspaceMemberInput,
    output: WorkspaceMember,
    errors: [400, 404, 409, 422],
  },
  "profiles.search": {
    method: "GET",
    path: "/v1/account/profiles",
    successStatus: 200,
    summary: "Search account profiles",
    tag: "Profiles",
    input: SearchProfilesInput,
    output: ProfilePage,
    errors: [400],
  },
  "audit.list": {
    method: "GET",
    path: "/v1/account/audit-events",
    successStatus: 200,
    summary: "List the account's audit events, newest first",
    tag: "Audit",
    input: ListAuditEventsInput,
    output: AuditEventPage,
    errors: [400],
  },
} as const satisfies Record<string, EndpointContract>;

export type EndpointName = keyof typeof endpoints;
export const endpointNames = Object.keys(endpoints) as EndpointName[];
