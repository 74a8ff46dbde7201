import { searchProfiles } from "../../services/profiles.ts";
import { endpoint } from "../endpoint.ts";
import { router } from "../init.ts";

export const profilesRouter = router({
  search: endpoint("profiles.search").query(({ ctx, input }) => searchProfiles(ctx.scope, input)),
});
