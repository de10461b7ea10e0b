//! The ViteMaDose v2 export (`slot-platforms.md` §3), built from a [`Snapshot`], with the
//! reference's bugs fixed (`DEVIATIONS.md`): one list per centre, instants compared as
//! instants and written in one format, daily buckets on the local (Paris) date, one count
//! per slot per tag, one visibility rule everywhere, correct statistics.

use std::collections::{BTreeMap, HashSet};

use jiff::Zoned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::departments::departments;
use crate::snapshot::{
    Snapshot, SnapshotCentre, parse_instant, platform_from_slug, rfc3339, vaccine_from_slug,
};

/// Reads `vaccine_type` leniently: `null` → `[]`; legacy objects (`{"Janssen": true}`)
/// → their keys.
fn vaccine_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(v.into_iter()
        .flat_map(|x| match x {
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        })
        .collect())
}

/// Reads a string leniently (other JSON values are kept as their JSON text).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// `location` of a v2 centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub longitude: f64,
    pub latitude: f64,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub cp: Option<String>,
}

/// `metadata` of a v2 centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub business_hours: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// One centre of `info_centres.json` / `<dep>.json` (key order as the reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V2Centre {
    pub departement: Option<String>,
    pub nom: String,
    pub url: String,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    #[serde(default)]
    pub prochain_rdv: Option<String>,
    #[serde(default)]
    pub plateforme: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub appointment_count: u64,
    #[serde(default)]
    pub internal_id: Option<String>,
    #[serde(default, deserialize_with = "vaccine_list")]
    pub vaccine_type: Vec<String>,
    #[serde(default)]
    pub appointment_by_phone_only: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub erreur: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_scan_with_availabilities: Option<String>,
    #[serde(default)]
    pub request_counts: Option<serde_json::Value>,
    #[serde(default)]
    pub atlas_gid: Option<i64>,
}

/// `info_centres.json` and `<dep>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoCentres {
    pub version: u32,
    pub last_updated: String,
    pub centres_disponibles: Vec<V2Centre>,
    pub centres_indisponibles: Vec<V2Centre>,
}

/// One tag count of `creneaux_par_tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub tag: String,
    pub creneaux: u32,
}

/// One centre of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LieuCount {
    pub lieu: String,
    pub creneaux_par_tag: Vec<TagCount>,
}

/// One day of `creneaux-quotidiens.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub date: String,
    pub total: u32,
    pub creneaux_par_lieu: Vec<LieuCount>,
}

/// `<dep>/creneaux-quotidiens.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreneauxQuotidiens {
    pub departement: String,
    pub creneaux_quotidiens: Vec<DayCount>,
}

/// One row of `centres_open_data.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDataRow {
    pub departement: Option<String>,
    pub plateforme: Option<String>,
    pub nom: String,
    pub url: String,
}

/// One row of `departements.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartementRow {
    pub code_departement: String,
    pub nom_departement: String,
    pub code_region: i32,
    pub nom_region: String,
}

/// `tout_departement` of `stats.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsAll {
    pub disponibles: u32,
    pub total: u32,
    pub creneaux: u64,
}

/// One department of `stats.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsDep {
    pub disponibles: u32,
    pub indisponibles: u32,
    pub creneaux: u64,
    pub total: u32,
}

/// `stats.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub tout_departement: StatsAll,
    #[serde(flatten)]
    pub departements: BTreeMap<String, StatsDep>,
}

/// Every v2 file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct V2Export {
    pub info_centres: InfoCentres,
    /// `<dep>.json` for each of the 102 departments (written even when empty).
    pub par_departement: BTreeMap<String, InfoCentres>,
    /// `<dep>/creneaux-quotidiens.json` for each of the 102 departments.
    pub creneaux_quotidiens: BTreeMap<String, CreneauxQuotidiens>,
    pub centres_open_data: Vec<OpenDataRow>,
    pub departements: Vec<DepartementRow>,
    pub stats: Stats,
}

