-- Certification: which teams must take which tracks, and the managers'
-- decisions about each trainee's certificate. Whether a trainee is certified
-- is worked out from these decisions, their attempts and the clock (package
-- cert); nothing here stores a state that could go stale.

CREATE TABLE track_assignments (
    team        TEXT    NOT NULL CHECK (team <> ''),
    track_id    TEXT    NOT NULL,
    assigned_at INTEGER NOT NULL,
    assigned_by TEXT    NOT NULL,
    PRIMARY KEY (team, track_id)
);

-- A decision is a sign-off, a suspension or a reinstatement, with the
-- manager's comment. A sign-off carries the expiry computed from the track's
-- validity when it was made; other decisions have expires_at 0.
CREATE TABLE cert_decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    track_id   TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('signoff', 'suspend', 'reinstate')),
    at         INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0,
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    actor      TEXT    NOT NULL,
    comment    TEXT    NOT NULL
);
CREATE INDEX cert_decisions_user_track ON cert_decisions (user_id, track_id, at);

-- Dashboards filter attempts by when they ended.
CREATE INDEX calls_ended_at ON calls (ended_at);
