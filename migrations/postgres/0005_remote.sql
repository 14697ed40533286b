-- remote organisations and resources live in the same tables as local ones, so the library,
-- its facets and its search show the partners' work too. `local` tells them apart; `ap_id`
-- is the activitypub id of a remote one (null for local rows, whose ids derive from handles).
-- a remote organisation's handle is `name@host`, which no local handle can be.
alter table orgs add column local boolean not null default true;
alter table orgs add column ap_id text;
create unique index orgs_by_ap_id on orgs (ap_id);

alter table resources add column local boolean not null default true;
alter table resources add column ap_id text;
-- the page of a remote resource on its own server
alter table resources add column origin_url text;
create unique index resources_by_ap_id on resources (ap_id);
