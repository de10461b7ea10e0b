//! The `centres.json` snapshot (schema `vigie.slots.v1`, `docs/slots-api.md`), its stale
//! carry-over, and the `centres.csv` / `slots.csv` writers.
//!
//! **Count rule.** A slot carries `places` (Mapharma `places_dispo`, mesoigner
//! `number_of_slots`, 1 elsewhere: `vigie_slots::Slot::places`); every count is a sum of
//! places. Only slots at or after `now` and on one of the `horizon_days + 1` dates are
//! counted: `slot_count` = Σ `daily[].all`. A slot counts once per tag it carries
//! (`first_or_second_dose` ≤ `all`). Each slot is bucketed by its local date in the centre's
//! zone (the zone of `Slot::start`); `days` are the dates of `now` … `now + horizon_days`.
//! The same counted slots make every published field: counts, next slot, daily counts,
//! `vaccines` and the rows of `slots.csv` (docs/slots-api.md, "One horizon rule").

use std::collections::BTreeMap;

use jiff::Zoned;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use vigie_slots::{Centre, CentreType, Platform, ScanOutcome, Slot, Tag, Vaccine};

use crate::FinderError;

/// Schema identifier of `centres.json`.
pub const SCHEMA: &str = "vigie.slots.v1";

/// The whole snapshot (`open-data/centres.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: String,
    pub generated_at: String,
    pub horizon_days: u16,
    pub days: Vec<String>,
    pub platforms: Vec<PlatformEntry>,
    pub centres: Vec<SnapshotCentre>,
    /// Centres hidden by the visibility rule (reserved names, blocklist), with the reason.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

/// State of one platform's scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformState {
    Ok,
    Degraded,
    Failed,
    NotScanned,
}

/// One entry of `platforms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlatformEntry {
    pub platform: String,
    pub name: String,
    pub status: PlatformState,
    pub last_success: Option<String>,
    pub stale: bool,
    pub stale_since: Option<String>,
    pub centres: u32,
    pub centres_with_slots: u32,
    pub slots: u64,
    pub error: Option<String>,
}

/// Availability state of a centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CentreStatus {
    /// Scanned, with slots.
    Ok,
    /// Scanned, no slot in the horizon.
    NoSlots,
    /// The scan of this centre failed (see `error`).
    Error,
    /// Carried from a previous snapshot because its platform failed (see `stale_since`).
    Stale,
}

/// Per-centre scan error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CentreError {
    /// Error class (`blocked`, `timeout`, `parse`, `http`, …), as the scanner names it.
    pub class: String,
    pub message: String,
}

/// One day of a centre: places per tag and per vaccine slug (`unknown` = vaccine unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DailyEntry {
    pub date: String,
    pub all: u32,
    pub first_or_second_dose: u32,
    pub kids_first_dose: u32,
    pub third_dose: u32,
    pub unknown_dose: u32,
    pub by_vaccine: BTreeMap<String, u32>,
}

impl DailyEntry {
    fn empty(date: String) -> Self {
        DailyEntry {
            date,
            all: 0,
            first_or_second_dose: 0,
            kids_first_dose: 0,
            third_dose: 0,
            unknown_dose: 0,
            by_vaccine: BTreeMap::new(),
        }
    }

    /// Places of a search tag (`all`, `first_or_second_dose`, `kids_first_dose`,
    /// `third_dose`, `unknown_dose`); `None` for an unknown tag.
    pub fn tag(&self, tag: &str) -> Option<u32> {
        Some(match tag {
            "all" => self.all,
            "first_or_second_dose" => self.first_or_second_dose,
            "kids_first_dose" => self.kids_first_dose,
            "third_dose" => self.third_dose,
            "unknown_dose" => self.unknown_dose,
            _ => return None,
        })
    }
}

/// One centre of the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapshotCentre {
    pub id: String,
    pub name: String,
    pub platform: String,
    pub booking_url: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub insee: Option<String>,
    pub department: Option<String>,
    /// Commune name (from the scanner, else the embedded place table by INSEE code).
    #[serde(default)]
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(rename = "type")]
    pub kind: String,
    pub phone: Option<String>,
    pub opening_hours: BTreeMap<String, String>,
    pub vaccines: Vec<String>,
    pub next_slot: Option<String>,
    pub slot_count: u32,
    pub phone_only: bool,
    pub next_hint: Option<String>,
    pub daily: Vec<DailyEntry>,
    pub scanned_at: Option<String>,
    pub status: CentreStatus,
    pub stale_since: Option<String>,
    pub error: Option<CentreError>,
    pub sources: Vec<String>,
    /// Accepted citizen contributions that changed or added this centre (newest last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributions: Vec<ContributionMark>,
}

