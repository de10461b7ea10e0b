-- Contributions, their decisions, moderators and their sessions.
-- Times are seconds since the epoch (UTC).
CREATE TABLE contributions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    -- The checked submission (JSON of model::Submission); never holds the e-mail address.
    submission    TEXT NOT NULL,
    object        TEXT NOT NULL,
    thread        TEXT NOT NULL,
    department    TEXT,
    centre_id     TEXT,
    status        TEXT NOT NULL,
    -- SHA-256 of the status token (the token itself is only given to the contributor).
    token_hash    TEXT NOT NULL,
    submitted_at  INTEGER NOT NULL,
    seen_at       INTEGER,
    decided_at    INTEGER,
    moderator     TEXT,
    reason        TEXT,
    duplicate_of  TEXT,
    first_approval_by TEXT,
    first_approval_at INTEGER
);
CREATE INDEX contributions_thread ON contributions(thread);
CREATE INDEX contributions_status ON contributions(status, submitted_at);
CREATE INDEX contributions_centre ON contributions(centre_id, kind, seen_at);

-- E-mail addresses, apart, never published, deleted after the retention.
CREATE TABLE emails (
    contribution_id TEXT PRIMARY KEY REFERENCES contributions(id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    stored_at       INTEGER NOT NULL
);

-- Every decision ever taken (the register shows the last one of each contribution; the
-- history stays).
CREATE TABLE decisions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    contribution_id TEXT NOT NULL REFERENCES contributions(id),
    decision        TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT,
    moderator       TEXT NOT NULL,
    decided_at      INTEGER NOT NULL
);
CREATE INDEX decisions_contribution ON decisions(contribution_id);

CREATE TABLE moderators (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the session cookie.
    id_hash    TEXT PRIMARY KEY,
    moderator  TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Server secrets (the form-token key).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
