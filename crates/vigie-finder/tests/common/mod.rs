//! Test helpers: building centres, slots and scans from the reference's event streams.
#![allow(dead_code)]

use jiff::Zoned;
use jiff::tz::TimeZone;
use serde_json::Value;
use vigie_finder::snapshot::{CentreScan, ScanResult};
use vigie_slots::{
    Centre, CentreType, Coordinates, Dose, OpeningHours, Platform, Provenance, ScanOutcome, Slot,
    Vaccine,
};

pub type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub fn paris() -> R<TimeZone> {
    Ok(TimeZone::get("Europe/Paris")?)
}

pub fn zoned(s: &str) -> R<Zoned> {
    // "2021-05-26T21:34:00+02:00" → Paris zone
    Ok(s.parse::<jiff::Timestamp>()?.to_zoned(paris()?))
}

pub fn platform_of(name: &str) -> R<Platform> {
    Platform::ALL
        .into_iter()
        .find(|p| p.reference_name() == name || p.slug() == name)
        .ok_or_else(|| format!("unknown platform {name}").into())
}

pub fn centre(id: &str, name: &str, platform: Platform, dep: &str, lat: f64, lon: f64) -> Centre {
    Centre {
        id: id.to_string(),
        name: name.to_string(),
        platform,
        booking_url: format!("https://example.org/{id}"),
        address: None,
        insee: None,
        postcode: None,
        department: Some(dep.to_string()),
        coordinates: Some(Coordinates {
            longitude: lon,
            latitude: lat,
        }),
        kind: CentreType::VaccinationCentre,
        phone: None,
        opening_hours: Vec::new(),
        vaccines: Vec::new(),
        provenance: Provenance {
            platform,
            document: "test",
            platform_id: id.to_string(),
        },
    }
}

pub fn slot(start: &str, doses: Vec<Dose>, vaccine: Option<Vaccine>, places: u32) -> R<Slot> {
    Ok(Slot {
        start: zoned(start)?,
        doses,
        vaccine,
        booking_url: "https://example.org/book".into(),
        places,
    })
}

pub fn scanned(c: Centre, slots: Vec<Slot>, at: &Zoned) -> CentreScan {
    let mut o = ScanOutcome::default();
    o.push_slots(slots);
    CentreScan {
        centre: c,
        result: ScanResult::Scanned(o),
        scanned_at: at.clone(),
        city: None,
        extra_sources: Vec::new(),
    }
}

fn weekday(s: &str) -> Option<jiff::civil::Weekday> {
    use jiff::civil::Weekday::*;
    Some(match s.to_lowercase().as_str() {
        "lundi" => Monday,
        "mardi" => Tuesday,
        "mercredi" => Wednesday,
        "jeudi" => Thursday,
        "vendredi" => Friday,
        "samedi" => Saturday,
        "dimanche" => Sunday,
        _ => return None,
    })
}

