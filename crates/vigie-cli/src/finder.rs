//! The slot finder behind `vigie serve`: the live scan (`DATA/scans/current`) indexed by
//! `vigie-finder`, reloaded when a new scan is switched in, plugged into `vigie-web`.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use vigie_finder::{FinderError, PlaceHit, Places, SearchIndex, Snapshot};
use vigie_web::slots::{ScanStatus, SearchError, SearchParams, SlotFinder, SlotHistoryPoint};

/// The live scan's index, reloaded when `scans/current` points elsewhere.
pub struct LiveFinder {
    scans: PathBuf,
    loaded: RwLock<Option<(PathBuf, Arc<SearchIndex>)>>,
}

impl LiveFinder {
    pub fn new(scans: PathBuf) -> Self {
        LiveFinder {
            scans,
            loaded: RwLock::new(None),
        }
    }

    /// The index of the live scan, if any (loaded on first use and after a switch).
    fn index(&self) -> Option<Arc<SearchIndex>> {
        let target = std::fs::read_link(self.scans.join(vigie_contracts::layout::CURRENT)).ok()?;
        if let Ok(guard) = self.loaded.read()
            && let Some((path, idx)) = guard.as_ref()
            && *path == target
        {
            return Some(Arc::clone(idx));
        }
        let file = self.scans.join(&target).join("open-data/centres.json");
        let snapshot: Snapshot = match std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("{}: {e}", file.display());
                // Keep serving the previous scan if there is one.
                return self
                    .loaded
                    .read()
                    .ok()
                    .and_then(|g| g.as_ref().map(|(_, i)| Arc::clone(i)));
            }
        };
        let idx = Arc::new(SearchIndex::new(snapshot));
        if let Ok(mut guard) = self.loaded.write() {
            *guard = Some((target, Arc::clone(&idx)));
        }
        Some(idx)
    }
}

fn pairs(q: &SearchParams) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut text = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            out.push((k, v.trim().to_string()));
        }
    };
    text("commune", &q.commune);
    text("postcode", &q.postcode);
    text("department", &q.department);
    text("tag", &q.tag);
    text("vaccine", &q.vaccine);
    text("from", &q.from);
    text("to", &q.to);
    text("platform", &q.platform);
    text("type", &q.kind);
    if let Some(v) = q.lat {
        out.push(("lat", v.to_string()));
    }
    if let Some(v) = q.lon {
        out.push(("lon", v.to_string()));
    }
    if let Some(v) = q.radius_km {
        out.push(("radius_km", v.to_string()));
    }
    if let Some(v) = q.limit {
        out.push(("limit", v.to_string()));
    }
    out
}

fn web_error(e: FinderError) -> SearchError {
    match e {
        FinderError::InvalidParam { param, message } => SearchError::BadParameter {
            parameter: param.to_string(),
            message,
        },
        FinderError::UnknownPlace { kind, code } => SearchError::BadParameter {
            parameter: match kind {
                "commune" | "postcode" | "department" => kind.to_string(),
                _ => "commune".to_string(),
            },
            message: format!("unknown {kind} {code}"),
        },
        other => SearchError::Unavailable(other.to_string()),
    }
}

impl SlotFinder for LiveFinder {
    fn scan_dir(&self) -> Option<(String, PathBuf)> {
        let target = std::fs::read_link(self.scans.join(vigie_contracts::layout::CURRENT)).ok()?;
        let id = target.file_name()?.to_string_lossy().into_owned();
        Some((id, self.scans.join(target)))
    }

    /// Serialises the typed answer directly (no intermediate `Value` tree).
    fn search_json(&self, q: &SearchParams) -> Result<Vec<u8>, SearchError> {
        let idx = self
            .index()
            .ok_or_else(|| SearchError::Unavailable("no slot scan yet".into()))?;
        let pairs = pairs(q);
        let params =
            vigie_finder::SearchParams::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
                .map_err(web_error)?;
        let places = Places::embedded().map_err(web_error)?;
        let answer = idx.search(&params, places).map_err(web_error)?;
        serde_json::to_vec(&answer).map_err(|e| SearchError::Unavailable(e.to_string()))
    }

    fn history(&self, department: Option<&str>) -> Option<Vec<SlotHistoryPoint>> {
        let path = self.scans.parent()?.join("slots-history.sqlite");
        if !path.is_file() {
            return None;
        }
        let filter = match department {
            Some(d) => vigie_scan::SeriesFilter::Department(d.to_string()),
            None => vigie_scan::SeriesFilter::National,
        };
        let points = vigie_scan::HistoryStore::open(&path)
            .and_then(|h| h.series(&filter))
            .map_err(|e| tracing::warn!("{}: {e}", path.display()))
            .ok()?;
        Some(
            points
                .into_iter()
                .map(|p| SlotHistoryPoint {
                    time: p.time,
                    centres: p.centres,
                    centres_with_slots: p.centres_with_slots,
                    slots: p.slots,
                })
                .collect(),
        )
    }

    fn centre(&self, id: &str) -> Option<vigie_web::slots::SlotCentre> {
        let idx = self.index()?;
        let centres = &idx.snapshot().centres;
        let c = centres
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .map(|i| &centres[i])
            .or_else(|| centres.iter().find(|c| c.id == id))?;
        Some(vigie_web::slots::SlotCentre::from_snapshot(c))
    }

    fn centre_by_url(&self, url_key: &str) -> Option<vigie_web::slots::SlotCentre> {
        let idx = self.index()?;
        let c = idx
            .snapshot()
            .centres
            .iter()
            .find(|c| vigie_slots::centres::url_key(&c.booking_url) == url_key)?;
        Some(vigie_web::slots::SlotCentre::from_snapshot(c))
    }

    fn places(&self, q: &str, limit: usize) -> Vec<PlaceHit> {
        match Places::embedded() {
            Ok(p) => p.autocomplete(q, limit),
            Err(e) => {
                tracing::warn!("places: {e}");
                Vec::new()
            }
        }
    }

    fn status(&self) -> Option<ScanStatus> {
        let idx = self.index()?;
        let s = vigie_finder::static_site::status_file(idx.snapshot());
        Some(ScanStatus {
            generated_at: s.generated_at.to_string(),
            platforms: s.platforms.to_vec(),
        })
    }
}
