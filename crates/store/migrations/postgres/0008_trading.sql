-- Trading (公共资源交易, DOMAIN Part 2) (PostgreSQL). Keep in step with ../sqlite/0008_trading.sql.
-- Money (estimated prices, deposits, bid prices) is exact decimal TEXT on both backends, written
-- by rust_decimal and read back with it; never a float.

-- 市场主体: tenderees, agencies and bidders, each with the SM2 public key its submissions are
-- verified against (the private key is given to the party once and never kept).
CREATE TABLE trading_parties (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organisations(id),
    credit_code           TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    legal_representative  TEXT NOT NULL,
    basic_account         TEXT,
    qualifications        TEXT NOT NULL,
    temporary_section     TEXT,
    temporary_until       BIGINT,
    key_algorithm         TEXT NOT NULL,
    public_key            TEXT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    UNIQUE (credit_code, kind)
);
CREATE INDEX trading_parties_org ON trading_parties(org_id);

CREATE TABLE trading_projects (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    tenderee_id    TEXT NOT NULL REFERENCES trading_parties(id),
    agency_id      TEXT REFERENCES trading_parties(id),
    centre_org_id  TEXT NOT NULL REFERENCES organisations(id),
    created_by     TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- 标段: the transaction code is issued when the centre accepts the 进场登记 (accepted_at).
CREATE TABLE trading_sections (
    id               TEXT PRIMARY KEY,
    project_id       TEXT NOT NULL REFERENCES trading_projects(id),
    number           BIGINT NOT NULL,
    name             TEXT NOT NULL,
    transaction_code TEXT UNIQUE,
    field            TEXT NOT NULL,
    sub_category     BIGINT NOT NULL,
    method           TEXT NOT NULL,
    estimated_price  TEXT NOT NULL,
    deposit          TEXT,
    state            TEXT NOT NULL,
    resume_to        TEXT,
    round            BIGINT NOT NULL,
    notice_at        BIGINT,
    documents_from   BIGINT,
    documents_until  BIGINT,
    bid_deadline     BIGINT,
    opening_at       BIGINT,
    suspended_at     BIGINT,
    accepted_at      BIGINT,
    accepted_by      TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (project_id, number)
);
CREATE INDEX trading_sections_state ON trading_sections(state, bid_deadline);

-- Daily sequence of issued transaction codes.
CREATE TABLE trading_code_sequences (
    day  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- 招标文件: contents in the blob store; clauses as checked, findings and recorded justifications.
CREATE TABLE trading_documents (
    id             TEXT PRIMARY KEY,
    section_id     TEXT NOT NULL REFERENCES trading_sections(id),
    version        BIGINT NOT NULL,
    filename       TEXT NOT NULL,
    blob_digest    TEXT NOT NULL,
    size           BIGINT NOT NULL,
    clauses        TEXT NOT NULL,
    findings       TEXT NOT NULL,
    justifications TEXT NOT NULL,
    created_by     TEXT,
    created_at     BIGINT NOT NULL,
    published_at   BIGINT,
    UNIQUE (section_id, version)
);

CREATE TABLE trading_downloads (
    id          TEXT PRIMARY KEY,
    section_id  TEXT NOT NULL REFERENCES trading_sections(id),
    document_id TEXT NOT NULL REFERENCES trading_documents(id),
    party_id    TEXT NOT NULL REFERENCES trading_parties(id),
    at          BIGINT NOT NULL,
    address     TEXT NOT NULL
);
CREATE INDEX trading_downloads_section ON trading_downloads(section_id, party_id);

-- 澄清/修改
CREATE TABLE trading_clarifications (
    id              TEXT PRIMARY KEY,
    section_id      TEXT NOT NULL REFERENCES trading_sections(id),
    substantive     BOOLEAN NOT NULL,
    body            TEXT NOT NULL,
    issued_at       BIGINT NOT NULL,
    deadline_before BIGINT NOT NULL,
    deadline_after  BIGINT NOT NULL,
    created_by      TEXT
);
CREATE INDEX trading_clarifications_section ON trading_clarifications(section_id);

-- 异议
CREATE TABLE trading_objections (
    id          TEXT PRIMARY KEY,
    section_id  TEXT NOT NULL REFERENCES trading_sections(id),
    party_id    TEXT NOT NULL REFERENCES trading_parties(id),
    body        TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    answer_due  BIGINT,
    answer      TEXT,
    answered_at BIGINT
);
CREATE INDEX trading_objections_section ON trading_objections(section_id);

-- 投标保证金: one virtual account per section and bidder.
CREATE TABLE trading_deposits (
    id              TEXT PRIMARY KEY,
    section_id      TEXT NOT NULL REFERENCES trading_sections(id),
    party_id        TEXT NOT NULL REFERENCES trading_parties(id),
    virtual_account TEXT NOT NULL UNIQUE,
    required        TEXT NOT NULL,
    payer_account   TEXT,
    amount          TEXT,
    received_at     BIGINT,
    refund_trigger  TEXT,
    refund_due_at   BIGINT,
    refunded_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (section_id, party_id)
);

-- 投标文件 (sealed): only the ciphertext's digest, size and the bidder's signature; the
-- ciphertext is in the blob store. Price and duration appear only after decryption.
CREATE TABLE trading_bids (
    id                TEXT PRIMARY KEY,
    section_id        TEXT NOT NULL REFERENCES trading_sections(id),
    round             BIGINT NOT NULL,
    party_id          TEXT NOT NULL REFERENCES trading_parties(id),
    version           BIGINT NOT NULL,
    blob_digest       TEXT NOT NULL,
    ciphertext_digest TEXT NOT NULL,
    size              BIGINT NOT NULL,
    signature         TEXT NOT NULL,
    status            TEXT NOT NULL,
    receipt_no        TEXT NOT NULL UNIQUE,
    submitted_at      BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    plaintext_digest  TEXT,
    price             TEXT,
    duration_days     BIGINT,
    ledger_seq        BIGINT,
    receipt_signature TEXT
);
-- No unique version: a bid submitted again after a withdrawal starts again at version 1.
CREATE INDEX trading_bids_section ON trading_bids(section_id, round, party_id, submitted_at);

-- 开标: one row per section and round (the unique key makes the opening happen once).
CREATE TABLE trading_openings (
    id               TEXT PRIMARY KEY,
    section_id       TEXT NOT NULL REFERENCES trading_sections(id),
    round            BIGINT NOT NULL,
    decided_at       BIGINT NOT NULL,
    outcome          TEXT NOT NULL,
    sealed_bids      BIGINT NOT NULL,
    needed           BIGINT NOT NULL,
    window_until     BIGINT NOT NULL,
    record           TEXT,
    record_signature TEXT,
    closed_at        BIGINT,
    UNIQUE (section_id, round)
);
