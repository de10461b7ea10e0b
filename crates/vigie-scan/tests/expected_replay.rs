//! Conformance of the slot engine with the reference's expected cases
//! (`../shared/data/slots/expected/`), driven through record/replay: for every connector
//! case, the case's recorded calls (`output.http_calls`, answered from `inputs.fixtures` or
//! the case's inline mocks) are written as a recording directory, the real [`Scanner`] runs
//! the real connector over `HttpClient::replay`, and the run is compared with the case:
//! slots (instant, doses, vaccine), next slot, counts, phone-only, errors, requests made, and
//! (through `vigie-finder`'s snapshot and v2 export at the case's `frozen_now`) the count and
//! next slot per centre and the daily counts.
//!
//! Every difference is a named [`Exception`] citing its entry in
//! `crates/vigie-slots/DEVIATIONS.md` or `crates/vigie-finder/DEVIATIONS.md`; cases that are
//! not the scan of one centre are listed in [`plan`] with the reason. The same machinery runs
//! on a small case of the repository (`tests/fixtures/expected/`) on a fresh clone.

/// The reference readers of `vigie-slots`' conformance tests (doses, vaccine names).
#[path = "../../vigie-slots/tests/reference/mod.rs"]
mod reference;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Zoned;
use jiff::tz::TimeZone;
use reference::{reference_doses, reference_vaccine};
use serde_json::{Value, json};
use vigie_finder::snapshot::{CentreScan, ScanResult, Visibility, build_snapshot};
use vigie_finder::v2::export_v2;
use vigie_scan::{
    CentreResult, CentreTarget, Connectors, ErrorClass, HttpClient, MissingRequest,
    RecordedExchange, Replay, Responder, ScanConfig, ScanRun, Scanner,
};
use vigie_slots::{
    Centre, CentreType, Dose, Method, Platform, Provenance, Request, ScanOutcome, ScanTarget,
    centres,
};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A named difference from the reference, each documented in a `DEVIATIONS.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exception {
    /// vigie-slots DEVIATIONS #13 (`avecmondoc_fetch_same_page.json`, count 48 vs 24): the
    /// page answered for both overlapping windows counts once.
    SamePageCountsOnce,
    /// vigie-slots DEVIATIONS #3, #18 (`keldoc_fetch_center1.json`,
    /// `doctolib_next_slot_only.json`): the next date without bookable slots is published as
    /// `ScanOutcome::next_hint` (the reference returned it without any event, or dropped it).
    NextHintPublished,
    /// vigie-slots DEVIATIONS #12 (`maiia_reasons.json` (flow), 10 availability requests):
    /// the reference case stops after the reasons request; Vigie's flow goes on with one
    /// availability request per scannable reason (10: "attestation" is kept), which the
    /// recording does not hold.
    MaiiaReasonsOnly,
    /// `maiia_next_slot_date.json` records only the reference's `availability-closests`
    /// call (a unit call of the reference, no scan): Vigie's flow starts with the reasons
    /// request, absent from the recording, so the recorded call is not used. The closest
    /// date itself is checked by vigie-slots (`tests/flows.rs::maiia_flow`, #12 row).
    MaiiaClosestOnly,
    /// vigie-finder DEVIATIONS `beyond-horizon-not-counted` (`bimedoc_fetch_available.json`,
    /// `appointment_count` 133 vs 75).
    BeyondHorizonNotCounted { reference: u64, vigie: u64 },
    /// vigie-finder DEVIATIONS `once-per-tag` (vigie-slots #8): a slot offering both first
    /// and second doses counts once in `first_or_second_dose`, the reference counted it
    /// twice.
    OncePerTag,
}

/// How a connector case is run.
#[derive(Debug)]
struct Spec {
    platform: Platform,
    /// Department when the case names none (no `Lieu`, no `center_info`).
    department: Option<&'static str>,
    /// Booking URL and start date when the case has no `inputs.request` (unit cases).
    url: Option<&'static str>,
    start: Option<&'static str>,
    exceptions: &'static [Exception],
}

#[derive(Debug)]
enum Plan {
    Scan(Spec),
    /// Not the scan of one centre: why, and where it is checked instead.
    NotAScan(&'static str),
}

const MAIIA_URL: &str = "https://www.maiia.com/centre-de-vaccination/42800-rive-de-gier/centre?centerid=5ffc744c68dedf073a5b87a2";

fn scan(
    platform: Platform,
    department: Option<&'static str>,
    exceptions: &'static [Exception],
) -> Plan {
    Plan::Scan(Spec {
        platform,
        department,
        url: None,
        start: None,
        exceptions,
    })
}

/// The plan of every connector case (`<platform>_*.json` with `output.http_calls`); a new
/// case without a plan fails the test.
fn plan(name: &str) -> Option<Plan> {
    use Exception::*;
    use Platform as P;
    Some(match name {
        "doctolib_basic.json"
        | "doctolib_invalid_pid_corrected.json"
        | "doctolib_no_slots.json"
        | "doctolib_blocked_booking_403.json"
        | "doctolib_blocked_availabilities_403.json"
        | "doctolib_phone_only.json" => scan(P::Doctolib, None, &[]),
        "doctolib_next_slot_only.json" => scan(P::Doctolib, None, &[NextHintPublished]),
        "keldoc_fetch_center1.json" => scan(P::Keldoc, Some("56"), &[NextHintPublished]),
        "maiia_reasons.json" => Plan::Scan(Spec {
            platform: P::Maiia,
            department: Some("42"),
            url: Some(MAIIA_URL),
            start: Some("2021-04-14"),
            exceptions: &[MaiiaReasonsOnly],
        }),
        "maiia_next_slot_date.json" => Plan::Scan(Spec {
            platform: P::Maiia,
            department: Some("42"),
            url: Some(MAIIA_URL),
            start: Some("2021-04-14"),
            exceptions: &[MaiiaClosestOnly],
        }),
        "mapharma_total_libres_zero.json" => scan(P::Mapharma, Some("88"), &[]),
        "ordoclic_phone_only.json" => scan(P::Ordoclic, Some("75"), &[]),
        "avecmondoc_fetch_same_page.json" => scan(P::AvecMonDoc, None, &[SamePageCountsOnce]),
        "mesoigner_fetch_unavailable.json" => scan(P::Mesoigner, None, &[]),
        "bimedoc_fetch_available.json" => scan(
            P::Bimedoc,
            None,
            &[
                BeyondHorizonNotCounted {
                    reference: 133,
                    vigie: 75,
                },
                OncePerTag,
            ],
        ),
        // The repository's own case (`tests/fixtures/expected/`).
        "bimedoc_own_small.json" => scan(
            P::Bimedoc,
            None,
            &[
                BeyondHorizonNotCounted {
                    reference: 4,
                    vigie: 3,
                },
                OncePerTag,
            ],
        ),
        "bimedoc_fetch_403.json" => scan(P::Bimedoc, None, &[]),
        "valwin_fetch_available.json" => scan(P::Valwin, None, &[OncePerTag]),
        "keldoc_parse_availability.json"
        | "mapharma_parse_slots.json"
        | "ordoclic_parse_slots.json" => Plan::NotAScan(
            "parser unit case: synthetic or recorded bodies given to a parser, no request \
                 (checked in vigie-slots tests/expected.rs and tests/flows.rs)",
        ),
        "mapharma_centre_list.json"
        | "ordoclic_centre_iterator.json"
        | "avecmondoc_center_iterator.json" => Plan::NotAScan(
            "centre discovery, not the scan of a centre (checked in vigie-slots tests/flows.rs)",
        ),
        _ => return None,
    })
}

fn paris() -> R<TimeZone> {
    Ok(TimeZone::get("Europe/Paris")?)
}

/// A reference instant: aware (`Z`, `+02:00`, `+0200`) or naive (Paris wall clock).
fn instant(s: &str) -> R<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    // `+0200` → `+02:00`
    let n = s.len();
    if let (Some(head), Some(hh), Some(mm)) = (
        s.get(..n.saturating_sub(2)),
        s.get(n.saturating_sub(5)..n.saturating_sub(2)),
        s.get(n.saturating_sub(2)..),
    ) && n > 5
        && (hh.starts_with('+') || hh.starts_with('-'))
        && hh[1..].bytes().all(|c| c.is_ascii_digit())
        && mm.bytes().all(|c| c.is_ascii_digit())
        && let Ok(t) = format!("{head}:{mm}").parse::<jiff::Timestamp>()
    {
        return Ok(t);
    }
    Ok(s.parse::<jiff::civil::DateTime>()?
        .to_zoned(paris()?)?
        .timestamp())
}

fn text<'a>(v: &'a Value, what: &str) -> R<&'a str> {
    v.as_str()
        .ok_or_else(|| format!("{what}: not a string: {v}").into())
}

/// Fixture paths of a case, without their notes (`"x.json (status forced to 403)"`).
fn fixtures(case: &Value) -> Vec<(String, String)> {
    case["inputs"]["fixtures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|f| match f.split_once(" (") {
            Some((p, note)) => (p.to_string(), note.trim_end_matches(')').to_string()),
            None => (f.to_string(), String::new()),
        })
        .collect()
}

/// The inline JSON answer a case's `inputs.mock` gives after `marker -> `.
fn inline_mock(case: &Value, marker: &str) -> Option<Value> {
    let mock = case["inputs"]["mock"].as_str()?;
    let rest = &mock[mock.find(marker)? + marker.len()..];
    let rest = rest.trim_start().strip_prefix("->")?.trim_start();
    let end = rest.find(" (status").unwrap_or(rest.len());
    serde_json::from_str(&rest[..end]).ok()
}

enum Answer {
    /// A recorded response (path under `recorded-responses/`).
    File(String),
    Inline(Value),
}

/// The answer the reference's mock gave to one of its calls.
fn answer_for(name: &str, case: &Value, call: &Value) -> R<Answer> {
    let fx = fixtures(case);
    let nth = |i: usize| -> R<Answer> {
        fx.get(i)
            .map(|(p, _)| Answer::File(p.clone()))
            .ok_or_else(|| format!("{name}: no fixture #{i}").into())
    };
    let url = text(&call["url"], "url")?;
    let platform = name.split('_').next().unwrap_or("");
    match platform {
        "doctolib" if url.contains("/booking/") => match case["inputs"].get("booking_override") {
            Some(b) => Ok(Answer::Inline(b.clone())),
            None => nth(0),
        },
        "doctolib" => match inline_mock(case, "GET /availabilities.json") {
            Some(v) => Ok(Answer::Inline(v)),
            None => nth(1),
        },
        "keldoc" => {
            // `GET /api/patients/v2/timetables/<motive_id>` → the matching fixture,
            // anything else → `{}`.
            let id = url
                .split('?')
                .next()
                .and_then(|p| p.rsplit('/').next())
                .unwrap_or("");
            let want = format!("keldoc/center1-timetable-{id}.json");
            Ok(
                if url.contains("/timetables/") && fx.iter().any(|(p, _)| *p == want) {
                    Answer::File(want)
                } else {
                    Answer::Inline(json!({}))
                },
            )
        }
        "avecmondoc" if call["method"] == "POST" => nth(1),
        // The first fixture is the centre-list entry (`CenterInfo.from_csv_data`).
        "mesoigner" | "bimedoc" => nth(1),
        _ => nth(0),
    }
}

/// Writes the recording of a case's calls into `dir` (fixtures copied in).
fn write_recording(name: &str, case: &Value, rr: &Path, dir: &Path) -> R<usize> {
    let calls = case["output"]["http_calls"]
        .as_array()
        .ok_or("no http_calls")?;
    std::fs::create_dir_all(dir.join("responses"))?;
    let mut lines = String::new();
    for (i, call) in calls.iter().enumerate() {
        let (response, response_file) = match answer_for(name, case, call)? {
            Answer::Inline(v) => (Some(v), None),
            Answer::File(p) => {
                let base = Path::new(&p)
                    .file_name()
                    .and_then(|f| f.to_str())
                    .ok_or("fixture name")?;
                let rel = format!("responses/{i:03}-{base}");
                std::fs::copy(rr.join(&p), dir.join(&rel))?;
                (None, Some(rel))
            }
        };
        let rec = RecordedExchange {
            method: text(&call["method"], "method")?.to_string(),
            url: text(&call["url"], "url")?.to_string(),
            body: call.get("body").filter(|b| !b.is_null()).cloned(),
            status: u16::try_from(call["status"].as_u64().ok_or("status")?)?,
            response,
            response_file,
        };
        lines.push_str(&serde_json::to_string(&rec)?);
        lines.push('\n');
    }
    std::fs::write(dir.join(vigie_scan::recording::EXCHANGES_FILE), lines)?;
    Ok(calls.len())
}

/// The first `Lieu` of the case's events, if any.
fn lieu(case: &Value) -> Option<(&String, &Value)> {
    case["output"]["events_summary"]["lieux"]
        .as_object()
        .and_then(|m| m.iter().next())
}

fn read_json(p: &Path) -> R<Value> {
    Ok(serde_json::from_slice(&std::fs::read(p)?)?)
}

/// The scan target of a case, from `inputs.request`, its `center_info` and fixtures.
fn target(case: &Value, spec: &Spec, rr: &Path) -> R<CentreTarget> {
    let req = &case["inputs"]["request"];
    let url = match req["url"].as_str().or(spec.url) {
        Some(u) => u.to_string(),
        None => return Err("no booking URL".into()),
    };
    let start: jiff::civil::Date = req["start_date"]
        .as_str()
        .or(spec.start)
        .ok_or("no start date")?
        .parse()?;
    let info = &req["center_info"];
    let department = lieu(case)
        .and_then(|(_, l)| l["departement"].as_str())
        .or_else(|| info["departement"].as_str())
        .or(spec.department)
        .map(str::to_string);
    let fx = fixtures(case);
    // The centre-list entry: its `gid` (mesoigner, Bimedoc) …
    let mut gid = None;
    for (p, note) in &fx {
        if note.contains("from_csv_data") || p.ends_with("_center_info.json") {
            gid = read_json(&rr.join(p))?["gid"].as_str().map(str::to_string);
        }
    }
    // … or the Valwin centre-list entry named in `center_input` ("… gid 'x' …").
    if let Some(s) = case["inputs"]["center_input"].as_str() {
        gid = s.split('\'').nth(1).map(str::to_string);
    }
    let platform_data = match spec.platform {
        // Keldoc: the motive categories (`request.input_data`).
        Platform::Keldoc => fx
            .iter()
            .find(|(_, note)| note.contains("input_data"))
            .map(|(p, _)| read_json(&rr.join(p)))
            .transpose()?,
        // Mapharma: the open-data document (searched by the URL's campaign).
        Platform::Mapharma => fx
            .first()
            .map(|(p, _)| read_json(&rr.join(p)))
            .transpose()?,
        _ => None,
    };
    let platform_id = centres::platform_id(spec.platform, &url, gid.as_deref()).unwrap_or_default();
    let id = if platform_id.is_empty() {
        url.clone()
    } else {
        platform_id.clone()
    };
    Ok(CentreTarget {
        centre_id: format!("{}:{id}", spec.platform.slug()),
        platform: spec.platform,
        target: ScanTarget {
            booking_url: url,
            platform_id,
            department,
            address: info["metadata"]["address"].as_str().map(str::to_string),
            start,
            days: vigie_slots::DEFAULT_DAYS,
            platform_data,
        },
    })
}

type SlotKey = (jiff::Timestamp, Vec<Dose>, Option<String>);

/// The reference's `Creneau` events as (instant, doses, vaccine), sorted.
fn reference_slots(case: &Value) -> R<Vec<SlotKey>> {
    let mut want = Vec::new();
    for e in case["output"]["events"].as_array().ok_or("events")? {
        if e["kind"] == "Creneau" {
            want.push((
                instant(text(&e["horaire"], "horaire")?)?,
                reference_doses(&e["dose"]),
                reference_vaccine(&e["type_vaccin"]),
            ));
        }
    }
    want.sort();
    Ok(want)
}

/// Our slots as (instant, doses, vaccine), one per place, sorted.
fn our_slots(out: &ScanOutcome) -> Vec<SlotKey> {
    let mut got: Vec<SlotKey> = out
        .slots
        .iter()
        .flat_map(|s| {
            let mut d = s.doses.clone();
            d.sort();
            let key = (
                s.start.timestamp(),
                d,
                s.vaccine.map(|v| v.reference_name().to_string()),
            );
            std::iter::repeat_n(key, s.places as usize)
        })
        .collect();
    got.sort();
    got
}

/// What was checked for one case (for the final report of the test).
#[derive(Debug, PartialEq)]
struct Checked {
    case: String,
    calls: usize,
    slots: usize,
    exceptions: Vec<Exception>,
}

async fn run_case(name: &str, case: &Value, spec: &Spec, rr: &Path) -> R<Checked> {
    let has = |e: Exception| spec.exceptions.contains(&e);
    let tmp = tempfile::tempdir()?;
    let calls = write_recording(name, case, rr, tmp.path())?;
    let t = target(case, spec, rr)?;
    let frozen = case["export_v2"]["frozen_now"].as_str();
    let now = match frozen {
        Some(s) => instant(s)?,
        None => t.target.start.to_zoned(paris()?)?.timestamp(),
    };
    let client = Arc::new(HttpClient::replay(tmp.path())?);
    let scanner = Scanner::new(client, Connectors::available(), ScanConfig::default());
    let run: ScanRun = scanner.scan(vec![t.clone()], now).await;
    let c: &CentreResult = run.centres.first().ok_or("no centre result")?;
    assert_eq!(c.platform, spec.platform.slug(), "{name}");
    assert_eq!(c.retries, 0, "{name}: no retry on a replay");

    // Requests: every request of Vigie was recorded, every recorded call was made.
    let (expected_missing, unused) = expected_differences(name, case, spec)?;
    assert_eq!(
        keys(&run.missing_replay)?,
        keys(&expected_missing)?,
        "{name}: requests Vigie made that the reference did not"
    );
    assert_eq!(
        c.requests as usize,
        calls - unused.len() + expected_missing.len(),
        "{name}: requests sent (recorded calls used + missing)"
    );
    // The same scan over the same recording, logging each request: Vigie's requests are
    // exactly the reference's calls (as a multiset), minus the named unused ones, plus the
    // named missing ones.
    let sent = logged_requests(tmp.path(), &t, now).await?;
    let mut want = keys(&recorded_calls(case)?)?;
    for u in keys(&unused)? {
        let i = want
            .iter()
            .position(|w| *w == u)
            .ok_or_else(|| format!("{name}: unused call {u:?} not recorded"))?;
        want.remove(i);
    }
    want.extend(keys(&expected_missing)?);
    sort_keys(&mut want);
    let mut got = keys(&sent)?;
    sort_keys(&mut got);
    assert_eq!(got, want, "{name}: requests sent");

    // Errors.
    let error = &case["output"]["error"];
    if !error.is_null() {
        assert_eq!(error["type"], "Blocked403", "{name}");
        let e = c
            .error
            .as_ref()
            .ok_or_else(|| format!("{name}: no error"))?;
        assert_eq!(
            (e.class, e.status),
            (ErrorClass::Blocked, Some(403)),
            "{name}"
        );
        assert_eq!(run.platforms[0].errors.get(&ErrorClass::Blocked), Some(&1));
        assert!(c.outcome.is_none(), "{name}");
        return Ok(checked(name, calls, 0, spec));
    }
    if !expected_missing.is_empty() {
        let e = c
            .error
            .as_ref()
            .ok_or_else(|| format!("{name}: no error"))?;
        assert_eq!(e.class, ErrorClass::MissingReplay, "{name}");
        return Ok(checked(name, calls, 0, spec));
    }
    assert_eq!(c.error, None, "{name}");
    let out = c.outcome.as_ref().ok_or("no outcome")?;

    // Slots: same (instant, doses, vaccine) multiset.
    let want = reference_slots(case)?;
    let got = our_slots(out);
    if has(Exception::SamePageCountsOnce) {
        // Every reference slot appears exactly twice (the page of both windows).
        let mut once = want.clone();
        once.dedup();
        assert_eq!(want.len(), 2 * once.len(), "{name}: reference doubled");
        assert_eq!(
            case["output"]["request_after"]["appointment_count"].as_u64(),
            Some(want.len() as u64)
        );
        assert_eq!(got, once, "{name}: slots");
    } else {
        assert_eq!(got, want, "{name}: slots");
    }

    // Next slot.
    let next = out.slots.iter().map(|s| s.start.timestamp()).min();
    let hint = out.next_hint.as_ref().map(Zoned::timestamp);
    match case["output"]["return"].as_str() {
        Some(r) if next.is_some() => {
            assert_eq!(next, Some(instant(r)?), "{name}: next slot");
        }
        Some(r) => {
            assert!(has(Exception::NextHintPublished), "{name}: return {r}");
            assert_eq!(hint, Some(instant(r)?), "{name}: next date hint");
        }
        None => {
            assert_eq!(next, None, "{name}: next slot");
            if has(Exception::NextHintPublished) {
                // The reference dropped `next_slot` of the availabilities answer.
                let avail = fixtures(case)
                    .get(1)
                    .map(|(p, _)| read_json(&rr.join(p)))
                    .transpose()?
                    .ok_or("availabilities fixture")?;
                let n = instant(text(&avail["next_slot"], "next_slot")?)?;
                assert_eq!(hint, Some(n), "{name}: next date hint");
            } else {
                assert_eq!(hint, None, "{name}: next date hint");
            }
        }
    }
    // Vaccines of the centre, where the reference set them.
    if let Some(v) = case["output"]["request_after"]["vaccine_type"].as_array() {
        let want: Vec<&str> = v.iter().filter_map(Value::as_str).collect();
        let got: Vec<&str> = out.vaccines.iter().map(|v| v.reference_name()).collect();
        assert_eq!(got, want, "{name}: vaccine_type");
    }
    let phone_only = case["output"]["request_after"]["appointment_by_phone_only"].as_bool();
    assert_eq!(Some(out.phone_only), phone_only, "{name}: phone only");

    if !case["export_v2"].is_null() {
        check_export(name, case, spec, &t, out)?;
    }
    Ok(checked(name, calls, got.len(), spec))
}

fn checked(name: &str, calls: usize, slots: usize, spec: &Spec) -> Checked {
    Checked {
        case: name.to_string(),
        calls,
        slots,
        exceptions: spec.exceptions.to_vec(),
    }
}

type RequestKey = (String, String, Vec<(String, String)>, Option<Value>);

/// Requests as the replay matches them: method, URL without query, decoded query pairs
/// (sorted), body.
fn keys(requests: &[MissingRequest]) -> R<Vec<RequestKey>> {
    let mut out = Vec::new();
    for r in requests {
        let mut u = url::Url::parse(&r.url)?;
        let mut q: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        q.sort();
        u.set_query(None);
        out.push((r.method.clone(), u.to_string(), q, r.body.clone()));
    }
    Ok(out)
}

fn sort_keys(k: &mut [RequestKey]) {
    k.sort_by_cached_key(|(m, u, q, b)| {
        (
            m.clone(),
            u.clone(),
            q.clone(),
            b.as_ref().map(Value::to_string),
        )
    });
}

fn missing(method: &str, url: &str) -> MissingRequest {
    MissingRequest {
        method: method.to_string(),
        url: url.to_string(),
        body: None,
    }
}

/// The calls of a case (`output.http_calls`).
fn recorded_calls(case: &Value) -> R<Vec<MissingRequest>> {
    let mut out = Vec::new();
    for c in case["output"]["http_calls"]
        .as_array()
        .ok_or("http_calls")?
    {
        out.push(MissingRequest {
            method: text(&c["method"], "method")?.to_string(),
            url: text(&c["url"], "url")?.to_string(),
            body: c.get("body").filter(|b| !b.is_null()).cloned(),
        });
    }
    Ok(out)
}

/// Runs the scan of `t` over the recording in `dir` through a client that logs every
/// request it answers (from the same recording).
async fn logged_requests(
    dir: &Path,
    t: &CentreTarget,
    now: jiff::Timestamp,
) -> R<Vec<MissingRequest>> {
    let replay = Arc::new(Replay::load(dir)?);
    let log: Arc<Mutex<Vec<MissingRequest>>> = Arc::default();
    let responder: Responder = {
        let log = Arc::clone(&log);
        Arc::new(move |r: &Request| {
            let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
            l.push(MissingRequest {
                method: match r.method {
                    Method::Get => "GET",
                    Method::Post => "POST",
                }
                .to_string(),
                url: r.url.clone(),
                body: r.body.clone(),
            });
            let a = replay.answer(r);
            (a.status, a.body)
        })
    };
    let client = Arc::new(HttpClient::in_memory(responder));
    let scanner = Scanner::new(client, Connectors::available(), ScanConfig::default());
    let _ = scanner.scan(vec![t.clone()], now).await;
    let sent = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(sent)
}

/// The requests Vigie makes that the case does not record, and the recorded calls Vigie
/// does not make.
fn expected_differences(
    name: &str,
    case: &Value,
    spec: &Spec,
) -> R<(Vec<MissingRequest>, Vec<MissingRequest>)> {
    if spec.exceptions.contains(&Exception::MaiiaReasonsOnly) {
        // One availability request per reason of the reasons answer, all 10 of them
        // (the reference's `excluded_by_name` "attestation" reason included).
        let centre = "5ffc744c68dedf073a5b87a2";
        let mut out = Vec::new();
        for r in case["output"]["return"]["per_reason"]
            .as_array()
            .ok_or("per_reason")?
        {
            let reason = text(&r["name"], "reason name")?;
            let mut u = url::Url::parse("https://www.maiia.com/api/pat-public/availabilities")?;
            u.query_pairs_mut()
                .append_pair("centerId", centre)
                .append_pair("consultationReasonName", reason)
                .append_pair("from", "2021-04-14T00:00:00")
                .append_pair("to", "2021-04-25T00:00:00")
                .append_pair("limit", "100")
                .append_pair("page", "0")
                .append_pair("size", "100");
            out.push((reason.to_string(), u.to_string()));
        }
        assert_eq!(out.len(), 10, "{name}");
        let excluded = case["output"]["return"]["per_reason"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["excluded_by_name"] == true)
            .count();
        assert_eq!(excluded, 1, "{name}: the reference excluded one reason");
        return Ok((out.iter().map(|(_, u)| missing("GET", u)).collect(), vec![]));
    }
    if spec.exceptions.contains(&Exception::MaiiaClosestOnly) {
        // The reasons request comes first (the URL of `maiia_reasons.json`).
        let url = "https://www.maiia.com/api/pat-public/consultation-reason-hcd?rootCenterId=5ffc744c68dedf073a5b87a2&limit=100&page=0&size=100";
        return Ok((vec![missing("GET", url)], recorded_calls(case)?));
    }
    Ok((Vec::new(), Vec::new()))
}

/// Compares a case's `export_v2` with Vigie's snapshot and v2 export of the scan.
fn check_export(name: &str, case: &Value, spec: &Spec, t: &CentreTarget, out: &ScanOutcome) -> R {
    let has = |e: Exception| spec.exceptions.contains(&e);
    let e = &case["export_v2"];
    let now = instant(text(&e["frozen_now"], "frozen_now")?)?.to_zoned(paris()?);
    let days = u16::try_from(e["next_days"].as_u64().ok_or("next_days")?)?;
    let (_, l) = lieu(case).ok_or("no lieu")?;
    let centre = Centre {
        id: t.centre_id.clone(),
        name: l["nom"].as_str().unwrap_or(name).to_string(),
        platform: spec.platform,
        booking_url: t.target.booking_url.clone(),
        address: None,
        insee: None,
        postcode: None,
        department: t.target.department.clone(),
        coordinates: None,
        kind: CentreType::VaccinationCentre,
        phone: None,
        opening_hours: Vec::new(),
        vaccines: Vec::new(),
        provenance: Provenance {
            platform: spec.platform,
            document: "expected_replay",
            platform_id: t.target.platform_id.clone(),
        },
    };
    let scans = [CentreScan {
        centre,
        result: ScanResult::Scanned(out.clone()),
        scanned_at: now.clone(),
        city: None,
        extra_sources: Vec::new(),
    }];
    let snap = build_snapshot(&scans, &[], &Visibility::default(), &now, days);
    let ours = export_v2(&snap, &now);
    let info = serde_json::to_value(&ours.info_centres)?;

    // The centre's list, next slot and count.
    let reference = &e["info_centres"];
    for list in ["centres_disponibles", "centres_indisponibles"] {
        let want = reference[list].as_array().map_or(0, Vec::len);
        let got = info[list].as_array().map_or(0, Vec::len);
        assert_eq!(got, want, "{name}: {list}");
    }
    if let Some(w) = reference["centres_disponibles"].get(0) {
        let g = &info["centres_disponibles"][0];
        assert_eq!(
            instant(text(&g["prochain_rdv"], "our prochain_rdv")?)?,
            instant(text(&w["prochain_rdv"], "prochain_rdv")?)?,
            "{name}: prochain_rdv (instants-in-paris-offset: compared as instants)"
        );
        let (rc, gc) = (
            w["appointment_count"].as_u64(),
            g["appointment_count"].as_u64(),
        );
        match spec.exceptions.iter().find_map(|x| match x {
            Exception::BeyondHorizonNotCounted { reference, vigie } => Some((*reference, *vigie)),
            _ => None,
        }) {
            Some((r, v)) => assert_eq!((rc, gc), (Some(r), Some(v)), "{name}: count"),
            None => assert_eq!(gc, rc, "{name}: appointment_count"),
        }
    }
    // Daily counts, per date and tag.
    let cq = e["creneaux_quotidiens"]
        .as_object()
        .ok_or("creneaux_quotidiens")?;
    for (dep, want) in cq {
        let got = serde_json::to_value(
            ours.creneaux_quotidiens
                .get(dep)
                .ok_or_else(|| format!("{name}: no daily counts for {dep}"))?,
        )?;
        let wd = want["creneaux_quotidiens"].as_array().ok_or("days")?;
        let gd = got["creneaux_quotidiens"].as_array().ok_or("our days")?;
        assert_eq!(gd.len(), wd.len(), "{name}: {dep} days");
        for (w, g) in wd.iter().zip(gd) {
            let date = text(&w["date"], "date")?;
            assert_eq!(g["date"], w["date"], "{name}: {dep}");
            assert_eq!(g["total"], w["total"], "{name}: {dep} {date} total");
            // One entry per centre with slots that day (the lieu ids are not compared:
            // Vigie's ids are not the reference's `internal_id`s).
            let lieux = |d: &Value| d["creneaux_par_lieu"].as_array().map_or(0, Vec::len);
            assert_eq!(lieux(g), lieux(w), "{name}: {dep} {date} lieux");
            let (wt, gt) = (tag_sums(w), tag_sums(g));
            for tag in wt.keys().chain(gt.keys()) {
                let (rw, rg) = (
                    wt.get(tag).copied().unwrap_or(0),
                    gt.get(tag).copied().unwrap_or(0),
                );
                if tag == "first_or_second_dose" && has(Exception::OncePerTag) {
                    assert_eq!(rw, 2 * rg, "{name}: {dep} {date} {tag} (once-per-tag)");
                } else {
                    assert_eq!(rg, rw, "{name}: {dep} {date} {tag}");
                }
            }
        }
    }
    Ok(())
}

fn tag_sums(day: &Value) -> BTreeMap<String, u64> {
    let mut tags = BTreeMap::new();
    for lieu in day["creneaux_par_lieu"].as_array().into_iter().flatten() {
        for t in lieu["creneaux_par_tag"].as_array().into_iter().flatten() {
            if let (Some(tag), Some(n)) = (t["tag"].as_str(), t["creneaux"].as_u64()) {
                *tags.entry(tag.to_string()).or_default() += n;
            }
        }
    }
    tags
}

/// Runs every connector case of `expected`, answering from `rr`; returns what was checked
/// and the cases that are not scans.
async fn run_all(expected: &Path, rr: &Path) -> R<(Vec<Checked>, Vec<String>)> {
    let prefixes: Vec<String> = Platform::ALL
        .iter()
        .map(|p| format!("{}_", p.slug()))
        .collect();
    let mut names: Vec<String> = std::fs::read_dir(expected)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".json") && prefixes.iter().any(|p| n.starts_with(p.as_str())))
        .collect();
    names.sort();
    let mut done = Vec::new();
    let mut not_scans = Vec::new();
    for name in names {
        let case = read_json(&expected.join(&name))?;
        if !case["output"]["http_calls"].is_array() {
            continue;
        }
        match plan(&name) {
            Some(Plan::Scan(spec)) => done.push(run_case(&name, &case, &spec, rr).await?),
            Some(Plan::NotAScan(why)) => {
                eprintln!("{name}: not a scan: {why}");
                not_scans.push(name);
            }
            None => return Err(format!("{name}: connector case without a plan").into()),
        }
    }
    Ok((done, not_scans))
}

#[tokio::test]
async fn connectors_conform_through_replay() -> R {
    let Some(expected) = vigie_testkit::shared("slots/expected") else {
        return Ok(());
    };
    let Some(rr) = vigie_testkit::shared("slots/recorded-responses") else {
        return Ok(());
    };
    let (done, not_scans) = run_all(&expected, &rr).await?;
    for c in &done {
        eprintln!(
            "{}: {} recorded calls, {} slots, exceptions {:?}",
            c.case, c.calls, c.slots, c.exceptions
        );
    }
    let covered: Vec<&str> = done.iter().map(|c| c.case.as_str()).collect();
    assert_eq!(
        covered,
        vec![
            "avecmondoc_fetch_same_page.json",
            "bimedoc_fetch_403.json",
            "bimedoc_fetch_available.json",
            "doctolib_basic.json",
            "doctolib_blocked_availabilities_403.json",
            "doctolib_blocked_booking_403.json",
            "doctolib_invalid_pid_corrected.json",
            "doctolib_next_slot_only.json",
            "doctolib_no_slots.json",
            "doctolib_phone_only.json",
            "keldoc_fetch_center1.json",
            "maiia_next_slot_date.json",
            "maiia_reasons.json",
            "mapharma_total_libres_zero.json",
            "mesoigner_fetch_unavailable.json",
            "ordoclic_phone_only.json",
            "valwin_fetch_available.json",
        ]
    );
    assert_eq!(
        not_scans,
        vec![
            "avecmondoc_center_iterator.json",
            "keldoc_parse_availability.json",
            "mapharma_centre_list.json",
            "mapharma_parse_slots.json",
            "ordoclic_centre_iterator.json",
            "ordoclic_parse_slots.json",
        ]
    );
    // Slots compared (one per place).
    let slots: BTreeMap<&str, usize> = done.iter().map(|c| (c.case.as_str(), c.slots)).collect();
    assert_eq!(slots["bimedoc_fetch_available.json"], 133);
    assert_eq!(slots["valwin_fetch_available.json"], 12);
    assert_eq!(slots["avecmondoc_fetch_same_page.json"], 24);
    assert_eq!(slots["doctolib_basic.json"], 1);
    Ok(())
}

/// The nine platforms are registered.
#[test]
fn available_connectors_cover_every_platform() {
    let c = Connectors::available();
    for p in Platform::ALL {
        let got = c.get(p).map(|x| x.platform());
        assert_eq!(got, Some(p), "{p:?}");
    }
}

/// `with_config` points every platform at the configured origin.
#[test]
fn configured_connectors_use_the_configured_origin() -> R {
    let base = "http://127.0.0.1:9";
    let c = Connectors::with_config(&vigie_slots::ConnectorConfig::all_at(base));
    let t = ScanTarget {
        booking_url: "https://app.bimedoc.com/application/scheduler/abc?vmd=true".into(),
        platform_id: "abc".into(),
        department: Some("62".into()),
        address: None,
        start: jiff::civil::date(2021, 8, 10),
        days: 11,
        platform_data: None,
    };
    let bimedoc = c.get(Platform::Bimedoc).ok_or("no Bimedoc connector")?;
    match bimedoc.start(&t)?.step(vec![])? {
        vigie_slots::Step::Send(r) => assert_eq!(
            r.iter().map(|r| r.url.as_str()).collect::<Vec<_>>(),
            vec![
                "http://127.0.0.1:9/vmd/pharmacy-with-slots/abc?start_date=2021-08-10&end_date=2021-08-21"
            ]
        ),
        other => panic!("unexpected step {other:?}"),
    }
    Ok(())
}

/// The repository's own case in the reference's format (fresh clone, no shared data).
#[tokio::test]
async fn own_fixture_case_through_replay() -> R {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected");
    let (done, not_scans) = run_all(&root.join("cases"), &root.join("recorded-responses")).await?;
    assert!(not_scans.is_empty());
    let got: Vec<(&str, usize, usize)> = done
        .iter()
        .map(|c| (c.case.as_str(), c.calls, c.slots))
        .collect();
    assert_eq!(got, vec![("bimedoc_own_small.json", 1, 4)]);
    Ok(())
}
