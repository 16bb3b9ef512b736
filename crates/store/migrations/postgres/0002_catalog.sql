-- Service catalogue (PostgreSQL). Keep in step with ../sqlite/0002_catalog.sql.

CREATE TABLE catalog_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO catalog_revision (id, revision) VALUES (1, 0);

CREATE TABLE catalog_items (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL,
    org_id            TEXT NOT NULL REFERENCES organisations(id),
    base_item_id      TEXT REFERENCES catalog_items(id),
    name              TEXT NOT NULL,
    item_type         TEXT NOT NULL,
    status            TEXT NOT NULL,
    latest_version    BIGINT NOT NULL,
    published_version BIGINT,
    revision          BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (code, org_id)
);
CREATE INDEX catalog_items_revision ON catalog_items(revision);
CREATE INDEX catalog_items_org ON catalog_items(org_id);

CREATE TABLE catalog_item_versions (
    item_id      TEXT NOT NULL REFERENCES catalog_items(id),
    version      BIGINT NOT NULL,
    body         TEXT NOT NULL,
    frozen       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT,
    published_at BIGINT,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE catalog_bundles (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    body       TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (code, org_id)
);
CREATE INDEX catalog_bundles_revision ON catalog_bundles(revision);

CREATE TABLE catalog_files (
    id           TEXT PRIMARY KEY,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    digest       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE catalog_questions (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES catalog_items(id),
    asker_id    TEXT NOT NULL REFERENCES users(id),
    question    TEXT NOT NULL,
    answer      TEXT,
    answered_by TEXT,
    status      TEXT NOT NULL,
    faq         BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX catalog_questions_item ON catalog_questions(item_id);
CREATE INDEX catalog_questions_status ON catalog_questions(status);
