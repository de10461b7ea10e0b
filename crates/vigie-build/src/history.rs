//! A data directory holding every release: `releases/<id>/` (immutable once written),
//! `current` (a symbolic link to the live one, replaced atomically), `refused/<id>/` (builds the
//! gate refused, kept for inspection) and `status.json` (the last build and gate decision).
//!
//! `vigie build --data-dir DIR` builds into a new release, runs the gate against the live
//! release, and only then switches `current`; `vigie serve --data-dir DIR` serves `current`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use vigie_contracts::layout::{self, DataLayout};

use vigie_contracts::release::{
    BuildState, ChangeCount, ChangeExample, ChangesFile, DataDirStatus, DataStatus, LastBuild,
    OpenDataFiles, TerritoryFile, TerritoryIndexEntry,
};

use crate::gate::{self, GatePolicy, GateReport};
use crate::{BuildError, BuildOptions, BuildReport};

/// Layout of a data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    /// Root.
    pub root: PathBuf,
}

/// What a gated build did.
#[derive(Debug)]
pub enum Outcome {
    /// The release passed the gate and is live.
    Published(BuildReport, GateReport),
    /// The gate refused it; the previous release stays live.
    Refused(BuildReport, GateReport),
}

/// Points the symbolic link `dir/link` at `target` (relative to `dir`) atomically: a new link
/// renamed over the old one, then the directory synced.
pub fn switch_link(dir: &Path, link: &str, target: &Path) -> io::Result<()> {
    let tmp = dir.join(format!(".{link}.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    fs::rename(&tmp, dir.join(link))?;
    sync_dir(dir)
}

/// Deletes the oldest entries of `dir` (sorted by name; hidden entries and `current` ignored)
/// beyond `keep`, never `live`; returns the names removed.
pub fn prune_dir(dir: &Path, keep: usize, live: Option<&str>) -> io::Result<Vec<String>> {
    let mut ids: Vec<String> = fs::read_dir(dir)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !layout::is_internal(n))
        .collect();
    ids.sort();
    let excess = ids.len().saturating_sub(keep.max(1));
    let mut removed = Vec::new();
    for id in ids.into_iter().take(excess) {
        if Some(id.as_str()) == live {
            continue;
        }
        fs::remove_dir_all(dir.join(&id))?;
        removed.push(id);
    }
    Ok(removed)
}

impl DataDir {
    /// A data directory at `root`.
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The paths of this data directory (`vigie_contracts::layout`).
    pub fn layout(&self) -> DataLayout {
        DataLayout::new(&self.root)
    }

    /// Official files.
    pub fn sources(&self) -> PathBuf {
        self.layout().sources()
    }

    /// All releases.
    pub fn releases(&self) -> PathBuf {
        self.layout().releases()
    }

    /// The live release's directory, if any.
    pub fn current(&self) -> Option<PathBuf> {
        let link = self.layout().current();
        let target = fs::read_link(&link).ok()?;
        let path = if target.is_absolute() {
            target
        } else {
            self.root.join(target)
        };
        path.join(layout::MANIFEST).exists().then_some(path)
    }

    /// Release ids, oldest first.
    pub fn release_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = fs::read_dir(self.releases())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// Points `current` at `releases/<id>` atomically (a new link renamed over the old one).
    pub fn switch(&self, id: &str) -> io::Result<()> {
        switch_link(&self.root, layout::CURRENT, &DataLayout::current_target(id))
    }

    /// Deletes the oldest releases beyond `keep`, never the live one.
    pub fn prune(&self, keep: usize) -> io::Result<Vec<String>> {
        let live = self
            .current()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        prune_dir(&self.releases(), keep, live.as_deref())
    }

    /// Builds `opts.sources` into a new release, gates it against the live one and switches
    /// `current` when it passes. `opts.out` is ignored (the release goes to `releases/<id>`).
    pub fn build(
        &self,
        opts: &BuildOptions,
        policy: GatePolicy,
        keep: usize,
    ) -> Result<Outcome, BuildError> {
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BuildError::Io { path, source }
        };
        fs::create_dir_all(self.releases()).map_err(io_err(&self.releases()))?;
        // One build at a time per data directory; the lock dies with its process.
        let lock = self
            .try_lock()
            .map_err(io_err(&self.layout().build_lock()))?;
        // What killed builds left behind (staging directories, builds that never reached the
        // gate) goes first.
        self.sweep_locked();
        let id = crate::release_id(&opts.built_at);
        let target = self.releases().join(&id);
        if target.exists() {
            return Err(BuildError::Io {
                path: target,
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a release with this build time exists; releases are immutable",
                ),
            });
        }
        // The build is written outside `releases/` and enters it only once the gate passed:
        // nothing under `releases/` has not passed the gate, even after a crash.
        let pending = self.layout().pending().join(&id);
        let mut o = opts.clone();
        o.out = pending.clone();
        let previous = self.current();
        let retired = crate::load_catalog(&opts.catalogs)?.retired;
        let report = match crate::build(&o) {
            Ok(report) => report,
            Err(e) => {
                let _ = fs::remove_dir_all(&pending);
                // Unreadable input (bad cell, corrupt or binary file, nothing recognised): the
                // live release stays, and the reason is recorded where the sources page reads it.
                if matches!(e, BuildError::Ingest(_) | BuildError::NoData(_)) {
                    let gate = gate::GateReport {
                        passed: false,
                        release_id: id.clone(),
                        previous_release_id: previous
                            .as_ref()
                            .and_then(|p| p.file_name())
                            .map(|n| n.to_string_lossy().into_owned()),
                        checks: vec![gate::GateCheck {
                            check: "readable inputs".into(),
                            passed: false,
                            detail: e.to_string(),
                        }],
                        diff: Vec::new(),
                    };
                    let refused = self.layout().refused().join(&id);
                    if fs::create_dir_all(&refused).is_ok() {
                        let _ = fs::write(refused.join("reason.txt"), format!("{e}\n"));
                    }
                    let status = DataDirStatus {
                        last_build: LastBuild {
                            release_id: id.clone(),
                            built_at: opts.built_at.clone(),
                            state: BuildState::Refused,
                            gate,
                        },
                        live_release: self.live_id(),
                        releases: self.release_ids(),
                    };
                    self.write_status(&status)?;
                }
                return Err(e);
            }
        };
        // Revisions of past values against the live release, part of the new release.
        let demo = crate::read_manifest(&pending).is_some_and(|m| m.demo);
        let (diff, presence) = match &previous {
            Some(prev) => {
                let (d, p) = compare(prev, &pending, 200, &retired);
                (d, Some(p))
            }
            None => (ChangesFile::default(), None),
        };
        let diff = ChangesFile {
            demo,
            data_status: DataStatus::from_demo(demo),
            ..diff
        };
        let diff_path = pending.join("open-data/changes.json");
        write_synced(&diff_path, &crate::json_bytes(&diff)).map_err(io_err(&diff_path))?;
        add_to_files_list(&pending, "open-data/changes.json", demo)?;
        let gate = gate::evaluate(&pending, previous.as_deref(), policy, presence.as_ref());
        let outcome = if gate.passed {
            let gate_path = pending.join(layout::GATE);
            write_synced(&gate_path, &crate::json_bytes(&gate)).map_err(io_err(&gate_path))?;
            sync_dir(&pending).map_err(io_err(&pending))?;
            fs::rename(&pending, &target).map_err(io_err(&target))?;
            sync_dir(&self.releases()).map_err(io_err(&self.releases()))?;
            self.switch(&id).map_err(io_err(&self.root))?;
            self.prune(keep).map_err(io_err(&self.releases()))?;
            Outcome::Published(report, gate)
        } else {
            let refused = self.layout().refused();
            fs::create_dir_all(&refused).map_err(io_err(&refused))?;
            let _ = fs::remove_dir_all(refused.join(&id));
            fs::rename(&pending, refused.join(&id)).map_err(io_err(&pending))?;
            let reason = format!("{}\n", gate.failures().join("\n"));
            let _ = fs::write(refused.join(&id).join("reason.txt"), reason);
            Outcome::Refused(report, gate)
        };
        let (state, report, gate) = match &outcome {
            Outcome::Published(r, g) => (BuildState::Published, r, g),
            Outcome::Refused(r, g) => (BuildState::Refused, r, g),
        };
        let status = DataDirStatus {
            last_build: LastBuild {
                release_id: report.release_id.clone(),
                built_at: opts.built_at.clone(),
                state,
                gate: gate.clone(),
            },
            live_release: self.live_id(),
            releases: self.release_ids(),
        };
        self.write_status(&status)?;
        drop(lock);
        Ok(outcome)
    }

    /// Removes what interrupted builds left (staging directories under `releases/`, builds
    /// under `.pending/` that never reached the gate), when no build is running; returns the
    /// names removed. `vigie serve` calls it at start.
    pub fn sweep(&self) -> Vec<String> {
        match self.try_lock() {
            Ok(_lock) => self.sweep_locked(),
            Err(_) => Vec::new(),
        }
    }

    /// Takes the build lock without waiting (`WouldBlock` when another build holds it); it is
    /// held until the file is dropped or the process dies.
    fn try_lock(&self) -> io::Result<fs::File> {
        let lock = fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.layout().build_lock())?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(
            |e| {
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("another build holds the data directory ({e})"),
                )
            },
        )?;
        Ok(lock)
    }

    /// [`DataDir::sweep`], the build lock held.
    fn sweep_locked(&self) -> Vec<String> {
        let mut removed = Vec::new();
        for dir in [self.releases(), self.layout().pending()] {
            let pending = dir == self.layout().pending();
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if (pending || name.starts_with('.')) && fs::remove_dir_all(entry.path()).is_ok() {
                    removed.push(name);
                }
            }
        }
        removed
    }

    /// The live release's id.
    fn live_id(&self) -> Option<String> {
        self.current()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    }

    /// Writes `status.json` atomically.
    fn write_status(&self, status: &DataDirStatus) -> Result<(), BuildError> {
        let bytes = crate::json_bytes(status);
        let tmp = self.root.join(".status.json.tmp");
        let status_path = self.layout().status();
        fs::write(&tmp, bytes).map_err(|source| BuildError::Io {
            path: tmp.clone(),
            source,
        })?;
        fs::rename(&tmp, &status_path).map_err(|source| BuildError::Io {
            path: status_path,
            source,
        })
    }
}

