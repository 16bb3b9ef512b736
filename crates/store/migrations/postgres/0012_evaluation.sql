-- 评标、定标与合同 (DOMAIN §2.2, §2.5; issue #14). (PostgreSQL) Keep in step with ../sqlite/0012_evaluation.sql.
-- Instants are UTC micros; templates, member lists, results and score entries are JSON TEXT
-- written and read with the `yiwang_core::evaluation` types.

-- 评标: one per section and round, from the opened section and the draw's checked-in committee.
CREATE TABLE evaluations (
    id                  TEXT PRIMARY KEY,
    section_id          TEXT NOT NULL REFERENCES trading_sections(id),
    round               BIGINT NOT NULL,
    draw_id             TEXT NOT NULL REFERENCES draw_requests(id),
    template            TEXT NOT NULL,
    members             TEXT NOT NULL,
    leader              TEXT NOT NULL,
    state               TEXT NOT NULL,
    pending_objections  BIGINT NOT NULL,
    extensions          BIGINT NOT NULL,
    ends_at             BIGINT NOT NULL,
    results             TEXT,
    report              TEXT,
    created_by          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (section_id, round)
);

-- 初步评审: the pass/fail result of each bid, with the recorded reason of a rejection.
CREATE TABLE evaluation_reviews (
    id              TEXT PRIMARY KEY,
    evaluation_id   TEXT NOT NULL REFERENCES evaluations(id),
    bid_id          TEXT NOT NULL,
    passed          BIGINT NOT NULL,
    reason          TEXT,
    note            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (evaluation_id, bid_id)
);

-- 评分表: one member's sheet for one bid, immutable once submitted.
CREATE TABLE evaluation_sheets (
    id              TEXT PRIMARY KEY,
    evaluation_id   TEXT NOT NULL REFERENCES evaluations(id),
    member_id       TEXT NOT NULL,
    bid_id          TEXT NOT NULL,
    entries         TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    UNIQUE (evaluation_id, member_id, bid_id)
);

-- What members do besides scoring: outlier reasons, time votes, report signatures.
CREATE TABLE evaluation_acts (
    id              TEXT PRIMARY KEY,
    evaluation_id   TEXT NOT NULL REFERENCES evaluations(id),
    member_id       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (evaluation_id, member_id, kind, subject)
);
CREATE INDEX evaluation_acts_evaluation ON evaluation_acts(evaluation_id);
