import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";

const here = dirname(fileURLToPath(import.meta.url));
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
/** The only files of swagger-ui-dist the page loads (the package's own index and initializer are not served). */
const ASSETS = ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"];

// Everything the page loads comes from this server: no CDN, nothing inline except Swagger UI's styles.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Live API docs at /docs: Swagger UI from the swagger-ui-dist package, reading /openapi.json. */
export function docsRouter(): Router {
  const docs = express.Router({ strict: true });
  const index = readFileSync(join(here, "docs", "index.html"), "utf8");
  const init = readFileSync(join(here, "docs", "init.js"), "utf8");
  docs.use((_req, res, next) => {
    res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    next();
  });
  docs.get("/", (req, res) => {
    // Relative asset URLs need the trailing slash.
    if (!req.originalUrl.split("?")[0]!.endsWith("/")) {
      res.redirect(308, `${req.baseUrl}/`);
      return;
    }
    res.type("html").send(index);
  });
  docs.get("/init.js", (_req, res) => {
    res.type("js").send(init);
  });
  for (const asset of ASSETS) {
    docs.get(`/${asset}`, (_req, res) => {
      // `root` keeps the .pnpm folder of the package path out of the dotfile check.
      res.sendFile(asset, { root: swaggerUiDir });
    });
  }
  return docs;
}
