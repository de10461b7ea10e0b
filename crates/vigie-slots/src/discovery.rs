//! Centre discovery per platform, as pure step flows (the same seam as
//! [`crate::Connector`]): a [`Discovery`] says which requests to send next given the
//! exchanges so far, and finally the [`CentreRecord`]s it found (each gives its
//! [`ScanTarget`](crate::ScanTarget) through [`CentreRecord::scan_target`]).
//!
//! Implemented: Ordoclic (one search), AvecMonDoc (paged covid organisations + one
//! organisation lookup each), Mapharma (open-data document → one centre per valid
//! campaign, the campaign stored as `platform_data` for the connector), mesoigner (one
//! list), Bimedoc (list + one details request each), Maiia (directory pages of three
//! categories), Keldoc (geographic search of the departments the caller lists, then
//! resource and motive categories per cabinet: [`KeldocDiscovery`], built directly).
//! Doctolib (department pages then one booking per centre: [`DoctolibDiscovery`], built
//! directly). The Valwin directory crawl is not implemented yet: its centres come from
//! centre lists ([`crate::centres::parse_list`]).

use jiff::civil::{Date, Weekday};
use serde_json::Value;

use crate::centres::{CentreRecord, CentreSource, FRENCH_DAYS, department_of_postcode};
use crate::connector::{Answers, ConnectorConfig, Exchange, Flow, Rebasing, Request, Step};
use crate::error::{SlotError, from_json};
use crate::model::{Centre, CentreType, Coordinates, OpeningHours, Platform};
use crate::normalise::phone_e164;
use crate::platforms::{bimedoc, mapharma, mesoigner, ordoclic};
use crate::time::add_days;

/// What a discovery flow found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    pub records: Vec<CentreRecord>,
}

/// What a discovery flow wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum DiscoveryStep {
    /// Send these requests, append the exchanges, call `step` again.
    Send(Vec<Request>),
    Done(Discovered),
}

/// One platform's centre discovery. Pure and stateless.
pub trait Discovery {
    fn platform(&self) -> Platform;
    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError>;
}

/// A discovery driven as a [`Flow`], by the same driver (and politeness) as the scans: it
/// keeps the exchanges and walks them all again at each step (discovery runs once per scan;
/// scan flows parse each answer once).
pub struct DiscoveryFlow {
    inner: Box<dyn Discovery + Send + Sync>,
    exchanges: Vec<Exchange>,
}

impl DiscoveryFlow {
    pub fn new(inner: Box<dyn Discovery + Send + Sync>) -> Self {
        DiscoveryFlow {
            inner,
            exchanges: Vec::new(),
        }
    }

    pub fn platform(&self) -> Platform {
        self.inner.platform()
    }
}

impl Flow<Discovered> for DiscoveryFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step<Discovered>, SlotError> {
        self.exchanges.extend(answers);
        Ok(match self.inner.step(&self.exchanges)? {
            DiscoveryStep::Send(requests) => Step::Send(requests),
            DiscoveryStep::Done(found) => Step::Done(found),
        })
    }
}

/// One step of a discovery flow: `walk` replays the flow over the answers so far (queueing
/// the requests that have none yet) and returns the records found; `Done` once nothing is
/// missing.
fn step_with(
    exchanges: &[Exchange],
    walk: impl FnOnce(&mut Answers<'_>) -> Result<Vec<CentreRecord>, SlotError>,
) -> Result<DiscoveryStep, SlotError> {
    let mut answers = Answers::new(exchanges);
    let records = walk(&mut answers)?;
    Ok(if answers.is_complete() {
        DiscoveryStep::Done(Discovered { records })
    } else {
        DiscoveryStep::Send(answers.into_pending())
    })
}

/// The JSON document answering a GET of `url` (status checked), or `None` once the request
/// is queued.
fn get_json<T: serde::de::DeserializeOwned>(
    answers: &mut Answers<'_>,
    platform: Platform,
    url: String,
    purpose: &'static str,
    what: &'static str,
) -> Result<Option<T>, SlotError> {
    match answers.take_ok(platform, Request::get(url, purpose))? {
        Some(ex) => from_json(platform, what, &ex.body).map(Some),
        None => Ok(None),
    }
}

/// A flow of one GET (`url`) whose answer `records` reads.
fn one_document(
    exchanges: &[Exchange],
    platform: Platform,
    url: &str,
    records: impl FnOnce(&[u8]) -> Result<Vec<CentreRecord>, SlotError>,
) -> Result<DiscoveryStep, SlotError> {
    step_with(exchanges, |answers| {
        match answers.take_ok(platform, Request::get(url.to_string(), "centres"))? {
            Some(ex) => records(&ex.body),
            None => Ok(Vec::new()),
        }
    })
}

/// The records of platform centres listed in one document, numbered from line 1, with the
/// `gid` that `gid` derives from the platform id.
fn listed_records(centres: &[Centre], gid: impl Fn(&str) -> String) -> Vec<CentreRecord> {
    centres
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let g = gid(&c.provenance.platform_id);
            record_from_centre(c, Some(g), Some(i as u64 + 1))
        })
        .collect()
}

