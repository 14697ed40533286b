-- a number that changes whenever any resource does (written, published, withdrawn, deleted,
-- its embargo lifted), in the same transaction: every node reads it to know whether facet
-- counts it keeps are still right (`crate::library::FacetCache`). once per statement.
create table library_version (
    id integer primary key check (id = 1),
    n bigint not null
);
insert into library_version (id, n) values (1, 0);
create function bump_library_version() returns trigger language plpgsql as $$
begin
    update library_version set n = n + 1 where id = 1;
    return null;
end
$$;
create trigger resources_version after insert or update or delete on resources
    for each statement execute function bump_library_version();
