import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevKeyPair, loadOrCreateDevKey } from "../../src/auth/dev-keys.ts";
import { signDevToken } from "../../src/auth/tokens.ts";
import { cacheVerifiedTokens } from "../../src/auth/verified-token-cache.ts";
import { createLocalVerifier, InvalidTokenError, type TokenVerifier } from "../../src/auth/verify-token.ts";

const ISSUER = "urn:workspace-admin:test";
let dir: string;
let key: DevKeyPair;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "token-cache-test-"));
  key = await loadOrCreateDevKey(join(dir, "key.json"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real verifier, counting how often it is asked. */
function countingVerifier(): TokenVerifier & { calls: number } {
  const real = createLocalVerifier({ keys: [key.publicJwk] }, ISSUER);
  const counting = {
    calls: 0,
    verify(token: string) {
      counting.calls++;
      return real.verify(token);
    },
  };
  return counting;
}

const token = (user: string, expiresInSeconds = 600) =>
  signDevToken(key, { issuer: ISSUER, organizationId: "org_cache", userId: user, expiresInSeconds });

describe("verified token cache", () => {
  it("checks a token's signature once and answers repeats from memory", async () => {
    const inner = countingVerifier();
    const verifier = cacheVerifiedTokens(inner);
    const raw = await token("user_a");
    const first = await verifier.verify(raw);
    expect(await verifier.verify(raw)).toEqual(first);
    expect(await verifier.verify(raw)).toEqual(first);
    expect(first.userId).toBe("user_a");
    expect(inner.calls).toBe(1);
  });

  it("never answers from memory once the token has expired", async () => {
    const inner = countingVerifier();
    let now = Date.now();
    const verifier = cacheVerifiedTokens(inner, { now: () => now });
    const raw = await token("user_b", 60);
    const caller = await verifier.verify(raw);
    now = caller.expiresAt * 1000;
    await verifier.verify(raw);
    expect(inner.calls).toBe(2);
  });

  it("does not remember rejections", async () => {
    const inner = countingVerifier();
    const verifier = cacheVerifiedTokens(inner);
    const raw = `${(await token("user_c")).slice(0, -4)}AAAA`;
    await expect(verifier.verify(raw)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify(raw)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(inner.calls).toBe(2);
  });

  it("forgets the least recently used token beyond its bound", async () => {
    const inner = countingVerifier();
    const verifier = cacheVerifiedTokens(inner, { maxEntries: 2 });
    const [a, b, c] = await Promise.all([token("user_1"), token("user_2"), token("user_3")]);
    await verifier.verify(a);
    await verifier.verify(b);
    await verifier.verify(a); // a is now the most recently used
    await verifier.verify(c); // evicts b
    expect(inner.calls).toBe(3);
    await verifier.verify(a);
    expect(inner.calls).toBe(3);
    await verifier.verify(b);
    expect(inner.calls).toBe(4);
  });
});
