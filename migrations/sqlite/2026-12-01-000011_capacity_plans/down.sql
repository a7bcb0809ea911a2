DROP INDEX capacity_plans_queue;
DROP TABLE capacity_plans;
