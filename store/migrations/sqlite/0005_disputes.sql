-- Call ownership across instances, and disputes of scorecard items.
--
-- owner names the server instance that drives a live call (its clock and
-- its event log); owner_epoch goes up by one at every claim and fences the
-- writes of an instance that lost the call; lease_until (milliseconds) is
-- how long the claim holds without renewal, so a call whose instance died
-- is taken up by another. Zero means released: any instance may take it.

ALTER TABLE calls ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN owner_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_owner ON calls (owner, status);

-- A trainee's dispute of one checklist item of one ended call. One dispute
-- per item per call; the trainer's decision is final.
CREATE TABLE disputes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    item_id      TEXT    NOT NULL,
    turn         INTEGER NOT NULL CHECK (turn >= 0),
    text         TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
    trainee_id   INTEGER NOT NULL REFERENCES users (id),
    trainer_id   INTEGER REFERENCES users (id),
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    score_before REAL,
    score_after  REAL,
    UNIQUE (call_id, item_id)
);
CREATE INDEX disputes_state_created ON disputes (state, created_at);
CREATE INDEX disputes_trainee ON disputes (trainee_id, created_at);

-- Evaluation cases learnt from real use: a sentence and the intent a
-- trainer says it expresses. They are exported alongside the phrasebook
-- (coach eval-cases) to join the labelled evaluation set.
CREATE TABLE eval_cases (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    text       TEXT    NOT NULL,
    intent     TEXT    NOT NULL,
    entry_id   TEXT    NOT NULL DEFAULT '',
    dispute_id INTEGER REFERENCES disputes (id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    UNIQUE (text, intent)
);
