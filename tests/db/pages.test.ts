/**
 * The page contract, for every list RPC: `p_cursor` + `p_limit`, every row carrying the page's
 * `next_cursor` (null on the last page), keyset pages without gaps or repeats while new rows
 * arrive, a cursor bound to its list, order and scope (anything else is `invalid_cursor`, 22023,
 * never a 500), tampered cursors refused, and one page size (1..50, default 20) for all.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type TestDb, type Tx, withDb } from "../helpers/db.ts";

type Row = Record<string, unknown> & { next_cursor: string | null };

interface ListCase {
  /** The list, as its cursor names it (plus the order for the feeds). */
  name: string;
  /** Who reads it (the signed-in user). */
  caller: string;
  /** One page. */
  page: (q: Tx, cursor: string | null, limit: number) => Promise<Row[]>;
  /** The same list for another scope (another group, user, post, filter or caller). */
  otherScope: { caller: string; page: (q: Tx, cursor: string) => Promise<unknown> };
  /** The item a row stands for. */
  key: (row: Row) => string;
  /** The fixture's items, in the list's order. */
  expected: string[];
  /** Newest first (new items arrive before the first page) or oldest first (after the last). */
  direction: "desc" | "asc";
  /** Add an item that belongs on the list; returns its key. */
  arrive: () => Promise<string>;
}

const asRows = (rows: unknown) => rows as Row[];

/** Move rows to a point in time, triggers off (created_at is immutable to clients). */
async function setTime(db: TestDb, table: string, where: string, column: string, at: string): Promise<void> {
  await db.asSuperuser();
  await db.q.unsafe("set local session_replication_role = replica");
  await db.q.unsafe(`update social.${table} set ${column} = ${at} where ${where}`);
  await db.q.unsafe("set local session_replication_role = origin");
}

/** An arrival: newer than everything in the fixture (made at the transaction's now()). */
const LATER = "now() + interval '1 hour'";

async function insertOne(db: TestDb, text: string, values: unknown[] = []): Promise<string> {
  await db.asSuperuser();
  const [row] = await db.q.unsafe<{ id: string }[]>(text, values as never[]);
  return row!.id;
}

/**
 * One world with at least three items on every list. Everything is made in the test's
 * transaction, so rows share one created_at and the lists order them by their id: the keyset's
 * tie-breaker carries every page.
 */
