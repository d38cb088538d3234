-- Authored content: scenarios and phrasebook files, each a series of
-- revisions. Every save appends a revision; nothing is updated in place but
-- the content row's summary. A publication is a snapshot naming the revision
-- of every published content unit; new calls use the newest publication, and
-- a call records the one it ran against.

CREATE TABLE content (
    kind          TEXT    NOT NULL CHECK (kind IN ('scenario', 'phrases')),
    id            TEXT    NOT NULL,
    head          INTEGER NOT NULL,
    published_rev INTEGER,
    retired       INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE content_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    content_id TEXT    NOT NULL,
    n          INTEGER NOT NULL CHECK (n > 0),
    author_id  INTEGER,
    author     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    message    TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL,
    golden     TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (kind, content_id, n),
    FOREIGN KEY (kind, content_id) REFERENCES content (kind, id)
);

CREATE TABLE publications (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    manifest TEXT    NOT NULL
);
