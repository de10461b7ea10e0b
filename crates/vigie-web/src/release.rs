//! The live release as the server sees it: a directory written by `vigie build`, loaded once
//! and reloaded when its `release.json` changes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use vigie_contracts::release::{
    DataDictionary, DataDirStatus, DataStatus, LatestValue, PublishedSeries, ReleaseManifest,
    SourcesFile, TerritoryFile, TerritoryHead, TerritoryIndexEntry, WorldInfo,
};

/// A release could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file is missing or unreadable.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON, or not of the published shape.
    #[error("{path}: field `{field}`: {source}")]
    Json {
        /// Path.
        path: PathBuf,
        /// The field where reading stopped (`latest.cases.value`, `.` for the document).
        field: String,
        /// Cause.
        source: serde_json::Error,
    },
}

/// What the pages need of one territory (the full series stay on disk).
#[derive(Clone, Debug)]
pub struct TerritorySummary {
    /// `FR`, `REG-84`, `DEP-01`.
    pub key: String,
    /// Name.
    pub name: String,
    /// `country`, `region`, `department`.
    pub level: String,
    /// Parent region key.
    pub region: Option<String>,
    /// Latest values by indicator id (`latest` of the territory JSON).
    pub latest: BTreeMap<String, LatestValue>,
    /// Population used for rates.
    pub population: Option<f64>,
    /// Where that population comes from.
    pub population_source: Option<String>,
    /// Codes, English name, continent and WHO region of the world's territories.
    pub world: Option<WorldInfo>,
    /// The world's territories (whose `latest` is empty): the last value of each series, by
    /// (indicator, breakdown), computed from the series and their step.
    pub series_latest: BTreeMap<(String, String), SeriesLatest>,
}

/// The last defined value of a published series and its date.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesLatest {
    /// Value.
    pub value: f64,
    /// ISO date of the value (`start + index × step`).
    pub date: String,
}

/// Days between two values of a published series (`P1D` → 1, `P7D` → 7).
pub fn step_days(step: &str) -> Option<i64> {
    let n: i64 = step.strip_prefix('P')?.strip_suffix('D')?.parse().ok()?;
    (n > 0).then_some(n)
}

/// The ISO date of value `i` of a series.
pub fn series_date(s: &PublishedSeries, i: usize) -> Option<String> {
    let step = step_days(&s.step)?;
    let i = i64::try_from(i).ok()?;
    crate::data::add_days(&s.start, i * step)
}

/// The last defined value of a series, with its date.
pub fn series_last(s: &PublishedSeries) -> Option<SeriesLatest> {
    let i = s.values.iter().rposition(Option::is_some)?;
    Some(SeriesLatest {
        value: s.get(i)?,
        date: series_date(s, i)?,
    })
}

/// Whether a level is one of the world's (`world_country`, `world`, `continent`,
/// `who_region`, `non_country`), not a French territory.
pub fn is_world_level(level: &str) -> bool {
    matches!(
        level,
        "world_country" | "world" | "continent" | "who_region" | "non_country"
    )
}

/// A loaded release.
#[derive(Clone, Debug)]
pub struct Release {
    /// Directory.
    pub dir: PathBuf,
    /// `release.json`.
    pub manifest: ReleaseManifest,
    /// `open-data/sources.json`.
    pub sources: SourcesFile,
    /// `open-data/data-dictionary.json`.
    pub dictionary: DataDictionary,
    /// `status.json` of the data directory (last build and gate decision), when there is one.
    pub status: Option<DataDirStatus>,
    /// Territories in reference order.
    pub territories: Vec<TerritorySummary>,
    /// Index by key.
    pub by_key: HashMap<String, usize>,
    /// `charts/presentation.json`: KPI cards, charts and map layers of the release.
    pub presentation: vigie_contracts::Presentation,
    /// `charts/index.json`: the charts each territory has, and the maps.
    pub chart_index: vigie_contracts::chart::ChartIndex,
}

/// Parses a typed document; the error names the file and the field.
pub fn parse<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, LoadError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| LoadError::Json {
        path: path.to_path_buf(),
        field: e.path().to_string(),
        source: e.into_inner(),
    })
}

/// A typed file of the release, which must exist.
fn read_required<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, LoadError> {
    let bytes = fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &bytes)
}

/// A typed file of the release; `None` when the file does not exist (an older release), an error
/// naming the file and field when it does not parse.
fn read_typed<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, LoadError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LoadError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse(path, &bytes).map(Some)
}

