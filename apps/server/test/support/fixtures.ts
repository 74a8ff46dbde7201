import { randomUUID } from "node:crypto";
import { resolveAdminIdentity } from "../../src/services/identity.ts";
import { RestClient } from "./http.ts";
import type { TestServer } from "./server.ts";

export interface TestAccount {
  org: string;
  token: string;
  api: RestClient;
  /** The admin's own profile id (created by the first call). */
  adminProfileId: string;
  accountId: string;
}

const unique = () => randomUUID().slice(0, 8);

/** A fresh account with an admin who has already made one call (so account and profile exist). */
export async function createAccount(server: TestServer, options: { org?: string } = {}): Promise<TestAccount> {
  const org = options.org ?? `org_${unique()}`;
  const user = `user_admin_${unique()}`;
  const token = await server.token({ org, user, email: `${user}@example.test`, name: "Test Admin" });
  const api = new RestClient(server.url, token);
  const first = await api.get("/v1/account/profiles", { query: { email: `${user}@example.test` } });
  if (first.status !== 200 || first.body.data.length !== 1) throw new Error(`account setup failed: ${first.status}`);
  const identity = await resolveAdminIdentity(server.db, { organizationId: org, userId: user });
  return { org, token, api, adminProfileId: first.body.data[0].id, accountId: identity.accountId };
}

/**
 * A person of the account, as directory sync would create them. Made through the same identity service
 * that turns a token's claims into a profile.
 */
export async function createProfile(
  server: TestServer,
  account: Pick<TestAccount, "org">,
  person: { email?: string; name?: string } = {},
): Promise<string> {
  const userId = `user_${unique()}`;
  const identity = await resolveAdminIdentity(server.db, {
    organizationId: account.org,
    userId,
    email: person.email ?? `${userId}@example.test`,
    name: person.name ?? `Person ${userId}`,
  });
  return identity.profileId;
}

export async function createWorkspace(account: TestAccount, name = `Workspace ${unique()}`, description?: string) {
  const response = await account.api.post("/v1/account/workspaces", { name, description });
  if (response.status !== 201) throw new Error(`create workspace failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; name: string; description: string | null; archivedAt: string | null };
}

export const MISSING_WORKSPACE_ID = "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6";
export const MISSING_PROFILE_ID = "prof_01JD8Z6V5TQ3R2P1N0M9K8J7H6";
