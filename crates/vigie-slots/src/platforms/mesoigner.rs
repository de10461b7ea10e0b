//! mesoigner (`www.mesoigner.fr/api/v1/vaccination`).
//!
//! Centre list: `GET /centers` → `[{id, name, rdv_site_web, zipcode, adress_street,
//! adress_city, position{latitude, longitude} (strings), opening_hours[{day 1..7, ranges}],
//! center_type, phone_number, booking_disabled}]`.
//! Slots: `GET /centers/{id}/{YYYY-MM-DD}` → `{total, slots:[{"YYYY-MM-DD": [{slot_beginning,
//! available_vaccines[], number_of_slots}]}]}`.
//!
//! **Time rule:** `slot_beginning` carries its offset (`2021-06-16T14:50:00+02:00`): the
//! instant is kept. The day keys are not used (one recorded key is `2021-06-185`).
//!
//! **Places:** `number_of_slots` (the reference emitted one event per entry whatever the
//! number). **Vaccine:** the first recognised label of `available_vaccines`; **doses:** the
//! union over the labels (bivalent BA.1/BA.5 boosters are booster-only).

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::connector::{Connector, Flow, Request, ScanTarget, Single};
use crate::error::{SlotError, from_json};
use crate::model::{
    Centre, CentreType, Coordinates, OpeningHours, Platform, Provenance, ScanOutcome, Slot,
};
use crate::normalise::{phone_e164, possible_doses_for_labels, vaccine_from_name};
use crate::time::{aware, zone_for_department};

