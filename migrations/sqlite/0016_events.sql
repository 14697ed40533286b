-- the agenda: events of an organisation (hearings, UN sessions, deadlines), written in one or
-- more languages like resources. start and end are kept as the wall-clock time people and
-- calendars use ("2027-03-04T09:30", or a date for an all-day event) with the IANA zone they
-- are in, and as UTC instants for ordering and filtering. a postponement keeps the start it
-- replaced. `sequence` counts changes (ICS SEQUENCE). place is json (name, street, locality,
-- postal_code, country).
create table events (
    id integer primary key,
    uid text not null unique,
    org_id integer not null references orgs (id) on delete cascade,
    kind text not null,
    status text not null,
    original_language text not null,
    start_local text not null,
    end_local text,
    timezone text not null,
    all_day boolean not null default false,
    start_utc text not null,
    end_utc text not null,
    previous_start_local text,
    place text,
    online_url text,
    case_name text,
    case_number text,
    session text,
    source_url text,
    registration_url text,
    rrule text,
    sequence bigint not null default 0,
    local boolean not null default true,
    ap_id text unique,
    created_at text not null,
    updated_at text not null
);
create index events_by_start on events (start_utc, id);
create index events_by_org on events (org_id, start_utc);

create table event_texts (
    event_id integer not null references events (id) on delete cascade,
    lang text not null,
    title text not null,
    summary text not null default '',
    description text not null default '',
    description_html text not null default '',
    primary key (event_id, lang)
);

-- mechanisms, themes and countries, as for resources
create table event_terms (
    event_id integer not null references events (id) on delete cascade,
    scheme text not null,
    term text not null,
    primary key (event_id, scheme, term)
);
create index event_terms_by_term on event_terms (scheme, term, event_id);

-- resources of the library an event relates to (a hearing and its briefing note)
create table event_resources (
    event_id integer not null references events (id) on delete cascade,
    resource_id integer not null references resources (id) on delete cascade,
    primary key (event_id, resource_id)
);
