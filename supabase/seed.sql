-- Small seed for `npx supabase start` / `supabase db reset` (Docker): the three demo logins.
-- `npm start` loads the fuller demo data set from seeds/ instead (npm run seed -- --users N).
-- The sign-up trigger makes their profiles.
insert into auth.users (
  id, instance_id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select v.id::uuid, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', v.email,
       extensions.crypt('supasocial-demo', extensions.gen_salt('bf')), now(),
       '{"provider":"email","providers":["email"]}', jsonb_build_object('handle', v.handle, 'display_name', v.name),
       now(), now()
from (values
  ('a0000000-0000-4000-8000-000000000001', 'ana@demo.supasocial.dev', 'ana', 'Ana Trainer'),
  ('a0000000-0000-4000-8000-000000000002', 'ben@demo.supasocial.dev', 'ben', 'Ben Runner'),
  ('a0000000-0000-4000-8000-000000000003', 'cleo@demo.supasocial.dev', 'cleo', 'Cleo Traveller')
) as v(id, email, handle, name)
on conflict (id) do nothing;
