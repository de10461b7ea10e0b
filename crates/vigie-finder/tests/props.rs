//! Property tests on the numeric parts.

mod common;

use common::*;
use proptest::prelude::*;
use vigie_finder::geo::haversine_km;
use vigie_finder::places::Places;
use vigie_finder::search::{SearchIndex, SearchOrigin, SearchParams};
use vigie_finder::snapshot::{Visibility, build_snapshot};
use vigie_finder::text::fold;
use vigie_slots::{Dose, Platform, Slot, Vaccine};

const NOW: &str = "2026-11-29T10:30:00+01:00";

fn dose() -> impl Strategy<Value = Dose> {
    prop_oneof![
        Just(Dose::First),
        Just(Dose::Second),
        Just(Dose::Booster),
        Just(Dose::KidsFirst)
    ]
}

fn vaccine() -> impl Strategy<Value = Option<Vaccine>> {
    prop_oneof![
        Just(None),
        Just(Some(Vaccine::PfizerBioNTech)),
        Just(Some(Vaccine::Moderna))
    ]
}

/// (minutes from now, doses, vaccine, places)
fn slots() -> impl Strategy<Value = Vec<(i64, Vec<Dose>, Option<Vaccine>, u32)>> {
    prop::collection::vec(
        (
            -3 * 1440i64..15 * 1440,
            prop::collection::vec(dose(), 0..3),
            vaccine(),
            1u32..6,
        ),
        0..40,
    )
}

fn build(raw: &[(i64, Vec<Dose>, Option<Vaccine>, u32)]) -> Result<Vec<Slot>, TestCaseError> {
    let now = zoned(NOW).map_err(|e| TestCaseError::fail(e.to_string()))?;
    raw.iter()
        .map(|(m, doses, v, p)| {
            let start = now
                .checked_add(jiff::Span::new().minutes(*m))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            Ok(Slot {
                start,
                doses: doses.clone(),
                vaccine: *v,
                booking_url: "".into(),
                places: *p,
            })
        })
        .collect()
}

proptest! {
    #[test]
    fn daily_counts_sum_to_totals(raw in slots()) {
        let now = zoned(NOW).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let slots = build(&raw)?;
        let last = jiff::civil::date(2026, 12, 10);
        // The scan outcome keeps one of exact duplicates (`ScanOutcome::push_slots`).
        let mut distinct: Vec<&Slot> = Vec::new();
        for s in &slots {
            if !distinct.contains(&s) {
                distinct.push(s);
            }
        }
        let expected: u32 = distinct.iter()
            .filter(|s| s.start >= now && s.start.date() <= last)
            .map(|s| s.places).sum();
        let c = centre("doctolib:1", "c", Platform::Doctolib, "07", 44.7, 4.6);
        let snap = build_snapshot(&[scanned(c, slots, &now)], &[], &Visibility::default(), &now, 11);
        let sc = &snap.centres[0];
        prop_assert_eq!(sc.daily.len(), 12);
        prop_assert_eq!(sc.slot_count, expected);
        prop_assert_eq!(sc.daily.iter().map(|d| d.all).sum::<u32>(), sc.slot_count);
        for d in &sc.daily {
            prop_assert!(d.first_or_second_dose <= d.all);
            prop_assert!(d.third_dose <= d.all && d.kids_first_dose <= d.all && d.unknown_dose <= d.all);
            prop_assert_eq!(d.by_vaccine.values().sum::<u32>(), d.all);
        }
        prop_assert_eq!(snap.platforms.iter().map(|p| p.slots).sum::<u64>(), u64::from(sc.slot_count));
        prop_assert_eq!(sc.next_slot.is_some(), sc.slot_count > 0);
    }

    #[test]
    fn distance_is_a_metric(a in -60.0f64..60.0, b in -10.0f64..10.0, c in -60.0f64..60.0, d in -10.0f64..10.0,
                            e in -60.0f64..60.0, f in -10.0f64..10.0) {
        let ab = haversine_km(a, b, c, d);
        prop_assert!((ab - haversine_km(c, d, a, b)).abs() < 1e-9);
        prop_assert!(ab >= 0.0);
        prop_assert!(haversine_km(a, b, a, b) < 1e-9);
        prop_assert!(ab <= haversine_km(a, b, e, f) + haversine_km(e, f, c, d) + 1e-6);
    }

    #[test]
    fn search_is_sorted_and_matches_brute_force(
        centres in prop::collection::vec((44.0f64..45.5, 3.5f64..5.5, 0u32..3), 1..60),
        radius in 1.0f64..200.0,
    ) {
        let now = zoned(NOW).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut scans = Vec::new();
        for (i, (lat, lon, n)) in centres.iter().enumerate() {
            let slots = build(&vec![(60, vec![Dose::First], None, *n); usize::from(*n > 0)])?;
            scans.push(scanned(centre(&format!("doctolib:{i}"), "c", Platform::Doctolib, "07", *lat, *lon), slots, &now));
        }
        let idx = SearchIndex::new(build_snapshot(&scans, &[], &Visibility::default(), &now, 11));
        let places = Places::embedded().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut p = SearchParams::new(SearchOrigin::Coordinates { latitude: 44.7225, longitude: 4.5945 });
        p.radius_km = radius;
        p.limit = 1000;
        let a = idx.search(&p, places).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = idx.search_with(&p, places, true).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&a, &b);
        let inside = centres.iter().filter(|(la, lo, _)| haversine_km(44.7225, 4.5945, *la, *lo) <= radius).count();
        prop_assert_eq!(a.centres.len(), inside);
        for w in a.centres.windows(2) {
            let (x, y) = (&w[0], &w[1]);
            prop_assert!(x.matching_slots > 0 || y.matching_slots == 0, "available first");
            if (x.matching_slots > 0) == (y.matching_slots > 0) {
                prop_assert!(x.distance_km <= y.distance_km, "then by distance");
            }
        }
    }

    #[test]
    fn fold_is_idempotent(s in "\\PC{0,30}") {
        let f = fold(&s);
        prop_assert_eq!(fold(&f), f.clone());
        prop_assert!(f.is_ascii());
    }

    #[test]
    fn rfc3339_by_hand_is_strftime(
        secs in -62_000_000_000i64..250_000_000_000i64,
        zone in prop_oneof![
            Just("Europe/Paris"), Just("America/Cayenne"), Just("Indian/Reunion"),
            Just("Pacific/Noumea"), Just("Pacific/Marquesas"), Just("America/St_Johns"),
            Just("Africa/Monrovia")
        ],
    ) {
        let tz = jiff::tz::TimeZone::get(zone).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ts = jiff::Timestamp::from_second(secs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let z = ts.to_zoned(tz);
        let mut got = String::from("x");
        vigie_finder::push_rfc3339(&mut got, &z);
        prop_assert_eq!(got, format!("x{}", z.strftime("%Y-%m-%dT%H:%M:%S%:z")));
    }
}
