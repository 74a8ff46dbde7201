import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { type EndpointContract, endpoints } from "@workspace-admin/contracts";
import { launchChromium } from "../support/browser.ts";
import { createAccount, createWorkspace, startTestServer, type TestAccount, type TestServer } from "../support/index.ts";

const table = Object.entries(endpoints) as [string, EndpointContract][];
const operationIdOf = (name: string) => name.replace(/\.(\w)/g, (_: string, c: string) => c.toUpperCase());

let server: TestServer;
let account: TestAccount;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  account = await createAccount(server);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("/docs", () => {
  it("serves Swagger UI from this server only, with a content security policy", async () => {
    const response = await fetch(`${server.url}/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('src="./swagger-ui-bundle.js"');
    expect(html).not.toMatch(/https?:\/\//);
    const redirect = await fetch(`${server.url}/docs`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/docs/");
  });

  it("shows every operation in a headless browser and makes an authenticated call from the page", async () => {
    const workspace = await createWorkspace(account, "Seen from the docs page");
    const page = await browser.newPage();
    const foreignRequests: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(server.url)) foreignRequests.push(request.url());
    });
    try {
      await page.goto(`${server.url}/docs`);
      await page.locator(".opblock").first().waitFor({ timeout: 20_000 });

      // Every row of the contracts' table is on the page, under its tag.
      expect(await page.locator(".opblock").count()).toBe(table.length);
      for (const [name, contract] of table) {
        await expect(page.locator(`#operations-${contract.tag}-${operationIdOf(name)}`).count()).resolves.toBe(1);
      }

      // Authorize with a bearer token through the dialog, as a person would.
      await page.locator("button.authorize").first().click();
      await page.locator(".auth-container input").first().fill(account.token);
      await page.locator(".auth-btn-wrapper button.authorize").click();
      await page.locator("button.btn-done").click();

      // Expand "List all workspaces", execute it, and read the live answer.
      const operation = page.locator(`#operations-Workspaces-${operationIdOf("workspaces.list")}`);
      await operation.locator(".opblock-summary").click();
      const apiCall = page.waitForResponse((r) => r.url().startsWith(`${server.url}/v1/account/workspaces`));
      await operation.locator("button.execute").click();
      const answered = await apiCall;
      expect(answered.status()).toBe(200);
      expect(answered.request().headers().authorization).toBe(`Bearer ${account.token}`);
      const body = operation.locator(".live-responses-table tbody .response-col_description pre").first();
      await body.waitFor({ timeout: 10_000 });
      expect(await body.textContent()).toContain(workspace.id);
      expect(await operation.locator(".live-responses-table tbody .response-col_status").first().textContent()).toContain("200");
      expect(foreignRequests).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
