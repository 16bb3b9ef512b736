-- Cases (办件, DOMAIN.md §1.3). Keep in step with ../sqlite/0007_cases.sql.

-- 办件编号流水: one counter row per region and Beijing date, incremented in the creating
-- transaction (an upsert), so numbers stay unique with several nodes.
CREATE TABLE case_number_seq (
    region_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (region_code, day)
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    item_id           TEXT NOT NULL REFERENCES catalog_items(id),
    item_version      BIGINT NOT NULL,
    item_name         TEXT NOT NULL,
    channel           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    -- The account that applies (or for whom an agent applies) and the applicant's details (JSON
    -- of yiwang_core::cases::Applicant); applicant_name is kept unmasked, lists mask it.
    applicant_user_id TEXT NOT NULL,
    applicant         TEXT NOT NULL,
    applicant_name    TEXT NOT NULL,
    agent_user_id     TEXT,
    mandate           TEXT,
    -- The reviewing (implementing) department and the receiving centre (一窗受理).
    org_id            TEXT NOT NULL REFERENCES organisations(id),
    centre_id         TEXT NOT NULL REFERENCES organisations(id),
    registered_by     TEXT,
    form              TEXT NOT NULL,
    query_hash        TEXT,
    received_at       BIGINT,
    accepted_at       BIGINT,
    decided_at        BIGINT,
    completed_at      BIGINT,
    delivered_at      BIGINT,
    outcome           TEXT,
    decision_note     TEXT,
    delivery          TEXT,
    legal_days        BIGINT NOT NULL,
    promised_days     BIGINT NOT NULL,
    -- The clock (JSON of CaseClock: start, limit, extension, pauses) from acceptance.
    clock             TEXT,
    extended          BIGINT NOT NULL,
    -- The review plan (JSON of ReviewPlan) from dispatch; participants (JSON list) of a joint item.
    plan              TEXT,
    participants      TEXT NOT NULL,
    -- 容缺受理: the pending materials (JSON list) and the committed date (YYYY-MM-DD).
    pending           TEXT NOT NULL,
    committed_by      TEXT,
    -- The supervised deadline (exclusive end, micros) for the inbox; the warnings not yet raised.
    due_at            BIGINT,
    warning_level     TEXT NOT NULL,
    next_warn_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX cases_org ON cases(org_id, status);
CREATE INDEX cases_centre ON cases(centre_id, status);
CREATE INDEX cases_applicant ON cases(applicant_user_id, created_at);
CREATE INDEX cases_agent ON cases(agent_user_id, created_at);
CREATE INDEX cases_next_warn ON cases(next_warn_at);
CREATE INDEX cases_created ON cases(created_at);

-- Materials: files in the blob store by SM3 digest, against the item version's material list.
CREATE TABLE case_materials (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    material     TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    digest       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX case_materials_case ON case_materials(case_id);
CREATE INDEX case_materials_digest ON case_materials(digest);

-- History: one row per transition, with who did it, in which role and organisation, and why.
CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    seq         BIGINT NOT NULL,
    event       TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor_id    TEXT,
    role        TEXT,
    org_id      TEXT,
    reason      TEXT,
    detail      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    UNIQUE (case_id, seq)
);

-- 一次性告知: each notice round with every listed material and the materials as they stood.
CREATE TABLE case_notices (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    round       BIGINT NOT NULL,
    notice      TEXT NOT NULL,
    materials   TEXT NOT NULL,
    reason      TEXT,
    issued_by   TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (case_id, round)
);

-- 并联审批: one opinion per review task (a participating department's, or a step of the lead's).
CREATE TABLE case_opinions (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    task          TEXT NOT NULL,
    department_id TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    comment       TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    at            BIGINT NOT NULL,
    UNIQUE (case_id, task)
);
-- The participating departments' inboxes.
CREATE TABLE case_parties (
    case_id TEXT NOT NULL REFERENCES cases(id),
    org_id  TEXT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (case_id, org_id)
);
CREATE INDEX case_parties_org ON case_parties(org_id);

-- The officers' inboxes: one row per open case and organisation whose inbox shows it (the
-- reviewing department, the receiving centre, participating departments), keyed by the deadline
-- (no deadline sorts last), so the first page is an ordered index range. Derived from the case
-- rows on every transition; not covered by the ledger (like an index).
CREATE TABLE case_inbox (
    org_id  TEXT NOT NULL,
    due_key BIGINT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (org_id, due_key, case_id)
);
CREATE INDEX case_inbox_case ON case_inbox(case_id);

-- 电子监察: each warning fires exactly once per case, step and level.
CREATE TABLE case_warnings (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases(id),
    step     TEXT NOT NULL,
    level    TEXT NOT NULL,
    org_id   TEXT NOT NULL,
    deadline BIGINT NOT NULL,
    fired_at BIGINT NOT NULL,
    UNIQUE (case_id, step, level)
);
CREATE INDEX case_warnings_org ON case_warnings(org_id, fired_at);

-- 电子监察: violations (repeated notice, …) by department and officer.
CREATE TABLE case_violations (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    violation  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    officer_id TEXT,
    detail     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX case_violations_org ON case_violations(org_id, at);
