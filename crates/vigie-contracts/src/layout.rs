//! The layout of a data directory, shared by `build`, `scan`, `serve`, `publish` and `status`
//! (paths only: no I/O here; the build's `DataDir` and the scan do the writing).
//!
//! ```text
//! DIR/sources/                  official files and their provenance (vigie fetch)
//! DIR/.pending/<id>/            a build waiting for the gate (never served; removed at the
//!                               next build or server start)
//! DIR/releases/<id>/            immutable releases that passed the gate (vigie build)
//! DIR/releases/<id>/gate.json   the gate's report that let it in
//! DIR/current -> releases/<id>  the live release, switched atomically after the gate
//! DIR/refused/<id>/             builds the gate refused, with reason.txt
//! DIR/status.json               the last build and the gate's decision
//! DIR/.build.lock               one build at a time (flock, dies with its process)
//! DIR/scans/<id>/               slot scans (vigie scan)
//! DIR/scans/current -> <id>     the live scan (the newest scan: an older one is kept, not made
//!                               current)
//! DIR/scans/.scan.lock          one scan writes at a time (flock, dies with its process)
//! .<name>.staging-<n>           a directory being written beside its target, renamed in
//! .<name>.old-<n>               the target it replaced, removed after the switch
//! ```

use std::path::{Path, PathBuf};

/// Name of the live-release link (also of the live-scan link under `scans/`).
pub const CURRENT: &str = "current";
/// Folder of the releases.
pub const RELEASES: &str = "releases";
/// Folder of the refused builds.
pub const REFUSED: &str = "refused";
/// Folder of the scans.
pub const SCANS: &str = "scans";
/// Folder of the official files.
pub const SOURCES: &str = "sources";
/// The last build and gate decision.
pub const STATUS: &str = "status.json";
/// The build lock.
pub const BUILD_LOCK: &str = ".build.lock";
/// The scan lock, under `scans/`.
pub const SCAN_LOCK: &str = ".scan.lock";

/// What the platforms' circuit breakers remember from one scan to the next (in `scans/`).
pub const SCAN_BREAKERS: &str = ".breakers.json";
/// The manifest of a release (its presence makes a directory a release).
pub const MANIFEST: &str = "release.json";
/// Folder of the builds waiting for the gate.
pub const PENDING: &str = ".pending";
/// The gate report inside a release that passed it.
pub const GATE: &str = "gate.json";

/// Prefix of the staging siblings of `name` (`.name.staging-`).
pub fn staging_prefix(name: &str) -> String {
    format!(".{name}.staging-")
}

/// Prefix of the replaced siblings of `name` (`.name.old-`).
pub fn old_prefix(name: &str) -> String {
    format!(".{name}.old-")
}

/// Whether a directory entry is internal (staging, old, lock files, links): hidden or
/// `current`.
pub fn is_internal(name: &str) -> bool {
    name.starts_with('.') || name == CURRENT
}

/// The paths of one data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataLayout {
    root: PathBuf,
}

impl DataLayout {
    /// The layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> DataLayout {
        DataLayout { root: root.into() }
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `sources/`.
    pub fn sources(&self) -> PathBuf {
        self.root.join(SOURCES)
    }

    /// `releases/`.
    pub fn releases(&self) -> PathBuf {
        self.root.join(RELEASES)
    }

    /// `releases/<id>/`.
    pub fn release(&self, id: &str) -> PathBuf {
        self.releases().join(id)
    }

    /// The link target of `current` for release `id`, relative to the root (`releases/<id>`).
    pub fn current_target(id: &str) -> PathBuf {
        Path::new(RELEASES).join(id)
    }

    /// `current` (the live-release link).
    pub fn current(&self) -> PathBuf {
        self.root.join(CURRENT)
    }

    /// `.pending/` (builds waiting for the gate).
    pub fn pending(&self) -> PathBuf {
        self.root.join(PENDING)
    }

    /// `refused/`.
    pub fn refused(&self) -> PathBuf {
        self.root.join(REFUSED)
    }

    /// `status.json`.
    pub fn status(&self) -> PathBuf {
        self.root.join(STATUS)
    }

    /// `.build.lock`.
    pub fn build_lock(&self) -> PathBuf {
        self.root.join(BUILD_LOCK)
    }

    /// `scans/`.
    pub fn scans(&self) -> PathBuf {
        self.root.join(SCANS)
    }

    /// `scans/current` (the live-scan link).
    pub fn scans_current(&self) -> PathBuf {
        self.scans().join(CURRENT)
    }

    /// `scans/.scan.lock`.
    pub fn scan_lock(&self) -> PathBuf {
        self.scans().join(SCAN_LOCK)
    }

    /// `scans/.breakers.json`.
    pub fn scan_breakers(&self) -> PathBuf {
        self.scans().join(SCAN_BREAKERS)
    }

    /// The data directory of a release directory (`DIR/releases/<id>` or `DIR/current` →
    /// `DIR`), for finding `status.json` and the other releases from a loaded release.
    pub fn of_release(release_dir: &Path) -> Option<DataLayout> {
        let parent = release_dir.parent()?;
        let root = if parent.file_name().is_some_and(|n| n == RELEASES) {
            parent.parent()?
        } else {
            parent
        };
        Some(DataLayout::new(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_a_data_directory() {
        let l = DataLayout::new("/d");
        assert_eq!(
            l.release("20220301T000000Z"),
            Path::new("/d/releases/20220301T000000Z")
        );
        assert_eq!(l.current(), Path::new("/d/current"));
        assert_eq!(l.scans_current(), Path::new("/d/scans/current"));
        assert_eq!(l.status(), Path::new("/d/status.json"));
        assert_eq!(DataLayout::current_target("x"), Path::new("releases/x"));
        assert_eq!(
            DataLayout::of_release(Path::new("/d/releases/x")),
            Some(DataLayout::new("/d"))
        );
        assert_eq!(
            DataLayout::of_release(Path::new("/d/current")),
            Some(DataLayout::new("/d"))
        );
        assert!(is_internal(".build.lock") && is_internal("current") && !is_internal("2022"));
        assert_eq!(staging_prefix("rel"), ".rel.staging-");
    }
}
