//! Spatial search over the snapshot's centres (`GET /api/v1/slots/search`).
//!
//! Centres are indexed in an R-tree (rstar) on unit-sphere 3-D points: the chord distance
//! is monotonic in the great-circle distance, so a radius query prunes exactly everywhere
//! (overseas included); the distance reported is the exact haversine one.

use std::collections::HashMap;

use jiff::civil::Date;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::FinderError;
use crate::geo::{chord2_of_km, haversine_km, to_xyz, valid};
use crate::places::{Origin, PlaceKind, Places};
use crate::snapshot::{Snapshot, SnapshotCentre, parse_instant};

/// The search tags (`tag` parameter).
pub const TAGS: [&str; 4] = [
    "all",
    "first_or_second_dose",
    "kids_first_dose",
    "third_dose",
];

/// Where the search is centred.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchOrigin {
    Commune(String),
    Postcode(String),
    Department(String),
    Coordinates { latitude: f64, longitude: f64 },
}

/// Validated search parameters (see `docs/slots-api.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchParams {
    pub origin: SearchOrigin,
    /// 1–200 km (default 50); ignored for department searches.
    pub radius_km: f64,
    pub tag: String,
    pub vaccine: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub platforms: Vec<String>,
    pub types: Vec<String>,
    /// 1–1000 (default 100).
    pub limit: usize,
}

fn invalid(param: &'static str, message: impl Into<String>) -> FinderError {
    FinderError::InvalidParam {
        param,
        message: message.into(),
    }
}

impl SearchParams {
    /// Defaults around an origin.
    pub fn new(origin: SearchOrigin) -> Self {
        SearchParams {
            origin,
            radius_km: 50.0,
            tag: "all".into(),
            vaccine: None,
            from: None,
            to: None,
            platforms: Vec::new(),
            types: Vec::new(),
            limit: 100,
        }
    }

    /// Parses query-string pairs; errors name the parameter (answer 400).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FinderError> {
        let mut m: HashMap<&str, &str> = HashMap::new();
        for (k, v) in pairs {
            m.insert(k, v);
        }
        let num = |k: &'static str| -> Result<Option<f64>, FinderError> {
            m.get(k)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| invalid(k, "not a number"))
                })
                .transpose()
        };
        let origin = if let Some(c) = m.get("commune") {
            SearchOrigin::Commune(c.trim().to_string())
        } else if let Some(p) = m.get("postcode") {
            SearchOrigin::Postcode(p.trim().to_string())
        } else if let Some(d) = m.get("department") {
            SearchOrigin::Department(d.trim().to_uppercase().replace("OM", "om"))
        } else {
            match (num("lat")?, num("lon")?) {
                (Some(latitude), Some(longitude)) => {
                    if !valid(latitude, longitude) {
                        return Err(invalid("lat", "coordinates out of range"));
                    }
                    SearchOrigin::Coordinates {
                        latitude,
                        longitude,
                    }
                }
                (Some(_), None) => return Err(invalid("lon", "missing")),
                (None, Some(_)) => return Err(invalid("lat", "missing")),
                (None, None) => {
                    return Err(invalid(
                        "commune",
                        "one of commune, postcode, department or lat/lon is required",
                    ));
                }
            }
        };
        let mut p = SearchParams::new(origin);
        if let Some(r) = num("radius_km")? {
            if !(1.0..=200.0).contains(&r) {
                return Err(invalid("radius_km", "must be between 1 and 200"));
            }
            p.radius_km = r;
        }
        if let Some(t) = m.get("tag") {
            if !TAGS.contains(t) {
                return Err(invalid("tag", format!("unknown tag `{t}`")));
            }
            p.tag = (*t).to_string();
        }
        if let Some(v) = m.get("vaccine") {
            if crate::snapshot::vaccine_from_slug(v).is_none() {
                return Err(invalid("vaccine", format!("unknown vaccine `{v}`")));
            }
            p.vaccine = Some((*v).to_string());
        }
        let date = |k: &'static str| -> Result<Option<Date>, FinderError> {
            m.get(k)
                .map(|v| {
                    v.parse::<Date>()
                        .map_err(|_| invalid(k, "expected YYYY-MM-DD"))
                })
                .transpose()
        };
        p.from = date("from")?;
        p.to = date("to")?;
        if let (Some(f), Some(t)) = (p.from, p.to)
            && f > t
        {
            return Err(invalid("to", "before `from`"));
        }
        let list = |k: &str| -> Vec<String> {
            m.get(k)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        p.platforms = list("platform");
        if let Some(bad) = p
            .platforms
            .iter()
            .find(|x| crate::snapshot::platform_from_slug(x).is_none())
        {
            return Err(invalid("platform", format!("unknown platform `{bad}`")));
        }
        p.types = list("type");
        const TYPES: [&str; 5] = [
            "vaccination-center",
            "drugstore",
            "general-practitioner",
            "hospital",
            "other",
        ];
        if let Some(bad) = p.types.iter().find(|x| !TYPES.contains(&x.as_str())) {
            return Err(invalid("type", format!("unknown centre type `{bad}`")));
        }
        if let Some(l) = m.get("limit") {
            let l: usize = l
                .trim()
                .parse()
                .map_err(|_| invalid("limit", "not an integer"))?;
            if !(1..=1000).contains(&l) {
                return Err(invalid("limit", "must be between 1 and 1000"));
            }
            p.limit = l;
        }
        Ok(p)
    }
}

