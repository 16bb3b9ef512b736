-- API tokens end: a token issued from now on carries its expiry. Tokens issued before this
-- migration keep NULL and lapse a fixed time after their issue (see identity::LEGACY_TOKEN_DAYS),
-- so their ledger digests stay as they were recorded.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed sign-ins (page and token grant): for throttling password guessing and for supervisors.
-- Operational like sessions, not covered by the ledger: an anonymous caller must not be able to
-- grow the ledger by guessing passwords.
CREATE TABLE sign_in_failures (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    username  TEXT NOT NULL,
    user_id   TEXT,
    address   TEXT NOT NULL,
    channel   TEXT NOT NULL,
    reason    TEXT NOT NULL
);
CREATE INDEX sign_in_failures_username ON sign_in_failures(username, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures(address, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures(at);
