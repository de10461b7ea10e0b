//! Doctolib (`partners.doctolib.fr`).
//!
//! Flow: booking document `GET /booking/{centre}.json` (or the copy the centre-list builder
//! stored) → phone-only check → practice (`pid`) resolution → motive selection (reference
//! motive ids, categories, `allow_new_patients`) → one
//! `GET /availabilities.json?start_date=…&visit_motive_ids=…&agenda_ids=a-b&insurance_sector=public&practice_ids=p-q&destroy_temporary=true&limit=14`
//! per motive.
//!
//! **Time rule:** slot strings carry their offset (`2021-04-10T21:45:00.000+02:00`): the
//! instant is kept. A bare date (`2021-04-10`, seen in recordings) is local midnight.
//! Slots whose local date is before `start_date` are ignored. `next_slot` is a hint, not a slot.
//!
//! **Dose and vaccine** come from the reference motive id ([`motive_dose_vaccine`]), not from
//! the motive name (the recorded `basic-booking.json` names Moderna under Pfizer's id 6970).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use crate::connector::{
    Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
    only_answer, stepped_after_done,
};
use crate::error::{SlotError, from_json};
use crate::model::{Dose, Platform, ScanOutcome, Slot, Vaccine};
use crate::time::{flexible, zone_for_department};

const P: Platform = Platform::Doctolib;

