// A plain supabase-js script against `npm start`: ana signs in, uploads a photo to Supabase
// Storage, attaches it to a followers-only post; ben (a follower) reads it, cy (a stranger) is
// refused. The database decides both reads: RLS on storage.objects asks the post's own rule.
// Run: node examples/media.mjs
// Settings: SUPABASE_URL (default http://127.0.0.1:$SUPASOCIAL_API_PORT, port 54321), SUPABASE_ANON_KEY
// (default: the key `npm start` keeps in .supasocial/keys.json).
import { readFileSync } from "node:fs";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";

const url = process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.SUPASOCIAL_API_PORT || 54321}`;
const key =
  process.env.SUPABASE_ANON_KEY ??
  JSON.parse(readFileSync(new URL("../.supasocial/keys.json", import.meta.url), "utf8")).publishableKey;
const client = () =>
  createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no WebSocket of its own; browsers, React Native and Node 22+ leave this out
    realtime: { transport: WebSocket },
  });
const fail = (what, error) => {
  throw new Error(`${what}: ${error.message} (${error.hint ?? error.statusCode ?? error.code ?? ""})`);
};

// three new users: ana posts, ben follows her, cy is a stranger
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const [ana, ben, cy] = [client(), client(), client()];
const login = (name) => ({ email: `${name}-${run}@example.com`, password: `correct-horse-${name}` });
for (const [name, c] of [
  ["ana", ana],
  ["ben", ben],
  ["cy", cy],
]) {
  const { error } = await c.auth.signUp({ ...login(name), options: { data: { handle: `${name}_${run}` } } });
  if (error) fail(`sign-up of ${name}`, error);
}
const signedIn = await ana.auth.signInWithPassword(login("ana"));
if (signedIn.error) fail("ana signs in", signedIn.error);
const anaId = signedIn.data.user.id;
const follow = await ben.schema("social").rpc("follow", { p_user_id: anaId });
if (follow.error) fail("ben follows ana", follow.error);

// 1. announce the upload: the database checks type and size and fixes bucket and path
const photo = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAHklEQVR4nGP438MARwxvs+XgiOGWpw0cMZzQiIIjAG7uFqmEj8BoAAAAAElFTkSuQmCC",
  ),
  (c) => c.charCodeAt(0),
);
const { data: media, error: announceError } = await ana.schema("social").rpc("create_media", {
  p_target: "post",
  p_mime_type: "image/png",
  p_size_bytes: photo.byteLength,
  p_width: 4,
  p_height: 4,
});
if (announceError) fail("create_media", announceError);
console.log(`announced: ${media.bucket_id}/${media.path}`);

// 2. the bytes go to Storage, exactly there
const up = await ana.storage.from(media.bucket_id).upload(media.path, photo, { contentType: "image/png" });
if (up.error) fail("upload", up.error);
console.log(`uploaded ${photo.byteLength} bytes`);

// 3. attach it to a post for followers only
const { data: post, error: postError } = await ana
  .schema("social")
  .from("posts")
  .insert({ body: "Sunrise run", visibility: "followers", media: [{ id: media.id, alt: "sunrise" }] })
  .select("id, media")
  .single();
if (postError) fail("post", postError);
console.log(
  `posted with ${post.media.length} photo (${post.media[0].type}, ${post.media[0].width}x${post.media[0].height})`,
);

// 4. ben, a follower, reads it; cy, a stranger, is refused
const forBen = await ben.storage.from(media.bucket_id).download(media.path);
if (forBen.error) fail("ben downloads", forBen.error);
const same = new Uint8Array(await forBen.data.arrayBuffer()).every((b, i) => b === photo[i]);
console.log(`ben (follower) reads it: ${forBen.data.size} bytes, identical: ${same}`);
const signed = await ben.storage.from(media.bucket_id).createSignedUrl(media.path, 60);
console.log(`ben's signed URL serves it: ${(await fetch(signed.data.signedUrl)).status}`);
const forCy = await cy.storage.from(media.bucket_id).download(media.path);
console.log(`cy (stranger) is refused: ${forCy.error ? `yes (${forCy.error.statusCode})` : "no"}`);
const cySigned = await cy.storage.from(media.bucket_id).createSignedUrl(media.path, 60);
console.log(`cy gets no signed URL: ${cySigned.error ? "yes" : "no"}`);
