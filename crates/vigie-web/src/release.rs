//! The live release as the server sees it: a directory written by `vigie build`, loaded once
//! and reloaded when its `release.json` changes.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

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
    /// A file is not valid JSON.
    #[error("{path}: {source}")]
    Json {
        /// Path.
        path: PathBuf,
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
    /// Latest values (`latest` object of the territory JSON).
    pub latest: Value,
    /// Population used for rates.
    pub population: Option<f64>,
    /// Where that population comes from.
    pub population_source: Option<String>,
}

/// A loaded release.
#[derive(Clone, Debug)]
pub struct Release {
    /// Directory.
    pub dir: PathBuf,
    /// `release.json`.
    pub manifest: Value,
    /// `open-data/sources.json`.
    pub sources: Value,
    /// `status.json` of the data directory (last build and gate decision), when there is one.
    pub status: Value,
    /// Territories in reference order.
    pub territories: Vec<TerritorySummary>,
    /// Index by key.
    pub by_key: HashMap<String, usize>,
    /// `charts/presentation.json`: KPI cards, charts and map layers of the release.
    pub presentation: vigie_contracts::Presentation,
    /// `charts/index.json`: the charts each territory has, and the maps.
    pub chart_index: vigie_contracts::chart::ChartIndex,
}

fn read_json(path: &Path) -> Result<Value, LoadError> {
    let bytes = fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| LoadError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// A typed file of the release; `None` when the file does not exist (an older release), an error
/// naming the file, line and field when it does not parse.
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
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| LoadError::Json {
            path: path.to_path_buf(),
            source,
        })
}

impl Release {
    /// Loads a release directory.
    pub fn load(dir: &Path) -> Result<Release, LoadError> {
        let manifest = read_json(&dir.join("release.json"))?;
        let sources = read_json(&dir.join("open-data/sources.json"))?;
        let index = read_json(&dir.join("open-data/territories.json"))?;
        let mut territories = Vec::new();
        for t in index.as_array().into_iter().flatten() {
            let key = t["territory"].as_str().unwrap_or_default().to_string();
            let full = read_json(
                &dir.join("open-data/territories")
                    .join(format!("{key}.json")),
            )?;
            territories.push(TerritorySummary {
                key,
                name: t["name"].as_str().unwrap_or_default().to_string(),
                level: t["level"].as_str().unwrap_or_default().to_string(),
                region: t["region"].as_str().map(String::from),
                latest: full["latest"].clone(),
                population: full["population"].as_f64(),
                population_source: full["population_source"].as_str().map(String::from),
            });
        }
        let by_key = territories
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key.clone(), i))
            .collect();
        let status = dir
            .parent()
            .and_then(|p| read_json(&p.join("status.json")).ok())
            .unwrap_or(Value::Null);
        let presentation = read_typed(&dir.join("charts/presentation.json"))?.unwrap_or_default();
        let chart_index = read_typed(&dir.join("charts/index.json"))?.unwrap_or_default();
        Ok(Release {
            presentation,
            chart_index,
            dir: dir.to_path_buf(),
            manifest,
            sources,
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

    /// Release id.
    pub fn id(&self) -> &str {
        self.manifest["release_id"].as_str().unwrap_or_default()
    }
}