/// `{"data": {...}}` of `/booking/{centre}.json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BookingDoc {
    pub data: Option<Booking>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Booking {
    pub profile: Option<Profile>,
    pub visit_motive_categories: Option<Vec<Category>>,
    pub visit_motives: Option<Vec<Motive>>,
    pub agendas: Option<Vec<Agenda>>,
    pub places: Option<Vec<Place>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub id: Option<Value>,
    pub speciality: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Category {
    pub id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Motive {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub ref_visit_motive_id: Option<i64>,
    pub visit_motive_category_id: Option<i64>,
    pub allow_new_patients: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Agenda {
    pub id: Option<i64>,
    pub practice_id: Option<i64>,
    pub booking_disabled: Option<bool>,
    pub visit_motive_ids_by_practice_id: Option<BTreeMap<String, Option<Vec<i64>>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Place {
    pub id: Option<String>,
    pub practice_ids: Option<Vec<i64>>,
    pub full_address: Option<String>,
    pub address: Option<String>,
}

/// Parses a booking document.
pub fn parse_booking(body: &[u8]) -> Result<Booking, SlotError> {
    let doc: BookingDoc = from_json(P, "booking", body)?;
    Ok(doc.data.unwrap_or_default())
}

/// The booking document of a stored copy (`platform_data`): the whole answer
/// (`{"data": {...}}`) or its `data` object (what the centre-list builders stored).
pub fn booking_from_value(v: &Value) -> Result<Booking, SlotError> {
    let inner = v.get("data").unwrap_or(v);
    serde_json::from_value(inner.clone()).map_err(|source| SlotError::Shape {
        platform: P,
        what: "booking",
        source,
    })
}

/// The centre slug of a booking URL: last path segment before `?`, lower-cased.
pub fn centre_slug(url: &str) -> Option<String> {
    let path = url.split('?').next()?;
    let last = path.rsplit('/').next()?;
    (!last.is_empty()).then(|| last.to_lowercase())
}

/// The booking document URL of a centre.
pub fn booking_url(slug: &str) -> String {
    format!("https://partners.doctolib.fr/booking/{slug}.json")
}

/// The practice id in `pid=practice-N` or `pid=N` (tolerates `?`/`&?` glitches).
pub fn practice_id(url: &str) -> Option<i64> {
    let pos = url.find("pid=")?;
    let rest = &url[pos + 4..];
    let rest = rest.strip_prefix("practice-").unwrap_or(rest);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Dose and vaccine of a reference motive id (the reference's `filters.motives`).
pub fn motive_dose_vaccine(ref_id: i64) -> Option<(Dose, Vaccine)> {
    Some(match ref_id {
        7107 | 8741 => (Dose::First, Vaccine::AstraZeneca),
        6970 | 8739 => (Dose::First, Vaccine::PfizerBioNTech),
        8740 | 7005 => (Dose::First, Vaccine::Moderna),
        7945 => (Dose::First, Vaccine::Janssen),
        8192 => (Dose::Booster, Vaccine::PfizerBioNTech),
        8193 => (Dose::Booster, Vaccine::Moderna),
        10515 | 10516 => (Dose::KidsFirst, Vaccine::PfizerBioNTech),
        _ => return None,
    })
}

const RELEVANT_CATEGORIES: &[&str] = &[
    "non professionnels de santé",
    "non professionnel de santé",
    "non-professionnels de santé",
    "pfizer",
    "moderna",
    "astra zeneca",
    "astrazeneca",
    "janssen",
    "vaccination",
    "vaccin",
    "patients de plus de",
    "plus de 18 ans",
    "18 ans et plus",
    "+18 ans",
    "particulier",
    "grand public",
    "population générale",
    "tout public",
    "public",
    "covid",
    "première injection",
    "1ère injection",
];

/// Whether a motive category is for the general public (space-collapsed, lower-cased).
pub fn category_is_relevant(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let norm = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if norm.is_empty() || norm.contains("professionnels de santé") && !norm.starts_with("non") {
        return false;
    }
    RELEVANT_CATEGORIES.iter().any(|c| norm.contains(c))
}

/// Whether any agenda accepts online booking; otherwise the centre is phone-only.
pub fn allows_online_booking(b: &Booking) -> bool {
    b.agendas
        .iter()
        .flatten()
        .any(|a| a.booking_disabled != Some(true))
}

fn profile_id(b: &Booking) -> Option<String> {
    match b.profile.as_ref()?.id.as_ref()? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// `doctolib{profile}pid{practice}` for one practice, `doctolib{profile}` otherwise,
/// `None` without a profile (the reference's ids).
pub fn internal_id(b: &Booking, practice_ids: &[i64]) -> Option<String> {
    let profile = profile_id(b)?;
    Some(match practice_ids {
        [one] => format!("doctolib{profile}pid{one}"),
        _ => format!("doctolib{profile}"),
    })
}

/// How the booking URL's practice was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PracticeResolution {
    /// These practice ids (the URL's, or the first place's when the URL has none).
    Practices(Vec<i64>),
    /// The URL's `pid` is stale; the place at the centre's address is this practice, and
    /// the booking URL must be rewritten (`pid=<id>`).
    Rewritten { practice_ids: Vec<i64>, url: String },
    /// The `pid` is unknown and no place matches the address (the reference's `DoublonDoctolib`).
    Unknown,
    /// The booking has no place.
    NoPlace,
}

/// Resolves the practice of `url` against the booking's places.
pub fn resolve_practice(b: &Booking, url: &str, address: Option<&str>) -> PracticeResolution {
    let places: &[Place] = b.places.as_deref().unwrap_or(&[]);
    let Some(pid) = practice_id(url) else {
        return match places.first() {
            Some(p) => PracticeResolution::Practices(p.practice_ids.clone().unwrap_or_default()),
            None => PracticeResolution::NoPlace,
        };
    };
    let wanted = format!("practice-{pid}");
    if places
        .iter()
        .any(|p| p.id.as_deref() == Some(wanted.as_str()))
    {
        return PracticeResolution::Practices(vec![pid]);
    }
    let by_address = address.and_then(|a| {
        places
            .iter()
            .find(|p| p.full_address.as_deref() == Some(a))
            .and_then(|p| p.practice_ids.as_ref()?.first().copied())
    });
    match by_address {
        Some(new_pid) => {
            let old = format!("pid=practice-{pid}");
            let old_plain = format!("pid={pid}");
            let url = if url.contains(&old) {
                url.replacen(&old, &format!("pid={new_pid}"), 1)
            } else {
                url.replacen(&old_plain, &format!("pid={new_pid}"), 1)
            };
            PracticeResolution::Rewritten {
                practice_ids: vec![new_pid],
                url,
            }
        }
        None => PracticeResolution::Unknown,
    }
}

/// One availabilities query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotiveQuery {
    pub motive_id: i64,
    pub agenda_ids: Vec<i64>,
    pub practice_ids: Vec<i64>,
    pub dose: Dose,
    pub vaccine: Vaccine,
}

/// The motives to query for `practice_ids`: configured reference ids, new patients allowed,
/// category for the general public (or no category), served by an enabled agenda.
pub fn motive_queries(b: &Booking, practice_ids: &[i64]) -> Vec<MotiveQuery> {
    let categories: &[Category] = b.visit_motive_categories.as_deref().unwrap_or(&[]);
    let mut out = Vec::new();
    for m in b.visit_motives.iter().flatten() {
        let (Some(id), Some((dose, vaccine))) =
            (m.id, m.ref_visit_motive_id.and_then(motive_dose_vaccine))
        else {
            continue;
        };
        if m.allow_new_patients == Some(false) {
            continue;
        }
        if let Some(cat) = m.visit_motive_category_id {
            let name = categories
                .iter()
                .find(|c| c.id == Some(cat))
                .and_then(|c| c.name.as_deref());
            if !category_is_relevant(name) {
                continue;
            }
        }
        let mut agenda_ids = Vec::new();
        let mut practices = Vec::new();
        for a in b.agendas.iter().flatten() {
            if a.booking_disabled == Some(true) {
                continue;
            }
            let Some(aid) = a.id else { continue };
            for (pid, motives) in a.visit_motive_ids_by_practice_id.iter().flatten() {
                let Ok(pid) = pid.parse::<i64>() else {
                    continue;
                };
                if !practice_ids.is_empty() && !practice_ids.contains(&pid) {
                    continue;
                }
                if motives.iter().flatten().any(|x| *x == id) {
                    if !agenda_ids.contains(&aid) {
                        agenda_ids.push(aid);
                    }
                    if !practices.contains(&pid) {
                        practices.push(pid);
                    }
                }
            }
        }
        if agenda_ids.is_empty() {
            continue;
        }
        agenda_ids.sort_unstable();
        out.push(MotiveQuery {
            motive_id: id,
            agenda_ids,
            practice_ids: practices,
            dose,
            vaccine,
        });
    }
    out
}

fn join(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join("-")
}

/// The availabilities URL of a motive query.
pub fn availabilities_url(start: Date, q: &MotiveQuery) -> String {
    format!(
        "https://partners.doctolib.fr/availabilities.json?start_date={start}&visit_motive_ids={}&agenda_ids={}&insurance_sector=public&practice_ids={}&destroy_temporary=true&limit=14",
        q.motive_id,
        join(&q.agenda_ids),
        join(&q.practice_ids)
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Availabilities {
    pub total: Option<u64>,
    pub availabilities: Option<Vec<Day>>,
    pub next_slot: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Day {
    pub date: Option<String>,
    pub slots: Option<Vec<RawSlot>>,
}

/// A slot is a string or `{start_date}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawSlot {
    Text(String),
    Object { start_date: Option<String> },
    Other(Value),
}

/// Parses one availabilities answer into `out`.
pub fn parse_availabilities(
    body: &[u8],
    start: Date,
    query: &MotiveQuery,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<(), SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let a: Availabilities = from_json(P, "availabilities", body)?;
    if let Some(t) = a.total {
        out.platform_count = Some(out.platform_count.unwrap_or(0).saturating_add(t));
    }
    let mut slots = Vec::new();
    for day in a.availabilities.iter().flatten() {
        for raw in day.slots.iter().flatten() {
            let s = match raw {
                RawSlot::Text(s) => s.as_str(),
                RawSlot::Object {
                    start_date: Some(s),
                } => s.as_str(),
                _ => continue,
            };
            let when = flexible(P, "availabilities[].slots[]", s, tz)?;
            if when.date() < start {
                continue;
            }
            slots.push(Slot {
                start: when,
                doses: vec![query.dose],
                vaccine: Some(query.vaccine),
                booking_url: std::sync::Arc::clone(&shared_url),
                places: 1,
            });
        }
    }
    if !slots.is_empty() {
        out.add_vaccine(Some(query.vaccine));
    }
    out.push_slots(slots);
    if let Some(next) = a.next_slot.as_deref() {
        out.hint(flexible(P, "next_slot", next, tz)?);
    }
    Ok(())
}

/// The plan derived from a booking document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub phone_only: bool,
    /// The booking URL to publish (rewritten when the `pid` was repaired).
    pub booking_url: String,
    pub internal_id: Option<String>,
    pub queries: Vec<MotiveQuery>,
}

/// Everything decided from the booking document: phone-only, practice, motives.
pub fn plan(b: &Booking, url: &str, address: Option<&str>) -> Result<Plan, SlotError> {
    let (practices, booking_url) = match resolve_practice(b, url, address) {
        PracticeResolution::Practices(p) => (p, url.to_string()),
        PracticeResolution::Rewritten { practice_ids, url } => (practice_ids, url),
        PracticeResolution::Unknown => {
            return Err(SlotError::Url {
                platform: P,
                url: url.to_string(),
                reason: "pid not among the booking's places (duplicate centre)",
            });
        }
        PracticeResolution::NoPlace => (Vec::new(), url.to_string()),
    };
    let phone_only = !allows_online_booking(b);
    Ok(Plan {
        phone_only,
        internal_id: internal_id(b, &practices),
        queries: if phone_only {
            Vec::new()
        } else {
            motive_queries(b, &practices)
        },
        booking_url,
    })
}

/// The Doctolib flow: booking (unless stored), then one availabilities request per motive.
#[derive(Debug, Clone, Copy, Default)]
pub struct Doctolib;

impl Connector for Doctolib {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        Ok(Box::new(DoctolibFlow {
            tz: zone_for_department(target.department.as_deref())?,
            target: target.clone(),
            phase: Phase::Start,
        }))
    }
}

/// Where a Doctolib scan is.
enum Phase {
    Start,
    /// The booking document was asked.
    Booking,
    /// One availabilities request per motive query of the plan was sent.
    Slots(Plan),
    Finished,
}

struct DoctolibFlow {
    target: ScanTarget,
    tz: TimeZone,
    phase: Phase,
}

impl DoctolibFlow {
    /// The plan of a booking document: done (phone only, nothing to ask) or the queries.
    fn planned(&mut self, booking: &Booking) -> Result<Step, SlotError> {
        let t = &self.target;
        let plan = plan(booking, &t.booking_url, t.address.as_deref())?;
        if plan.phone_only || plan.queries.is_empty() {
            self.phase = Phase::Finished;
            return Ok(Step::Done(ScanOutcome {
                phone_only: plan.phone_only,
                ..ScanOutcome::default()
            }));
        }
        let reqs = plan
            .queries
            .iter()
            .map(|q| Request::get(availabilities_url(t.start, q), "slots"))
            .collect();
        self.phase = Phase::Slots(plan);
        Ok(Step::Send(reqs))
    }
}

impl Flow for DoctolibFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Start => {
                expect_answers(P, 0, &answers)?;
                if let Some(v) = &self.target.platform_data {
                    let booking = booking_from_value(v)?;
                    return self.planned(&booking);
                }
                let slug = centre_slug(&self.target.booking_url).ok_or(SlotError::Url {
                    platform: P,
                    url: self.target.booking_url.clone(),
                    reason: "no centre slug",
                })?;
                self.phase = Phase::Booking;
                Ok(Step::Send(vec![Request::get(
                    booking_url(&slug),
                    "booking",
                )]))
            }
            Phase::Booking => {
                let ex = only_answer(P, &answers)?;
                check_status(P, ex)?;
                let booking = parse_booking(&ex.body)?;
                self.planned(&booking)
            }
            Phase::Slots(plan) => {
                expect_answers(P, plan.queries.len(), &answers)?;
                let mut out = ScanOutcome {
                    phone_only: plan.phone_only,
                    ..ScanOutcome::default()
                };
                for (q, ex) in plan.queries.iter().zip(&answers) {
                    check_status(P, ex)?;
                    let t = &self.target;
                    parse_availabilities(
                        &ex.body,
                        t.start,
                        q,
                        &self.tz,
                        &plan.booking_url,
                        &mut out,
                    )?;
                }
                Ok(Step::Done(out))
            }
            Phase::Finished => Err(stepped_after_done(P, &answers)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BOOKING: &str = r#"{"data":{"profile":{"id":"123456789"},"visit_motive_categories":[],
      "visit_motives":[{"id":2,"name":"1ère injection vaccin COVID-19 (Moderna)","ref_visit_motive_id":6970},
                       {"id":5,"name":"Autre","ref_visit_motive_id":1}],
      "agendas":[{"id":3,"visit_motive_ids_by_practice_id":{"165752":[2]},"booking_disabled":false}],
      "places":[{"id":"practice-165752","practice_ids":[165752],"full_address":"1 Place, 07000 Privas"}]}}"#;
    const URL: &str = "https://partners.doctolib.fr/c/ville1/centre1?pid=practice-165752&enable_cookies_consent=1";

    fn target(url: &str) -> ScanTarget {
        ScanTarget {
            booking_url: url.into(),
            platform_id: String::new(),
            department: Some("07".into()),
            address: Some("1 Place, 07000 Privas".into()),
            start: jiff::civil::date(2021, 4, 3),
            days: 11,
            platform_data: None,
        }
    }

    #[test]
    fn full_flow() {
        let t = target(URL);
        let mut flow = Doctolib.start(&t).unwrap();
        let Ok(Step::Send(r1)) = flow.step(vec![]) else {
            panic!()
        };
        assert_eq!(
            r1[0].url,
            "https://partners.doctolib.fr/booking/centre1.json"
        );
        let ex1 = Exchange {
            request: r1[0].clone(),
            status: 200,
            body: BOOKING.into(),
        };
        let Ok(Step::Send(r2)) = flow.step(vec![ex1]) else {
            panic!()
        };
        assert_eq!(r2.len(), 1);
        assert_eq!(
            r2[0].url,
            "https://partners.doctolib.fr/availabilities.json?start_date=2021-04-03&visit_motive_ids=2&agenda_ids=3&insurance_sector=public&practice_ids=165752&destroy_temporary=true&limit=14"
        );
        let body = r#"{"availabilities":[{"slots":[{"start_date":"2021-04-10T21:45:00.000+02:00"},"2021-03-25T21:45:00.000+02:00", 5]}]}"#;
        let ex2 = Exchange {
            request: r2[0].clone(),
            status: 200,
            body: body.into(),
        };
        let Ok(Step::Done(out)) = flow.step(vec![ex2]) else {
            panic!()
        };
        assert_eq!(out.slots.len(), 1);
        assert_eq!(out.slots[0].vaccine, Some(Vaccine::PfizerBioNTech));
        assert_eq!(out.slots[0].doses, vec![Dose::First]);
    }

    #[test]
    fn phone_only_and_pid_repair() {
        let b = parse_booking(
            BOOKING
                .replace("\"booking_disabled\":false", "\"booking_disabled\":true")
                .as_bytes(),
        )
        .unwrap();
        assert!(plan(&b, URL, None).unwrap().phone_only);
        let b = parse_booking(BOOKING.as_bytes()).unwrap();
        let p = plan(
            &b,
            &URL.replace("165752", "999999"),
            Some("1 Place, 07000 Privas"),
        )
        .unwrap();
        assert!(p.booking_url.contains("pid=165752&"));
        assert_eq!(p.internal_id.as_deref(), Some("doctolib123456789pid165752"));
        assert!(plan(&b, &URL.replace("165752", "999999"), None).is_err());
    }

    #[test]
    fn url_helpers() {
        assert_eq!(
            centre_slug("https://www.doctolib.fr/a/ville2/Centre2").as_deref(),
            Some("centre2")
        );
        assert_eq!(centre_slug("https://partners.doctolib.fr/a/ville2/"), None);
        assert_eq!(
            practice_id("x?pid=practice-162589&?speciality_id=5494"),
            Some(162589)
        );
        assert!(category_is_relevant(Some("  Vaccination   COVID  ")));
        assert!(!category_is_relevant(Some("Professionnels de santé")));
        assert!(category_is_relevant(Some("Non professionnels de santé")));
    }
}
