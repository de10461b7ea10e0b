//! AvecMonDoc (`api.avecmondoc.com`).
//!
//! Organisation `GET /api/Organizations/slug/{slug}` → `{id, name, slug, address, zipCode,
//! city, phone, coordinates{lng, lat}, speciality[], consultationReasons[] {id, reason}}`;
//! per valid reason, 7-day windows
//! `POST /api/BusinessHours/availabilitiesPerDay` → `[{start, end, slots[] {businessHours
//! {start, end} | null, isAvailable}}]` or `{nextAvailableBusinessHour…}`.
//!
//! **Time rule:** `businessHours.start` is a true UTC instant (the day `start`
//! `2021-05-19T22:00:00.000Z` is Paris midnight); it is shown in the centre's zone.
//! Windows share their boundary day: slots are **de-duplicated** (see `DEVIATIONS.md`).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use crate::connector::{
    Branches, Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
    only_answer,
};
use crate::error::{SlotError, from_json};
use crate::model::{Dose, Platform, ScanOutcome, Slot, Vaccine};
use crate::normalise::{avecmondoc_doses, avecmondoc_reason_is_valid, vaccine_from_name};
use crate::time::{add_days, aware, zone_for_department};

const P: Platform = Platform::AvecMonDoc;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawOrg {
    id: Option<i64>,
    name: Option<String>,
    slug: Option<String>,
    #[serde(rename = "consultationReasons")]
    reasons: Option<Vec<RawReason>>,
    speciality: Option<Vec<Speciality>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawReason {
    id: Option<i64>,
    reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Speciality {
    id: Option<i64>,
}

/// A vaccination reason of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub id: i64,
    pub name: String,
    pub doses: Vec<Dose>,
    pub vaccine: Option<Vaccine>,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub slug: Option<String>,
    /// Speciality 190 = pharmacy.
    pub is_pharmacy: bool,
    /// Valid COVID vaccination reasons.
    pub reasons: Vec<Reason>,
}

/// Parses an organisation and keeps its valid vaccination reasons.
pub fn parse_organization(body: &[u8]) -> Result<Organization, SlotError> {
    let o: RawOrg = from_json(P, "organization", body)?;
    Ok(Organization {
        id: o.id,
        name: o.name,
        slug: o.slug,
        is_pharmacy: o.speciality.iter().flatten().any(|s| s.id == Some(190)),
        reasons: o
            .reasons
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let name = r.reason?;
                avecmondoc_reason_is_valid(&name).then(|| Reason {
                    id: r.id.unwrap_or_default(),
                    doses: avecmondoc_doses(&name),
                    vaccine: vaccine_from_name(&name),
                    name,
                })
            })
            .filter(|r| r.id != 0)
            .collect(),
    })
}

