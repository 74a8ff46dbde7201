import { describe, expectTypeOf, it } from "vitest";
import { createWorkspaceAdminClient, type Workspace, type WorkspaceAdminInputs } from "../src/index.ts";

// Type tests: checked by the compiler (vitest typecheck and `tsc`), never executed.
const client = createWorkspaceAdminClient({ url: "http://127.0.0.1:1", token: "t" });

describe("client types", () => {
  it("infers outputs from the router", () => {
    expectTypeOf(client.workspaces.get.query).returns.resolves.toEqualTypeOf<Workspace>();
  });

  it("rejects wrong inputs at compile time", () => {
    // @ts-expect-error: name must be a string
    void client.workspaces.create.mutate({ name: 42 });
    // @ts-expect-error: workspaceId is required
    void client.workspaces.get.query({});
    // @ts-expect-error: no such procedure
    void client.workspaces.destroy;
    expectTypeOf<WorkspaceAdminInputs["members"]["add"]>().toEqualTypeOf<{ workspaceId: string; profileId: string }>();
  });
});