/// A [`CentreRecord`] from a platform [`Centre`].
pub fn record_from_centre(c: &Centre, gid: Option<String>, line: Option<u64>) -> CentreRecord {
    CentreRecord {
        source: CentreSource {
            document: c.provenance.document.to_string(),
            line,
            id: Some(c.provenance.platform_id.clone()),
        },
        gid,
        name: c.name.clone(),
        booking_url: Some(c.booking_url.clone()),
        platform: Some(c.platform),
        platform_id: Some(c.provenance.platform_id.clone()),
        address: c.address.clone(),
        insee: c.insee.clone(),
        postcode: c.postcode.clone(),
        city: None,
        department: c
            .department
            .clone()
            .or_else(|| c.postcode.as_deref().and_then(department_of_postcode)),
        coordinates: c.coordinates,
        kind: c.kind,
        phone: c.phone.clone(),
        opening_hours: c.opening_hours.clone(),
        atlas_gid: None,
        platform_data: None,
    }
}

/// At most this many directory pages per department/specialty (AvecMonDoc, Keldoc): a
/// server announcing a next page forever would otherwise never end the crawl.
pub const MAX_DIRECTORY_PAGES: u32 = 200;

/// The Ordoclic search URL (pharmacies with online COVID vaccination booking).
pub const ORDOCLIC_SEARCH_URL: &str = "https://api.ordoclic.fr/v1/public/search?page=1&per_page=10000&in.isPublicProfile=true&in.isCovidVaccineSupported=true&or.covidOnlineBookingAvailabilities.vaccineAstraZeneca1=true&or.covidOnlineBookingAvailabilities.vaccineAstraZeneca2=true&or.covidOnlineBookingAvailabilities.vaccineJanssen1=true&or.covidOnlineBookingAvailabilities.vaccinePfizer1=true&or.covidOnlineBookingAvailabilities.vaccinePfizer2=true&or.covidOnlineBookingAvailabilities.vaccinePfizer3=true&or.covidOnlineBookingAvailabilities.vaccineModerna1=true&or.covidOnlineBookingAvailabilities.vaccineModerna2=true&or.covidOnlineBookingAvailabilities.vaccineModerna3=true";

/// Ordoclic: one search; pharmacies kept; `gid` = first 8 characters of the id.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrdoclicDiscovery;

impl Discovery for OrdoclicDiscovery {
    fn platform(&self) -> Platform {
        Platform::Ordoclic
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        one_document(exchanges, Platform::Ordoclic, ORDOCLIC_SEARCH_URL, |body| {
            Ok(listed_records(&ordoclic::parse_search(body)?, |id| {
                id.chars().take(8).collect()
            }))
        })
    }
}

/// The mesoigner centre list URL.
pub const MESOIGNER_CENTRES_URL: &str = "https://www.mesoigner.fr/api/v1/vaccination/centers";

/// mesoigner: one list; `gid` = the list's id.
#[derive(Debug, Clone, Copy, Default)]
pub struct MesoignerDiscovery;

impl Discovery for MesoignerDiscovery {
    fn platform(&self) -> Platform {
        Platform::Mesoigner
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        one_document(
            exchanges,
            Platform::Mesoigner,
            MESOIGNER_CENTRES_URL,
            |body| {
                Ok(listed_records(
                    &mesoigner::parse_centres(body)?,
                    str::to_string,
                ))
            },
        )
    }
}

/// The Mapharma open-data URL.
pub use crate::platforms::mapharma::OPEN_DATA_URL as MAPHARMA_OPEN_DATA_URL;

/// The reference's Mapharma `gid`: the hex of the URL's UTF-8 bytes from the 53rd hex digit,
/// 23 digits at most.
pub fn mapharma_gid(url: &str) -> String {
    let hex: String = url.bytes().map(|b| format!("{b:02x}")).collect();
    hex.chars().skip(52).take(23).collect()
}

/// Opening hours of a Mapharma `horaires` text (`"lundi: 08:30 – 12:30, …\n…"`).
fn mapharma_hours(text: &str) -> Vec<OpeningHours> {
    text.lines()
        .filter_map(|line| {
            let (day, hours) = line.split_once(':')?;
            let day = FRENCH_DAYS
                .iter()
                .find(|(n, _)| *n == day.trim().to_lowercase())?
                .1;
            Some(OpeningHours {
                day,
                ranges: vec![hours.trim().to_string()],
            })
        })
        .collect()
}

