use anyhow::Context;
use chrono::Utc;
use sea_orm::ActiveEnum;

use crate::{
    access::{self, Role},
    config::DatabaseConfig,
    database, store,
    timestamp::Timestamp,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    database: DatabaseConfig,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Make a key and print it: it is shown this once, only its hash is kept.
    Create {
        /// What the key may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Whose key it is, e.g. "CMS importer" (shown by `keys list`).
        #[arg(long)]
        name: String,
    },
    /// List every key: id, role, name, when it was made and revoked.
    List,
    /// Revoke a key by the id `keys list` shows; it stops working at once everywhere.
    Revoke {
        /// The key's id (the part after `vk_` and before the next `_`).
        id: String,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum RoleArg {
    /// Writes content and sees drafts.
    Editor,
    /// Everything an editor does, and manages keys and webhooks.
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Editor => Self::Editor,
            RoleArg::Admin => Self::Admin,
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = database::connect_and_migrate(&args.database).await?;
    let now = Utc::now().timestamp_micros();
    match args.command {
        Command::Create { role, name } => {
            anyhow::ensure!(!name.trim().is_empty(), "--name must not be empty");
            let key = access::generate().context("cannot make a random key")?;
            store::keys::create(&db, &name, role.into(), key.public_id, key.secret_hash, now)
                .await?;
            println!("{}", key.token);
            eprintln!("keep this key now: it cannot be shown again");
        }
        Command::List => {
            for key in store::keys::all(&db).await? {
                let when = |micros| Timestamp { micros, offset: 0 }.to_rfc3339();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    key.public_id,
                    key.role.to_value(),
                    key.name,
                    when(key.created_at),
                    key.revoked_at
                        .map_or_else(|| "active".to_owned(), |at| format!("revoked {}", when(at))),
                );
            }
        }
        Command::Revoke { id } => {
            anyhow::ensure!(
                store::keys::revoke(&db, &id, now).await?,
                "no key {id:?} in use (see `vistka keys list`)"
            );
            eprintln!("key {id} revoked");
        }
    }
    Ok(())
}
