use crate::{config::DatabaseConfig, database};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    database: DatabaseConfig,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    database::connect_and_migrate(&args.database).await?;
    eprintln!("database is up to date");
    Ok(())
}
