//! The configuration resolved once into typed plans.
//!
//! Every setting is resolved in one place, in increasing order of precedence: built-in
//! defaults < `vigie.toml` < `VIGIE_*` environment variables (both applied by
//! [`Config::load`](crate::config::Config::load)) < command-line flags (the `*Overrides` given
//! here). The plans are what the subcommands and the server's schedulers run with:
//!
//! * [`BuildPlan`]: `vigie build --data-dir` and every build of `vigie serve` (at start, on the
//!   refresh schedule, the demonstration dataset);
//! * [`FetchPlan`]: `vigie fetch` and every fetch of `vigie serve` (the first probe, the refresh
//!   schedule);
//! * [`ScanPlan`]: `vigie scan` and the live scans of `vigie serve`;
//! * [`ServePlan`]: the server itself, holding the three plans above for its data directory.
//!
//! Values are checked here, naming their key, so that a mistake stops the command at start
//! rather than a scheduled run hours later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use vigie_build::charts::ChartFormats;
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};
use vigie_build::{BuildError, BuildOptions};
use vigie_fetch::{FetchOptions, Outcome as Fetched, Progress, Resource};
use vigie_slots::Platform;

use crate::config::{Config, PngSetting};

/// What a build uses, whoever starts it.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// Data directory: `sources/`, `releases/`, `current`.
    pub data_dir: PathBuf,
    /// Extra catalogue files (configuration first, then flags).
    pub catalogs: Vec<PathBuf>,
    /// Vaccination coverage target (%) of the projected dates.
    pub coverage_target: f64,
    /// SVG charts and the PNG scope.
    pub charts: ChartFormats,
    /// The publish gate's tolerances.
    pub gate: GatePolicy,
    /// Past releases kept.
    pub keep: usize,
}

/// Build settings given on the command line (`None`/`false`/empty: not given).
#[derive(Debug, Clone, Default)]
pub struct BuildOverrides {
    pub data_dir: Option<PathBuf>,
    pub keep: Option<usize>,
    pub max_volume_drop: Option<f64>,
    pub allow_older_data: bool,
    pub catalogs: Vec<PathBuf>,
    pub png: Option<PngSetting>,
    pub coverage_target: Option<f64>,
    pub no_charts: bool,
}

impl BuildPlan {
    /// Resolves the build settings.
    pub fn resolve(conf: &Config, flags: &BuildOverrides) -> anyhow::Result<BuildPlan> {
        let b = &conf.build;
        let coverage_target = flags.coverage_target.unwrap_or(b.coverage_target);
        if !(coverage_target > 0.0 && coverage_target <= 100.0) {
            bail!("build.coverage_target: {coverage_target} is not a percentage in ]0, 100]");
        }
        let max_volume_drop = flags.max_volume_drop.unwrap_or(b.max_volume_drop);
        if !(0.0..=1.0).contains(&max_volume_drop) {
            bail!("build.max_volume_drop: {max_volume_drop} is not a share in [0, 1]");
        }
        let keep = flags.keep.unwrap_or(b.keep);
        if keep == 0 {
            bail!("build.keep: at least the live release is kept (1 or more)");
        }
        let mut catalogs = b.catalogs.clone();
        catalogs.extend(flags.catalogs.iter().cloned());
        Ok(BuildPlan {
            data_dir: flags
                .data_dir
                .clone()
                .unwrap_or_else(|| conf.data_dir.clone()),
            catalogs,
            coverage_target,
            charts: ChartFormats {
                svg: !flags.no_charts,
                png: flags.png.unwrap_or(b.png).scope(),
            },
            gate: GatePolicy {
                max_volume_drop,
                allow_older_data: flags.allow_older_data || b.allow_older_data,
            },
            keep,
        })
    }

    /// The library's options for one build of `sources` into `out` at `built_at`.
    pub fn options(&self, sources: PathBuf, out: PathBuf, built_at: String) -> BuildOptions {
        BuildOptions {
            sources,
            out,
            catalogs: self.catalogs.clone(),
            built_at,
            charts: self.charts,
            coverage_target: self.coverage_target,
        }
    }

