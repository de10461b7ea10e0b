//! `vigie serve`: pages and API over the live release, building one first when there is none.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use vigie_build::BuildOptions;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};

/// Arguments of `vigie serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory: `sources/` (official files), `releases/` and `current` (the live release).
    #[arg(
        long,
        env = "VIGIE_DATA_DIR",
        default_value = "vigie-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// Address to listen on. The default only accepts connections from this machine.
    #[arg(
        long,
        env = "VIGIE_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// Serve the generated demonstration dataset (kept in DIR/demo) even if real data exist.
    #[arg(long)]
    pub demo: bool,
    /// Seconds between checks for a new release.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub reload_every: u64,
}

fn has_data_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.'))))
        .unwrap_or(false)
}

/// Ensures a live release exists (building from sources, or from the demo dataset), then serves.
pub fn run(args: Args) -> anyhow::Result<()> {
    let real = DataDir::new(&args.data_dir);
    let use_demo = args.demo || (real.current().is_none() && !has_data_files(&real.sources()));
    let dir = if use_demo {
        DataDir::new(args.data_dir.join("demo"))
    } else {
        real
    };
    if dir.current().is_none() {
        if use_demo {
            tracing::warn!(
                "no data: generating the demonstration dataset in {}",
                dir.sources().display()
            );
            write_demo(&dir.sources())?;
        } else {
            tracing::warn!("no release yet: building from {}", dir.sources().display());
        }
        let opts = BuildOptions {
            sources: dir.sources(),
            out: PathBuf::new(),
            catalogs: Vec::new(),
            built_at: super::build::now()?,
            charts: ChartFormats {
                svg: true,
                png: PngScope::None,
            },
            coverage_target: 90.0,
        };
        match dir
            .build(&opts, GatePolicy::default(), 10)
            .with_context(|| format!("building a release from {}", dir.sources().display()))?
        {
            Outcome::Published(report, _) => eprintln!(
                "built release {} ({} indicator rows)",
                report.release_id, report.rows_written
            ),
            Outcome::Refused(report, gate) => anyhow::bail!(
                "release {} refused by the publish gate: {}",
                report.release_id,
                gate.failures().join("; ")
            ),
        }
    }
    let live = dir.root.join("current");
    let release =
        vigie_web::Release::load(&live).with_context(|| format!("loading {}", live.display()))?;
    let demo = release.manifest["demo"].as_bool().unwrap_or(false);
    let state = vigie_web::AppState::new(release, demo);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!(
            "Vigie serving {} on http://{}/{}",
            live.display(),
            listener.local_addr()?,
            if demo {
                " (données de démonstration)"
            } else {
                ""
            }
        );
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        vigie_web::serve(
            listener,
            state,
            Duration::from_secs(args.reload_every.max(1)),
            shutdown,
        )
        .await
        .context("server error")
    })
}

fn write_demo(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let end = vigie_core::Date::from_ymd(2022, 2, 28).context("demo date")?;
    for (name, bytes) in vigie_demo::sources(end, 181) {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
