import { searchProfiles } from "../../services/profiles.ts";
import { endpoint, type Handler } from "../endpoint.ts";
import { router } from "../init.ts";

/** The reads, also run by the read fast path (see ../reads.ts). */
export const profileReads: { "profiles.search": Handler<"profiles.search"> } = {
  "profiles.search": ({ ctx, input }) => searchProfiles(ctx.scope, input),
};

export const profilesRouter = router({
  search: endpoint("profiles.search").query(profileReads["profiles.search"]),
});
