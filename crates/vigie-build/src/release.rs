//! Writing a release next to its final place and switching it in atomically.
//!
//! A release is first written in a hidden staging directory beside the target (same file
//! system). Only when every file is written and synced is it switched in: with `rename` when
//! the target does not exist, else with `renameat2(RENAME_EXCHANGE)`, which swaps the two
//! directories in one step — a reader sees the whole old release or the whole new one, never
//! a mix or nothing. The old release is then deleted. A failure at any point before the
//! switch leaves the target untouched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A staging directory for `target`.
#[derive(Debug)]
pub struct Staging {
    /// The directory being written.
    pub dir: PathBuf,
    target: PathBuf,
}

fn hidden_sibling(target: &Path, tag: &str) -> io::Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} has no file name", target.display()),
            )
        })?
        .to_string_lossy()
        .into_owned();
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{name}.{tag}-{}", std::process::id())))
}

impl Staging {
    /// Creates a fresh staging directory beside `target`, removing what interrupted runs left.
    pub fn create(target: &Path) -> io::Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        if let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) {
            let prefixes = [
                vigie_contracts::layout::staging_prefix(&name),
                vigie_contracts::layout::old_prefix(&name),
            ];
            for entry in fs::read_dir(parent)?.flatten() {
                let n = entry.file_name().to_string_lossy().into_owned();
                if prefixes.iter().any(|p| n.starts_with(p.as_str())) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = hidden_sibling(target, "staging")?;
        fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Switches the staging directory in as `target`.
    pub fn commit(self) -> io::Result<()> {
        sync_tree(&self.dir)?;
        if self.target.exists() {
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.dir,
                rustix::fs::CWD,
                &self.target,
                rustix::fs::RenameFlags::EXCHANGE,
            )
            .map_err(io::Error::from)?;
            // `self.dir` now holds the previous release.
            let old = hidden_sibling(&self.target, "old")?;
            fs::rename(&self.dir, &old)?;
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.dir, &self.target)?;
        }
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    }

    /// Abandons the staging directory.
    pub fn discard(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Flushes everything written under `dir` to stable storage before the switch: one `syncfs`
/// of the file system holding it (a power cut after the rename must not expose empty files).
fn sync_tree(dir: &Path) -> io::Result<()> {
    let fd = fs::File::open(dir)?;
    rustix::fs::syncfs(&fd).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_whole_and_discard_keeps_old() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("release");
        let s = Staging::create(&target).unwrap();
        fs::write(s.dir.join("a.txt"), "one").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "one");
        let s = Staging::create(&target).unwrap();
        fs::write(s.dir.join("b.txt"), "two").unwrap();
        s.discard();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "one");
        let s = Staging::create(&target).unwrap();
        fs::write(s.dir.join("b.txt"), "two").unwrap();
        s.commit().unwrap();
        assert!(!target.join("a.txt").exists());
        assert_eq!(fs::read_to_string(target.join("b.txt")).unwrap(), "two");
        // Nothing left beside it.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
