//! What accepted contributions change in the slot finder's data (pure).
//!
//! The next scan reads the [`Overlay`]: accepted missing centres are added to the centre
//! lists (as records of the document `contributions`), accepted corrections replace the
//! field over the official list and the platform data, and centres reported closed or not a
//! vaccination place are hidden and listed, with the reason, in the public blocklist. Every
//! change carries its provenance (contribution id, decision time, moderator), which the
//! snapshot publishes on the centre ([`Overlay::marks`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vigie_finder::ContributionMark;
use vigie_slots::centres::{
    CentreRecord, CentreSource, clean_url, department_of_insee, platform_id, postcode_and_city,
    route,
};
use vigie_slots::model::{CentreType, Coordinates};

use crate::model::CentreField;

/// Where a change comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Provenance {
    /// The contribution's id (`C-000042`).
    pub contribution_id: String,
    /// When it was accepted (seconds since the epoch).
    pub decided_at: i64,
    /// The moderator who accepted it (the second one, when two approvals are required).
    pub moderator: String,
}

impl Provenance {
    /// The decision time, RFC 3339 (UTC).
    pub fn decided_at_rfc3339(&self) -> String {
        rfc3339(self.decided_at)
    }
}

/// A centre added by an accepted contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedCentre {
    pub provenance: Provenance,
    pub name: String,
    pub address: Option<String>,
    pub commune: Option<String>,
    pub booking_url: Option<String>,
    pub phone: Option<String>,
    pub platform: Option<String>,
}

/// A centre field replaced by an accepted contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub provenance: Provenance,
    pub centre_id: String,
    pub field: CentreField,
    pub value: String,
}

/// A centre hidden by an accepted contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Blocked {
    pub provenance: Provenance,
    pub centre_id: String,
    /// `not_vaccination_place` or `closed`.
    pub cause: String,
    /// The moderator's public reason.
    pub reason: Option<String>,
}

/// Everything accepted contributions change, in decision order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlay {
    pub added: Vec<AddedCentre>,
    pub corrections: Vec<Correction>,
    pub blocklist: Vec<Blocked>,
}

/// The document name of added centres (a centre's `sources` then says `contributions`).
pub const DOCUMENT: &str = "contributions";

impl Overlay {
    /// The added centres as centre-list records: the booking URL routed to its platform, the
    /// commune's department and centre point as coordinates.
    pub fn records(&self) -> Vec<CentreRecord> {
        if self.added.is_empty() {
            // Loading the commune table costs ~0.1 s: only for centres to place.
            return Vec::new();
        }
        let places = vigie_finder::Places::embedded().ok();
        self.added
            .iter()
            .map(|a| {
                let booking_url = a.booking_url.as_deref().map(clean_url);
                let platform = booking_url
                    .as_deref()
                    .and_then(|u| route(u, a.platform.as_deref()));
                let place = a
                    .commune
                    .as_deref()
                    .and_then(|c| places.and_then(|p| p.commune(c)));
                let postcode = a
                    .address
                    .as_deref()
                    .and_then(postcode_and_city)
                    .map(|(pc, _)| pc)
                    .or_else(|| place.and_then(|p| p.postcodes.first().cloned()));
                let department = a
                    .commune
                    .as_deref()
                    .and_then(department_of_insee)
                    .or_else(|| {
                        postcode
                            .as_deref()
                            .and_then(vigie_slots::centres::department_of_postcode)
                    });
                let platform_id = match (platform, booking_url.as_deref()) {
                    (Some(p), Some(u)) => platform_id(p, u, None),
                    _ => None,
                };
                CentreRecord {
                    gid: None,
                    name: a.name.clone(),
                    booking_url,
                    platform,
                    platform_id,
                    // Without an address, the commune's label (« Privas (07000) ») locates it.
                    address: a.address.clone().or_else(|| place.map(|p| p.label())),
                    insee: a.commune.clone(),
                    postcode,
                    city: place.map(|p| p.name.clone()),
                    department,
                    coordinates: place.map(|p| Coordinates {
                        latitude: p.latitude,
                        longitude: p.longitude,
                    }),
                    kind: CentreType::VaccinationCentre,
                    phone: a.phone.clone(),
                    opening_hours: Vec::new(),
                    atlas_gid: None,
                    platform_data: None,
                    source: CentreSource {
                        document: DOCUMENT.to_string(),
                        line: None,
                        id: Some(a.provenance.contribution_id.clone()),
                    },
                }
            })
            .collect()
    }

