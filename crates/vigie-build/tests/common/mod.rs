//! Helpers shared by the gate tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use vigie_build::BuildOptions;
use vigie_build::charts::{ChartFormats, PngScope};

/// Build options over `sources`, without charts.
pub fn opts(sources: &Path, built_at: &str) -> BuildOptions {
    BuildOptions {
        sources: sources.to_path_buf(),
        out: Default::default(),
        catalogs: Vec::new(),
        built_at: built_at.into(),
        charts: ChartFormats {
            svg: false,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    }
}

/// Copies the epidemic fixtures (not their README) into `to`.
pub fn copy_fixtures(to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(vigie_testkit::fixtures().join("epidemic")).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "README.md" {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