/// The centres of a Mapharma open-data document: one per valid vaccination campaign
/// ([`mapharma::campaign_is_vaccination`]), the campaign as `platform_data`.
pub fn mapharma_records(pharmacies: &[mapharma::Pharmacy]) -> Vec<CentreRecord> {
    let mut out = Vec::new();
    for (i, p) in pharmacies.iter().enumerate() {
        for c in p.campagnes.iter().flatten() {
            let (Some(url), Some(name)) = (&c.url, &p.nom) else {
                continue;
            };
            if !c
                .nom
                .as_deref()
                .is_some_and(mapharma::campaign_is_vaccination)
            {
                continue;
            }
            let gid = mapharma_gid(url);
            let address = match (&p.adresse, &p.code_postal, &p.ville) {
                (Some(a), Some(z), Some(v)) => Some(format!("{a}, {z} {v}")),
                (Some(a), _, _) => Some(a.clone()),
                _ => None,
            };
            let coordinates = match (p.longitude, p.latitude) {
                (Some(longitude), Some(latitude)) => Some(Coordinates {
                    longitude,
                    latitude,
                }),
                _ => None,
            };
            out.push(CentreRecord {
                source: CentreSource {
                    document: "mapharma open data".into(),
                    line: Some(i as u64 + 1),
                    id: Some(gid.clone()),
                },
                gid: Some(gid.clone()),
                name: name.clone(),
                booking_url: Some(url.clone()),
                platform: Some(Platform::Mapharma),
                platform_id: Some(gid),
                address,
                insee: None,
                postcode: p.code_postal.clone(),
                city: p.ville.clone(),
                department: p.code_postal.as_deref().and_then(department_of_postcode),
                coordinates,
                kind: CentreType::Pharmacy,
                phone: p.telephone.as_deref().and_then(phone_e164),
                opening_hours: p
                    .horaires
                    .as_deref()
                    .map(mapharma_hours)
                    .unwrap_or_default(),
                atlas_gid: None,
                platform_data: serde_json::to_value(c).ok(),
            });
        }
    }
    out
}

/// Mapharma: the open-data document.
#[derive(Debug, Clone, Copy, Default)]
pub struct MapharmaDiscovery;

impl Discovery for MapharmaDiscovery {
    fn platform(&self) -> Platform {
        Platform::Mapharma
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        one_document(
            exchanges,
            Platform::Mapharma,
            MAPHARMA_OPEN_DATA_URL,
            |body| Ok(mapharma_records(&mapharma::parse_open_data(body)?)),
        )
    }
}

/// The opening hours of the week, Monday first: `schedules(day)` finds the array of a day's
/// `{start, end}` objects (`keys` names the two fields), read as `"start-end"` ranges; days
/// without a range are left out.
fn weekly_hours<'v>(
    schedules: impl Fn(Weekday) -> Option<&'v Value>,
    (start, end): (&str, &str),
) -> Vec<OpeningHours> {
    FRENCH_DAYS
        .iter()
        .filter_map(|&(_, day)| {
            let ranges: Vec<String> = schedules(day)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    Some(format!(
                        "{}-{}",
                        r.get(start)?.as_str()?,
                        r.get(end)?.as_str()?
                    ))
                })
                .collect();
            (!ranges.is_empty()).then_some(OpeningHours { day, ranges })
        })
        .collect()
}

/// The AvecMonDoc search page URL (10 organisations per page, pages from 1).
pub fn avecmondoc_search_url(page: u32) -> String {
    format!("https://api.avecmondoc.com/api/Organizations/public/covid?limit=10&page={page}")
}

