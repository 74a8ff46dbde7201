import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { TokenVerifier } from "../../src/auth/verify-token.ts";
import { applyAnswerHeaders } from "../../src/http/answer-headers.ts";
import { FixedWindowCounter, withRateLimits } from "../../src/http/rate-limit.ts";

// The limiter's clock rules, with a clock the test moves. Its behaviour on the real server (both
// budgets, REST and tRPC, headers) is in test/security/attack.test.ts.

describe("a fixed-window budget", () => {
  it("allows the limit, refuses the next, and starts afresh when the window ends", () => {
    let now = 60_000 * 1000 + 10_000; // 10 s into a window
    const counter = new FixedWindowCounter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => counter.take("k", 1, "").allowed)).toEqual([true, true, true]);
    const refused = counter.take("k", 1, "");
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetMs: 50_000 });
    expect(counter.take("other", 1, "").allowed).toBe(true);
    now += 50_000;
    expect(counter.take("k", 1, "")).toMatchObject({ allowed: true, remaining: 2, resetMs: 60_000 });
  });

  it("charges a multi-unit request whole or not at all", () => {
    const counter = new FixedWindowCounter(5, 60_000, () => 0);
    expect(counter.take("k", 4, "").allowed).toBe(true);
    expect(counter.take("k", 2, "")).toMatchObject({ allowed: false, remaining: 1 });
    expect(counter.take("k", 1, "")).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe("withRateLimits", () => {
  const verifier: TokenVerifier = {
    verify: (token) =>
      token === "good"
        ? Promise.resolve({ organizationId: "org_a", userId: "u", roles: ["admin"], isAdmin: true, expiresAt: 2e9 })
        : Promise.reject(new Error("invalid")),
  };

  async function serve(listener: RequestListener) {
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("says when to come back: Retry-After is the rest of the window, in whole seconds", async () => {
    const now = 60_000 * 7 + 58_500; // 1.5 s before the window ends
    // Like every writer behind the limiter (the fast path, express), it writes the pending answer headers.
    const ok: RequestListener = (_req, res) => {
      applyAnswerHeaders(res);
      res.end("ok");
    };
    const { url, close } = await serve(
      withRateLimits(ok, { config: { windowSeconds: 60, perAccount: 1, perIp: 0 }, verifier, now: () => now }),
    );
    try {
      const headers = { authorization: "Bearer good" };
      const first = await fetch(`${url}/v1/account/workspaces`, { headers });
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit")).toBe("limit=1, remaining=0, reset=2");
      expect(first.headers.get("ratelimit-policy")).toBe("1;w=60");
      const second = await fetch(`${url}/v1/account/workspaces`, { headers });
      expect(second.status).toBe(429);
      expect(second.headers.get("retry-after")).toBe("2");
      // A request with a token that does not verify spends no account budget (it has no account).
      expect((await fetch(`${url}/v1/account/workspaces`, { headers: { authorization: "Bearer bad" } })).status).toBe(200);
      // Outside the API (health checks, docs) nothing is counted.
      expect((await fetch(`${url}/healthz`, { headers })).status).toBe(200);
    } finally {
      await close();
    }
  });

  it("costs nothing when both budgets are off", () => {
    const ok: RequestListener = () => undefined;
    expect(withRateLimits(ok, { config: { windowSeconds: 60, perAccount: 0, perIp: 0 }, verifier })).toBe(ok);
  });
});
