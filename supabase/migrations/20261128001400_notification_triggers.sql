-- Notification triggers: who gets which notification, from triggers on the graph, groups,
-- invites, announcements, posts and engagement tables (the inbox and social_private.notify are in
-- 20261128001300_notifications.sql).
--
-- Kinds, who gets them, and the subject that groups them (one unread notification per recipient,
-- kind and subject; further events update it with the latest actor; once read, the next event
-- starts a new one):
--   follow_request   the private profile asked to be followed      subject: the requester
--   follow_accepted  the requester, when accepted                   subject: the followee
--   new_follower     the followee (accepted follows)                 subject: the followee (all merge)
--   reaction         the post's author                               subject: the post (all merge)
--   comment          the post's author (comments and replies)        subject: the post (all merge)
--   reply            the parent comment's author                     subject: the parent comment
--   mention          the mentioned user (post or comment)            subject: the post or comment
--   announcement     the group's active members                      subject: the announcement
--   group_invite     the invitee                                     subject: the group
--   join_request     the group's staff (owner, admins, moderators)   subject: the group (all merge)
--   join_approved    the requester, when staff approve               subject: the group
--
-- Reaction, comment and reply notifications are sent a moment after the write, by the
-- deferred-effects queue (20261128003050_deferred_effects.sql), under the rules of that moment: a
-- reaction taken back, a comment deleted or a block made in between sends nothing.
--
-- Never: to the actor themselves; across a block (either way); of a kind the recipient turned off
-- (social.notification_preferences); reactions from users the recipient muted (a mute silences
-- the low-value signal; comments, replies and mentions from muted users still arrive, as they
-- may need an answer); mentions and replies about a post the recipient cannot see.
-- A block removes the blocked user from the blocker's notifications and vice versa, with the
-- excerpt of a grouped notification whose latest event was theirs. Answered or withdrawn follow
-- requests, join requests and invites and removed mentions take their unread notification with
-- them; deleted posts, comments, announcements and groups take every notification about them (a
-- grouped comment or reply notification outlives one deleted comment, but loses its excerpt when
-- the deleted comment was the latest). Losing an active membership (removed, banned, left) takes
-- every notification about the group and its content; staff who stop being staff lose the
-- group's join requests.
-- SDK: social.notifications; tests: tests/db/notifications.test.ts.

