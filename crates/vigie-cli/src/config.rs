//! The configuration file (`vigie.toml`): documented defaults, the file, environment variables
//! and command-line flags, in increasing order of precedence.
//!
//! * `vigie config defaults` prints [`DEFAULTS`] (the documented file, every key at its default);
//! * `vigie config show` prints the effective configuration after file and environment;
//! * every key can be overridden by `VIGIE_<SECTION>_<KEY>` (upper case, e.g.
//!   `VIGIE_SERVE_LISTEN`), top-level keys by `VIGIE_<KEY>` (`VIGIE_DATA_DIR`); values are read
//!   as TOML (`VIGIE_SCAN_PLATFORMS='["doctolib"]'`), or as a plain string when they do not
//!   parse.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use vigie_build::charts::PngScope;

/// The documented default configuration, printed by `vigie config defaults`. A test checks that
/// it parses to [`Config::default`].
pub const DEFAULTS: &str = r#"# Vigie configuration file (TOML). Every key is optional; this is the built-in default.
# Precedence: command-line flags > environment variables > this file > built-in defaults.
# Environment: VIGIE_<SECTION>_<KEY> (e.g. VIGIE_SERVE_LISTEN="0.0.0.0:8080"), and
# VIGIE_<KEY> for top-level keys (VIGIE_DATA_DIR). Values are read as TOML, else as text.
# File: --config FILE, or VIGIE_CONFIG, or ./vigie.toml when it exists.

# Data directory: sources/ (official files), releases/ + current (indicator releases),
# scans/ + scans/current (slot scans), status.json, slots-history.sqlite.
data_dir = "vigie-data"

[serve]
# Address to listen on. The default only accepts connections from this machine.
listen = "127.0.0.1:8080"
# Never download: use the files already in data_dir/sources, else the demonstration dataset.
offline = false
# Seconds between fetch-and-build runs (0: never).
refresh_every = 3600
# Seconds between slot scans (0: never).
scan_every = 600
# Seconds between checks for a new release or scan on disk.
reload_every = 30

[serve.limits]
# Seconds a client has to send a request's headers, from the connection's start or the end of
# its previous answer (so also how long a keep-alive connection may wait for a new request).
header_read_timeout = 10
# Seconds to produce an answer (then 408).
request_timeout = 30
# Seconds without a byte moving either way after which a connection is closed.
idle_timeout = 60
# Open connections at most (keep it below the open-file limit, `ulimit -n`, minus ~200). At the
# cap, a new connection closes the one waiting longest without having sent a whole request.
max_connections = 768
# Open connections at most per client address (trusted proxies excepted).
max_connections_per_client = 64
# Requests per second per client (0: no limit), and how many may come at once above it.
# Over it: 429 with Retry-After. /healthz is never limited.
requests_per_second = 50
burst = 200
# Proxies whose X-Forwarded-For is believed, as addresses or networks ("10.0.0.0/8"). Behind
# a reverse proxy, list it: otherwise every client is the proxy.
trusted_proxies = []
# Bytes of rendered pages, PNG charts and slot answers kept in memory, all caches together.
cache_bytes = 134217728
# Answers larger than this are not compressed per request (the national CSV is sent
# precompressed).
compress_max_bytes = 4194304

[build]
# Past releases kept in data_dir/releases.
keep = 10
# Largest accepted drop of a source's row count against the live release (0.2 = 20 %).
max_volume_drop = 0.2
# Accept data ending before the live release's.
allow_older_data = false
# Vaccination coverage target (% of the population) for the projected dates.
coverage_target = 90.0
# PNG copies of charts rendered at build time: "none", "national" (France and regions
# dashboards, maps), "dashboards" (every territory's dashboard, maps) or "all" (every chart).
# `vigie serve` rasterises any other PNG on demand from its SVG.
png = "national"
# Extra catalogue files describing more sources or indicators (TOML, docs/catalogue.md).
catalogs = []

[fetch]
# Timeout of each download, in seconds.
timeout = 300
# Timeout of the single download `vigie serve` tries first when it starts with no data (with no
# network the demonstration dataset is served once it expires), in seconds.
probe_timeout = 60
# Further attempts at a resource whose download failed (not for the first probe).
retries = 1
# Seconds between two attempts.
retry_delay = 30
# Resource list (TOML, see `vigie fetch --print-config`); empty: the built-in list.
resources = ""
# Local mirror directory imported instead of downloading (files with their official names, any
# layout); empty: download. `vigie serve --offline` still imports a mirror.
mirror = ""
# User-Agent sent to the publishers; empty: "vigie/<version> (+<project URL>; open-data mirror)".
user_agent = ""

