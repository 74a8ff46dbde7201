import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { bearerToken, cachedCallerOf } from "../auth/caller.ts";
import type { TokenVerifier, VerifiedCaller } from "../auth/verify-token.ts";
import type { RateLimitConfig } from "../config.ts";
import { addAnswerHeader } from "./answer-headers.ts";
import { trpcCallCount, writeApiError } from "./errors.ts";

/**
 * Per-account and per-IP request budgets for the API (`/v1/...` and `/trpc/...`), in front of everything
 * else, so that one runaway script cannot starve the other accounts of a shared instance, and one address
 * cannot brute-force tokens.
 *
 * - The account is the verified token's `org_id` (the same cached verification the procedure then uses:
 *   a token is checked once). A request without a valid token spends only its address's budget.
 * - A tRPC batch costs one unit per call in it.
 * - Fixed windows aligned on the clock: cheap (one Map lookup) and bounded in memory (the counters are
 *   dropped when a window ends). A client may burst up to twice its budget across a window boundary;
 *   that is the price of not keeping per-request timestamps.
 * - Counted in each server process. Behind a load balancer with N instances an account gets up to N
 *   budgets; divide the settings by N (README, "Rate limits").
 *
 * Every answer of the API carries `RateLimit-Policy` and `RateLimit` (IETF draft "RateLimit header
 * fields for HTTP", draft-07 syntax) for the tighter of its two budgets; a refusal is a 429 with
 * `Retry-After` and changes nothing. The headers are left among the answer's pending headers
 * (answer-headers.ts): the listener behind this one must write them, as the fast path and express do.
 */
export function withRateLimits(
  next: RequestListener,
  options: { config: RateLimitConfig; verifier: TokenVerifier; now?: () => number },
): RequestListener {
  const { config, verifier } = options;
  if (config.perAccount === 0 && config.perIp === 0) return next;
  const now = options.now ?? Date.now;
  const windowMs = config.windowSeconds * 1000;
  const byIp = new FixedWindowCounter(config.perIp, windowMs, now);
  const byAccount = new FixedWindowCounter(config.perAccount, windowMs, now);
  const policy = [config.perAccount, config.perIp]
    .filter((limit) => limit > 0)
    .map((limit) => `${limit};w=${config.windowSeconds}`)
    .join(", ");

  const admit = (req: IncomingMessage, res: ServerResponse, verdicts: Verdict[]) => {
    // The tightest budget is the one the client needs to know about.
    const tightest = verdicts.reduce((a, b) => (b.remaining < a.remaining || !b.allowed ? b : a));
    const headers = {
      "RateLimit-Policy": policy,
      RateLimit: `limit=${tightest.limit}, remaining=${tightest.remaining}, reset=${Math.ceil(tightest.resetMs / 1000)}`,
    };
    const refused = verdicts.find((verdict) => !verdict.allowed);
    if (refused) {
      const retryAfter = String(Math.max(1, Math.ceil(refused.resetMs / 1000)));
      writeApiError(req, res, "TOO_MANY_REQUESTS", `Too many requests ${refused.scope}; retry after ${retryAfter} s`, {
        ...headers,
        "Retry-After": retryAfter,
      });
      return;
    }
    addAnswerHeader(res, "RateLimit-Policy", headers["RateLimit-Policy"]);
    addAnswerHeader(res, "RateLimit", headers.RateLimit);
    next(req, res);
  };

  return (req, res) => {
    const url = req.url ?? "";
    if (!(url.startsWith("/v1/") || url.startsWith("/trpc/"))) return next(req, res);
    const cost = costOf(url);
    const verdicts: Verdict[] = [];
    if (config.perIp > 0) {
      const verdict = byIp.take(req.socket.remoteAddress ?? "unknown", cost, "from this address");
      verdicts.push(verdict);
      // Refused by address: not even the token is looked at.
      if (!verdict.allowed) return admit(req, res, verdicts);
    }
    if (config.perAccount === 0) return admit(req, res, verdicts);
    const charge = (caller: VerifiedCaller) => {
      verdicts.push(byAccount.take(caller.organizationId, cost, "for this account"));
      admit(req, res, verdicts);
    };
    // A token verified moments ago (the usual case) is charged at once, without a promise.
    const known = cachedCallerOf(req, verifier);
    if (known) return charge(known);
    const token = bearerToken(req.headers.authorization);
    if (!token) return admit(req, res, verdicts.length > 0 ? verdicts : [UNLIMITED]);
    verifier.verify(token).then(
      charge,
      // An invalid token (or the key source being down) is answered by the procedure, as without limits.
      () => admit(req, res, verdicts.length > 0 ? verdicts : [UNLIMITED]),
    );
  };
}

interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window, and so the budget, starts afresh. */
  resetMs: number;
  /** Says whose budget ran out, in the refusal's message. */
  scope: string;
}

const UNLIMITED: Verdict = { allowed: true, limit: 0, remaining: Number.POSITIVE_INFINITY, resetMs: 0, scope: "" };

/** Counts units per key in the current window; the whole map is dropped when the next window starts. */
export class FixedWindowCounter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  take(key: string, cost: number, scope: string): Verdict {
    const time = this.now();
    const window = Math.floor(time / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const resetMs = (window + 1) * this.windowMs - time;
    const used = this.counts.get(key) ?? 0;
    if (used + cost > this.limit) {
      return { allowed: false, limit: this.limit, remaining: Math.max(0, this.limit - used), resetMs, scope };
    }
    this.counts.set(key, used + cost);
    return { allowed: true, limit: this.limit, remaining: this.limit - used - cost, resetMs, scope };
  }
}

/** One unit per procedure called: a tRPC batch `/trpc/a,b,c?batch=1` costs three. */
function costOf(url: string): number {
  if (!url.startsWith("/trpc/")) return 1;
  const q = url.indexOf("?");
  return trpcCallCount(q < 0 ? url : url.slice(0, q));
}
