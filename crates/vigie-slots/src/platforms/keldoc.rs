//! Keldoc (`www.keldoc.com/api/patients/v2`).
//!
//! Motives come from the centre list (`booking` = motive categories `[{name, motives:[{id,
//! name, agendas:[{id}]}]}]`), filtered by [`crate::normalise::keldoc_dose`]; per motive,
//! timetables `GET /timetables/{motive}?from=&to=&agenda_ids[]=…` in windows of 5 days.
//!
//! A centre known only by its booking URL (the data.gouv list, a partner's CSV, a
//! contribution: `https://vaccination-covid.keldoc.com/{type}/{location}/{slug}[/{cabinet
//! slug}][?cabinet=&specialty=]`) is resolved first, as the discovery does: the resource search
//! `GET booking.keldoc.com/api/patients/v2/searches/resource?type=&location=&slug=[&cabinet=]`
//! gives the clinic, its specialties (and, on some answers, its cabinets); without a cabinet in
//! the URL, `GET …/clinics/{clinic}/specialties/{specialty}/cabinets` lists them; then the
//! motive categories of each (specialty, cabinet): `GET
//! …/clinics/{clinic}/specialties/{specialty}/cabinets/{cabinet}/motive_categories`. What a URL
//! resolved to is kept by the connector for the rest of the scan ([`Keldoc`]).
//! A timetable is either `{availabilities: {"YYYY-MM-DD": [{start_time}]}}`, a next-date hint
//! `{date, text}`, or a phone-only text `{text, num, phone_number}`.
//!
//! **Time rule:** `start_time` and `date` carry their offset
//! (`2021-04-20T16:55:00.000000+0200` or `+02:00`): the instant is kept.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use crate::connector::{
    Branches, Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
    lock, only_answer,
};
use crate::error::{SlotError, from_json};
use crate::model::{Dose, Platform, ScanOutcome, Slot, Vaccine};
use crate::normalise::{keldoc_dose, vaccine_from_names};
use crate::time::{add_days, aware, zone_for_department};