/// A centre from an AvecMonDoc organisation document, if it has a 5-character postcode and a
/// valid COVID vaccination reason.
pub fn avecmondoc_record(body: &[u8], line: u64) -> Result<Option<CentreRecord>, SlotError> {
    const P: Platform = Platform::AvecMonDoc;
    let org = crate::platforms::avecmondoc::parse_organization(body)?;
    let v: Value = from_json(P, "organization", body)?;
    let zip = v.get("zipCode").and_then(Value::as_str).map(str::to_string);
    let (Some(id), Some(slug), Some(name)) = (org.id, org.slug, org.name) else {
        return Ok(None);
    };
    if org.reasons.is_empty() || zip.as_deref().is_none_or(|z| z.chars().count() != 5) {
        return Ok(None);
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let city = s("city");
    let address = match (s("address"), &zip, &city) {
        (Some(a), Some(z), Some(c)) => Some(format!("{a}, {z} {c}")),
        (a, _, _) => a,
    };
    let coordinates = (|| {
        Some(Coordinates {
            longitude: v.pointer("/coordinates/lng")?.as_f64()?,
            latitude: v.pointer("/coordinates/lat")?.as_f64()?,
        })
    })();
    let specialities = v.get("speciality").and_then(Value::as_array);
    let has = |key: &str, n: i64| {
        specialities
            .into_iter()
            .flatten()
            .any(|sp| sp.get(key).and_then(Value::as_i64) == Some(n))
    };
    let kind = if org.is_pharmacy {
        CentreType::Pharmacy
    } else if has("professionId", 14) {
        CentreType::GeneralPractitioner
    } else {
        CentreType::Pharmacy
    };
    // schedules "0".."6", 0 = Sunday.
    let opening_hours = weekly_hours(
        |day| {
            v.pointer(&format!(
                "/schedules/{}/schedules",
                day.to_sunday_zero_offset()
            ))
        },
        ("start", "end"),
    );
    let gid = format!("amd{id}");
    Ok(Some(CentreRecord {
        source: CentreSource {
            document: "avecmondoc organisations".into(),
            line: Some(line),
            id: Some(gid.clone()),
        },
        gid: Some(gid),
        name,
        booking_url: Some(format!(
            "https://patient.avecmondoc.com/fiche/structure/{slug}"
        )),
        platform: Some(P),
        platform_id: Some(slug),
        address,
        insee: None,
        department: zip.as_deref().and_then(department_of_postcode),
        postcode: zip,
        city,
        coordinates,
        kind,
        phone: s("phone").and_then(|p| phone_e164(&p)),
        opening_hours,
        atlas_gid: None,
        platform_data: None,
    }))
}

/// AvecMonDoc: search pages while `hasNextPage`; organisations with
/// `businessHoursCovidCount == 0` skipped; one organisation lookup per remaining result.
#[derive(Debug, Clone, Copy, Default)]
pub struct AvecMonDocDiscovery;

impl Discovery for AvecMonDocDiscovery {
    fn platform(&self) -> Platform {
        Platform::AvecMonDoc
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        const P: Platform = Platform::AvecMonDoc;
        step_with(exchanges, |answers| {
            let mut records = Vec::new();
            let mut page = 1;
            let mut line = 0;
            while let Some(v) = get_json::<Value>(
                answers,
                P,
                avecmondoc_search_url(page),
                "centres",
                "covid organisations",
            )? {
                for item in v
                    .get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    line += 1;
                    if item.get("businessHoursCovidCount").and_then(Value::as_i64) == Some(0) {
                        continue;
                    }
                    let Some(slug) = item
                        .get("url")
                        .and_then(Value::as_str)
                        .and_then(crate::platforms::avecmondoc::slug)
                    else {
                        continue;
                    };
                    let organisation = Request::get(
                        crate::platforms::avecmondoc::organization_url(slug),
                        "cabinets",
                    );
                    if let Some(ex) = answers.take_ok(P, organisation)?
                        && let Some(r) = avecmondoc_record(&ex.body, line)?
                    {
                        records.push(r);
                    }
                }
                if v.get("hasNextPage").and_then(Value::as_bool) != Some(true)
                    || page >= MAX_DIRECTORY_PAGES
                {
                    break;
                }
                page += 1;
            }
            Ok(records)
        })
    }
}

/// The Bimedoc list URL of pharmacies with slots over `[start, start + days]`.
pub fn bimedoc_list_url(start: Date, days: u16) -> String {
    format!(
        "https://server.bimedoc.com/vmd/pharmacy-with-slots?start_date={start}&end_date={}",
        add_days(start, i64::from(days))
    )
}

/// The Bimedoc details URL of one pharmacy (note the `/` before the query, as the reference).
pub fn bimedoc_details_url(id: &str, start: Date, days: u16) -> String {
    format!(
        "https://server.bimedoc.com/vmd/pharmacy-with-slots/{id}/?start_date={start}&end_date={}",
        add_days(start, i64::from(days))
    )
}

/// Bimedoc: the list of pharmacies with slots (an array of ids or of `{id, …}` objects),
/// then one details request per pharmacy; `gid` = `bimedoc{id}`. Dates are arguments (the
/// reference used `date.today()`).
#[derive(Debug, Clone, Copy)]
pub struct BimedocDiscovery {
    pub start: Date,
    pub days: u16,
}

