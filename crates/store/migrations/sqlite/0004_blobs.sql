-- File contents move out of the database into the content-addressed blob store. The database
-- keeps each file's name, media type, size and SM3 digest (the blob's key). Contents written
-- before this migration wait in catalog_file_contents until the application has copied them into
-- the blob store at start-up; it then drops that table, so no database keeps file contents.
CREATE TABLE catalog_file_contents (
    id      TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
INSERT INTO catalog_file_contents (id, content) SELECT id, content FROM catalog_files;
ALTER TABLE catalog_files DROP COLUMN content;
CREATE INDEX catalog_files_digest ON catalog_files(digest);
