-- report_findings counted per UTC day, so a date filter in the site's time
-- zone (--timezone, Asia/Shanghai by default) cut across two of its days.
-- It now counts in rows of three widths (hours): every hour since the Unix
-- epoch (1), fine enough to add up to the days of any zone with a
-- whole-hour offset; every UTC day (24), so that a range reads the days it
-- holds whole from few rows and only the hours at its ends from hour rows;
-- and all time (0, hour -1), so that the default view stays one indexed
-- lookup. Zones with half-hour offsets are counted to the hour (the store
-- rounds a filter's ends down to whole hours). Attempts that ended before
-- 1970 count in hour 0, so no real hour is -1. The table is made again and
-- filled from the calls stored, as 0007 filled it.

DROP TABLE report_findings;

-- hour is the first hour a row counts, hours how many it counts (1, 24, or
-- 0 for all time). team is the trainee's team when the call ended; kind is
-- 'item' (key: the checklist item id, label: its title) or 'phrase'
-- (scenario_id is empty, key: the phrase, label: its intent, extra: the
-- suggested replacement).
CREATE TABLE report_findings (
    team        TEXT   NOT NULL,
    hours       BIGINT NOT NULL CHECK (hours IN (0, 1, 24)),
    hour        BIGINT NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('item', 'phrase')),
    scenario_id TEXT   NOT NULL,
    key         TEXT   NOT NULL,
    label       TEXT   NOT NULL,
    extra       TEXT   NOT NULL,
    count       BIGINT NOT NULL,
    graded      BIGINT NOT NULL,
    PRIMARY KEY (team, hours, hour, kind, scenario_id, key)
);
CREATE INDEX report_findings_span ON report_findings (kind, hours, hour);

-- Each stored attempt counts once in its hour, once in its UTC day and once
-- in all time. The scorecards are read once, for the hours, which then add
-- up to the days and all time. A scorecard jsonb cannot read (a \u0000 escape) is left out.
INSERT INTO report_findings (team, hours, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, 1, GREATEST(c.ended_at, 0) / 3600000, 'item', c.scenario_id,
       i ->> 'id', MAX(COALESCE(i ->> 'title', '')), '',
       SUM(CASE WHEN (i ->> 'done') = 'true' THEN 0 ELSE 1 END), COUNT(*)
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'checklist') = 'array'
         THEN c.scorecard::jsonb -> 'checklist' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'id') = 'string'
GROUP BY 1, 3, 5, 6;

INSERT INTO report_findings (team, hours, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, 1, GREATEST(c.ended_at, 0) / 3600000, 'phrase', '',
       i ->> 'phrase', MAX(COALESCE(i ->> 'intent', '')), MAX(COALESCE(i ->> 'suggestion', '')), COUNT(*), 0
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'forbidden') = 'array'
         THEN c.scorecard::jsonb -> 'forbidden' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'phrase') = 'string'
GROUP BY 1, 3, 6;

INSERT INTO report_findings (team, hours, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT team, 24, hour / 24 * 24, kind, scenario_id, key, MAX(label), MAX(extra), SUM(count), SUM(graded)
FROM report_findings WHERE hours = 1
GROUP BY team, hour / 24 * 24, kind, scenario_id, key;

INSERT INTO report_findings (team, hours, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT team, 0, -1, kind, scenario_id, key, MAX(label), MAX(extra), SUM(count), SUM(graded)
FROM report_findings WHERE hours = 1
GROUP BY team, kind, scenario_id, key;
