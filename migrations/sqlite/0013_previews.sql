-- images attached to a resource: the description read out in place of the image (required
-- for uploads), and the SHA-256 of the server-made thumbnail shown as its preview (in the file
-- store, like the file itself).
alter table attachments add column alt text;
alter table attachments add column thumb_sha256 text;
