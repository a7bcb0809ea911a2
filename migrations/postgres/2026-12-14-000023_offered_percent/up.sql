-- The share of the history's counted contacts that reach agents (issue #14): set by the planner,
-- or (NULL) learnt by each forecast from the queue's call records before its origin.
ALTER TABLE queues ADD COLUMN offered_percent DOUBLE PRECISION;