impl Discovery for BimedocDiscovery {
    fn platform(&self) -> Platform {
        Platform::Bimedoc
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        const P: Platform = Platform::Bimedoc;
        step_with(exchanges, |answers| {
            let mut records = Vec::new();
            let list_url = bimedoc_list_url(self.start, self.days);
            let Some(list) = get_json::<Vec<Value>>(
                answers,
                P,
                list_url,
                "centres",
                "pharmacy-with-slots list",
            )?
            else {
                return Ok(records);
            };
            for (i, item) in list.iter().enumerate() {
                let id = match item {
                    Value::String(s) => s.clone(),
                    other => match other.get("id") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => continue,
                    },
                };
                let details =
                    Request::get(bimedoc_details_url(&id, self.start, self.days), "cabinets");
                let Some(ex) = answers.take_ok(P, details)? else {
                    continue;
                };
                let p = bimedoc::parse_pharmacy(&ex.body)?;
                if let Some(c) = bimedoc::centre(&p, None) {
                    let gid = format!("bimedoc{}", c.provenance.platform_id);
                    records.push(record_from_centre(&c, Some(gid), Some(i as u64 + 1)));
                }
            }
            Ok(records)
        })
    }
}

/// The Maiia categories crawled (`speciality.shortName`).
pub use crate::platforms::maiia::{
    CATEGORIES as MAIIA_CATEGORIES, DIRECTORY_PAGE_SIZE as MAIIA_PAGE_SIZE,
    directory_url as maiia_directory_url,
};