/// An accepted contribution that changed a centre: which, when, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContributionMark {
    /// The contribution's id in the public register (`C-000042`).
    pub id: String,
    /// When it was accepted (RFC 3339).
    pub decided_at: String,
    /// The moderator who accepted it.
    pub moderator: String,
    /// What it did: `added`, or the corrected field (`address`, `phone`, `hours`, `booking_url`).
    pub change: String,
}

/// A centre hidden from every published file, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub id: String,
    pub name: String,
    pub platform: String,
    pub booking_url: String,
    pub reason: String,
}

/// Result of scanning one centre.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanResult {
    Scanned(ScanOutcome),
    Failed { class: String, message: String },
}

/// Input: one centre and what its scan gave.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreScan {
    pub centre: Centre,
    pub result: ScanResult,
    pub scanned_at: Zoned,
    /// Commune name when the scanner knows it (else looked up by INSEE code).
    pub city: Option<String>,
    /// Extra sources beyond the platform (e.g. `data.gouv:lieux-vaccination`).
    pub extra_sources: Vec<String>,
}

/// Input: one platform's scan state.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformScan {
    pub platform: Platform,
    pub state: PlatformState,
    pub last_success: Option<Zoned>,
    pub error: Option<String>,
}

/// The visibility rule, applied to every published file (lists, daily counts, open data):
/// reserved names (the reference's four phrases) and an exact-URL blocklist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    pub blocklist_urls: Vec<String>,
    /// Centres hidden by id, with the reason published in `exclusions` (the accepted
    /// contributions' blocklist: `not_vaccination_place`, `closed`).
    pub hidden_ids: Vec<(String, String)>,
}

/// Names of centres reserved to professionals (reference `is_reserved_center`).
const RESERVED: [&str; 4] = [
    "professions prioritaires",
    "professionnels de santé",
    "professionnels prioritaires",
    "personnels prioritaires",
];

impl Visibility {
    /// Why a centre is hidden, if it is.
    pub fn hidden_reason(&self, id: &str, name: &str, url: &str) -> Option<String> {
        let lower = name.to_lowercase();
        if RESERVED.iter().any(|r| lower.contains(r)) {
            Some("reserved_name".into())
        } else if self.blocklist_urls.iter().any(|u| u == url) {
            Some("blocklist".into())
        } else {
            self.hidden_ids
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, reason)| reason.clone())
        }
    }
}

/// RFC 3339 with the real offset, seconds precision (`2026-11-29T10:30:00+01:00`).
pub fn rfc3339(z: &Zoned) -> String {
    let mut out = String::with_capacity(25);
    push_rfc3339(&mut out, z);
    out
}

/// Appends [`rfc3339`] of `z` to `out`: formatted by hand (`strftime` parses its pattern at
/// each call; `slots.csv` writes one per slot), with `strftime` for what the fast path does
/// not cover (years outside 0–9999, offsets with seconds).
pub fn push_rfc3339(out: &mut String, z: &Zoned) {
    use std::fmt::Write as _;
    let dt = z.datetime();
    let offset = z.offset().seconds();
    if !(0..=9999).contains(&dt.year()) || offset % 60 != 0 {
        let _ = write!(out, "{}", z.strftime("%Y-%m-%dT%H:%M:%S%:z"));
        return;
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        minutes / 60,
        minutes % 60
    );
}

/// Reads an RFC 3339 instant.
pub fn parse_instant(s: &str) -> Result<jiff::Timestamp, FinderError> {
    s.parse::<jiff::Timestamp>().map_err(|e| FinderError::Time {
        value: s.to_string(),
        message: e.to_string(),
    })
}

/// The `horizon_days + 1` dates from `now`'s date.
pub fn horizon_dates(now: &Zoned, horizon_days: u16) -> Vec<Date> {
    let mut out = Vec::with_capacity(usize::from(horizon_days) + 1);
    let mut d = now.date();
    for _ in 0..=horizon_days {
        out.push(d);
        match d.tomorrow() {
            Ok(t) => d = t,
            Err(_) => break,
        }
    }
    out
}

/// Slug of a centre type (`vaccination-center|drugstore|general-practitioner|hospital|other`).
pub fn type_slug(t: CentreType) -> &'static str {
    match t {
        CentreType::VaccinationCentre => "vaccination-center",
        CentreType::Pharmacy => "drugstore",
        CentreType::GeneralPractitioner => "general-practitioner",
        CentreType::Hospital => "hospital",
        CentreType::Other => "other",
    }
}

