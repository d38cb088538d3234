-- Ending a call used to count it in report_totals and report_findings in
-- the same transaction: some fifty upserts on the one writer, which the
-- appends of every live call queued behind. Now the end only records the
-- call here, and the store's reporter counts the calls recorded in batches
-- (store/reports_pending.go): each is deleted from this table in the
-- transaction that counts it, so it is counted exactly once, however many
-- instances drain the table. A call is here from its end until it is
-- counted; the calls ended before this migration are counted already.
CREATE TABLE report_pending (
    call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE
);
