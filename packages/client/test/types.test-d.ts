import { describe, expectTypeOf, it } from "vitest";
import {
  type AuditEventPage,
  createWorkspaceAdminClient,
  type Workspace,
  type WorkspaceAdminInputs,
  type WorkspaceMember,
} from "../src/index.ts";

// Type tests: checked by the compiler (vitest typecheck and `tsc`), never executed.
const client = createWorkspaceAdminClient({ url: "http://127.0.0.1:1", token: "t" });

describe("client types", () => {
  it("infers outputs from the router", () => {
    expectTypeOf(client.workspaces.get.query).returns.resolves.toEqualTypeOf<Workspace>();
    expectTypeOf(client.members.get.query).returns.resolves.toEqualTypeOf<WorkspaceMember>();
    expectTypeOf(client.audit.list.query).returns.resolves.toEqualTypeOf<AuditEventPage>();
    expectTypeOf<Workspace["version"]>().toEqualTypeOf<number>();
  });

  it("types the audit filters", () => {
    void client.audit.list.query({ action: "member.added", since: "2026-01-01T00:00:00Z" });
    // @ts-expect-error: not an audit action
    void client.audit.list.query({ action: "workspace.deleted" });
    // @ts-expect-error: profileId is required to get one member
    void client.members.get.query({ workspaceId: "ws_01JD8Z6V5TQ3R2P1N0M9K8J7H6" });
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