const P: Platform = Platform::Mesoigner;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SlotsDoc {
    pub total: Option<u64>,
    pub slots: Option<Vec<std::collections::BTreeMap<String, Option<Vec<Entry>>>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Entry {
    pub slot_beginning: Option<String>,
    pub available_vaccines: Option<Vec<Option<String>>>,
    pub number_of_slots: Option<u32>,
}

/// The slots URL of a centre from `start`.
pub fn slots_url(id: &str, start: Date) -> String {
    format!("https://www.mesoigner.fr/api/v1/vaccination/centers/{id}/{start}")
}

/// Parses a slots document.
pub fn scan(body: &[u8], tz: &TimeZone, booking_url: &str) -> Result<ScanOutcome, SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let doc: SlotsDoc = from_json(P, "slots", body)?;
    let mut out = ScanOutcome {
        platform_count: doc.total,
        ..ScanOutcome::default()
    };
    let mut slots = Vec::new();
    for day in doc.slots.iter().flatten() {
        for entry in day.values().flatten().flatten() {
            let Some(start) = entry.slot_beginning.as_deref() else {
                continue;
            };
            let labels: Vec<&str> = entry
                .available_vaccines
                .iter()
                .flatten()
                .flatten()
                .map(String::as_str)
                .collect();
            let vaccine = labels.iter().find_map(|l| vaccine_from_name(l));
            out.add_vaccine(vaccine);
            slots.push(Slot {
                start: aware(P, "slots[].slot_beginning", start, tz)?,
                doses: possible_doses_for_labels(&labels),
                vaccine,
                booking_url: std::sync::Arc::clone(&shared_url),
                places: entry.number_of_slots.unwrap_or(1),
            });
        }
    }
    out.push_slots(slots);
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListedCentre {
    pub id: Option<serde_json::Value>,
    pub name: Option<String>,
    pub rdv_site_web: Option<String>,
    pub zipcode: Option<String>,
    pub adress_street: Option<String>,
    pub adress_city: Option<String>,
    pub position: Option<Position>,
    pub opening_hours: Option<Vec<DayHours>>,
    pub center_type: Option<String>,
    pub phone_number: Option<String>,
    pub booking_disabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Position {
    pub latitude: Option<serde_json::Value>,
    pub longitude: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DayHours {
    pub day: Option<i8>,
    pub ranges: Option<Vec<Vec<String>>>,
}

fn number(v: &Option<serde_json::Value>) -> Option<f64> {
    match v.as_ref()? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn weekday(day: i8) -> Option<Weekday> {
    Weekday::from_monday_one_offset(day).ok()
}

/// Parses the centre list; entries without id, name or booking URL are skipped.
pub fn parse_centres(body: &[u8]) -> Result<Vec<Centre>, SlotError> {
    let list: Vec<ListedCentre> = from_json(P, "centers", body)?;
    Ok(list.iter().filter_map(listed_centre).collect())
}

fn listed_centre(c: &ListedCentre) -> Option<Centre> {
    let id = match c.id.as_ref()? {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let coordinates = c.position.as_ref().and_then(|p| {
        Some(Coordinates {
            latitude: number(&p.latitude)?,
            longitude: number(&p.longitude)?,
        })
    });
    let kind = match c.center_type.as_deref().map(str::to_lowercase).as_deref() {
        Some("pharmacie") => CentreType::Pharmacy,
        Some("médecin") | Some("medecin") => CentreType::GeneralPractitioner,
        Some("centre de vaccination") => CentreType::VaccinationCentre,
        _ => CentreType::Other,
    };
    let address = match (&c.adress_street, &c.zipcode, &c.adress_city) {
        (Some(s), Some(z), Some(city)) => Some(format!("{s}, {z} {city}")),
        (Some(s), _, _) => Some(s.clone()),
        _ => None,
    };
    let opening_hours = c
        .opening_hours
        .iter()
        .flatten()
        .filter_map(|d| {
            Some(OpeningHours {
                day: weekday(d.day?)?,
                ranges: d
                    .ranges
                    .iter()
                    .flatten()
                    .filter(|r| r.len() == 2)
                    .map(|r| format!("{}-{}", r[0], r[1]))
                    .collect(),
            })
        })
        .collect();
    Some(Centre {
        id: format!("mesoigner:{id}"),
        name: c.name.clone()?,
        platform: P,
        booking_url: c.rdv_site_web.clone()?,
        address,
        insee: None,
        postcode: c.zipcode.clone(),
        department: None,
        coordinates,
        kind,
        phone: c.phone_number.as_deref().and_then(phone_e164),
        opening_hours,
        vaccines: Vec::new(),
        provenance: Provenance {
            platform: P,
            document: "mesoigner centers",
            platform_id: id,
        },
    })
}

/// The mesoigner flow: one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mesoigner;

impl Connector for Mesoigner {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let tz = zone_for_department(target.department.as_deref())?;
        let booking_url = target.booking_url.clone();
        let request = Request::get(slots_url(&target.platform_id, target.start), "slots");
        Ok(Single::boxed(P, request, move |ex| {
            scan(&ex.body, &tz, &booking_url)
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Dose, Vaccine};

    #[test]
    fn slots_and_centres() {
        let body = r#"{"total": 3, "slots": [
            {"2021-06-16": [{"slot_beginning": "2021-06-16T14:50:00+02:00", "available_vaccines": ["Moderna BA.1"], "number_of_slots": 2}]},
            {"2021-06-185": []}, {"2021-06-17": null},
            {"2021-07-26": [{"slot_beginning": "2021-07-26T14:30:00+02:00", "available_vaccines": ["AstraZeneca"]}]}]}"#;
        let tz = crate::time::paris().unwrap();
        let out = scan(body.as_bytes(), &tz, "u").unwrap();
        assert_eq!(out.slots.len(), 2);
        assert_eq!(out.slots[0].places, 2);
        assert_eq!(out.slots[0].doses, vec![Dose::Booster]);
        assert_eq!(out.slots[1].doses, vec![Dose::First, Dose::Second]);
        assert_eq!(out.vaccines, vec![Vaccine::Moderna, Vaccine::AstraZeneca]);

        let centres = r#"[{"id": "1707", "name": "Pharmacie Grizard", "rdv_site_web": "https://p", "zipcode": "39120",
            "adress_street": "6 Rue", "adress_city": "CHAUSSIN", "position": {"latitude": "46.96", "longitude": "5.40"},
            "opening_hours": [{"day": 1, "ranges": [["09:00", "12:00"]]}, {"day": 7, "ranges": null}],
            "center_type": "pharmacie", "phone_number": "+33384818141"}, {"id": null}]"#;
        let cs = parse_centres(centres.as_bytes()).unwrap();
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].kind, CentreType::Pharmacy);
        assert_eq!(
            cs[0].opening_hours[0].ranges,
            vec!["09:00-12:00".to_string()]
        );
        assert_eq!(cs[0].opening_hours[1].day, Weekday::Sunday);
    }
}
