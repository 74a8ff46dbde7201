import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { ErrorCode } from "@workspace-admin/contracts";
import type { AppRouter } from "@workspace-admin/server/router";

export type { AppRouter };
export type WorkspaceAdminInputs = inferRouterInputs<AppRouter>;
export type WorkspaceAdminOutputs = inferRouterOutputs<AppRouter>;
export type WorkspaceAdminClient = TRPCClient<AppRouter>;
export * from "@workspace-admin/contracts";

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

/** A typed client of every procedure: `client.workspaces.list.query({ limit: 10 })`. */
export function createWorkspaceAdminClient(options: WorkspaceAdminClientOptions): WorkspaceAdminClient {
  const linkOptions = {
    url: `${options.url.replace(/\/+$/, "")}/trpc`,
    fetch: options.fetch,
    async headers() {
      const token = typeof options.token === "function" ? await options.token() : options.token;
      return { ...options.headers, authorization: `Bearer ${token}` };
    },
  };
  return createTRPCClient<AppRouter>({
    links: [options.batch === false ? httpLink(linkOptions) : httpBatchLink({ ...linkOptions, maxItems: 10 })],
  });
}

/** The API's error code (NOT_FOUND, CONFLICT, ...) carried by a failed call, or undefined for other errors. */
export function apiErrorCode(error: unknown): ErrorCode | undefined {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    return code as ErrorCode | undefined;
  }
  return undefined;
}

export function isApiError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export { TRPCClientError };
