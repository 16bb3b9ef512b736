-- 专家库与随机抽取 (SQLite) (DOMAIN §2.4, issue #13). Keep in step with the ../postgres/0009_experts.sql.
-- Dates (terms, employment, unavailability, penalties) are ISO TEXT (YYYY-MM-DD); instants are
-- UTC micros. Lists that are only ever read whole (titles, specialties) are JSON TEXT.

-- 评标专家: the profile, the managing department (管用分离: only it changes the status) and the
-- term of appointment. `user_id` links the expert's own account (self-application, invitations).
CREATE TABLE experts (
    id                    TEXT PRIMARY KEY,
    user_id               TEXT UNIQUE,
    managing_org_id       TEXT NOT NULL REFERENCES organisations(id),
    name                  TEXT NOT NULL,
    id_number             TEXT NOT NULL UNIQUE,
    mobile                TEXT NOT NULL,
    region                TEXT NOT NULL,
    status                TEXT NOT NULL,
    status_reason         TEXT,
    field_since           TEXT NOT NULL,
    titles                TEXT NOT NULL,
    specialties           TEXT NOT NULL,
    electronic            BIGINT NOT NULL,
    fit_for_duty          BIGINT NOT NULL,
    term_start            TEXT,
    term_end              TEXT,
    min_gap_days          BIGINT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX experts_managing ON experts(managing_org_id);
CREATE INDEX experts_status ON experts(status);

-- 任职经历: employer (by 统一社会信用代码) with start and end, the data avoidance looks back on.
CREATE TABLE expert_employments (
    id          TEXT PRIMARY KEY,
    expert_id   TEXT NOT NULL REFERENCES experts(id),
    org_code    TEXT NOT NULL,
    org_name    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX expert_employments_expert ON expert_employments(expert_id);
CREATE INDEX expert_employments_org ON expert_employments(org_code);

-- 申报的利害关系: relatives of principals (by identity number) and economic interests.
CREATE TABLE expert_conflicts (
    id          TEXT PRIMARY KEY,
    expert_id   TEXT NOT NULL REFERENCES experts(id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX expert_conflicts_expert ON expert_conflicts(expert_id);

-- 不能参加评标的日期 (the availability calendar: declared absences).
CREATE TABLE expert_unavailability (
    id          TEXT PRIMARY KEY,
    expert_id   TEXT NOT NULL REFERENCES experts(id),
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX expert_unavailability_expert ON expert_unavailability(expert_id);

-- 处罚与考核记录: talks, draw bans, misconduct penalties, debarment (credit records).
CREATE TABLE expert_penalties (
    id          TEXT PRIMARY KEY,
    expert_id   TEXT NOT NULL REFERENCES experts(id),
    kind        TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    reason      TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX expert_penalties_expert ON expert_penalties(expert_id);

-- 抽取申请 and its one attempt: the request, the commitment made before it, the pool after
-- avoidance, the late entropy, the result, the roster (seats, reserves, vacancies) and, after
-- the evaluation, the revealed secret. `*_seq` are the ledger positions of each step.
CREATE TABLE draw_requests (
    id                   TEXT PRIMARY KEY,
    section_id           TEXT NOT NULL REFERENCES trading_sections(id),
    centre_org_id        TEXT NOT NULL REFERENCES organisations(id),
    operator_id          TEXT NOT NULL,
    status               TEXT NOT NULL,
    request              TEXT NOT NULL,
    request_digest       TEXT NOT NULL,
    commitment           TEXT NOT NULL,
    commit_seq           BIGINT NOT NULL,
    request_seq          BIGINT NOT NULL,
    place                TEXT NOT NULL,
    starts_at            BIGINT NOT NULL,
    answer_secs          BIGINT NOT NULL,
    screening            TEXT,
    pool                 TEXT,
    pool_digest          TEXT,
    pool_seq             BIGINT,
    contributions        TEXT,
    contribution_seq     BIGINT,
    result               TEXT,
    result_seq           BIGINT,
    shortfalls           TEXT,
    roster               TEXT,
    checked_in_at        BIGINT,
    ended_at             BIGINT,
    secret               TEXT,
    reveal_seq           BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX draw_requests_section ON draw_requests(section_id);

-- 专家邀请: one seat of a drawn committee (the roster's projection the expert and the
-- answer-timeout job read).
CREATE TABLE draw_invitations (
    id           TEXT PRIMARY KEY,
    draw_id      TEXT NOT NULL REFERENCES draw_requests(id),
    expert_id    TEXT NOT NULL REFERENCES experts(id),
    line         BIGINT NOT NULL,
    state        TEXT NOT NULL,
    invited_at   BIGINT NOT NULL,
    replaces     TEXT,
    site         TEXT,
    updated_at   BIGINT NOT NULL,
    UNIQUE (draw_id, expert_id)
);
CREATE INDEX draw_invitations_expert ON draw_invitations(expert_id);
CREATE INDEX draw_invitations_state ON draw_invitations(state, invited_at);
