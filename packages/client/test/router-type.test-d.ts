import { describe, expectTypeOf, it } from "vitest";
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter as ServerRouter } from "@workspace-admin/server/router";
import type { AppRouter } from "../src/index.ts";

// The client's router type is built from the contracts' table; the server's is built by the server.
// These assertions fail to compile the moment the two disagree.
type Kinds<R> = { [K in keyof R]: R[K] extends { _def: { type: infer T } } ? T : Kinds<R[K]> };
type RecordOf<R extends { _def: { record: unknown } }> = R["_def"]["record"];

describe("the client's AppRouter", () => {
  it("has the server router's inputs and outputs", () => {
    expectTypeOf<inferRouterInputs<AppRouter>>().toEqualTypeOf<inferRouterInputs<ServerRouter>>();
    expectTypeOf<inferRouterOutputs<AppRouter>>().toEqualTypeOf<inferRouterOutputs<ServerRouter>>();
  });

  it("has the same procedures, each a query or a mutation as on the server", () => {
    expectTypeOf<Kinds<RecordOf<AppRouter>>>().toEqualTypeOf<Kinds<RecordOf<ServerRouter>>>();
  });

  it("has the server's error shape", () => {
    expectTypeOf<inferRouterError<AppRouter>>().toEqualTypeOf<inferRouterError<ServerRouter>>();
  });
});