    /// Replaces the corrected fields of the centre `centre_id` in `record` (the last accepted
    /// correction of a field wins); returns what changed. The booking URL is replaced only
    /// when it stays on the same platform (the centre's id would change otherwise).
    pub fn correct(&self, centre_id: &str, record: &mut CentreRecord) -> Vec<ContributionMark> {
        let mut marks = Vec::new();
        for c in self.corrections.iter().filter(|c| c.centre_id == centre_id) {
            let applied = match c.field {
                CentreField::Address => {
                    record.address = Some(c.value.clone());
                    if let Some((pc, _)) = postcode_and_city(&c.value) {
                        record.postcode = Some(pc);
                    }
                    true
                }
                CentreField::Phone => {
                    record.phone = Some(c.value.clone());
                    true
                }
                CentreField::BookingUrl => {
                    let url = clean_url(&c.value);
                    let same_platform = route(&url, None) == record.platform;
                    if same_platform {
                        record.booking_url = Some(url);
                    }
                    same_platform
                }
                // Hours are free text: shown on the card through the mark, not parsed.
                CentreField::Hours => true,
                CentreField::Closed | CentreField::NotVaccinationPlace => false,
            };
            if applied {
                marks.push(mark(&c.provenance, c.field.as_str()));
            }
        }
        marks
    }

    /// The centres to hide, with the reason the snapshot publishes in `exclusions`
    /// (`contribution:not_vaccination_place:C-000042`).
    pub fn hidden_ids(&self) -> Vec<(String, String)> {
        self.blocklist
            .iter()
            .map(|b| {
                (
                    b.centre_id.clone(),
                    format!("contribution:{}:{}", b.cause, b.provenance.contribution_id),
                )
            })
            .collect()
    }

    /// The latest accepted value of the `hours` correction of each centre.
    pub fn hours(&self) -> BTreeMap<&str, &str> {
        self.corrections
            .iter()
            .filter(|c| c.field == CentreField::Hours)
            .map(|c| (c.centre_id.as_str(), c.value.as_str()))
            .collect()
    }
}

/// The mark of an added centre.
pub fn added_mark(p: &Provenance) -> ContributionMark {
    mark(p, "added")
}

fn mark(p: &Provenance, change: &str) -> ContributionMark {
    ContributionMark {
        id: p.contribution_id.clone(),
        decided_at: p.decided_at_rfc3339(),
        moderator: p.moderator.clone(),
        change: change.to_string(),
    }
}

/// Seconds since the epoch as RFC 3339 (UTC, seconds precision).
pub fn rfc3339(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prov(id: &str) -> Provenance {
        Provenance {
            contribution_id: id.into(),
            decided_at: 1_796_000_000,
            moderator: "alice".into(),
        }
    }

    #[test]
    fn added_centres_are_routed_and_placed() {
        let o = Overlay {
            added: vec![AddedCentre {
                provenance: prov("C-000001"),
                name: "Centre de Privas".into(),
                address: None,
                commune: Some("07186".into()),
                booking_url: Some(
                    "https://www.doctolib.fr/centre-de-sante/privas/centre-privas?pid=practice-1"
                        .into(),
                ),
                phone: None,
                platform: None,
            }],
            ..Overlay::default()
        };
        let r = &o.records()[0];
        assert_eq!(r.platform, Some(vigie_slots::Platform::Doctolib));
        assert_eq!(r.department.as_deref(), Some("07"));
        assert_eq!(r.city.as_deref(), Some("Privas"));
        assert!(r.coordinates.is_some());
        assert_eq!(r.source.document, DOCUMENT);
        assert_eq!(r.source.id.as_deref(), Some("C-000001"));
        assert!(r.to_centre().is_some());
    }

    #[test]
    fn corrections_replace_fields_and_say_so() {
        let o = Overlay {
            corrections: vec![
                Correction {
                    provenance: prov("C-000002"),
                    centre_id: "doctolib:x".into(),
                    field: CentreField::Phone,
                    value: "04 75 00 00 00".into(),
                },
                Correction {
                    provenance: prov("C-000003"),
                    centre_id: "doctolib:x".into(),
                    field: CentreField::BookingUrl,
                    value: "https://www.keldoc.com/centre/x".into(),
                },
            ],
            ..Overlay::default()
        };
        let mut r = o.records().pop().unwrap_or_else(|| CentreRecord {
            gid: None,
            name: "X".into(),
            booking_url: Some("https://www.doctolib.fr/centre-de-sante/privas/x".into()),
            platform: Some(vigie_slots::Platform::Doctolib),
            platform_id: None,
            address: None,
            insee: None,
            postcode: None,
            city: None,
            department: None,
            coordinates: None,
            kind: CentreType::VaccinationCentre,
            phone: None,
            opening_hours: Vec::new(),
            atlas_gid: None,
            platform_data: None,
            source: CentreSource {
                document: "list".into(),
                line: None,
                id: None,
            },
        });
        let marks = o.correct("doctolib:x", &mut r);
        assert_eq!(r.phone.as_deref(), Some("04 75 00 00 00"));
        // A booking URL on another platform is not applied.
        assert!(
            r.booking_url
                .as_deref()
                .is_some_and(|u| u.contains("doctolib"))
        );
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].change, "phone");
        assert_eq!(marks[0].id, "C-000002");
        assert!(o.correct("doctolib:other", &mut r).is_empty());
    }
}
