ALTER TABLE queues DROP COLUMN default_aht_seconds;
