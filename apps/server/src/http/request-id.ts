import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every request gets an id: the caller's `x-request-id` when it is sane, else a new one; echoed back. */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.headers["x-request-id"];
  const id = typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
  (req as typeof req & { id: string }).id = id;
  res.setHeader("x-request-id", id);
  next();
};
