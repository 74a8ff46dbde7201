/**
 * Calling the REST API from TypeScript with nothing but the OpenAPI document: `schema.d.ts` is generated
 * from openapi.json by openapi-typescript (`npm run generate` here), and openapi-fetch turns it into a
 * typed fetch: paths, parameters, bodies and answers are all checked by the compiler.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.d.ts";

export type Workspace = components["schemas"]["Workspace"];
export type ApiError = components["schemas"]["ApiError"];

export function createRestClient(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
}

export class RestApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }
}

/** Creates a workspace and adds a profile to it; the answers are typed from the document. */
export async function createWorkspaceWithMember(client: ReturnType<typeof createRestClient>, name: string, profileId: string) {
  const created = await client.POST("/v1/account/workspaces", { body: { name } });
  if (created.error) throw new RestApiError(created.response.status, created.error);
  const workspace: Workspace = created.data;

  const added = await client.POST("/v1/account/workspaces/{workspaceId}/members", {
    params: { path: { workspaceId: workspace.id } },
    body: { profileId },
  });
  if (added.error) throw new RestApiError(added.response.status, added.error);
  return { workspace, member: added.data };
}

/** Every workspace of the account, following `nextCursor` page by page. */
export async function listAllWorkspaces(client: ReturnType<typeof createRestClient>, pageSize = 100): Promise<Workspace[]> {
  const all: Workspace[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.GET("/v1/account/workspaces", { params: { query: { limit: pageSize, cursor } } });
    if (page.error) throw new RestApiError(page.response.status, page.error);
    all.push(...page.data.data);
    cursor = page.data.hasMore ? (page.data.nextCursor ?? undefined) : undefined;
  } while (cursor);
  return all;
}
