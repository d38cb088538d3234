-- Times are stored as INTEGER milliseconds since the Unix epoch (UTC) in both
-- dialects, so comparisons and ordering behave the same on SQLite and
-- PostgreSQL. JSON documents are stored as TEXT so that an event log reads
-- back byte for byte as it was written.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('trainee', 'trainer', 'manager', 'admin')),
    team          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT    NOT NULL,
    ip       TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    ok       INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX login_attempts_username_at ON login_attempts (username, at);
CREATE INDEX login_attempts_ip_at ON login_attempts (ip, at);

CREATE TABLE calls (
    id                TEXT    PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    scenario_id       TEXT    NOT NULL,
    scenario_revision TEXT    NOT NULL,
    mode              TEXT    NOT NULL CHECK (mode IN ('practice', 'exam')),
    seed              INTEGER NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('live', 'ended')),
    started_at        INTEGER NOT NULL,
    ended_at          INTEGER,
    outcome           TEXT    NOT NULL DEFAULT '',
    score             REAL,
    passed            INTEGER CHECK (passed IN (0, 1)),
    scorecard         TEXT
);
CREATE INDEX calls_user_id_started_at ON calls (user_id, started_at);
CREATE INDEX calls_status ON calls (status);

CREATE TABLE call_events (
    call_id TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL CHECK (seq > 0),
    type    TEXT    NOT NULL,
    payload TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (call_id, seq)
);
