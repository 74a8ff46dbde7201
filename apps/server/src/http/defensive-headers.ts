/**
 * Headers on every answer of the API, whichever layer writes it (express, the read fast path, the rate
 * limiter, the shutdown guard, the error writers): a browser must never sniff a JSON answer into
 * something executable, and no cache between the admin and us may keep account data.
 */
export const DEFENSIVE_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};
