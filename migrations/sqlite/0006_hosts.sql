-- the health of each remote server we deliver to. a host that keeps failing on 3 separate
-- days is marked dead and skipped until it answers again (through `amicus federation retry`
-- or an activity it sends us).
create table federation_hosts (
    host text primary key,
    failure_days integer not null default 0,
    -- the utc day (yyyy-mm-dd) of the last failure, so failures count once a day
    last_failure_day text,
    dead boolean not null default false,
    updated_at text not null
);
