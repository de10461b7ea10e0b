//! `vigie serve`.

/// Arguments of `vigie serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Serves.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
