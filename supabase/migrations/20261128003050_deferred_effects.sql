-- Deferred effects: what a reaction or a comment causes beyond its own row, done a moment after
-- its transaction instead of inside it.
--
-- A reaction or a comment does, in its own statement, only what decides it or must be exact when
-- it returns: the policy and visibility checks, the rate limit, the row, its counters in
-- post_stats (and hot_score), the parent's reply_count and the comment's mentions. The rest, the
-- notification (reaction; comment and reply) and the gamification activity (reaction_given,
-- comment_created, then points, streaks and badges), is queued: the counter triggers of reactions
-- and comments add one row to social_private.deferred_effects (20261128000800_engagement.sql), and
-- social_private.run_deferred_effects (below) applies the queue in order, in batches, after the
-- write has committed. That takes half and more of the time of a reaction and of a comment
-- (README, "Write path"); the effects arrive a moment later, as they do in Stream's and Sendbird's
-- aggregated feeds.
--
-- Who runs the queue: pg_cron every second where it is installed (below); `npm start`'s stack
-- runs it continuously; elsewhere call `select social_private.run_deferred_effects()` (tests do,
-- with p_wait => true, before they look at notifications or activities).
--
-- The effects apply under the rules of the moment they run, never looser than the write's:
-- a reaction taken back or a comment deleted before its turn causes nothing (no notification,
-- no activity); a block, a mute, a turned-off notification kind or lost access in between is
-- honoured by social_private.notify as usual; an account deleted in between takes its queued
-- reactions and comments with it, and so causes nothing.
--
-- No effect is lost: a batch applies whole or, when one of its effects fails, again one by one,
-- each in its own subtransaction; a failing effect stays queued with its error (last_error),
-- is retried after 2, 4, 8 ... seconds and, after 8 attempts, is kept with run_after =
-- 'infinity' for an operator to read in Studio and re-queue (set run_after = now()).
-- SDK: none (internal); tests: tests/db/deferred-effects.test.ts.

-- =====================================================================================
-- applying
-- =====================================================================================

-- One effect, under the rules of now: nothing when its reaction or comment is gone.
create function social_private.apply_deferred_effect(p_effect social_private.deferred_effects)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_effect.source = 'reaction' then
    if exists (
      select 1 from social.reactions r
      where r.post_id = p_effect.post_id and r.user_id = p_effect.actor_id and r.kind = p_effect.reaction
    ) then
      perform social_private.notify_reaction(p_effect.post_id, p_effect.actor_id, p_effect.reaction);
      perform social_private.record_system_activity(p_effect.actor_id, 'reaction_given',
        'reaction:' || p_effect.post_id::text || ':' || p_effect.reaction::text, p_effect.occurred_at);
    end if;
  elsif exists (select 1 from social.comments c where c.id = p_effect.comment_id and c.deleted_at is null) then
    perform social_private.notify_comment(p_effect.comment_id);
    perform social_private.record_system_activity(p_effect.actor_id, 'comment_created',
      'comment:' || p_effect.comment_id::text, p_effect.occurred_at);
  end if;
end;
$$;
comment on function social_private.apply_deferred_effect(social_private.deferred_effects) is
  'Apply one queued effect: the reaction''s notification and reaction_given, or the comment''s '
  'notifications and comment_created; nothing when the reaction or comment is gone.';

