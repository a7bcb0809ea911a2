-- Opening hours and weekend days per queue (issue #14): the hours as a JSON document
-- (weekly ranges and dates with their own hours; NULL = open 24 h every day), the weekend
-- as weekday names, and whether each requirement interval was open when it was computed
-- (closed ones need no agents and are left out of service figures).
ALTER TABLE queues ADD COLUMN opening_hours TEXT;
ALTER TABLE queues ADD COLUMN weekend_days TEXT NOT NULL DEFAULT 'sat,sun';
ALTER TABLE requirement_intervals ADD COLUMN is_open BOOLEAN NOT NULL DEFAULT 1;