async function world(db: TestDb): Promise<ListCase[]> {
  const tag = `pg${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const user = (handle?: string) => db.createUser(handle ? { handle } : {});
  const owner = await user();
  const viewer = await user();
  const [a1, a2, a3] = [await user(`${tag}a`), await user(`${tag}b`), await user(`${tag}c`)] as [
    string,
    string,
    string,
  ];
  const priv = await db.createUser({ visibility: "private" });
  const reporter = await user();
  const invitee = await user();
  const inboxOwner = await user();
  const other = await user();
  const [b1, b2, b3] = (await db.createUsers(3)) as [string, string, string];
  const newcomer = await user();
  const city = `City-${randomUUID()}`;

  await db.asSuperuser();
  const q = db.q;
  // the graph
  await q`insert into social.follows (follower_id, followee_id) values
    (${viewer}, ${owner}), (${a1}, ${owner}), (${a2}, ${owner}),
    (${viewer}, ${a1}), (${viewer}, ${a2}), (${viewer}, ${a3}),
    (${a1}, ${priv}), (${a2}, ${priv}), (${a3}, ${priv})`;
  await q`insert into social.blocks (blocker_id, blocked_id) values (${owner}, ${b1}), (${owner}, ${b2}), (${owner}, ${b3})`;
  await q`insert into social.mutes (muter_id, muted_id) values (${owner}, ${a1}), (${owner}, ${a2}), (${owner}, ${a3})`;
  // groups: three public clubs in one city, the viewer and a1, a2 members of all
  const groups: string[] = [];
  for (let i = 0; i < 3; i++) {
    groups.push(
      await insertOne(
        db,
        "insert into social.groups (kind, name, visibility, city, owner_id) values ('club', $1, 'public', $2, $3) returning id",
        [`Club ${i}`, city, owner],
      ),
    );
  }
  const [g1, g2] = groups as [string, string, string];
  const otherGroup = await insertOne(
    db,
    "insert into social.groups (kind, name, visibility, city, owner_id) values ('club', 'Elsewhere', 'public', 'Nowhere', $1) returning id",
    [other],
  );
  for (const g of groups) {
    await q`insert into social.group_members (group_id, user_id) values (${g}, ${viewer}), (${g}, ${a1}), (${g}, ${a2})`;
  }
  await q`insert into social.group_members (group_id, user_id, status) values (${g1}, ${a3}, 'pending')`;
  const invites: string[] = [];
  for (const u of [b1, b2, b3]) {
    invites.push(
      await insertOne(
        db,
        "insert into social.group_invites (group_id, inviter_id, invitee_id, expires_at) values ($1, $2, $3, now() + interval '1 day') returning id",
        [g1, owner, u],
      ),
    );
  }
  const received: string[] = [];
  for (const g of groups) {
    received.push(
      await insertOne(
        db,
        "insert into social.group_invites (group_id, inviter_id, invitee_id, expires_at) values ($1, $2, $3, now() + interval '1 day') returning id",
        [g, owner, invitee],
      ),
    );
  }
  const announcements: string[] = [];
  for (let i = 0; i < 3; i++) {
    announcements.push(
      await insertOne(
        db,
        "insert into social.announcements (group_id, author_id, title, pinned) values ($1, $2, $3, $4) returning id",
        [g1, owner, `News ${i}`, i === 0],
      ),
    );
  }
  // posts: the owner's public posts (home feed of the viewer, the owner's profile feed), a1's in g1
  const ownerPosts: string[] = [];
  for (let i = 0; i < 3; i++) {
    ownerPosts.push(
      await insertOne(
        db,
        "insert into social.posts (author_id, body, visibility) values ($1, $2, 'public') returning id",
        [owner, `post ${i}`],
      ),
    );
  }
  const groupPosts: string[] = [];
  for (let i = 0; i < 3; i++) {
    groupPosts.push(
      await insertOne(
        db,
        "insert into social.posts (author_id, body, visibility, group_id) values ($1, $2, 'group', $3) returning id",
        [a1, `group post ${i}`, g1],
      ),
    );
  }
  // comments, reactions and revisions go on posts outside the feeds walked here: they change a
  // post's hot score, which would move it in the top feeds while those are walked
  const [p1, p2] = [
    await insertOne(db, "insert into social.posts (author_id, body) values ($1, 'discussed') returning id", [other]),
    await insertOne(db, "insert into social.posts (author_id, body) values ($1, 'also discussed') returning id", [
      other,
    ]),
  ];
  const comments: string[] = [];
  for (const u of [a1, a2, a3]) {
    comments.push(
      await insertOne(
        db,
        "insert into social.comments (post_id, author_id, body) values ($1, $2, 'nice') returning id",
        [p1, u],
      ),
    );
  }
  const otherComment = await insertOne(
    db,
    "insert into social.comments (post_id, author_id, body) values ($1, $2, 'elsewhere') returning id",
    [p2, a1],
  );
  const c1 = comments[0]!;
  const replies: string[] = [];
  for (const u of [a2, a3, viewer]) {
    replies.push(
      await insertOne(
        db,
        "insert into social.comments (post_id, parent_id, author_id, body) values ($1, $2, $3, 'agreed') returning id",
        [p1, c1, u],
      ),
    );
  }
  await q`insert into social.reactions (post_id, user_id, kind) values
    (${p1}, ${a1}, 'like'), (${p1}, ${a1}, 'fire'), (${p1}, ${a2}, 'love'), (${p1}, ${a3}, 'like')`;
  const revisions: string[] = [];
  for (let i = 0; i < 3; i++) {
    revisions.push(
      await insertOne(
        db,
        "insert into social.post_revisions (post_id, body, edited_by) values ($1, $2, $3) returning id",
        [p1, `version ${i}`, owner],
      ),
    );
  }
  const reports: string[] = [];
  for (const u of [a2, a3, viewer]) {
    await db.as(u);
    const [r] = await db.q<{ id: string }[]>`select id from social.report('post', ${groupPosts[0]!}, 'spam')`;
    reports.push(r!.id);
  }
  const myReports: string[] = [];
  await db.as(reporter);
  for (const p of ownerPosts) {
    const [r] = await db.q<{ id: string }[]>`select id from social.report('post', ${p}, 'spam')`;
    myReports.push(r!.id);
  }
  await db.asSuperuser();
  const logEntries: string[] = [];
  for (const u of [a1, a2, a3]) {
    logEntries.push(
      await insertOne(
        db,
        "insert into social.moderation_log (actor_id, group_id, action, target_type, target_id, target_user_id) values ($1, $2, 'member_removed', 'user', $3, $3) returning id",
        [owner, g1, u],
      ),
    );
  }
  for (const u of [a1, a2, a3]) {
    await insertOne(
      db,
      "insert into social.notifications (recipient_id, kind, subject_id, actor_ids, actor_count) values ($1, 'new_follower', $2, array[$2::uuid], 1) returning id",
      [inboxOwner, u],
    );
  }

  /** The list's own order, from the tables (superuser). */
  const ordered = async (text: string, values: unknown[] = []) => {
    await db.asSuperuser();
    return (await db.q.unsafe<{ k: string }[]>(text, values as never[])).map((r) => r.k);
  };
  const latestPosts = (ids: string[]) =>
    ordered("select id::text as k from social.posts where id = any($1::uuid[]) order by created_at desc, id desc", [
      ids,
    ]);
  const topPosts = (ids: string[]) =>
    ordered(
      "select post_id::text as k from social.post_stats where post_id = any($1::uuid[]) order by hot_score desc, post_id desc",
      [ids],
    );
  const newPost = async (author: string, groupId: string | null) => {
    const id = await insertOne(
      db,
      "insert into social.posts (author_id, body, visibility, group_id) values ($1, 'new', $2, $3) returning id",
      [author, groupId ? "group" : "public", groupId],
    );
    // newer, and (with a reaction) hotter, than every post of the fixture
    await setTime(db, "posts", `id = '${id}'`, "created_at", LATER);
    await db.q`insert into social.reactions (post_id, user_id, kind) values (${id}, ${a2}, 'strong')`;
    return id;
  };
  const id = (r: Row) => String(r.id);
  const rpc =
    (text: string, ...args: unknown[]) =>
    (q: Tx, cursor: string | null, limit: number) =>
      q.unsafe(text, [...args, cursor, limit] as never[]).then(asRows);
  const scoped =
    (text: string, ...args: unknown[]) =>
    (q: Tx, cursor: string) =>
      q.unsafe(text, [...args, cursor] as never[]);

  const cases: ListCase[] = [];
  for (const order of ["latest", "top"] as const) {
    const sort = order === "latest" ? latestPosts : topPosts;
    cases.push(
      {
        name: `home_feed ${order}`,
        caller: viewer,
        page: rpc("select * from social.home_feed($1, $2, $3)", order),
        otherScope: { caller: a1, page: scoped("select * from social.home_feed($1, $2)", order) },
        key: id,
        // the people the viewer follows and the viewer's groups
        expected: await sort([...ownerPosts, ...groupPosts]),
        direction: "desc",
        arrive: () => newPost(owner, null),
      },
      {
        name: `group_feed ${order}`,
        caller: viewer,
        page: rpc("select * from social.group_feed($1, $2, $3, $4)", g1, order),
        otherScope: { caller: viewer, page: scoped("select * from social.group_feed($1, $2, $3)", g2, order) },
        key: id,
        expected: await sort(groupPosts),
        direction: "desc",
        arrive: () => newPost(a1, g1),
      },
      {
        name: `profile_feed ${order}`,
        caller: viewer,
        page: rpc("select * from social.profile_feed($1, $2, $3, $4)", owner, order),
        otherScope: { caller: viewer, page: scoped("select * from social.profile_feed($1, $2, $3)", a1, order) },
        key: id,
        expected: await sort(ownerPosts),
        direction: "desc",
        arrive: () => newPost(owner, null),
      },
    );
  }
  const searched = await ordered(
    `select p.id::text as k from social.profiles p where p.id = any($1::uuid[])
     order by (extensions.similarity(p.handle::text, $2) + extensions.similarity(p.display_name, $2))::double precision desc, p.id desc`,
    [[a1, a2, a3], tag],
  );
  const edgeTimes = (table: string, column: string) => (other: string, owner_: string, mine: string) =>
    setTime(db, table, `${column} = '${other}' and ${owner_} = '${mine}'`, "created_at", LATER);
  cases.push(
    {
      name: "search_profiles",
      caller: viewer,
      page: rpc("select * from social.search_profiles($1, $2, $3)", tag),
      otherScope: { caller: viewer, page: scoped("select * from social.search_profiles($1, $2)", `${tag}a`) },
      key: id,
      expected: searched,
      direction: "desc",
      // a match arriving in a list by relevance may land anywhere; one that matches nothing does not move it
      arrive: async () => {
        await user(`zz${randomUUID().slice(0, 8)}`);
        return "";
      },
    },
    {
      name: "list_followers",
      caller: viewer,
      page: rpc("select * from social.list_followers($1, $2, $3)", owner),
      otherScope: { caller: viewer, page: scoped("select * from social.list_followers($1, $2)", a1) },
      key: (r) => String(r.follower_id),
      expected: await ordered(
        "select follower_id::text as k from social.follows where followee_id = $1 order by created_at desc, follower_id desc",
        [owner],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.follows (follower_id, followee_id) values (${newcomer}, ${owner})`;
        await edgeTimes("follows", "follower_id")(newcomer, "followee_id", owner);
        return newcomer;
      },
    },
    {
      name: "list_following",
      caller: viewer,
      page: rpc("select * from social.list_following($1, $2, $3)", viewer),
      otherScope: { caller: viewer, page: scoped("select * from social.list_following($1, $2)", a1) },
      key: (r) => String(r.followee_id),
      expected: await ordered(
        "select followee_id::text as k from social.follows where follower_id = $1 order by created_at desc, followee_id desc",
        [viewer],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.follows (follower_id, followee_id) values (${viewer}, ${newcomer})`;
        await edgeTimes("follows", "followee_id")(newcomer, "follower_id", viewer);
        return newcomer;
      },
    },
    {
      name: "my_follow_requests",
      caller: priv,
      page: rpc("select * from social.my_follow_requests($1, $2)"),
      otherScope: { caller: owner, page: scoped("select * from social.my_follow_requests($1)") },
      key: (r) => String(r.follower_id),
      expected: await ordered(
        "select follower_id::text as k from social.follows where followee_id = $1 and status = 'pending' order by created_at desc, follower_id desc",
        [priv],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.follows (follower_id, followee_id) values (${newcomer}, ${priv})`;
        await edgeTimes("follows", "follower_id")(newcomer, "followee_id", priv);
        return newcomer;
      },
    },
    {
      name: "my_blocks",
      caller: owner,
      page: rpc("select * from social.my_blocks($1, $2)"),
      otherScope: { caller: viewer, page: scoped("select * from social.my_blocks($1)") },
      key: (r) => String(r.blocked_id),
      expected: await ordered(
        "select blocked_id::text as k from social.blocks where blocker_id = $1 order by created_at desc, blocked_id desc",
        [owner],
      ),
      direction: "desc",
      arrive: async () => {
        const someone = await user();
        await db.asSuperuser();
        await db.q`insert into social.blocks (blocker_id, blocked_id) values (${owner}, ${someone})`;
        await edgeTimes("blocks", "blocked_id")(someone, "blocker_id", owner);
        return someone;
      },
    },
    {
      name: "my_mutes",
      caller: owner,
      page: rpc("select * from social.my_mutes($1, $2)"),
      otherScope: { caller: viewer, page: scoped("select * from social.my_mutes($1)") },
      key: (r) => String(r.muted_id),
      expected: await ordered(
        "select muted_id::text as k from social.mutes where muter_id = $1 order by created_at desc, muted_id desc",
        [owner],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.mutes (muter_id, muted_id) values (${owner}, ${newcomer})`;
        await edgeTimes("mutes", "muted_id")(newcomer, "muter_id", owner);
        return newcomer;
      },
    },
    {
      name: "list_groups",
      caller: viewer,
      page: rpc("select * from social.list_groups(p_city => $1, p_cursor => $2, p_limit => $3)", city),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.list_groups(p_city => $1, p_kind => 'club', p_cursor => $2)", city),
      },
      key: id,
      expected: await ordered(
        "select id::text as k from social.groups where id = any($1::uuid[]) order by created_at desc, id desc",
        [groups],
      ),
      direction: "desc",
      arrive: async () => {
        const g = await insertOne(
          db,
          "insert into social.groups (kind, name, visibility, city, owner_id) values ('club', 'New club', 'public', $1, $2) returning id",
          [city, other],
        );
        await setTime(db, "groups", `id = '${g}'`, "created_at", LATER);
        return g;
      },
    },
    {
      name: "my_groups",
      caller: viewer,
      page: rpc("select * from social.my_groups($1, $2)"),
      otherScope: { caller: a1, page: scoped("select * from social.my_groups($1)") },
      key: id,
      expected: await ordered(
        "select group_id::text as k from social.group_members where user_id = $1 and status = 'active' order by created_at desc, group_id desc",
        [viewer],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.group_members (group_id, user_id) values (${otherGroup}, ${viewer})`;
        await setTime(db, "group_members", `group_id = '${otherGroup}' and user_id = '${viewer}'`, "created_at", LATER);
        return otherGroup;
      },
    },
    {
      name: "list_group_members",
      caller: viewer,
      page: rpc("select * from social.list_group_members($1, 'active', $2, $3)", g1),
      otherScope: { caller: owner, page: scoped("select * from social.list_group_members($1, 'pending', $2)", g1) },
      key: (r) => String(r.user_id),
      expected: await ordered(
        "select user_id::text as k from social.group_members where group_id = $1 and status = 'active' order by created_at desc, user_id desc",
        [g1],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.group_members (group_id, user_id) values (${g1}, ${newcomer})`;
        await setTime(db, "group_members", `group_id = '${g1}' and user_id = '${newcomer}'`, "created_at", LATER);
        return newcomer;
      },
    },
    {
      name: "list_group_invites",
      caller: owner,
      page: rpc("select * from social.list_group_invites($1, $2, $3)", g1),
      otherScope: { caller: owner, page: scoped("select * from social.list_group_invites($1, $2)", g2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.group_invites where group_id = $1 order by created_at desc, id desc",
        [g1],
      ),
      direction: "desc",
      arrive: async () => {
        const i = await insertOne(
          db,
          "insert into social.group_invites (group_id, inviter_id, invitee_id, expires_at) values ($1, $2, $3, now() + interval '1 day') returning id",
          [g1, owner, other],
        );
        await setTime(db, "group_invites", `id = '${i}'`, "created_at", LATER);
        return i;
      },
    },
    {
      name: "my_group_invites",
      caller: invitee,
      page: rpc("select * from social.my_group_invites($1, $2)"),
      otherScope: { caller: b1, page: scoped("select * from social.my_group_invites($1)") },
      key: id,
      expected: await ordered(
        "select id::text as k from social.group_invites where invitee_id = $1 order by created_at desc, id desc",
        [invitee],
      ),
      direction: "desc",
      arrive: async () => {
        const i = await insertOne(
          db,
          "insert into social.group_invites (group_id, inviter_id, invitee_id, expires_at) values ($1, $2, $3, now() + interval '1 day') returning id",
          [otherGroup, other, invitee],
        );
        await setTime(db, "group_invites", `id = '${i}'`, "created_at", LATER);
        return i;
      },
    },
    {
      name: "list_announcements",
      caller: viewer,
      page: rpc("select * from social.list_announcements($1, $2, $3)", g1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_announcements($1, $2)", g2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.announcements where group_id = $1 order by pinned desc, created_at desc, id desc",
        [g1],
      ),
      direction: "desc",
      arrive: async () => {
        // a new pinned announcement: first of all
        const a = await insertOne(
          db,
          "insert into social.announcements (group_id, author_id, title, pinned) values ($1, $2, 'Breaking', true) returning id",
          [g1, owner],
        );
        await setTime(db, "announcements", `id = '${a}'`, "created_at", LATER);
        return a;
      },
    },
    {
      name: "my_announcements",
      caller: viewer,
      page: rpc("select * from social.my_announcements(false, $1, $2)"),
      otherScope: { caller: viewer, page: scoped("select * from social.my_announcements(true, $1)") },
      key: id,
      expected: await ordered(
        "select id::text as k from social.announcements where group_id = any($1::uuid[]) order by pinned desc, created_at desc, id desc",
        [groups],
      ),
      direction: "desc",
      arrive: async () => {
        const a = await insertOne(
          db,
          "insert into social.announcements (group_id, author_id, title, pinned) values ($1, $2, 'Also new', true) returning id",
          [g2, owner],
        );
        await setTime(db, "announcements", `id = '${a}'`, "created_at", LATER);
        return a;
      },
    },
    {
      name: "list_comments",
      caller: viewer,
      page: rpc("select * from social.list_comments($1, $2, $3)", p1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_comments($1, $2)", p2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.comments where post_id = $1 and parent_id is null order by created_at, id",
        [p1],
      ),
      direction: "asc",
      arrive: async () => {
        const c = await insertOne(
          db,
          "insert into social.comments (post_id, author_id, body) values ($1, $2, 'late') returning id",
          [p1, newcomer],
        );
        await setTime(db, "comments", `id = '${c}'`, "created_at", LATER);
        return c;
      },
    },
    {
      name: "list_replies",
      caller: viewer,
      page: rpc("select * from social.list_replies($1, $2, $3)", c1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_replies($1, $2)", otherComment) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.comments where parent_id = $1 order by created_at, id",
        [c1],
      ),
      direction: "asc",
      arrive: async () => {
        const c = await insertOne(
          db,
          "insert into social.comments (post_id, parent_id, author_id, body) values ($1, $2, $3, 'late') returning id",
          [p1, c1, newcomer],
        );
        await setTime(db, "comments", `id = '${c}'`, "created_at", LATER);
        return c;
      },
    },
    {
      name: "list_reactions",
      caller: viewer,
      page: rpc("select * from social.list_reactions($1, null, $2, $3)", p1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_reactions($1, 'like', $2)", p1) },
      key: (r) => `${r.user_id}:${r.kind}`,
      expected: await ordered(
        "select user_id || ':' || kind as k from social.reactions where post_id = $1 order by created_at desc, user_id desc, kind desc",
        [p1],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.reactions (post_id, user_id, kind) values (${p1}, ${newcomer}, 'strong')`;
        await setTime(db, "reactions", `post_id = '${p1}' and user_id = '${newcomer}'`, "created_at", LATER);
        return `${newcomer}:strong`;
      },
    },
    {
      name: "list_post_revisions",
      caller: viewer,
      page: rpc("select * from social.list_post_revisions($1, $2, $3)", p1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_post_revisions($1, $2)", p2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.post_revisions where post_id = $1 order by created_at desc, id desc",
        [p1],
      ),
      direction: "desc",
      arrive: async () => {
        const r = await insertOne(
          db,
          "insert into social.post_revisions (post_id, body, edited_by) values ($1, 'newer', $2) returning id",
          [p1, owner],
        );
        await setTime(db, "post_revisions", `id = '${r}'`, "created_at", LATER);
        return r;
      },
    },
    {
      name: "list_reports",
      caller: owner,
      page: rpc("select * from social.list_reports($1, 'open', $2, $3)", g1),
      otherScope: { caller: owner, page: scoped("select * from social.list_reports($1, null, $2)", g1) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.reports where group_id = $1 and status = 'open' order by created_at desc, id desc",
        [g1],
      ),
      direction: "desc",
      arrive: async () => {
        await db.as(newcomer);
        const [r] = await db.q<{ id: string }[]>`select id from social.report('post', ${groupPosts[1]!}, 'spam')`;
        await setTime(db, "reports", `id = '${r!.id}'`, "created_at", LATER);
        return r!.id;
      },
    },
    {
      name: "my_reports",
      caller: reporter,
      page: rpc("select * from social.my_reports($1, $2)"),
      otherScope: { caller: a1, page: scoped("select * from social.my_reports($1)") },
      key: id,
      expected: await ordered(
        "select id::text as k from social.reports where reporter_id = $1 order by created_at desc, id desc",
        [reporter],
      ),
      direction: "desc",
      arrive: async () => {
        await db.as(reporter);
        const [r] = await db.q<{ id: string }[]>`select id from social.report('profile', ${a1}, 'spam')`;
        await setTime(db, "reports", `id = '${r!.id}'`, "created_at", LATER);
        return r!.id;
      },
    },
    {
      name: "list_moderation_log",
      caller: owner,
      page: rpc("select * from social.list_moderation_log($1, $2, $3)", g1),
      otherScope: { caller: owner, page: scoped("select * from social.list_moderation_log($1, $2)", g2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.moderation_log where group_id = $1 order by created_at desc, id desc",
        [g1],
      ),
      direction: "desc",
      arrive: async () =>
        insertOne(
          db,
          `insert into social.moderation_log (actor_id, group_id, action, target_type, target_id, created_at)
           values ($1, $2, 'post_removed', 'post', $3, ${LATER}) returning id`,
          [owner, g1, p1],
        ),
    },
    {
      name: "list_notifications",
      caller: inboxOwner,
      page: rpc("select * from social.list_notifications($1, $2, false)"),
      otherScope: {
        caller: inboxOwner,
        page: scoped("select * from social.list_notifications($1, p_unread_only => true)"),
      },
      key: id,
      expected: await ordered(
        "select id::text as k from social.notifications where recipient_id = $1 order by occurred_at desc, id desc",
        [inboxOwner],
      ),
      direction: "desc",
      arrive: async () =>
        insertOne(
          db,
          `insert into social.notifications (recipient_id, kind, subject_id, actor_ids, actor_count, occurred_at)
           values ($1, 'new_follower', $2, array[$2::uuid], 1, ${LATER}) returning id`,
          [inboxOwner, newcomer],
        ),
    },
  );

  // gamification: three workouts of `other` (with the points and badges they earn), a leaderboard
  // of three users with an interest of their own, and a stored board of theirs
  for (let i = 0; i < 3; i++) {
    await insertOne(db, "insert into social.activities (user_id, kind) values ($1, 'workout_completed') returning id", [
      other,
    ]);
  }
  await db.asSuperuser();
  await q`update social.profiles set leaderboard_opt_in = true where id in (${a1}, ${a2}, ${a3}, ${newcomer})`;
  await q`update social.profile_details set interests = array[${tag}] where profile_id in (${a1}, ${a2}, ${a3}, ${newcomer})`;
  for (const [u, points] of [
    [a1, 30],
    [a2, 20],
    [a3, 20],
  ] as const) {
    await q`insert into social.point_ledger (user_id, delta, reason) values (${u}, ${points}, 'adjustment')`;
  }
  const snapshot = (u: string, rank: number) =>
    q`insert into social.leaderboard_snapshots
        (scope, scope_key, metric, period, timezone, period_start, period_end, user_id, rank, score)
      values ('interest', ${tag}, 'points', 'week', 'UTC', '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z',
              ${u}, ${rank}, ${100 - rank})`;
  await snapshot(a1, 1);
  await snapshot(a2, 2);
  await snapshot(a3, 2);
  const boardOrder = () =>
    ordered(
      `select l.user_id::text as k from social.point_ledger l
       where l.user_id = any($1::uuid[]) and l.delta > 0 and l.reason <> 'refund'
         and l.occurred_at >= date_trunc('week', now() at time zone 'UTC') at time zone 'UTC'
       group by l.user_id order by sum(l.delta) desc, l.user_id`,
      [[a1, a2, a3]],
    );
  cases.push(
    {
      name: "my_activities",
      caller: other,
      page: rpc("select * from social.my_activities('workout_completed', $1, $2)"),
      otherScope: { caller: other, page: scoped("select * from social.my_activities('nutrition_logged', $1)") },
      key: id,
      expected: await ordered(
        `select id::text as k from social.activities where user_id = $1 and kind = 'workout_completed'
         order by occurred_at desc, id desc`,
        [other],
      ),
      direction: "desc",
      arrive: () =>
        insertOne(
          db,
          `insert into social.activities (user_id, kind, occurred_at) values ($1, 'workout_completed', ${LATER}) returning id`,
          [other],
        ),
    },
    {
      name: "my_point_ledger",
      caller: other,
      page: rpc("select * from social.my_point_ledger($1, $2)"),
      otherScope: { caller: inboxOwner, page: scoped("select * from social.my_point_ledger($1)") },
      key: id,
      expected: await ordered("select id::text as k from social.point_ledger where user_id = $1 order by id desc", [
        other,
      ]),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        const [row] = await db.q<{ id: string }[]>`
          insert into social.point_ledger (user_id, delta, reason) values (${other}, 1, 'adjustment') returning id::text`;
        return row!.id;
      },
    },
    {
      name: "leaderboard",
      caller: viewer,
      page: rpc("select * from social.leaderboard('interest', $1, 'week', 'points', null, null, null, $2, $3)", tag),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.leaderboard('interest', $1, 'month', 'points', null, null, null, $2)", tag),
      },
      key: (r) => String(r.user_id),
      expected: await boardOrder(),
      direction: "desc",
      // a new top scorer ranks above the first page
      arrive: async () => {
        await db.asSuperuser();
        await db.q`insert into social.point_ledger (user_id, delta, reason) values (${newcomer}, 1000, 'adjustment')`;
        return newcomer;
      },
    },
    {
      name: "leaderboard_snapshot",
      caller: viewer,
      page: rpc(
        "select * from social.leaderboard_snapshot('interest', $1, 'week', 'points', null, null, '2026-03-04T12:00:00Z', $2, $3)",
        tag,
      ),
      otherScope: {
        caller: viewer,
        page: scoped(
          "select * from social.leaderboard_snapshot('interest', $1, 'week', 'points', 'Asia/Tokyo', null, '2026-03-04T12:00:00Z', $2)",
          tag,
        ),
      },
      key: (r) => String(r.user_id),
      expected: await ordered(
        `select user_id::text as k from social.leaderboard_snapshots where scope_key = $1 order by rank, user_id`,
        [tag],
      ),
      direction: "asc",
      // a stored board ranks by rank: one stored below the others comes last
      arrive: async () => {
        await db.asSuperuser();
        await snapshot(newcomer, 9);
        return newcomer;
      },
    },
  );

  // trips: three trips of the owner with the viewer a member (and a1, a2 in the first), open
  // invites to the invitee, share links, comments on an item, destinations in a box of their own
  const lat = 10 + Math.floor(Math.random() * 60);
  const trip = async (title: string, at: string | null = null) => {
    const t = await insertOne(
      db,
      "insert into social.trips (owner_id, title, destination_lat, destination_lng, visibility) values ($1, $2, $3, 5, 'private') returning id",
      [owner, title, lat + 0.5],
    );
    await q`insert into social.trip_members (trip_id, user_id, role) values (${t}, ${owner}, 'owner'), (${t}, ${viewer}, 'viewer')`;
    if (at) {
      await setTime(db, "trips", `id = '${t}'`, "created_at", at);
      await setTime(db, "trip_members", `trip_id = '${t}'`, "created_at", at);
    }
    return t;
  };
  const trips = [await trip("Trip 0"), await trip("Trip 1"), await trip("Trip 2")] as [string, string, string];
  await q`insert into social.trip_members (trip_id, user_id, role) values (${trips[0]}, ${a1}, 'editor'), (${trips[0]}, ${a2}, 'viewer')`;
  for (const t of trips) {
    await q`insert into social.trip_invites (trip_id, inviter_id, invitee_id) values (${t}, ${owner}, ${invitee})`;
    await q`insert into social.trip_share_links (trip_id, created_by, token_hash, expires_at)
            values (${t}, ${owner}, extensions.gen_random_bytes(32), now() + interval '1 day')`;
  }
  await q`insert into social.trip_share_links (trip_id, created_by, token_hash, expires_at)
          select ${trips[0]}, ${owner}, extensions.gen_random_bytes(32), now() + interval '1 day' from generate_series(1, 2)`;
  const day = await insertOne(db, "insert into social.trip_days (trip_id, position) values ($1, 'V') returning id", [
    trips[0],
  ]);
  const [item1, item2] = [
    await insertOne(
      db,
      "insert into social.trip_items (trip_id, day_id, position, title) values ($1, $2, 'V', 'Castle') returning id",
      [trips[0], day],
    ),
    await insertOne(
      db,
      "insert into social.trip_items (trip_id, day_id, position, title) values ($1, $2, 'k', 'Beach') returning id",
      [trips[0], day],
    ),
  ];
  for (const u of [a1, a2, viewer]) {
    await q`insert into social.trip_item_comments (trip_id, item_id, author_id, body) values (${trips[0]}, ${item1}, ${u}, 'yes')`;
  }
  await q`insert into social.trip_item_comments (trip_id, item_id, author_id, body) values (${trips[0]}, ${item2}, ${a1}, 'no')`;
  const tripsOrdered = (ids: string[]) =>
    ordered("select id::text as k from social.trips where id = any($1::uuid[]) order by created_at desc, id desc", [
      ids,
    ]);
  cases.push(
    {
      name: "my_trips",
      caller: viewer,
      page: rpc("select * from social.my_trips('member', $1, $2)"),
      otherScope: { caller: a1, page: scoped("select * from social.my_trips('member', $1)") },
      key: id,
      expected: await tripsOrdered(trips),
      direction: "desc",
      arrive: () => trip("Trip later", LATER),
    },
    {
      name: "list_trip_members",
      caller: viewer,
      page: rpc("select * from social.list_trip_members($1, $2, $3)", trips[0]),
      otherScope: { caller: viewer, page: scoped("select * from social.list_trip_members($1, $2)", trips[1]) },
      key: (r) => String(r.user_id),
      expected: await ordered(
        "select user_id::text as k from social.trip_members where trip_id = $1 order by created_at, user_id",
        [trips[0]],
      ),
      direction: "asc",
      arrive: async () => {
        await db.asSuperuser();
        await q`insert into social.trip_members (trip_id, user_id, role) values (${trips[0]}, ${newcomer}, 'viewer')`;
        await setTime(db, "trip_members", `user_id = '${newcomer}' and trip_id = '${trips[0]}'`, "created_at", LATER);
        return newcomer;
      },
    },
    {
      name: "my_trip_invites",
      caller: invitee,
      page: rpc("select * from social.my_trip_invites($1, $2)"),
      otherScope: { caller: a1, page: scoped("select * from social.my_trip_invites($1)") },
      key: id,
      expected: await ordered(
        "select id::text as k from social.trip_invites where invitee_id = $1 order by created_at desc, id desc",
        [invitee],
      ),
      direction: "desc",
      arrive: async () => {
        // a trip the viewer is not on (their my_trips stays as it was)
        const t = await insertOne(
          db,
          "insert into social.trips (owner_id, title) values ($1, 'Trip invited later') returning id",
          [owner],
        );
        const i = await insertOne(
          db,
          "insert into social.trip_invites (trip_id, inviter_id, invitee_id) values ($1, $2, $3) returning id",
          [t, owner, invitee],
        );
        await setTime(db, "trip_invites", `id = '${i}'`, "created_at", LATER);
        return i;
      },
    },
    {
      name: "list_trip_share_links",
      caller: owner,
      page: rpc("select * from social.list_trip_share_links($1, $2, $3)", trips[0]),
      otherScope: { caller: owner, page: scoped("select * from social.list_trip_share_links($1, $2)", trips[1]) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.trip_share_links where trip_id = $1 order by created_at desc, id desc",
        [trips[0]],
      ),
      direction: "desc",
      arrive: async () => {
        const l = await insertOne(
          db,
          "insert into social.trip_share_links (trip_id, created_by, token_hash, expires_at) values ($1, $2, extensions.gen_random_bytes(32), now() + interval '1 day') returning id",
          [trips[0], owner],
        );
        await setTime(db, "trip_share_links", `id = '${l}'`, "created_at", LATER);
        return l;
      },
    },
    {
      name: "list_trip_item_comments",
      caller: viewer,
      page: rpc("select * from social.list_trip_item_comments($1, $2, $3)", item1),
      otherScope: { caller: viewer, page: scoped("select * from social.list_trip_item_comments($1, $2)", item2) },
      key: id,
      expected: await ordered(
        "select id::text as k from social.trip_item_comments where item_id = $1 order by created_at, id",
        [item1],
      ),
      direction: "asc",
      arrive: async () => {
        const c = await insertOne(
          db,
          "insert into social.trip_item_comments (trip_id, item_id, author_id, body) values ($1, $2, $3, 'late') returning id",
          [trips[0], item1, a2],
        );
        await setTime(db, "trip_item_comments", `id = '${c}'`, "created_at", LATER);
        return c;
      },
    },
    {
      name: "trip_map",
      caller: viewer,
      page: rpc("select * from social.trip_map($1, 4, $2, 6, null, null, $3, $4)", lat, lat + 1),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.trip_map($1, 4, $2, 6, null, null, $3)", lat, lat + 2),
      },
      key: id,
      expected: await tripsOrdered(trips),
      direction: "desc",
      arrive: () => trip("Trip mapped later", LATER),
    },
  );

  // events: three published events of the owner at one point (nearby) and three at another (the
  // box), one more of the owner with three people going and three waiting (attendees, waitlist);
  // the owner's my_events holds all seven. Arrivals come from a3, except my_events' own.
  const here = { lat: -55 + Math.random() * 5, lng: -120 + Math.random() * 10 };
  const there = { lat: here.lat + 3, lng: here.lng };
  const event = (
    organizer: string,
    hours: number,
    at: { lat: number; lng: number } | null,
    capacity: number | null = null,
  ) =>
    insertOne(
      db,
      `insert into social.events (organizer_id, title, starts_at, ends_at, latitude, longitude, capacity, status, published_at)
       values ($1, 'Event', now() + make_interval(hours => $2), now() + make_interval(hours => $2 + 2), $3, $4, $5,
               'published', now()) returning id`,
      [organizer, hours, at?.lat ?? null, at?.lng ?? null, capacity],
    );
  const nearEvents = [await event(owner, 10, here), await event(owner, 20, here), await event(owner, 30, here)];
  const boxEvents = [await event(owner, 12, there), await event(owner, 22, there), await event(owner, 32, there)];
  const full = await event(owner, 40, null, 3);
  await q`insert into social.event_rsvps (event_id, user_id, status, confirmed_at)
          values (${full}, ${a1}, 'going', now()), (${full}, ${a2}, 'going', now()), (${full}, ${a3}, 'going', now())`;
  await q`insert into social.event_rsvps (event_id, user_id, status, waitlist_seq) values
          (${full}, ${reporter}, 'going', 1), (${full}, ${invitee}, 'going', 2), (${full}, ${inboxOwner}, 'going', 3)`;
  await q`update social.events set next_arrival = 3 where id = ${full}`;
  const byStart = (ids: string[]) =>
    ordered("select id::text as k from social.events where id = any($1::uuid[]) order by starts_at, id", [ids]);
  const box = (at: { lat: number; lng: number }, d: number) => [at.lat - d, at.lng - d, at.lat + d, at.lng + d];
  cases.push(
    {
      name: "nearby_events",
      caller: viewer,
      page: rpc("select * from social.nearby_events($1, $2, 5, null, null, null, $3, $4)", here.lat, here.lng),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.nearby_events($1, $2, 6, null, null, null, $3)", here.lat, here.lng),
      },
      key: id,
      expected: await byStart(nearEvents),
      direction: "asc",
      arrive: () => event(a3, 50, here),
    },
    {
      name: "events_in_box",
      caller: viewer,
      page: rpc("select * from social.events_in_box($1, $2, $3, $4, null, null, null, $5, $6)", ...box(there, 0.01)),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.events_in_box($1, $2, $3, $4, null, null, null, $5)", ...box(there, 0.02)),
      },
      key: id,
      expected: await byStart(boxEvents),
      direction: "asc",
      arrive: () => event(a3, 50, there),
    },
    {
      name: "my_events",
      caller: owner,
      page: rpc("select * from social.my_events(null, $1, $2)"),
      otherScope: { caller: a1, page: scoped("select * from social.my_events(null, $1)") },
      key: id,
      expected: await byStart([...nearEvents, ...boxEvents, full]),
      direction: "asc",
      arrive: () => event(owner, 100, null),
    },
    {
      name: "list_event_attendees",
      caller: viewer,
      page: rpc("select * from social.list_event_attendees($1, 'going', $2, $3)", full),
      otherScope: {
        caller: viewer,
        page: scoped("select * from social.list_event_attendees($1, 'interested', $2)", full),
      },
      key: (r) => String(r.user_id),
      expected: await ordered(
        `select user_id::text as k from social.event_rsvps
         where event_id = $1 and status = 'going' and waitlist_seq is null order by created_at desc, user_id desc`,
        [full],
      ),
      direction: "desc",
      arrive: async () => {
        await db.asSuperuser();
        await q`insert into social.event_rsvps (event_id, user_id, status, confirmed_at) values (${full}, ${newcomer}, 'going', now())`;
        await setTime(db, "event_rsvps", `event_id = '${full}' and user_id = '${newcomer}'`, "created_at", LATER);
        return newcomer;
      },
    },
    {
      name: "list_event_waitlist",
      caller: owner,
      page: rpc("select * from social.list_event_waitlist($1, $2, $3)", full),
      otherScope: { caller: owner, page: scoped("select * from social.list_event_waitlist($1, $2)", nearEvents[0]) },
      key: (r) => String(r.user_id),
      expected: [reporter, invitee, inboxOwner],
      direction: "asc",
      arrive: async () => {
        await db.asSuperuser();
        await q`insert into social.event_rsvps (event_id, user_id, status, waitlist_seq) values (${full}, ${other}, 'going', 4)`;
        await q`update social.events set next_arrival = 4 where id = ${full}`;
        return other;
      },
    },
  );
  return cases;
}

