//! Ordoclic (`api.ordoclic.fr`).
//!
//! Discovery `GET /v1/public/search?…` → `items[]` (pharmacies kept); profile
//! `GET /v1/public/entities/profile/{slug}` (`attributeValues` `booking_settings.option ==
//! "any"` → phone only; `entityId`; `publicProfessionals[].id`); reasons
//! `GET /v1/solar/entities/{entityId}/reasons`; slots `POST /v1/solar/slots/availableSlots` →
//! `{slots[] {timeStart, timeStartUtcOffset}, nextAvailableSlotDate}`.
//!
//! **Time rule:** `timeStart` and `nextAvailableSlotDate` are true UTC instants (`…Z`,
//! `timeStartUtcOffset` is the Paris offset in minutes); they are shown in the centre's
//! zone. The reference added the offset and kept the `+00:00` label, and shifted
//! `nextAvailableSlotDate` by a fixed hour (see `DEVIATIONS.md`).

use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::Value;

use crate::connector::{
    Connector, Exchange, Flow, Request, ScanTarget, Step, check_status, expect_answers,
    only_answer, stepped_after_done,
};
use crate::error::{SlotError, from_json};
use crate::model::{
    Centre, CentreType, Coordinates, Dose, Platform, Provenance, ScanOutcome, Slot, Vaccine,
};
use crate::normalise::{phone_e164, vaccine_from_name};
use crate::time::{add_days, aware, zone_for_department};

