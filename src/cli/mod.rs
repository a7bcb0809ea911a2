//! Command-line entry points. Each command is a function the binary calls;
//! the argument structs are the CLI contract (keep them stable).

pub mod bench;
mod bench_roster;
mod bench_shift_design;
pub mod capacity;
pub mod demo;
pub mod forecast;
pub mod import;
pub mod keys;
pub mod metrics;
pub mod serve;
pub mod simulate;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "staffcast",
    version,
    about = "Contact-centre workforce management: forecast, staffing, rosters"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the HTTP API (database from DATABASE_URL, else staffcast.db).
    Serve(serve::ServeArgs),
    /// Import interval history (CSV or JSON) into a queue of the database.
    Import(import::ImportArgs),
    /// API keys of the database: `keys create --name N --role admin|planner|hr`, `keys list`, `keys revoke ID`.
    Keys(keys::KeysArgs),
    /// Forecast from a history file (no database): writes interval CSV.
    Forecast(forecast::ForecastArgs),
    /// Queueing metrics (service level, ASA, occupancy) for given staffing.
    Metrics(metrics::MetricsArgs),
    /// Discrete-event simulation of a staffing plan (no database).
    Simulate(simulate::SimulateArgs),
    /// Capacity plan for the peak from a forecast file (no database): weekly CSV.
    Capacity(capacity::CapacityArgs),
    /// Benchmarks: `bench curtois INSTANCE.txt --time-limit 60 --output ROSTER.txt`.
    Bench(bench::BenchArgs),
    /// Run the whole pipeline on bundled sample data, then serve the API.
    Demo(demo::DemoArgs),
    /// Print the API's OpenAPI 3.1 document (what `/api/v1/openapi.json` serves).
    Openapi,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Import(args) => import::run(args),
        Command::Keys(args) => keys::run(args),
        Command::Forecast(args) => forecast::run(args),
        Command::Metrics(args) => metrics::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Capacity(args) => capacity::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Openapi => {
            println!("{}", crate::api::openapi::document().to_pretty_json()?);
            Ok(())
        }
    }
}