/// The record of one Maiia directory item: `type == "CENTER"`, not the reference's skipped
/// id, at least one reason not excluded (the reference's count of (keyword, reason) substring
/// hits compared with the number of reasons, so a centre without reasons is skipped too), no
/// child centres.
pub fn maiia_record(item: &Value, line: u64) -> Option<CentreRecord> {
    const EXCLUDED: [&str; 6] = [
        "test",
        "antigenique",
        "antigénique",
        "pcr",
        "antigrippale",
        "grippe",
    ];
    if item.get("type").and_then(Value::as_str) != Some("CENTER") {
        return None;
    }
    if item.get("id").and_then(Value::as_str) == Some("603e4fae8c512e753fc49ba1") {
        return None;
    }
    let reasons: Vec<String> = item
        .get("consultationReasons")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("name")?.as_str().map(str::to_lowercase))
        .collect();
    let hits = reasons
        .iter()
        .map(|r| EXCLUDED.iter().filter(|e| r.contains(*e)).count())
        .sum::<usize>();
    if hits == reasons.len() {
        return None;
    }
    let center = item.get("center")?;
    if center
        .get("childCenters")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
    {
        return None;
    }
    let id = center.get("id")?.as_str()?;
    let name = center.get("name")?.as_str()?.to_string();
    let url = item
        .get("url")
        .or_else(|| center.get("url"))
        .and_then(Value::as_str)?;
    let addr = center.pointer("/publicInformation/address");
    let a = |k: &str| {
        addr.and_then(|x| x.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let xy = |v: Option<&Value>| {
        Some(Coordinates {
            longitude: v?.get("x")?.as_f64()?,
            latitude: v?.get("y")?.as_f64()?,
        })
    };
    let coordinates = xy(addr.and_then(|x| x.get("location")))
        .or_else(|| xy(addr.and_then(|x| x.pointer("/locality/location"))));
    let office = center.pointer("/publicInformation/officeInformation");
    // `MONDAY` … `SUNDAY`.
    let opening_hours = weekly_hours(
        |day| {
            let key = format!("{day:?}").to_uppercase();
            office.and_then(|o| o.pointer(&format!("/openingSchedules/{key}/schedules")))
        },
        ("startTime", "endTime"),
    );
    let insee = a("inseeCode");
    let postcode = a("zipCode");
    let gid: String = id.chars().take(8).collect();
    Some(CentreRecord {
        source: CentreSource {
            document: "maiia directory".into(),
            line: Some(line),
            id: Some(id.to_string()),
        },
        gid: Some(gid),
        name,
        booking_url: Some(format!("https://www.maiia.com{url}?centerid={id}")),
        platform: Some(Platform::Maiia),
        platform_id: Some(id.to_string()),
        address: a("fullAddress"),
        department: insee
            .as_deref()
            .and_then(crate::centres::department_of_insee)
            .or_else(|| postcode.as_deref().and_then(department_of_postcode)),
        insee,
        postcode,
        city: a("city"),
        coordinates,
        kind: if url.contains("pharmacie") {
            CentreType::Pharmacy
        } else {
            CentreType::VaccinationCentre
        },
        phone: office
            .and_then(|o| o.get("phoneNumber"))
            .and_then(Value::as_str)
            .and_then(phone_e164),
        opening_hours,
        atlas_gid: None,
        platform_data: None,
    })
}

/// Maiia: the directory of each category ([`MAIIA_CATEGORIES`]), pages of 50 until an empty
/// or short page (at most [`crate::platforms::maiia::MAX_PAGES`]); a root centre listed in
/// several categories is kept once (the reference kept one row per category).
#[derive(Debug, Clone, Copy, Default)]
pub struct MaiiaDiscovery;

impl Discovery for MaiiaDiscovery {
    fn platform(&self) -> Platform {
        Platform::Maiia
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        const P: Platform = Platform::Maiia;
        step_with(exchanges, |answers| {
            let mut records: Vec<CentreRecord> = Vec::new();
            let mut line = 0;
            for category in MAIIA_CATEGORIES {
                for page in 0..crate::platforms::maiia::MAX_PAGES {
                    let url = maiia_directory_url(category, page);
                    let Some(v) = get_json::<Value>(answers, P, url, "centres", "hcd directory")?
                    else {
                        break;
                    };
                    let items = v.get("items").and_then(Value::as_array);
                    let n = items.map_or(0, Vec::len);
                    for item in items.into_iter().flatten() {
                        line += 1;
                        if let Some(r) = maiia_record(item, line)
                            && !records.iter().any(|x| x.platform_id == r.platform_id)
                        {
                            records.push(r);
                        }
                    }
                    if n < MAIIA_PAGE_SIZE {
                        break;
                    }
                }
            }
            Ok(records)
        })
    }
}

/// The Doctolib department page URL (`http`, as the reference).
pub fn doctolib_department_url(department: &str, page: u32) -> String {
    format!("http://partners.doctolib.fr/vaccination-covid-19/{department}.json?page={page}")
}

/// The Doctolib centres of one booking document (`data` object) listed under `link` with
/// the name `name`: one per place, `rdv_site_web =
/// https://www.doctolib.fr/vaccination-covid-19/{link without its first segment}?pid={place}`,
/// `gid = "d" + profile id`, the booking stored as `platform_data`. Centres whose booking
/// lists reference motive ids, none of them configured, are dropped.
pub fn doctolib_records(data: &Value, link: &str, name: &str, line: u64) -> Vec<CentreRecord> {
    let configured = data
        .get("visit_motives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("ref_visit_motive_id").and_then(Value::as_i64))
        .collect::<Vec<_>>();
    if !configured.is_empty()
        && !configured
            .iter()
            .any(|id| crate::platforms::doctolib::motive_dose_vaccine(*id).is_some())
    {
        return Vec::new();
    }
    let profile = match data.pointer("/profile/id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return Vec::new(),
    };
    let tail = link
        .trim_start_matches('/')
        .split_once('/')
        .map_or("", |(_, t)| t);
    let lower = format!("{link} {name}").to_lowercase();
    let kind = if lower.contains("pharmacie") {
        CentreType::Pharmacy
    } else if lower.contains("medecin") {
        CentreType::GeneralPractitioner
    } else {
        CentreType::VaccinationCentre
    };
    let mut out = Vec::new();
    for place in data
        .get("places")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(pid) = place.get("id").and_then(Value::as_str) else {
            continue;
        };
        let s = |k: &str| place.get(k).and_then(Value::as_str).map(str::to_string);
        let coordinates = (|| {
            Some(Coordinates {
                longitude: place.get("longitude")?.as_f64()?,
                latitude: place.get("latitude")?.as_f64()?,
            })
        })();
        // Days 0 and 7 are both Sunday: the later entry wins, as in the reference.
        let mut opening_hours: Vec<OpeningHours> = Vec::new();
        let days: Vec<OpeningHours> = place
            .get("opening_hours")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|d| d.get("enabled").and_then(Value::as_bool) == Some(true))
            .filter_map(|d| {
                let n = d.get("day")?.as_i64()?;
                let day = if n == 0 { 7 } else { n };
                Some(OpeningHours {
                    day: Weekday::from_monday_one_offset(i8::try_from(day).ok()?).ok()?,
                    ranges: d
                        .get("ranges")?
                        .as_array()?
                        .iter()
                        .filter_map(|r| {
                            Some(format!("{}-{}", r.get(0)?.as_str()?, r.get(1)?.as_str()?))
                        })
                        .collect(),
                })
            })
            .collect();
        for d in days {
            opening_hours.retain(|h| h.day != d.day);
            opening_hours.push(d);
        }
        let postcode = s("zipcode");
        let gid = format!("d{profile}");
        out.push(CentreRecord {
            source: CentreSource {
                document: "doctolib booking".into(),
                line: Some(line),
                id: Some(format!("{gid}:{pid}")),
            },
            gid: Some(gid),
            name: name.to_string(),
            booking_url: Some(format!(
                "https://www.doctolib.fr/vaccination-covid-19/{tail}?pid={pid}"
            )),
            platform: Some(Platform::Doctolib),
            platform_id: None,
            address: s("full_address"),
            insee: None,
            department: postcode.as_deref().and_then(department_of_postcode),
            postcode,
            city: s("city"),
            coordinates,
            kind,
            phone: s("landline_number")
                .or_else(|| s("phone_number"))
                .and_then(|p| phone_e164(&p)),
            opening_hours,
            atlas_gid: None,
            platform_data: Some(data.clone()),
        });
    }
    out
}

