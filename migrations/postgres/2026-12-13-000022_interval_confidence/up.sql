-- Forecast risk in the requirement (issue #14): the planner's chance that each open interval
-- meets the goal, and per requirement interval the volume staffed for, the expected service
-- level and the probability of meeting the goal under the forecast's uncertainty.
ALTER TABLE queues ADD COLUMN interval_confidence_percent DOUBLE PRECISION;
ALTER TABLE requirement_intervals ADD COLUMN staffed_volume DOUBLE PRECISION;
ALTER TABLE requirement_intervals ADD COLUMN expected_service_level DOUBLE PRECISION;
ALTER TABLE requirement_intervals ADD COLUMN goal_probability DOUBLE PRECISION;