/// The reference's `internal_id` of a Vigie centre id: `<slug>:<id>` becomes
/// `<reference prefix><id>` (`amd` for AvecMonDoc, `Valwin` for Valwin); an id without a
/// `:` is kept as it is.
pub fn internal_id(id: &str) -> String {
    match id
        .split_once(':')
        .filter(|(slug, _)| platform_from_slug(slug).is_some())
    {
        Some((slug, rest)) => {
            let prefix = match slug {
                "avecmondoc" => "amd",
                "valwin" => "Valwin",
                other => other,
            };
            format!("{prefix}{rest}")
        }
        None => id.to_string(),
    }
}

/// Weekday keys of `business_hours` (every day present; `null` when closed or unknown).
const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// The tags of `creneaux_par_tag`, in the reference order.
pub const V2_TAGS: [&str; 5] = [
    "all",
    "first_or_second_dose",
    "kids_first_dose",
    "third_dose",
    "unknown_dose",
];

fn v2_type(kind: &str) -> Option<String> {
    match kind {
        "vaccination-center" | "hospital" => Some("vaccination-center".into()),
        "drugstore" | "general-practitioner" => Some(kind.to_string()),
        _ => None,
    }
}

/// The v2 centre of a snapshot centre.
pub fn v2_centre(c: &SnapshotCentre) -> V2Centre {
    let available = c.slot_count > 0;
    let location = match (c.latitude, c.longitude) {
        (Some(latitude), Some(longitude)) => Some(Location {
            longitude,
            latitude,
            city: c.city.clone(),
            cp: c.postcode.clone(),
        }),
        _ => None,
    };
    let metadata =
        (c.address.is_some() || c.phone.is_some() || !c.opening_hours.is_empty()).then(|| {
            let m = Metadata {
                address: c.address.clone(),
                business_hours: (!c.opening_hours.is_empty()).then(|| {
                    WEEKDAYS
                        .iter()
                        .map(|d| ((*d).to_string(), c.opening_hours.get(*d).cloned()))
                        .collect()
                }),
                phone_number: c.phone.clone(),
            };
            serde_json::to_value(m).unwrap_or(serde_json::Value::Null)
        });
    V2Centre {
        departement: c.department.clone(),
        nom: c.name.clone(),
        url: c.booking_url.clone(),
        location,
        metadata,
        prochain_rdv: if available { c.next_slot.clone() } else { None },
        plateforme: platform_from_slug(&c.platform).map(|p| p.reference_name().to_string()),
        kind: v2_type(&c.kind),
        appointment_count: if available {
            u64::from(c.slot_count)
        } else {
            0
        },
        internal_id: Some(internal_id(&c.id)),
        vaccine_type: c
            .vaccines
            .iter()
            .map(|v| {
                vaccine_from_slug(v).map_or_else(|| v.clone(), |x| x.reference_name().to_string())
            })
            .collect(),
        appointment_by_phone_only: c.phone_only,
        erreur: c
            .error
            .as_ref()
            .map(|e| format!("{}: {}", e.class, e.message)),
        last_scan_with_availabilities: if available {
            c.scanned_at.clone()
        } else {
            None
        },
        request_counts: None,
        atlas_gid: None,
    }
}

fn info_of<'a>(
    centres: impl Iterator<Item = &'a SnapshotCentre>,
    last_updated: &str,
) -> InfoCentres {
    let mut dispo: Vec<(Option<i64>, V2Centre)> = Vec::new();
    let mut indispo = Vec::new();
    for c in centres {
        if c.slot_count > 0 {
            let t = c
                .next_slot
                .as_deref()
                .and_then(|s| parse_instant(s).ok())
                .map(|t| t.as_second());
            dispo.push((t, v2_centre(c)));
        } else {
            indispo.push(v2_centre(c));
        }
    }
    dispo.sort_by_key(|a| (a.0.is_none(), a.0));
    InfoCentres {
        version: 1,
        last_updated: last_updated.to_string(),
        centres_disponibles: dispo.into_iter().map(|x| x.1).collect(),
        centres_indisponibles: indispo,
    }
}

