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

use crate::connector::{Answers, Connector, Exchange, Request, ScanTarget, Step, check_status};
use crate::error::{SlotError, from_json};
use crate::model::{Dose, Platform, ScanOutcome, Slot, Vaccine};
use crate::normalise::{maiia_dose_from_name, vaccine_from_name};
use crate::time::{add_days, aware, zone_for_department};

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

/// Items per page (`limit` = `size` = 100).
pub const PAGE_SIZE: usize = 100;

/// At most this many pages per list (a safety bound the reference did not have: a server
/// answering full pages forever would otherwise never end the scan).
pub const MAX_PAGES: usize = 20;

/// The reasons URL of a root centre, page `page` (from 0).
pub fn reasons_url(center_id: &str, page: usize) -> String {
    format!(
        "https://www.maiia.com/api/pat-public/consultation-reason-hcd?rootCenterId={center_id}&limit={PAGE_SIZE}&page={page}&size={PAGE_SIZE}"
    )
}

/// The availabilities URL of a reason over `[from, to)`, page `page` (from 0).
pub fn availabilities_url(
    center_id: &str,
    reason_name: &str,
    from: &str,
    to: &str,
    page: usize,
) -> String {
    format!(
        "https://www.maiia.com/api/pat-public/availabilities?centerId={center_id}&consultationReasonName={}&from={from}&to={to}&limit={PAGE_SIZE}&page={page}&size={PAGE_SIZE}",
        encode(reason_name)
    )
}

/// The `centerid` query parameter of a booking URL (lower-case name, as the platform writes it).
pub fn center_id(booking_url: &str) -> Option<String> {
    let query = booking_url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.eq_ignore_ascii_case("centerid") && !v.is_empty()).then(|| v.to_string())
    })
}

fn page_len(body: &[u8]) -> usize {
    /// Only the length of `items`: its elements are skipped, not built (building a generic
    /// value of a 421 KB page to count it was 66 % of a Maiia scan, issue 15).
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default)]
        items: Option<Vec<serde::de::IgnoredAny>>,
    }
    serde_json::from_slice::<Page>(body)
        .ok()
        .and_then(|p| p.items)
        .map_or(0, |items| items.len())
}

/// Walks the availability pages of one reason from `from`; `None` when an answer is missing.
#[allow(clippy::too_many_arguments)]
fn walk(
    answers: &mut Answers<'_>,
    id: &str,
    reason: &Reason,
    from: &str,
    to: &str,
    tz: &TimeZone,
    booking_url: &str,
) -> Result<Option<Vec<Slot>>, SlotError> {
    let mut slots = Vec::new();
    let mut page = 0;
    loop {
        let Some(ex) = answers.take(Request::get(
            availabilities_url(id, &reason.name, from, to, page),
            "slots",
        )) else {
            return Ok(None);
        };
        check_status(P, ex)?;
        slots.extend(parse_availabilities(&ex.body, reason, tz, booking_url)?);
        page += 1;
        if page_len(&ex.body) < PAGE_SIZE || page >= MAX_PAGES {
            return Ok(Some(slots));
        }
    }
}

/// The Maiia flow: reason pages (until a short page), then per scannable reason the
/// availability pages over `[start 00:00, start + days)`; a reason without slots asks
/// `availability-closests` and, when that date is within the horizon, queries again from it
/// (else it becomes the next-date hint). The centre id is the booking URL's `centerid`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Maiia;

impl Connector for Maiia {
    fn platform(&self) -> Platform {
        P
    }

    fn step(&self, target: &ScanTarget, exchanges: &[Exchange]) -> Result<Step, SlotError> {
        let id = center_id(&target.booking_url).ok_or(SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason: "no centerid parameter",
        })?;
        let tz = zone_for_department(target.department.as_deref())?;
        let mut answers = Answers::new(exchanges);
        let mut out = ScanOutcome::default();
        let mut reasons = Vec::new();
        let mut page = 0;
        loop {
            let Some(ex) = answers.take(Request::get(reasons_url(&id, page), "motives")) else {
                return Ok(answers.finish(out));
            };
            check_status(P, ex)?;
            reasons.extend(parse_reasons(&ex.body)?);
            page += 1;
            if page_len(&ex.body) < PAGE_SIZE || page >= MAX_PAGES {
                break;
            }
        }
        let end = add_days(target.start, i64::from(target.days));
        let from = format!("{}T00:00:00", target.start);
        let to = format!("{end}T00:00:00");
        for reason in scannable(&reasons) {
            out.add_vaccine(reason.vaccine);
            let Some(slots) = walk(
                &mut answers,
                &id,
                reason,
                &from,
                &to,
                &tz,
                &target.booking_url,
            )?
            else {
                continue;
            };
            if !slots.is_empty() {
                out.push_slots(slots);
                continue;
            }
            let Some(ex) = answers.take(Request::get(
                closest_url(&id, &reason.name, &from),
                "next-slots",
            )) else {
                continue;
            };
            check_status(P, ex)?;
            let Some(first) = parse_closest(&ex.body, &tz)? else {
                continue;
            };
            if first.date() >= end {
                out.hint(first);
                continue;
            }
            let raw: Closest = from_json(P, "availability-closests", &ex.body)?;
            let again = raw.first.unwrap_or_default();
            match walk(
                &mut answers,
                &id,
                reason,
                &again,
                &to,
                &tz,
                &target.booking_url,
            )? {
                Some(slots) if slots.is_empty() => out.hint(first),
                Some(slots) => out.push_slots(slots),
                None => {}
            }
        }
        Ok(answers.finish(out))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn page_len_counts_items_without_building_them() {
        assert_eq!(
            page_len(br#"{"items":[{"a":[1,2,{"b":null}]},2,"x"],"total":3}"#),
            3
        );
        assert_eq!(page_len(br#"{"items":[]}"#), 0);
        assert_eq!(page_len(br#"{"items":null}"#), 0);
        assert_eq!(page_len(br#"{"total":3}"#), 0);
        assert_eq!(page_len(br#"{"items":{"a":1}}"#), 0);
        assert_eq!(page_len(b"not json"), 0);
    }

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
