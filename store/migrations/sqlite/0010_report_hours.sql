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
    team        TEXT    NOT NULL,
    hour        INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('item', 'phrase')),
    scenario_id TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    extra       TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    graded      INTEGER NOT NULL,
    PRIMARY KEY (team, hour, kind, scenario_id, key)
);
CREATE INDEX report_findings_hour ON report_findings (hour, kind);

-- Each stored attempt counts once in its hour and once in all time (-1).
INSERT INTO report_findings (team, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_time = 1 THEN -1 ELSE MAX(c.ended_at, 0) / 3600000 END, 'item', c.scenario_id,
       json_extract(i.value, '$.id'), MAX(COALESCE(json_extract(i.value, '$.title'), '')), '',
       SUM(CASE WHEN json_extract(i.value, '$.done') THEN 0 ELSE 1 END), COUNT(*)
FROM calls c JOIN users u ON u.id = c.user_id
     JOIN (SELECT 0 AS all_time UNION ALL SELECT 1) k
     JOIN json_each(c.scorecard, '$.checklist') i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND json_valid(c.scorecard)
  AND json_type(c.scorecard, '$.checklist') = 'array' AND json_type(i.value, '$.id') = 'text'
GROUP BY 1, 2, 4, 5;

INSERT INTO report_findings (team, hour, kind, scenario_id, key, label, extra, count, graded)
SELECT u.team, CASE WHEN k.all_time = 1 THEN -1 ELSE MAX(c.ended_at, 0) / 3600000 END, 'phrase', '',
       json_extract(i.value, '$.phrase'), MAX(COALESCE(json_extract(i.value, '$.intent'), '')),
       MAX(COALESCE(json_extract(i.value, '$.suggestion'), '')), COUNT(*), 0
FROM calls c JOIN users u ON u.id = c.user_id
     JOIN (SELECT 0 AS all_time UNION ALL SELECT 1) k
     JOIN json_each(c.scorecard, '$.forbidden') i
WHERE c.ended_at IS NOT NULL AND u.role = 'trainee' AND json_valid(c.scorecard)
  AND json_type(c.scorecard, '$.forbidden') = 'array' AND json_type(i.value, '$.phrase') = 'text'
GROUP BY 1, 2, 5;