-- follow_request / new_follower on a new follow; follow_accepted when a request is accepted (and
-- the request's notification goes); a withdrawn or declined request takes its notification.
create function social_private.handle_follow_notify()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status = 'pending' then
      perform social_private.notify(array[new.followee_id], 'follow_request', new.follower_id, new.follower_id);
    else
      perform social_private.notify(array[new.followee_id], 'new_follower', new.follower_id, new.followee_id);
    end if;
  elsif tg_op = 'UPDATE' then
    if old.status = 'pending' and new.status = 'accepted' then
      perform social_private.withdraw_notification(new.followee_id, 'follow_request', new.follower_id);
      perform social_private.notify(array[new.follower_id], 'follow_accepted', new.followee_id, new.followee_id);
    end if;
  elsif old.status = 'pending' then
    perform social_private.withdraw_notification(old.followee_id, 'follow_request', old.follower_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_follow_notify() is
  'Trigger function (after insert, update of status or delete on follows, on_follows_notify): '
  'follow_request or new_follower to the followee, follow_accepted to the requester; a withdrawn, '
  'declined or accepted request takes its follow_request.';
create trigger on_follows_notify after insert or update of status or delete on social.follows
  for each row execute function social_private.handle_follow_notify();

-- A block takes the blocked user out of the blocker's notifications, and the other way round: a
-- notification of theirs alone goes; a grouped one loses them from its actors and, when the
-- latest event was theirs (actor_ids[1]: its data is that event's excerpt), its data.
create function social_private.handle_block_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pair uuid[];
begin
  perform social_private.lock_notification_counters(array[new.blocker_id, new.blocked_id]);
  foreach v_pair slice 1 in array array[[new.blocker_id, new.blocked_id], [new.blocked_id, new.blocker_id]] loop
    delete from social.notifications n
    where n.recipient_id = v_pair[1] and v_pair[2] = any (n.actor_ids) and n.actor_count <= 1;
    update social.notifications n
    set actor_ids = array_remove(n.actor_ids, v_pair[2]),
        actor_count = greatest(n.actor_count - 1, cardinality(n.actor_ids) - 1),
        data = case when n.actor_ids[1] = v_pair[2] then '{}'::jsonb else n.data end
    where n.recipient_id = v_pair[1] and v_pair[2] = any (n.actor_ids);
  end loop;
  return null;
end;
$$;
comment on function social_private.handle_block_notifications() is
  'Trigger function (after insert on blocks, on_blocks_notifications): takes each user out of the '
  'other''s notifications (drops those only they caused, empties the data of grouped ones whose '
  'latest event was theirs).';
create trigger on_blocks_notifications after insert on social.blocks
  for each row execute function social_private.handle_block_notifications();

-- join_request to the group's staff when someone asks to join; once the request is answered
-- (approved, declined, withdrawn, banned) the requester leaves the staff's unread notifications;
-- join_approved to the requester when staff approve (the user's own way in, e.g. through an
-- invite, is not an approval).
create function social_private.handle_member_notify()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff uuid[];
  v_actor uuid := (select auth.uid());
begin
  select array_agg(m.user_id) into v_staff
  from social.group_members m
  where m.group_id = coalesce(new.group_id, old.group_id) and m.status = 'active'
    and m.role in ('owner', 'admin', 'moderator');

  if tg_op = 'INSERT' then
    if new.status = 'pending' then
      perform social_private.notify(v_staff, 'join_request', new.user_id, new.group_id,
        p_group_id => new.group_id);
    end if;
    return null;
  end if;

  if old.status = 'pending' and (tg_op = 'DELETE' or new.status <> 'pending') then
    perform social_private.lock_notification_counters(v_staff);
    delete from social.notifications n
    where n.recipient_id = any (v_staff) and n.kind = 'join_request' and n.subject_id = old.group_id
      and n.read_at is null and n.actor_ids = array[old.user_id] and n.actor_count <= 1;
    update social.notifications n
    set actor_ids = array_remove(n.actor_ids, old.user_id),
        actor_count = greatest(n.actor_count - 1, cardinality(n.actor_ids) - 1)
    where n.recipient_id = any (v_staff) and n.kind = 'join_request' and n.subject_id = old.group_id
      and n.read_at is null and old.user_id = any (n.actor_ids);
  end if;

  if tg_op = 'UPDATE' and old.status = 'pending' and new.status = 'active'
     and v_actor is distinct from new.user_id then
    perform social_private.notify(array[new.user_id], 'join_approved', v_actor, new.group_id,
      p_group_id => new.group_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_member_notify() is
  'Trigger function (after insert, update of status or delete on group_members, '
  'on_group_members_notify): join_request to the group''s staff; an answered request leaves their '
  'unread notifications; join_approved to the requester when staff approve.';
create trigger on_group_members_notify after insert or update of status or delete on social.group_members
  for each row execute function social_private.handle_member_notify();

-- Losing access loses the notifications: a membership that stops being active (removed, banned,
-- left) takes every notification of that user about the group and its content; staff who stop
-- being staff take the group's join requests out of their inbox. A membership that goes with its
-- group (cascade) leaves the cascade to do it.
create function social_private.handle_member_lost_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from social.groups g where g.id = old.group_id) then
    return null;
  end if;
  if old.status = 'active' and (tg_op = 'DELETE' or new.status <> 'active') then
    perform social_private.lock_notification_counters(array[old.user_id]);
    delete from social.notifications n
    where n.recipient_id = old.user_id and n.group_id = old.group_id;
  elsif tg_op = 'UPDATE' and old.role in ('owner', 'admin', 'moderator') and new.role = 'member' then
    perform social_private.lock_notification_counters(array[old.user_id]);
    delete from social.notifications n
    where n.recipient_id = old.user_id and n.group_id = old.group_id and n.kind = 'join_request';
  end if;
  return null;
end;
$$;
comment on function social_private.handle_member_lost_notifications() is
  'Trigger: a membership that stops being active takes the user''s notifications about the group; '
  'staff demoted to member lose its join requests.';
create trigger on_group_members_lost_notifications after update of status, role or delete
  on social.group_members
  for each row execute function social_private.handle_member_lost_notifications();

-- group_invite to the invitee; answering or revoking the invite takes the unread notification.
create function social_private.handle_invite_notify()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.invitee_id is null then
    return null; -- a link invite has nobody to notify
  end if;
  if tg_op = 'INSERT' then
    perform social_private.notify(array[new.invitee_id], 'group_invite', new.inviter_id, new.group_id,
      p_group_id => new.group_id, p_data => jsonb_build_object('invite_id', new.id));
  elsif (old.accepted_at is null and new.accepted_at is not null)
     or (old.declined_at is null and new.declined_at is not null)
     or (old.revoked_at is null and new.revoked_at is not null) then
    perform social_private.lock_notification_counters(array[new.invitee_id]);
    delete from social.notifications n
    where n.recipient_id = new.invitee_id and n.kind = 'group_invite' and n.subject_id = new.group_id
      and n.read_at is null and n.data ->> 'invite_id' = new.id::text;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_invite_notify() is
  'Trigger function (after insert or update on group_invites, on_group_invites_notify): '
  'group_invite to the invitee of an addressed invite; accepting, declining or revoking it takes '
  'the unread notification.';
create trigger on_group_invites_notify after insert or update of accepted_at, declined_at, revoked_at
  on social.group_invites
  for each row execute function social_private.handle_invite_notify();

-- announcement to every active member of the group but the author (one statement).
create function social_private.handle_announcement_notify()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_members uuid[];
begin
  select array_agg(m.user_id) into v_members
  from social.group_members m
  where m.group_id = new.group_id and m.status = 'active' and m.user_id <> new.author_id;
  perform social_private.notify(v_members, 'announcement', new.author_id, new.id,
    p_group_id => new.group_id, p_announcement_id => new.id,
    p_data => jsonb_build_object('title', new.title, 'excerpt', social_private.excerpt(new.body),
                                 'pinned', new.pinned));
  return null;
end;
$$;
comment on function social_private.handle_announcement_notify() is
  'Trigger function (after insert on announcements, on_announcements_notify): announcement to '
  'every active member but the author, with title and excerpt.';
create trigger on_announcements_notify after insert on social.announcements
  for each row execute function social_private.handle_announcement_notify();

-- reaction to the post's author, grouped per post. Not a trigger: the deferred-effects queue
-- calls it after the reaction's transaction (20261128003050_deferred_effects.sql).
create function social_private.notify_reaction(p_post_id uuid, p_user_id uuid, p_kind social.reaction_kind)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_post record;
begin
  select p.author_id, p.group_id, p.body into v_post
  from social.posts p where p.id = p_post_id and p.deleted_at is null;
  if found then
    perform social_private.notify(array[v_post.author_id], 'reaction', p_user_id, p_post_id,
      p_post_id => p_post_id, p_group_id => v_post.group_id,
      p_data => jsonb_build_object('reaction', p_kind, 'excerpt', social_private.excerpt(v_post.body)));
  end if;
end;
$$;
comment on function social_private.notify_reaction(uuid, uuid, social.reaction_kind) is
  'Reaction p_kind by p_user_id to the author of post p_post_id (while the post is not deleted), '
  'grouped per post. Run by the deferred-effects queue (social_private.run_deferred_effects).';

-- comment to the post's author (grouped per post); reply to the parent comment's author (grouped
-- per parent), when they can still see the post. Not a trigger: the deferred-effects queue calls
-- it after the comment's transaction, while the comment and its post are not deleted.
create function social_private.notify_comment(p_comment_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_comment record;
  v_post record;
  v_parent_author uuid;
  v_data jsonb;
begin
  select c.id, c.post_id, c.parent_id, c.author_id, c.body into v_comment
  from social.comments c where c.id = p_comment_id and c.deleted_at is null;
  if not found then
    return;
  end if;
  select p.author_id, p.group_id into v_post
  from social.posts p where p.id = v_comment.post_id and p.deleted_at is null;
  if not found then
    return;
  end if;
  v_data := jsonb_build_object('comment_id', v_comment.id, 'parent_id', v_comment.parent_id,
                               'excerpt', social_private.excerpt(v_comment.body));
  if v_comment.parent_id is not null then
    select c.author_id into v_parent_author from social.comments c where c.id = v_comment.parent_id;
    if v_parent_author is not null and social_private.user_can_view_post(v_parent_author, v_comment.post_id) then
      perform social_private.notify(array[v_parent_author], 'reply', v_comment.author_id, v_comment.parent_id,
        p_post_id => v_comment.post_id, p_comment_id => v_comment.parent_id, p_group_id => v_post.group_id,
        p_data => v_data);
    end if;
  end if;
  if v_post.author_id is distinct from v_parent_author then
    perform social_private.notify(array[v_post.author_id], 'comment', v_comment.author_id, v_comment.post_id,
      p_post_id => v_comment.post_id, p_group_id => v_post.group_id, p_data => v_data);
  end if;
end;
$$;
comment on function social_private.notify_comment(uuid) is
  'Comment p_comment_id to the post''s author (grouped per post) and, for a reply, to the parent '
  'comment''s author (grouped per parent) while they can see the post; nothing once the comment or '
  'the post is deleted. Run by the deferred-effects queue (social_private.run_deferred_effects).';

-- mention to the mentioned user, when they can see the post, unless the same comment already
-- notified them as the post's or the parent comment's author; a mention removed from the text
-- takes its unread notification.
create function social_private.handle_mention_notify()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_post record;
  v_parent_author uuid;
  v_body text;
begin
  if tg_op = 'DELETE' then
    perform social_private.withdraw_notification(old.mentioned_id, 'mention', coalesce(old.comment_id, old.post_id));
    return null;
  end if;
  select p.author_id, p.group_id, p.body into v_post
  from social.posts p where p.id = new.post_id and p.deleted_at is null;
  if not found or not social_private.user_can_view_post(new.mentioned_id, new.post_id) then
    return null;
  end if;
  v_body := v_post.body;
  if new.comment_id is not null then
    select c.body, pc.author_id into v_body, v_parent_author
    from social.comments c
    left join social.comments pc on pc.id = c.parent_id
    where c.id = new.comment_id and c.deleted_at is null;
    if not found or new.mentioned_id = v_post.author_id or new.mentioned_id = v_parent_author then
      return null;
    end if;
  end if;
  perform social_private.notify(array[new.mentioned_id], 'mention', new.author_id,
    coalesce(new.comment_id, new.post_id),
    p_post_id => new.post_id, p_comment_id => new.comment_id, p_group_id => v_post.group_id,
    p_data => jsonb_build_object('comment_id', new.comment_id, 'excerpt', social_private.excerpt(v_body)));
  return null;
end;
$$;
comment on function social_private.handle_mention_notify() is
  'Trigger function (after insert or delete on mentions, on_mentions_notify): mention to the '
  'mentioned user when they can see the post and were not notified as its or the parent''s author; '
  'a removed mention takes its unread notification.';
create trigger on_mentions_notify after insert or delete on social.mentions
  for each row execute function social_private.handle_mention_notify();

-- A soft-deleted post or comment takes the notifications about it (hard deletes cascade). A
-- comment's text also sits in the data of the notifications it made (comment and reply kinds, to
-- the post's and the parent's authors, read or not): one of its own goes; a grouped one whose
-- latest event it was keeps its actors and loses its data.
create function social_private.handle_content_deleted_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'posts' then
    perform social_private.lock_notification_counters(array(
      select n.recipient_id from social.notifications n where n.post_id = new.id));
    delete from social.notifications n where n.post_id = new.id;
  else
    perform social_private.lock_notification_counters(array(
      select n.recipient_id from social.notifications n
      where n.comment_id = new.id
         or (n.post_id = new.post_id and n.data ->> 'comment_id' = new.id::text and n.actor_count <= 1)));
    delete from social.notifications n
    where n.comment_id = new.id
       or (n.post_id = new.post_id and n.data ->> 'comment_id' = new.id::text and n.actor_count <= 1);
    update social.notifications n set data = '{}'::jsonb
    where n.post_id = new.post_id and n.data ->> 'comment_id' = new.id::text;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_content_deleted_notifications() is
  'Trigger function (after update of deleted_at on posts and comments): a soft-deleted post or '
  'comment takes every notification about it, and a comment its excerpt from grouped ones.';
create trigger on_posts_deleted_notifications after update of deleted_at on social.posts
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function social_private.handle_content_deleted_notifications();
create trigger on_comments_deleted_notifications after update of deleted_at on social.comments
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function social_private.handle_content_deleted_notifications();

-- An edit changes what the notifications quote: the excerpt of a comment (comment, reply and
-- mention notifications it made), of a post (its mentions and reactions) and the title and
-- excerpt of an announcement follow the text as it is now, so what the author took out of it is
-- gone from every inbox too.
create function social_private.handle_content_edited_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'comments' then
    update social.notifications n
    set data = jsonb_set(n.data, '{excerpt}', to_jsonb(social_private.excerpt(new.body)))
    where n.post_id = new.post_id and n.data ->> 'comment_id' = new.id::text and n.data ? 'excerpt';
  elsif tg_table_name = 'posts' then
    update social.notifications n
    set data = jsonb_set(n.data, '{excerpt}', coalesce(to_jsonb(social_private.excerpt(new.body)), 'null'))
    where n.post_id = new.id and n.kind in ('mention', 'reaction') and n.data ? 'excerpt'
      and (n.kind = 'reaction' or n.comment_id is null);
  else
    update social.notifications n
    set data = n.data || jsonb_build_object('title', new.title, 'excerpt', social_private.excerpt(new.body),
                                            'pinned', new.pinned)
    where n.announcement_id = new.id and n.kind = 'announcement';
  end if;
  return null;
end;
$$;
comment on function social_private.handle_content_edited_notifications() is
  'Trigger: an edited comment, post or announcement updates the text its notifications quote.';
create trigger on_comments_edited_notifications after update of body on social.comments
  for each row when (old.body is distinct from new.body)
  execute function social_private.handle_content_edited_notifications();
create trigger on_posts_edited_notifications after update of body on social.posts
  for each row when (old.body is distinct from new.body)
  execute function social_private.handle_content_edited_notifications();
create trigger on_announcements_edited_notifications after update of title, body, pinned on social.announcements
  for each row when (old.title is distinct from new.title or old.body is distinct from new.body
                     or old.pinned is distinct from new.pinned)
  execute function social_private.handle_content_edited_notifications();

revoke execute on all functions in schema social, social_private from public;
