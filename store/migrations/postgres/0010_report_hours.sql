-- report_findings counted per UTC day, so a date filter in the site's time
-- zone (--timezone, Asia/Shanghai by default) cut across two of its days.
-- It now counts per hour since the Unix epoch, fine enough to follow any
-- zone with a whole-hour offset; zones with half-hour offsets are counted
-- to the hour (the store rounds a filter's ends down to whole hours).
-- hour -1 still holds the all-time rows, so the default view stays one
-- indexed lookup; attempts that ended before 1970 count in hour 0, so no
-- real hour is ever -1. The table is rebuilt and refilled from the calls
-- stored, as 0007 filled it.

DROP TABLE report_findings;

-- team is the trainee's team when the call ended; kind is 'item' (key: the
-- checklist item id, label: its title) or 'phrase' (scenario_id is empty,
-- key: the phrase, label: its intent, extra: the suggested replacement).
CREATE TABLE report_findings (
    team        TEXT   NOT NULL,
    hour        BIGINT NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('item', 'phrase')),
    scenario_id TEXT   NOT NULL,
    key         TEXT   NOT NULL,
    label       TEXT   NOT NULL,
    extra       TEXT   NOT NULL,
    count       BIGINT NOT NULL,
    graded      BIGINT NOT NULL,
    PRIMARY KEY (team, hour, kind, scenario_id, key)
);
CREATE INDEX report_findings_hour ON report_findings (hour, kind);

-- Each stored attempt counts once in its hour and once in all time (-1). A
-- scorecard jsonb cannot read (a \u0000 escape) is left out.
INSERT INTO report_findings (team, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_time = 1 THEN -1 ELSE GREATEST(c.ended_at, 0) / 3600000 END, 'item', c.scenario_id,
       i ->> 'id', MAX(COALESCE(i ->> 'title', '')), '',
       SUM(CASE WHEN (i ->> 'done') = 'true' THEN 0 ELSE 1 END), COUNT(*)
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN (VALUES (0), (1)) k (all_time)
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'checklist') = 'array'
         THEN c.scorecard::jsonb -> 'checklist' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'id') = 'string'
GROUP BY 1, 2, 4, 5;

INSERT INTO report_findings (team, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_time = 1 THEN -1 ELSE GREATEST(c.ended_at, 0) / 3600000 END, 'phrase', '',
       i ->> 'phrase', MAX(COALESCE(i ->> 'intent', '')), MAX(COALESCE(i ->> 'suggestion', '')), COUNT(*), 0
FROM calls c JOIN users u ON u.id = c.user_id
     CROSS JOIN (VALUES (0), (1)) k (all_time)
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.scorecard::jsonb -> 'forbidden') = 'array'
         THEN c.scorecard::jsonb -> 'forbidden' ELSE '[]'::jsonb END) i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND POSITION('\u0000' IN c.scorecard) = 0
  AND jsonb_typeof(i -> 'phrase') = 'string'
GROUP BY 1, 2, 5;