[scan]
# Booking platforms to scan.
platforms = ["doctolib", "keldoc", "maiia", "ordoclic", "mapharma", "avecmondoc", "mesoigner", "bimedoc", "valwin"]
# Days ahead to look for slots (today + horizon_days).
horizon_days = 11
# Centre list (data.gouv "lieux de vaccination" CSV or JSON); empty: discover from the platforms.
centres = ""
# Scans kept in data_dir/scans.
keep = 24
# Days of availability history kept in data_dir/slots-history.sqlite.
history_days = 90
# User-Agent sent to the platforms; empty: "Vigie/<version> (+<project URL>)".
user_agent = ""

[contributions]
# Citizen contributions (POST /api/v1/contributions, /contribuer, /moderation), stored in
# data_dir/contributions/contributions.sqlite. Moderators: `vigie moderators add NAME`.
enabled = true
# Days an e-mail address left by a contributor is kept (it is never published).
email_retention_days = 90
# Accepting a change to live data (a missing centre, a centre correction, an erratum) needs a
# second moderator.
second_approval = false
# Hours a moderator's session lasts.
session_hours = 8
"#;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub data_dir: PathBuf,
    pub serve: Serve,
    pub build: Build,
    pub fetch: Fetch,
    pub scan: Scan,
    pub contributions: Contributions,
}

/// `[contributions]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contributions {
    pub enabled: bool,
    pub email_retention_days: u32,
    pub second_approval: bool,
    pub session_hours: u32,
}

impl Default for Contributions {
    fn default() -> Self {
        let s = vigie_contributions::Settings::default();
        Contributions {
            enabled: true,
            email_retention_days: s.email_retention_days,
            second_approval: s.second_approval,
            session_hours: s.session_hours,
        }
    }
}

