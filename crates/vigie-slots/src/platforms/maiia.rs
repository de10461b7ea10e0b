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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Zoned;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::connector::{
    Branches, Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
    lock, only_answer,
};
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
    parse_reasons_page(body).map(|(reasons, _)| reasons)
}

/// [`parse_reasons`] and the number of items of the page (named or not), which says whether
/// another page follows.
pub fn parse_reasons_page(body: &[u8]) -> Result<(Vec<Reason>, usize), SlotError> {
    let page: Items<RawReason> = from_json(P, "consultation-reason-hcd", body)?;
    let items = page.items.unwrap_or_default();
    let count = items.len();
    let reasons = items
        .into_iter()
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
        .collect();
    Ok((reasons, count))
}

/// The reasons to scan: not excluded, with a dose.
pub fn scannable(reasons: &[Reason]) -> Vec<&Reason> {
    reasons
        .iter()
        .filter(|r| !r.excluded && r.dose.is_some())
        .collect()
}

/// An availability item: only its start is read (the other fields are skipped, not built),
/// borrowed from the page when it has no escapes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawSlot<'a> {
    #[serde(rename = "startDateTime", borrow)]
    start: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SlotPage<'a> {
    #[serde(borrow)]
    items: Option<Vec<RawSlot<'a>>>,
}

/// Parses an availabilities page of `reason`.
pub fn parse_availabilities(
    body: &[u8],
    reason: &Reason,
    tz: &TimeZone,
    booking_url: &str,
) -> Result<Vec<Slot>, SlotError> {
    parse_availabilities_page(body, reason, tz, booking_url).map(|(slots, _)| slots)
}

/// [`parse_availabilities`] and the number of items of the page (with a start or not),
/// which says whether another page follows: one typed parse gives both.
pub fn parse_availabilities_page(
    body: &[u8],
    reason: &Reason,
    tz: &TimeZone,
    booking_url: &str,
) -> Result<(Vec<Slot>, usize), SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let page: SlotPage<'_> = serde_json::from_slice(body).map_err(|source| SlotError::Shape {
        platform: P,
        what: "availabilities",
        source,
    })?;
    let items = page.items.unwrap_or_default();
    let doses: Vec<Dose> = reason.dose.into_iter().collect();
    let mut out = Vec::with_capacity(items.len());
    for s in &items {
        let Some(start) = s.start.as_deref() else {
            continue;
        };
        out.push(Slot {
            start: aware(P, "items[].startDateTime", start, tz)?,
            doses: doses.clone(),
            vaccine: reason.vaccine,
            booking_url: std::sync::Arc::clone(&shared_url),
            places: 1,
        });
    }
    Ok((out, items.len()))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Closest {
    #[serde(rename = "firstPhysicalStartDateTime")]
    first: Option<String>,
}

/// The closest availability (`availability-closests`), if any.
pub fn parse_closest(body: &[u8], tz: &TimeZone) -> Result<Option<Zoned>, SlotError> {
    closest(body, tz).map(|c| c.map(|(_, z)| z))
}

