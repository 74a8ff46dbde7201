import { type Event, NotFoundException, type OrganizationMembership, type User, type WorkOS } from "@workos-inc/node";
import { toStorableText } from "@workspace-admin/contracts";
import {
  DIRECTORY_EVENT_TYPES,
  type DirectoryEvent,
  type DirectoryMembership,
  type DirectoryUser,
} from "../services/directory-events.ts";
import type { DirectorySource } from "../services/directory-sync.ts";

/** Directory sync's view of WorkOS, through the SDK: the Events API and the user lookup. */
export function workosDirectorySource(workos: WorkOS): DirectorySource {
  return {
    async listEvents(after, limit) {
      const page = await workos.events.listEvents({ events: [...DIRECTORY_EVENT_TYPES], after, limit });
      return page.data.flatMap((event) => toDirectoryEvent(event) ?? []);
    },
    async getUser(userId) {
      try {
        return toDirectoryUser(await workos.userManagement.getUser(userId));
      } catch (error) {
        if (error instanceof NotFoundException) return undefined;
        throw error;
      }
    },
    async listOrganizationIds() {
      const organizations = await (await workos.organizations.listOrganizations({ order: "asc" })).autoPagination();
      return organizations.map((organization) => organization.id);
    },
    async listOrganizationDirectory(organizationId) {
      const memberships = await (
        await workos.userManagement.listOrganizationMemberships({
          organizationId,
          statuses: ["active", "inactive", "pending"],
          order: "asc",
        })
      ).autoPagination();
      const users = await (await workos.userManagement.listUsers({ organizationId, order: "asc" })).autoPagination();
      return { users: users.map(toDirectoryUser), memberships: memberships.map(toDirectoryMembership) };
    },
  };
}

function toDirectoryMembership(membership: OrganizationMembership): DirectoryMembership {
  return {
    id: membership.id,
    userId: membership.userId,
    organizationId: membership.organizationId,
    status: membership.status,
    updatedAt: membership.updatedAt,
  };
}

/** The SDK's event, if it is one directory sync applies; anything else is ignored. */
export function toDirectoryEvent(event: Event | undefined): DirectoryEvent | undefined {
  if (!event) return undefined;
  const base = { id: event.id, createdAt: event.createdAt };
  switch (event.event) {
    case "user.created":
    case "user.updated":
    case "user.deleted":
      return { ...base, type: event.event, user: toDirectoryUser(event.data) };
    case "organization_membership.created":
    case "organization_membership.updated":
    case "organization_membership.deleted":
      return { ...base, type: event.event, membership: toDirectoryMembership(event.data) };
    default:
      return undefined;
  }
}

function toDirectoryUser(user: User): DirectoryUser {
  return {
    id: user.id,
    // Text the databases can hold: one odd name must not fail its event's write on every sync pass.
    email: toStorableText(user.email ?? ""),
    firstName: user.firstName === null ? null : toStorableText(user.firstName),
    lastName: user.lastName === null ? null : toStorableText(user.lastName),
    updatedAt: user.updatedAt,
  };
}
