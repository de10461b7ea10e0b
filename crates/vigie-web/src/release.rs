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
        Ok(Release {
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

    /// Release id.
    pub fn id(&self) -> &str {
        self.manifest["release_id"].as_str().unwrap_or_default()
    }
}
