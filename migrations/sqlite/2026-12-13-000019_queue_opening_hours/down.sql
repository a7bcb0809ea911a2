ALTER TABLE requirement_intervals DROP COLUMN is_open;
ALTER TABLE queues DROP COLUMN weekend_days;
ALTER TABLE queues DROP COLUMN opening_hours;
