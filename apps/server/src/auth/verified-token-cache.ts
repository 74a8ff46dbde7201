import type { TokenVerifier, VerifiedCaller } from "./verify-token.ts";

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used is forgotten first. */
  maxEntries?: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/**
 * Remembers what a verifier said about a token, keyed by the raw token string, so that a client sending
 * one token in a burst pays for one signature check. An entry is used only while the token has not
 * expired (`exp`, without the verifier's clock tolerance), so the cache never extends a token's life.
 * Only successes are kept: a rejected token is checked again each time, and a key-source outage is
 * never remembered as a verdict. The bound keeps memory flat under many distinct tokens.
 */
export function cacheVerifiedTokens(verifier: TokenVerifier, options: VerifiedTokenCacheOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  const entries = new Map<string, VerifiedCaller>();

  const peek = (token: string): VerifiedCaller | undefined => {
    const cached = entries.get(token);
    if (!cached) return undefined;
    entries.delete(token);
    if (now() >= cached.expiresAt * 1000) return undefined;
    entries.set(token, cached);
    return cached;
  };

  return {
    peek,
    async verify(token) {
      const cached = peek(token);
      if (cached) return cached;
      const caller = await verifier.verify(token);
      if (now() < caller.expiresAt * 1000) {
        entries.set(token, caller);
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return caller;
    },
  };
}
