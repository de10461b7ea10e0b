//! Charts of a release: per territory time charts and dashboard, and the department map.

use std::path::Path;

use vigie_sources::Breakdowns;

use crate::BuildError;
use crate::compute::Computed;

/// Which chart formats to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChartFormats {
    /// SVG files.
    pub svg: bool,
    /// PNG files (rasterised from the SVG).
    pub png: bool,
}

/// Writes every chart; returns how many files were written.
pub fn write_all(
    _computed: &Computed,
    _breakdowns: &Breakdowns,
    _geojson: Option<&str>,
    _dir: &Path,
    _formats: ChartFormats,
) -> Result<usize, BuildError> {
    Ok(0)
}