impl Contributions {
    /// The desk's settings.
    pub fn settings(&self) -> vigie_contributions::Settings {
        vigie_contributions::Settings {
            email_retention_days: self.email_retention_days,
            second_approval: self.second_approval,
            session_hours: self.session_hours,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Serve {
    pub listen: SocketAddr,
    pub offline: bool,
    pub refresh_every: u64,
    pub scan_every: u64,
    pub reload_every: u64,
    pub limits: vigie_web::Limits,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Build {
    pub keep: usize,
    pub max_volume_drop: f64,
    pub allow_older_data: bool,
    pub coverage_target: f64,
    pub png: PngSetting,
    pub catalogs: Vec<PathBuf>,
}

/// `build.png` and `vigie build --png`: which PNG copies of the charts the build renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PngSetting {
    /// No PNG.
    None,
    /// France and regions dashboards, maps.
    National,
    /// Every territory's dashboard, maps.
    Dashboards,
    /// Every chart.
    All,
}

impl PngSetting {
    /// The build library's scope.
    pub fn scope(self) -> PngScope {
        match self {
            PngSetting::None => PngScope::None,
            PngSetting::National => PngScope::National,
            PngSetting::Dashboards => PngScope::Dashboards,
            PngSetting::All => PngScope::All,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fetch {
    pub timeout: u64,
    pub probe_timeout: u64,
    pub retries: u32,
    pub retry_delay: u64,
    pub resources: String,
    pub mirror: String,
    pub user_agent: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scan {
    pub platforms: Vec<String>,
    pub horizon_days: u16,
    pub centres: String,
    pub keep: usize,
    pub history_days: u32,
    pub user_agent: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("vigie-data"),
            serve: Serve::default(),
            build: Build::default(),
            fetch: Fetch::default(),
            scan: Scan::default(),
            contributions: Contributions::default(),
        }
    }
}

impl Default for Serve {
    fn default() -> Self {
        Serve {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            offline: false,
            refresh_every: 3600,
            scan_every: 600,
            reload_every: 30,
            limits: vigie_web::Limits::default(),
        }
    }
}

impl Default for Build {
    fn default() -> Self {
        Build {
            keep: 10,
            max_volume_drop: 0.2,
            allow_older_data: false,
            coverage_target: 90.0,
            png: PngSetting::National,
            catalogs: Vec::new(),
        }
    }
}

impl Default for Fetch {
    fn default() -> Self {
        Fetch {
            timeout: 300,
            probe_timeout: 60,
            retries: 1,
            retry_delay: 30,
            resources: String::new(),
            mirror: String::new(),
            user_agent: String::new(),
        }
    }
}

impl Default for Scan {
    fn default() -> Self {
        Scan {
            platforms: [
                "doctolib",
                "keldoc",
                "maiia",
                "ordoclic",
                "mapharma",
                "avecmondoc",
                "mesoigner",
                "bimedoc",
                "valwin",
            ]
            .map(String::from)
            .to_vec(),
            horizon_days: 11,
            centres: String::new(),
            keep: 24,
            history_days: 90,
            user_agent: String::new(),
        }
    }
}

impl Config {
    /// Loads the configuration: `file` if given (it must exist), else `./vigie.toml` if it
    /// exists, else the defaults; then the environment overrides.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("VIGIE_"))
            .collect();
        let (text, origin) = match file {
            Some(f) => (
                std::fs::read_to_string(f)
                    .with_context(|| format!("reading the configuration {}", f.display()))?,
                f.display().to_string(),
            ),
            None if Path::new("vigie.toml").is_file() => (
                std::fs::read_to_string("vigie.toml").context("reading ./vigie.toml")?,
                "vigie.toml".to_string(),
            ),
            None => (String::new(), "built-in defaults".to_string()),
        };
        Config::from_parts(&text, &origin, &env)
    }

    /// The file's text (may be empty) with `VIGIE_*` environment overrides applied.
    pub fn from_parts(text: &str, origin: &str, env: &[(String, String)]) -> anyhow::Result<Self> {
        let mut value: toml::Table =
            toml::from_str(text).with_context(|| format!("{origin}: invalid TOML"))?;
        let defaults: toml::Table = toml::from_str(DEFAULTS).context("built-in defaults")?;
        for (key, default) in &defaults {
            match default {
                toml::Value::Table(section) => {
                    for (field, default) in section {
                        let var = format!("VIGIE_{}_{}", key, field).to_uppercase();
                        if let Some((_, v)) = env.iter().find(|(k, _)| *k == var) {
                            let entry = value
                                .entry(key.clone())
                                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                            if let toml::Value::Table(t) = entry {
                                t.insert(field.clone(), env_value(v, default));
                            }
                        }
                    }
                }
                _ => {
                    let var = format!("VIGIE_{key}").to_uppercase();
                    if let Some((_, v)) = env.iter().find(|(k, _)| *k == var) {
                        value.insert(key.clone(), env_value(v, default));
                    }
                }
            }
        }
        Config::deserialize(toml::Value::Table(value))
            .with_context(|| format!("{origin} (with VIGIE_* environment overrides)"))
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        toml::to_string(self).context("serialising the configuration")
    }
}

/// An environment value: the text itself for a string setting, else read as a TOML value (or
/// kept as text, for the type check to name the key).
fn env_value(text: &str, default: &toml::Value) -> toml::Value {
    if default.is_str() {
        return toml::Value::String(text.to_string());
    }
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// Arguments of `vigie config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Print the documented default configuration file.
    Defaults,
    /// Print the effective configuration (file and environment applied).
    Show,
}

pub fn run(args: Args, config: &Config) -> anyhow::Result<()> {
    match args.what {
        What::Defaults => print!("{DEFAULTS}"),
        What::Show => print!("{}", config.to_toml()?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn documented_defaults_are_the_built_in_defaults() {
        let c = Config::from_parts(DEFAULTS, "defaults", &[]).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(Config::from_parts("", "empty", &[]).unwrap(), c);
        // And the effective configuration round-trips.
        let again = Config::from_parts(&c.to_toml().unwrap(), "round-trip", &[]).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn file_then_environment() {
        let file = "data_dir = \"/srv/vigie\"\n[serve]\nlisten = \"0.0.0.0:80\"\nscan_every = 60\n";
        let env = vec![
            (
                "VIGIE_SERVE_LISTEN".to_string(),
                "127.0.0.1:9000".to_string(),
            ),
            (
                "VIGIE_SCAN_PLATFORMS".to_string(),
                "[\"bimedoc\"]".to_string(),
            ),
            ("VIGIE_BUILD_PNG".to_string(), "none".to_string()),
            ("VIGIE_SCAN_USER_AGENT".to_string(), "true".to_string()),
            ("VIGIE_UNRELATED".to_string(), "x".to_string()),
        ];
        let c = Config::from_parts(file, "test", &env).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/vigie"));
        assert_eq!(c.serve.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(c.serve.scan_every, 60);
        assert_eq!(c.scan.platforms, ["bimedoc"]);
        assert_eq!(c.build.png, PngSetting::None);
        assert_eq!(c.scan.user_agent, "true");
        assert_eq!(c.build.keep, 10);
    }

    #[test]
    fn mistakes_are_named() {
        let e = Config::from_parts("[serve]\nlisen = \"x\"\n", "vigie.toml", &[]).unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("vigie.toml") && msg.contains("lisen"), "{msg}");
        let env = vec![("VIGIE_SERVE_REFRESH_EVERY".to_string(), "soon".to_string())];
        let e = Config::from_parts("", "vigie.toml", &env).unwrap_err();
        assert!(format!("{e:#}").contains("refresh_every"), "{e:#}");
    }
}
