//! The slot finder seam (phase 2 of the web application): the pages and the API delegate to a
//! [`SlotFinder`] held by the server state, so the real finder (built on `vigie-slots` data and
//! the contract of `docs/slots-api.md`) plugs in without touching the web crate.

use serde::Deserialize;

/// Query of `GET /api/v1/slots/search` and of the `/rendez-vous` page (docs/slots-api.md).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SearchParams {
    /// INSEE code of a commune.
    pub commune: Option<String>,
    /// A postcode.
    pub postcode: Option<String>,
    /// A department code.
    pub department: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Radius in km (1–200, default 50).
    pub radius_km: Option<f64>,
    /// `all`, `first_or_second_dose`, `kids_first_dose`, `third_dose`.
    pub tag: Option<String>,
    /// Vaccine slug.
    pub vaccine: Option<String>,
    /// First day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Comma-separated platform slugs.
    pub platform: Option<String>,
    /// Comma-separated centre types.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Maximum number of centres (default 100, max 1000).
    pub limit: Option<usize>,
    /// Free text typed in the search box when no code was picked (page only).
    pub q: Option<String>,
    /// Day shown by the page's day picker (`YYYY-MM-DD`, page only; the search itself covers
    /// every day so that the picker can show the count of each).
    pub day: Option<String>,
}

impl SearchParams {
    /// Whether a place is given (the search needs one).
    pub fn has_place(&self) -> bool {
        let set = |s: &Option<String>| s.as_deref().is_some_and(|x| !x.trim().is_empty());
        set(&self.commune)
            || set(&self.postcode)
            || set(&self.department)
            || (self.lat.is_some() && self.lon.is_some())
    }

    /// Checks the parameters the contract bounds.
    pub fn validate(&self) -> Result<(), SearchError> {
        if !self.has_place() {
            return Err(SearchError::BadParameter {
                parameter: "commune".into(),
                message: "one of commune, postcode, department or lat/lon is required".into(),
            });
        }
        if let Some(r) = self.radius_km
            && !(1.0..=200.0).contains(&r)
        {
            return Err(SearchError::BadParameter {
                parameter: "radius_km".into(),
                message: "must be between 1 and 200".into(),
            });
        }
        if let Some(t) = self.tag.as_deref()
            && !TAGS.iter().any(|(id, _, _)| *id == t)
        {
            return Err(SearchError::BadParameter {
                parameter: "tag".into(),
                message: format!("unknown tag {t}"),
            });
        }
        if self.limit.is_some_and(|l| l == 0 || l > 1000) {
            return Err(SearchError::BadParameter {
                parameter: "limit".into(),
                message: "must be between 1 and 1000".into(),
            });
        }
        Ok(())
    }
}

/// Slot tags: (id, French label, English label).
pub const TAGS: [(&str, &str, &str); 4] = [
    ("all", "Toutes les doses", "All doses"),
    (
        "first_or_second_dose",
        "Première ou deuxième dose",
        "First or second dose",
    ),
    (
        "kids_first_dose",
        "Première dose enfant (5-11 ans)",
        "Children's first dose (5-11)",
    ),
    ("third_dose", "Rappel", "Booster"),
];

/// Radii offered by the form (km).
pub const RADII: [u32; 5] = [10, 25, 50, 100, 200];

/// A search could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter is missing or invalid (HTTP 400).
    #[error("{parameter}: {message}")]
    BadParameter {
        /// Parameter name.
        parameter: String,
        /// What is wrong.
        message: String,
    },
    /// No slot data are loaded (HTTP 503).
    #[error("slot data unavailable: {0}")]
    Unavailable(String),
}

/// The search answer as the pages read it: the members of `vigie_finder::SearchAnswer` (the
/// JSON of `GET /api/v1/slots/search`, docs/slots-api.md) the pages show.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SlotSearch {
    /// Echo of the query.
    pub query: SlotQuery,
    /// Scan time (RFC 3339).
    pub generated_at: String,
    /// Platforms whose centres are carried from an earlier scan.
    #[serde(default)]
    pub stale_platforms: Vec<vigie_finder::search::StalePlatform>,
    /// Days of the scan (`YYYY-MM-DD`).
    pub days: Vec<String>,
    /// Centres in the API's order.
    pub centres: Vec<SlotCentre>,
}

/// The query echo of a search answer.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SlotQuery {
    /// Label of the place (`Privas (07000)`).
    pub label: Option<String>,
}