/// Echo of the query in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueryEcho {
    pub kind: &'static str,
    pub code: Option<String>,
    pub label: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub radius_km: Option<f64>,
    pub tag: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A platform whose centres are carried from an earlier scan.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StalePlatform {
    pub platform: String,
    pub stale_since: Option<String>,
}

/// Totals over every matching centre (before `limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub centres: u32,
    pub centres_with_slots: u32,
    pub slots: u64,
}

/// Matching places of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DailyMatching {
    pub date: String,
    pub count: u32,
}

/// One centre of the answer: the snapshot centre plus the search figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CentreHit<'a> {
    #[serde(flatten)]
    pub centre: &'a SnapshotCentre,
    pub distance_km: Option<f64>,
    pub matching_slots: u32,
    pub daily_matching: Vec<DailyMatching>,
}

/// The search answer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchAnswer<'a> {
    pub query: QueryEcho,
    pub generated_at: &'a str,
    pub stale_platforms: Vec<StalePlatform>,
    pub days: &'a [String],
    pub count: Counts,
    pub centres: Vec<CentreHit<'a>>,
}

type Pt = GeomWithData<[f64; 3], u32>;

/// The search index over one snapshot.
pub struct SearchIndex {
    snapshot: Snapshot,
    tree: RTree<Pt>,
    /// Next slot instant (seconds) per centre.
    next: Vec<Option<i64>>,
    by_department: HashMap<String, Vec<u32>>,
    days: Vec<Option<Date>>,
}

/// Sort key used by [`SearchIndex`] (exposed for the property tests).
pub fn rank_key(matching: u32, distance_km: f64, id: &str) -> (bool, u64, &str) {
    (matching == 0, distance_km.max(0.0).to_bits(), id)
}

impl SearchIndex {
    /// Indexes the centres of a snapshot that have coordinates.
    pub fn new(snapshot: Snapshot) -> Self {
        let mut pts = Vec::new();
        let mut by_department: HashMap<String, Vec<u32>> = HashMap::new();
        let mut next = Vec::with_capacity(snapshot.centres.len());
        for (i, c) in snapshot.centres.iter().enumerate() {
            let i = i as u32;
            if let (Some(la), Some(lo)) = (c.latitude, c.longitude)
                && valid(la, lo)
            {
                pts.push(Pt::new(to_xyz(la, lo), i));
            }
            if let Some(d) = &c.department {
                by_department.entry(d.clone()).or_default().push(i);
            }
            next.push(
                c.next_slot
                    .as_deref()
                    .and_then(|s| parse_instant(s).ok())
                    .map(|t| t.as_second()),
            );
        }
        let days = snapshot.days.iter().map(|d| d.parse().ok()).collect();
        SearchIndex {
            tree: RTree::bulk_load(pts),
            snapshot,
            next,
            by_department,
            days,
        }
    }