-- The batch's effects one by one, each in its own subtransaction: the ones that work are applied
-- and removed, a failing one stays with its error and a later run_after. Only after a batch
-- failed whole (a subtransaction per effect is costly, and more than 64 in one transaction slow
-- every other session's visibility checks while it runs).
create function social_private.apply_deferred_effects_singly(p_ids bigint[])
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_effect social_private.deferred_effects;
  v_failed integer := 0;
begin
  for v_effect in
    select e.* from social_private.deferred_effects e where e.id = any (p_ids) order by e.id for update
  loop
    begin
      perform social_private.apply_deferred_effect(v_effect);
      delete from social_private.deferred_effects e where e.id = v_effect.id;
    exception when others then
      v_failed := v_failed + 1;
      update social_private.deferred_effects e
      set attempts = e.attempts + 1,
          last_error = sqlstate || ': ' || sqlerrm,
          run_after = case when e.attempts + 1 >= 8 then 'infinity'::timestamptz
                           else now() + make_interval(secs => power(2, e.attempts + 1)) end
      where e.id = v_effect.id;
    end;
  end loop;
  return v_failed;
end;
$$;
comment on function social_private.apply_deferred_effects_singly(bigint[]) is
  'Apply the queued effects p_ids one by one, each in its own subtransaction; a failing one stays '
  'queued with its error, retried after 2^attempts seconds, given up (run_after infinity) after 8. '
  'Returns how many failed.';

-- Apply up to p_limit due effects, oldest first, in one transaction (the caller's), and remove
-- them. Effects another run holds are skipped, or with p_wait waited for (then found gone).
-- Returns how many effects it took (applied or failed); 0 when none are due.
create function social_private.run_deferred_effects(p_limit integer default 1000, p_wait boolean default false)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids bigint[];
  v_effect social_private.deferred_effects;
begin
  if p_limit is null or p_limit not between 1 and 10000 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'p_limit must be between 1 and 10000');
  end if;
  if p_wait is null then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'p_wait must be true or false');
  end if;
  execute format(
    'select coalesce(array_agg(x.id order by x.id), ''{}'') from ('
    '  select e.id from social_private.deferred_effects e'
    '  where e.run_after <= now() order by e.id limit $1 for update %s'
    ') x', case when p_wait then '' else 'skip locked' end)
    into v_ids using p_limit;
  if cardinality(v_ids) = 0 then
    return 0;
  end if;
  -- the notification counters of every user the batch may notify (the posts' authors, the
  -- parent comments' authors, and the actors, whose activity may earn them a badge), in user
  -- order, before any notification: the lock order of every writer of notifications
  -- (social_private.lock_notification_counters). Outside the subtransaction below, so that a
  -- retry one by one keeps them.
  perform social_private.lock_notification_counters(array(
    select e.actor_id from social_private.deferred_effects e where e.id = any (v_ids)
    union
    select p.author_id
    from social_private.deferred_effects e join social.posts p on p.id = e.post_id
    where e.id = any (v_ids)
    union
    select pc.author_id
    from social_private.deferred_effects e
    join social.comments c on c.id = e.comment_id
    join social.comments pc on pc.id = c.parent_id
    where e.id = any (v_ids)
  ));
  begin
    -- the common case: one subtransaction for the whole batch
    for v_effect in
      select e.* from social_private.deferred_effects e where e.id = any (v_ids) order by e.id
    loop
      perform social_private.apply_deferred_effect(v_effect);
    end loop;
    delete from social_private.deferred_effects e where e.id = any (v_ids);
  exception when others then
    -- one of them failed: everything in the block is undone; again one by one
    perform social_private.apply_deferred_effects_singly(v_ids);
  end;
  return cardinality(v_ids);
end;
$$;
comment on function social_private.run_deferred_effects(integer, boolean) is
  'Job: apply up to p_limit (1-10000) due deferred effects (notifications and activities of '
  'reactions and comments), oldest first, in the caller''s transaction; p_wait: wait for effects '
  'another run holds instead of skipping them. Returns how many it took; 0 when the queue is '
  'drained. pg_cron runs it every second where installed; npm start''s stack runs it continuously.';
grant execute on function social_private.run_deferred_effects(integer, boolean) to service_role;

-- Every second where pg_cron is installed (social_private.schedule_job); one run takes up to
-- 1,000 effects (README, "Write path": how many a run applies per second, and adding runs).
select social_private.schedule_job('supasocial-deferred-effects', '1 seconds',
  'select social_private.run_deferred_effects()');

revoke execute on all functions in schema social, social_private from public;
