-- Every status change rewrote this index as well as tasks_by_status, which serves the same
-- lookups (the open tasks of a system, read once per reconcile, are found through it and
-- filtered by system).
DROP INDEX tasks_open;
