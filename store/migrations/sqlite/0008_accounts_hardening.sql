-- Accounts with real names, first-run setup, login throttling without
-- lockout, and the log that tells every instance which sessions ended.

-- A person's real name and optional employee number, shown wherever the
-- account is named to people; must_change_password makes the next sign-in
-- ask for a new password (after an admin set a temporary one).
ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN employee_no TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));

-- One-time tokens: the first-run setup link (kind 'setup', user_id NULL)
-- and an admin's password-reset link (kind 'reset'). Only a hash of the
-- token is kept. A token works once: used_at is set when it is spent.
CREATE TABLE one_time_tokens (
    token_hash TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('setup', 'reset')),
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX one_time_tokens_kind ON one_time_tokens (kind, user_id);

-- Login throttle counters, one row per key ("pair:USERNAME|ADDRESS",
-- "addr:ADDRESS"): password checks started (and not given back by a
-- success) in the window that opened at window_start. Incremented before
-- the password is checked, in one statement, so parallel guesses cannot
-- all pass a check made before any is counted.
CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
);

-- Sessions ended by logout, a disabled account, a role or password change.
-- Every instance reads the rows past the last it saw and closes the
-- matching sockets; token_hash '' means every session of the user.
CREATE TABLE session_ends (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    token_hash TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