    /// The data directory.
    pub fn dir(&self) -> DataDir {
        DataDir::new(&self.data_dir)
    }

    /// Builds `sources` into a new release of the data directory, through the gate.
    pub fn build_release(&self, sources: PathBuf, built_at: String) -> Result<Outcome, BuildError> {
        self.dir().build(
            &self.options(sources, PathBuf::new(), built_at),
            self.gate,
            self.keep,
        )
    }
}

/// Where fetched files come from.
#[derive(Debug, Clone)]
pub enum FetchFrom {
    /// Downloads of these resources (the built-in list, or `fetch.resources`).
    Download(Vec<Resource>),
    /// Imports of a local mirror directory.
    Mirror(PathBuf),
}

/// What a fetch uses, whoever starts it.
#[derive(Debug, Clone)]
pub struct FetchPlan {
    /// The `sources/` directory receiving the files.
    pub sources: PathBuf,
    pub from: FetchFrom,
    /// Timeout of each download.
    pub timeout: Duration,
    /// Timeout of the first probe download of `vigie serve`.
    pub probe_timeout: Duration,
    /// Further attempts at a failed resource.
    pub retries: u32,
    /// Pause between attempts.
    pub retry_delay: Duration,
    pub user_agent: String,
}

/// Fetch settings given on the command line.
#[derive(Debug, Clone, Default)]
pub struct FetchOverrides {
    pub data_dir: Option<PathBuf>,
    /// `--from`: a mirror to import.
    pub mirror: Option<PathBuf>,
    /// `--config`: a resource list.
    pub resources: Option<PathBuf>,
    /// `--only`: these resource ids.
    pub only: Vec<String>,
    pub timeout: Option<u64>,
}

/// The result of one fetch: `(resource id or file name, outcome)`.
pub type FetchResults = Vec<(String, Fetched)>;

impl FetchPlan {
    /// Resolves the fetch settings; reads and checks the resource list.
    pub fn resolve(conf: &Config, flags: &FetchOverrides) -> anyhow::Result<FetchPlan> {
        let f = &conf.fetch;
        let data_dir = flags
            .data_dir
            .clone()
            .unwrap_or_else(|| conf.data_dir.clone());
        let non_empty = |s: &str| (!s.is_empty()).then(|| PathBuf::from(s));
        // A flag wins over the file, whichever kind it is.
        let mirror = match (&flags.mirror, &flags.resources) {
            (Some(m), _) => Some(m.clone()),
            (None, Some(_)) => None,
            (None, None) => non_empty(&f.mirror),
        };
        let from = match mirror {
            Some(m) => FetchFrom::Mirror(m),
            None => {
                let resources = flags.resources.clone().or_else(|| non_empty(&f.resources));
                let (text, origin) = match &resources {
                    Some(p) => (
                        std::fs::read_to_string(p)
                            .with_context(|| format!("fetch.resources: reading {}", p.display()))?,
                        p.display().to_string(),
                    ),
                    None => (
                        vigie_fetch::default_config().to_string(),
                        "built-in".to_string(),
                    ),
                };
                let mut list = vigie_fetch::parse_config(&text, &origin)?;
                if !flags.only.is_empty() {
                    list.retain(|r| flags.only.contains(&r.id));
                }
                FetchFrom::Download(list)
            }
        };
        let timeout = flags.timeout.unwrap_or(f.timeout);
        for (key, v) in [("timeout", timeout), ("probe_timeout", f.probe_timeout)] {
            if v == 0 {
                bail!("fetch.{key}: 0 seconds would fail every download");
            }
        }
        Ok(FetchPlan {
            sources: data_dir.join("sources"),
            from,
            timeout: Duration::from_secs(timeout),
            probe_timeout: Duration::from_secs(f.probe_timeout),
            retries: f.retries,
            retry_delay: Duration::from_secs(f.retry_delay),
            user_agent: if f.user_agent.is_empty() {
                format!(
                    "vigie/{} (+https://github.com/vigie; open-data mirror)",
                    env!("CARGO_PKG_VERSION")
                )
            } else {
                f.user_agent.clone()
            },
        })
    }

