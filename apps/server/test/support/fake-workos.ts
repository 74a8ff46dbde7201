import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type CryptoKey, SignJWT } from "jose";

/**
 * A stand-in for the parts of api.workos.com this service talks to, served over real HTTP on
 * loopback: the JWKS (with keys that rotate), the Events API (cursor `after`, `limit`, `events`
 * filter, API key required) and the user lookup. It also signs access tokens and webhook deliveries
 * the way WorkOS does. The official SDK and jose talk to it exactly as they would to WorkOS.
 */

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface WireEvent {
  object: "event";
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
  context: Record<string, unknown>;
}

export interface WireUser {
  object: "user";
  id: string;
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  profile_picture_url: null;
  last_sign_in_at: null;
  locale: null;
  external_id: null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface WireMembership {
  object: "organization_membership";
  id: string;
  user_id: string;
  organization_id: string;
  organization_name: string;
  status: "active" | "inactive" | "pending";
  role: { slug: string };
  created_at: string;
  updated_at: string;
}

export type JwksMode = "up" | "down" | "hang" | "not-json";

export interface WorkosTokenOptions {
  org?: string | null;
  user: string;
  role?: string;
  issuer?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Seconds from now for `nbf`. */
  notBefore?: number;
  /** Sign with this key instead of the current one (e.g. one never published). */
  key?: SigningKey;
}

export class FakeWorkos {
  readonly clientId = `client_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
  readonly apiKey = `sk_test_${randomUUID().replaceAll("-", "")}`;
  readonly webhookSecret = `whsec_${randomUUID().replaceAll("-", "")}`;
  /** Keys published in the JWKS; the last one signs new tokens. */
  published: SigningKey[] = [];
  jwksMode: JwksMode = "up";
  /** When it answers true for an Events API call's `after`, the call gets a 503. */
  failEvents: (after: string | null) => boolean = () => false;
  jwksRequests = 0;
  /** The `after` of every Events API call, in order (null: from the start). */
  readonly eventCursors: (string | null)[] = [];
  readonly events: WireEvent[] = [];
  readonly users = new Map<string, WireUser>();
  readonly memberships = new Map<string, WireMembership>();
  /** Organizations, in creation order; one appears with its first membership. */
  readonly organizations = new Map<string, { object: "organization"; id: string; name: string; created_at: string; updated_at: string }>();
  /** Every list call (organizations, users, memberships) received: path and query. */
  readonly listCalls: string[] = [];
  private sequence = 0;
  private clock = Date.parse("2026-01-01T00:00:00.000Z");
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeWorkos> {
    const holder: { fake?: FakeWorkos } = {};
    const server = createServer((req, res) => holder.fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeWorkos(server, `http://127.0.0.1:${port}`);
    fake.published.push(await FakeWorkos.newKey());
    holder.fake = fake;
    return fake;
  }

