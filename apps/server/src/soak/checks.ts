import { isDeepStrictEqual } from "node:util";
import { type ErrorCode, endpoints, entityTag, errorHttpStatus } from "@workspace-admin/contracts";
import { type Answer, successStatus } from "./api.ts";

/** An answer that differs from what the model predicts. The client that sees one stops. */
export class Mismatch extends Error {
  override name = "Mismatch";
}

const shorten = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}...` : text);
const show = (value: unknown) => shorten(JSON.stringify(value) ?? "undefined");

/** A success with the contract's status, whose result matches the operation's output schema. */
export function expectSuccess<T>(answer: Answer): T {
  const status = successStatus(answer.op, answer.protocol);
  if (answer.status !== status) {
    throw new Mismatch(`${answer.request}: expected ${status}, got ${answer.status} ${shorten(answer.text)}`);
  }
  const parsed = endpoints[answer.op].output.safeParse(answer.data);
  if (!parsed.success) {
    throw new Mismatch(`${answer.request}: the answer does not match the contract (${parsed.error.message}): ${shorten(answer.text)}`);
  }
  return answer.data as T;
}

/** An error with this code, its status, the documented shape, and no stack trace. */
export function expectError(answer: Answer, code: ErrorCode): void {
  const status = errorHttpStatus[code];
  const error = answer.error;
  if (answer.status !== status || error?.code !== code || error.httpStatus !== status || error.hasStack) {
    throw new Mismatch(`${answer.request}: expected ${status} ${code}, got ${answer.status} ${shorten(answer.text)}`);
  }
}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Mismatch(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new Mismatch(what);
}

/** REST answers about a workspace carry its version as a strong ETag; tRPC answers carry none. */
export function expectETag(answer: Answer, workspace: { version: number }): void {
  if (answer.protocol !== "rest") return;
  expectEqual(answer.etag, entityTag(workspace), `${answer.request}: ETag`);
}

/** Same status, same bytes, same ETag: what an idempotent replay must answer. */
export function expectSameAnswer(replay: Answer, original: Answer): void {
  expectTrue(
    replay.status === original.status && replay.text === original.text && replay.etag === original.etag,
    `${replay.request}: the replay differs from the first answer: ${original.status} ${shorten(original.text)} ` +
      `(ETag ${original.etag}) vs ${replay.status} ${shorten(replay.text)} (ETag ${replay.etag})`,
  );
}
