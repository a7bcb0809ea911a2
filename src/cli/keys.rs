//! `staffcast keys`: create, list and revoke API keys on the configured
//! database (`DATABASE_URL`, as `serve` uses). The first admin key of a new
//! database is made here: the API has no key to accept before it.

use crate::app::access::{create_key, keys, revoke_key};
use crate::auth::{KeyId, Role};
use crate::config::database_url;
use crate::db::Database;
use chrono::{DateTime, SecondsFormat, Utc};

#[derive(clap::Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key; it is printed once, alone on stdout (notes go to stderr).
    Create {
        /// Who or what uses the key (shown in `keys list`).
        #[arg(long)]
        name: String,
        /// admin (everything), planner (all but keys and audit), hr (queues, agents, rosters).
        #[arg(long, value_parser = ["admin", "planner", "hr"])]
        role: String,
    },
    /// List every key (never a secret): id, name, role, created, last used, revoked.
    List,
    /// Revoke a key by id: its next request gets 401.
    Revoke {
        /// The key's id, as `keys list` shows it.
        id: i32,
    },
}

pub fn run(args: KeysArgs) -> anyhow::Result<()> {
    let db = Database::open(&database_url())?;
    match args.command {
        KeysCommand::Create { name, role } => {
            let role: Role = role.parse()?;
            let created = create_key(&db, &name, role)?;
            eprintln!(
                "created key {} '{}' with role {}; it is shown once, below: store it now",
                created.key.id, created.key.name, created.key.role
            );
            println!("{}", created.secret.reveal());
        }
        KeysCommand::List => print!("{}", table(&keys(&db)?)),
        KeysCommand::Revoke { id } => {
            let key = revoke_key(&db, KeyId(id))?;
            println!(
                "revoked key {} '{}' (role {}) at {}",
                key.id,
                key.name,
                key.role,
                stamp(key.revoked_at)
            );
        }
    }
    Ok(())
}

fn stamp(t: Option<DateTime<Utc>>) -> String {
    t.map_or("-".into(), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// One line per key under a header, columns aligned.
fn table(keys: &[crate::db::api_keys::StoredKey]) -> String {
    let name_width = keys
        .iter()
        .map(|k| k.name.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    let mut out = format!(
        "{:<4} {:<name_width$} {:<7} {:<20} {:<20} {}\n",
        "id", "name", "role", "created_at", "last_used_at", "revoked_at"
    );
    for k in keys {
        out.push_str(&format!(
            "{:<4} {:<name_width$} {:<7} {:<20} {:<20} {}\n",
            k.id.0,
            k.name,
            k.role.as_str(),
            stamp(Some(k.created_at)),
            stamp(k.last_used_at),
            stamp(k.revoked_at)
        ));
    }
    if keys.is_empty() {
        out.push_str(
            "(no keys: create one with `staffcast keys create --name NAME --role admin`)\n",
        );
    }
    out
}
