//! Bimedoc (`server.bimedoc.com/vmd`).
//!
//! One request per pharmacy: `GET /vmd/pharmacy-with-slots/{id}?start_date=&end_date=`
//! answers the pharmacy (name, coordinates `[lon, lat]`, address, phone, vaccines) and its
//! `slots[] {vaccine_name, datetime}`.
//!
//! **Time rule:** `datetime` is a true UTC instant (`2021-08-11T08:15:00Z` = 10:15 in Paris);
//! it is shown in the centre's zone.
//!
//! **Doses:** from the vaccine (boosters with mRNA vaccines only); a slot without a vaccine
//! label has unknown doses.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::connector::{Connector, Flow, Request, ScanTarget, Single};
use crate::error::{SlotError, from_json};
use crate::model::{Centre, CentreType, Coordinates, Platform, Provenance, ScanOutcome, Slot};
use crate::normalise::{phone_e164, possible_doses, vaccine_from_name};
use crate::time::{add_days, aware, zone_for_department};

const P: Platform = Platform::Bimedoc;

/// The pharmacy document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Pharmacy {
    pub id: Option<String>,
    pub name: Option<String>,
    pub coordinates: Option<Vec<f64>>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub phone_number: Option<String>,
    pub vaccine_names: Option<Vec<Option<String>>>,
    pub slots: Option<Vec<RawSlot>>,
}

/// One slot of the pharmacy document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawSlot {
    pub vaccine_name: Option<String>,
    pub datetime: Option<String>,
}

/// The slots URL of a pharmacy for `[start, start + days]`.
pub fn slots_url(id: &str, start: Date, days: u16) -> String {
    format!(
        "https://server.bimedoc.com/vmd/pharmacy-with-slots/{id}?start_date={start}&end_date={}",
        add_days(start, i64::from(days))
    )
}

/// The public booking URL of a pharmacy.
pub fn booking_url(id: &str) -> String {
    format!("https://app.bimedoc.com/application/scheduler/{id}?vmd=true")
}

/// Parses the pharmacy document.
pub fn parse_pharmacy(body: &[u8]) -> Result<Pharmacy, SlotError> {
    from_json(P, "pharmacy-with-slots", body)
}

/// The centre described by a pharmacy document (`None` without id or name).
pub fn centre(p: &Pharmacy, department: Option<String>) -> Option<Centre> {
    let id = p.id.clone()?;
    let name = p.name.clone()?;
    let coordinates = match p.coordinates.as_deref() {
        Some([lon, lat, ..]) => Some(Coordinates {
            longitude: *lon,
            latitude: *lat,
        }),
        _ => None,
    };
    let address = match (&p.street, &p.postcode, &p.city) {
        (Some(s), Some(cp), Some(c)) => Some(format!("{s}, {cp} {c}")),
        (Some(s), _, _) => Some(s.clone()),
        _ => None,
    };
    let mut vaccines = Vec::new();
    for v in p.vaccine_names.iter().flatten().flatten() {
        if let Some(v) = vaccine_from_name(v)
            && !vaccines.contains(&v)
        {
            vaccines.push(v);
        }
    }
    Some(Centre {
        id: format!("bimedoc:{id}"),
        name,
        platform: P,
        booking_url: booking_url(&id),
        address,
        insee: None,
        postcode: p.postcode.clone(),
        department,
        coordinates,
        kind: CentreType::Pharmacy,
        phone: p.phone_number.as_deref().and_then(phone_e164),
        opening_hours: Vec::new(),
        vaccines,
        provenance: Provenance {
            platform: P,
            document: "bimedoc pharmacy-with-slots",
            platform_id: id,
        },
    })
}

/// The bookable slots of a pharmacy document. Slots without `datetime` are skipped.
pub fn slots(p: &Pharmacy, tz: &TimeZone, booking_url: &str) -> Result<Vec<Slot>, SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let mut out = Vec::new();
    for raw in p.slots.iter().flatten() {
        let Some(dt) = raw.datetime.as_deref() else {
            continue;
        };
        let label = raw.vaccine_name.as_deref().unwrap_or("").trim();
        let vaccine = vaccine_from_name(label);
        out.push(Slot {
            start: aware(P, "slots[].datetime", dt, tz)?,
            doses: if label.is_empty() {
                Vec::new()
            } else {
                possible_doses(vaccine)
            },
            vaccine,
            booking_url: std::sync::Arc::clone(&shared_url),
            places: 1,
        });
    }
    Ok(out)
}

