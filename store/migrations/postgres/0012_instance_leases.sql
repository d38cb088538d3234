-- Leases renewed by instance, not by call.
--
-- Renewing a lease used to rewrite the row of every live call an instance
-- drives, every ten seconds: thousands of row writes that held the store
-- writer (SQLite) or the calls' row locks (PostgreSQL) while replies
-- waited. Now an instance renews one row here, and a call's lease runs
-- until the later of its own lease_until (set when it is claimed; zero once
-- released) and its owner's lease_until below.

CREATE TABLE instance_leases (
    owner       TEXT    PRIMARY KEY,
    lease_until BIGINT NOT NULL
);
