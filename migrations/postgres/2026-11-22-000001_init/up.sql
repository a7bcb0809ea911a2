CREATE TABLE queues (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('voice', 'chat', 'email', 'social')),
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes IN (15, 30, 60)),
    time_zone TEXT NOT NULL,
    service_level DOUBLE PRECISION NOT NULL,
    answer_within_seconds DOUBLE PRECISION NOT NULL,
    max_asa_seconds DOUBLE PRECISION,
    max_abandon_rate DOUBLE PRECISION,
    shrinkage DOUBLE PRECISION NOT NULL,
    max_occupancy DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE history (
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    interval_start TIMESTAMP NOT NULL,
    volume DOUBLE PRECISION NOT NULL,
    aht_seconds DOUBLE PRECISION,
    PRIMARY KEY (queue_id, interval_start)
);

CREATE TABLE forecast_runs (
    id SERIAL PRIMARY KEY,
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    window_from TIMESTAMP NOT NULL,
    window_to TIMESTAMP NOT NULL,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    history_rows INTEGER NOT NULL,
    history_end TIMESTAMP NOT NULL,
    goal TEXT NOT NULL
);

CREATE TABLE forecast_intervals (
    run_id INTEGER NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
    interval_start TIMESTAMP NOT NULL,
    volume DOUBLE PRECISION NOT NULL,
    volume_p10 DOUBLE PRECISION NOT NULL,
    volume_p90 DOUBLE PRECISION NOT NULL,
    aht_seconds DOUBLE PRECISION,
    PRIMARY KEY (run_id, interval_start)
);

CREATE TABLE requirement_intervals (
    run_id INTEGER NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
    interval_start TIMESTAMP NOT NULL,
    workload_erlangs DOUBLE PRECISION NOT NULL,
    agents_raw DOUBLE PRECISION NOT NULL,
    agents_net INTEGER NOT NULL,
    agents_with_shrinkage INTEGER NOT NULL,
    service_level DOUBLE PRECISION NOT NULL,
    asa_seconds DOUBLE PRECISION NOT NULL,
    occupancy DOUBLE PRECISION NOT NULL,
    prob_abandon DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, interval_start)
);

CREATE TABLE agents (
    id SERIAL PRIMARY KEY,
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    external_id TEXT NOT NULL UNIQUE,
    min_week_hours DOUBLE PRECISION NOT NULL,
    max_week_hours DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE schedule_runs (
    id SERIAL PRIMARY KEY,
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    forecast_id INTEGER NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    week_start TIMESTAMP NOT NULL,
    days INTEGER NOT NULL,
    params TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    rostered_hours DOUBLE PRECISION NOT NULL,
    coverage_percent DOUBLE PRECISION NOT NULL,
    warnings TEXT NOT NULL
);

CREATE TABLE roster_shifts (
    schedule_id INTEGER NOT NULL REFERENCES schedule_runs(id) ON DELETE CASCADE,
    shift_no INTEGER NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    shift_start TIMESTAMP NOT NULL,
    shift_end TIMESTAMP NOT NULL,
    PRIMARY KEY (schedule_id, shift_no)
);

CREATE TABLE roster_breaks (
    schedule_id INTEGER NOT NULL,
    shift_no INTEGER NOT NULL,
    break_start TIMESTAMP NOT NULL,
    break_end TIMESTAMP NOT NULL,
    paid BOOLEAN NOT NULL,
    PRIMARY KEY (schedule_id, shift_no, break_start),
    FOREIGN KEY (schedule_id, shift_no) REFERENCES roster_shifts(schedule_id, shift_no) ON DELETE CASCADE
);

CREATE INDEX forecast_runs_queue ON forecast_runs(queue_id);
CREATE INDEX agents_queue ON agents(queue_id);
CREATE INDEX schedule_runs_queue ON schedule_runs(queue_id);