/// Doctolib: per department slug, the department pages (`data.doctors[]`) until an empty
/// page, a doctor with `exact_match == false`, or a page without any new link; one
/// `GET /booking/{slug}.json` per new link; centres de-duplicated by booking URL.
#[derive(Debug, Clone, Default)]
pub struct DoctolibDiscovery {
    pub departments: Vec<String>,
}

impl Discovery for DoctolibDiscovery {
    fn platform(&self) -> Platform {
        Platform::Doctolib
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        const P: Platform = Platform::Doctolib;
        step_with(exchanges, |answers| {
            let mut records: Vec<CentreRecord> = Vec::new();
            let mut links: Vec<String> = Vec::new();
            let mut line = 0;
            for dep in &self.departments {
                let mut page = 1;
                while let Some(v) = get_json::<Value>(
                    answers,
                    P,
                    doctolib_department_url(dep, page),
                    "centres",
                    "department page",
                )? {
                    let doctors: Vec<&Value> = v
                        .pointer("/data/doctors")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .collect();
                    let mut new = 0;
                    let mut inexact = false;
                    for d in &doctors {
                        line += 1;
                        if d.get("exact_match").and_then(Value::as_bool) == Some(false) {
                            inexact = true;
                            break;
                        }
                        let (Some(link), Some(name)) = (
                            d.get("link").and_then(Value::as_str),
                            d.get("name_with_title").and_then(Value::as_str),
                        ) else {
                            continue;
                        };
                        if links.iter().any(|l| l == link) {
                            continue;
                        }
                        links.push(link.to_string());
                        new += 1;
                        let Some(slug) = crate::platforms::doctolib::centre_slug(link) else {
                            continue;
                        };
                        let url = crate::platforms::doctolib::booking_url(&slug);
                        let Some(b) = get_json::<Value>(answers, P, url, "booking", "booking")?
                        else {
                            continue;
                        };
                        let data = b.get("data").unwrap_or(&b);
                        for r in doctolib_records(data, link, name, line) {
                            if !records.iter().any(|x| x.booking_url == r.booking_url) {
                                records.push(r);
                            }
                        }
                    }
                    if doctors.is_empty() || inexact || new == 0 {
                        break;
                    }
                    page += 1;
                }
            }
            Ok(records)
        })
    }
}

/// The Keldoc specialties searched by default.
pub const KELDOC_SPECIALTIES: [&str; 3] = [
    "maladies-infectieuses",
    "vaccination-covid-19",
    "vaccination-covid19",
];

pub use crate::platforms::keldoc::{
    motives_url as keldoc_motives_url, resource_url as keldoc_resource_url,
    search_url as keldoc_search_url,
};

/// Keldoc: for each department slug (`ain`, `rhin-bas`, … as the caller gives them) and
/// specialty, the geographic search pages while `options.next_page`; for each new cabinet the
/// resource (clinic id) and its motive categories, stored as `platform_data` (what the Keldoc
/// connector needs). `gid` = `{clinic}pid{cabinet}`; coordinates from the `"lat,lng"` string.
/// The phone lookup (`/cabinets/{id}/details`) is not made.
#[derive(Debug, Clone, Default)]
pub struct KeldocDiscovery {
    pub departments: Vec<String>,
    pub specialties: Vec<String>,
}

impl Discovery for KeldocDiscovery {
    fn platform(&self) -> Platform {
        Platform::Keldoc
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        const P: Platform = Platform::Keldoc;
        step_with(exchanges, |answers| {
            let mut records: Vec<CentreRecord> = Vec::new();
            let mut seen: Vec<i64> = Vec::new();
            let mut line = 0;
            for dep in &self.departments {
                for spec in &self.specialties {
                    let mut page = 1;
                    while let Some(v) = get_json::<Value>(
                        answers,
                        P,
                        keldoc_search_url(spec, dep, page),
                        "centres",
                        "geo_location",
                    )? {
                        let sections = v.get("results").and_then(Value::as_object);
                        for item in sections
                            .into_iter()
                            .flat_map(|m| m.values())
                            .filter_map(|sec| sec.get("data").and_then(Value::as_array))
                            .flatten()
                        {
                            line += 1;
                            let (Some(id), Some(path)) = (
                                item.get("id").and_then(Value::as_i64),
                                item.get("url").and_then(Value::as_str),
                            ) else {
                                continue;
                            };
                            if seen.contains(&id) {
                                continue;
                            }
                            seen.push(id);
                            let specialty = item
                                .pointer("/agenda/specialty_id")
                                .and_then(Value::as_i64)
                                .unwrap_or(144);
                            let Some(url) = keldoc_resource_url(path) else {
                                continue;
                            };
                            let Some(res) =
                                get_json::<Value>(answers, P, url, "cabinets", "resource")?
                            else {
                                continue;
                            };
                            let Some(clinic) = res.get("id").and_then(Value::as_i64) else {
                                continue;
                            };
                            let url = keldoc_motives_url(clinic, specialty, id);
                            let Some(booking) =
                                get_json::<Value>(answers, P, url, "motives", "motive_categories")?
                            else {
                                continue;
                            };
                            records.push(keldoc_record(
                                item, clinic, id, specialty, path, booking, line,
                            ));
                        }
                        if v.pointer("/options/next_page").and_then(Value::as_bool) != Some(true)
                            || page >= MAX_DIRECTORY_PAGES
                        {
                            break;
                        }
                        page += 1;
                    }
                }
            }
            Ok(records)
        })
    }
}

