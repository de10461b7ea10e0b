//! The contracts between Vigie's crates: the types of what a release and a slot scan publish,
//! written by the build and the scan, read by the web layer and the static export.
//!
//! * [`chart`]: chart and map specs (one spec, two renderings: SVG and interactive);
//! * [`presentation`]: the presentation catalogue (KPI cards, charts, map layers, dashboards)
//!   declared in TOML beside the indicators and published in every release;
//! * [`release`]: the release manifest and every open-data JSON file (territories, sources,
//!   checks, data dictionary, changes, list of files) and the data directory's `status.json`,
//!   with OpenAPI schemas (`utoipa`);
//!
//! **Invariants:** no I/O, no clock; every type round-trips through JSON.

pub mod chart;
mod date;
pub mod layout;
pub mod presentation;
pub mod release;

pub use chart::{
    ChartSpec, DrawKind, MapClass, MapSpec, SpecBar, SpecKind, SpecSeries, SpecThreshold,
};
pub use presentation::Presentation;
pub use release::{DataStatus, ReleaseManifest};

use serde::{Deserialize, Serialize};

/// A text in French and English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct L10n {
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl L10n {
    /// A text from its two translations.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> L10n {
        L10n {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// The same text in both languages (names, symbols).
    pub fn same(s: impl Into<String>) -> L10n {
        let s = s.into();
        L10n {
            fr: s.clone(),
            en: s,
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// Both texts joined with another text (`"{self}{sep}{other}"`).
    pub fn join(&self, sep: &str, other: &L10n) -> L10n {
        L10n {
            fr: format!("{}{sep}{}", self.fr, other.fr),
            en: format!("{}{sep}{}", self.en, other.en),
        }
    }
}

/// A language of the published texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// French (the language of the SVG and PNG files).
    #[default]
    Fr,
    /// English.
    En,
}