    /// Whether this plan only reads a local directory (allowed offline).
    pub fn is_local(&self) -> bool {
        matches!(self.from, FetchFrom::Mirror(_))
    }

    /// Fetches (or imports) everything, retrying failed downloads.
    pub fn run(&self, progress: Progress) -> anyhow::Result<FetchResults> {
        let now = crate::cmd::build::now()?;
        match &self.from {
            FetchFrom::Mirror(dir) => vigie_fetch::import_dir(dir, &self.sources, &now)
                .with_context(|| format!("importing {}", dir.display())),
            FetchFrom::Download(list) => self.download(list, self.timeout, self.retries, progress),
        }
    }

    /// The first fetch of a server without data: one download with the probe timeout (no
    /// retry) and, when it answers, everything. `None`: the probe failed (no network).
    pub fn probe(&self) -> anyhow::Result<Option<FetchResults>> {
        let FetchFrom::Download(list) = &self.from else {
            return self.run(Progress::Hidden).map(Some);
        };
        let Some(first) = list.first() else {
            return Ok(Some(Vec::new()));
        };
        let probe = self.download(
            std::slice::from_ref(first),
            self.probe_timeout,
            0,
            Progress::Hidden,
        )?;
        if probe.iter().all(|(_, o)| matches!(o, Fetched::Failed(_))) {
            for (id, o) in &probe {
                if let Fetched::Failed(e) = o {
                    tracing::warn!("fetch {id}: {e}");
                }
            }
            return Ok(None);
        }
        self.run(Progress::Hidden).map(Some)
    }

    fn download(
        &self,
        list: &[Resource],
        timeout: Duration,
        retries: u32,
        progress: Progress,
    ) -> anyhow::Result<FetchResults> {
        let opts = |now: String| FetchOptions {
            timeout,
            user_agent: self.user_agent.clone(),
            now,
        };
        let write = || format!("writing into {}", self.sources.display());
        let mut results = vigie_fetch::fetch_all_with(
            list,
            &self.sources,
            &opts(crate::cmd::build::now()?),
            progress,
        )
        .with_context(write)?;
        for attempt in 1..=retries {
            let failed: Vec<Resource> = list
                .iter()
                .filter(|r| {
                    results
                        .iter()
                        .any(|(id, o)| *id == r.id && matches!(o, Fetched::Failed(_)))
                })
                .cloned()
                .collect();
            if failed.is_empty() {
                break;
            }
            tracing::info!(
                "fetch: {} resource(s) failed, attempt {} of {} in {:?}",
                failed.len(),
                attempt + 1,
                retries + 1,
                self.retry_delay
            );
            std::thread::sleep(self.retry_delay);
            let again = vigie_fetch::fetch_all_with(
                &failed,
                &self.sources,
                &opts(crate::cmd::build::now()?),
                progress,
            )
            .with_context(write)?;
            for (id, o) in again {
                if let Some(slot) = results.iter_mut().find(|(i, _)| *i == id) {
                    slot.1 = o;
                }
            }
        }
        Ok(results)
    }
}

/// Whether a fetch brought new or changed files.
pub fn anything_new(results: &FetchResults) -> bool {
    results
        .iter()
        .any(|(_, o)| matches!(o, Fetched::New { .. } | Fetched::Updated { .. }))
}

/// What a slot scan uses, whoever starts it (the clock, the target and the HTTP mode are per
/// run: [`ScanPlan::opts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPlan {
    pub data_dir: PathBuf,
    pub platforms: Vec<Platform>,
    /// Configured centre lists; empty: discovery on the platforms.
    pub centres: Vec<PathBuf>,
    pub horizon_days: u16,
    pub user_agent: Option<String>,
    pub keep: usize,
    pub history_days: u32,
    /// The data directory whose accepted contributions the scan applies (the instance's, also
    /// when it scans the demonstration into `DIR/demo`); None: the target data directory.
    pub contributions_dir: Option<PathBuf>,
}

