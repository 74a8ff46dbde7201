import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER, TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure } from "@trpc/server";
import type { EndpointName, endpoints, ValidationIssue } from "@workspace-admin/contracts";
import type { z } from "zod";

/**
 * The server's router type, as clients see it, built from the contracts' endpoint table alone: GET
 * operations are queries, the others mutations; inputs and outputs are the contract schemas' types.
 *
 * Why not `typeof appRouter` from the server: its type drags in the server's context (database, ORM,
 * auth), which a package installed in another repository cannot resolve. A type test in this package
 * holds this type equal to the real router's inputs, outputs, procedure kinds and error shape, so the
 * two cannot drift; a new row in the table is a new procedure here with nothing else to write.
 */
type Endpoints = typeof endpoints;

/** The error body tRPC answers (the server's errorFormatter). */
export interface ApiErrorShape {
  message: string;
  code: TRPC_ERROR_CODE_NUMBER;
  data: { code: TRPC_ERROR_CODE_KEY; httpStatus: number; issues?: ValidationIssue[] };
}

interface ProcedureDef<N extends EndpointName> {
  input: z.input<Endpoints[N]["input"]>;
  output: z.output<Endpoints[N]["output"]>;
  meta: object;
  errorShape: ApiErrorShape;
}

type ProcedureOf<N extends EndpointName> = Endpoints[N]["method"] extends "GET"
  ? TRPCQueryProcedure<ProcedureDef<N>>
  : TRPCMutationProcedure<ProcedureDef<N>>;

type Namespace = EndpointName extends infer N ? (N extends `${infer Head}.${string}` ? Head : never) : never;

type RouterRecord = {
  [NS in Namespace]: { [N in EndpointName as N extends `${NS}.${infer Name}` ? Name : never]: ProcedureOf<N> };
};

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ApiErrorShape; transformer: false },
  RouterRecord
>;
