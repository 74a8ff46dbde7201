import { WorkOS } from "@workos-inc/node";
import type { WorkosApiConfig } from "../config.ts";

/** The official SDK, pointed at WORKOS_API_URL (https://api.workos.com, or a fake one in tests). */
export function createWorkosClient(config: WorkosApiConfig): WorkOS {
  const url = new URL(config.apiUrl);
  return new WorkOS(config.apiKey, {
    clientId: config.clientId,
    apiHostname: url.hostname,
    https: url.protocol === "https:",
    ...(url.port ? { port: Number(url.port) } : {}),
    timeout: config.apiTimeoutMs,
  });
}