/// The vaccine of a slug.
pub fn vaccine_from_slug(s: &str) -> Option<Vaccine> {
    [
        Vaccine::PfizerBioNTech,
        Vaccine::Moderna,
        Vaccine::Mrna,
        Vaccine::AstraZeneca,
        Vaccine::Janssen,
        Vaccine::Novavax,
    ]
    .into_iter()
    .find(|v| v.slug() == s)
}

/// The platform of a slug.
pub fn platform_from_slug(s: &str) -> Option<Platform> {
    Platform::ALL.into_iter().find(|p| p.slug() == s)
}

fn weekday_fr(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "lundi",
        Weekday::Tuesday => "mardi",
        Weekday::Wednesday => "mercredi",
        Weekday::Thursday => "jeudi",
        Weekday::Friday => "vendredi",
        Weekday::Saturday => "samedi",
        Weekday::Sunday => "dimanche",
    }
}

/// The slots that count: at or after `now` and on one of the horizon dates (local date of
/// the slot in the centre's zone).
pub fn counted_slots<'a>(slots: &'a [Slot], now: &Zoned, horizon_days: u16) -> Vec<&'a Slot> {
    counted_in(slots, now, &horizon_dates(now, horizon_days))
}

fn counted_in<'a>(slots: &'a [Slot], now: &Zoned, dates: &[Date]) -> Vec<&'a Slot> {
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Vec::new();
    };
    slots
        .iter()
        .filter(|s| s.start.timestamp() >= now.timestamp())
        .filter(|s| {
            let d = s.start.date();
            d >= *first && d <= *last
        })
        .collect()
}

fn daily_of(slots: &[&Slot], dates: &[Date]) -> Vec<DailyEntry> {
    let mut out: Vec<DailyEntry> = dates
        .iter()
        .map(|d| DailyEntry::empty(d.to_string()))
        .collect();
    for s in slots {
        let date = s.start.date();
        let Some(i) = dates.iter().position(|d| *d == date) else {
            continue;
        };
        let Some(e) = out.get_mut(i) else { continue };
        let p = s.places;
        e.all = e.all.saturating_add(p);
        let add = |n: &mut u32, tag: Tag| {
            if tag.matches(&s.doses) {
                *n = n.saturating_add(p);
            }
        };
        add(&mut e.first_or_second_dose, Tag::FirstOrSecond);
        add(&mut e.kids_first_dose, Tag::KidsFirst);
        add(&mut e.third_dose, Tag::Booster);
        add(&mut e.unknown_dose, Tag::Unknown);
        let key = s.vaccine.map_or("unknown", Vaccine::slug).to_string();
        let n = e.by_vaccine.entry(key).or_insert(0);
        *n = n.saturating_add(p);
    }
    out
}

