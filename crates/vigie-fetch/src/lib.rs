//! `vigie fetch`: official files into the data directory's `sources/`.
//!
//! Each resource is downloaded with a conditional request (`If-None-Match` /
//! `If-Modified-Since` from the previous fetch: a `304` costs nothing), resumed with a `Range`
//! request when an interrupted download left a partial file, checked by SHA-256 and installed
//! atomically (written to a hidden `.part` file, then renamed). One failing resource never stops
//! the others: its error is reported and its previous file is kept. What was fetched, from where,
//! when, with which publisher dates and hash, is recorded in `sources/.provenance.json`, which
//! `vigie build` carries into every release.
//!
//! Long downloads show their progress on stderr ([`Progress`]): an `indicatif` bar when stderr
//! is a terminal, otherwise a plain line every ten seconds while a download lasts (nothing for
//! quick ones).
//!
//! **Invariant:** the only files written are under the destination directory; a file is replaced
//! only by a complete download.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const DEFAULT_CONFIG: &str = include_str!("../fetch.toml");

/// One official resource.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Identifier.
    pub id: String,
    /// Download URL.
    pub url: String,
    /// File name written under `sources/`.
    pub file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    resource: Vec<Resource>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid TOML or not the expected shape.
    #[error("fetch configuration {origin}: {source}")]
    Toml {
        /// Where it came from.
        origin: String,
        /// Parser error.
        source: toml::de::Error,
    },
    /// A file name that would escape the sources directory.
    #[error("fetch configuration: resource {0} has an unsafe file name")]
    UnsafeName(String),
}

/// The built-in list of official resources (TOML text).
pub fn default_config() -> &'static str {
    DEFAULT_CONFIG
}

/// Parses a resource list.
pub fn parse_config(text: &str, origin: &str) -> Result<Vec<Resource>, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|source| ConfigError::Toml {
        origin: origin.to_string(),
        source,
    })?;
    for r in &file.resource {
        if r.file.is_empty()
            || r.file.starts_with('.')
            || r.file.contains('/')
            || r.file.contains('\\')
        {
            return Err(ConfigError::UnsafeName(r.id.clone()));
        }
    }
    Ok(file.resource)
}

/// What is known of one fetched file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Provenance {
    /// Where it came from (`https://…` or `file://…`).
    pub origin: String,
    /// When it was last downloaded.
    pub fetched_at: String,
    /// When the publisher was last asked (download or `304`).
    #[serde(default)]
    pub checked_at: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The publisher's `Last-Modified` (or the mirror file's modification time).
    #[serde(default)]
    pub publisher_last_modified: Option<String>,
    /// The publisher's `ETag`.
    #[serde(default)]
    pub etag: Option<String>,
}

/// `sources/.provenance.json`: file name → provenance.
pub type ProvenanceMap = BTreeMap<String, Provenance>;

/// Reads the provenance file of a sources directory (empty when absent or unreadable).
pub fn read_provenance(sources: &Path) -> ProvenanceMap {
    fs::read(sources.join(".provenance.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes the provenance file atomically.
pub fn write_provenance(sources: &Path, map: &ProvenanceMap) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(map).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let tmp = sources.join(".provenance.json.part");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, sources.join(".provenance.json"))
}

/// What happened to one resource.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Downloaded for the first time.
    New {
        /// Bytes.
        bytes: u64,
    },
    /// Downloaded and different from the previous file.
    Updated {
        /// Bytes.
        bytes: u64,
    },
    /// The publisher answered 304, or the download was identical.
    Unchanged,
    /// Failed; the previous file (if any) is kept.
    Failed(String),
}

/// Network settings.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    /// User-Agent sent to publishers.
    pub user_agent: String,
    /// Current time, ISO 8601 (passed in).
    pub now: String,
}

/// How download progress is shown, on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// A bar when stderr is a terminal, else [`Progress::Lines`] every ten seconds.
    #[default]
    Auto,
    /// An `indicatif` bar per download (hidden by `indicatif` itself when stderr is not a
    /// terminal).
    Bar,
    /// A plain line every `every` while a download lasts (for logs); quick downloads print
    /// nothing.
    Lines {
        /// Interval between lines.
        every: Duration,
    },
    /// Nothing.
    Hidden,
}

impl Progress {
    /// [`Progress::Auto`] resolved against the actual stderr.
    fn resolve(self) -> Progress {
        match self {
            Progress::Auto if io::stderr().is_terminal() => Progress::Bar,
            Progress::Auto => Progress::Lines {
                every: Duration::from_secs(10),
            },
            other => other,
        }
    }
}

