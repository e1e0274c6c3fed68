/**
 * The trips seed: for the first users (the demo logins among them) and one in ten of the rest, up
 * to 300 trips, each with 1-3 members besides the owner (editors and viewers), 3 days and 4
 * items a day with places around the destination, ordered with the same fractional keys the
 * RPCs make. Set-wise in SQL and deterministic (picked by md5 of the ids). Triggers are off during
 * the load, so member counts are set here and no trip posts are made.
 */
import type postgres from "postgres";
import type { SeedExtension, SeededUser } from "./seed.ts";

const PLACES = [
  ["Lisbon", 38.72, -9.14],
  ["Porto", 41.15, -8.61],
  ["Madrid", 40.42, -3.7],
  ["Rome", 41.9, 12.5],
  ["Kyoto", 35.01, 135.77],
  ["Reykjavik", 64.15, -21.94],
] as const;

/** The seed extension (registered by domains.ts). */
export const seedTrips: SeedExtension = async (tx: postgres.TransactionSql, users: SeededUser[], options) => {
  if (options.feedOnly) return {} as Record<string, number>;
  const owners = users.filter((_, i) => i < 3 || i % 10 === 0).slice(0, 300);
  const ids = users.map((u) => u.id);
  const places = PLACES.map(([name, lat, lng]) => ({ name, lat, lng }));
  const trips = await tx`
    insert into social.trips (id, owner_id, title, description, destination_name, destination_lat, destination_lng,
                              start_date, end_date, timezone, visibility, status, created_at, updated_at)
    select md5('trip:' || o.id)::uuid, o.id, 'Long weekend in ' || pl.name, 'Planned together',
           pl.name, pl.lat, pl.lng, d.start, d.start + 2, 'UTC',
           (array['public', 'followers', 'private'])[1 + get_byte(decode(md5(o.id::text), 'hex'), 1) % 3]::social.trip_visibility,
           (array['planning', 'booked', 'done'])[1 + get_byte(decode(md5(o.id::text), 'hex'), 2) % 3]::social.trip_status,
           now(), now()
    from unnest(${owners.map((u) => u.id)}::uuid[]) as o(id)
    cross join lateral (
      select (${tx.json(places)}::jsonb -> (get_byte(decode(md5(o.id::text), 'hex'), 0) % ${places.length})) as p
    ) j
    cross join lateral (select j.p ->> 'name' as name, (j.p ->> 'lat')::float8 as lat, (j.p ->> 'lng')::float8 as lng) pl
    cross join lateral (select date '2027-03-01' + get_byte(decode(md5(o.id::text), 'hex'), 3) as start) d
    returning id`;
  // the owner, then 1-3 others (the next users in seed order), editors first
  await tx`
    insert into social.trip_members (trip_id, user_id, role, created_at)
    select t.id, t.owner_id, 'owner', now() from social.trips t where t.id = any (${trips.map((t) => t.id)}::uuid[])`;
  const members = await tx`
    insert into social.trip_members (trip_id, user_id, role, invited_by, created_at)
    select t.id, u.id, case when k = 1 then 'editor' else 'viewer' end::social.trip_role, t.owner_id, now()
    from social.trips t
    join lateral (select array_position(${ids}::uuid[], t.owner_id) as at) o on true
    cross join generate_series(1, 3) k
    join lateral (select (${ids}::uuid[])[((o.at + k * 7 - 1) % ${ids.length}) + 1] as id) u on u.id <> t.owner_id
    where t.id = any (${trips.map((t) => t.id)}::uuid[]) and k <= 1 + get_byte(decode(md5(t.id::text), 'hex'), 0) % 3
    on conflict do nothing
    returning trip_id`;
  await tx`
    update social.trips t set member_count = (select count(*) from social.trip_members m where m.trip_id = t.id)
    where t.id = any (${trips.map((t) => t.id)}::uuid[])`;
  const days = await tx`
    insert into social.trip_days (id, trip_id, position, day_date, title, created_by, created_at, updated_at)
    select md5(t.id::text || ':day:' || n)::uuid, t.id, (array['V', 'k', 'r'])[n], t.start_date + (n - 1),
           'Day ' || n, t.owner_id, now(), now()
    from social.trips t cross join generate_series(1, 3) n
    where t.id = any (${trips.map((t) => t.id)}::uuid[])
    returning id`;
  const items = await tx`
    insert into social.trip_items (trip_id, day_id, position, title, place_name, place_lat, place_lng, category,
                                   created_by, updated_by, created_at, updated_at)
    select d.trip_id, d.id, (array['V', 'k', 'r', 'u'])[n],
           (array['Breakfast', 'Old town walk', 'Museum', 'Dinner'])[n],
           t.destination_name || ' spot ' || n, t.destination_lat + n / 200.0, t.destination_lng + n / 200.0,
           (array['food', 'sight', 'activity', 'food'])[n]::social.trip_item_category,
           t.owner_id, t.owner_id, now(), now()
    from social.trip_days d join social.trips t on t.id = d.trip_id
    cross join generate_series(1, 4) n
    where d.id = any (${days.map((d) => d.id)}::uuid[])
    returning id`;
  return {
    trips: trips.length,
    trip_members: trips.length + members.length,
    trip_days: days.length,
    trip_items: items.length,
  };
};