/// The whole scan from the pharmacy body.
pub fn scan(body: &[u8], tz: &TimeZone, booking_url: &str) -> Result<ScanOutcome, SlotError> {
    let p = parse_pharmacy(body)?;
    let mut out = ScanOutcome::default();
    let slots = slots(&p, tz, booking_url)?;
    for s in &slots {
        out.add_vaccine(s.vaccine);
    }
    out.platform_count = Some(slots.len() as u64);
    out.push_slots(slots);
    Ok(out)
}

/// The Bimedoc flow: one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bimedoc;

impl Connector for Bimedoc {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let tz = zone_for_department(target.department.as_deref())?;
        let booking_url = target.booking_url.clone();
        let request = Request::get(
            slots_url(&target.platform_id, target.start, target.days),
            "slots",
        );
        Ok(Single::boxed(P, request, move |ex| {
            scan(&ex.body, &tz, &booking_url)
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::connector::{Exchange, Step};
    use crate::model::{Dose, Vaccine};

    const BODY: &str = r#"{"id":"abc","name":"Pharmacie X","coordinates":[2.25,50.75],
        "street":"51 Place","city":"Saint-Omer","postcode":"62500","phone_number":"0321382253",
        "vaccine_names":["COMIRNATY Pfizer-BioNTech"],
        "slots":[{"vaccine_name":"COMIRNATY Pfizer-BioNTech","datetime":"2021-08-11T08:15:00Z"},
                 {"vaccine_name":null,"datetime":null}]}"#;

    #[test]
    fn parses_pharmacy_and_slots() {
        let tz = crate::time::paris().unwrap();
        let p = parse_pharmacy(BODY.as_bytes()).unwrap();
        let c = centre(&p, Some("62".into())).unwrap();
        assert_eq!(c.phone.as_deref(), Some("+33321382253"));
        assert_eq!(c.vaccines, vec![Vaccine::PfizerBioNTech]);
        let s = slots(&p, &tz, "u").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0].start.to_string(),
            "2021-08-11T10:15:00+02:00[Europe/Paris]"
        );
        assert_eq!(s[0].doses, vec![Dose::First, Dose::Second, Dose::Booster]);
    }

    #[test]
    fn connector_flow_and_403() {
        let target = ScanTarget {
            booking_url: booking_url("abc"),
            platform_id: "abc".into(),
            department: Some("62".into()),
            address: None,
            start: jiff::civil::date(2021, 8, 10),
            days: 11,
            platform_data: None,
        };
        let mut flow = Bimedoc.start(&target).unwrap();
        let Ok(Step::Send(reqs)) = flow.step(vec![]) else {
            panic!("expected a request")
        };
        assert_eq!(
            reqs[0].url,
            "https://server.bimedoc.com/vmd/pharmacy-with-slots/abc?start_date=2021-08-10&end_date=2021-08-21"
        );
        let mut ex = Exchange {
            request: reqs[0].clone(),
            status: 403,
            body: Vec::new(),
        };
        assert!(matches!(
            flow.step(vec![ex.clone()]),
            Err(SlotError::Blocked { .. })
        ));
        ex.status = 200;
        ex.body = BODY.as_bytes().to_vec();
        let mut flow = Bimedoc.start(&target).unwrap();
        assert!(matches!(
            flow.step(vec![ex.clone()]),
            Err(SlotError::Protocol {
                sent: 0,
                received: 1,
                ..
            })
        ));
        let mut flow = Bimedoc.start(&target).unwrap();
        assert!(matches!(flow.step(vec![]), Ok(Step::Send(_))));
        let Ok(Step::Done(out)) = flow.step(vec![ex]) else {
            panic!("expected done")
        };
        assert_eq!(out.slots.len(), 1);
    }
}