fn keldoc_record(
    item: &Value,
    clinic: i64,
    cabinet: i64,
    specialty: i64,
    path: &str,
    booking: Value,
    line: u64,
) -> CentreRecord {
    let s = |p: &str| item.pointer(p).and_then(Value::as_str).map(str::to_string);
    let coordinates = s("/coordinates").and_then(|c| {
        let (lat, lng) = c.split_once(',')?;
        Some(Coordinates {
            latitude: lat.trim().parse().ok()?,
            longitude: lng.trim().parse().ok()?,
        })
    });
    let postcode = s("/cabinet/zipcode");
    let gid = format!("{clinic}pid{cabinet}");
    CentreRecord {
        source: CentreSource {
            document: "keldoc geo_location".into(),
            line: Some(line),
            id: Some(gid.clone()),
        },
        gid: Some(gid),
        name: s("/title").unwrap_or_default(),
        booking_url: Some(format!(
            "https://keldoc.com{path}?cabinet={cabinet}&specialty={specialty}"
        )),
        platform: Some(Platform::Keldoc),
        platform_id: Some(cabinet.to_string()),
        address: s("/cabinet/location"),
        insee: None,
        department: postcode.as_deref().and_then(department_of_postcode),
        postcode,
        city: s("/cabinet/city"),
        coordinates,
        kind: CentreType::VaccinationCentre,
        phone: None,
        opening_hours: Vec::new(),
        atlas_gid: None,
        platform_data: Some(booking),
    }
}

/// A discovery whose requests go to configured origins (see [`ConnectorConfig`]).
#[derive(Debug, Clone)]
pub struct RebasedDiscovery<D> {
    inner: D,
    base: Option<String>,
}

impl<D: Discovery> RebasedDiscovery<D> {
    /// Wraps `inner` with the origins of `config` (for flows built directly, e.g.
    /// [`KeldocDiscovery`]).
    pub fn new(inner: D, config: &ConnectorConfig) -> Self {
        let base = config.base_urls.get(&inner.platform()).cloned();
        RebasedDiscovery { inner, base }
    }
}

impl<D: Discovery> Discovery for RebasedDiscovery<D> {
    fn platform(&self) -> Platform {
        self.inner.platform()
    }

    fn step(&self, exchanges: &[Exchange]) -> Result<DiscoveryStep, SlotError> {
        let Some(base) = &self.base else {
            return self.inner.step(exchanges);
        };
        let rebasing = Rebasing::new(self.inner.platform(), base);
        Ok(match self.inner.step(&rebasing.restore_all(exchanges))? {
            DiscoveryStep::Send(reqs) => DiscoveryStep::Send(rebasing.rebase(reqs)),
            done => done,
        })
    }
}

/// The discovery flow of `platform`, if implemented (Ordoclic, AvecMonDoc, Mapharma,
/// mesoigner, Bimedoc, Maiia), sending its requests to the origins of `config`; `today` and `days`
/// bound the Bimedoc query.
pub fn discovery(
    platform: Platform,
    config: &ConnectorConfig,
    today: Date,
    days: u16,
) -> Option<Box<dyn Discovery + Send + Sync>> {
    fn wrap<D: Discovery + Send + Sync + 'static>(
        d: D,
        config: &ConnectorConfig,
    ) -> Box<dyn Discovery + Send + Sync> {
        Box::new(RebasedDiscovery::new(d, config))
    }
    match platform {
        Platform::Ordoclic => Some(wrap(OrdoclicDiscovery, config)),
        Platform::AvecMonDoc => Some(wrap(AvecMonDocDiscovery, config)),
        Platform::Mapharma => Some(wrap(MapharmaDiscovery, config)),
        Platform::Mesoigner => Some(wrap(MesoignerDiscovery, config)),
        Platform::Bimedoc => Some(wrap(BimedocDiscovery { start: today, days }, config)),
        Platform::Maiia => Some(wrap(MaiiaDiscovery, config)),
        _ => None,
    }
}
