//! Maiia (`www.maiia.com/api/pat-public`).
//!
//! Reasons `GET /consultation-reason-hcd?rootCenterId=&limit=100&page=&size=100` →
//! `items[] {id, name, injectionType}`; slots
//! `GET /availabilities?centerId=&consultationReasonName=&from=&to=&limit=100&page=&size=100` →
//! `items[] {startDateTime}`; when empty, `GET /availability-closests?…` →
//! `firstPhysicalStartDateTime` (a next-date hint).
//!
//! **Time rule:** `startDateTime` and `firstPhysicalStartDateTime` are true UTC instants
//! (`…Z`); they are shown in the centre's zone.

use jiff::Zoned;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::error::{SlotError, from_json};
use crate::model::{Dose, Platform, Slot, Vaccine};
use crate::normalise::{maiia_dose_from_name, vaccine_from_name};
use crate::time::aware;

const P: Platform = Platform::Maiia;

/// Words that exclude a reason (tests, flu): matched as **whole words** (the reference
/// matched substrings, so "attestation" was excluded by "test"; see `DEVIATIONS.md`).
pub const EXCLUDED_WORDS: &[&str] = &[
    "test",
    "tests",
    "antigenique",
    "antigénique",
    "pcr",
    "antigrippale",
    "grippe",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Items<T> {
    items: Option<Vec<T>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawReason {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "injectionType")]
    injection_type: Option<String>,
}

/// A consultation reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub id: Option<String>,
    pub name: String,
    /// `None` when the reason is not a vaccination we scan.
    pub dose: Option<Dose>,
    pub vaccine: Option<Vaccine>,
    /// Excluded by [`EXCLUDED_WORDS`].
    pub excluded: bool,
}

/// Whether a reason name contains an excluded whole word.
pub fn excluded_by_name(name: &str) -> bool {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| EXCLUDED_WORDS.contains(&w))
}

/// Parses a reasons page (all reasons, with their dose and exclusion).
pub fn parse_reasons(body: &[u8]) -> Result<Vec<Reason>, SlotError> {
    let page: Items<RawReason> = from_json(P, "consultation-reason-hcd", body)?;
    Ok(page
        .items
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let name = r.name?;
            let dose = match r.injection_type.as_deref() {
                Some("FIRST") => Some(Dose::First),
                Some("SECOND") => Some(Dose::Second),
                Some("BOOSTER") => Some(Dose::Booster),
                Some("NONE") if name.to_lowercase().contains("covid") => {
                    maiia_dose_from_name(&name)
                }
                _ => None,
            };
            Some(Reason {
                id: r.id,
                excluded: excluded_by_name(&name),
                vaccine: vaccine_from_name(&name),
                dose,
                name,
            })
        })
        .collect())
}

/// The reasons to scan: not excluded, with a dose.
pub fn scannable(reasons: &[Reason]) -> Vec<&Reason> {
    reasons
        .iter()
        .filter(|r| !r.excluded && r.dose.is_some())
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlot {
    #[serde(rename = "startDateTime")]
    start: Option<String>,
}

/// Parses an availabilities page of `reason`.
pub fn parse_availabilities(
    body: &[u8],
    reason: &Reason,
    tz: &TimeZone,
    booking_url: &str,
) -> Result<Vec<Slot>, SlotError> {
    let page: Items<RawSlot> = from_json(P, "availabilities", body)?;
    let mut out = Vec::new();
    for s in page.items.into_iter().flatten() {
        let Some(start) = s.start.as_deref() else {
            continue;
        };
        out.push(Slot {
            start: aware(P, "items[].startDateTime", start, tz)?,
            doses: reason.dose.into_iter().collect(),
            vaccine: reason.vaccine,
            booking_url: booking_url.to_string(),
            places: 1,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Closest {
    #[serde(rename = "firstPhysicalStartDateTime")]
    first: Option<String>,
}

/// The closest availability (`availability-closests`), if any.
pub fn parse_closest(body: &[u8], tz: &TimeZone) -> Result<Option<Zoned>, SlotError> {
    let c: Closest = from_json(P, "availability-closests", body)?;
    c.first
        .as_deref()
        .map(|s| aware(P, "firstPhysicalStartDateTime", s, tz))
        .transpose()
}

/// The URL-encoded reason name for the query string (`quote(name, safe="")`).
pub fn encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The closest-availability URL.
pub fn closest_url(center_id: &str, reason_name: &str, from: &str) -> String {
    format!(
        "https://www.maiia.com/api/pat-public/availability-closests?centerId={center_id}&consultationReasonName={}&from={from}",
        encode(reason_name)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_slots() {
        let body = r#"{"items":[{"id":"a","name":"Première injection - avec attestation","injectionType":"FIRST"},
            {"id":"b","name":"Test antigénique","injectionType":"NONE"},
            {"id":"c","name":"Rappel Covid Pfizer","injectionType":"NONE"},{"name":null}],"total":4}"#;
        let r = parse_reasons(body.as_bytes()).unwrap();
        assert_eq!(r.len(), 3);
        assert!(!r[0].excluded);
        assert!(r[1].excluded);
        assert_eq!(r[2].dose, Some(Dose::Booster));
        assert_eq!(scannable(&r).len(), 2);
        let tz = crate::time::paris().unwrap();
        let slots = parse_availabilities(
            br#"{"items":[{"startDateTime":"2021-05-13T13:40:00.000Z"}]}"#,
            &r[2],
            &tz,
            "u",
        )
        .unwrap();
        assert_eq!(
            slots[0].start.to_string(),
            "2021-05-13T15:40:00+02:00[Europe/Paris]"
        );
        assert!(
            parse_closest(br#"{"availabilityCount":0}"#, &tz)
                .unwrap()
                .is_none()
        );
        assert_eq!(encode("Première (P)"), "Premi%C3%A8re%20%28P%29");
    }
}
