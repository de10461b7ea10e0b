//! Replayable scan workloads for `bench/scan/run.sh` (see bench/scan/README.md).
//!
//! ```text
//! scan_workloads generate WORKLOAD DIR --now ISO-8601   # doctolib | maiia | national
//! scan_workloads baseline DIR [--runs N]                # the typed parse functions alone
//! scan_workloads summary DIR OUT                        # checks and counts of a `vigie scan` OUT
//! ```
//!
//! `generate` writes `DIR/centres.json` (a JSON list of centre dicts, the format `vigie scan
//! --centres` reads), then runs the real scanner over those centres with an in-memory
//! responder that answers every request from the real recorded platform answers of the
//! shared data and records each exchange into `DIR/recording/` ([`Recorder`]): the recording
//! holds exactly the requests the flows make. `DIR/workload.json` keeps what that scan found,
//! for `summary` to compare the replayed scan with.
//!
//! `baseline` reads every recorded answer and times only the platform's typed parse functions
//! on them (`maiia::parse_availabilities`, `doctolib::parse_availabilities`, …), no runner,
//! no flow, no replay, one thread.
//!
//! The shared data is found through `VIGIE_SHARED_DATA` or `../shared/data` beside the
//! repository; without it the program prints why and exits with status 2.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use vigie_scan::recording::Recorder;
use vigie_scan::{CentreTarget, Connectors, HttpClient, ScanConfig, ScanRun, Scanner};
use vigie_slots::platforms::{
    avecmondoc, bimedoc, doctolib, keldoc, maiia, mapharma, mesoigner, ordoclic, valwin,
};
use vigie_slots::{Dose, Method, Platform, Request, ScanOutcome, ScanTarget, Vaccine};

type Res<T> = Result<T, Box<dyn Error>>;

/// Horizon of every workload (the default of `vigie scan`, passed explicitly by run.sh).
const DAYS: u16 = 11;

/// Exit status when the shared data is absent.
const SKIPPED: u8 = 2;

