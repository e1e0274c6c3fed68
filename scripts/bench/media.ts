/**
 * Media benchmark at benchmark scale (the feed bench's data: 10k users, ~1M posts, ~2M follow
 * edges; the seed puts photos on a fifth of the posts and avatars on most users):
 *  - object_read_authz_p95: the policy check of reading one post's image as a follower, i.e. the
 *    query Supabase Storage runs under RLS for a download or a signed URL
 *    (`select … from storage.objects where bucket_id = $1 and name = $2` as the follower), server
 *    time (planning + execution, EXPLAIN ANALYZE), target <= 5 ms;
 *  - feed_page_signed_urls_p95: signed URLs for the media of a 20-post home feed page in one call
 *    (`client.media.urls(items)`, one `createSignedUrls` per bucket) against the local stack
 *    (@supabase/lite's Storage behind the front door), wall time seen by the client, target
 *    <= 30 ms;
 *  - feed_page_signed_urls_db_p95 (informational): the one query Supabase Storage runs for that
 *    batch (`name = any($2)` under RLS), server time.
 */
import { join } from "node:path";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import WebSocket from "ws";
import { createSupasocialClient, type MediaItem } from "../../client-sdk/src/index.ts";
import { DEMO_PASSWORD } from "../../seeds/seed.ts";
import { ROOT } from "../lib/db.ts";
import { startStack } from "../lib/stack.ts";
import { as, type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

const READS_PER_VIEWER = 10;
const URL_ROUNDS = 10;

export const mediaBench: BenchArea = {
  describe: "media read policy and a feed page's signed URLs, as real users",
  scale: { users: 10_000, followsPerUser: 200, postsPerUser: 84, seed: 20261128 },
  async run(url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const rows: BenchRow[] = [];
    try {
      const [scale] = await sql`select (select count(*) from social.media)::int as media,
        (select count(*) from storage.objects where bucket_id like 'social-%')::int as objects,
        (select count(*) from social.posts)::int as posts`;
      console.log(`data: ${scale!.media} media rows, ${scale!.objects} objects, ${scale!.posts} posts`);

      // followers reading a followee's photo on a public or followers post
      const reads = await sql<{ viewer: string; bucket: string; path: string }[]>`
        select distinct on (f.follower_id) f.follower_id as viewer, m.bucket_id as bucket, m.path
        from social.follows f
        join social.posts p on p.author_id = f.followee_id and p.group_id is null and p.deleted_at is null
                            and p.visibility in ('public', 'followers')
        join social.media m on m.target_type = 'post' and m.target_id = p.id
        where f.status = 'accepted'
          and f.follower_id in (select id from social.profiles where following_count between 150 and 300
                                order by id limit 20)
        order by f.follower_id, p.created_at desc`;
      const query = "select id, name, metadata from storage.objects where bucket_id = $1 and name = $2";
      const times: number[] = [];
      for (const r of reads) {
        const who = { role: "authenticated" as const, userId: r.viewer };
        const found = await as(sql, who, (tx) => tx.unsafe(query, [r.bucket, r.path]));
        if (found.length !== 1) throw new Error(`follower ${r.viewer} cannot read ${r.path}: the bench is wrong`);
        for (let i = 0; i < READS_PER_VIEWER; i++) {
          times.push(await as(sql, who, (tx) => serverTime(tx, query, [r.bucket, r.path])));
        }
      }
      rows.push(row("object_read_authz_p50", percentile(times, 50), "ms"));
      rows.push(row("object_read_authz_p95", percentile(times, 95), "ms", 5));

      // a feed page's media, signed in one call, through the stack
      const stack = await startStack({ dbUrl: url, port: 0, stateDir: join(ROOT, ".supasocial", "bench-stack") });
      try {
        const viewers = await sql<{ email: string }[]>`
          select u.email from auth.users u join social.profiles p on p.id = u.id
          where p.following_count between 150 and 300 order by p.id limit 10`;
        const urlTimes: number[] = [];
        const dbTimes: number[] = [];
        let items = 0;
        for (const v of viewers) {
          const supabase = createClient(stack.url, stack.keys.publishableKey, {
            auth: { persistSession: false, autoRefreshToken: false },
            realtime: { transport: WebSocket as never },
          });
          const signIn = await supabase.auth.signInWithPassword({ email: v.email, password: DEMO_PASSWORD });
          if (signIn.error) throw signIn.error;
          const social = createSupasocialClient(supabase);
          const page = await social.feed.home({ limit: 20 });
          if (page.error) throw page.error;
          const media: MediaItem[] = page.data.items.flatMap((p) => p.media);
          if (media.length === 0) continue;
          items += media.length;
          await social.media.urls(media); // warm-up
          for (let i = 0; i < URL_ROUNDS; i++) {
            const t0 = performance.now();
            const urls = await social.media.urls(media);
            urlTimes.push(performance.now() - t0);
            if (urls.error || urls.data.some((u) => u === null)) throw new Error("a feed item could not be signed");
          }
          const paths = media.filter((m) => m.bucket === "social-posts").map((m) => m.path);
          for (let i = 0; i < URL_ROUNDS; i++) {
            dbTimes.push(
              await as(sql, { role: "authenticated", userId: signIn.data.user.id }, (tx) =>
                serverTime(tx, "select name from storage.objects where bucket_id = $1 and name = any($2::text[])", [
                  "social-posts",
                  paths,
                ]),
              ),
            );
          }
        }
        console.log(`signed ${items} media items on ${viewers.length} feed pages`);
        rows.push(row("feed_page_signed_urls_p50", percentile(urlTimes, 50), "ms"));
        rows.push(row("feed_page_signed_urls_p95", percentile(urlTimes, 95), "ms", 30));
        rows.push(row("feed_page_signed_urls_db_p95", percentile(dbTimes, 95), "ms"));
      } finally {
        await stack.stop();
      }
      return rows;
    } finally {
      await sql.end();
    }
  },
};