    /// The indexed snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    fn passes(&self, c: &SnapshotCentre, p: &SearchParams) -> bool {
        (p.platforms.is_empty() || p.platforms.contains(&c.platform))
            && (p.types.is_empty() || p.types.contains(&c.kind))
            && p.vaccine.as_ref().is_none_or(|v| c.vaccines.contains(v))
    }

    /// Matching places (tag, vaccine and date range applied), without the per-day list.
    fn matching_total(&self, c: &SnapshotCentre, p: &SearchParams) -> u32 {
        let mut total = 0u32;
        for (i, d) in c.daily.iter().enumerate() {
            let date = self.days.get(i).copied().flatten();
            let in_range = match date {
                Some(x) => p.from.is_none_or(|f| x >= f) && p.to.is_none_or(|t| x <= t),
                None => d
                    .date
                    .parse::<Date>()
                    .is_ok_and(|x| p.from.is_none_or(|f| x >= f) && p.to.is_none_or(|t| x <= t)),
            };
            if !in_range {
                continue;
            }
            let mut n = d.tag(&p.tag).unwrap_or(0);
            if let Some(v) = &p.vaccine {
                n = n.min(d.by_vaccine.get(v).copied().unwrap_or(0));
            }
            total = total.saturating_add(n);
        }
        total
    }

    /// Matching places per day (tag, vaccine and date range applied).
    fn matching(&self, c: &SnapshotCentre, p: &SearchParams) -> (u32, Vec<DailyMatching>) {
        let mut total = 0u32;
        let mut daily = Vec::with_capacity(c.daily.len());
        for (i, d) in c.daily.iter().enumerate() {
            let date = self
                .days
                .get(i)
                .copied()
                .flatten()
                .or_else(|| d.date.parse().ok());
            let in_range =
                date.is_some_and(|x| p.from.is_none_or(|f| x >= f) && p.to.is_none_or(|t| x <= t));
            let mut n = if in_range {
                d.tag(&p.tag).unwrap_or(0)
            } else {
                0
            };
            if let Some(v) = &p.vaccine {
                n = n.min(d.by_vaccine.get(v).copied().unwrap_or(0));
            }
            total = total.saturating_add(n);
            daily.push(DailyMatching {
                date: d.date.clone(),
                count: n,
            });
        }
        (total, daily)
    }

    /// Candidates within `radius_km` of a point: (centre index, exact distance).
    pub fn within(&self, lat: f64, lon: f64, radius_km: f64) -> Vec<(u32, f64)> {
        let centres = &self.snapshot.centres;
        self.tree
            .locate_within_distance(to_xyz(lat, lon), chord2_of_km(radius_km) * (1.0 + 1e-9))
            .filter_map(|p| {
                let c = centres.get(p.data as usize)?;
                let d = haversine_km(lat, lon, c.latitude?, c.longitude?);
                (d <= radius_km).then_some((p.data, d))
            })
            .collect()
    }

    /// Brute-force baseline of [`within`](Self::within) (benchmarks and tests).
    pub fn within_brute_force(&self, lat: f64, lon: f64, radius_km: f64) -> Vec<(u32, f64)> {
        self.snapshot
            .centres
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let d = haversine_km(lat, lon, c.latitude?, c.longitude?);
                (d <= radius_km).then_some((i as u32, d))
            })
            .collect()
    }

    /// Runs a search. Sorted by availability (`matching_slots > 0` first), then distance
    /// (then id); department searches: availability, next slot, name.
    pub fn search<'a>(
        &'a self,
        p: &SearchParams,
        places: &Places,
    ) -> Result<SearchAnswer<'a>, FinderError> {
        self.search_with(p, places, false)
    }

    /// [`search`](Self::search), with the radius candidates found by brute force instead of
    /// the R-tree (benchmark baseline; same answer).
    pub fn search_with<'a>(
        &'a self,
        p: &SearchParams,
        places: &Places,
        brute_force: bool,
    ) -> Result<SearchAnswer<'a>, FinderError> {
        let centres = &self.snapshot.centres;
        let origin: Option<Origin> = match &p.origin {
            SearchOrigin::Commune(c) => Some(places.commune_origin(c)?),
            SearchOrigin::Postcode(c) => Some(places.postcode_origin(c)?),
            SearchOrigin::Department(_) => None,
            SearchOrigin::Coordinates {
                latitude,
                longitude,
            } => Some(Origin {
                kind: PlaceKind::Commune,
                code: String::new(),
                label: String::new(),
                latitude: *latitude,
                longitude: *longitude,
            }),
        };
        let mut hits: Vec<(u32, Option<f64>, u32)> = Vec::new();
        let mut push = |i: u32, d: Option<f64>| {
            if let Some(c) = centres.get(i as usize)
                && self.passes(c, p)
            {
                hits.push((i, d, self.matching_total(c, p)));
            }
        };
        let echo = match (&p.origin, &origin) {
            (SearchOrigin::Department(code), _) => {
                if crate::departments::department(code).is_none() {
                    return Err(FinderError::UnknownPlace {
                        kind: "department",
                        code: code.clone(),
                    });
                }
                for i in self.by_department.get(code).into_iter().flatten() {
                    push(*i, None);
                }
                QueryEcho {
                    kind: "department",
                    code: Some(code.clone()),
                    label: crate::departments::department(code)
                        .map(|d| format!("{} ({})", d.name, d.code)),
                    latitude: None,
                    longitude: None,
                    radius_km: None,
                    tag: p.tag.clone(),
                    from: None,
                    to: None,
                }
            }
            (o, Some(org)) => {
                let found = if brute_force {
                    self.within_brute_force(org.latitude, org.longitude, p.radius_km)
                } else {
                    self.within(org.latitude, org.longitude, p.radius_km)
                };
                for (i, d) in found {
                    push(i, Some(d));
                }
                let coords = matches!(o, SearchOrigin::Coordinates { .. });
                QueryEcho {
                    kind: match o {
                        SearchOrigin::Commune(_) => "commune",
                        SearchOrigin::Postcode(_) => "postcode",
                        _ => "coordinates",
                    },
                    code: (!coords).then(|| org.code.clone()),
                    label: (!coords).then(|| org.label.clone()),
                    latitude: Some(org.latitude),
                    longitude: Some(org.longitude),
                    radius_km: Some(p.radius_km),
                    tag: p.tag.clone(),
                    from: None,
                    to: None,
                }
            }
            (_, None) => return Err(invalid("commune", "no origin")),
        };
        let department = matches!(p.origin, SearchOrigin::Department(_));
        let name = |i: u32| centres.get(i as usize).map_or("", |c| c.name.as_str());
        let id = |i: u32| centres.get(i as usize).map_or("", |c| c.id.as_str());
        if department {
            hits.sort_by(|a, b| {
                let na = self.next.get(a.0 as usize).copied().flatten();
                let nb = self.next.get(b.0 as usize).copied().flatten();
                (a.2 == 0, na.is_none(), na, name(a.0), id(a.0)).cmp(&(
                    b.2 == 0,
                    nb.is_none(),
                    nb,
                    name(b.0),
                    id(b.0),
                ))
            });
        } else {
            hits.sort_by(|a, b| {
                rank_key(a.2, a.1.unwrap_or(0.0), id(a.0)).cmp(&rank_key(
                    b.2,
                    b.1.unwrap_or(0.0),
                    id(b.0),
                ))
            });
        }
        let count = Counts {
            centres: hits.len() as u32,
            centres_with_slots: hits.iter().filter(|h| h.2 > 0).count() as u32,
            slots: hits.iter().map(|h| u64::from(h.2)).sum(),
        };
        let mut echo = echo;
        echo.from = p.from.map(|d| d.to_string());
        echo.to = p.to.map(|d| d.to_string());
        hits.truncate(p.limit);
        Ok(SearchAnswer {
            query: echo,
            generated_at: &self.snapshot.generated_at,
            stale_platforms: self
                .snapshot
                .platforms
                .iter()
                .filter(|x| x.stale)
                .map(|x| StalePlatform {
                    platform: x.platform.clone(),
                    stale_since: x.stale_since.clone(),
                })
                .collect(),
            days: &self.snapshot.days,
            count,
            centres: hits
                .into_iter()
                .filter_map(|(i, d, m)| {
                    let centre = centres.get(i as usize)?;
                    Some(CentreHit {
                        centre,
                        distance_km: d.map(|x| (x * 10.0).round() / 10.0),
                        matching_slots: m,
                        daily_matching: self.matching(centre, p).1,
                    })
                })
                .collect(),
        })
    }
}
