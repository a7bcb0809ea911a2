ALTER TABLE requirement_intervals DROP COLUMN goal_probability;
ALTER TABLE requirement_intervals DROP COLUMN expected_service_level;
ALTER TABLE requirement_intervals DROP COLUMN staffed_volume;
ALTER TABLE queues DROP COLUMN interval_confidence_percent;
