//! Keldoc (`www.keldoc.com/api/patients/v2`).
//!
//! Motives come from the centre list (`booking` = motive categories `[{name, motives:[{id,
//! name, agendas:[{id}]}]}]`), filtered by [`crate::normalise::keldoc_dose`]; per motive,
//! timetables `GET /timetables/{motive}?from=&to=&agenda_ids[]=…` in windows of 5 days.
//! A timetable is either `{availabilities: {"YYYY-MM-DD": [{start_time}]}}`, a next-date hint
//! `{date, text}`, or a phone-only text `{text, num, phone_number}`.
//!
//! **Time rule:** `start_time` and `date` carry their offset
//! (`2021-04-20T16:55:00.000000+0200` or `+02:00`): the instant is kept.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use crate::connector::{
    Branches, Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
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
/// motive categories the builder stored as `booking`). Per motive, pages of 5 days
/// ([`pages`]: 3 for 11 days, stride 4 days); a page that only holds a next-date hint
/// beyond its window makes **one** jump to the hint's window (the reference's
/// `page += 1 + diff/4`), after which paging resumes if pages are left. Motives are walked
/// in parallel (one request per motive per step).
#[derive(Debug, Clone, Copy, Default)]
pub struct Keldoc;

impl Connector for Keldoc {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let Some(data) = &target.platform_data else {
            return Err(SlotError::Url {
                platform: P,
                url: target.booking_url.clone(),
                reason: "Keldoc needs the centre's motive categories (ScanTarget::platform_data)",
            });
        };
        let cats = Vec::<MotiveCategory>::deserialize(data).map_err(|source| SlotError::Shape {
            platform: P,
            what: "motive categories (platform_data)",
            source,
        })?;
        let walks = filter_motives(&cats)
            .into_iter()
            .filter(|m| !m.agendas.is_empty())
            .map(|motive| Walk {
                motive,
                page: 0,
                from: target.start,
                jumped: false,
                jumping: false,
                out: ScanOutcome::default(),
            })
            .collect();
        Ok(Box::new(KeldocFlow {
            tz: zone_for_department(target.department.as_deref())?,
            booking_url: normalise_url(&target.booking_url),
            total_pages: pages(target.days),
            walks,
            phone: false,
            started: false,
            branches: Branches::default(),
        }))
    }
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
    total_pages: i64,
    walks: Vec<Walk>,
    /// Some motive answered phone-only.
    phone: bool,
    started: bool,
    branches: Branches,
}

impl KeldocFlow {
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
}

impl Flow for KeldocFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        let mut next = Vec::new();
        if self.started {
            for (i, ex) in self.branches.receive(P, answers)? {
                if let Some(r) = self.advance(i, &ex)? {
                    next.push((i, r));
                }
            }
        } else {
            expect_answers(P, 0, &answers)?;
            self.started = true;
            next = self
                .walks
                .iter()
                .enumerate()
                .filter(|(_, w)| w.page < self.total_pages)
                .map(|(i, w)| (i, w.request()))
                .collect();
        }
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