  static async newKey(): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const kid = `sso_oidc_key_pair_${randomUUID().replaceAll("-", "")}`;
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
  }

  /** The issuer WorkOS writes into this client's tokens (newer environments). */
  get issuer(): string {
    return `https://api.workos.com/user_management/${this.clientId}`;
  }

  /** The environment that points the server at this fake. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      WORKOS_CLIENT_ID: this.clientId,
      WORKOS_API_KEY: this.apiKey,
      WORKOS_API_URL: this.url,
      WORKOS_WEBHOOK_SECRET: this.webhookSecret,
      WORKOS_SYNC_INTERVAL_SECONDS: "0",
      WORKOS_JWKS_TIMEOUT_MS: "500",
      WORKOS_JWKS_COOLDOWN_MS: "0",
      WORKOS_API_TIMEOUT_MS: "2000",
      ...overrides,
    };
  }

  /** Publishes a new signing key and retires the old ones, as a WorkOS key rotation does. */
  async rotateKey(): Promise<SigningKey> {
    const key = await FakeWorkos.newKey();
    this.published = [key];
    return key;
  }

  get currentKey(): SigningKey {
    return this.published[this.published.length - 1]!;
  }

  /** An access token shaped like WorkOS's: RS256, iss, sub, org_id, role, roles, permissions, sid, jti. */
  async token(options: WorkosTokenOptions): Promise<string> {
    const key = options.key ?? this.currentKey;
    const role = options.role ?? "admin";
    const claims: Record<string, unknown> = { role, roles: [role], permissions: [], sid: `session_${randomUUID()}` };
    if (options.org !== null) claims.org_id = options.org ?? "org_missing";
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(options.issuer ?? this.issuer)
      .setSubject(options.user)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .setJti(randomUUID());
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(key.privateKey);
  }

  // Directory: each change is recorded as the event WorkOS would emit -------------------------------

  /** `emit: false`: a user from before the oldest event WorkOS keeps (known to the API, in no event). */
  createUser(person: { email: string; firstName?: string; lastName?: string }, options: { emit?: boolean } = {}): WireUser {
    const at = this.tick();
    const user: WireUser = {
      object: "user",
      id: `user_${randomUUID().replaceAll("-", "").slice(0, 26)}`,
      email: person.email,
      email_verified: true,
      first_name: person.firstName ?? null,
      last_name: person.lastName ?? null,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: null,
      metadata: {},
      created_at: at,
      updated_at: at,
    };
    this.users.set(user.id, user);
    if (options.emit !== false) this.emit("user.created", user);
    return user;
  }

  updateUser(id: string, patch: { email?: string; firstName?: string; lastName?: string }): WireUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    if (patch.email !== undefined) user.email = patch.email;
    if (patch.firstName !== undefined) user.first_name = patch.firstName;
    if (patch.lastName !== undefined) user.last_name = patch.lastName;
    user.updated_at = this.tick();
    this.emit("user.updated", user);
    return user;
  }

  deleteUser(id: string): void {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    this.users.delete(id);
    for (const membership of [...this.memberships.values()].filter((m) => m.user_id === id)) {
      this.memberships.delete(membership.id);
    }
    this.emit("user.deleted", user);
  }

  addMembership(userId: string, organizationId: string, status: WireMembership["status"] = "active"): WireMembership {
    const at = this.tick();
    if (!this.organizations.has(organizationId)) {
      this.organizations.set(organizationId, {
        object: "organization",
        id: organizationId,
        name: `Organization ${organizationId}`,
        created_at: at,
        updated_at: at,
      });
    }
    const membership: WireMembership = {
      object: "organization_membership",
      id: `om_${randomUUID().replaceAll("-", "").slice(0, 26)}`,
      user_id: userId,
      organization_id: organizationId,
      organization_name: `Organization ${organizationId}`,
      status,
      role: { slug: "member" },
      created_at: at,
      updated_at: at,
    };
    this.memberships.set(membership.id, membership);
    this.emit("organization_membership.created", membership);
    return membership;
  }

  setMembershipStatus(id: string, status: WireMembership["status"]): WireMembership {
    const membership = this.memberships.get(id);
    if (!membership) throw new Error(`no membership ${id}`);
    membership.status = status;
    membership.updated_at = this.tick();
    this.emit("organization_membership.updated", membership);
    return membership;
  }

  removeMembership(id: string): void {
    const membership = this.memberships.get(id);
    if (!membership) throw new Error(`no membership ${id}`);
    this.memberships.delete(id);
    this.emit("organization_membership.deleted", { ...membership, updated_at: this.tick() });
  }

  /** A user and their active membership of `organizationId`, as two events. */
  person(organizationId: string, person: { email: string; firstName?: string; lastName?: string }) {
    const user = this.createUser(person);
    const membership = this.addMembership(user.id, organizationId);
    return { user, membership };
  }

  /** Forgets every event so far, as WorkOS does after its retention period. */
  expireEvents(): void {
    this.events.length = 0;
  }

  /** An event of a type directory sync does not use (it must be skipped, not fail). */
  emitUnrelated(): WireEvent {
    return this.emit("session.created", {
      object: "session",
      id: `session_${randomUUID()}`,
      user_id: "user_x",
      organization_id: null,
      ip_address: null,
      user_agent: null,
      auth_method: "password",
      status: "active",
      impersonator: null,
      expires_at: this.tick(),
      ended_at: null,
      created_at: this.tick(),
      updated_at: this.tick(),
    });
  }

  /** The body and WorkOS-Signature header of a webhook delivery of `event`, signed now. */
  webhookDelivery(event: WireEvent, options: { secret?: string; timestamp?: number } = {}) {
    const body = JSON.stringify(event);
    const timestamp = options.timestamp ?? Date.now();
    const signature = createHmac("sha256", options.secret ?? this.webhookSecret)
      .update(`${timestamp}.${body}`)
      .digest("hex");
    return { body, signature: `t=${timestamp}, v1=${signature}` };
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private emit(type: string, data: object): WireEvent {
    const event: WireEvent = {
      object: "event",
      id: `event_${String(++this.sequence).padStart(12, "0")}${randomUUID().replaceAll("-", "").slice(0, 14)}`,
      event: type,
      data: structuredClone(data) as Record<string, unknown>,
      created_at: this.tick(),
      context: {},
    };
    this.events.push(event);
    return event;
  }

  /** WorkOS timestamps, strictly increasing. */
  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  // HTTP --------------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.url);
    if (req.method === "GET" && url.pathname === `/sso/jwks/${this.clientId}`) return this.serveJwks(res);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return json(res, 401, { message: "Unauthorized", code: "unauthorized" });
    }
    if (req.method === "GET" && url.pathname === "/events") return this.serveEvents(url, res);
    if (req.method === "GET" && url.pathname === "/organizations") {
      return this.serveList(url, res, [...this.organizations.values()].map((org) => ({ ...org, domains: [] })));
    }
    if (req.method === "GET" && url.pathname === "/user_management/organization_memberships") {
      const org = url.searchParams.get("organization_id");
      const statuses = (url.searchParams.get("statuses") ?? "active,pending").split(",");
      const items = [...this.memberships.values()].filter((m) => m.organization_id === org && statuses.includes(m.status));
      return this.serveList(url, res, items);
    }
    if (req.method === "GET" && url.pathname === "/user_management/users") {
      const org = url.searchParams.get("organization_id");
      const members = new Set([...this.memberships.values()].filter((m) => m.organization_id === org).map((m) => m.user_id));
      return this.serveList(url, res, [...this.users.values()].filter((user) => !org || members.has(user.id)));
    }
    const user = /^\/user_management\/users\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && user) {
      const found = this.users.get(decodeURIComponent(user[1]!));
      return found ? json(res, 200, found) : json(res, 404, { message: "User not found", code: "entity_not_found" });
    }
    json(res, 404, { message: "Not found", code: "not_found" });
  }

  private serveJwks(res: ServerResponse): void {
    this.jwksRequests++;
    switch (this.jwksMode) {
      case "down":
        return json(res, 503, { message: "Service unavailable" });
      case "hang":
        this.hanging.add(res);
        return;
      case "not-json":
        res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>");
        return;
      default:
        return json(res, 200, { keys: this.published.map((key) => key.publicJwk) });
    }
  }

  /** WorkOS list pagination: `order` (default desc), `limit`, `after` (the last id of the previous page). */
  private serveList(url: URL, res: ServerResponse, items: { id: string }[]): void {
    this.listCalls.push(`${url.pathname}${url.search}`);
    const ordered = url.searchParams.get("order") === "asc" ? items : [...items].reverse();
    const limit = Number(url.searchParams.get("limit") ?? "10");
    const after = url.searchParams.get("after");
    const start = after ? ordered.findIndex((item) => item.id === after) + 1 : 0;
    const data = ordered.slice(start, start + limit);
    const more = start + limit < ordered.length;
    json(res, 200, { object: "list", data, list_metadata: { before: null, after: more ? data[data.length - 1]!.id : null } });
  }

  private serveEvents(url: URL, res: ServerResponse): void {
    const types = (url.searchParams.get("events") ?? "").split(",").filter(Boolean);
    if (types.length === 0) return json(res, 422, { message: "events is required", code: "invalid_request" });
    const limit = Number(url.searchParams.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return json(res, 422, { message: "bad limit" });
    const after = url.searchParams.get("after");
    this.eventCursors.push(after);
    if (this.failEvents(after)) return json(res, 503, { message: "Service unavailable" });
    let start = 0;
    if (after) {
      const index = this.events.findIndex((event) => event.id === after);
      if (index < 0) return json(res, 422, { message: "Unknown cursor", code: "invalid_cursor" });
      start = index + 1;
    }
    const data = this.events.slice(start).filter((event) => types.includes(event.event)).slice(0, limit);
    json(res, 200, { object: "list", data, list_metadata: { after: data.length === limit ? data[data.length - 1]!.id : null } });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