/// `creneaux-quotidiens.json` of one department.
pub fn creneaux_quotidiens<'a>(
    dep: &str,
    days: &[String],
    centres: impl Iterator<Item = &'a SnapshotCentre> + Clone,
) -> CreneauxQuotidiens {
    let creneaux_quotidiens = days
        .iter()
        .map(|date| {
            let mut total = 0u32;
            let mut lieux = Vec::new();
            for c in centres.clone() {
                let Some(d) = c.daily.iter().find(|d| &d.date == date) else {
                    continue;
                };
                if d.all == 0 {
                    continue;
                }
                total = total.saturating_add(d.all);
                lieux.push(LieuCount {
                    lieu: internal_id(&c.id),
                    creneaux_par_tag: V2_TAGS
                        .iter()
                        .map(|t| TagCount {
                            tag: (*t).to_string(),
                            creneaux: d.tag(t).unwrap_or(0),
                        })
                        .collect(),
                });
            }
            DayCount {
                date: date.clone(),
                total,
                creneaux_par_lieu: lieux,
            }
        })
        .collect();
    CreneauxQuotidiens {
        departement: dep.to_string(),
        creneaux_quotidiens,
    }
}

/// `departements.json` (102 rows incl. `om`; region codes as integers).
pub fn departements_json() -> Vec<DepartementRow> {
    departments()
        .iter()
        .map(|d| DepartementRow {
            code_departement: d.code.clone(),
            nom_departement: d.name.clone(),
            code_region: d.region_code,
            nom_region: d.region_name.clone(),
        })
        .collect()
}

/// `stats.json` from an `info_centres.json` (the intended counts): a centre is counted once
/// (by `internal_id`, else URL), as available when it is in `centres_disponibles`;
/// `creneaux` = Σ `appointment_count` of the available centres of the department.
pub fn stats(info: &InfoCentres) -> Stats {
    let key = |c: &V2Centre| c.internal_id.clone().unwrap_or_else(|| c.url.clone());
    let mut seen: HashSet<String> = HashSet::new();
    let mut all = StatsAll {
        disponibles: 0,
        total: 0,
        creneaux: 0,
    };
    let mut deps: BTreeMap<String, StatsDep> = BTreeMap::new();
    let lists = info
        .centres_disponibles
        .iter()
        .map(|c| (c, true))
        .chain(info.centres_indisponibles.iter().map(|c| (c, false)));
    for (c, dispo) in lists {
        if !seen.insert(key(c)) {
            continue;
        }
        all.total += 1;
        let e = c.departement.as_ref().filter(|d| !d.is_empty()).map(|d| {
            deps.entry(d.clone()).or_insert(StatsDep {
                disponibles: 0,
                indisponibles: 0,
                creneaux: 0,
                total: 0,
            })
        });
        if dispo {
            all.disponibles += 1;
            all.creneaux += c.appointment_count;
        }
        if let Some(e) = e {
            e.total += 1;
            if dispo {
                e.disponibles += 1;
                e.creneaux += c.appointment_count;
            } else {
                e.indisponibles += 1;
            }
        }
    }
    Stats {
        tout_departement: all,
        departements: deps,
    }
}

/// One scan of the availability history, with its national counts.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsPoint {
    /// When the scan ran, in the zone its hour is written in (Europe/Paris).
    pub at: Zoned,
    /// Centres with at least one slot.
    pub centres_disponibles: u32,
    /// Centres scanned.
    pub centres: u32,
    /// Slots.
    pub appointments: u64,
}

/// `stats_by_date.json`, the availability over time the ViteMaDose front's `/statistiques`
/// charts read: four arrays of the same length, one entry per hour, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsByDate {
    /// `YYYY-MM-DD HH:00:00`, the hour of the scan (local time of the points given).
    pub dates: Vec<String>,
    pub total_centres_disponibles: Vec<u32>,
    pub total_centres: Vec<u32>,
    pub total_appointments: Vec<u64>,
}

