//! Files of the static site's in-browser search (`docs/slots-api.md`, "Static export").
//!
//! `departments_near` of a commune: the departments having at least one commune (centroid)
//! within [`NEAR_KM`] of the commune's centroid, its own department included. A centre
//! lies in its commune, so every centre within 50 km of the origin is in one of them, up to
//! the distance between a centre and its commune's centroid (a few km).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::departments::departments;
use crate::places::{PlaceHit, Places};
use crate::snapshot::{PlatformEntry, Snapshot, SnapshotCentre};
use crate::text::{fold, prefix_key};

/// Radius of `departments_near` (km).
pub const NEAR_KM: f64 = 50.0;

/// `data/slots/departments/<dep>.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentFile<'a> {
    pub department: &'a str,
    pub generated_at: &'a str,
    pub days: &'a [String],
    pub centres: Vec<&'a SnapshotCentre>,
}

/// `data/slots/status.json`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusFile<'a> {
    pub generated_at: &'a str,
    pub platforms: &'a [PlatformEntry],
}

/// One file per department of the 102 (written even when empty).
pub fn department_files(s: &Snapshot) -> BTreeMap<&'static str, DepartmentFile<'_>> {
    departments()
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                DepartmentFile {
                    department: d.code.as_str(),
                    generated_at: &s.generated_at,
                    days: &s.days,
                    centres: s
                        .centres
                        .iter()
                        .filter(|c| c.department.as_deref() == Some(d.code.as_str()))
                        .collect(),
                },
            )
        })
        .collect()
}

/// The status file.
pub fn status_file(s: &Snapshot) -> StatusFile<'_> {
    StatusFile {
        generated_at: &s.generated_at,
        platforms: &s.platforms,
    }
}

/// `data/places/<prefix>.json`: for every two-character folded prefix (letters of commune
/// and department names with spaces removed, digits of postcodes and department codes),
/// the autocomplete entries starting with it: departments, postcodes, then communes by
/// population; each commune carries `departments_near`.
pub fn places_prefix_files(places: &Places) -> BTreeMap<String, Vec<PlaceHit>> {
    let mut files: BTreeMap<String, Vec<(u8, i64, PlaceHit)>> = BTreeMap::new();
    for d in departments().iter().filter(|d| d.code != "om") {
        let hit = places.department_hit(d);
        let mut keys = vec![prefix_key(&fold(&d.name), 2), prefix_key(&fold(&d.code), 2)];
        keys.dedup();
        for k in keys.into_iter().filter(|k| k.len() == 2) {
            files.entry(k).or_default().push((0, 0, hit.clone()));
        }
    }
    let mut postcodes: Vec<&str> = places
        .communes()
        .iter()
        .flat_map(|c| c.postcodes.iter().map(String::as_str))
        .collect();
    postcodes.sort_unstable();
    postcodes.dedup();
    for pc in postcodes {
        if let Some(h) = places.postcode_hit(pc) {
            files.entry(prefix_key(pc, 2)).or_default().push((1, 0, h));
        }
    }
    for c in places.communes() {
        let key = prefix_key(&fold(&c.name), 2);
        if key.len() < 2 {
            continue;
        }
        let mut near = places.departments_near(c.latitude, c.longitude, NEAR_KM);
        if !near.contains(&c.department) {
            near.push(c.department.clone());
            near.sort();
        }
        let hit = PlaceHit {
            departments_near: Some(near),
            ..places.commune_hit(c)
        };
        files
            .entry(key)
            .or_default()
            .push((2, -i64::from(c.population), hit));
    }
    files
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| (a.0, a.1, &a.2.code).cmp(&(b.0, b.1, &b.2.code)));
            (k, v.into_iter().map(|x| x.2).collect())
        })
        .collect()
}
