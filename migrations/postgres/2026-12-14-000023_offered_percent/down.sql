ALTER TABLE queues DROP COLUMN offered_percent;