/// A centre of a search answer (`vigie_finder::CentreHit`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SlotCentre {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
    /// Distance from the origin (none for a department search).
    pub distance_km: Option<f64>,
    /// Matching slots, all days.
    pub matching_slots: u64,
    /// Matching slots per day.
    #[serde(default)]
    pub daily_matching: Vec<vigie_finder::search::DailyMatching>,
    /// Booking by phone only.
    #[serde(default)]
    pub phone_only: bool,
    /// Next slot (RFC 3339).
    pub next_slot: Option<String>,
    /// Availability state.
    pub status: Option<vigie_finder::CentreStatus>,
    /// Carried from an earlier scan since.
    pub stale_since: Option<String>,
    /// Booking URL.
    pub booking_url: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Department code.
    #[serde(default)]
    pub department: Option<String>,
    /// Accepted contributions that changed or added the centre.
    #[serde(default)]
    pub contributions: Vec<vigie_finder::ContributionMark>,
}

impl SlotCentre {
    /// A centre of the live scan as the pages read it (no search: no distance, every slot
    /// matching).
    pub fn from_snapshot(c: &vigie_finder::SnapshotCentre) -> SlotCentre {
        SlotCentre {
            id: c.id.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            distance_km: None,
            matching_slots: u64::from(c.slot_count),
            daily_matching: Vec::new(),
            phone_only: c.phone_only,
            next_slot: c.next_slot.clone(),
            status: Some(c.status),
            stale_since: c.stale_since.clone(),
            booking_url: Some(c.booking_url.clone()),
            phone: c.phone.clone(),
            department: c.department.clone(),
            contributions: c.contributions.clone(),
        }
    }
}

/// `GET /api/v1/slots/status`: the state of the last scan of each platform (the owned form
/// of `vigie_finder::static_site::StatusFile`).
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, PartialEq, utoipa::ToSchema)]
pub struct ScanStatus {
    /// Scan time (RFC 3339).
    pub generated_at: String,
    /// One entry per platform.
    pub platforms: Vec<vigie_finder::PlatformEntry>,
}

/// One point of `GET /api/v1/slots/history`.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, PartialEq, utoipa::ToSchema)]
pub struct SlotHistoryPoint {
    /// Scan time (RFC 3339).
    pub time: String,
    /// Places read.
    pub centres: u64,
    /// Places with at least one slot.
    pub centres_with_slots: u64,
    /// Slots.
    pub slots: u64,
}

/// The slot finder as the web application sees it. The API answers are shaped exactly as in
/// `docs/slots-api.md`.
pub trait SlotFinder: Send + Sync {
    /// `GET /api/v1/slots/search`: the answer serialised (a `vigie_finder::SearchAnswer`), the
    /// bytes the API sends (and keeps for [`SLOT_CACHE_TTL`](crate::SLOT_CACHE_TTL)). A finder
    /// holding a typed answer serialises it directly: building an intermediate tree is about
    /// two thirds of the cost of an uncached search (bench/web/README.md).
    fn search_json(&self, q: &SearchParams) -> Result<Vec<u8>, SearchError>;
    /// The answer as the pages read it: [`search_json`](Self::search_json) parsed.
    fn search(&self, q: &SearchParams) -> Result<SlotSearch, SearchError> {
        let bytes = self.search_json(q)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| SearchError::Unavailable(format!("search answer: {e}")))
    }
    /// `GET /api/v1/places?q=`: autocomplete entries.
    fn places(&self, q: &str, limit: usize) -> Vec<vigie_finder::PlaceHit>;
    /// `GET /api/v1/slots/status`, None when no scan.
    fn status(&self) -> Option<ScanStatus>;
    /// `GET /api/v1/slots/history?department=`: availability over time, oldest first, for
    /// France (`None`) or one department. `None` when no history is kept (the API answers 404
    /// and the statistics page shows no chart). Optional: the default keeps none.
    fn history(&self, department: Option<&str>) -> Option<Vec<SlotHistoryPoint>> {
        let _ = department;
        None
    }
    /// The live scan's id and directory (`scans/<id>`, holding `vitemadose/` and
    /// `open-data/`), served at `/vitemadose/…` and `/slots/open-data/…`. Optional: the
    /// default has none (those paths answer 404).
    fn scan_dir(&self) -> Option<(String, std::path::PathBuf)> {
        None
    }
    /// A centre of the live scan by id (the contribution forms and the moderation pages).
    /// Optional: the default knows none.
    fn centre(&self, id: &str) -> Option<SlotCentre> {
        let _ = id;
        None
    }
    /// A centre of the live scan by booking URL key (`vigie_slots::centres::url_key`), to
    /// tell moderators a « missing » centre is already known. Optional.
    fn centre_by_url(&self, url_key: &str) -> Option<SlotCentre> {
        let _ = url_key;
        None
    }
}
