import { readFileSync } from "node:fs";
import express from "express";

/**
 * The second floor: a bare express app, one route per scenario, each answering a fixed body of the
 * same size as our endpoint's answer (bodies read from the file the runner wrote). What express
 * itself costs, before any of our code runs.
 */
const bodies = JSON.parse(readFileSync(process.env.BENCH_BODIES_FILE!, "utf8")) as Record<
  string,
  { method: "GET" | "POST"; path: string; status: number; body: string }
>;
const app = express();
for (const route of Object.values(bodies)) {
  const handler = (_req: express.Request, res: express.Response) => {
    res.status(route.status).type("application/json").send(route.body);
  };
  if (route.method === "GET") app.get(route.path, handler);
  else app.post(route.path, handler);
}
app.get("/readyz", (_req, res) => {
  res.json({ status: "ready" });
});
const server = app.listen(Number(process.env.BENCH_PORT ?? 0), "127.0.0.1", () => {
  process.send?.({ listening: (server.address() as { port: number }).port });
});
server.keepAliveTimeout = 5_000;
