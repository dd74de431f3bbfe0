use crate::graphql::schema;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    print!("{}", schema::sdl());
    Ok(())
}