const P: Platform = Platform::Keldoc;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MotiveCategory {
    pub name: Option<String>,
    pub motives: Option<Vec<RawMotive>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawMotive {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub agendas: Option<Vec<AgendaRef>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AgendaRef {
    pub id: Option<i64>,
}

/// A motive to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Motive {
    pub id: i64,
    pub agendas: Vec<i64>,
    pub dose: Dose,
    pub vaccine: Option<Vaccine>,
}

/// The vaccination motives of a centre's motive categories (from JSON bytes).
pub fn parse_motives(body: &[u8]) -> Result<Vec<Motive>, SlotError> {
    let cats: Vec<MotiveCategory> = from_json(P, "motive_categories", body)?;
    Ok(filter_motives(&cats))
}

/// Keeps the motives whose name gives a dose; vaccine from the motive name, else the category's.
pub fn filter_motives(cats: &[MotiveCategory]) -> Vec<Motive> {
    let mut out = Vec::new();
    for c in cats {
        let cat_name = c.name.as_deref().unwrap_or("");
        for m in c.motives.iter().flatten() {
            let (Some(id), Some(name)) = (m.id, m.name.as_deref()) else {
                continue;
            };
            let Some(dose) = keldoc_dose(name) else {
                continue;
            };
            out.push(Motive {
                id,
                agendas: m.agendas.iter().flatten().filter_map(|a| a.id).collect(),
                dose,
                vaccine: vaccine_from_names(name, cat_name),
            });
        }
    }
    out
}

/// Idempotent host normalisation: `keldoc.com` / `www.keldoc.com` →
/// `vaccination-covid.keldoc.com` (the reference doubled an existing prefix).
pub fn normalise_url(url: &str) -> String {
    for prefix in ["https://www.keldoc.com/", "https://keldoc.com/"] {
        if let Some(rest) = url.strip_prefix(prefix) {
            return format!("https://vaccination-covid.keldoc.com/{rest}");
        }
    }
    url.to_string()
}

/// The timetable URL of a motive for `[from, to]`.
pub fn timetable_url(motive: &Motive, from: Date, to: Date) -> String {
    let mut url = format!(
        "https://www.keldoc.com/api/patients/v2/timetables/{}?from={from}&to={to}",
        motive.id
    );
    for a in &motive.agendas {
        url.push_str(&format!("&agenda_ids%5B%5D={a}"));
    }
    url
}

/// The Keldoc geographic search URL (discovery).
pub fn search_url(specialty: &str, department: &str, page: u32) -> String {
    format!(
        "https://www.keldoc.com/api/patients/v2/searches/geo_location?specialty_id={specialty}&raw_location={department}&page={page}"
    )
}

/// The resource-search URL of a cabinet path `/{type}/{location}/{slug}[/{cabinet slug}]`.
pub fn resource_url(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let (kind, location, slug) = (parts.first()?, parts.get(1)?, parts.get(2)?);
    let mut url = format!(
        "https://booking.keldoc.com/api/patients/v2/searches/resource?type={kind}&location={location}&slug={slug}"
    );
    if let Some(cabinet) = parts.get(3) {
        url.push_str(&format!("&cabinet={cabinet}"));
    }
    Some(url)
}

/// The URL of the cabinets of a clinic's specialty.
pub fn cabinets_url(clinic: i64, specialty: i64) -> String {
    format!(
        "https://booking.keldoc.com/api/patients/v2/clinics/{clinic}/specialties/{specialty}/cabinets"
    )
}

/// The motive-categories URL of a cabinet.
pub fn motives_url(clinic: i64, specialty: i64, cabinet: i64) -> String {
    format!(
        "https://booking.keldoc.com/api/patients/v2/clinics/{clinic}/specialties/{specialty}/cabinets/{cabinet}/motive_categories"
    )
}

/// What a booking URL says of its centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingUrl {
    /// The resource search of its path.
    pub resource: String,
    /// The cabinet slug (a fourth path segment), if any.
    pub cabinet_slug: Option<String>,
    /// `?cabinet=`, `?specialty=`.
    pub cabinet: Option<i64>,
    pub specialty: Option<i64>,
}