/// The JSON body of an availabilities window `[start, end]` (`YYYY-MM-DD`).
pub fn window_body(reason_id: i64, organization_id: i64, start: &str, end: &str) -> Value {
    serde_json::json!({
        "consultationReasonId": reason_id,
        "disabledPeriods": [],
        "fullDisplay": true,
        "organizationId": organization_id,
        "periodEnd": format!("{end}T00:00:00.000Z"),
        "periodStart": format!("{start}T00:00:00.000Z"),
        "type": "inOffice",
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Answer {
    Days(Vec<RawDay>),
    Next(Value),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawDay {
    slots: Option<Vec<RawSlot>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlot {
    #[serde(rename = "businessHours")]
    business_hours: Option<Hours>,
    #[serde(rename = "isAvailable")]
    is_available: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Hours {
    start: Option<String>,
}

/// Parses one window answer for `reason` into `out` (available slots; a
/// `nextAvailableBusinessHour` becomes a hint). Duplicates across windows are dropped.
pub fn parse_window(
    body: &[u8],
    reason: &Reason,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<(), SlotError> {
    let a: Answer = from_json(P, "availabilitiesPerDay", body)?;
    apply_window(&a, reason, tz, booking_url, out)
}

/// [`parse_window`] of an answer already parsed.
fn apply_window(
    a: &Answer,
    reason: &Reason,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<(), SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    match a {
        Answer::Days(days) => {
            let mut slots = Vec::new();
            for s in days.iter().flat_map(|d| d.slots.iter().flatten()) {
                if s.is_available != Some(true) {
                    continue;
                }
                let Some(start) = s.business_hours.as_ref().and_then(|h| h.start.as_deref()) else {
                    continue;
                };
                slots.push(Slot {
                    start: aware(P, "slots[].businessHours.start", start, tz)?,
                    doses: reason.doses.clone(),
                    vaccine: reason.vaccine,
                    booking_url: std::sync::Arc::clone(&shared_url),
                    places: 1,
                });
            }
            if !slots.is_empty() {
                out.add_vaccine(reason.vaccine);
            }
            out.push_slots(slots);
        }
        Answer::Next(_) => {
            if let Some(next) = next_business_hour(a) {
                out.hint(aware(P, "nextAvailableBusinessHour", next, tz)?);
            }
        }
    }
    Ok(())
}

/// Days of a window (`periodEnd = periodStart + 6`); the next window starts at its end.
pub const WINDOW_DAYS: i64 = 6;

/// The organisation URL of a slug.
pub fn organization_url(slug: &str) -> String {
    format!("https://api.avecmondoc.com/api/Organizations/slug/{slug}")
}

/// The availabilities URL (POST).
pub const AVAILABILITIES_URL: &str =
    "https://api.avecmondoc.com/api/BusinessHours/availabilitiesPerDay";

/// The slug of a booking URL (`…/fiche/structure/{slug}`).
pub fn slug(booking_url: &str) -> Option<&str> {
    booking_url
        .split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// The `nextAvailableBusinessHour` of a "no slot in this window" answer.
fn next_business_hour(a: &Answer) -> Option<&str> {
    match a {
        Answer::Next(v) => v.get("nextAvailableBusinessHour")?.as_str(),
        Answer::Days(_) => None,
    }
}

/// The AvecMonDoc flow: organisation by slug, then per valid reason 7-day windows from
/// `start` with a stride of 6 days while the window starts before `start + days`; an answer
/// `{nextAvailableBusinessHour}` jumps to that day when it is within the horizon (else it is
/// the next-date hint and the walk stops). Slots repeated by overlapping windows count once.
#[derive(Debug, Clone, Copy, Default)]
pub struct AvecMonDoc;

impl Connector for AvecMonDoc {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let slug = slug(&target.booking_url).ok_or(SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason: "no organisation slug",
        })?;
        Ok(Box::new(AvecMonDocFlow {
            organization: Some(Request::get(organization_url(slug), "cabinets")),
            org_id: None,
            tz: zone_for_department(target.department.as_deref())?,
            booking_url: target.booking_url.clone(),
            start: target.start,
            end: add_days(target.start, i64::from(target.days)),
            walks: Vec::new(),
            branches: Branches::default(),
        }))
    }
}

/// The windows of one reason.
struct Walk {
    reason: Reason,
    from: Date,
    out: ScanOutcome,
}

struct AvecMonDocFlow {
    /// The organisation request, until it is sent.
    organization: Option<Request>,
    org_id: Option<i64>,
    tz: TimeZone,
    booking_url: String,
    start: Date,
    end: Date,
    walks: Vec<Walk>,
    branches: Branches,
}

impl AvecMonDocFlow {
    fn window(&self, walk: &Walk) -> Option<Request> {
        let org_id = self.org_id?;
        let to = add_days(walk.from, WINDOW_DAYS);
        let body = window_body(
            walk.reason.id,
            org_id,
            &walk.from.to_string(),
            &to.to_string(),
        );
        Some(Request::post(AVAILABILITIES_URL.to_string(), body, "slots"))
    }

    /// Advances the walk `i` with its answer; its next window, if any.
    fn advance(&mut self, i: usize, ex: &Exchange) -> Result<Option<Request>, SlotError> {
        check_status(P, ex)?;
        let a: Answer = from_json(P, "availabilitiesPerDay", &ex.body)?;
        let (tz, url, end) = (&self.tz, &self.booking_url, self.end);
        let Some(walk) = self.walks.get_mut(i) else {
            return Ok(None);
        };
        apply_window(&a, &walk.reason, tz, url, &mut walk.out)?;
        match (&a, next_business_hour(&a)) {
            (_, Some(next)) => {
                let day = aware(P, "nextAvailableBusinessHour", next, tz)?.date();
                if day > walk.from && day < end {
                    walk.from = day;
                } else {
                    return Ok(None);
                }
            }
            (Answer::Days(_), None) => walk.from = add_days(walk.from, WINDOW_DAYS),
            (Answer::Next(_), None) => return Ok(None),
        }
        if walk.from >= end {
            return Ok(None);
        }
        let walk = &self.walks[i];
        Ok(self.window(walk))
    }
}

impl Flow for AvecMonDocFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        if let Some(r) = self.organization.take() {
            expect_answers(P, 0, &answers)?;
            return Ok(Step::Send(vec![r]));
        }
        if self.org_id.is_none() {
            let ex = only_answer(P, &answers)?;
            check_status(P, ex)?;
            let org = parse_organization(&ex.body)?;
            let Some(org_id) = org.id else {
                return Ok(Step::Done(ScanOutcome::default()));
            };
            self.org_id = Some(org_id);
            self.walks = org
                .reasons
                .into_iter()
                .map(|reason| Walk {
                    reason,
                    from: self.start,
                    out: ScanOutcome::default(),
                })
                .collect();
            let first: Vec<(usize, Request)> = if self.start < self.end {
                self.walks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| self.window(w).map(|r| (i, r)))
                    .collect()
            } else {
                Vec::new()
            };
            return Ok(if first.is_empty() {
                Step::Done(ScanOutcome::default())
            } else {
                self.branches.send(first)
            });
        }
        let mut next = Vec::new();
        for (i, ex) in self.branches.receive(P, answers)? {
            if let Some(r) = self.advance(i, &ex)? {
                next.push((i, r));
            }
        }
        if !next.is_empty() {
            return Ok(self.branches.send(next));
        }
        let mut out = ScanOutcome::default();
        for walk in std::mem::take(&mut self.walks) {
            out.absorb(walk.out);
        }
        Ok(Step::Done(out))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn organization_and_windows() {
        let org = parse_organization(br#"{"id":159,"slug":"s","speciality":[{"id":190}],"consultationReasons":[
            {"id":604,"reason":"Premi\u00e8re injection vaccinale COVID-19 Pfizer"},{"id":1,"reason":"Vaccination grippe"}]}"#).unwrap();
        assert!(org.is_pharmacy);
        assert_eq!(org.reasons.len(), 1);
        assert_eq!(org.reasons[0].doses, vec![Dose::First]);
        let day = br#"[{"start":"2021-05-19T22:00:00.000Z","slots":[
            {"businessHours":{"start":"2021-05-20T09:00:00.000Z"},"isAvailable":true},
            {"businessHours":null,"isAvailable":true},
            {"businessHours":{"start":"2021-05-20T09:15:00.000Z"},"isAvailable":false}]}]"#;
        let tz = crate::time::paris().unwrap();
        let mut out = ScanOutcome::default();
        parse_window(day, &org.reasons[0], &tz, "u", &mut out).unwrap();
        parse_window(day, &org.reasons[0], &tz, "u", &mut out).unwrap();
        assert_eq!(out.slots.len(), 1, "the repeated window is de-duplicated");
        assert_eq!(
            out.slots[0].start.to_string(),
            "2021-05-20T11:00:00+02:00[Europe/Paris]"
        );
        parse_window(br#"{"nextAvailableBusinessHour":"2021-06-01T08:00:00.000Z","nextAvailableBusinessHourInCurrentWeek":false}"#,
            &org.reasons[0], &tz, "u", &mut out).unwrap();
        assert!(out.next_hint.is_some());
        assert_eq!(
            window_body(604, 159, "2021-05-20", "2021-05-26")["periodEnd"],
            "2021-05-26T00:00:00.000Z"
        );
    }
}