/// Whether a territory key or release id can name a file (no path separator, no dot first).
pub fn safe_key(x: &str) -> bool {
    !x.is_empty()
        && !x.starts_with('.')
        && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The data directory's `status.json` of the release in `dir`, when there is one. It is not
/// part of the release: an unreadable one is logged and left out rather than refusing it.
pub fn read_status(dir: &Path) -> Option<DataDirStatus> {
    let path = vigie_contracts::layout::DataLayout::of_release(dir)?.status();
    read_typed::<DataDirStatus>(&path).unwrap_or_else(|e| {
        tracing::warn!("{e}");
        None
    })
}

impl Release {
    /// Loads a release directory. Every file is read into its contract type: a file that does
    /// not parse refuses the release, naming the file and the field.
    pub fn load(dir: &Path) -> Result<Release, LoadError> {
        let manifest: ReleaseManifest = read_required(&dir.join("release.json"))?;
        let sources: SourcesFile = read_required(&dir.join("open-data/sources.json"))?;
        let dictionary: DataDictionary =
            read_typed(&dir.join("open-data/data-dictionary.json"))?.unwrap_or_default();
        let index: Vec<TerritoryIndexEntry> =
            read_required(&dir.join("open-data/territories.json"))?;
        let mut territories = Vec::new();
        for t in index {
            if !safe_key(&t.territory) {
                return Err(LoadError::Io {
                    path: dir.join("open-data/territories.json"),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("territory key {:?} cannot name a file", t.territory),
                    ),
                });
            }
            let path = dir
                .join("open-data/territories")
                .join(format!("{}.json", t.territory));
            let mut series_latest = BTreeMap::new();
            let head: TerritoryHead = if is_world_level(&t.level) {
                // The world's files have no `latest`: the last value of each series is kept.
                let full: TerritoryFile = read_required(&path)?;
                for (id, by) in &full.indicators {
                    for (b, s) in by {
                        if let Some(l) = series_last(s) {
                            series_latest.insert((id.clone(), b.clone()), l);
                        }
                    }
                }
                full.head
            } else {
                read_required(&path)?
            };
            territories.push(TerritorySummary {
                world: t.world.or(head.world),
                series_latest,
                key: t.territory,
                name: t.name,
                level: t.level,
                region: t.region,
                latest: head.latest,
                population: head.population,
                population_source: head.population_source,
            });
        }
        let by_key = territories
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key.clone(), i))
            .collect();
        // The data directory's status is not part of the release: an unreadable one is
        // logged and left out rather than refusing the release.
        let status = read_status(dir);
        let presentation = read_typed(&dir.join("charts/presentation.json"))?.unwrap_or_default();
        let chart_index = read_typed(&dir.join("charts/index.json"))?.unwrap_or_default();
        Ok(Release {
            presentation,
            chart_index,
            dir: dir.to_path_buf(),
            manifest,
            sources,
            dictionary,
            status,
            territories,
            by_key,
        })
    }

    /// A territory by key.
    pub fn territory(&self, key: &str) -> Option<&TerritorySummary> {
        self.by_key.get(key).map(|i| &self.territories[*i])
    }

    /// The spec of one chart of a territory (`charts/<T>/<id>.json`).
    pub fn chart_spec(&self, key: &str, id: &str) -> Option<vigie_contracts::ChartSpec> {
        let listed = self.chart_index.charts.get(key)?.iter().any(|c| c == id);
        if !listed {
            return None;
        }
        read_typed(&self.dir.join("charts").join(key).join(format!("{id}.json")))
            .ok()
            .flatten()
    }

    /// The spec of one map layer (`charts/maps/<id>.json`).
    pub fn map_spec(&self, id: &str) -> Option<vigie_contracts::MapSpec> {
        if !self.chart_index.maps.iter().any(|m| m == id) {
            return None;
        }
        read_typed(&self.dir.join("charts/maps").join(format!("{id}.json")))
            .ok()
            .flatten()
    }

    /// Whether the release holds demonstration data.
    pub fn is_demo(&self) -> bool {
        self.manifest.demo || self.manifest.data_status.is_demo()
    }

    /// `demo` or `official`.
    pub fn data_status(&self) -> DataStatus {
        DataStatus::from_demo(self.is_demo())
    }

    /// Release id.
    pub fn id(&self) -> &str {
        &self.manifest.release_id
    }

    /// The full document of a territory (every series), read from disk.
    pub fn territory_file(&self, key: &str) -> Option<vigie_contracts::release::TerritoryFile> {
        self.territory(key)?;
        let path = self
            .dir
            .join("open-data/territories")
            .join(format!("{key}.json"));
        let bytes = fs::read(&path).ok()?;
        parse(&path, &bytes).map_err(|e| tracing::warn!("{e}")).ok()
    }
}