fn centre_of(scan: &CentreScan, now: &Zoned, dates: &[Date]) -> SnapshotCentre {
    let c = &scan.centre;
    let mut vaccines: Vec<Vaccine> = c.vaccines.clone();
    let (daily, next_slot, next_hint, phone_only, status, error) = match &scan.result {
        ScanResult::Scanned(o) => {
            let counted = counted_in(&o.slots, now, dates);
            let daily = daily_of(&counted, dates);
            let next = counted
                .iter()
                .map(|s| &s.start)
                .min_by_key(|z| z.timestamp());
            // One horizon rule: the vaccines published are those of the slots counted (in the
            // platform's order); a centre without any keeps what its list says it offers.
            let mut in_horizon: Vec<Vaccine> = Vec::new();
            for v in counted.iter().filter_map(|s| s.vaccine) {
                if !in_horizon.contains(&v) {
                    in_horizon.push(v);
                }
            }
            if !in_horizon.is_empty() {
                vaccines.clear();
                for v in o
                    .vaccines
                    .iter()
                    .copied()
                    .filter(|v| in_horizon.contains(v))
                    .chain(in_horizon.iter().copied())
                {
                    if !vaccines.contains(&v) {
                        vaccines.push(v);
                    }
                }
            }
            let status = if counted.is_empty() {
                CentreStatus::NoSlots
            } else {
                CentreStatus::Ok
            };
            let hint = o
                .next_hint
                .as_ref()
                .filter(|h| h.timestamp() >= now.timestamp());
            (
                daily,
                next.map(rfc3339),
                hint.map(rfc3339),
                o.phone_only,
                status,
                None,
            )
        }
        ScanResult::Failed { class, message } => (
            daily_of(&[], dates),
            None,
            None,
            false,
            CentreStatus::Error,
            Some(CentreError {
                class: class.clone(),
                message: message.clone(),
            }),
        ),
    };
    let slot_count = daily.iter().fold(0u32, |a, d| a.saturating_add(d.all));
    let city = scan.city.clone().or_else(|| {
        c.insee.as_deref().and_then(|i| {
            crate::Places::embedded()
                .ok()?
                .commune(i)
                .map(|p| p.name.clone())
        })
    });
    let mut sources = vec![c.platform.slug().to_string()];
    sources.extend(scan.extra_sources.iter().cloned());
    SnapshotCentre {
        id: c.id.clone(),
        name: c.name.clone(),
        platform: c.platform.slug().to_string(),
        booking_url: c.booking_url.clone(),
        address: c.address.clone(),
        postcode: c.postcode.clone(),
        insee: c.insee.clone(),
        department: c.department.clone(),
        city,
        latitude: c.coordinates.map(|p| p.latitude),
        longitude: c.coordinates.map(|p| p.longitude),
        kind: type_slug(c.kind).to_string(),
        phone: c.phone.clone(),
        opening_hours: c
            .opening_hours
            .iter()
            .map(|h| (weekday_fr(h.day).to_string(), h.ranges.join(", ")))
            .collect(),
        vaccines: vaccines.iter().map(|v| v.slug().to_string()).collect(),
        next_slot,
        slot_count,
        phone_only,
        next_hint,
        daily,
        scanned_at: Some(rfc3339(&scan.scanned_at)),
        status,
        stale_since: None,
        error,
        sources,
        contributions: Vec::new(),
    }
}

fn platform_entries(centres: &[SnapshotCentre], platforms: &[PlatformScan]) -> Vec<PlatformEntry> {
    Platform::ALL
        .iter()
        .map(|p| {
            let slug = p.slug();
            let mine = centres.iter().filter(|c| c.platform == slug);
            let (mut n, mut with, mut slots) = (0u32, 0u32, 0u64);
            for c in mine {
                n += 1;
                if c.slot_count > 0 {
                    with += 1;
                }
                slots += u64::from(c.slot_count);
            }
            let scan = platforms.iter().find(|s| s.platform == *p);
            let status = match scan {
                Some(s) => s.state,
                None if n > 0 => PlatformState::Ok,
                None => PlatformState::NotScanned,
            };
            PlatformEntry {
                platform: slug.to_string(),
                name: p.reference_name().to_string(),
                status,
                last_success: scan.and_then(|s| s.last_success.as_ref()).map(rfc3339),
                stale: false,
                stale_since: None,
                centres: n,
                centres_with_slots: with,
                slots,
                error: scan.and_then(|s| s.error.clone()),
            }
        })
        .collect()
}

/// Builds the snapshot of one scan. Centres hidden by `visibility` are left out of
/// `centres` and listed in `exclusions`. Centres are sorted by id; a centre scanned twice
/// (same id) keeps its last scan.
pub fn build_snapshot(
    scans: &[CentreScan],
    platforms: &[PlatformScan],
    visibility: &Visibility,
    now: &Zoned,
    horizon_days: u16,
) -> Snapshot {
    let mut by_id: BTreeMap<&str, &CentreScan> = BTreeMap::new();
    for s in scans {
        by_id.insert(s.centre.id.as_str(), s);
    }
    let mut centres = Vec::new();
    let mut exclusions = Vec::new();
    let dates = horizon_dates(now, horizon_days);
    for s in by_id.values() {
        let c = &s.centre;
        if let Some(reason) = visibility.hidden_reason(&c.id, &c.name, &c.booking_url) {
            exclusions.push(Exclusion {
                id: c.id.clone(),
                name: c.name.clone(),
                platform: c.platform.slug().to_string(),
                booking_url: c.booking_url.clone(),
                reason,
            });
            continue;
        }
        centres.push(centre_of(s, now, &dates));
    }
    Snapshot {
        schema: SCHEMA.to_string(),
        generated_at: rfc3339(now),
        horizon_days,
        days: horizon_dates(now, horizon_days)
            .iter()
            .map(ToString::to_string)
            .collect(),
        platforms: platform_entries(&centres, platforms),
        centres,
        exclusions,
    }
}

