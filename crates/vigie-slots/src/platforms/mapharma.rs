//! Mapharma (`mapharma.net`).
//!
//! Open data `GET https://mapharma.net/opendata/rdv` → `[{nom, adresse, code_postal, ville,
//! latitude, longitude, telephone, horaires, url, campagnes[] {id_campagne, id_type, nom,
//! total_libres, url "…?c=&l="}]}]` (or `{artifact_date, data: […]}` for the saved copy).
//! Calendar `GET /api/public/calendar/{c}/{YYYY-MM-DD}/{l}` at start and start + 6 →
//! `{"YYYY-MM-DD": [{time "HH:MM", places_dispo}], "first"?, …}`.
//!
//! **Time rule:** day key + `time` form a **naive local** time, localised in the centre's
//! zone. **Places:** `places_dispo` (one slot carries them all).

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::connector::{
    Connector, Exchange, Flow, Ready, Request, ScanTarget, Step, check_status, expect_answers,
    lock, only_answer,
};
use crate::error::{SlotError, from_json};
use crate::model::{Platform, ScanOutcome, Slot, Vaccine};
use crate::normalise::{possible_doses, vaccine_from_name};
use crate::time::{add_days, zone_for_department};

const P: Platform = Platform::Mapharma;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Pharmacy {
    pub nom: Option<String>,
    pub adresse: Option<String>,
    pub code_postal: Option<String>,
    pub ville: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub telephone: Option<String>,
    pub horaires: Option<String>,
    pub url: Option<String>,
    pub campagnes: Option<Vec<Campaign>>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Campaign {
    pub id_campagne: Option<i64>,
    pub id_type: Option<i64>,
    pub nom: Option<String>,
    pub total_libres: Option<i64>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OpenData {
    List(Vec<Pharmacy>),
    Saved { data: Vec<Pharmacy> },
}

/// Parses the open-data document (live list or saved `{artifact_date, data}`).
pub fn parse_open_data(body: &[u8]) -> Result<Vec<Pharmacy>, SlotError> {
    let d: OpenData = from_json(P, "opendata", body)?;
    Ok(match d {
        OpenData::List(l) | OpenData::Saved { data: l } => l,
    })
}

/// `(c, l)` of a campaign URL (`…?c=93&l=1`).
pub fn campaign_ids(url: &str) -> Option<(i64, i64)> {
    let query = url.split_once('?')?.1;
    let mut c = None;
    let mut l = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("c", v)) => c = v.parse().ok(),
            Some(("l", v)) => l = v.parse().ok(),
            _ => {}
        }
    }
    Some((c?, l?))
}

/// The campaign of a booking URL in the open data.
pub fn find_campaign<'a>(pharmacies: &'a [Pharmacy], url: &str) -> Option<&'a Campaign> {
    let ids = campaign_ids(url)?;
    pharmacies
        .iter()
        .flat_map(|p| p.campagnes.iter().flatten())
        .find(|c| c.url.as_deref().and_then(campaign_ids) == Some(ids))
}

/// Whether a campaign name is a COVID vaccination campaign (tests, serology, pill boxes,
/// nutrition rejected).
pub fn campaign_is_vaccination(name: &str) -> bool {
    let n = name.to_lowercase();
    let invalid = [
        "test",
        "sérologique",
        "serologique",
        "pilulier",
        "diététique",
        "dietetique",
        "nutrition",
    ];
    if invalid.iter().any(|w| n.contains(w)) {
        return false;
    }
    // Second-dose-only campaigns (the reference rejected them through its list of known
    // campaigns).
    let second_only = [
        "2eme",
        "2ème",
        "2e injection",
        "deuxième",
        "deuxieme",
        "seconde",
    ];
    if second_only.iter().any(|w| n.contains(w)) {
        return false;
    }
    n.contains("vaccination covid") || n.contains("covid 1ère injection")
}

