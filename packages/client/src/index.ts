import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  type Operation,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { type EndpointName, TRPC_BATCH_MAX } from "@workspace-admin/contracts";
import { apiErrorLink } from "./errors.ts";
import type { AppRouter } from "./router.ts";

export type { AppRouter, ApiErrorShape } from "./router.ts";
export { apiErrorCode, apiErrorLink, isApiError, WorkspaceAdminError } from "./errors.ts";
export * from "@workspace-admin/contracts";
export { TRPCClientError };

/** Inputs of every procedure: `WorkspaceAdminInputs["workspaces"]["create"]`. */
export type WorkspaceAdminInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `WorkspaceAdminOutputs["workspaces"]["list"]`. */
export type WorkspaceAdminOutputs = inferRouterOutputs<AppRouter>;
export type WorkspaceAdminClient = TRPCClient<AppRouter>;

type Split<N extends string> = N extends `${infer Namespace}.${infer Name}` ? [Namespace, Name] : never;
/** The input of one operation by its name in the contracts' table: `OperationInput<"members.add">`. */
export type OperationInput<N extends EndpointName> = Split<N> extends [infer A extends keyof WorkspaceAdminInputs, infer B]
  ? B extends keyof WorkspaceAdminInputs[A]
    ? WorkspaceAdminInputs[A][B]
    : never
  : never;
/** The output of one operation by its name in the contracts' table: `OperationOutput<"workspaces.get">`. */
export type OperationOutput<N extends EndpointName> = Split<N> extends [infer A extends keyof WorkspaceAdminOutputs, infer B]
  ? B extends keyof WorkspaceAdminOutputs[A]
    ? WorkspaceAdminOutputs[A][B]
    : never
  : never;

export interface WorkspaceAdminClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:3000 (the client calls `${url}/trpc`). */
  url: string;
  /** A bearer token, or a function returning one (called before every request, so it may refresh). */
  token: string | (() => string | Promise<string>);
  /** Group concurrent calls into one HTTP request (default true). */
  batch?: boolean;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/**
 * Per-call options of a mutation, passed as its `context`:
 * `client.workspaces.update.mutate(input, { context: { ifMatch: entityTag(workspace), idempotencyKey } })`.
 * A call carrying either is sent on its own (never batched), since the headers apply to the whole request.
 */
export interface WorkspaceAdminCallContext {
  [key: string]: unknown;
  /** Sent as `Idempotency-Key`: a retry with the same key and input answers the first answer again. */
  idempotencyKey?: string;
  /** Sent as `If-Match`: the change applies only if the workspace is still at this version, else PRECONDITION_FAILED. */
  ifMatch?: string;
}

function callHeaders(op: Operation): Record<string, string> {
  const context = op.context as WorkspaceAdminCallContext;
  const headers: Record<string, string> = {};
  if (typeof context.idempotencyKey === "string") headers["idempotency-key"] = context.idempotencyKey;
  if (typeof context.ifMatch === "string") headers["if-match"] = context.ifMatch;
  return headers;
}

/**
 * A typed client of every procedure: `client.workspaces.list.query({ limit: 10 })`. A failed call
 * throws a `WorkspaceAdminError` carrying the API's error `code`.
 */
export function createWorkspaceAdminClient(options: WorkspaceAdminClientOptions): WorkspaceAdminClient {
  const url = `${options.url.replace(/\/+$/, "")}/trpc`;
  const baseHeaders = async () => {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    return { ...options.headers, authorization: `Bearer ${token}` };
  };
  const linkOptions = { url, fetch: options.fetch, headers: baseHeaders };
  const shared = options.batch === false ? httpLink(linkOptions) : httpBatchLink({ ...linkOptions, maxItems: TRPC_BATCH_MAX });
  return createTRPCClient<AppRouter>({
    links: [
      apiErrorLink(),
      splitLink({
        condition: (op) => Object.keys(callHeaders(op)).length > 0,
        true: httpLink({
          url,
          fetch: options.fetch,
          headers: async ({ op }) => ({ ...(await baseHeaders()), ...callHeaders(op) }),
        }),
        false: shared,
      }),
    ],
  });
}