fn usage() -> String {
    "usage: scan_workloads generate doctolib|maiia|national DIR --now ISO-8601\n       \
     scan_workloads baseline DIR [--runs N]\n       scan_workloads summary DIR OUT"
        .to_string()
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scan_workloads: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Res<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| -> Option<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("generate") => {
            let (Some(workload), Some(dir), Some(now)) = (args.get(1), args.get(2), flag("--now"))
            else {
                return Err(usage().into());
            };
            let Some(data) = shared_data() else {
                return Ok(ExitCode::from(SKIPPED));
            };
            generate(workload, Path::new(dir), &now, &data)?;
        }
        Some("baseline") => {
            let Some(dir) = args.get(1) else {
                return Err(usage().into());
            };
            let runs: usize = flag("--runs").map(|r| r.parse()).transpose()?.unwrap_or(3);
            baseline(Path::new(dir), runs.max(1))?;
        }
        Some("summary") => {
            let (Some(dir), Some(out)) = (args.get(1), args.get(2)) else {
                return Err(usage().into());
            };
            summary(Path::new(dir), Path::new(out))?;
        }
        _ => return Err(usage().into()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The shared data directory (`VIGIE_SHARED_DATA`, else `../shared/data` beside the
/// repository), or `None` after printing why.
fn shared_data() -> Option<PathBuf> {
    let dir = vigie_testkit::shared_data();
    if dir.is_none() {
        eprintln!(
            "skipped: shared data not found (set VIGIE_SHARED_DATA or place ../shared/data beside the repository)"
        );
    }
    dir
}

// ------------------------------------------------------------------------------------------
// Workloads

/// What a workload holds.
#[derive(Debug, Clone)]
struct Spec {
    name: String,
    /// Centres per platform, in this order.
    mix: Vec<(Platform, usize)>,
    /// Every n-th Maiia centre gets the real 798-slot page for each of its 9 reasons (the
    /// others an empty page, then the real `availability-closests` answer).
    maiia_full_every: usize,
    /// Every n-th Doctolib centre gets a big availabilities page (none when `None`).
    doctolib_big_every: Option<usize>,
}

impl Spec {
    fn of(name: &str) -> Res<Spec> {
        use Platform::*;
        let (mix, maiia_full_every, doctolib_big_every) = match name {
            "doctolib" => (vec![(Doctolib, 10_000)], 1, None),
            "maiia" => (vec![(Maiia, 50)], 1, None),
            // ViteMaDose's national scale (mid-2021 centre lists), about 6,000 centres.
            "national" => (
                vec![
                    (Doctolib, 2_400),
                    (Mapharma, 1_000),
                    (Mesoigner, 700),
                    (Bimedoc, 500),
                    (Valwin, 400),
                    (Ordoclic, 400),
                    (Keldoc, 300),
                    (AvecMonDoc, 200),
                    (Maiia, 100),
                ],
                5,
                Some(10),
            ),
            other => return Err(format!("unknown workload {other:?}\n{}", usage()).into()),
        };
        Ok(Spec {
            name: name.to_string(),
            mix,
            maiia_full_every,
            doctolib_big_every,
        })
    }
}

/// Metropolitan departments and the overseas ones whose date equals Paris' at the pinned
/// clock (the Pacific collectivities are left out: their date may differ from Paris').
const DEPARTMENTS: &[&str] = &[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "2A", "2B", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63",
    "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79",
    "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95",
    "971", "972", "973", "974", "976",
];

/// Where centre number `g` of a workload is.
struct Place {
    dep: &'static str,
    insee: String,
    postcode: String,
    city: String,
    address: String,
    lat: f64,
    lon: f64,
}

fn place(g: usize) -> Place {
    let dep = DEPARTMENTS[g % DEPARTMENTS.len()];
    let n = g / DEPARTMENTS.len();
    let (insee, postcode) = match dep {
        "2A" => (format!("2A{:03}", 1 + n % 300), "20000".to_string()),
        "2B" => (format!("2B{:03}", 1 + n % 300), "20200".to_string()),
        d if d.len() == 3 => (format!("{d}{:02}", 1 + n % 30), format!("{d}{:02}", n % 10)),
        d => (
            format!("{d}{:03}", 1 + n % 600),
            format!("{d}{:03}", (n % 10) * 10),
        ),
    };
    let city = format!("Commune {insee}");
    let address = format!("{} rue de la République, {postcode} {city}", 1 + n % 120);
    Place {
        dep,
        lat: 42.5 + ((g * 37) % 850) as f64 / 100.0,
        lon: -4.5 + ((g * 53) % 1250) as f64 / 100.0,
        insee,
        postcode,
        city,
        address,
    }
}

// Per-centre identifiers (centre `i` of its platform), decoded back by the responder.
const DOCTOLIB_PRACTICE: i64 = 100_000;
const DOCTOLIB_MOTIVE: i64 = 2_000_000;
const DOCTOLIB_AGENDA: i64 = 3_000_000;
const DOCTOLIB_PROFILE: i64 = 4_000_000;
const KELDOC_MOTIVE_FACTOR: i64 = 100_000;
const AVECMONDOC_ORG: i64 = 100_000;

fn maiia_centre_id(i: usize) -> String {
    format!("5ffc744c68de{i:012x}")
}

fn ordoclic_entity(i: usize) -> String {
    format!("03674d71-b200-4682-8e0a-{i:012x}")
}

fn hex_suffix(s: &str, digits: usize) -> Option<usize> {
    let tail = s.get(s.len().checked_sub(digits)?..)?;
    usize::from_str_radix(tail, 16).ok()
}

fn trailing_index(s: &str) -> Option<usize> {
    s.rsplit('-').next()?.parse().ok()
}

/// One centre: its dict in the centre list and the scan target `vigie scan` derives from it
/// (`CentreRecord::scan_target`: cleaned booking URL, platform id, department from the
/// INSEE code, address, `booking` as platform data).
struct Centre {
    dict: Value,
    target: CentreTarget,
}

fn centre(p: Platform, i: usize, g: usize, start: Date, tpl: &Templates) -> Res<Centre> {
    let at = place(g);
    let dep_slug = at.dep.to_lowercase();
    let mut platform_is = None;
    let mut booking = None;
    let mut kind = "vaccination-center";
    let (name, url, gid, platform_id) = match p {
        Platform::Doctolib => {
            let slug = format!("centre-de-vaccination-{dep_slug}-{i}");
            let url = format!(
                "https://partners.doctolib.fr/centre-de-sante/ville-{dep_slug}/{slug}?pid=practice-{}",
                DOCTOLIB_PRACTICE + i as i64
            );
            let gid = format!("d{}", DOCTOLIB_PROFILE + i as i64);
            (
                format!("Centre de vaccination {} n°{i}", at.city),
                url,
                gid,
                slug,
            )
        }
        Platform::Keldoc => {
            let cabinet = 20_000 + i;
            let url = format!(
                "https://vaccination-covid.keldoc.com/centre-hospitalier/ville-{}/centre-de-vaccination-{i}?cabinet={cabinet}&specialty=144",
                at.postcode
            );
            booking = Some(keldoc_categories(&tpl.keldoc_categories, i)?);
            let gid = format!("{}pid{cabinet}", 3_000 + i);
            (
                format!("Centre hospitalier {} n°{i}", at.city),
                url,
                gid,
                String::new(),
            )
        }
        Platform::Maiia => {
            let id = maiia_centre_id(i);
            let url = format!(
                "https://www.maiia.com/centre-de-vaccination/{}-ville/centre-de-vaccination-{i}?centerid={id}",
                at.postcode
            );
            (
                format!("Centre de vaccination Maiia {i}"),
                url,
                id.clone(),
                id,
            )
        }
        Platform::Mapharma => {
            kind = "drugstore";
            let c = 10_000 + i;
            let url = format!("https://mapharma.net/{}-{i}?c={c}&l=1", at.postcode);
            let mut campaign = tpl.mapharma_campaign.clone();
            put(&mut campaign, "id_campagne", json!(c))?;
            put(&mut campaign, "url", json!(url))?;
            booking = Some(campaign);
            (
                format!("Pharmacie Mapharma {i}"),
                url,
                format!("mapharma{c}"),
                String::new(),
            )
        }
        Platform::Ordoclic => {
            kind = "drugstore";
            let slug = format!("pharmacie-{dep_slug}-{i}");
            let url = format!("https://app.ordoclic.fr/app/pharmacie/{slug}");
            (
                format!("Pharmacie Ordoclic {i}"),
                url,
                format!("ordo{i:04}"),
                slug,
            )
        }
        Platform::AvecMonDoc => {
            let slug = format!("maison-de-sante-{dep_slug}-{i}");
            let url = format!("https://patient.avecmondoc.com/fiche/structure/{slug}");
            let gid = format!("amd{}", AVECMONDOC_ORG + i as i64);
            (format!("Maison de santé {i}"), url, gid, slug)
        }
        Platform::Mesoigner => {
            kind = "drugstore";
            platform_is = Some("mesoigner");
            let id = 5_000 + i;
            let url = format!("https://www.mesoigner.fr/pharmacies/{id}-pharmacie-{i}");
            (
                format!("Pharmacie mesoigner {i}"),
                url,
                format!("mesoigner{id}"),
                id.to_string(),
            )
        }
        Platform::Bimedoc => {
            kind = "drugstore";
            platform_is = Some("bimedoc");
            let id = format!("{i:08x}-5e1f-4c0a-9d3b-{i:012x}");
            let url = bimedoc::booking_url(&id);
            (
                format!("Pharmacie Bimedoc {i}"),
                url,
                format!("bimedoc{id}"),
                id,
            )
        }
        Platform::Valwin => {
            kind = "drugstore";
            platform_is = Some("Valwin");
            let id = format!("{i:08x}-050d-4885-97db-{i:012x}");
            let url = format!("https://pharmacie-{i}.epharmacie.pro");
            (format!("Pharmacie Valwin {i}"), url, id.clone(), id)
        }
    };
    let mut dict = json!({
        "gid": gid,
        "nom": name,
        "rdv_site_web": url,
        "com_insee": at.insee,
        "com_cp": at.postcode,
        "com_nom": at.city,
        "address": at.address,
        "lat_coor1": at.lat,
        "long_coor1": at.lon,
        "type": kind,
    });
    if let Some(name) = platform_is {
        dict["platform_is"] = json!(name);
    }
    if let Some(b) = &booking {
        dict["booking"] = b.clone();
    }
    let centre_key = match p {
        Platform::Keldoc | Platform::Mapharma => gid,
        _ => platform_id.clone(),
    };
    Ok(Centre {
        dict,
        target: CentreTarget {
            centre_id: format!("{}:{centre_key}", p.slug()),
            platform: p,
            target: ScanTarget {
                booking_url: url,
                platform_id,
                department: Some(at.dep.to_string()),
                address: Some(at.address),
                start,
                days: DAYS,
                platform_data: booking,
            },
        },
    })
}

// ------------------------------------------------------------------------------------------
// Templates: the real recorded answers (shared data), dates moved into the scan's horizon

/// Moves every `YYYY-MM-DD` date of `bytes` by `days` days (whole weeks keep the weekdays;
/// every template lies between April and September 2021, so the +02:00 offsets stay right).
/// Sets `key` of the JSON object `v` (a template that is not an object is an error).
fn put(v: &mut Value, key: &str, value: Value) -> Res<()> {
    v.as_object_mut()
        .ok_or_else(|| format!("template: not an object where {key:?} is set"))?
        .insert(key.to_string(), value);
    Ok(())
}

fn shift_dates(bytes: &[u8], days: i64) -> Vec<u8> {
    if days == 0 {
        return bytes.to_vec();
    }
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let shape = (0..10).all(|k| {
            if k == 4 || k == 7 {
                bytes.get(i + k) == Some(&b'-')
            } else {
                digit(i + k)
            }
        });
        if shape
            && (i == 0 || !digit(i - 1))
            && !digit(i + 10)
            && let Some(text) = bytes
                .get(i..i + 10)
                .and_then(|b| std::str::from_utf8(b).ok())
            && let Ok(date) = text.parse::<Date>()
            && let Ok(moved) = date.checked_add(jiff::Span::new().days(days))
        {
            out.extend_from_slice(moved.to_string().as_bytes());
            i += 10;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

struct Templates {
    doctolib_booking: Value,
    doctolib_availabilities: Vec<u8>,
    doctolib_big: Vec<u8>,
    keldoc_categories: Value,
    keldoc_slots: Vec<u8>,
    keldoc_hint: Vec<u8>,
    maiia_reasons: Vec<u8>,
    maiia_availabilities: Vec<u8>,
    maiia_last_page: Vec<u8>,
    maiia_empty: Vec<u8>,
    maiia_closest: Vec<u8>,
    mapharma_campaign: Value,
    mapharma_calendar: Vec<u8>,
    ordoclic_profile: Value,
    ordoclic_reasons: Vec<u8>,
    ordoclic_slots: [Vec<u8>; 2],
    avecmondoc_organization: Value,
    avecmondoc_weeks: [Vec<u8>; 2],
    mesoigner_slots: Vec<u8>,
    bimedoc_slots: Vec<u8>,
    valwin_slots: Vec<u8>,
}

/// The 9 scannable reasons of the Maiia workload: the real reasons page, renamed so that
/// each of the first nine is a distinct (dose, vaccine), and the tenth an excluded test.
fn maiia_reasons(real: &[u8]) -> Res<Vec<u8>> {
    let mut page: Value = serde_json::from_slice(real)?;
    let items = page
        .get_mut("items")
        .and_then(Value::as_array_mut)
        .ok_or("maiia/consultation-reason-hcd.json: no items")?;
    let renamed: [(&str, &str); 10] = [
        (
            "FIRST",
            "Première injection vaccin anti covid-19 Pfizer (personnes +18 ans)",
        ),
        (
            "FIRST",
            "Première injection vaccin anti covid-19 Moderna (personnes +18 ans)",
        ),
        (
            "FIRST",
            "Première injection vaccin anti covid-19 AstraZeneca (personnes +60 ans)",
        ),
        (
            "FIRST",
            "Injection unique vaccin anti covid-19 Janssen (personnes +60 ans)",
        ),
        ("SECOND", "Deuxième injection vaccin anti covid-19 Pfizer"),
        ("SECOND", "Deuxième injection vaccin anti covid-19 Moderna"),
        (
            "SECOND",
            "Deuxième injection vaccin anti covid-19 AstraZeneca",
        ),
        ("BOOSTER", "Rappel vaccin anti covid-19 Pfizer"),
        ("BOOSTER", "Rappel vaccin anti covid-19 Moderna"),
        ("NONE", "Test antigénique covid-19"),
    ];
    if items.len() < renamed.len() {
        return Err("maiia/consultation-reason-hcd.json: fewer than 10 reasons".into());
    }
    items.truncate(renamed.len());
    for (item, (injection, name)) in items.iter_mut().zip(renamed) {
        put(item, "name", json!(name))?;
        put(item, "injectionType", json!(injection))?;
    }
    put(&mut page, "total", json!(renamed.len()))?;
    let bytes = serde_json::to_vec(&page)?;
    let scannable = maiia::parse_reasons(&bytes)?;
    if maiia::scannable(&scannable).len() != 9 {
        return Err("the derived Maiia reasons do not give 9 scannable reasons".into());
    }
    Ok(bytes)
}

/// A Doctolib availabilities page in the recorded shape, 14 days of 5-minute slots from
/// 09:00 to 17:55 (1,512 slots, about 71 KB: stored as a response file).
fn doctolib_big(start: Date) -> Res<Vec<u8>> {
    let mut days = Vec::new();
    let mut total = 0;
    for d in 0..14 {
        let date = start.checked_add(jiff::Span::new().days(d))?;
        let mut slots = Vec::new();
        for k in 0..108 {
            let (h, m) = (9 + k / 12, (k % 12) * 5);
            slots.push(json!({ "start_date": format!("{date}T{h:02}:{m:02}:00.000+02:00") }));
        }
        total += slots.len();
        days.push(json!({ "date": date.to_string(), "slots": slots }));
    }
    Ok(serde_json::to_vec(
        &json!({ "total": total, "availabilities": days }),
    )?)
}

fn keldoc_categories(template: &Value, i: usize) -> Res<Value> {
    let mut cats = template.clone();
    for cat in cats.as_array_mut().ok_or("keldoc categories: not a list")? {
        for m in cat
            .get_mut("motives")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let id = m
                .get("id")
                .and_then(Value::as_i64)
                .ok_or("keldoc motive without id")?;
            put(m, "id", json!(id * KELDOC_MOTIVE_FACTOR + i as i64))?;
        }
    }
    Ok(cats)
}

impl Templates {
    fn load(data: &Path, start: Date) -> Res<Templates> {
        let dir = data.join("slots/recorded-responses");
        let read = |p: &str| -> Res<Vec<u8>> {
            fs::read(dir.join(p)).map_err(|e| format!("{}: {e}", dir.join(p).display()).into())
        };
        let json = |p: &str| -> Res<Value> { Ok(serde_json::from_slice(&read(p)?)?) };
        // The one Keldoc timetable with slots of the shared data: the reference's
        // `synthetic_timetable` fixture (expected/keldoc_parse_availability.json).
        let keldoc_case: Value = serde_json::from_slice(
            &fs::read(data.join("slots/expected/keldoc_parse_availability.json"))
                .map_err(|e| format!("expected/keldoc_parse_availability.json: {e}"))?,
        )?;
        let keldoc_slots = serde_json::to_vec(
            keldoc_case
                .pointer("/inputs/synthetic_timetable")
                .ok_or("keldoc_parse_availability.json: no synthetic_timetable")?,
        )?;
        let open_data = json("mapharma/mapharma_open_data.json")?;
        let mapharma_campaign = open_data
            .pointer("/data/0/campagnes/0")
            .cloned()
            .ok_or("mapharma_open_data.json: no campaign")?;
        Ok(Templates {
            doctolib_booking: json("doctolib/basic-booking.json")?,
            doctolib_availabilities: shift_dates(&read("doctolib/basic-availabilities.json")?, 35),
            doctolib_big: doctolib_big(start)?,
            keldoc_categories: json("keldoc/center1-cabinet-16913.json")?,
            keldoc_slots: shift_dates(&keldoc_slots, 28),
            keldoc_hint: shift_dates(&read("keldoc/center1-timetable-81484.json")?, 28),
            maiia_reasons: maiia_reasons(&read("maiia/consultation-reason-hcd.json")?)?,
            maiia_availabilities: read("maiia/availabilities.json")?,
            maiia_last_page: br#"{"items":[],"total":798}"#.to_vec(),
            maiia_empty: br#"{"items":[],"total":0}"#.to_vec(),
            maiia_closest: read("maiia/availability-closests.json")?,
            mapharma_campaign,
            mapharma_calendar: shift_dates(&read("mapharma/slots.json")?, 28),
            ordoclic_profile: json("ordoclic/fetchslot-profile.json")?,
            ordoclic_reasons: read("ordoclic/fetchslot-reasons.json")?,
            ordoclic_slots: [
                shift_dates(&read("ordoclic/fetchslot-slots.json")?, 7),
                shift_dates(&read("ordoclic/full_slots.json")?, 28),
            ],
            avecmondoc_organization: json("avecmondoc/get_organization_slug.json")?,
            avecmondoc_weeks: [
                shift_dates(&read("avecmondoc/get_availabilities_week1.json")?, -7),
                shift_dates(&read("avecmondoc/get_availabilities_week2.json")?, -7),
            ],
            mesoigner_slots: shift_dates(&read("mesoigner/slots_available.json")?, -28),
            bimedoc_slots: shift_dates(&read("bimedoc/slots_available.json")?, -91),
            valwin_slots: shift_dates(&read("valwin/slots_available.json")?, -126),
        })
    }
}

// ------------------------------------------------------------------------------------------
// The responder: a template per platform and URL pattern, every exchange recorded

struct Responder {
    tpl: Templates,
    spec: Spec,
    start: Date,
    recorder: Recorder,
    problems: Mutex<Vec<String>>,
}

fn query(u: &url::Url) -> HashMap<String, String> {
    u.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn body_str<'a>(req: &'a Request, key: &str) -> Option<&'a str> {
    req.body.as_ref()?.get(key)?.as_str()
}

impl Responder {
    fn problem(&self, p: String) {
        let mut v = self.problems.lock().unwrap_or_else(|e| e.into_inner());
        if v.len() < 20 {
            v.push(p);
        }
    }

    fn answer(&self, req: &Request) -> (u16, Vec<u8>) {
        let (status, body) = match self.route(req) {
            Ok(Some(body)) => (200, body),
            Ok(None) => {
                self.problem(format!("no template for {} {}", req.method.name(), req.url));
                return (404, Vec::new());
            }
            Err(e) => {
                self.problem(format!("{} {}: {e}", req.method.name(), req.url));
                return (500, Vec::new());
            }
        };
        if let Err(e) = self.recorder.record(req, status, &body) {
            self.problem(format!("recording: {e}"));
        }
        (status, body)
    }

    fn route(&self, req: &Request) -> Res<Option<Vec<u8>>> {
        let u = url::Url::parse(&req.url)?;
        let path = u.path();
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let q = query(&u);
        let t = &self.tpl;
        let get = req.method == Method::Get;
        let body = match (u.host_str().unwrap_or(""), seg.as_slice()) {
            ("partners.doctolib.fr", ["booking", file]) if get => {
                let slug = file.strip_suffix(".json").ok_or("booking without .json")?;
                let i = trailing_index(slug).ok_or("booking slug without index")?;
                Some(serde_json::to_vec(&self.doctolib_booking(i)?)?)
            }
            ("partners.doctolib.fr", ["availabilities.json"]) if get => {
                let motive: i64 = q
                    .get("visit_motive_ids")
                    .ok_or("no visit_motive_ids")?
                    .parse()?;
                let i = usize::try_from(motive - DOCTOLIB_MOTIVE)?;
                Some(match self.spec.doctolib_big_every {
                    Some(n) if i % n == 0 => t.doctolib_big.clone(),
                    _ => t.doctolib_availabilities.clone(),
                })
            }
            ("www.keldoc.com", ["api", "patients", "v2", "timetables", _]) if get => {
                let from = q.get("from").ok_or("no from")?;
                Some(if *from == self.start.to_string() {
                    t.keldoc_slots.clone()
                } else {
                    t.keldoc_hint.clone()
                })
            }
            ("www.maiia.com", ["api", "pat-public", "consultation-reason-hcd"]) if get => {
                Some(t.maiia_reasons.clone())
            }
            ("www.maiia.com", ["api", "pat-public", "availabilities"]) if get => {
                let centre = q.get("centerId").ok_or("no centerId")?;
                let i = hex_suffix(centre, 12).ok_or("centerId without index")?;
                let full = i % self.spec.maiia_full_every.max(1) == 0;
                Some(match (full, q.get("page").map(String::as_str)) {
                    (true, Some("0")) => t.maiia_availabilities.clone(),
                    (true, _) => t.maiia_last_page.clone(),
                    (false, _) => t.maiia_empty.clone(),
                })
            }
            ("www.maiia.com", ["api", "pat-public", "availability-closests"]) if get => {
                Some(t.maiia_closest.clone())
            }
            ("mapharma.net", ["api", "public", "calendar", _, _, _]) if get => {
                Some(t.mapharma_calendar.clone())
            }
            ("api.ordoclic.fr", ["v1", "public", "entities", "profile", slug]) if get => {
                let i = trailing_index(slug).ok_or("profile slug without index")?;
                let mut p = t.ordoclic_profile.clone();
                put(&mut p, "entityId", json!(ordoclic_entity(i)))?;
                put(&mut p, "profileSlug", json!(slug))?;
                Some(serde_json::to_vec(&p)?)
            }
            ("api.ordoclic.fr", ["v1", "solar", "entities", _, "reasons"]) if get => {
                Some(t.ordoclic_reasons.clone())
            }
            ("api.ordoclic.fr", ["v1", "solar", "slots", "availableSlots"]) if !get => {
                let entity = body_str(req, "entityId").ok_or("no entityId")?;
                let i = hex_suffix(entity, 12).ok_or("entityId without index")?;
                Some(t.ordoclic_slots[i % 2].clone())
            }
            ("api.avecmondoc.com", ["api", "Organizations", "slug", slug]) if get => {
                let i = trailing_index(slug).ok_or("organisation slug without index")?;
                let mut o = t.avecmondoc_organization.clone();
                put(&mut o, "id", json!(AVECMONDOC_ORG + i as i64))?;
                put(&mut o, "slug", json!(slug))?;
                Some(serde_json::to_vec(&o)?)
            }
            ("api.avecmondoc.com", ["api", "BusinessHours", "availabilitiesPerDay"]) if !get => {
                let from = body_str(req, "periodStart").ok_or("no periodStart")?;
                let first = from.starts_with(&self.start.to_string());
                Some(t.avecmondoc_weeks[usize::from(!first)].clone())
            }
            ("www.mesoigner.fr", ["api", "v1", "vaccination", "centers", _, _]) if get => {
                Some(t.mesoigner_slots.clone())
            }
            ("server.bimedoc.com", ["vmd", "pharmacy-with-slots", _]) if get => {
                Some(t.bimedoc_slots.clone())
            }
            ("pharma-api.epharmacie.pro", ["global", "api", "meetings", "v2", _, "slots"])
                if get =>
            {
                Some(t.valwin_slots.clone())
            }
            _ => None,
        };
        Ok(body)
    }

    /// `basic-booking.json` with the ids of centre `i` (profile, motive, agenda, practice).
    fn doctolib_booking(&self, i: usize) -> Res<Value> {
        let i = i as i64;
        let pid = DOCTOLIB_PRACTICE + i;
        let motive = DOCTOLIB_MOTIVE + i;
        let mut b = self.tpl.doctolib_booking.clone();
        let data = b.get_mut("data").ok_or("basic-booking.json: no data")?;
        let set = |v: &mut Value, pointer: &str, value: Value| -> Res<()> {
            *v.pointer_mut(pointer)
                .ok_or_else(|| format!("basic-booking.json: no {pointer}"))? = value;
            Ok(())
        };
        set(
            data,
            "/profile/id",
            json!((DOCTOLIB_PROFILE + i).to_string()),
        )?;
        set(data, "/visit_motives/0/id", json!(motive))?;
        set(data, "/agendas/0/id", json!(DOCTOLIB_AGENDA + i))?;
        set(
            data,
            "/agendas/0/visit_motive_ids_by_practice_id",
            json!({ pid.to_string(): [motive] }),
        )?;
        set(data, "/places/0/id", json!(format!("practice-{pid}")))?;
        set(data, "/places/0/practice_ids", json!([pid]))?;
        Ok(b)
    }
}

// ------------------------------------------------------------------------------------------
// generate

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
struct PlatformCount {
    centres: u64,
    succeeded: u64,
    requests: u64,
    slots_found: u64,
}

fn counts(run: &ScanRun) -> BTreeMap<String, PlatformCount> {
    let mut out: BTreeMap<String, PlatformCount> = BTreeMap::new();
    for c in &run.centres {
        let e = out.entry(c.platform.clone()).or_default();
        e.centres += 1;
        e.requests += u64::from(c.requests);
        if c.error.is_none() {
            e.succeeded += 1;
        }
        e.slots_found += c.summary.as_ref().map_or(0, |s| s.slots as u64);
    }
    out
}

fn dir_size(dir: &Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if let Ok(m) = e.metadata() {
                if m.is_dir() {
                    let (b, f) = dir_size(&e.path());
                    bytes += b;
                    files += f;
                } else {
                    bytes += m.len();
                    files += 1;
                }
            }
        }
    }
    (bytes, files)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn generate(workload: &str, dir: &Path, now_text: &str, data: &Path) -> Res<()> {
    let spec = Spec::of(workload)?;
    let now: jiff::Timestamp = now_text
        .parse()
        .map_err(|e| format!("--now {now_text:?}: expected an instant with offset: {e}"))?;
    let start = now.to_zoned(TimeZone::get("Europe/Paris")?).date();
    let tpl = Templates::load(data, start)?;
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;

    let mut dicts = Vec::new();
    let mut targets = Vec::new();
    let mut g = 0;
    for &(p, n) in &spec.mix {
        for i in 0..n {
            let c = centre(p, i, g, start, &tpl)?;
            dicts.push(c.dict);
            targets.push(c.target);
            g += 1;
        }
    }
    let list = dir.join("centres.json");
    fs::write(&list, serde_json::to_vec(&dicts)?)?;
    drop(dicts);

    let rec_dir = dir.join("recording");
    let responder = Arc::new(Responder {
        tpl,
        spec: spec.clone(),
        start,
        recorder: Recorder::create(&rec_dir)?,
        problems: Mutex::new(Vec::new()),
    });
    let r = Arc::clone(&responder);
    let client = Arc::new(HttpClient::in_memory(Arc::new(move |req: &Request| {
        r.answer(req)
    })));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let t0 = Instant::now();
    let scanner = Scanner::new(client, Connectors::available(), ScanConfig::default());
    let run = rt.block_on(scanner.scan(targets, now));
    let took = t0.elapsed().as_secs_f64();

    let problems = responder
        .problems
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if !problems.is_empty() {
        return Err(format!(
            "the responder could not answer:\n  {}",
            problems.join("\n  ")
        )
        .into());
    }
    let failed: Vec<String> = run
        .centres
        .iter()
        .filter_map(|c| {
            c.error
                .as_ref()
                .map(|e| format!("{}: {:?} {}", c.centre_id, e.class, e.message))
        })
        .take(10)
        .collect();
    if !failed.is_empty() {
        return Err(format!("centres failed while recording:\n  {}", failed.join("\n  ")).into());
    }
    let per = counts(&run);
    let total = |f: fn(&PlatformCount) -> u64| per.values().map(f).sum::<u64>();
    let (rec_bytes, rec_files) = dir_size(&rec_dir);
    let (resp_bytes, resp_files) = dir_size(&rec_dir.join("responses"));
    let list_bytes = fs::metadata(&list)?.len();
    println!(
        "workload {}: {} centres, {} requests, {} slots found (in-memory scan while recording: {took:.2} s)",
        spec.name,
        run.centres.len(),
        total(|c| c.requests),
        total(|c| c.slots_found)
    );
    for (p, c) in &per {
        println!(
            "  {p:<11} {:>6} centres {:>7} requests {:>9} slots found",
            c.centres, c.requests, c.slots_found
        );
    }
    println!(
        "  on disk: centres.json {:.1} MiB; recording {:.1} MiB in {rec_files} files (exchanges.jsonl {:.1} MiB, responses/ {resp_files} files {:.1} MiB)",
        mib(list_bytes),
        mib(rec_bytes),
        mib(rec_bytes - resp_bytes),
        mib(resp_bytes)
    );
    let meta = json!({
        "workload": spec.name,
        "now": now_text,
        "horizon_days": DAYS,
        "start": start.to_string(),
        "centres": run.centres.len(),
        "platforms": per,
        "centre_list_bytes": list_bytes,
        "recording_bytes": rec_bytes,
        "recording_files": rec_files,
    });
    fs::write(dir.join("workload.json"), serde_json::to_vec_pretty(&meta)?)?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// baseline: the typed parse functions alone

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    DoctolibBooking,
    DoctolibAvailabilities,
    KeldocTimetable,
    MaiiaReasons,
    MaiiaAvailabilities,
    MaiiaClosest,
    MapharmaCalendar,
    OrdoclicProfile,
    OrdoclicReasons,
    OrdoclicSlots,
    AvecMonDocOrganization,
    AvecMonDocWindow,
    Mesoigner,
    Bimedoc,
    Valwin,
}

fn kind_of(method: &str, u: &url::Url) -> Option<Kind> {
    let path = u.path();
    let host = u.host_str()?;
    Some(match host {
        "partners.doctolib.fr" if path.starts_with("/booking/") => Kind::DoctolibBooking,
        "partners.doctolib.fr" if path == "/availabilities.json" => Kind::DoctolibAvailabilities,
        "www.keldoc.com" if path.contains("/timetables/") => Kind::KeldocTimetable,
        "www.maiia.com" if path.ends_with("/consultation-reason-hcd") => Kind::MaiiaReasons,
        "www.maiia.com" if path.ends_with("/availabilities") => Kind::MaiiaAvailabilities,
        "www.maiia.com" if path.ends_with("/availability-closests") => Kind::MaiiaClosest,
        "mapharma.net" if path.starts_with("/api/public/calendar/") => Kind::MapharmaCalendar,
        "api.ordoclic.fr" if path.contains("/profile/") => Kind::OrdoclicProfile,
        "api.ordoclic.fr" if path.ends_with("/reasons") => Kind::OrdoclicReasons,
        "api.ordoclic.fr" if method == "POST" => Kind::OrdoclicSlots,
        "api.avecmondoc.com" if path.contains("/Organizations/slug/") => {
            Kind::AvecMonDocOrganization
        }
        "api.avecmondoc.com" if method == "POST" => Kind::AvecMonDocWindow,
        "www.mesoigner.fr" => Kind::Mesoigner,
        "server.bimedoc.com" => Kind::Bimedoc,
        "pharma-api.epharmacie.pro" => Kind::Valwin,
        _ => return None,
    })
}

/// One recorded answer, with what its parse function needs from the request.
struct Answer {
    kind: Kind,
    body: Vec<u8>,
    start: Date,
    query: HashMap<String, String>,
    path_id: i64,
}

fn load_answers(dir: &Path) -> Res<(Vec<Answer>, Date)> {
    let meta: Value = serde_json::from_slice(&fs::read(dir.join("workload.json"))?)?;
    let start: Date = meta
        .get("start")
        .and_then(Value::as_str)
        .ok_or("workload.json: no start")?
        .parse()?;
    let rec = dir.join("recording");
    let text = fs::read_to_string(rec.join("exchanges.jsonl"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)?;
        let field = |k: &str| v.get(k).and_then(Value::as_str);
        let (Some(method), Some(url)) = (field("method"), field("url")) else {
            return Err(format!("exchanges.jsonl:{}: no method or url", n + 1).into());
        };
        let u = url::Url::parse(url)?;
        let kind = kind_of(method, &u)
            .ok_or_else(|| format!("exchanges.jsonl:{}: unknown request {url}", n + 1))?;
        let body = match (v.get("response"), field("response_file")) {
            (Some(r), None) => serde_json::to_vec(r)?,
            (None, Some(f)) => fs::read(rec.join(f))?,
            _ => Vec::new(),
        };
        let path_id = u
            .path_segments()
            .and_then(|mut s| s.find_map(|x| x.parse::<i64>().ok()))
            .unwrap_or_default();
        out.push(Answer {
            kind,
            body,
            start,
            query: query(&u),
            path_id,
        });
    }
    Ok((out, start))
}

fn ids(text: Option<&String>) -> Vec<i64> {
    text.map(|t| t.split('-').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_default()
}

/// Runs the platform's typed parse function on `a`; the slots it yields.
fn parse_one(
    a: &Answer,
    tz: &TimeZone,
    maiia_reasons: &mut HashMap<String, maiia::Reason>,
) -> Res<usize> {
    const URL: &str = "https://example.org/booking";
    let mut out = ScanOutcome::default();
    let n = match a.kind {
        Kind::DoctolibBooking => {
            doctolib::parse_booking(&a.body)?;
            0
        }
        Kind::DoctolibAvailabilities => {
            let q = doctolib::MotiveQuery {
                motive_id: a
                    .query
                    .get("visit_motive_ids")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or_default(),
                agenda_ids: ids(a.query.get("agenda_ids")),
                practice_ids: ids(a.query.get("practice_ids")),
                dose: Dose::First,
                vaccine: Vaccine::PfizerBioNTech,
            };
            doctolib::parse_availabilities(&a.body, a.start, &q, tz, URL, &mut out)?;
            out.slots.len()
        }
        Kind::KeldocTimetable => {
            let m = keldoc::Motive {
                id: a.path_id,
                agendas: Vec::new(),
                dose: Dose::First,
                vaccine: None,
            };
            keldoc::parse_timetable(&a.body, &m, tz, URL, &mut out)?;
            out.slots.len()
        }
        Kind::MaiiaReasons => {
            for r in maiia::parse_reasons(&a.body)? {
                if !maiia_reasons.contains_key(&r.name) {
                    maiia_reasons.insert(r.name.clone(), r);
                }
            }
            0
        }
        Kind::MaiiaAvailabilities => {
            let fallback = maiia::Reason {
                id: None,
                name: String::new(),
                dose: Some(Dose::First),
                vaccine: None,
                excluded: false,
            };
            let reason = a
                .query
                .get("consultationReasonName")
                .and_then(|n| maiia_reasons.get(n))
                .unwrap_or(&fallback);
            maiia::parse_availabilities(&a.body, reason, tz, URL)?.len()
        }
        Kind::MaiiaClosest => {
            maiia::parse_closest(&a.body, tz)?;
            0
        }
        Kind::MapharmaCalendar => {
            mapharma::parse_calendar(&a.body, a.start, Some(Vaccine::PfizerBioNTech), tz, URL)?
                .len()
        }
        Kind::OrdoclicProfile => {
            ordoclic::parse_profile(&a.body)?;
            0
        }
        Kind::OrdoclicReasons => {
            ordoclic::parse_reasons(&a.body)?;
            0
        }
        Kind::OrdoclicSlots => {
            ordoclic::parse_slots(&a.body, &[Dose::First], None, tz, URL, &mut out)?;
            out.slots.len()
        }
        Kind::AvecMonDocOrganization => {
            avecmondoc::parse_organization(&a.body)?;
            0
        }
        Kind::AvecMonDocWindow => {
            let r = avecmondoc::Reason {
                id: 0,
                name: String::new(),
                doses: vec![Dose::First],
                vaccine: None,
            };
            avecmondoc::parse_window(&a.body, &r, tz, URL, &mut out)?;
            out.slots.len()
        }
        Kind::Mesoigner => mesoigner::scan(&a.body, tz, URL)?.slots.len(),
        Kind::Bimedoc => bimedoc::scan(&a.body, tz, URL)?.slots.len(),
        Kind::Valwin => valwin::scan(&a.body, tz, URL)?.slots.len(),
    };
    Ok(n)
}

fn baseline(dir: &Path, runs: usize) -> Res<()> {
    let t0 = Instant::now();
    let (answers, _) = load_answers(dir)?;
    let load = t0.elapsed().as_secs_f64();
    let bytes: usize = answers.iter().map(|a| a.body.len()).sum();
    let tz = TimeZone::get("Europe/Paris")?;
    let mut best = f64::INFINITY;
    let mut slots = 0;
    for _ in 0..runs {
        let mut reasons = HashMap::new();
        let t0 = Instant::now();
        let mut n = 0;
        for a in &answers {
            n += parse_one(a, &tz, &mut reasons)?;
        }
        best = best.min(t0.elapsed().as_secs_f64());
        slots = n;
    }
    // One line for run.sh: answers, MiB, load s, best parse s, slots parsed.
    println!(
        "baseline answers={} mib={:.1} load_s={load:.3} parse_s={best:.4} slots={slots}",
        answers.len(),
        mib(bytes as u64)
    );
    Ok(())
}

// ------------------------------------------------------------------------------------------
// summary: what a replayed `vigie scan` found, checked against the recording's scan

fn summary(dir: &Path, out: &Path) -> Res<()> {
    let meta: Value = serde_json::from_slice(&fs::read(dir.join("workload.json"))?)?;
    let expected: BTreeMap<String, PlatformCount> = serde_json::from_value(
        meta.get("platforms")
            .cloned()
            .ok_or("workload.json: no platforms")?,
    )?;
    let report: Value = serde_json::from_slice(&fs::read(out.join("scan-report.json"))?)?;
    let run: ScanRun = serde_json::from_value(
        report
            .get("run")
            .cloned()
            .ok_or("scan-report.json: no run")?,
    )?;
    let snapshot: Value = serde_json::from_slice(&fs::read(out.join("open-data/centres.json"))?)?;
    let counted: BTreeMap<String, u64> = snapshot
        .get("platforms")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("platform")?.as_str()?.to_string(),
                p.get("slots")?.as_u64()?,
            ))
        })
        .collect();
    let per = counts(&run);
    let mut problems = Vec::new();
    if !run.missing_replay.is_empty() {
        problems.push(format!(
            "{} requests missing from the recording (first: {})",
            run.missing_replay.len(),
            run.missing_replay
                .first()
                .map(|m| m.url.as_str())
                .unwrap_or_default()
        ));
    }
    for (p, want) in &expected {
        let got = per.get(p).cloned().unwrap_or_default();
        let c = counted.get(p).copied().unwrap_or(0);
        println!(
            "  {p:<11} {:>6} centres {:>6} ok {:>7} requests {:>9} slots found {:>9} counted in the horizon",
            got.centres, got.succeeded, got.requests, got.slots_found, c
        );
        if got.centres != want.centres || got.succeeded != want.centres {
            problems.push(format!(
                "{p}: {} of {} centres scanned without error (expected {})",
                got.succeeded, got.centres, want.centres
            ));
        }
        if got.slots_found != want.slots_found {
            problems.push(format!(
                "{p}: {} slots found, the recording's scan found {}",
                got.slots_found, want.slots_found
            ));
        }
        if c == 0 {
            problems.push(format!("{p}: no slot counted in the horizon"));
        }
    }
    for e in run.centres.iter().filter_map(|c| c.error.as_ref()).take(3) {
        problems.push(format!("{:?}: {}", e.class, e.message));
    }
    let total = |f: fn(&PlatformCount) -> u64| per.values().map(f).sum::<u64>();
    println!(
        "summary centres={} ok={} requests={} missing={} found={} counted={}",
        run.centres.len(),
        total(|c| c.succeeded),
        total(|c| c.requests),
        run.missing_replay.len(),
        total(|c| c.slots_found),
        counted.values().sum::<u64>()
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("the replayed scan disagrees:\n  {}", problems.join("\n  ")).into())
    }
}