/// Scan settings given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ScanOverrides {
    pub data_dir: Option<PathBuf>,
    pub platforms: Vec<String>,
    pub centres: Vec<PathBuf>,
    pub horizon_days: Option<u16>,
}

impl ScanPlan {
    /// Resolves the scan settings. `strict`: an unknown platform is an error (`vigie scan`);
    /// otherwise it is left out with a warning (the server keeps running).
    pub fn resolve(conf: &Config, flags: &ScanOverrides, strict: bool) -> anyhow::Result<Self> {
        let s = &conf.scan;
        let names = if flags.platforms.is_empty() {
            &s.platforms
        } else {
            &flags.platforms
        };
        let mut platforms = Vec::new();
        for name in names {
            match crate::cmd::scan::platform_from_slug(name) {
                Ok(p) if !platforms.contains(&p) => platforms.push(p),
                Ok(_) => {}
                Err(e) if strict => return Err(e.context("--platforms or scan.platforms")),
                Err(e) => tracing::warn!("scan.platforms: {e:#}"),
            }
        }
        let centres = if !flags.centres.is_empty() {
            flags.centres.clone()
        } else if s.centres.is_empty() {
            Vec::new()
        } else {
            vec![PathBuf::from(&s.centres)]
        };
        Ok(ScanPlan {
            data_dir: flags
                .data_dir
                .clone()
                .unwrap_or_else(|| conf.data_dir.clone()),
            platforms,
            centres,
            horizon_days: flags.horizon_days.unwrap_or(s.horizon_days),
            user_agent: (!s.user_agent.is_empty()).then(|| s.user_agent.clone()),
            keep: s.keep,
            history_days: s.history_days,
            contributions_dir: None,
        })
    }

    /// The options of one live (or recorded, or replayed) scan at `now` into `target`.
    /// Without a centre list: discovery, merged with the official list when `vigie fetch` got
    /// it into the data directory.
    pub fn opts(
        &self,
        now: jiff::Zoned,
        target: crate::cmd::scan::Target,
    ) -> crate::cmd::scan::ScanOpts {
        let target_dir = match &target {
            crate::cmd::scan::Target::DataDir(d) => Some(d.clone()),
            crate::cmd::scan::Target::Out(_) => None,
        };
        let mut centres = self.centres.clone();
        let discover = centres.is_empty();
        if discover && let crate::cmd::scan::Target::DataDir(d) = &target {
            centres.extend(crate::cmd::scan::official_list(d));
        }
        crate::cmd::scan::ScanOpts {
            demo: false,
            platforms: self.platforms.clone(),
            centres,
            discover,
            replay: None,
            record: None,
            now,
            horizon_days: self.horizon_days,
            user_agent: self.user_agent.clone(),
            target,
            keep: self.keep,
            history_days: self.history_days,
            contributions_dir: self.contributions_dir.clone().or(target_dir),
        }
    }
}

/// What `vigie serve` runs with.
#[derive(Debug, Clone)]
pub struct ServePlan {
    /// The data directory served (`DIR/demo` with `--demo`).
    pub root: PathBuf,
    /// Serve the demonstration dataset whatever data exist.
    pub demo: bool,
    pub listen: SocketAddr,
    /// Never download (a local mirror is still imported).
    pub offline: bool,
    /// Seconds between fetch-and-build runs (0: never).
    pub refresh_every: u64,
    /// Seconds between slot scans (0: never).
    pub scan_every: u64,
    /// Seconds between checks for a new release or scan on disk.
    pub reload_every: u64,
    /// Timeouts, connection caps, request rate, cache bytes, compression threshold.
    pub limits: vigie_web::Limits,
    pub build: BuildPlan,
    pub fetch: FetchPlan,
    pub scan: ScanPlan,
    /// Citizen contributions (None: not open on this server).
    pub contributions: Option<vigie_contributions::Settings>,
    /// The instance's data directory (`--data-dir`, also with `--demo`): its
    /// `contributions/` holds the contributions and moderators.
    pub instance_dir: PathBuf,
}

/// Serve settings given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ServeOverrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub demo: bool,
    pub offline: bool,
    pub refresh_every: Option<u64>,
    pub reload_every: Option<u64>,
}

