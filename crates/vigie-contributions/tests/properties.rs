//! Properties of submission checking and of the register's CSV: any fields give either a
//! checked submission or an error naming one of the fields sent (or a required one); a
//! checked submission has an object and a thread; any register text survives the CSV.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use vigie_contributions::model::{AnyKnown, Kind, RawFields};
use vigie_contributions::{RegisterEntry, Status, Submission};

const FIELDS: [&str; 19] = [
    "kind",
    "name",
    "address",
    "commune",
    "booking_url",
    "phone",
    "platform",
    "evidence",
    "centre_id",
    "field",
    "value",
    "outcome",
    "seen_at",
    "territory",
    "indicator",
    "date",
    "url",
    "email",
    "website",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("missing_centre".to_string()),
        Just("centre_correction".to_string()),
        Just("availability_report".to_string()),
        Just("figure_error".to_string()),
        Just("dataset_suggestion".to_string()),
        Just("07186".to_string()),
        Just("https://www.doctolib.fr/centre-de-sante/privas/x".to_string()),
        Just("04 75 00 00 00".to_string()),
        Just("phone".to_string()),
        Just("closed".to_string()),
        Just("booked".to_string()),
        Just("2026-12-03T10:00".to_string()),
        Just("FR".to_string()),
        "\\PC{0,40}",
        ".{0,10}",
    ]
}

fn raw() -> impl Strategy<Value = RawFields> {
    proptest::collection::btree_map(
        prop_oneof![
            proptest::sample::select(FIELDS.to_vec()).prop_map(String::from),
            "[a-z_]{1,8}"
        ],
        value(),
        0..10,
    )
}

const NOW: i64 = 1_796_300_000;

proptest! {
    #[test]
    fn any_fields_are_checked_or_named(raw in raw()) {
        match Submission::parse(&raw, NOW, &AnyKnown) {
            Ok(incoming) => {
                let s = incoming.submission;
                prop_assert!(!s.object(None).is_empty());
                prop_assert!(!s.thread().is_empty());
                prop_assert_eq!(Some(s.kind().as_str()), raw.get("kind").map(|k| k.trim()));
                // Only the kind's fields (and the shared ones) were accepted.
                for k in raw.keys() {
                    prop_assert!(k == "kind" || k == "email" || k == "website" || k == "form_token"
                        || s.kind().fields().contains(&k.as_str()), "{k} accepted");
                }
            }
            Err(e) => {
                let named = raw.contains_key(&e.field)
                    || Kind::ALL.iter().any(|k| k.fields().contains(&e.field.as_str()))
                    || e.field == "kind";
                prop_assert!(named, "error names {}", e.field);
                prop_assert!(!e.fr.is_empty() && !e.en.is_empty());
            }
        }
    }

    #[test]
    fn register_text_survives_the_csv(object in "\\PC{0,60}", reason in "\\PC{0,60}") {
        let e = RegisterEntry {
            id: "C-000001".into(),
            kind: Kind::FigureError,
            object: object.clone(),
            department: None,
            status: Status::Accepted,
            reason: Some(reason.clone()),
            duplicate_of: None,
            submitted_at: "2026-12-03T10:00:00Z".into(),
            decided_at: "2026-12-03T11:00:00Z".into(),
            moderator: "m".into(),
        };
        let bytes = vigie_contributions::register::csv(&[e]).unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let row = r.records().next().unwrap().unwrap();
        let unformula = |s: &str, orig: &str| {
            if orig.starts_with(['=', '+', '-', '@', '\t', '\r']) { s.strip_prefix('\'').unwrap_or(s).to_string() } else { s.to_string() }
        };
        prop_assert_eq!(unformula(&row[2], &object), object.clone());
        prop_assert_eq!(unformula(&row[5], &reason), reason.clone());
    }
}
