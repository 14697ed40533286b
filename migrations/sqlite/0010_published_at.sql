-- when a resource was made public on this instance (for a partner's, when its server says
-- it was), apart from when its draft was created: ActivityPub's `published` and the feeds'
-- dates. null while it has never been public. resources already public take their creation.
alter table resources add column published_at text;
update resources set published_at = created_at where status <> 'draft';

-- the id of the Create that made the resource public (a new one each time it is published
-- again): the outbox lists it and /activities/create/<uid> serves it, so that what followers
-- received and what the outbox shows are one activity.
alter table resources add column create_id text;

-- the Idempotency-Key of the API request that created a resource, unique per organisation:
-- a client retrying after a lost answer (a 503, a dropped connection) gets the resource it
-- created instead of a second one. written in the same insert as the resource.
alter table resources add column idempotency_key text;
create unique index resources_idempotency on resources (org_id, idempotency_key);

-- which node claimed a delivery (host name and listening address): a node that starts again
-- gives back what its previous run had claimed, instead of waiting for the lease to run out.
alter table deliveries add column lease_owner text;
