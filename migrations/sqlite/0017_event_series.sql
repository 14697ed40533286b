-- a recurring event's series ends with its last occurrence: lists and month grids find a
-- weekly session by when the series ends, not by when its first meeting did. for an event
-- that does not repeat it is its end. remote_updated is the `updated` time a partner last
-- sent, so an older update arriving late does not undo a newer one.
alter table events add column last_end_utc text;
update events set last_end_utc = end_utc;
alter table events add column remote_updated text;
create index events_by_last_end on events (last_end_utc);
-- an imported event's UID in the calendar it came from (`amicus import-ics`): importing the
-- calendar again updates it rather than adding it twice
alter table events add column external_id text;
create unique index events_by_external_id on events (org_id, external_id);
-- the words an event is found by (its titles and summaries in every language, its case's
-- name and number), folded as the library's search folds them (case, accents, Arabic letter
-- forms and diacritics): `q` matches each folded word inside it
alter table events add column search_text text not null default '';
-- what people need to take part: the languages spoken and interpreted into (comma-separated
-- language tags), notes on access per language, and organisers that are on no server (the
-- ICC, OHCHR: json [{name, url}])
alter table events add column spoken_languages text not null default '';
alter table events add column interpretation text not null default '';
alter table events add column organizers text not null default '[]';
alter table event_texts add column accessibility text not null default '';
-- the agenda filtered by kind (a calendar of hearings, of deadlines), in start order
create index events_by_kind on events (kind, start_utc);