/// The calendar URL of campaign `(c, l)` from `day`.
pub fn calendar_url(c: i64, l: i64, day: Date) -> String {
    format!("https://mapharma.net/api/public/calendar/{c}/{day}/{l}")
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlot {
    time: Option<String>,
    places_dispo: Option<u32>,
}

/// Parses a calendar answer: slots on days ≥ `start`, one per row carrying `places_dispo`.
pub fn parse_calendar(
    body: &[u8],
    start: Date,
    vaccine: Option<Vaccine>,
    tz: &TimeZone,
    booking_url: &str,
) -> Result<Vec<Slot>, SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let doc: std::collections::BTreeMap<String, Value> = from_json(P, "calendar", body)?;
    let mut out = Vec::new();
    for (key, rows) in &doc {
        let Ok(day) = key.parse::<Date>() else {
            continue; // "first", "first_text", …
        };
        if day < start {
            continue;
        }
        let rows: Vec<RawSlot> =
            serde_json::from_value(rows.clone()).map_err(|source| SlotError::Shape {
                platform: P,
                what: "calendar day",
                source,
            })?;
        for r in rows {
            let (Some(time), places) = (r.time.as_deref(), r.places_dispo.unwrap_or(1)) else {
                continue;
            };
            if places == 0 {
                continue;
            }
            let t: Time = time
                .trim()
                .parse()
                .map_err(|e| SlotError::value(P, "calendar[].time", time, e))?;
            let start = day
                .to_datetime(t)
                .to_zoned(tz.clone())
                .map_err(|e| SlotError::value(P, "calendar[].time", time, e))?;
            out.push(Slot {
                start,
                doses: possible_doses(vaccine),
                vaccine,
                booking_url: std::sync::Arc::clone(&shared_url),
                places,
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start));
    Ok(out)
}

/// Days between the two calendar requests (`range(0, 11, 6)`: start and start + 6).
pub const CALENDAR_STRIDE: i64 = 6;

/// The campaign of a scan target: `platform_data` is either the campaign itself
/// (`{id_campagne, nom, total_libres, url}`, what [`crate::discovery`] stores) or the whole
/// open-data document (live list or saved `{artifact_date, data}`), searched by the booking
/// URL's `(c, l)`.
pub fn target_campaign(target: &ScanTarget) -> Result<Campaign, SlotError> {
    let missing = || SlotError::Url {
        platform: P,
        url: target.booking_url.clone(),
        reason: "campaign not found in the open data (ScanTarget::platform_data)",
    };
    let data = target.platform_data.as_ref().ok_or_else(missing)?;
    if data.get("id_campagne").is_some() {
        return serde_json::from_value(data.clone()).map_err(|source| SlotError::Shape {
            platform: P,
            what: "campaign (platform_data)",
            source,
        });
    }
    let doc: OpenData =
        serde_json::from_value(data.clone()).map_err(|source| SlotError::Shape {
            platform: P,
            what: "open data (platform_data)",
            source,
        })?;
    let (OpenData::List(l) | OpenData::Saved { data: l }) = doc;
    find_campaign(&l, &target.booking_url)
        .cloned()
        .ok_or_else(missing)
}

/// The open-data document (`GET https://mapharma.net/opendata/rdv`).
pub const OPEN_DATA_URL: &str = "https://mapharma.net/opendata/rdv";

/// The copy the reference published, asked when the live document cannot be read
/// (`{artifact_date, data}`).
pub const OPEN_DATA_FALLBACK_URL: &str =
    "https://vitemadose.gitlab.io/vitemadose/mapharma_open_data.json";

/// The campaigns of the open data by `(c, l)`.
pub type Campaigns = HashMap<(i64, i64), Campaign>;

/// The campaigns of every pharmacy of the open data, by the `(c, l)` of their URL.
pub fn index_campaigns(pharmacies: Vec<Pharmacy>) -> Campaigns {
    let mut out = Campaigns::new();
    for c in pharmacies
        .into_iter()
        .flat_map(|p| p.campagnes.unwrap_or_default())
    {
        if let Some(ids) = c.url.as_deref().and_then(campaign_ids) {
            out.entry(ids).or_insert(c);
        }
    }
    out
}

/// What the preparation of a scan read: the open data's campaigns.
type Shared = Arc<Mutex<Option<Arc<Campaigns>>>>;

/// The Mapharma flow: campaign from the open data (`total_libres == 0` → nothing to ask),
/// then the calendar at `start` and `start + 6` (each answers about a week); vaccine from
/// the campaign name, doses from the vaccine; one slot per row carrying `places_dispo`.
///
/// The campaign comes from the target's `platform_data` (the campaign, or the whole open
/// data) or, for a pharmacy known by its campaign URL only (a list, a contribution), from
/// the open data the connector reads once per scan ([`Connector::prepare`]: the live
/// document, else [`OPEN_DATA_FALLBACK_URL`]), matched by the URL's `(c, l)`.
#[derive(Debug, Clone, Default)]
pub struct Mapharma {
    open_data: Shared,
}

impl Connector for Mapharma {
    fn platform(&self) -> Platform {
        P
    }

    fn prepare(&self, targets: &[&ScanTarget]) -> Option<Box<dyn Flow<()>>> {
        if targets.iter().all(|t| t.platform_data.is_some()) {
            return None;
        }
        Some(Box::new(OpenDataFlow {
            sent: None,
            shared: Arc::clone(&self.open_data),
        }))
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let campaign = match &target.platform_data {
            Some(_) => target_campaign(target)?,
            None => self.prepared_campaign(target)?,
        };
        if campaign.total_libres == Some(0) {
            return Ok(Box::new(Ready(P, Some(ScanOutcome::default()))));
        }
        let (c, l) = campaign_ids(&target.booking_url).ok_or(SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason: "no c= and l= parameters",
        })?;
        let mut requests = Vec::new();
        let mut offset = 0;
        while offset < i64::from(target.days) {
            let day = add_days(target.start, offset);
            offset += CALENDAR_STRIDE;
            requests.push(Request::get(calendar_url(c, l, day), "slots"));
        }
        Ok(Box::new(MapharmaFlow {
            vaccine: campaign.nom.as_deref().and_then(vaccine_from_name),
            tz: zone_for_department(target.department.as_deref())?,
            start: target.start,
            booking_url: target.booking_url.clone(),
            sent: 0,
            requests: Some(requests),
        }))
    }
}

impl Mapharma {
    /// The campaign of a target without platform data, in the prepared open data.
    fn prepared_campaign(&self, target: &ScanTarget) -> Result<Campaign, SlotError> {
        let err = |reason| SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason,
        };
        let ids = campaign_ids(&target.booking_url).ok_or(err("no c= and l= parameters"))?;
        let Some(campaigns) = lock(&self.open_data).clone() else {
            return Err(err("the scan could not read Mapharma's open data"));
        };
        campaigns
            .get(&ids)
            .cloned()
            .ok_or(err("campaign not found in Mapharma's open data"))
    }
}