/** The page of `list` for `cursor`, as its caller. */
async function pageOf(db: TestDb, list: ListCase, cursor: string | null, limit: number): Promise<Row[]> {
  await db.as(list.caller);
  return list.page(db.q, cursor, limit);
}

/** Walk a list from `cursor` to its end; checks the row contract on every page. */
async function walk(db: TestDb, list: ListCase, cursor: string | null, limit: number): Promise<string[]> {
  const seen: string[] = [];
  for (let n = 0; n < 50; n++) {
    const rows = await pageOf(db, list, cursor, limit);
    expect(rows.length, list.name).toBeLessThanOrEqual(limit);
    // every row of a page carries the same next_cursor
    expect(new Set(rows.map((r) => r.next_cursor)).size, list.name).toBeLessThanOrEqual(1);
    seen.push(...rows.map(list.key));
    const next = rows[0]?.next_cursor ?? null;
    if (next === null) return seen;
    expect(rows, `${list.name}: a page with a next cursor is full`).toHaveLength(limit);
    cursor = next;
  }
  throw new Error(`${list.name} did not end`);
}

/** The SQLSTATE and code a call fails with. */
async function failure(
  db: TestDb,
  caller: string,
  fn: (q: Tx) => Promise<unknown>,
): Promise<[string, string | undefined]> {
  await db.as(caller);
  const err = await db.error(fn);
  return [err.code, err.hint];
}