/// Parses a Keldoc booking URL (any Keldoc host; `None` without `/{type}/{location}/{slug}`).
pub fn parse_booking_url(url: &str) -> Option<BookingUrl> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path_query) = rest.split_once('/')?;
    if !host.ends_with("keldoc.com") {
        return None;
    }
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_query, ""),
    };
    let path = path.split('#').next().unwrap_or(path);
    let mut cabinet = None;
    let mut specialty = None;
    for pair in query.split(['&', '#']) {
        match pair.split_once('=') {
            Some(("cabinet", v)) => cabinet = v.parse().ok(),
            Some(("specialty", v)) => specialty = v.parse().ok(),
            _ => {}
        }
    }
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    Some(BookingUrl {
        resource: resource_url(path)?,
        cabinet_slug: segments.get(3).map(|s| s.to_string()),
        cabinet,
        specialty,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct IdRef {
    id: Option<i64>,
    slug: Option<String>,
}

/// The resource search's answer: the clinic, its specialties, sometimes its cabinets.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Resource {
    id: Option<i64>,
    specialties: Option<Vec<IdRef>>,
    cabinets: Option<Vec<IdRef>>,
}

/// At most this many motive-category requests for one URL (specialties × cabinets).
pub const MAX_MOTIVE_REQUESTS: usize = 12;

/// The motives resolved for each booking URL during a scan.
type Resolved = std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<Vec<Motive>>>>>;

/// What a timetable said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimetableKind {
    Slots,
    Hint,
    PhoneOnly,
    Empty,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Timetable {
    date: Option<String>,
    availabilities: Option<Value>,
    phone_number: Option<String>,
    num: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlot {
    start_time: Option<String>,
}

/// Parses one timetable of `motive` into `out`. Slots without `start_time` are skipped.
pub fn parse_timetable(
    body: &[u8],
    motive: &Motive,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<TimetableKind, SlotError> {
    let t: Timetable = from_json(P, "timetable", body)?;
    apply_timetable(&t, motive, tz, booking_url, out)
}

/// [`parse_timetable`] of a timetable already parsed.
fn apply_timetable(
    t: &Timetable,
    motive: &Motive,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<TimetableKind, SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let mut kind = TimetableKind::Empty;
    if let Some(Value::Object(days)) = &t.availabilities {
        let mut slots = Vec::new();
        for day in days.values() {
            let raws = Vec::<RawSlot>::deserialize(day).map_err(|source| SlotError::Shape {
                platform: P,
                what: "timetable availabilities",
                source,
            })?;
            for raw in raws {
                let Some(s) = raw.start_time.as_deref() else {
                    continue;
                };
                slots.push(Slot {
                    start: aware(P, "availabilities[].start_time", s, tz)?,
                    doses: vec![motive.dose],
                    vaccine: motive.vaccine,
                    booking_url: std::sync::Arc::clone(&shared_url),
                    places: 1,
                });
            }
        }
        if !slots.is_empty() {
            kind = TimetableKind::Slots;
            out.add_vaccine(motive.vaccine);
        }
        out.push_slots(slots);
    }
    if let Some(d) = t.date.as_deref() {
        out.hint(aware(P, "date", d, tz)?);
        if kind == TimetableKind::Empty {
            kind = TimetableKind::Hint;
        }
    }
    if kind == TimetableKind::Empty && (t.phone_number.is_some() || t.num.is_some()) {
        kind = TimetableKind::PhoneOnly;
    }
    Ok(kind)
}

/// Days per timetable page (window `[from, from + 4]`; the next page starts at `from + 4`,
/// one day of overlap, as in the reference).
pub const DAYS_PER_PAGE: i64 = 5;

/// Number of pages for a horizon of `days` (`days / 5 + 1`: 3 for 11 days).
pub fn pages(days: u16) -> i64 {
    i64::from(days) / DAYS_PER_PAGE + 1
}

/// The date part of a hint (`2021-04-20T16:55:00.000+02:00`), and whether the timetable
/// also holds slots.
fn hint_date(t: &Timetable) -> Option<(Date, bool)> {
    let has_slots = matches!(&t.availabilities, Some(Value::Object(m)) if m.values().any(|v| v.as_array().is_some_and(|a| !a.is_empty())));
    let d = t.date.as_deref()?;
    Some((d.get(..10)?.parse().ok()?, has_slots))
}

/// The Keldoc flow. Motives come from the centre list (`ScanTarget::platform_data` = the
/// motive categories the builder stored as `booking`) or, for a centre known by its URL
/// only, from the resolution of the module doc. Per motive, pages of 5 days
/// ([`pages`]: 3 for 11 days, stride 4 days); a page that only holds a next-date hint
/// beyond its window makes **one** jump to the hint's window (the reference's
/// `page += 1 + diff/4`), after which paging resumes if pages are left. Motives are walked
/// in parallel (one request per motive per step).
///
/// The connector keeps, for the rest of its life (one scan: the scanner builds its
/// connectors per scan), the motives each booking URL resolved to, so that a URL listed
/// twice is resolved once.
#[derive(Debug, Clone, Default)]
pub struct Keldoc {
    resolved: Resolved,
}

impl Connector for Keldoc {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let mut flow = KeldocFlow {
            tz: zone_for_department(target.department.as_deref())?,
            booking_url: normalise_url(&target.booking_url),
            start: target.start,
            total_pages: pages(target.days),
            walks: Vec::new(),
            phone: false,
            phase: Phase::Walks { started: false },
            branches: Branches::default(),
            resolved: std::sync::Arc::clone(&self.resolved),
        };
        if let Some(data) = &target.platform_data {
            let cats =
                Vec::<MotiveCategory>::deserialize(data).map_err(|source| SlotError::Shape {
                    platform: P,
                    what: "motive categories (platform_data)",
                    source,
                })?;
            flow.set_motives(filter_motives(&cats));
            return Ok(Box::new(flow));
        }
        let known = lock(&self.resolved).get(&flow.booking_url).cloned();
        if let Some(motives) = known {
            flow.set_motives(motives.as_ref().clone());
            return Ok(Box::new(flow));
        }
        let url = parse_booking_url(&flow.booking_url).ok_or_else(|| SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason: "neither motive categories (platform_data) nor a /{type}/{location}/{slug} \
                     path to resolve them",
        })?;
        flow.phase = Phase::Resource(url);
        Ok(Box::new(flow))
    }
}

/// Where a Keldoc flow is.
enum Phase {
    /// A URL to resolve: the resource search is sent first.
    Resource(BookingUrl),
    /// The resource search was sent.
    ResourceSent(BookingUrl),
    /// The cabinets of each specialty were sent (the URL names no cabinet).
    Cabinets { clinic: i64, specialties: Vec<i64> },
    /// The motive categories of each (specialty, cabinet) were sent.
    Motives,
    /// Walking the motives' timetables (`started` once their first pages are sent).
    Walks { started: bool },
}

/// The timetable pages of one motive.
struct Walk {
    motive: Motive,
    page: i64,
    from: Date,
    /// The one jump to a hint's window was made.
    jumped: bool,
    /// The request in flight is that jump.
    jumping: bool,
    out: ScanOutcome,
}

impl Walk {
    fn request(&self) -> Request {
        let to = add_days(self.from, DAYS_PER_PAGE - 1);
        Request::get(timetable_url(&self.motive, self.from, to), "slots")
    }
}

struct KeldocFlow {
    tz: TimeZone,
    booking_url: String,
    start: Date,
    total_pages: i64,
    walks: Vec<Walk>,
    /// Some motive answered phone-only.
    phone: bool,
    phase: Phase,
    branches: Branches,
    resolved: Resolved,
}

impl KeldocFlow {
    /// One walk per motive with agendas.
    fn set_motives(&mut self, motives: Vec<Motive>) {
        self.walks = motives
            .into_iter()
            .filter(|m| !m.agendas.is_empty())
            .map(|motive| Walk {
                motive,
                page: 0,
                from: self.start,
                jumped: false,
                jumping: false,
                out: ScanOutcome::default(),
            })
            .collect();
    }

    /// The resource search's answer: the motive-category requests, or the cabinet lists
    /// when neither the URL nor the answer names the cabinets.
    fn on_resource(&mut self, url: &BookingUrl, ex: &Exchange) -> Result<Step, SlotError> {
        check_status(P, ex)?;
        let r: Resource = from_json(P, "resource", &ex.body)?;
        let clinic = r.id.ok_or_else(|| {
            SlotError::value(
                P,
                "resource.id",
                &self.booking_url,
                "the resource search knows no clinic for this URL",
            )
        })?;
        let specialties: Vec<i64> = match url.specialty {
            Some(s) => vec![s],
            None => r
                .specialties
                .iter()
                .flatten()
                .filter_map(|s| s.id)
                .collect(),
        };
        if specialties.is_empty() {
            return Err(SlotError::value(
                P,
                "resource.specialties",
                &self.booking_url,
                "the clinic lists no specialty",
            ));
        }
        let listed = r.cabinets.unwrap_or_default();
        let cabinets: Vec<i64> = match (url.cabinet, &url.cabinet_slug) {
            (Some(c), _) => vec![c],
            (None, Some(slug)) => listed
                .iter()
                .filter(|c| c.slug.as_deref() == Some(slug.as_str()))
                .filter_map(|c| c.id)
                .collect(),
            (None, None) => listed.iter().filter_map(|c| c.id).collect(),
        };
        if cabinets.is_empty() {
            self.phase = Phase::Cabinets {
                clinic,
                specialties: specialties.clone(),
            };
            let requests = specialties
                .iter()
                .take(MAX_MOTIVE_REQUESTS)
                .enumerate()
                .map(|(i, &s)| (i, Request::get(cabinets_url(clinic, s), "cabinets")))
                .collect();
            return Ok(self.branches.send(requests));
        }
        let pairs: Vec<(i64, i64)> = specialties
            .iter()
            .flat_map(|&s| cabinets.iter().map(move |&c| (s, c)))
            .collect();
        Ok(self.send_motives(clinic, &pairs))
    }

    fn send_motives(&mut self, clinic: i64, pairs: &[(i64, i64)]) -> Step {
        self.phase = Phase::Motives;
        let requests = pairs
            .iter()
            .take(MAX_MOTIVE_REQUESTS)
            .enumerate()
            .map(|(i, &(s, c))| (i, Request::get(motives_url(clinic, s, c), "motives")))
            .collect();
        self.branches.send(requests)
    }

    /// The motives of every category answered, each motive once (its agendas merged).
    fn on_motives(&mut self, answers: Vec<(usize, Exchange)>) -> Result<(), SlotError> {
        let mut motives: Vec<Motive> = Vec::new();
        for (_, ex) in answers {
            check_status(P, &ex)?;
            for m in parse_motives(&ex.body)? {
                match motives.iter_mut().find(|k| k.id == m.id) {
                    Some(k) => {
                        for a in m.agendas {
                            if !k.agendas.contains(&a) {
                                k.agendas.push(a);
                            }
                        }
                    }
                    None => motives.push(m),
                }
            }
        }
        lock(&self.resolved).insert(
            self.booking_url.clone(),
            std::sync::Arc::new(motives.clone()),
        );
        self.set_motives(motives);
        Ok(())
    }

    /// Advances the walk `i` with its answer; its next page, if any.
    fn advance(&mut self, i: usize, ex: &Exchange) -> Result<Option<Request>, SlotError> {
        check_status(P, ex)?;
        let t: Timetable = from_json(P, "timetable", &ex.body)?;
        let total_pages = self.total_pages;
        let Some(w) = self.walks.get_mut(i) else {
            return Ok(None);
        };
        let kind = apply_timetable(&t, &w.motive, &self.tz, &self.booking_url, &mut w.out)?;
        if w.jumping {
            w.jumping = false;
            w.from = add_days(w.from, DAYS_PER_PAGE - 1);
        } else {
            self.phone |= kind == TimetableKind::PhoneOnly;
            let to = add_days(w.from, DAYS_PER_PAGE - 1);
            match hint_date(&t) {
                Some((hint, false)) if !w.jumped && hint > to => {
                    w.jumped = true;
                    let diff = (hint - w.from).get_days().max(0);
                    w.page += 1 + i64::from(diff) / (DAYS_PER_PAGE - 1);
                    w.from = hint;
                    // The jump itself is always requested, whatever pages are left.
                    w.jumping = true;
                    return Ok(Some(w.request()));
                }
                _ => {
                    w.page += 1;
                    w.from = add_days(w.from, DAYS_PER_PAGE - 1);
                }
            }
        }
        Ok((w.page < total_pages).then(|| w.request()))
    }

    /// The timetable walks: their first pages (`started` = false), or the next pages given
    /// the answers; done when every walk is.
    fn walk(&mut self, answers: Vec<Exchange>, started: bool) -> Result<Step, SlotError> {
        let mut next = Vec::new();
        if started {
            for (i, ex) in self.branches.receive(P, answers)? {
                if let Some(r) = self.advance(i, &ex)? {
                    next.push((i, r));
                }
            }
        } else {
            expect_answers(P, 0, &answers)?;
            next = self
                .walks
                .iter()
                .enumerate()
                .filter(|(_, w)| w.page < self.total_pages)
                .map(|(i, w)| (i, w.request()))
                .collect();
        }
        self.phase = Phase::Walks { started: true };
        if !next.is_empty() {
            return Ok(self.branches.send(next));
        }
        let mut out = ScanOutcome::default();
        for walk in std::mem::take(&mut self.walks) {
            out.absorb(walk.out);
        }
        // Phone-only when some motive said so and nothing else was found.
        out.phone_only = self.phone && out.slots.is_empty() && out.next_hint.is_none();
        Ok(Step::Done(out))
    }
}

impl Flow for KeldocFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        match std::mem::replace(&mut self.phase, Phase::Walks { started: true }) {
            Phase::Resource(url) => {
                expect_answers(P, 0, &answers)?;
                let request = Request::get(url.resource.clone(), "resource");
                self.phase = Phase::ResourceSent(url);
                return Ok(Step::Send(vec![request]));
            }
            Phase::ResourceSent(url) => {
                return self.on_resource(&url, only_answer(P, &answers)?);
            }
            Phase::Cabinets {
                clinic,
                specialties,
            } => {
                let mut pairs = Vec::new();
                for (i, ex) in self.branches.receive(P, answers)? {
                    check_status(P, &ex)?;
                    let cabinets: Vec<IdRef> = from_json(P, "cabinets", &ex.body)?;
                    let Some(&s) = specialties.get(i) else {
                        continue;
                    };
                    pairs.extend(cabinets.iter().filter_map(|c| c.id).map(|c| (s, c)));
                }
                if !pairs.is_empty() {
                    return Ok(self.send_motives(clinic, &pairs));
                }
                // No cabinet: nothing to scan (the walks below are empty).
            }
            Phase::Motives => {
                let answers = self.branches.receive(P, answers)?;
                self.on_motives(answers)?;
                return self.walk(Vec::new(), false);
            }
            Phase::Walks { started } => return self.walk(answers, started),
        }
        self.walk(Vec::new(), false)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn motives_and_timetables() {
        let cats = r#"[{"name":"Je suis une personne de + 70 ANS (Pfizer)","motives":[
            {"id":1,"name":"1ère injection Vaccin COVID +70 ANS","agendas":[{"id":7},{"id":8}]},
            {"id":2,"name":"Dose de rappel immunodéprimés","agendas":[]},
            {"id":null}]}]"#;
        let m = parse_motives(cats.as_bytes()).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].vaccine, Some(Vaccine::PfizerBioNTech));
        let from = jiff::civil::date(2021, 4, 4);
        assert_eq!(
            timetable_url(&m[0], from, crate::time::add_days(from, 4)),
            "https://www.keldoc.com/api/patients/v2/timetables/1?from=2021-04-04&to=2021-04-08&agenda_ids%5B%5D=7&agenda_ids%5B%5D=8"
        );
        let tz = crate::time::paris().unwrap();
        let mut out = ScanOutcome::default();
        let hint = br#"{"text":"Prochain RDV","date":"2021-04-20T16:55:00.000+02:00"}"#;
        assert_eq!(
            parse_timetable(hint, &m[0], &tz, "u", &mut out).unwrap(),
            TimetableKind::Hint
        );
        let phone = br#"{"text":"uniquement au","num":"02 97","phone_number":"+33297069794"}"#;
        assert_eq!(
            parse_timetable(phone, &m[0], &tz, "u", &mut out).unwrap(),
            TimetableKind::PhoneOnly
        );
        let slots = br#"{"availabilities":{"2021-04-19":[{"agenda_id":null}],"2021-04-20":[{"start_time":"2021-04-20T16:53:00.000000+0200"}]}}"#;
        assert_eq!(
            parse_timetable(slots, &m[0], &tz, "u", &mut out).unwrap(),
            TimetableKind::Slots
        );
        assert_eq!(out.slots.len(), 1);
        assert_eq!(
            out.next_hint.unwrap().to_string(),
            "2021-04-20T16:55:00+02:00[Europe/Paris]"
        );
        assert_eq!(
            normalise_url("https://vaccination-covid.keldoc.com/a?cabinet=1"),
            "https://vaccination-covid.keldoc.com/a?cabinet=1"
        );
        assert_eq!(
            normalise_url("https://www.keldoc.com/a"),
            "https://vaccination-covid.keldoc.com/a"
        );
    }
}
