-- Work orders (the agent's desk): the ticket a trainee submitted in a call,
-- stored with the call when it ends, and its fields as graded, for the
-- trainee's ticket list and the managers' ticket accuracy.
--
-- submitted_at is wall-clock milliseconds (the call's start plus the
-- seconds into the call it was first submitted); state is an id
-- (pending-dispatch: 待派单) that later follow-up work advances; entered is
-- the ticket as the trainee filled it in (JSON).

-- desk says the call was taken at the agent's desk (lookups, work orders,
-- a wrap-up after the conversation), which rebuilding it must know; calls
-- from before the desk had none.
ALTER TABLE calls ADD COLUMN desk INTEGER NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    call_id      TEXT    PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    number       TEXT    NOT NULL,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    state        TEXT    NOT NULL,
    submitted_at BIGINT  NOT NULL,
    entered      TEXT    NOT NULL,
    fields_ok    INTEGER NOT NULL CHECK (fields_ok >= 0),
    fields_total INTEGER NOT NULL CHECK (fields_total >= fields_ok)
);
CREATE INDEX tickets_user_submitted ON tickets (user_id, submitted_at);

-- One row per graded field of a ticket: whether it held what the caller
-- said. The user and the time are the ticket's, repeated so that the
-- managers' aggregate (per trainee and field, over a time range) reads one
-- covering index and no other table.
CREATE TABLE ticket_fields (
    call_id      TEXT    NOT NULL REFERENCES tickets (call_id) ON DELETE CASCADE,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    submitted_at BIGINT  NOT NULL,
    field        TEXT    NOT NULL,
    ok           INTEGER NOT NULL CHECK (ok IN (0, 1)),
    PRIMARY KEY (call_id, field)
);
CREATE INDEX ticket_fields_user_field ON ticket_fields (user_id, field, submitted_at, ok);