const INVALID_CURSOR: [string, string] = ["22023", "invalid_cursor"];

describe("every list pages by one contract", () => {
  it("walks every list without gaps or repeats, also while new rows arrive", async () => {
    await withDb(async (db) => {
      const lists = await world(db);
      expect(lists.length).toBe(42);
      for (const list of lists) {
        expect(list.expected.length, `${list.name}: the fixture puts at least 3 items on it`).toBeGreaterThanOrEqual(3);
        // one page holds the whole list and says it is the last
        const whole = await pageOf(db, list, null, 50);
        expect(whole.map(list.key), list.name).toEqual(list.expected);
        expect(
          whole.every((r) => r.next_cursor === null),
          list.name,
        ).toBe(true);
        // pages of 2 and of 1 give the same items in the same order
        expect(await walk(db, list, null, 2), list.name).toEqual(list.expected);
        expect(await walk(db, list, null, 1), list.name).toEqual(list.expected);
      }
      // take the first page of every list, then add an item to every list, then go on
      const firstPages = new Map<string, Row[]>();
      for (const list of lists) firstPages.set(list.name, await pageOf(db, list, null, 2));
      const arrived = new Map<string, string>();
      for (const list of lists) arrived.set(list.name, await list.arrive());
      for (const list of lists) {
        const first = firstPages.get(list.name)!;
        const rest = await walk(db, list, first[0]!.next_cursor, 2);
        const seen = [...first.map(list.key), ...rest];
        // newest-first lists: the new item is above the first page, and nothing shifts or repeats;
        // oldest-first lists: it comes at the end
        const expected = list.direction === "desc" ? list.expected : [...list.expected, arrived.get(list.name)!];
        expect(seen, list.name).toEqual(expected);
        expect(new Set(seen).size, list.name).toBe(seen.length);
        if (list.direction === "desc" && list.name !== "search_profiles") {
          // and a fresh walk shows it before the items that were there
          const fresh = (await pageOf(db, list, null, 50)).map(list.key);
          const at = fresh.indexOf(arrived.get(list.name)!);
          expect(at, list.name).toBeGreaterThanOrEqual(0);
          expect(at, list.name).toBeLessThan(fresh.indexOf(list.expected[0]!));
        }
      }
    });
  });

  it("a cursor of another list, another order or another scope is invalid_cursor", async () => {
    await withDb(async (db) => {
      const lists = await world(db);
      const cursors = new Map<string, string>();
      for (const list of lists) {
        const [row] = await pageOf(db, list, null, 1);
        expect(row?.next_cursor, list.name).toMatch(/^[A-Za-z0-9_-]+$/);
        cursors.set(list.name, row!.next_cursor!);
      }
      for (const list of lists) {
        // its own cursor works
        expect((await pageOf(db, list, cursors.get(list.name)!, 50)).map(list.key), list.name).toEqual(
          list.expected.slice(1),
        );
        // the same list for another group, user, post, filter or caller refuses it
        expect(
          await failure(db, list.otherScope.caller, (q) => list.otherScope.page(q, cursors.get(list.name)!)),
          `${list.name}: another scope`,
        ).toEqual(INVALID_CURSOR);
        // every other list (and the other order of a feed) refuses it
        for (const other of lists) {
          if (other === list) continue;
          expect(
            await failure(db, other.caller, (q) => other.page(q, cursors.get(list.name)!, 2)),
            `${list.name}'s cursor given to ${other.name}`,
          ).toEqual(INVALID_CURSOR);
        }
      }
    });
  });

  it("a changed, cut, lengthened, forged or foreign cursor is invalid_cursor, never a 500", async () => {
    await withDb(async (db) => {
      const lists = await world(db);
      for (const list of lists) {
        const [row] = await pageOf(db, list, null, 1);
        const cursor = row!.next_cursor!;
        // the text inside, re-encoded without the signature
        const raw = Buffer.from(cursor, "base64url");
        const unsigned = raw.subarray(0, raw.length - 16);
        const body = unsigned.toString("utf8");
        const forged = Buffer.concat([Buffer.from(body.replace(/\|[^|]*$/, `|${randomUUID()}`)), raw.subarray(-16)]);
        const bad = [
          "",
          "garbage",
          "!!!",
          "a".repeat(600),
          cursor.slice(0, -1),
          `${cursor}A`,
          `${cursor}=`,
          unsigned.toString("base64url"),
          Buffer.concat([unsigned, Buffer.alloc(16)]).toString("base64url"),
          forged.toString("base64url"),
          Buffer.from("not|a|cursor|at|all|0123456789abcdef").toString("base64url"),
        ];
        // a character changed: anywhere in the first list's cursor, at both ends and the middle in
        // the others'
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const n = cursor.length;
        const positions = list === lists[0] ? [...Array(n).keys()] : [0, 1, n >> 1, n - 2, n - 1];
        for (const i of positions) {
          const c = cursor[i]!;
          const swap = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
          bad.push(cursor.slice(0, i) + swap + cursor.slice(i + 1));
        }
        for (const b of bad) {
          expect(
            await failure(db, list.caller, (q) => list.page(q, b, 2)),
            `${list.name}: ${JSON.stringify(b.slice(0, 40))}`,
          ).toEqual(INVALID_CURSOR);
        }
        expect(body.startsWith(`${list.name.split(" ")[0]}|`), `${list.name}: the cursor names its list`).toBe(true);
      }
    });
  });

  it("a cursor made before the signing key changed is invalid_cursor; the first page still works", async () => {
    await withDb(async (db) => {
      const [list] = await world(db);
      const [row] = await pageOf(db, list!, null, 1);
      await db.asSuperuser();
      await db.q`update social_private.cursor_secret set secret = extensions.gen_random_bytes(32)`;
      expect(await failure(db, list!.caller, (q) => list!.page(q, row!.next_cursor, 2))).toEqual(INVALID_CURSOR);
      expect((await pageOf(db, list!, null, 50)).map(list!.key)).toEqual(list!.expected);
    });
  });

  it("no role reads the signing key", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      for (const who of ["anon", "authenticated", "service_role"] as const) {
        if (who === "anon") await db.asAnon();
        else if (who === "service_role") await db.asService();
        else await db.as(me);
        const err = await db.error((q) => q`select secret from social_private.cursor_secret`);
        expect(err.code, `as ${who}`).toBe("42501");
      }
    });
  });
});

