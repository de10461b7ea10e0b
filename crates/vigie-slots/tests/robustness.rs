//! The parsers never panic on drifted, truncated or mistyped JSON: they return typed errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::Value;
use vigie_slots::ScanOutcome;
use vigie_slots::model::{Dose, Vaccine};
use vigie_slots::platforms::{
    avecmondoc, bimedoc, doctolib, keldoc, maiia, mapharma, mesoigner, ordoclic, valwin,
};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            ".*",
            Just("2021-04-10T21:45:00.000+02:00".to_string()),
            Just("2021-09-17T10:00:00".to_string()),
            Just("2021-04-10".to_string()),
            Just("17:15".to_string()),
            Just("9999-99-99T99:99:99Z".to_string()),
        ]
        .prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("data".to_string()),
        Just("slots".to_string()),
        Just("items".to_string()),
        Just("availabilities".to_string()),
        Just("start".to_string()),
        Just("datetime".to_string()),
        Just("start_date".to_string()),
        Just("startDateTime".to_string()),
        Just("timeStart".to_string()),
        Just("slot_beginning".to_string()),
        Just("start_time".to_string()),
        Just("date".to_string()),
        Just("time".to_string()),
        Just("places_dispo".to_string()),
        Just("result".to_string()),
        Just("types".to_string()),
        Just("reasons".to_string()),
        Just("agendas".to_string()),
        Just("visit_motives".to_string()),
        Just("places".to_string()),
        Just("2021-04-19".to_string()),
        Just("businessHours".to_string()),
        Just("isAvailable".to_string()),
        Just("name".to_string()),
        Just("id".to_string()),
        Just("nextAvailableSlotDate".to_string()),
        "[a-z]{1,6}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn run_all(body: &[u8]) {
    let tz = vigie_slots::time::paris().unwrap();
    let mut out = ScanOutcome::default();
    let _ = bimedoc::scan(body, &tz, "u");
    let _ = bimedoc::parse_pharmacy(body).map(|p| bimedoc::centre(&p, None));
    let _ = valwin::scan(body, &tz, "u");
    let _ = mesoigner::scan(body, &tz, "u");
    let _ = mesoigner::parse_centres(body);
    let _ = doctolib::parse_booking(body)
        .map(|b| doctolib::plan(&b, "https://x/c?pid=practice-1", Some("a")));
    let q = doctolib::MotiveQuery {
        motive_id: 1,
        agenda_ids: vec![1],
        practice_ids: vec![1],
        dose: Dose::First,
        vaccine: Vaccine::Moderna,
    };
    let _ =
        doctolib::parse_availabilities(body, jiff::civil::date(2021, 4, 3), &q, &tz, "u", &mut out);
    let _ = keldoc::parse_motives(body);
    let m = keldoc::Motive {
        id: 1,
        agendas: vec![],
        dose: Dose::First,
        vaccine: None,
    };
    let _ = keldoc::parse_timetable(body, &m, &tz, "u", &mut out);
    let _ = maiia::parse_reasons(body);
    let r = maiia::Reason {
        id: None,
        name: "x".into(),
        dose: Some(Dose::First),
        vaccine: None,
        excluded: false,
    };
    let _ = maiia::parse_availabilities(body, &r, &tz, "u");
    let _ = maiia::parse_closest(body, &tz);
    let _ = mapharma::parse_open_data(body);
    let _ = mapharma::parse_calendar(body, jiff::civil::date(2021, 4, 19), None, &tz, "u");
    let _ = ordoclic::parse_profile(body);
    let _ = ordoclic::parse_reasons(body);
    let _ = ordoclic::parse_search(body);
    let _ = ordoclic::parse_slots(body, &[], None, &tz, "u", &mut out);
    let _ = avecmondoc::parse_organization(body);
    let ar = avecmondoc::Reason {
        id: 1,
        name: "x".into(),
        doses: vec![],
        vaccine: None,
    };
    let _ = avecmondoc::parse_window(body, &ar, &tz, "u", &mut out);
    let now = jiff::Timestamp::UNIX_EPOCH.to_zoned(tz);
    let _ = vigie_slots::aggregate(&out.slots, &now, 11);
    drive_all(body);
}

/// Every connector and discovery flow, each request answered with `body` (status 200), at
/// most 30 steps each: whatever the outcome, no panic.
fn drive_all(body: &[u8]) {
    use vigie_slots::canned::Canned;
    use vigie_slots::connector::{ConnectorConfig, ScanTarget};
    use vigie_slots::discovery::{self, Discovery};
    let canned = || Canned::default().fallback(200, body).max_steps(30);
    let data: Option<Value> = serde_json::from_slice(body).ok();
    let cfg = ConnectorConfig::default();
    for p in vigie_slots::Platform::ALL {
        let c = vigie_slots::connector(p, &cfg);
        let t = ScanTarget {
            booking_url: "https://x.fr/a/b/c?centerid=1&c=1&l=1&pid=practice-1".into(),
            platform_id: "1".into(),
            department: Some("974".into()),
            address: None,
            start: jiff::civil::date(2021, 4, 3),
            days: 11,
            platform_data: data.clone(),
        };
        let _ = canned().drive(&*c, &t);
    }
    let mut flows: Vec<Box<dyn Discovery>> = vec![
        Box::new(discovery::KeldocDiscovery {
            departments: vec!["ain".into()],
            specialties: vec!["x".into()],
        }),
        Box::new(discovery::DoctolibDiscovery {
            departments: vec!["ain".into()],
        }),
    ];
    for p in vigie_slots::Platform::ALL {
        if let Some(d) = discovery::discovery(p, &cfg, jiff::civil::date(2021, 4, 3), 11) {
            flows.push(d);
        }
    }
    for d in flows {
        let _ = canned().discover(&*d);
    }
    let _ = vigie_slots::centres::parse_list(body, "x");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn structured_json_never_panics(v in arb_json()) {
        run_all(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        run_all(&bytes);
    }

    #[test]
    fn truncated_real_shapes_never_panic(cut in 0usize..400) {
        let body = br#"{"links":{"total":2},"result":[{"start":"2021-09-17T10:00:00","types":[{"id":"x","label":"Moderna"}]}],
            "slots":[{"2021-06-16":[{"slot_beginning":"2021-06-16T14:50:00+02:00","available_vaccines":["Moderna"],"number_of_slots":1}]}],
            "availabilities":[{"slots":["2021-04-10T21:45:00.000+02:00"]}]}"#;
        run_all(&body[..cut.min(body.len())]);
    }
}

#[test]
fn wrong_types_are_typed_errors() {
    let err = bimedoc::parse_pharmacy(br#"{"slots": "nope"}"#).unwrap_err();
    assert!(matches!(err, vigie_slots::SlotError::Shape { .. }));
    let tz = vigie_slots::time::paris().unwrap();
    let err =
        valwin::scan(br#"{"result":[{"start":"2021-13-45T10:00:00"}]}"#, &tz, "u").unwrap_err();
    assert!(matches!(err, vigie_slots::SlotError::Value { .. }));
}
