import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeWorkos, type WireEvent } from "../support/fake-workos.ts";
import { RestClient, startWorkosTestServer, type WorkosTestServer } from "../support/index.ts";

const WEBHOOK = "/webhooks/workos";

let workos: FakeWorkos;
let server: WorkosTestServer;
let client: RestClient;
let sequence = 0;

beforeAll(async () => {
  workos = await FakeWorkos.start();
  server = await startWorkosTestServer(workos.env());
  client = new RestClient(server.url);
});
afterAll(async () => {
  await server?.close();
  await workos?.close();
});

function deliver(body: string, signature?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["workos-signature"] = signature;
  return client.post(WEBHOOK, undefined, { rawBody: body, headers });
}

function deliverEvent(event: WireEvent) {
  const { body, signature } = workos.webhookDelivery(event);
  return deliver(body, signature);
}

/** A user and membership of a new organization, as the two events WorkOS emits. */
function joiner() {
  const org = `org_webhook_${++sequence}`;
  const { user, membership } = workos.person(org, { email: `joiner.${sequence}@acme.test`, firstName: "Joe" });
  const [userEvent, membershipEvent] = workos.events.slice(-2) as [WireEvent, WireEvent];
  return { org, user, membership, userEvent, membershipEvent };
}

async function tables() {
  return server.db.read(async (manager) => ({
    accounts: await manager.query("SELECT * FROM accounts ORDER BY id"),
    profiles: await manager.query("SELECT * FROM profiles ORDER BY id"),
    users: await manager.query("SELECT * FROM directory_users ORDER BY workos_user_id"),
    events: await manager.query("SELECT * FROM directory_sync_events ORDER BY event_id"),
    state: await manager.query("SELECT * FROM directory_sync_state"),
  }));
}

async function profilesOf(org: string) {
  if (!/^org_[a-z0-9_]+$/.test(org)) throw new Error("unexpected org id");
  return server.db.read((manager) =>
    manager.query(
      `SELECT p.email, p.name, p.removed_at FROM profiles p JOIN accounts a ON a.id = p.account_id WHERE a.workos_organization_id = '${org}'`,
    ),
  );
}

describe("POST /webhooks/workos", () => {
  it("applies a correctly signed delivery at once, without waiting for the poll", async () => {
    const { org, userEvent, membershipEvent, user } = joiner();
    expect((await deliverEvent(userEvent)).status).toBe(200);
    const response = await deliverEvent(membershipEvent);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, applied: true });
    expect(await profilesOf(org)).toEqual([{ email: user.email, name: "Joe", removed_at: null }]);
  });

  it("then the poll reads the same events and applies none of them again", async () => {
    const { org, userEvent, membershipEvent } = joiner();
    await deliverEvent(userEvent);
    await deliverEvent(membershipEvent);
    const before = await profilesOf(org);
    const result = await server.directorySync!.runOnce();
    expect(result.skipped).toBeGreaterThanOrEqual(2);
    expect(await profilesOf(org)).toEqual(before);
  });

  it("acknowledges a signed event of a type directory sync does not use", async () => {
    const response = await deliverEvent(workos.emitUnrelated());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, applied: false });
  });

  it("acknowledges a signed event of a type the SDK does not know (a newer WorkOS)", async () => {
    const before = await tables();
    const event: WireEvent = {
      object: "event",
      id: "event_from_the_future",
      event: "widget.frobbed",
      data: { id: "widget_1" },
      created_at: new Date().toISOString(),
      context: {},
    };
    const response = await deliverEvent(event);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, applied: false });
    expect(await tables()).toEqual(before);
  });
});

describe("a bad signature is 401 and changes nothing", () => {
  const cases: [string, (event: WireEvent) => { body: string; signature?: string }][] = [
    ["no WorkOS-Signature header", (event) => ({ body: JSON.stringify(event) })],
    ["a signature made with another secret", (event) => workos.webhookDelivery(event, { secret: "whsec_not_ours" })],
    [
      "a body changed after signing",
      (event) => {
        const { body, signature } = workos.webhookDelivery(event);
        const tampered = body.replace("joiner.", "intruder.").replace("org_webhook_", "org_intruder_");
        if (tampered === body) throw new Error("nothing to tamper with");
        return { body: tampered, signature };
      },
    ],
    [
      "a signature older than the tolerance (a replayed delivery)",
      (event) => workos.webhookDelivery(event, { timestamp: Date.now() - 10 * 60 * 1000 }),
    ],
    ["a header without a v1 signature", (event) => ({ body: JSON.stringify(event), signature: `t=${Date.now()}` })],
    ["a garbage header", (event) => ({ body: JSON.stringify(event), signature: "nonsense" })],
  ];

  it.each(cases)("%s", async (_, make) => {
    const { org, membershipEvent, userEvent } = joiner();
    const before = await tables();
    for (const event of [userEvent, membershipEvent]) {
      const { body, signature } = make(event);
      const response = await deliver(body, signature);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe("UNAUTHORIZED");
    }
    expect(await tables()).toEqual(before);
    expect(await profilesOf(org)).toEqual([]);
  });

  it("a body that is not JSON is 400 and changes nothing", async () => {
    const before = await tables();
    const response = await deliver("{not json", `t=${Date.now()}, v1=00`);
    expect(response.status).toBe(400);
    expect(await tables()).toEqual(before);
  });
});

describe("without WORKOS_WEBHOOK_SECRET", () => {
  it("there is no webhook route", async () => {
    const env = workos.env();
    delete env.WORKOS_WEBHOOK_SECRET;
    const other = await startWorkosTestServer(env);
    try {
      const { body, signature } = workos.webhookDelivery(workos.events[0] ?? workos.emitUnrelated());
      const response = await new RestClient(other.url).post(WEBHOOK, undefined, {
        rawBody: body,
        headers: { "content-type": "application/json", "workos-signature": signature },
      });
      expect(response.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