/// Writes a file and flushes it to stable storage.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::File::create(path)?;
    io::Write::write_all(&mut f, bytes)?;
    f.sync_all()
}

/// Flushes a directory's entries to stable storage.
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Adds `path` (a file just written into the release in `dir`) to its `open-data/files.json`,
/// keeping the entries already there.
fn add_to_files_list(dir: &Path, path: &str, demo: bool) -> Result<(), BuildError> {
    let list_path = dir.join(vigie_contracts::release::FILES_PATH);
    let rows: std::collections::BTreeMap<String, u64> = fs::read(&list_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<OpenDataFiles>(&b).ok())
        .map(|l| {
            l.files
                .into_iter()
                .filter_map(|f| f.rows.map(|r| (f.path, r)))
                .collect()
        })
        .unwrap_or_default();
    debug_assert!(dir.join(path).exists());
    crate::write_files_list(dir, &rows, demo).map(|_| ())
}

/// Values of the previous release that the new one changes or drops, for the days both cover,
/// compared territory by territory: counts per indicator and the first examples; and the
/// series (territory × indicator × breakdown) of the previous release the new one lacks,
/// except those of `retired` indicators.
pub fn compare(
    previous: &Path,
    new: &Path,
    max_examples: usize,
    retired: &[String],
) -> (ChangesFile, gate::SeriesPresence) {
    use std::collections::BTreeMap;
    fn read<T: serde::de::DeserializeOwned>(p: &Path) -> Option<T> {
        serde_json::from_slice(&fs::read(p).ok()?).ok()
    }
    let mut per_indicator: BTreeMap<String, ChangeCount> = BTreeMap::new();
    let mut examples = Vec::new();
    let mut presence = gate::SeriesPresence::default();
    let old_index: Vec<TerritoryIndexEntry> =
        read(&previous.join("open-data/territories.json")).unwrap_or_default();
    let index: Vec<TerritoryIndexEntry> =
        read(&new.join("open-data/territories.json")).unwrap_or_default();
    let missing = |t: &str, ind: &str, b: &str, p: &mut gate::SeriesPresence| {
        if retired.iter().any(|r| r == ind) {
            return;
        }
        p.missing_total += 1;
        *p.missing_by_territory.entry(t.to_string()).or_default() += 1;
        if p.missing.len() < 100 {
            p.missing.push(format!("{t} {ind} {b}"));
        }
    };
    for t in &old_index {
        let key = t.territory.as_str();
        let file = format!("open-data/territories/{key}.json");
        let Some(old) = read::<TerritoryFile>(&previous.join(&file)) else {
            continue;
        };
        let cur = index
            .iter()
            .any(|n| n.territory == key)
            .then(|| read::<TerritoryFile>(&new.join(&file)))
            .flatten();
        let Some(cur) = cur else {
            for (ind, breakdowns) in &old.indicators {
                for b in breakdowns.keys() {
                    missing(key, ind, b, &mut presence);
                }
            }
            continue;
        };
        for (ind, breakdowns) in &cur.indicators {
            for b in breakdowns.keys() {
                if old.indicators.get(ind).is_none_or(|m| !m.contains_key(b)) {
                    presence.added_total += 1;
                }
            }
        }
        for (ind, breakdowns) in &old.indicators {
            for (b, old_series) in breakdowns {
                let new_series = cur.indicators.get(ind).and_then(|m| m.get(b));
                if new_series.is_none() {
                    missing(key, ind, b, &mut presence);
                }
                let Some(ostart) = vigie_core::Date::parse_str(&old_series.start) else {
                    continue;
                };
                let nstart = new_series.and_then(|s| vigie_core::Date::parse_str(&s.start));
                for (i, v) in old_series.values.iter().enumerate() {
                    let Some(old_value) = *v else {
                        continue;
                    };
                    let day = ostart.add_days(i as i32);
                    let new_value = match (nstart, new_series) {
                        (Some(ns), Some(s)) => usize::try_from(day.days_since(ns))
                            .ok()
                            .and_then(|j| s.get(j)),
                        _ => None,
                    };
                    let entry = per_indicator.entry(ind.clone()).or_default();
                    match new_value {
                        Some(n) if n == old_value => continue,
                        Some(_) => entry.changed += 1,
                        None => entry.removed += 1,
                    }
                    if examples.len() < max_examples {
                        examples.push(ChangeExample {
                            territory: key.to_string(),
                            indicator: ind.clone(),
                            breakdown: b.clone(),
                            date: day.to_string(),
                            previous: old_value,
                            new: new_value,
                        });
                    }
                }
            }
        }
    }
    let total: u64 = per_indicator.values().map(|c| c.changed + c.removed).sum();
    presence.values_changed_or_removed = total;
    let changes = ChangesFile {
        previous_release: previous
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        values_changed_or_removed: total,
        by_indicator: per_indicator,
        examples,
        demo: false,
        data_status: DataStatus::Official,
    };
    (changes, presence)
}
