//! Valwin (`pharma-api.epharmacie.pro`).
//!
//! `GET /global/api/meetings/v2/{id}/slots?pageSize=999999999` →
//! `{links{total}, result[] {start, end, title, types[] {id, label}, websiteUrl}}`.
//!
//! **Time rule:** `start` is a **naive local** date-time (`2021-09-17T10:00:00`); it is
//! localised in the centre's zone (Europe/Paris in metropolitan France).
//!
//! **Vaccine:** from the type label; the type id [`ASTRAZENECA_TYPE_ID`] is AstraZeneca
//! whatever its label says (reference choice, kept). **Booking URL:**
//! `{site}/animation-details/{typeId}/1/60` for a single type, `{site}/animations` otherwise.

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::connector::{Connector, Flow, Request, ScanTarget, Single};
use crate::error::{SlotError, from_json};
use crate::model::{Platform, ScanOutcome, Slot, Vaccine};
use crate::normalise::{possible_doses, vaccine_from_name};
use crate::time::{naive, zone_for_department};

const P: Platform = Platform::Valwin;

/// The type id Valwin used for its AstraZeneca campaigns, labelled "Vaccin COVID-19".
pub const ASTRAZENECA_TYPE_ID: &str = "be6c293a-e0a6-49ea-bdb4-31a779bde277";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SlotsPage {
    pub links: Option<Links>,
    pub result: Option<Vec<Meeting>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Links {
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Meeting {
    pub start: Option<String>,
    pub title: Option<String>,
    pub types: Option<Vec<MeetingType>>,
    #[serde(rename = "websiteUrl")]
    pub website_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeetingType {
    pub id: Option<String>,
    pub label: Option<String>,
}

/// The slots URL of a pharmacy.
pub fn slots_url(id: &str) -> String {
    format!(
        "https://pharma-api.epharmacie.pro/global/api/meetings/v2/{id}/slots?pageSize=999999999"
    )
}

fn meeting_vaccine(types: &[MeetingType]) -> Option<Vaccine> {
    if types
        .iter()
        .any(|t| t.id.as_deref() == Some(ASTRAZENECA_TYPE_ID))
    {
        return Some(Vaccine::AstraZeneca);
    }
    types
        .iter()
        .find_map(|t| t.label.as_deref().and_then(vaccine_from_name))
}

fn meeting_url(site: &str, types: &[MeetingType]) -> String {
    let site = site.trim_end_matches('/');
    match types {
        [only] => match only.id.as_deref() {
            Some(id) => format!("{site}/animation-details/{id}/1/60"),
            None => format!("{site}/animations"),
        },
        _ => format!("{site}/animations"),
    }
}

/// Parses a slots page into slots; `site_url` is the pharmacy site (used when a meeting has
/// no `websiteUrl`).
pub fn scan(body: &[u8], tz: &TimeZone, site_url: &str) -> Result<ScanOutcome, SlotError> {
    let page: SlotsPage = from_json(P, "slots", body)?;
    let mut out = ScanOutcome {
        platform_count: page.links.and_then(|l| l.total),
        ..ScanOutcome::default()
    };
    let mut slots = Vec::new();
    for m in page.result.iter().flatten() {
        let Some(start) = m.start.as_deref() else {
            continue;
        };
        let types = m.types.as_deref().unwrap_or(&[]);
        let vaccine = meeting_vaccine(types);
        let site = m.website_url.as_deref().unwrap_or(site_url);
        out.add_vaccine(vaccine);
        slots.push(Slot {
            start: naive(P, "result[].start", start, tz)?,
            doses: if types.is_empty() {
                Vec::new()
            } else {
                possible_doses(vaccine)
            },
            vaccine,
            booking_url: meeting_url(site, types).into(),
            places: 1,
        });
    }
    out.push_slots(slots);
    Ok(out)
}

/// The Valwin flow: one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Valwin;

impl Connector for Valwin {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let tz = zone_for_department(target.department.as_deref())?;
        let booking_url = target.booking_url.clone();
        let request = Request::get(slots_url(&target.platform_id), "slots");
        Ok(Single::boxed(P, request, move |ex| {
            scan(&ex.body, &tz, &booking_url)
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Dose;

    #[test]
    fn naive_times_are_paris_local() {
        let body = r#"{"links":{"total":2},"result":[
            {"start":"2021-09-17T10:00:00","types":[{"id":"be6c293a-e0a6-49ea-bdb4-31a779bde277","label":"Vaccin COVID-19"}],"websiteUrl":"https://x.epharmacie.pro"},
            {"start":"2021-12-17T10:10:00","types":[{"id":"t1","label":"Moderna"},{"id":"t2","label":"Pfizer"}]},
            {"start":null}]}"#;
        let tz = crate::time::paris().unwrap();
        let out = scan(body.as_bytes(), &tz, "https://site").unwrap();
        assert_eq!(out.platform_count, Some(2));
        assert_eq!(out.slots.len(), 2);
        assert_eq!(
            out.slots[0].start.to_string(),
            "2021-09-17T10:00:00+02:00[Europe/Paris]"
        );
        assert_eq!(out.slots[0].vaccine, Some(Vaccine::AstraZeneca));
        assert_eq!(out.slots[0].doses, vec![Dose::First, Dose::Second]);
        assert_eq!(
            &*out.slots[0].booking_url,
            "https://x.epharmacie.pro/animation-details/be6c293a-e0a6-49ea-bdb4-31a779bde277/1/60"
        );
        assert_eq!(out.slots[1].start.offset().seconds(), 3600);
        assert_eq!(&*out.slots[1].booking_url, "https://site/animations");
    }
}
