export * from "./endpoints.ts";
export * from "./errors.ts";
export * from "./ids.ts";
export * from "./member.ts";
export * from "./pagination.ts";
export * from "./profile.ts";
export * from "./timestamp.ts";
export * from "./workspace.ts";
