//! The scans of a data directory (`DIR/scans/`, layout in `vigie_contracts::layout`): one scan
//! writes at a time ([`ScanDir::lock`]), what a killed scan left is swept under the lock, and
//! the live scan is always the newest ([`ScanDir::should_go_live`]): a scan whose time is older
//! than the live scan's is kept but never made current.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use vigie_contracts::layout::{self, DataLayout};

use crate::breaker::BreakerMemory;

/// The scans folder of a data directory.
#[derive(Debug, Clone)]
pub struct ScanDir {
    dir: PathBuf,
    lock_path: PathBuf,
    breakers_path: PathBuf,
}

/// The scan lock, held until dropped (or the process dies).
#[derive(Debug)]
pub struct ScanLock {
    _file: fs::File,
}

impl ScanDir {
    /// The scans of the data directory `root`.
    pub fn new(root: &Path) -> ScanDir {
        let l = DataLayout::new(root);
        ScanDir {
            dir: l.scans(),
            lock_path: l.scan_lock(),
            breakers_path: l.scan_breakers(),
        }
    }

    /// `DIR/scans`.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Waits for the scan lock (another scan writing its files), creating `scans/` if needed.
    pub fn lock(&self) -> io::Result<ScanLock> {
        fs::create_dir_all(&self.dir)?;
        let file = fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(io::Error::from)?;
        Ok(ScanLock { _file: file })
    }

    /// What the breakers remembered at the end of the last scan (`scans/.breakers.json`; none
    /// before the first scan, or when the file cannot be read: the breakers then start
    /// closed).
    pub fn read_breakers(&self) -> BTreeMap<String, BreakerMemory> {
        let Ok(bytes) = fs::read(&self.breakers_path) else {
            return BTreeMap::new();
        };
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(
                "{}: {e}; breakers start closed",
                self.breakers_path.display()
            );
            BTreeMap::new()
        })
    }

    /// Writes what the breakers remember (atomically: a temporary file renamed). Call it
    /// with the lock held.
    pub fn write_breakers(
        &self,
        _lock: &ScanLock,
        breakers: &BTreeMap<String, BreakerMemory>,
    ) -> io::Result<()> {
        let tmp = self.dir.join(".breakers.json.tmp");
        let bytes = serde_json::to_vec_pretty(breakers).map_err(io::Error::other)?;
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, &self.breakers_path)
    }

    /// Removes what killed scans left (hidden staging and old siblings, never the lock);
    /// returns the names removed. Call it with the lock held.
    pub fn sweep(&self, _lock: &ScanLock) -> Vec<String> {
        let mut removed = Vec::new();
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                && name != layout::SCAN_LOCK
                && entry.file_type().is_ok_and(|t| t.is_dir())
                && fs::remove_dir_all(entry.path()).is_ok()
            {
                removed.push(name);
            }
        }
        removed
    }

    /// The live scan's id (the target of `scans/current`).
    pub fn live_id(&self) -> Option<String> {
        let target = fs::read_link(self.dir.join(layout::CURRENT)).ok()?;
        Some(target.file_name()?.to_string_lossy().into_owned())
    }

    /// A free id for a scan of time id `id` (`20261129T090000Z`, then `-2`, `-3`…).
    pub fn free_id(&self, id: &str) -> String {
        let mut candidate = id.to_string();
        let mut n = 1;
        while self.dir.join(&candidate).exists() {
            n += 1;
            candidate = format!("{id}-{n}");
        }
        candidate
    }

    /// Whether a scan of time id `id` may become the live scan: no live scan yet, or the live
    /// one is not newer (ids are UTC times, `YYYYMMDDTHHMMSSZ[-n]`, ordered as text).
    pub fn should_go_live(&self, id: &str) -> bool {
        match self.live_id() {
            None => true,
            Some(live) => time_part(&live) <= time_part(id),
        }
    }
}

/// The time of a scan id, without its `-n` suffix.
fn time_part(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_newest_scan_goes_live_and_leftovers_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let d = ScanDir::new(tmp.path());
        let lock = d.lock().unwrap();
        assert!(d.should_go_live("20261129T090000Z"));
        fs::create_dir_all(d.path().join("20261129T100000Z")).unwrap();
        std::os::unix::fs::symlink("20261129T100000Z", d.path().join("current")).unwrap();
        assert!(!d.should_go_live("20261129T090000Z"));
        assert!(d.should_go_live("20261129T100000Z-2"));
        assert!(d.should_go_live("20261129T110000Z"));
        assert_eq!(d.free_id("20261129T100000Z"), "20261129T100000Z-2");
        fs::create_dir_all(d.path().join(".20261129T110000Z.staging-1")).unwrap();
        assert_eq!(d.sweep(&lock), [".20261129T110000Z.staging-1"]);
        assert!(d.path().join(layout::SCAN_LOCK).exists());
        assert!(d.path().join("20261129T100000Z").exists());
    }
}