/// `stats_by_date.json` of a history: one entry per hour, the last scan of each hour (the
/// reference appends one point per new hour), oldest first whatever the order given.
pub fn stats_by_date(points: &[StatsPoint]) -> StatsByDate {
    let mut sorted: Vec<&StatsPoint> = points.iter().collect();
    sorted.sort_by_key(|p| p.at.timestamp());
    let mut hours: Vec<(String, &StatsPoint)> = Vec::new();
    for p in sorted {
        let hour = p.at.strftime("%Y-%m-%d %H:00:00").to_string();
        match hours.last_mut() {
            Some((h, last)) if *h == hour => *last = p,
            _ => hours.push((hour, p)),
        }
    }
    StatsByDate {
        total_centres_disponibles: hours.iter().map(|(_, p)| p.centres_disponibles).collect(),
        total_centres: hours.iter().map(|(_, p)| p.centres).collect(),
        total_appointments: hours.iter().map(|(_, p)| p.appointments).collect(),
        dates: hours.into_iter().map(|(h, _)| h).collect(),
    }
}

/// The whole v2 export of a snapshot at `now` (`last_updated`, Europe/Paris expected).
/// Centres of every status are exported (stale ones keep their counts; errors go to
/// `centres_indisponibles` with `erreur`); hidden centres are not in the snapshot at all.
pub fn export_v2(s: &Snapshot, now: &Zoned) -> V2Export {
    let last_updated = rfc3339(now);
    let info_centres = info_of(s.centres.iter(), &last_updated);
    let mut par_departement = BTreeMap::new();
    let mut creneaux = BTreeMap::new();
    // Centres grouped by department once (filtering all centres for each of the 101
    // departments and each day was 15 % of a replayed scan of 10,000 centres).
    let mut by_dep: BTreeMap<&str, Vec<&SnapshotCentre>> = BTreeMap::new();
    for c in &s.centres {
        if let Some(d) = c.department.as_deref() {
            by_dep.entry(d).or_default().push(c);
        }
    }
    for d in departments() {
        let of_dep = by_dep
            .get(d.code.as_str())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied();
        par_departement.insert(d.code.clone(), info_of(of_dep.clone(), &last_updated));
        creneaux.insert(
            d.code.clone(),
            creneaux_quotidiens(&d.code, &s.days, of_dep),
        );
    }
    let stats = stats(&info_centres);
    V2Export {
        centres_open_data: s
            .centres
            .iter()
            .map(|c| OpenDataRow {
                departement: c.department.clone(),
                plateforme: platform_from_slug(&c.platform).map(|p| p.reference_name().to_string()),
                nom: c.name.clone(),
                url: c.booking_url.clone(),
            })
            .collect(),
        info_centres,
        par_departement,
        creneaux_quotidiens: creneaux,
        departements: departements_json(),
        stats,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn point(at: &str, dispo: u32, total: u32, slots: u64) -> StatsPoint {
        StatsPoint {
            at: at.parse().unwrap(),
            centres_disponibles: dispo,
            centres: total,
            appointments: slots,
        }
    }

    #[test]
    fn stats_by_date_keeps_the_last_scan_of_each_hour_in_order() {
        let s = stats_by_date(&[
            point("2026-12-03T10:40:00+01:00[Europe/Paris]", 7, 10, 70),
            point("2026-12-03T09:05:00+01:00[Europe/Paris]", 5, 10, 50),
            point("2026-12-03T10:10:00+01:00[Europe/Paris]", 6, 10, 60),
            point("2026-12-03T12:00:00+01:00[Europe/Paris]", 8, 11, 80),
        ]);
        assert_eq!(
            s.dates,
            [
                "2026-12-03 09:00:00",
                "2026-12-03 10:00:00",
                "2026-12-03 12:00:00"
            ]
        );
        assert_eq!(s.total_centres_disponibles, [5, 7, 8]);
        assert_eq!(s.total_centres, [10, 10, 11]);
        assert_eq!(s.total_appointments, [50, 70, 80]);
        let json = serde_json::to_value(&s).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "dates",
                "total_appointments",
                "total_centres",
                "total_centres_disponibles"
            ]
        );
        assert_eq!(stats_by_date(&[]).dates.len(), 0);
    }
}