/// Re-aligns a previous centre's daily counts on the new `days` (dropping past dates,
/// zero-filling new ones) and marks it stale.
fn carry(
    prev: &SnapshotCentre,
    prev_generated: &str,
    days: &[String],
    now: &Zoned,
) -> SnapshotCentre {
    let mut c = prev.clone();
    c.daily = days
        .iter()
        .map(|d| {
            prev.daily
                .iter()
                .find(|e| &e.date == d)
                .cloned()
                .unwrap_or_else(|| DailyEntry::empty(d.clone()))
        })
        .collect();
    c.slot_count = c.daily.iter().fold(0u32, |a, d| a.saturating_add(d.all));
    let future = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| parse_instant(s).ok())
            .is_some_and(|t| t >= now.timestamp())
    };
    if !future(&c.next_slot) {
        c.next_slot = None;
    }
    if !future(&c.next_hint) {
        c.next_hint = None;
    }
    if c.status != CentreStatus::Stale {
        c.stale_since = prev
            .scanned_at
            .clone()
            .or_else(|| Some(prev_generated.to_string()));
    }
    c.status = CentreStatus::Stale;
    c
}

/// Carries the last good centres of the platforms that failed (blocked, breaker tripped):
/// every centre of a failed platform that the new scan did not scan successfully is taken
/// from `previous` (its counts re-aligned on the new dates, past dates dropped), marked
/// `stale` with `stale_since` (when it was last scanned). A blocked platform therefore never
/// publishes "no slots anywhere". The platform entry is marked `stale` with the oldest
/// `stale_since` of its centres; its counts are recomputed.
pub fn merge_stale(
    previous: &Snapshot,
    new: &Snapshot,
    failed_platforms: &[Platform],
    now: &Zoned,
) -> Snapshot {
    let failed: Vec<&str> = failed_platforms.iter().map(|p| p.slug()).collect();
    let mut out = new.clone();
    let fresh = |c: &SnapshotCentre| matches!(c.status, CentreStatus::Ok | CentreStatus::NoSlots);
    let mut centres: BTreeMap<String, SnapshotCentre> = BTreeMap::new();
    for c in &new.centres {
        centres.insert(c.id.clone(), c.clone());
    }
    let excluded: Vec<&str> = new.exclusions.iter().map(|e| e.id.as_str()).collect();
    for p in previous
        .centres
        .iter()
        .filter(|c| failed.contains(&c.platform.as_str()))
    {
        if excluded.contains(&p.id.as_str()) {
            continue;
        }
        let keep_new = centres.get(&p.id).is_some_and(fresh);
        if !keep_new
            && matches!(
                p.status,
                CentreStatus::Ok | CentreStatus::NoSlots | CentreStatus::Stale
            )
        {
            centres.insert(
                p.id.clone(),
                carry(p, &previous.generated_at, &new.days, now),
            );
        }
    }
    out.centres = centres.into_values().collect();
    let scans: Vec<PlatformScan> = Vec::new();
    let recomputed = platform_entries(&out.centres, &scans);
    for e in &mut out.platforms {
        if let Some(r) = recomputed.iter().find(|r| r.platform == e.platform) {
            e.centres = r.centres;
            e.centres_with_slots = r.centres_with_slots;
            e.slots = r.slots;
        }
        if failed.contains(&e.platform.as_str()) {
            let since = out
                .centres
                .iter()
                .filter(|c| c.platform == e.platform && c.status == CentreStatus::Stale)
                .filter_map(|c| c.stale_since.as_deref())
                .min_by_key(|s| parse_instant(s).ok());
            e.stale = since.is_some();
            e.stale_since = since.map(str::to_string);
            if e.last_success.is_none() {
                e.last_success = previous
                    .platforms
                    .iter()
                    .find(|p| p.platform == e.platform)
                    .and_then(|p| p.last_success.clone());
            }
        }
    }
    out
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// `centres.csv`: one row per centre of the snapshot (columns in [`data_dictionary`]).
pub fn centres_csv(s: &Snapshot) -> Result<String, FinderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "name",
        "platform",
        "type",
        "booking_url",
        "address",
        "postcode",
        "insee",
        "department",
        "city",
        "latitude",
        "longitude",
        "phone",
        "vaccines",
        "next_slot",
        "slot_count",
        "phone_only",
        "next_hint",
        "status",
        "scanned_at",
        "stale_since",
        "error_class",
        "sources",
    ])?;
    for c in &s.centres {
        let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        w.write_record([
            c.id.as_str(),
            &c.name,
            &c.platform,
            &c.kind,
            &c.booking_url,
            opt(&c.address),
            opt(&c.postcode),
            opt(&c.insee),
            opt(&c.department),
            opt(&c.city),
            &num(c.latitude),
            &num(c.longitude),
            opt(&c.phone),
            &c.vaccines.join(";"),
            opt(&c.next_slot),
            &c.slot_count.to_string(),
            if c.phone_only { "true" } else { "false" },
            opt(&c.next_hint),
            status_slug(c.status),
            opt(&c.scanned_at),
            opt(&c.stale_since),
            c.error.as_ref().map_or("", |e| e.class.as_str()),
            &c.sources.join(";"),
        ])?;
    }
    into_string(w)
}

