import { z } from "zod";
import { ProfileId } from "./ids.ts";
import { PageQuery, pageOf } from "./pagination.ts";
import { storableText } from "./text.ts";
import { Timestamp } from "./timestamp.ts";

export const PROFILE_QUERY_MAX = 200;
export const EMAIL_MAX = 320;

export const Profile = z
  .object({
    id: ProfileId,
    email: z.string().nullable().meta({ description: "Null while not known" }),
    name: z.string().nullable().meta({ description: "Null while not known" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Profile" });
export type Profile = z.infer<typeof Profile>;

export const ProfilePage = pageOf(Profile, "ProfilePage");
export type ProfilePage = z.infer<typeof ProfilePage>;

export const SearchProfilesInput = PageQuery.extend({
  query: storableText(z.string().trim().min(1).max(PROFILE_QUERY_MAX))
    .optional()
    .meta({ description: "Matches email or name anywhere, ignoring case (any alphabet)" }),
  email: storableText(z.string().trim().min(1).max(EMAIL_MAX))
    .optional()
    .meta({ description: "Matches the whole email address, ignoring case" }),
}).strict();
export type SearchProfilesInput = z.input<typeof SearchProfilesInput>;