impl ServePlan {
    /// Resolves the server's settings and the build, fetch and scan plans of its data
    /// directory: the same plans `vigie build`, `vigie fetch` and `vigie scan` resolve from the
    /// same configuration without flags.
    pub fn resolve(conf: &Config, flags: &ServeOverrides) -> anyhow::Result<ServePlan> {
        let data_dir = flags
            .data_dir
            .clone()
            .unwrap_or_else(|| conf.data_dir.clone());
        let root = if flags.demo {
            data_dir.join("demo")
        } else {
            data_dir.clone()
        };
        let build = BuildPlan::resolve(
            conf,
            &BuildOverrides {
                data_dir: Some(root.clone()),
                ..BuildOverrides::default()
            },
        )?;
        let fetch = FetchPlan::resolve(
            conf,
            &FetchOverrides {
                data_dir: Some(root.clone()),
                ..FetchOverrides::default()
            },
        )?;
        let mut scan = ScanPlan::resolve(
            conf,
            &ScanOverrides {
                data_dir: Some(root.clone()),
                ..ScanOverrides::default()
            },
            false,
        )?;
        // Contributions belong to the instance: the demonstration, scanned into `DIR/demo`,
        // applies those of `DIR` (otherwise the scan's data directory is the instance's).
        if flags.demo {
            scan.contributions_dir = Some(data_dir.clone());
        }
        let s = &conf.serve;
        s.limits.validate()?;
        Ok(ServePlan {
            root,
            demo: flags.demo,
            listen: flags.listen.unwrap_or(s.listen),
            offline: flags.offline || s.offline,
            refresh_every: flags.refresh_every.unwrap_or(s.refresh_every),
            scan_every: s.scan_every,
            reload_every: flags.reload_every.unwrap_or(s.reload_every),
            limits: s.limits.clone(),
            build,
            fetch,
            scan,
            contributions: conf
                .contributions
                .enabled
                .then(|| conf.contributions.settings()),
            instance_dir: data_dir,
        })
    }

    /// Whether the server may fetch: online, or from a local mirror.
    pub fn may_fetch(&self) -> bool {
        !self.offline || self.fetch.is_local()
    }

    /// The data directory.
    pub fn dir(&self) -> DataDir {
        DataDir::new(&self.root)
    }

