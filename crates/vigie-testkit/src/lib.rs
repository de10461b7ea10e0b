//! The one helper that finds the shared real-data samples for tests and benchmarks.
//!
//! Looks at `$VIGIE_SHARED_DATA`, then `../shared/data` beside the repository. When neither
//! exists, tests print why they skip and return early: the project's own tests must pass on
//! a fresh clone without the shared folder.

use std::path::PathBuf;

/// The shared data directory, if present.
pub fn shared_data() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("VIGIE_SHARED_DATA") {
        let p = PathBuf::from(dir);
        if p.is_dir() {
            return Some(p);
        }
    }
    // crates/<name>/ -> repository root -> ../shared/data
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    p.is_dir().then(|| p.canonicalize().unwrap_or(p))
}

/// A file or folder under the shared data directory; `None` (with a printed reason) when
/// the shared data or that path is absent. Use as
/// `let Some(path) = vigie_testkit::shared("spf-epidemic/x.csv") else { return };`
pub fn shared(relative: &str) -> Option<PathBuf> {
    let Some(root) = shared_data() else {
        eprintln!(
            "skipped: shared data not found (set VIGIE_SHARED_DATA or place ../shared/data beside the repository)"
        );
        return None;
    };
    let p = root.join(relative);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent from the shared data", p.display());
        None
    }
}

/// The repository's own fixtures directory (`tests/fixtures` at the workspace root).
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}
