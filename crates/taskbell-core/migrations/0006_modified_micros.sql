-- Canvas's lastModified has microseconds, and two changes to a task may fall within one
-- millisecond: a task's states are ordered by this column. `modified_at` (milliseconds) stays
-- for display and history filters.
ALTER TABLE tasks ADD COLUMN modified_us INTEGER;
UPDATE tasks SET modified_us = modified_at * 1000 WHERE modified_at IS NOT NULL;
