-- What a task's notes were when last read, so a new comment is told apart from one already
-- seen: the count and the last note's author (a Practitioner id). NULL: never read.
ALTER TABLE tasks ADD COLUMN note_count INTEGER;
ALTER TABLE tasks ADD COLUMN last_note_by TEXT;

-- Everything notification-worthy, written in the transaction that found it worthy: the unread
-- list, and the popups still to show. `popup` is 'pending' until handed to the desktop,
-- 'shown' after, 'held' when quiet hours (or a pause) kept it off the screen. A crash between
-- the commit and the popup leaves 'pending', and the next start shows it. `event` ties a
-- notice to the change it announces, so that change is announced once.
CREATE TABLE notices (
    id       INTEGER PRIMARY KEY,
    system   TEXT    NOT NULL,
    task_id  TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    summary  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    actions  TEXT    NOT NULL DEFAULT '[]',
    permalink TEXT,
    at       INTEGER NOT NULL,
    popup    TEXT    NOT NULL CHECK (popup IN ('pending', 'shown', 'held')),
    read_at  INTEGER,
    event    INTEGER UNIQUE
);
CREATE INDEX notices_unread ON notices (id) WHERE read_at IS NULL;
CREATE INDEX notices_pending ON notices (id) WHERE popup = 'pending';

-- A reminder put off: it is shown again at `until` (Canvas's clock), once.
CREATE TABLE snoozes (
    system  TEXT    NOT NULL,
    task_id TEXT    NOT NULL,
    until   INTEGER NOT NULL,
    PRIMARY KEY (system, task_id)
) WITHOUT ROWID;

-- Announcements moved here: a mark an older Taskbell left (it stopped between a commit and
-- its popup) becomes a pending notice, so it is still shown, once.
INSERT INTO notices (system, task_id, kind, summary, body, permalink, at, popup, event)
SELECT e.system, e.task_id,
       CASE t.status WHEN 'completed' THEN 'completed' WHEN 'closed' THEN 'closed' ELSE 'reopened' END,
       CASE t.status WHEN 'completed' THEN 'Task completed' WHEN 'closed' THEN 'Task closed' ELSE 'Task reopened' END,
       CASE WHEN trim(t.description) = '' THEN '(no description)' ELSE t.description END,
       t.permalink, e.received_at, 'pending', e.rowid
FROM task_events e JOIN tasks t ON t.system = e.system AND t.task_id = e.task_id
WHERE e.announce = 1;
UPDATE task_events SET announce = 0 WHERE announce = 1;
