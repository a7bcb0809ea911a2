-- Handle time to use when a queue's history has none (issue #14): without it, such a forecast
-- has volumes only and its requirements are refused.
ALTER TABLE queues ADD COLUMN default_aht_seconds DOUBLE PRECISION;
