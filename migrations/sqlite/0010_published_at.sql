-- when a resource was made public on this instance (for a partner's, when its server says
-- it was), apart from when its draft was created: ActivityPub's `published` and the feeds'
-- dates. null while it has never been public. resources already public take their creation.
alter table resources add column published_at text;
update resources set published_at = created_at where status <> 'draft';