/// A Vigie centre from a reference `Lieu` / v2 centre object.
pub fn centre_from_lieu(l: &Value) -> R<(Centre, Option<String>)> {
    let s = |k: &str| l.get(k).and_then(Value::as_str).map(str::to_string);
    let platform = platform_of(&s("plateforme").ok_or("no plateforme")?)?;
    let url = s("url").ok_or("no url")?;
    let id = s("internal_id").unwrap_or_else(|| url.clone());
    let loc = l.get("location").filter(|v| !v.is_null());
    let meta = l.get("metadata").filter(|v| !v.is_null());
    let kind = match s("lieu_type").or_else(|| s("type")).as_deref() {
        Some("drugstore") => CentreType::Pharmacy,
        Some("general-practitioner") => CentreType::GeneralPractitioner,
        Some("vaccination-center") => CentreType::VaccinationCentre,
        _ => CentreType::Other,
    };
    let mut hours = Vec::new();
    if let Some(Value::Object(bh)) = meta.and_then(|m| m.get("business_hours")) {
        for (k, v) in bh {
            if let (Some(day), Some(r)) = (weekday(k), v.as_str()) {
                hours.push(OpeningHours {
                    day,
                    ranges: r.split(", ").map(str::to_string).collect(),
                });
            }
        }
    }
    let c = Centre {
        id: id.clone(),
        name: s("nom").ok_or("no nom")?,
        platform,
        booking_url: url,
        address: meta
            .and_then(|m| m.get("address"))
            .and_then(Value::as_str)
            .map(str::to_string),
        insee: None,
        postcode: loc
            .and_then(|m| m.get("cp"))
            .and_then(Value::as_str)
            .map(str::to_string),
        department: s("departement"),
        coordinates: loc.and_then(|m| {
            Some(Coordinates {
                longitude: m.get("longitude")?.as_f64()?,
                latitude: m.get("latitude")?.as_f64()?,
            })
        }),
        kind,
        phone: meta
            .and_then(|m| m.get("phone_number"))
            .and_then(Value::as_str)
            .map(str::to_string),
        opening_hours: hours,
        vaccines: Vec::new(),
        provenance: Provenance {
            platform,
            document: "reference lieu",
            platform_id: id,
        },
    };
    let city = loc
        .and_then(|m| m.get("city"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((c, city))
}

fn dose_of(v: &Value) -> Option<Dose> {
    match v {
        Value::String(s) => Dose::from_reference_name(s),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(Dose::First),
            Some(2) => Some(Dose::Second),
            Some(3) => Some(Dose::Booster),
            _ => None,
        },
        _ => None,
    }
}

fn vaccine_of(name: &str) -> Option<Vaccine> {
    [
        Vaccine::PfizerBioNTech,
        Vaccine::Moderna,
        Vaccine::Mrna,
        Vaccine::AstraZeneca,
        Vaccine::Janssen,
    ]
    .into_iter()
    .find(|v| v.reference_name() == name)
}

/// A Vigie slot from a reference `Creneau` event (naive times are Paris wall-clock;
/// aware ones keep their instant, shown in Paris; a list of vaccines keeps the first).
pub fn slot_from_event(e: &Value) -> R<Slot> {
    let h = e
        .get("horaire")
        .and_then(Value::as_str)
        .ok_or("no horaire")?;
    let tz = paris()?;
    let start = if e.get("horaire_is_aware").and_then(Value::as_bool) == Some(true) {
        h.parse::<jiff::Timestamp>()?.to_zoned(tz)
    } else {
        h.parse::<jiff::civil::DateTime>()?.to_zoned(tz)?
    };
    let doses = match e.get("dose") {
        Some(Value::Array(a)) => a.iter().filter_map(dose_of).collect(),
        _ => Vec::new(),
    };
    let vaccine = match e.get("type_vaccin") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).and_then(vaccine_of),
        Some(Value::String(s)) => vaccine_of(s),
        _ => None,
    };
    Ok(Slot {
        start,
        doses,
        vaccine,
        booking_url: e
            .get("reservation_url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
        places: 1,
    })
}

/// Folds an event stream into one scan per centre. With `last_scan_wins`, a `PasDeCreneau`
/// after `Creneau`s of the same centre is a newer scan that found nothing (Vigie's rule);
/// without it, only the `Creneau`s count (the scan that found slots).
pub fn scans_from_events(
    events: &[Value],
    lieux: &[(String, Centre, Option<String>)],
    at: &Zoned,
    last_scan_wins: bool,
) -> R<Vec<CentreScan>> {
    let mut out: Vec<CentreScan> = Vec::new();
    for e in events {
        let key = e
            .get("lieu_internal_id")
            .and_then(Value::as_str)
            .unwrap_or("null")
            .to_string();
        let (_, c, city) = lieux
            .iter()
            .find(|(k, _, _)| *k == key)
            .ok_or_else(|| format!("no lieu {key}"))?;
        let pos = match out.iter().position(|s| s.centre.id == c.id) {
            Some(p) => p,
            None => {
                let mut s = scanned(c.clone(), Vec::new(), at);
                s.city = city.clone();
                out.push(s);
                out.len() - 1
            }
        };
        let ScanResult::Scanned(o) = &mut out[pos].result else {
            continue;
        };
        match e.get("kind").and_then(Value::as_str) {
            Some("Creneau") => o.slots.push(slot_from_event(e)?),
            Some("PasDeCreneau") => {
                if last_scan_wins {
                    o.slots.clear();
                }
                o.phone_only = e
                    .get("phone_only")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
            }
            _ => {}
        }
    }
    Ok(out)
}