    /// Where the live release's sources are.
    pub fn sources(&self) -> PathBuf {
        self.fetch.sources.clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use std::path::Path;

    use super::*;
    use vigie_build::charts::PngScope;

    fn p(path: &str) -> &Path {
        Path::new(path)
    }

    fn conf(file: &str, env: &[(&str, &str)]) -> Config {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_parts(file, "vigie.toml", &env).unwrap()
    }

    const FILE: &str = r#"
data_dir = "/srv/file"
[build]
keep = 3
max_volume_drop = 0.5
coverage_target = 80.0
png = "all"
catalogs = ["/etc/vigie/extra.toml"]
[fetch]
timeout = 20
probe_timeout = 5
retries = 4
retry_delay = 2
user_agent = "test-agent"
[scan]
platforms = ["bimedoc", "Valwin"]
horizon_days = 5
keep = 7
"#;

    #[test]
    fn build_plan_defaults_file_environment_flags() {
        let d = BuildPlan::resolve(&Config::default(), &BuildOverrides::default()).unwrap();
        assert_eq!(d.data_dir, p("vigie-data"));
        assert_eq!(d.keep, 10);
        assert_eq!(d.coverage_target, 90.0);
        assert_eq!(d.charts.png, PngScope::National);
        assert!(d.charts.svg);
        assert_eq!(d.gate.max_volume_drop, 0.2);
        assert!(!d.gate.allow_older_data);
        assert!(d.catalogs.is_empty());

        let file = BuildPlan::resolve(&conf(FILE, &[]), &BuildOverrides::default()).unwrap();
        assert_eq!(file.data_dir, p("/srv/file"));
        assert_eq!(file.keep, 3);
        assert_eq!(file.coverage_target, 80.0);
        assert_eq!(file.charts.png, PngScope::All);
        assert_eq!(file.gate.max_volume_drop, 0.5);
        assert_eq!(file.catalogs, [p("/etc/vigie/extra.toml")]);

        let env = conf(
            FILE,
            &[
                ("VIGIE_BUILD_KEEP", "4"),
                ("VIGIE_BUILD_PNG", "dashboards"),
                ("VIGIE_BUILD_ALLOW_OLDER_DATA", "true"),
                ("VIGIE_DATA_DIR", "/srv/env"),
            ],
        );
        let e = BuildPlan::resolve(&env, &BuildOverrides::default()).unwrap();
        assert_eq!(e.keep, 4);
        assert_eq!(e.charts.png, PngScope::Dashboards);
        assert!(e.gate.allow_older_data);
        assert_eq!(e.data_dir, p("/srv/env"));
        assert_eq!(e.coverage_target, 80.0, "file value kept under env");

        let flags = BuildOverrides {
            data_dir: Some("/srv/flag".into()),
            keep: Some(5),
            max_volume_drop: Some(0.9),
            catalogs: vec!["more.toml".into()],
            png: Some(PngSetting::None),
            coverage_target: Some(70.0),
            no_charts: true,
            ..BuildOverrides::default()
        };
        let f = BuildPlan::resolve(&env, &flags).unwrap();
        assert_eq!(f.data_dir, p("/srv/flag"));
        assert_eq!(f.keep, 5);
        assert_eq!(f.gate.max_volume_drop, 0.9);
        assert_eq!(f.charts.png, PngScope::None);
        assert!(!f.charts.svg);
        assert_eq!(f.coverage_target, 70.0);
        assert_eq!(
            f.catalogs,
            [p("/etc/vigie/extra.toml"), p("more.toml")],
            "flag catalogues add to the configured ones"
        );
        let o = f.options("src".into(), "out".into(), "2026-01-01T00:00:00Z".into());
        assert_eq!(o.coverage_target, 70.0);
        assert_eq!(o.catalogs.len(), 2);
        assert_eq!(o.charts.png, PngScope::None);
    }

    #[test]
    fn bad_values_are_named_at_resolution() {
        for (file, key) in [
            (
                "[build]\ncoverage_target = 150.0\n",
                "build.coverage_target",
            ),
            ("[build]\nmax_volume_drop = 2.0\n", "build.max_volume_drop"),
            ("[build]\nkeep = 0\n", "build.keep"),
        ] {
            let e = BuildPlan::resolve(&conf(file, &[]), &BuildOverrides::default()).unwrap_err();
            assert!(format!("{e:#}").contains(key), "{e:#}");
        }
        let e = Config::from_parts("[build]\npng = \"some\"\n", "vigie.toml", &[]).unwrap_err();
        assert!(format!("{e:#}").contains("some"), "{e:#}");
        let e = FetchPlan::resolve(
            &conf("[fetch]\ntimeout = 0\n", &[]),
            &FetchOverrides::default(),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("fetch.timeout"), "{e:#}");
        let e = ScanPlan::resolve(
            &conf("[scan]\nplatforms = [\"nope\"]\n", &[]),
            &ScanOverrides::default(),
            true,
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("nope"), "{e:#}");
        // The server leaves an unknown platform out instead.
        let lenient = ScanPlan::resolve(
            &conf("[scan]\nplatforms = [\"nope\", \"bimedoc\"]\n", &[]),
            &ScanOverrides::default(),
            false,
        )
        .unwrap();
        assert_eq!(lenient.platforms, [Platform::Bimedoc]);
    }

    #[test]
    fn fetch_plan_defaults_file_environment_flags() {
        let tmp = tempfile::tempdir().unwrap();
        let list = tmp.path().join("resources.toml");
        std::fs::write(
            &list,
            "[[resource]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/a\"\nfile = \"a.csv\"\n\
             [[resource]]\nid = \"b\"\nurl = \"http://127.0.0.1:1/b\"\nfile = \"b.csv\"\n",
        )
        .unwrap();
        let d = FetchPlan::resolve(&Config::default(), &FetchOverrides::default()).unwrap();
        assert_eq!(d.sources, p("vigie-data/sources"));
        assert_eq!(d.timeout, Duration::from_secs(300));
        assert_eq!(d.probe_timeout, Duration::from_secs(60));
        assert_eq!(d.retries, 1);
        assert_eq!(d.retry_delay, Duration::from_secs(30));
        assert!(d.user_agent.starts_with("vigie/"));
        let FetchFrom::Download(builtin) = &d.from else {
            panic!("built-in list expected")
        };
        assert!(builtin.len() > 5);

        // `resources` goes into [fetch], before [scan].
        let file = FILE.replace(
            "user_agent = \"test-agent\"\n",
            &format!(
                "user_agent = \"test-agent\"\nresources = {:?}\n",
                list.display().to_string()
            ),
        );
        let f = FetchPlan::resolve(&conf(&file, &[]), &FetchOverrides::default()).unwrap();
        assert_eq!(f.sources, p("/srv/file/sources"));
        assert_eq!(f.timeout, Duration::from_secs(20));
        assert_eq!(f.probe_timeout, Duration::from_secs(5));
        assert_eq!(f.retries, 4);
        assert_eq!(f.retry_delay, Duration::from_secs(2));
        assert_eq!(f.user_agent, "test-agent");
        let FetchFrom::Download(l) = &f.from else {
            panic!("resource list expected")
        };
        assert_eq!(
            l.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );

        // The environment sets a mirror; a --config flag wins over it, --from over everything.
        let env = conf(
            &file,
            &[
                ("VIGIE_FETCH_MIRROR", "/mnt/mirror"),
                ("VIGIE_FETCH_TIMEOUT", "9"),
            ],
        );
        let e = FetchPlan::resolve(&env, &FetchOverrides::default()).unwrap();
        assert!(matches!(&e.from, FetchFrom::Mirror(m) if m == p("/mnt/mirror")));
        assert!(e.is_local());
        assert_eq!(e.timeout, Duration::from_secs(9));
        let flags = FetchOverrides {
            resources: Some(list.clone()),
            only: vec!["b".into()],
            timeout: Some(1),
            data_dir: Some("/srv/flag".into()),
            ..FetchOverrides::default()
        };
        let fl = FetchPlan::resolve(&env, &flags).unwrap();
        assert_eq!(fl.timeout, Duration::from_secs(1));
        assert_eq!(fl.sources, p("/srv/flag/sources"));
        let FetchFrom::Download(l) = &fl.from else {
            panic!("--config wins over the configured mirror")
        };
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].id, "b");
        let from = FetchOverrides {
            mirror: Some("/media/usb".into()),
            ..flags
        };
        let m = FetchPlan::resolve(&env, &from).unwrap();
        assert!(matches!(&m.from, FetchFrom::Mirror(d) if d == p("/media/usb")));
    }

    #[test]
    fn scan_plan_defaults_file_flags() {
        let d = ScanPlan::resolve(&Config::default(), &ScanOverrides::default(), true).unwrap();
        assert_eq!(d.platforms.len(), Platform::ALL.len());
        assert!(Platform::ALL.iter().all(|p| d.platforms.contains(p)));
        assert!(d.centres.is_empty());
        assert_eq!(d.horizon_days, 11);
        let c = conf(FILE, &[("VIGIE_SCAN_CENTRES", "/srv/centres.csv")]);
        let f = ScanPlan::resolve(&c, &ScanOverrides::default(), true).unwrap();
        assert_eq!(f.platforms, [Platform::Bimedoc, Platform::Valwin]);
        assert_eq!(f.horizon_days, 5);
        assert_eq!(f.keep, 7);
        assert_eq!(f.centres, [p("/srv/centres.csv")]);
        let fl = ScanPlan::resolve(
            &c,
            &ScanOverrides {
                platforms: vec!["doctolib".into()],
                centres: vec!["mine.csv".into()],
                horizon_days: Some(2),
                data_dir: None,
            },
            true,
        )
        .unwrap();
        assert_eq!(fl.platforms, [Platform::Doctolib]);
        assert_eq!(fl.centres, [p("mine.csv")]);
        assert_eq!(fl.horizon_days, 2);
        // Without a list: discovery (plus the official list when fetched).
        let tmp = tempfile::tempdir().unwrap();
        let now = jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::UTC);
        let o = d.opts(
            now.clone(),
            crate::cmd::scan::Target::DataDir(tmp.path().to_path_buf()),
        );
        assert!(o.discover && o.centres.is_empty());
        std::fs::create_dir_all(tmp.path().join("sources")).unwrap();
        std::fs::write(tmp.path().join("sources/centres-vaccination.csv"), "x").unwrap();
        let o = d.opts(
            now,
            crate::cmd::scan::Target::DataDir(tmp.path().to_path_buf()),
        );
        assert!(o.discover);
        assert_eq!(o.centres.len(), 1);
    }

    #[test]
    fn serve_uses_the_same_plans_as_the_subcommands() {
        let c = conf(FILE, &[("VIGIE_SERVE_OFFLINE", "true")]);
        let s = ServePlan::resolve(&c, &ServeOverrides::default()).unwrap();
        let b = BuildPlan::resolve(&c, &BuildOverrides::default()).unwrap();
        assert_eq!(s.build.data_dir, b.data_dir);
        assert_eq!(s.build.keep, b.keep);
        assert_eq!(s.build.coverage_target, b.coverage_target);
        assert_eq!(s.build.catalogs, b.catalogs);
        assert_eq!(s.build.charts.png, b.charts.png);
        assert_eq!(s.build.gate.max_volume_drop, b.gate.max_volume_drop);
        let f = FetchPlan::resolve(&c, &FetchOverrides::default()).unwrap();
        assert_eq!(s.fetch.timeout, f.timeout);
        assert_eq!(s.fetch.retries, f.retries);
        assert_eq!(s.fetch.user_agent, f.user_agent);
        assert_eq!(s.fetch.sources, f.sources);
        assert_eq!(
            s.scan,
            ScanPlan::resolve(&c, &ScanOverrides::default(), true).unwrap()
        );
        assert!(s.offline);
        assert!(!s.may_fetch(), "offline without a mirror");
        assert_eq!(s.limits, vigie_web::Limits::default());
        // The server's limits come from [serve.limits]; a zero cap is refused.
        let limited = conf(
            "[serve.limits]\nrequests_per_second = 7\nmax_connections = 300\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
            &[],
        );
        let l = ServePlan::resolve(&limited, &ServeOverrides::default())
            .unwrap()
            .limits;
        assert_eq!((l.requests_per_second, l.max_connections), (7, 300));
        assert!(l.trusts("10.2.3.4".parse().unwrap()));
        let zero = conf("[serve.limits]\nmax_connections = 0\n", &[]);
        assert!(ServePlan::resolve(&zero, &ServeOverrides::default()).is_err());
        // --demo serves DIR/demo: every plan follows.
        let demo = ServePlan::resolve(
            &c,
            &ServeOverrides {
                demo: true,
                data_dir: Some("/d".into()),
                listen: Some("127.0.0.1:0".parse().unwrap()),
                refresh_every: Some(1),
                ..ServeOverrides::default()
            },
        )
        .unwrap();
        assert_eq!(demo.root, p("/d/demo"));
        assert_eq!(demo.build.data_dir, p("/d/demo"));
        assert_eq!(demo.fetch.sources, p("/d/demo/sources"));
        assert_eq!(demo.scan.data_dir, p("/d/demo"));
        assert_eq!(demo.listen.port(), 0);
        assert_eq!(demo.refresh_every, 1);
        // A mirror may be imported offline.
        let m = conf(
            FILE,
            &[
                ("VIGIE_SERVE_OFFLINE", "true"),
                ("VIGIE_FETCH_MIRROR", "/m"),
            ],
        );
        assert!(
            ServePlan::resolve(&m, &ServeOverrides::default())
                .unwrap()
                .may_fetch()
        );
    }
}
