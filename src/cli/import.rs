use crate::app::history::{import_history, HistoryFormat};
use crate::config::database_url;
use crate::db::Database;
use crate::domain::queue::parse_time_zone;
use crate::domain::{Channel, QueueSpec, ServiceGoal};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// History file: `interval_start,volume[,aht_seconds]` CSV, or a JSON array (.json).
    pub file: PathBuf,
    /// Name of the queue to import into.
    #[arg(long)]
    pub queue: String,
    /// Create the queue when it does not exist yet.
    #[arg(long)]
    pub create: bool,
    /// With --create: channel of the new queue.
    #[arg(long, default_value = "voice")]
    pub channel: String,
    /// With --create: interval length in minutes (15, 30, 60).
    #[arg(long, default_value_t = 15)]
    pub interval_minutes: u32,
    /// With --create: IANA time zone of the queue (local timestamps are read in it).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let db = Database::open(&database_url())?;
    let existing = db.queues()?.into_iter().find(|q| q.spec.name == args.queue);
    let queue = match (existing, args.create) {
        (Some(q), _) => q,
        (None, true) => {
            let spec = QueueSpec::new(
                &args.queue,
                args.channel.parse::<Channel>()?,
                args.interval_minutes,
                parse_time_zone(&args.time_zone)?.name(),
                ServiceGoal::new(0.8, 20.0, None, None)?,
                0.3,
                0.85,
            )?;
            db.create_queue(&spec)?
        }
        (None, false) => anyhow::bail!("no queue named '{}' (add --create to make it)", args.queue),
    };
    let body =
        std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let format = match args.file.extension().and_then(|e| e.to_str()) {
        Some("json") => HistoryFormat::Json,
        _ => HistoryFormat::Csv,
    };
    let summary = import_history(&db, queue.id, &body, format)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    println!(
        "imported {} rows into queue '{}' (id {}): {} new, {} updated",
        summary.rows, queue.spec.name, queue.id, summary.inserted, summary.updated
    );
    Ok(())
}