const P: Platform = Platform::Ordoclic;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawProfile {
    #[serde(rename = "entityId")]
    entity_id: Option<String>,
    #[serde(rename = "attributeValues")]
    attribute_values: Option<Vec<Attribute>>,
    #[serde(rename = "publicProfessionals")]
    public_professionals: Option<Vec<Professional>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Attribute {
    label: Option<String>,
    value: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Professional {
    id: Option<String>,
}

/// What the profile says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub entity_id: Option<String>,
    pub phone_only: bool,
    pub professional_ids: Vec<String>,
}

/// Parses an entity profile.
pub fn parse_profile(body: &[u8]) -> Result<Profile, SlotError> {
    let p: RawProfile = from_json(P, "profile", body)?;
    let phone_only = p.attribute_values.iter().flatten().any(|a| {
        a.label.as_deref() == Some("booking_settings")
            && a.value
                .as_ref()
                .and_then(|v| v.get("option"))
                .and_then(Value::as_str)
                == Some("any")
    });
    Ok(Profile {
        entity_id: p.entity_id,
        phone_only,
        professional_ids: p
            .public_professionals
            .into_iter()
            .flatten()
            .filter_map(|x| x.id)
            .collect(),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawReasons {
    reasons: Option<Vec<RawReason>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawReason {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "canBookOnline")]
    can_book_online: Option<bool>,
    #[serde(rename = "vaccineInjectionDose")]
    vaccine_injection_dose: Option<Value>,
}

/// A bookable vaccination reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub id: String,
    pub name: String,
    pub dose: Option<Dose>,
    pub vaccine: Option<Vaccine>,
}

/// The valid reasons: bookable online and carrying a vaccine injection dose.
pub fn parse_reasons(body: &[u8]) -> Result<Vec<Reason>, SlotError> {
    let r: RawReasons = from_json(P, "reasons", body)?;
    Ok(r.reasons
        .into_iter()
        .flatten()
        .filter(|r| r.can_book_online == Some(true))
        .filter_map(|r| {
            let dose = match r.vaccine_injection_dose.as_ref()?.as_i64()? {
                1 => Some(Dose::First),
                2 => Some(Dose::Second),
                n if n >= 3 => Some(Dose::Booster),
                _ => None,
            };
            let name = r.name.unwrap_or_default();
            Some(Reason {
                id: r.id?,
                vaccine: vaccine_from_name(&name),
                name,
                dose,
            })
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlots {
    slots: Option<Vec<RawSlot>>,
    #[serde(rename = "nextAvailableSlotDate")]
    next: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RawSlot {
    #[serde(rename = "timeStart")]
    time_start: Option<String>,
}

/// Parses an `availableSlots` answer for a reason into `out`.
pub fn parse_slots(
    body: &[u8],
    doses: &[Dose],
    vaccine: Option<Vaccine>,
    tz: &TimeZone,
    booking_url: &str,
    out: &mut ScanOutcome,
) -> Result<(), SlotError> {
    // One allocation of the URL per answer, shared by its slots.
    let shared_url: std::sync::Arc<str> = booking_url.into();
    let r: RawSlots = from_json(P, "availableSlots", body)?;
    let mut slots = Vec::new();
    for s in r.slots.iter().flatten() {
        let Some(t) = s.time_start.as_deref() else {
            continue;
        };
        slots.push(Slot {
            start: aware(P, "slots[].timeStart", t, tz)?,
            doses: doses.to_vec(),
            vaccine,
            booking_url: std::sync::Arc::clone(&shared_url),
            places: 1,
        });
    }
    if !slots.is_empty() {
        out.add_vaccine(vaccine);
    }
    out.push_slots(slots);
    if let Some(n) = r.next.as_deref() {
        out.hint(aware(P, "nextAvailableSlotDate", n, tz)?);
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Search {
    items: Option<Vec<SearchItem>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct SearchItem {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    phone: Option<String>,
    location: Option<Location>,
    #[serde(rename = "publicProfile")]
    public_profile: Option<PublicProfile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Location {
    zip: Option<String>,
    address: Option<String>,
    city: Option<String>,
    coordinates: Option<LonLat>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct LonLat {
    lon: Option<f64>,
    lat: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PublicProfile {
    slug: Option<String>,
}

/// The pharmacies of a search answer (`type == "Pharmacie"`, with id, name and slug).
pub fn parse_search(body: &[u8]) -> Result<Vec<Centre>, SlotError> {
    let s: Search = from_json(P, "search", body)?;
    Ok(s.items
        .into_iter()
        .flatten()
        .filter(|i| i.kind.as_deref() == Some("Pharmacie"))
        .filter_map(|i| {
            let id = i.id?;
            let slug = i.public_profile?.slug?;
            let loc = i.location.unwrap_or_default();
            let address = match (&loc.address, &loc.zip, &loc.city) {
                (Some(a), Some(z), Some(c)) => Some(format!("{a}, {z} {c}")),
                _ => None,
            };
            let coordinates = loc.coordinates.and_then(|c| {
                Some(Coordinates {
                    longitude: c.lon?,
                    latitude: c.lat?,
                })
            });
            Some(Centre {
                id: format!("ordoclic:{id}"),
                name: i.name?,
                platform: P,
                booking_url: format!("https://app.ordoclic.fr/app/pharmacie/{slug}"),
                address,
                insee: None,
                postcode: loc.zip,
                department: None,
                coordinates,
                kind: CentreType::Pharmacy,
                phone: i
                    .phone
                    .as_deref()
                    .filter(|p| p.len() > 3)
                    .and_then(phone_e164),
                opening_hours: Vec::new(),
                vaccines: Vec::new(),
                provenance: Provenance {
                    platform: P,
                    document: "ordoclic search",
                    platform_id: id,
                },
            })
        })
        .collect())
}

/// The profile URL of a booking URL (`…/pharmacien|medecin/{slug}` → professionals).
pub fn profile_url(booking_url: &str) -> Option<String> {
    let path = booking_url.split('?').next()?.trim_end_matches('/');
    let mut parts = path.rsplit('/');
    let slug = parts.next().filter(|s| !s.is_empty())?;
    let parent = parts.next().unwrap_or("");
    Some(if matches!(parent, "pharmacien" | "medecin") {
        format!("https://api.ordoclic.fr/v1/professionals/profile/{slug}")
    } else {
        format!("https://api.ordoclic.fr/v1/public/entities/profile/{slug}")
    })
}

/// The reasons URL of an entity.
pub fn reasons_url(entity_id: &str) -> String {
    format!("https://api.ordoclic.fr/v1/solar/entities/{entity_id}/reasons")
}

/// The available-slots URL (POST).
pub const SLOTS_URL: &str = "https://api.ordoclic.fr/v1/solar/slots/availableSlots";

/// The JSON body of an available-slots query over `[start, start + days)` (UTC midnights).
/// The reference sent `dateStart = "<start>T23:59:59.000Z"`, which skipped the whole first
/// day; Vigie starts at midnight (see `DEVIATIONS.md`).
pub fn slots_body(
    entity_id: &str,
    professional_id: &str,
    reason_id: &str,
    start: jiff::civil::Date,
    days: u16,
) -> Value {
    serde_json::json!({
        "entityId": entity_id,
        "medicalStaffId": professional_id,
        "reasonId": reason_id,
        "dateEnd": format!("{}T00:00:00.000Z", add_days(start, i64::from(days))),
        "dateStart": format!("{start}T00:00:00.000Z"),
    })
}

/// The Ordoclic flow: profile (phone only → done), reasons of the entity, then one
/// available-slots POST per professional and valid reason.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ordoclic;

impl Connector for Ordoclic {
    fn platform(&self) -> Platform {
        P
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        let url = profile_url(&target.booking_url).ok_or(SlotError::Url {
            platform: P,
            url: target.booking_url.clone(),
            reason: "no profile slug",
        })?;
        Ok(Box::new(OrdoclicFlow {
            profile_url: url,
            tz: zone_for_department(target.department.as_deref())?,
            target: target.clone(),
            phase: Phase::Start,
        }))
    }
}

/// Where an Ordoclic scan is.
enum Phase {
    Start,
    /// The profile was asked.
    Profile,
    /// The reasons of the profile's entity were asked.
    Reasons(Profile),
    /// One slots request per (professional, reason) was sent.
    Slots(Vec<Reason>),
    Finished,
}

struct OrdoclicFlow {
    profile_url: String,
    tz: TimeZone,
    target: ScanTarget,
    phase: Phase,
}

impl Flow for OrdoclicFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        let t = &self.target;
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Start => {
                expect_answers(P, 0, &answers)?;
                self.phase = Phase::Profile;
                Ok(Step::Send(vec![Request::get(
                    self.profile_url.clone(),
                    "booking",
                )]))
            }
            Phase::Profile => {
                let ex = only_answer(P, &answers)?;
                check_status(P, ex)?;
                let profile = parse_profile(&ex.body)?;
                if profile.phone_only {
                    return Ok(Step::Done(ScanOutcome {
                        phone_only: true,
                        ..ScanOutcome::default()
                    }));
                }
                let Some(entity) = profile.entity_id.as_deref() else {
                    return Ok(Step::Done(ScanOutcome::default()));
                };
                let request = Request::get(reasons_url(entity), "motives");
                self.phase = Phase::Reasons(profile);
                Ok(Step::Send(vec![request]))
            }
            Phase::Reasons(profile) => {
                let ex = only_answer(P, &answers)?;
                check_status(P, ex)?;
                let reasons = parse_reasons(&ex.body)?;
                let entity = profile.entity_id.as_deref().unwrap_or_default();
                let mut requests = Vec::new();
                let mut asked = Vec::new();
                for professional in &profile.professional_ids {
                    for reason in &reasons {
                        let body = slots_body(entity, professional, &reason.id, t.start, t.days);
                        requests.push(Request::post(SLOTS_URL.to_string(), body, "slots"));
                        asked.push(reason.clone());
                    }
                }
                if requests.is_empty() {
                    return Ok(Step::Done(ScanOutcome::default()));
                }
                self.phase = Phase::Slots(asked);
                Ok(Step::Send(requests))
            }
            Phase::Slots(asked) => {
                expect_answers(P, asked.len(), &answers)?;
                let mut out = ScanOutcome::default();
                for (reason, ex) in asked.iter().zip(&answers) {
                    check_status(P, ex)?;
                    let doses: Vec<Dose> = reason.dose.into_iter().collect();
                    parse_slots(
                        &ex.body,
                        &doses,
                        reason.vaccine,
                        &self.tz,
                        &t.booking_url,
                        &mut out,
                    )?;
                }
                Ok(Step::Done(out))
            }
            Phase::Finished => Err(stepped_after_done(P, &answers)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn profile_reasons_slots() {
        let p = parse_profile(br#"{"entityId":"e","attributeValues":[{"label":"booking_settings","value":{"option":"any"}}],"publicProfessionals":[{"id":"x"}]}"#).unwrap();
        assert!(p.phone_only);
        assert_eq!(p.professional_ids, vec!["x".to_string()]);
        let r = parse_reasons(br#"{"reasons":[{"id":"a","name":"Vaccination Pfizer","canBookOnline":true,"vaccineInjectionDose":1},
            {"id":"b","name":"Urgence","canBookOnline":false},{"id":"c","name":"X","canBookOnline":true}]}"#).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].vaccine, Some(Vaccine::PfizerBioNTech));
        let tz = crate::time::paris().unwrap();
        let mut out = ScanOutcome::default();
        parse_slots(br#"{"slots":[{"timeStart":"2021-04-19T15:00:00Z","timeStartUtcOffset":120}],"nextAvailableSlotDate":null}"#,
            &[Dose::First], r[0].vaccine, &tz, "u", &mut out).unwrap();
        assert_eq!(
            out.slots[0].start.to_string(),
            "2021-04-19T17:00:00+02:00[Europe/Paris]"
        );
        parse_slots(
            br#"{"slots":[],"nextAvailableSlotDate":"2021-06-12T10:30:00Z"}"#,
            &[],
            None,
            &tz,
            "u",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out.next_hint.unwrap().to_string(),
            "2021-06-12T12:30:00+02:00[Europe/Paris]"
        );
        assert_eq!(
            profile_url("https://app.ordoclic.fr/app/pharmacie/pharmacie-oceane-paris").as_deref(),
            Some("https://api.ordoclic.fr/v1/public/entities/profile/pharmacie-oceane-paris")
        );
    }
}
