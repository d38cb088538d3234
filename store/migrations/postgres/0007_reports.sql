-- Reports read aggregates, not attempts. report_totals holds each user's
-- all-time record per scenario and mode (the dashboards' default view);
-- report_findings counts, per team and UTC day, how often each checklist
-- item was missed (out of the times it was graded) and each forbidden
-- phrase was said, in trainees' attempts, with one more row per key at day
-- -1 for all days. Both are kept up to date by the store in the
-- transaction that ends a call or changes its score, and are filled here
-- from the attempts already stored.

CREATE TABLE report_totals (
    user_id     BIGINT           NOT NULL REFERENCES users (id),
    scenario_id TEXT             NOT NULL,
    mode        TEXT             NOT NULL,
    attempts    BIGINT           NOT NULL,
    passed      BIGINT           NOT NULL,
    best        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (user_id, scenario_id, mode)
);

-- team is the trainee's team when the call ended; kind is 'item' (key: the
-- checklist item id, label: its title) or 'phrase' (scenario_id is empty,
-- key: the phrase, label: its intent, extra: the suggested replacement).
CREATE TABLE report_findings (
    team        TEXT   NOT NULL,
    day         BIGINT NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('item', 'phrase')),
    scenario_id TEXT   NOT NULL,
    key         TEXT   NOT NULL,
    label       TEXT   NOT NULL,
    extra       TEXT   NOT NULL,
    count       BIGINT NOT NULL,
    graded      BIGINT NOT NULL,
    PRIMARY KEY (team, day, kind, scenario_id, key)
);
CREATE INDEX report_findings_day ON report_findings (day, kind);

-- The matrix over a range of days reads attempts by when they ended, from
-- the index alone: every trainee's (the CSV) by time, a page of trainees'
-- trainee by trainee.
CREATE INDEX calls_report_ended ON calls (ended_at, user_id, scenario_id, mode, score, passed);
CREATE INDEX calls_report_user ON calls (user_id, ended_at, scenario_id, mode, score, passed);
-- The live calls, for the lease checks (store/leases.go): among a million
-- ended calls the planner must not judge owner or status by their few
-- values and scan the table.
CREATE INDEX calls_live ON calls (owner, lease_until) WHERE status = 'live';
-- Certification reads the passed attempts in a track's mode, trainee by
-- trainee and scenario by scenario.
CREATE INDEX calls_report_passed ON calls (mode, user_id, scenario_id, ended_at, score, passed) WHERE passed;

INSERT INTO report_totals (user_id, scenario_id, mode, attempts, passed, best)
SELECT user_id, scenario_id, mode, COUNT(*), SUM(CASE WHEN passed THEN 1 ELSE 0 END), MAX(COALESCE(score, 0))
FROM calls WHERE ended_at IS NOT NULL
GROUP BY user_id, scenario_id, mode;

-- Each stored attempt counts once in its day and once in all days (-1). A
-- scorecard jsonb cannot read (a \u0000 escape) is left out.
INSERT INTO report_findings (team, day, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_days = 1 THEN -1 ELSE c.ended_at / 86400000 END, 'item', c.scenario_id,
       i ->> 'id', MAX(COALESCE(i ->> 'title', '')), '',
       SUM(CASE WHEN (i ->> 'done') = 'true' THEN 0 ELSE 1 END), COUNT(*)
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN (VALUES (0), (1)) k (all_days)
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'checklist') = 'array'
         THEN c.scorecard::jsonb -> 'checklist' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'id') = 'string'
GROUP BY 1, 2, 4, 5;

INSERT INTO report_findings (team, day, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_days = 1 THEN -1 ELSE c.ended_at / 86400000 END, 'phrase', '',
       i ->> 'phrase', MAX(COALESCE(i ->> 'intent', '')), MAX(COALESCE(i ->> 'suggestion', '')), COUNT(*), 0
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN (VALUES (0), (1)) k (all_days)
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'forbidden') = 'array'
         THEN c.scorecard::jsonb -> 'forbidden' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'phrase') = 'string'
GROUP BY 1, 2, 5;