/// The plain progress line of a download: `id: 12.3 MB of 45.6 MB (27 %)`, or without the total
/// when the publisher does not announce the size.
pub fn progress_line(id: &str, done: u64, total: Option<u64>) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    match total {
        Some(t) if t > 0 => format!(
            "{id}: {:.1} MB of {:.1} MB ({} %)",
            mb(done),
            mb(t),
            (done.min(t) * 100) / t
        ),
        _ => format!("{id}: {:.1} MB", mb(done)),
    }
}

/// A reader that reports the bytes read through it.
struct Meter<'a, R> {
    inner: R,
    id: &'a str,
    done: u64,
    total: Option<u64>,
    bar: Option<ProgressBar>,
    lines: Option<(Duration, Instant)>,
}

impl<'a, R: Read> Meter<'a, R> {
    fn new(inner: R, id: &'a str, start: u64, total: Option<u64>, progress: Progress) -> Self {
        let (bar, lines) = match progress.resolve() {
            Progress::Bar => {
                let bar = match total {
                    Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
                    None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                };
                let template = if total.is_some() {
                    "{prefix:>24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
                } else {
                    "{prefix:>24} {spinner} {bytes} {bytes_per_sec}"
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_prefix(id.to_string());
                bar.set_position(start);
                (Some(bar), None)
            }
            Progress::Lines { every } => (None, Some((every, Instant::now()))),
            Progress::Auto | Progress::Hidden => (None, None),
        };
        Meter {
            inner,
            id,
            done: start,
            total,
            bar,
            lines,
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl<R: Read> Read for Meter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        }
        if let Some((every, last)) = &mut self.lines
            && last.elapsed() >= *every
        {
            eprintln!("{}", progress_line(self.id, self.done, self.total));
            *last = Instant::now();
        }
        Ok(n)
    }
}

fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((format!("{:x}", h.finalize()), n))
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

/// Downloads one resource into `sources/`, updating `provenance`.
pub fn fetch_one(
    agent: &ureq::Agent,
    r: &Resource,
    sources: &Path,
    provenance: &mut ProvenanceMap,
    opts: &FetchOptions,
) -> Outcome {
    fetch_one_with(agent, r, sources, provenance, opts, Progress::Hidden)
}

/// [`fetch_one`], showing progress.
pub fn fetch_one_with(
    agent: &ureq::Agent,
    r: &Resource,
    sources: &Path,
    provenance: &mut ProvenanceMap,
    opts: &FetchOptions,
    progress: Progress,
) -> Outcome {
    match fetch_inner(agent, r, sources, provenance, opts, progress) {
        Ok(o) => o,
        Err(e) => Outcome::Failed(e),
    }
}

fn fetch_inner(
    agent: &ureq::Agent,
    r: &Resource,
    sources: &Path,
    provenance: &mut ProvenanceMap,
    opts: &FetchOptions,
    progress: Progress,
) -> Result<Outcome, String> {
    let dest = sources.join(&r.file);
    let part = sources.join(format!(".{}.part", r.file));
    let previous = provenance.get(&r.file).cloned().filter(|_| dest.exists());
    let partial = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut req = agent.get(&r.url).header("User-Agent", &opts.user_agent);
    if let Some(p) = &previous {
        if let Some(etag) = &p.etag {
            req = req.header("If-None-Match", etag);
        }
        if let Some(lm) = &p.publisher_last_modified {
            req = req.header("If-Modified-Since", lm);
        }
    }
    if partial > 0 {
        req = req.header("Range", &format!("bytes={partial}-"));
    }
    let mut resp = req.call().map_err(|e| format!("{}: {e}", r.url))?;
    let status = resp.status().as_u16();
    if status == 304 {
        if let Some(p) = provenance.get_mut(&r.file) {
            p.checked_at = Some(opts.now.clone());
        }
        return Ok(Outcome::Unchanged);
    }
    let append = match status {
        206 => true,
        200 => false,
        other => return Err(format!("{}: HTTP {other}", r.url)),
    };
    let etag = header(&resp, "etag");
    let last_modified = header(&resp, "last-modified");
    let length = header(&resp, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let start = if append { partial } else { 0 };
    {
        let mut out = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .map_err(|e| format!("{}: {e}", part.display()))?;
        let body = resp.body_mut().with_config().limit(u64::MAX).reader();
        let mut body = Meter::new(body, &r.id, start, length.map(|l| l + start), progress);
        let copied = io::copy(&mut body, &mut out);
        body.finish();
        copied.map_err(|e| {
            format!(
                "{}: download interrupted: {e} (kept {} to resume)",
                r.url,
                part.display()
            )
        })?;
        out.flush()
            .and_then(|()| out.sync_all())
            .map_err(|e| format!("{}: {e}", part.display()))?;
    }
    let (sha, bytes) = sha256_file(&part).map_err(|e| format!("{}: {e}", part.display()))?;
    if bytes == 0 {
        let _ = fs::remove_file(&part);
        return Err(format!("{}: empty response", r.url));
    }
    let outcome = match &previous {
        Some(p) if p.sha256 == sha => {
            let _ = fs::remove_file(&part);
            Outcome::Unchanged
        }
        Some(_) => Outcome::Updated { bytes },
        None => Outcome::New { bytes },
    };
    if outcome != Outcome::Unchanged {
        fs::rename(&part, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    provenance.insert(
        r.file.clone(),
        Provenance {
            origin: r.url.clone(),
            fetched_at: if outcome == Outcome::Unchanged {
                previous
                    .map(|p| p.fetched_at)
                    .unwrap_or_else(|| opts.now.clone())
            } else {
                opts.now.clone()
            },
            checked_at: Some(opts.now.clone()),
            sha256: sha,
            bytes,
            publisher_last_modified: last_modified,
            etag,
        },
    );
    Ok(outcome)
}

/// Fetches every resource; returns `(resource id, outcome)` in order. Progress is shown as
/// [`Progress::Auto`] decides.
pub fn fetch_all(
    resources: &[Resource],
    sources: &Path,
    opts: &FetchOptions,
) -> io::Result<Vec<(String, Outcome)>> {
    fetch_all_with(resources, sources, opts, Progress::Auto)
}

/// [`fetch_all`] with an explicit progress display ([`Progress::Hidden`] for `--quiet`).
pub fn fetch_all_with(
    resources: &[Resource],
    sources: &Path,
    opts: &FetchOptions,
    progress: Progress,
) -> io::Result<Vec<(String, Outcome)>> {
    fs::create_dir_all(sources)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut provenance = read_provenance(sources);
    let mut out = Vec::new();
    for r in resources {
        let o = fetch_one_with(&agent, r, sources, &mut provenance, opts, progress);
        out.push((r.id.clone(), o));
        write_provenance(sources, &provenance)?;
    }
    Ok(out)
}

/// Imports the files of a local mirror (sub-folders flattened), copying new and changed files
/// atomically and recording their provenance (`file://` origin, the file's modification time as
/// the publisher's date).
pub fn import_dir(from: &Path, sources: &Path, now: &str) -> io::Result<Vec<(String, Outcome)>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
        for e in fs::read_dir(dir)? {
            let e = e?;
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if e.file_type()?.is_dir() {
                walk(&e.path(), out)?;
            } else {
                out.push(e.path());
            }
        }
        Ok(())
    }
    fs::create_dir_all(sources)?;
    let mut provenance = read_provenance(sources);
    let mut list = Vec::new();
    walk(from, &mut list)?;
    list.sort();
    let mut out = Vec::new();
    for path in list {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let (sha, bytes) = match sha256_file(&path) {
            Ok(x) => x,
            Err(e) => {
                out.push((name, Outcome::Failed(format!("{}: {e}", path.display()))));
                continue;
            }
        };
        let dest = sources.join(&name);
        let previous = provenance.get(&name).filter(|_| dest.exists());
        if previous.is_some_and(|p| p.sha256 == sha) {
            out.push((name, Outcome::Unchanged));
            continue;
        }
        let existed = previous.is_some();
        let part = sources.join(format!(".{name}.part"));
        fs::copy(&path, &part)?;
        fs::File::open(&part)?.sync_all()?;
        fs::rename(&part, &dest)?;
        let modified = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| {
                let secs = t
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                jiff::Timestamp::from_second(i64::try_from(secs).unwrap_or(0))
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            });
        let origin = fs::canonicalize(&path).unwrap_or(path.clone());
        provenance.insert(
            name.clone(),
            Provenance {
                origin: format!("file://{}", origin.display()),
                fetched_at: now.to_string(),
                checked_at: Some(now.to_string()),
                sha256: sha,
                bytes,
                publisher_last_modified: modified,
                etag: None,
            },
        );
        out.push((
            name,
            if existed {
                Outcome::Updated { bytes }
            } else {
                Outcome::New { bytes }
            },
        ));
    }
    write_provenance(sources, &provenance)?;
    Ok(out)
}
