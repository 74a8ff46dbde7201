export * from "./fixtures.ts";
export * from "./http.ts";
export * from "./server.ts";
export * from "./simultaneous.ts";
export * from "./database.ts";
export * from "./process.ts";
export * from "./tcp-proxy.ts";
