-- A transition the user is to be told about is marked in the same transaction that stores it,
-- and cleared once the notification was handed to the desktop. A crash in between leaves the
-- mark, and the next start announces it: a change stored is a change announced.
ALTER TABLE task_events ADD COLUMN announce INTEGER NOT NULL DEFAULT 0;
CREATE INDEX task_events_to_announce ON task_events (announce) WHERE announce = 1;