fn into_string(w: csv::Writer<Vec<u8>>) -> Result<String, FinderError> {
    let bytes = w
        .into_inner()
        .map_err(|e| FinderError::Csv(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|e| FinderError::Places(e.to_string()))
}

/// Slug of a centre status.
pub fn status_slug(s: CentreStatus) -> &'static str {
    match s {
        CentreStatus::Ok => "ok",
        CentreStatus::NoSlots => "no_slots",
        CentreStatus::Error => "error",
        CentreStatus::Stale => "stale",
    }
}

fn dose_slug(d: vigie_slots::Dose) -> &'static str {
    match d {
        vigie_slots::Dose::First => "1",
        vigie_slots::Dose::Second => "2",
        vigie_slots::Dose::Booster => "3",
        vigie_slots::Dose::KidsFirst => "1_kid",
    }
}

/// `slots.csv`: one row per counted slot (the rule of the module doc) of the visible
/// centres, sorted by centre id then start.
pub fn slots_csv(
    scans: &[CentreScan],
    visibility: &Visibility,
    now: &Zoned,
    horizon_days: u16,
) -> Result<String, FinderError> {
    let mut bytes = Vec::new();
    write_slots_csv(&mut bytes, scans, visibility, now, horizon_days)?;
    String::from_utf8(bytes).map_err(|e| FinderError::Places(e.to_string()))
}

/// [`slots_csv`] written to `out` as it goes (a national scan's file is about 100 MB: it is
/// not held in memory).
pub fn write_slots_csv(
    out: impl std::io::Write,
    scans: &[CentreScan],
    visibility: &Visibility,
    now: &Zoned,
    horizon_days: u16,
) -> Result<(), FinderError> {
    use std::fmt::Write as _;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "centre_id",
        "platform",
        "department",
        "start",
        "local_date",
        "doses",
        "vaccine",
        "places",
        "booking_url",
    ])?;
    let mut sorted: Vec<&CentreScan> = scans.iter().collect();
    sorted.sort_by(|a, b| a.centre.id.cmp(&b.centre.id));
    let dates = horizon_dates(now, horizon_days);
    // Buffers reused from row to row.
    let (mut start, mut doses, mut places) = (String::new(), String::new(), String::new());
    for s in sorted {
        let c = &s.centre;
        if visibility
            .hidden_reason(&c.id, &c.name, &c.booking_url)
            .is_some()
        {
            continue;
        }
        let ScanResult::Scanned(o) = &s.result else {
            continue;
        };
        let mut slots = counted_in(&o.slots, now, &dates);
        slots.sort_by_key(|s| s.start.timestamp());
        for slot in slots {
            start.clear();
            push_rfc3339(&mut start, &slot.start);
            doses.clear();
            for (i, d) in slot.doses.iter().enumerate() {
                if i > 0 {
                    doses.push(';');
                }
                doses.push_str(dose_slug(*d));
            }
            places.clear();
            let _ = write!(places, "{}", slot.places);
            // The local date is the date part of the local RFC 3339 start (4-digit years).
            let other_date;
            let local_date = match start.get(..10) {
                Some(d) if (0..=9999).contains(&slot.start.year()) => d,
                _ => {
                    other_date = slot.start.date().to_string();
                    other_date.as_str()
                }
            };
            w.write_record([
                c.id.as_str(),
                c.platform.slug(),
                opt(&c.department),
                start.as_str(),
                local_date,
                doses.as_str(),
                slot.vaccine.map_or("", Vaccine::slug),
                places.as_str(),
                &slot.booking_url,
            ])?;
        }
    }
    w.flush().map_err(|e| FinderError::Csv(e.into()))
}

/// The data dictionary (markdown) of `centres.json`, `centres.csv` and `slots.csv`.
pub fn data_dictionary() -> &'static str {
    include_str!("../data-dictionary.md")
}