describe("one page size", () => {
  it("caps p_limit to 50 (and below 1 to 1, null to 20) on every kind of list", async () => {
    await withDb(async (db) => {
      const [author, reader] = (await db.createUsers(2)) as [string, string];
      await db.asSuperuser();
      const [post] = await db.q<{ id: string }[]>`
        insert into social.posts (author_id, body) values (${author}, 'edited a lot') returning id`;
      await db.q`
        insert into social.post_revisions (post_id, body, edited_by)
        select ${post!.id}, 'v' || i, ${author} from generate_series(1, 55) i`;
      await db.q`
        insert into social.comments (post_id, author_id, body)
        select ${post!.id}, ${author}, 'c' || i from generate_series(1, 55) i`;
      await db.q`
        insert into social.notifications (recipient_id, kind, subject_id)
        select ${reader}, 'reaction', gen_random_uuid() from generate_series(1, 55)`;
      await db.as(reader);
      const calls: [string, (limit: number | null) => Promise<Row[]>][] = [
        ["list_post_revisions", (l) => db.q<Row[]>`select * from social.list_post_revisions(${post!.id}, null, ${l})`],
        ["list_comments", (l) => db.q<Row[]>`select * from social.list_comments(${post!.id}, null, ${l})`],
        ["list_notifications", (l) => db.q<Row[]>`select * from social.list_notifications(null, ${l})`],
      ];
      for (const [name, call] of calls) {
        const capped = await call(500);
        expect(capped.length, name).toBe(50);
        expect(capped[0]!.next_cursor, `${name}: the rest is on the next page`).not.toBeNull();
        expect((await call(0)).length, name).toBe(1);
        expect((await call(-5)).length, name).toBe(1);
        expect((await call(null)).length, name).toBe(20);
        expect((await call(50)).length, name).toBe(50);
      }
    });
  });
});

