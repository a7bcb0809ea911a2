// Written by hand to match migrations/{sqlite,postgres}: one schema for both backends.

diesel::table! {
    queues (id) {
        id -> Integer,
        name -> Text,
        channel -> Text,
        interval_minutes -> Integer,
        time_zone -> Text,
        service_level -> Double,
        answer_within_seconds -> Double,
        max_asa_seconds -> Nullable<Double>,
        max_abandon_rate -> Nullable<Double>,
        shrinkage -> Double,
        max_occupancy -> Double,
        created_at -> Timestamp,
        patience_seconds -> Nullable<Double>,
        chat_concurrency -> Nullable<Integer>,
        deadline_seconds -> Nullable<Double>,
        default_aht_seconds -> Nullable<Double>,
        opening_hours -> Nullable<Text>,
        weekend_days -> Text,
        interval_confidence_percent -> Nullable<Double>,
        offered_percent -> Nullable<Double>,
    }
}

diesel::table! {
    history (queue_id, interval_start) {
        queue_id -> Integer,
        interval_start -> Timestamp,
        volume -> Double,
        aht_seconds -> Nullable<Double>,
    }
}

diesel::table! {
    forecast_runs (id) {
        id -> Integer,
        queue_id -> Integer,
        created_at -> Timestamp,
        window_from -> Timestamp,
        window_to -> Timestamp,
        model -> Text,
        params -> Text,
        history_rows -> Integer,
        history_end -> Timestamp,
        goal -> Text,
        accuracy -> Nullable<Text>,
    }
}

diesel::table! {
    forecast_intervals (run_id, interval_start) {
        run_id -> Integer,
        interval_start -> Timestamp,
        volume -> Double,
        volume_p10 -> Double,
        volume_p90 -> Double,
        aht_seconds -> Nullable<Double>,
    }
}

diesel::table! {
    requirement_intervals (run_id, interval_start) {
        run_id -> Integer,
        interval_start -> Timestamp,
        workload_erlangs -> Double,
        agents_raw -> Double,
        agents_net -> Integer,
        agents_with_shrinkage -> Integer,
        service_level -> Double,
        asa_seconds -> Double,
        occupancy -> Double,
        prob_abandon -> Double,
        is_open -> Bool,
        staffed_volume -> Nullable<Double>,
        expected_service_level -> Nullable<Double>,
        goal_probability -> Nullable<Double>,
    }
}

diesel::table! {
    agents (id) {
        id -> Integer,
        queue_id -> Integer,
        name -> Text,
        external_id -> Text,
        min_week_hours -> Double,
        max_week_hours -> Double,
        created_at -> Timestamp,
        profile -> Text,
        active -> Bool,
    }
}

diesel::table! {
    schedule_runs (id) {
        id -> Integer,
        queue_id -> Integer,
        forecast_id -> Integer,
        status -> Text,
        week_start -> Timestamp,
        days -> Integer,
        params -> Text,
        created_at -> Timestamp,
        rostered_hours -> Double,
        coverage_percent -> Double,
        warnings -> Text,
        progress_percent -> Double,
        best_objective -> Nullable<Double>,
        error -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        heartbeat_at -> Nullable<Timestamp>,
        cancel_requested -> Bool,
        report -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        attempts -> Integer,
        first_day -> Date,
        last_day -> Date,
    }
}

diesel::table! {
    roster_shifts (schedule_id, shift_no) {
        schedule_id -> Integer,
        shift_no -> Integer,
        agent_id -> Integer,
        shift_start -> Timestamp,
        shift_end -> Timestamp,
    }
}

diesel::table! {
    roster_breaks (schedule_id, shift_no, break_start) {
        schedule_id -> Integer,
        shift_no -> Integer,
        break_start -> Timestamp,
        break_end -> Timestamp,
        paid -> Bool,
    }
}

diesel::table! {
    special_days (queue_id, day) {
        queue_id -> Integer,
        day -> Date,
        kind -> Text,
        name -> Text,
        effect_percent -> Nullable<Double>,
    }
}

diesel::table! {
    fitted_models (queue_id, fingerprint) {
        queue_id -> Integer,
        fingerprint -> Text,
        model -> Text,
        choice -> Text,
        fitted -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    capacity_plans (id) {
        id -> Integer,
        queue_id -> Integer,
        forecast_id -> Integer,
        created_at -> Timestamp,
        request -> Text,
        result -> Text,
    }
}

diesel::table! {
    forecast_adjustments (id) {
        id -> Integer,
        forecast_id -> Integer,
        scope_kind -> Text,
        scope_date -> Date,
        kind -> Text,
        value -> Double,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Integer,
        name -> Text,
        role -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        key_id -> Integer,
        method -> Text,
        route -> Text,
        path -> Text,
        params -> Text,
        status -> Integer,
    }
}

diesel::table! {
    roster_publications (id) {
        id -> Integer,
        queue_id -> Integer,
        week_start -> Date,
        schedule_id -> Integer,
        published_at -> Timestamp,
        published_by -> Nullable<Integer>,
        superseded_at -> Nullable<Timestamp>,
        superseded_by -> Nullable<Integer>,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> Integer,
        agent_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (key_id, idempotency_key) {
        key_id -> Integer,
        idempotency_key -> Text,
        method -> Text,
        path -> Text,
        body_hash -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        location -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    workspace_sessions (id) {
        id -> Integer,
        kind -> Text,
        secret_hash -> Text,
        key_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    call_records (queue_id, arrival, seq) {
        queue_id -> Integer,
        arrival -> Timestamp,
        seq -> Integer,
        outcome -> Text,
        wait_seconds -> Double,
        talk_seconds -> Nullable<Double>,
    }
}

diesel::joinable!(history -> queues (queue_id));
diesel::joinable!(special_days -> queues (queue_id));
diesel::joinable!(forecast_runs -> queues (queue_id));
diesel::joinable!(forecast_intervals -> forecast_runs (run_id));
diesel::joinable!(requirement_intervals -> forecast_runs (run_id));
diesel::joinable!(forecast_adjustments -> forecast_runs (forecast_id));
diesel::joinable!(agents -> queues (queue_id));
diesel::joinable!(roster_shifts -> agents (agent_id));
diesel::joinable!(audit_log -> api_keys (key_id));
diesel::joinable!(calendar_feeds -> agents (agent_id));
diesel::joinable!(idempotency_keys -> api_keys (key_id));
diesel::joinable!(workspace_sessions -> api_keys (key_id));
diesel::joinable!(call_records -> queues (queue_id));

diesel::allow_tables_to_appear_in_same_query!(
    queues,
    history,
    forecast_runs,
    forecast_intervals,
    requirement_intervals,
    agents,
    schedule_runs,
    roster_shifts,
    roster_breaks,
    special_days,
    fitted_models,
    capacity_plans,
    forecast_adjustments,
    api_keys,
    audit_log,
    roster_publications,
    calendar_feeds,
    idempotency_keys,
    workspace_sessions,
    call_records,
);