/// The closest availability as written (it is the `from` of the next query) and as an instant.
fn closest(body: &[u8], tz: &TimeZone) -> Result<Option<(String, Zoned)>, SlotError> {
    let c: Closest = from_json(P, "availability-closests", body)?;
    c.first
        .map(|s| aware(P, "firstPhysicalStartDateTime", &s, tz).map(|z| (s, z)))
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

/// The directory categories of vaccination places (discovery, and the lookup of centres
/// known by their URL only).
pub const CATEGORIES: [&str; 3] = [
    "centre-de-vaccination",
    "pharmacie",
    "centre-hospitalier-(ch)",
];

/// Items per directory page.
pub const DIRECTORY_PAGE_SIZE: usize = 50;

/// The directory URL of a category, page `page` (from 0).
pub fn directory_url(category: &str, page: usize) -> String {
    format!(
        "https://www.maiia.com/api/pat-public/hcd?AllVaccinationPlaces=true&speciality.shortName={category}&limit={DIRECTORY_PAGE_SIZE}&page={page}&size={DIRECTORY_PAGE_SIZE}"
    )
}

/// The key of a Maiia page path (`/centre-de-vaccination/07270-lamastre/x`): lower case,
/// without query, host and trailing slash.
pub fn path_key(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let path = no_query
        .strip_prefix("https://")
        .or_else(|| no_query.strip_prefix("http://"))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(no_query);
    path.trim_end_matches('/').to_lowercase()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DirectoryCentre {
    id: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DirectoryItem {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    center: Option<DirectoryCentre>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DirectoryPage {
    items: Vec<DirectoryItem>,
}

/// The centre ids of the directory by [`path_key`].
type Directory = HashMap<String, String>;

/// What the preparation of a scan read: the directory.
type SharedDirectory = Arc<Mutex<Option<Arc<Directory>>>>;

/// The Maiia flow: reason pages (until a short page), then per scannable reason the
/// availability pages over `[start 00:00, start + days)`; a reason without slots asks
/// `availability-closests` and, when that date is within the horizon, queries again from it
/// (else it becomes the next-date hint). The centre id is the booking URL's `centerid`;
/// for a centre known by its page URL only (most of the data.gouv list), the connector reads
/// Maiia's directory once per scan ([`Connector::prepare`]: the [`CATEGORIES`], pages of 50,
/// in parallel) and finds the centre by its page path.
#[derive(Debug, Clone, Default)]
pub struct Maiia {
    directory: SharedDirectory,
}

impl Connector for Maiia {
    fn platform(&self) -> Platform {
        P
    }

    fn prepare(&self, targets: &[&ScanTarget]) -> Option<Box<dyn Flow<()>>> {
        if targets.iter().all(|t| center_id(&t.booking_url).is_some()) {
            return None;
        }
        Some(Box::new(DirectoryFlow {
            found: Directory::new(),
            started: false,
            pages: vec![0; CATEGORIES.len()],
            branches: Branches::default(),
            shared: Arc::clone(&self.directory),
        }))
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let id = match center_id(&target.booking_url) {
            Some(id) => id,
            None => self.looked_up(target)?,
        };
        let end = add_days(target.start, i64::from(target.days));
        Ok(Box::new(MaiiaFlow {
            ctx: Ctx {
                tz: zone_for_department(target.department.as_deref())?,
                id,
                booking_url: target.booking_url.clone(),
                from: format!("{}T00:00:00", target.start),
                to: format!("{end}T00:00:00"),
                end,
            },
            phase: Phase::Start,
            walks: Vec::new(),
            branches: Branches::default(),
        }))
    }
}

impl Maiia {
    /// The centre id of a target without `centerid`, in the prepared directory.
    fn looked_up(&self, target: &ScanTarget) -> Result<String, SlotError> {
        let err = |reason| SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason,
        };
        let Some(directory) = lock(&self.directory).clone() else {
            return Err(err(
                "no centerid parameter, and the scan could not read Maiia's directory",
            ));
        };
        directory
            .get(&path_key(&target.booking_url))
            .cloned()
            .ok_or(err("no centerid parameter, and not in Maiia's directory"))
    }
}

/// The preparation: each category's directory pages until a short one, categories in
/// parallel, each page parsed once.
struct DirectoryFlow {
    found: Directory,
    started: bool,
    /// The page asked last, per category.
    pages: Vec<usize>,
    branches: Branches,
    shared: SharedDirectory,
}

impl Flow<()> for DirectoryFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step<()>, SlotError> {
        let mut next = Vec::new();
        if self.started {
            for (i, ex) in self.branches.receive(P, answers)? {
                check_status(P, &ex)?;
                let page: DirectoryPage = from_json(P, "hcd directory", &ex.body)?;
                let n = page.items.len();
                for item in page.items {
                    let Some(centre) = item.center else { continue };
                    let (Some(id), Some(url)) = (centre.id, item.url.or(centre.url)) else {
                        continue;
                    };
                    if item.kind.as_deref() == Some("CENTER") {
                        self.found.entry(path_key(&url)).or_insert(id);
                    }
                }
                let Some(page) = self.pages.get_mut(i) else {
                    continue;
                };
                if n >= DIRECTORY_PAGE_SIZE && *page + 1 < MAX_PAGES {
                    *page += 1;
                    if let Some(category) = CATEGORIES.get(i) {
                        next.push((i, Request::get(directory_url(category, *page), "centres")));
                    }
                }
            }
        } else {
            expect_answers(P, 0, &answers)?;
            self.started = true;
            next = CATEGORIES
                .iter()
                .enumerate()
                .map(|(i, c)| (i, Request::get(directory_url(c, 0), "centres")))
                .collect();
        }
        if !next.is_empty() {
            return Ok(self.branches.send(next));
        }
        *lock(&self.shared) = Some(Arc::new(std::mem::take(&mut self.found)));
        Ok(Step::Done(()))
    }
}

/// Where the availability walk of one reason is.
#[derive(Debug, PartialEq, Eq)]
enum WalkState {
    /// Page `page` from `from` was asked.
    Pages,
    /// The closest availability was asked.
    Closest,
    Done,
}

/// The availability walk of one scannable reason.
struct Walk {
    reason: Reason,
    from: String,
    page: usize,
    /// The closest availability, when this is the walk again from it.
    again: Option<Zoned>,
    state: WalkState,
    slots: Vec<Slot>,
    hint: Option<Zoned>,
}

/// Where a Maiia scan is.
enum Phase {
    Start,
    /// Reason page `pages` was asked; `reasons` holds those of the pages before.
    Reasons {
        pages: usize,
        reasons: Vec<Reason>,
    },
    /// The walks of the scannable reasons are under way.
    Walks,
}

/// What every walk of a centre shares.
struct Ctx {
    id: String,
    tz: TimeZone,
    booking_url: String,
    from: String,
    to: String,
    end: jiff::civil::Date,
}

struct MaiiaFlow {
    ctx: Ctx,
    phase: Phase,
    walks: Vec<Walk>,
    branches: Branches,
}

impl Ctx {
    fn page_request(&self, walk: &Walk) -> Request {
        Request::get(
            availabilities_url(&self.id, &walk.reason.name, &walk.from, &self.to, walk.page),
            "slots",
        )
    }

    /// Advances `walk` with its answer; the walk's next request, if any.
    fn advance(&self, walk: &mut Walk, ex: &Exchange) -> Result<Option<Request>, SlotError> {
        check_status(P, ex)?;
        match walk.state {
            WalkState::Pages => {
                let (slots, items) =
                    parse_availabilities_page(&ex.body, &walk.reason, &self.tz, &self.booking_url)?;
                walk.slots.extend(slots);
                walk.page += 1;
                if items >= PAGE_SIZE && walk.page < MAX_PAGES {
                    return Ok(Some(self.page_request(walk)));
                }
                match walk.again.take() {
                    None if walk.slots.is_empty() => {
                        walk.state = WalkState::Closest;
                        return Ok(Some(Request::get(
                            closest_url(&self.id, &walk.reason.name, &self.from),
                            "next-slots",
                        )));
                    }
                    Some(first) if walk.slots.is_empty() => walk.hint = Some(first),
                    _ => {}
                }
                walk.state = WalkState::Done;
                Ok(None)
            }
            WalkState::Closest => {
                walk.state = WalkState::Done;
                let Some((raw, first)) = closest(&ex.body, &self.tz)? else {
                    return Ok(None);
                };
                if first.date() >= self.end {
                    walk.hint = Some(first);
                    return Ok(None);
                }
                walk.from = raw;
                walk.page = 0;
                walk.again = Some(first);
                walk.state = WalkState::Pages;
                Ok(Some(self.page_request(walk)))
            }
            WalkState::Done => Err(SlotError::Protocol {
                platform: P,
                sent: 0,
                received: 1,
            }),
        }
    }
}

impl MaiiaFlow {
    /// Every walk done: the outcome, reason by reason.
    fn outcome(&mut self) -> ScanOutcome {
        let mut out = ScanOutcome::default();
        for walk in &mut self.walks {
            out.add_vaccine(walk.reason.vaccine);
            if let Some(h) = walk.hint.take() {
                out.hint(h);
            }
        }
        // One de-duplication of every reason's slots, in reason order (one index instead of
        // one per reason).
        out.push_slots(
            self.walks
                .iter_mut()
                .flat_map(|w| std::mem::take(&mut w.slots)),
        );
        out
    }
}

impl Flow for MaiiaFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        match std::mem::replace(&mut self.phase, Phase::Walks) {
            Phase::Start => {
                expect_answers(P, 0, &answers)?;
                self.phase = Phase::Reasons {
                    pages: 0,
                    reasons: Vec::new(),
                };
                Ok(Step::Send(vec![Request::get(
                    reasons_url(&self.ctx.id, 0),
                    "motives",
                )]))
            }
            // The reason pages, one at a time, until a short page.
            Phase::Reasons { pages, mut reasons } => {
                let ex = only_answer(P, &answers)?;
                check_status(P, ex)?;
                let (more, items) = parse_reasons_page(&ex.body)?;
                reasons.extend(more);
                let pages = pages + 1;
                if items >= PAGE_SIZE && pages < MAX_PAGES {
                    self.phase = Phase::Reasons { pages, reasons };
                    return Ok(Step::Send(vec![Request::get(
                        reasons_url(&self.ctx.id, pages),
                        "motives",
                    )]));
                }
                self.walks = scannable(&reasons)
                    .into_iter()
                    .map(|r| Walk {
                        reason: r.clone(),
                        from: self.ctx.from.clone(),
                        page: 0,
                        again: None,
                        state: WalkState::Pages,
                        slots: Vec::new(),
                        hint: None,
                    })
                    .collect();
                if self.walks.is_empty() {
                    return Ok(Step::Done(ScanOutcome::default()));
                }
                let first = self
                    .walks
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, self.ctx.page_request(w)))
                    .collect();
                Ok(self.branches.send(first))
            }
            Phase::Walks => {
                let mut next = Vec::new();
                for (i, ex) in self.branches.receive(P, answers)? {
                    if let Some(walk) = self.walks.get_mut(i)
                        && let Some(r) = self.ctx.advance(walk, &ex)?
                    {
                        next.push((i, r));
                    }
                }
                if next.is_empty() {
                    Ok(Step::Done(self.outcome()))
                } else {
                    Ok(self.branches.send(next))
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_every_item_from_the_typed_parse() {
        let r = Reason {
            id: None,
            name: "Rappel".into(),
            dose: Some(Dose::Booster),
            vaccine: None,
            excluded: false,
        };
        let tz = crate::time::paris().unwrap();
        let page = br#"{"items":[{"startDateTime":"2021-05-13T13:40:00.000Z","a":[1,{"b":null}]},{"x":2},{"startDateTime":null}],"total":3}"#;
        let (slots, items) = parse_availabilities_page(page, &r, &tz, "u").unwrap();
        assert_eq!((slots.len(), items), (1, 3));
        let escaped = br#"{"items":[{"startDateTime":"2021-05-13T13:40:00.000\u005a"}]}"#;
        assert_eq!(
            parse_availabilities(escaped, &r, &tz, "u").unwrap().len(),
            1
        );
        for (body, n) in [
            (&br#"{"items":[]}"#[..], 0),
            (br#"{"items":null}"#, 0),
            (br#"{"total":3}"#, 0),
        ] {
            assert_eq!(parse_availabilities_page(body, &r, &tz, "u").unwrap().1, n);
        }
        assert!(parse_availabilities_page(b"not json", &r, &tz, "u").is_err());
        let (reasons, items) = parse_reasons_page(
            br#"{"items":[{"name":"Rappel covid","injectionType":"BOOSTER"},{"id":"x"}]}"#,
        )
        .unwrap();
        assert_eq!((reasons.len(), items), (1, 2));
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