describe("the shape of every list RPC", () => {
  it("takes p_cursor and p_limit last, returns next_cursor, and no RPC takes p_before or an offset", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      // the functions that return rows
      const fns = await db.q<{ name: string; args: string[] | null; modes: string[] | null; outs: string[] }[]>`
        select p.proname as name, p.proargnames as args, p.proargmodes::text[] as modes,
               coalesce((select array_agg(a.n) from unnest(p.proargnames, p.proargmodes::text[]) a(n, m)
                         where a.m = 't'), '{}') as outs
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'social' and p.proretset`;
      const inputs = (f: (typeof fns)[number]) =>
        (f.args ?? []).filter((_, i) => f.modes === null || f.modes[i] === "i");
      const lists = fns.filter((f) => f.outs.includes("next_cursor") && f.name !== "get_post").map((f) => f.name);
      expect(lists.sort()).toEqual(
        [
          "events_in_box",
          "group_feed",
          "home_feed",
          "leaderboard",
          "leaderboard_snapshot",
          "list_announcements",
          "list_comments",
          "list_event_attendees",
          "list_event_waitlist",
          "list_conversation_members",
          "list_conversations",
          "list_followers",
          "list_following",
          "list_group_invites",
          "list_group_members",
          "list_groups",
          "list_messages",
          "list_moderation_log",
          "list_notifications",
          "list_post_revisions",
          "list_reactions",
          "list_replies",
          "list_reports",
          "my_activities",
          "my_announcements",
          "my_blocks",
          "my_events",
          "my_follow_requests",
          "my_group_invites",
          "my_groups",
          "my_mutes",
          "my_point_ledger",
          "my_reports",
          "my_trip_invites",
          "my_trips",
          "list_trip_item_comments",
          "list_trip_members",
          "list_trip_share_links",
          "nearby_events",
          "profile_feed",
          "search_profiles",
          "trip_map",
        ].sort(),
      );
      for (const f of fns) {
        const args = inputs(f);
        expect(
          args.filter((a) => /^p_(before|after|offset|page)/.test(a)),
          `${f.name} has no client keyset or offset arguments`,
        ).toEqual([]);
        if (lists.includes(f.name) || args.includes("p_cursor")) {
          // a list: p_cursor then p_limit (p_unread_only of list_notifications may follow)
          const at = args.indexOf("p_cursor");
          expect(at, `${f.name} takes p_cursor`).toBeGreaterThanOrEqual(0);
          expect(args[at + 1], `${f.name} takes p_limit after p_cursor`).toBe("p_limit");
          expect(f.outs, `${f.name} returns next_cursor`).toContain("next_cursor");
        }
      }
    });
  });
});
