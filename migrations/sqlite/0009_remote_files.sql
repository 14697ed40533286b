-- Attachments of resources received from other servers. The file stays on its server
-- (remote_url) until someone here first downloads it: then this instance fetches it, so
-- readers never contact the other server, checks it against the declared SHA-256
-- (remote_digest, hex, when the sender gave one), and keeps it like a local file (sha256,
-- empty until then).
alter table attachments add column remote_url text;
alter table attachments add column remote_digest text;
