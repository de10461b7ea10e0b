//! Readers of the reference's expected cases (`../shared/data/slots/expected/`) and recorded
//! responses, shared by the conformance tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use vigie_slots::connector::ScanTarget;
use vigie_slots::{Dose, time};

/// An expected case, or `None` (reason printed) without the shared data.
pub fn expected(name: &str) -> Option<Value> {
    let p = vigie_testkit::shared(&format!("slots/expected/{name}"))?;
    Some(serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
}

/// A recorded response (only read once [`expected`] found the shared data).
pub fn recorded(name: &str) -> Vec<u8> {
    let p = vigie_testkit::shared(&format!("slots/recorded-responses/{name}")).unwrap();
    std::fs::read(p).unwrap()
}

pub fn recorded_json(name: &str) -> Value {
    serde_json::from_slice(&recorded(name)).unwrap()
}

pub fn paris() -> jiff::tz::TimeZone {
    time::paris().unwrap()
}

/// A reference `horaire` as an instant (naive strings are Paris local time).
pub fn instant(s: &str) -> jiff::Timestamp {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(_) => s
            .parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(paris())
            .unwrap()
            .timestamp(),
    }
}

/// The reference's doses (`["1", "2"]`, `[3]`, …), sorted.
pub fn reference_doses(v: &Value) -> Vec<Dose> {
    let mut out: Vec<Dose> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| Dose::from_reference_name(d.to_string().trim_matches('"')))
        .collect();
    out.sort();
    out
}

/// The reference's vaccine (a name, or the first of a list).
pub fn reference_vaccine(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The URLs of the `http_calls` under `output` (a case's `output`, or one of its parts).
pub fn call_urls(output: &Value) -> Vec<&str> {
    output["http_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap())
        .collect()
}

/// The scan target of a case's `inputs.request` in `department`.
pub fn target(case: &Value, department: &str, data: Option<Value>) -> ScanTarget {
    let req = &case["inputs"]["request"];
    ScanTarget {
        booking_url: req["url"].as_str().unwrap().into(),
        platform_id: String::new(),
        department: Some(department.into()),
        address: None,
        start: req["start_date"].as_str().unwrap().parse().unwrap(),
        days: 11,
        platform_data: data,
    }
}
