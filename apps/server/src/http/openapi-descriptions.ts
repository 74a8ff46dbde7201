import type { EndpointName } from "@workspace-admin/contracts";

/**
 * The prose of the OpenAPI document: what each operation does beyond its summary, and what each tag
 * groups. An operation missing here still gets a description built from its contract (see openapi.ts),
 * so a new row in the contracts' table is documented from the day it exists.
 */
export const operationDescriptions: Partial<Record<EndpointName, string>> = {
  "workspaces.list":
    "Lists the account's workspaces in creation order, `limit` per page. Archived workspaces are left out " +
    "unless `includeArchived=true`. Follow `nextCursor` (as `cursor`) while `hasMore` is true.",
  "workspaces.create":
    "Creates an active workspace. The name is trimmed and must be unique among the account's active " +
    "workspaces, ignoring case (409 otherwise). Answers 201 with the new workspace.",
  "workspaces.get":
    "Answers one workspace of the account, archived or not. An id of another account is a 404, " +
    "exactly like an id that does not exist.",
  "workspaces.update":
    "Renames a workspace or changes its description; fields left out stay as they are. Archived " +
    "workspaces cannot be changed (409). A name taken by another active workspace is a 409.",
  "workspaces.archive":
    "Archives (soft-deletes) a workspace: it leaves the default list and its name becomes free again. " +
    "Archiving an archived workspace answers it unchanged.",
  "members.list":
    "Lists the members of a workspace in the order they were added, with each member's profile email " +
    "and name. Follow `nextCursor` while `hasMore` is true.",
  "members.add":
    "Adds a profile of the account to a workspace; answers 201 with the new member. A profile that is " +
    "already a member, or an archived workspace, is a 409; a profile or workspace outside the account is a 404.",
  "members.get":
    "Answers one member of a workspace by the member's profile id, with the profile's email and name. " +
    "A profile that is not a member is a 404.",
  "members.remove":
    "Removes a member from a workspace and answers the removed member. A profile that is not a member " +
    "is a 404.",
  "profiles.search":
    "Searches the account's profiles (people known from the directory or from their own tokens): `query` " +
    "matches email or name anywhere, ignoring case; `email` matches a whole address. Without either, " +
    "lists every profile.",
  "audit.list":
    "Lists the account's audit events, newest first: who changed which workspace or membership, when, " +
    "and each field's value before and after. Filters (`action`, `workspaceId`, `actorProfileId`, " +
    "`since`, `until`) combine with AND. Follow `nextCursor` while `hasMore` is true.",
};

export const tagDescriptions: Record<string, string> = {
  Workspaces: "Workspaces of the account: create, read, rename, archive.",
  Members: "Who belongs to a workspace.",
  Profiles: "The people of the account.",
  Audit: "The account's audit trail: every change to workspaces and memberships.",
};

/** What each error status means, for operations whose contract lists it. */
export const errorDescriptions: Record<number, string> = {
  400: "Invalid input: the body or a parameter failed validation (see `issues`)",
  401: "Missing, malformed, expired or untrusted bearer token",
  403: "The token is valid but lacks the admin role",
  404: "No such resource in the caller's account",
  409: "Conflicts with the current state (duplicate name, already a member, archived)",
  412: "The `If-Match` precondition failed",
  413: "Request body over 64 KiB",
  415: "Request body is not `application/json`",
  422: "Idempotency key reused with a different request",
  429: "Too many requests: the account's or the address's rate limit is spent (see `Retry-After`)",
  500: "Internal error (details are logged, never sent)",
  503: "The database or the token keys are unreachable, or the server is shutting down: retry later",
};