/// The preparation: the open data, then its fallback copy if the live one cannot be read.
struct OpenDataFlow {
    /// The URL asked last.
    sent: Option<&'static str>,
    shared: Shared,
}

impl Flow<()> for OpenDataFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step<()>, SlotError> {
        let Some(url) = self.sent else {
            expect_answers(P, 0, &answers)?;
            self.sent = Some(OPEN_DATA_URL);
            return Ok(Step::Send(vec![Request::get(
                OPEN_DATA_URL.into(),
                "centres",
            )]));
        };
        let ex = only_answer(P, &answers)?;
        let read = check_status(P, ex).and_then(|()| parse_open_data(&ex.body));
        match read {
            Ok(pharmacies) => {
                *lock(&self.shared) = Some(Arc::new(index_campaigns(pharmacies)));
                Ok(Step::Done(()))
            }
            Err(e) if url == OPEN_DATA_FALLBACK_URL => Err(e),
            Err(_) => {
                self.sent = Some(OPEN_DATA_FALLBACK_URL);
                Ok(Step::Send(vec![Request::get(
                    OPEN_DATA_FALLBACK_URL.into(),
                    "centres",
                )]))
            }
        }
    }
}

/// The calendars of a campaign, asked in one step.
struct MapharmaFlow {
    vaccine: Option<Vaccine>,
    tz: TimeZone,
    start: Date,
    booking_url: String,
    sent: usize,
    /// The calendar requests, until they are sent.
    requests: Option<Vec<Request>>,
}

impl Flow for MapharmaFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        expect_answers(P, self.sent, &answers)?;
        if let Some(requests) = self.requests.take() {
            self.sent = requests.len();
            if !requests.is_empty() {
                return Ok(Step::Send(requests));
            }
        }
        let mut out = ScanOutcome::default();
        for ex in &answers {
            check_status(P, ex)?;
            let slots = parse_calendar(
                &ex.body,
                self.start,
                self.vaccine,
                &self.tz,
                &self.booking_url,
            )?;
            if !slots.is_empty() {
                out.add_vaccine(self.vaccine);
            }
            out.push_slots(slots);
        }
        self.sent = 0;
        Ok(Step::Done(out))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn open_data_and_calendar() {
        let od = br#"{"artifact_date":"x","data":[{"nom":"P","campagnes":[
            {"id_campagne":92,"nom":"VACCINATION COVID","total_libres":0,"url":"https://mapharma.net/88400?c=92&l=1"}]}]}"#;
        let ph = parse_open_data(od).unwrap();
        let c = find_campaign(&ph, "https://mapharma.net/88400?c=92&l=1").unwrap();
        assert_eq!(c.total_libres, Some(0));
        assert!(campaign_is_vaccination("VACCINATION COVID"));
        assert!(!campaign_is_vaccination("Test Antigénique COVID19"));
        let cal = br#"{"2021-04-18":[{"time":"10:00","places_dispo":1}],
            "2021-04-19":[{"id":1,"time":"17:15","places_dispo":3}],"first":"2021-04-19","first_text":"x"}"#;
        let tz = crate::time::paris().unwrap();
        let s = parse_calendar(
            cal,
            jiff::civil::date(2021, 4, 19),
            Some(Vaccine::PfizerBioNTech),
            &tz,
            "u",
        )
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].places, 3);
        assert_eq!(
            s[0].start.to_string(),
            "2021-04-19T17:15:00+02:00[Europe/Paris]"
        );
    }
}
