//! Connector, discovery and centre-list flows on small hand-written responses in the
//! platforms' real formats (`tests/fixtures/`): these run on a fresh clone, without
//! `../shared`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use vigie_slots::canned::{Canned, CannedError};
use vigie_slots::centres::{merge, parse_list};
use vigie_slots::connector::{ConnectorConfig, Method, ScanTarget};
use vigie_slots::discovery::{self, AvecMonDocDiscovery, MapharmaDiscovery};
use vigie_slots::platforms::{keldoc, maiia, mapharma, ordoclic};
use vigie_slots::{CentreType, Dose, Platform, SlotError, Vaccine, connector};

fn target(url: &str, dep: &str, data: Option<serde_json::Value>) -> ScanTarget {
    ScanTarget {
        booking_url: url.into(),
        platform_id: String::new(),
        department: Some(dep.into()),
        address: None,
        start: jiff::civil::date(2021, 6, 1),
        days: 11,
        platform_data: data,
    }
}

#[test]
fn factory_gives_every_platform() {
    let cfg = ConnectorConfig::all_at("http://127.0.0.1:8081");
    for p in Platform::ALL {
        assert_eq!(connector(p, &cfg).platform(), p);
    }
    fn is_send_sync<T: Send + Sync + ?Sized>(_: &T) {}
    is_send_sync(&*connector(Platform::Keldoc, &cfg));
}

#[test]
fn keldoc_pages_jumps_and_slots() {
    let cats: serde_json::Value =
        serde_json::from_slice(include_bytes!("fixtures/keldoc/motive-categories.json")).unwrap();
    let mut r = Canned::default()
        .prefix(
            "https://www.keldoc.com/api/patients/v2/timetables/101",
            200,
            include_bytes!("fixtures/keldoc/timetable-slots.json").to_vec(),
        )
        .prefix(
            "https://www.keldoc.com/api/patients/v2/timetables/102",
            200,
            include_bytes!("fixtures/keldoc/timetable-hint.json").to_vec(),
        );
    // The host is normalised idempotently in the slots' booking URL.
    let t = target(
        "https://www.keldoc.com/centre/privas?cabinet=3&specialty=144",
        "07",
        Some(cats),
    );
    let out = r.drive(&keldoc::Keldoc, &t).unwrap();
    let urls: Vec<&str> = r.log().iter().map(|q| q.url.as_str()).collect();
    let base = "https://www.keldoc.com/api/patients/v2/timetables";
    assert_eq!(urls.len(), 6);
    for want in [
        format!("{base}/101?from=2021-06-01&to=2021-06-05&agenda_ids%5B%5D=7&agenda_ids%5B%5D=8"),
        format!("{base}/101?from=2021-06-05&to=2021-06-09&agenda_ids%5B%5D=7&agenda_ids%5B%5D=8"),
        format!("{base}/101?from=2021-06-09&to=2021-06-13&agenda_ids%5B%5D=7&agenda_ids%5B%5D=8"),
        format!("{base}/102?from=2021-06-01&to=2021-06-05&agenda_ids%5B%5D=7"),
        // The hint (06-08) is beyond the first window: one jump to its window.
        format!("{base}/102?from=2021-06-08&to=2021-06-12&agenda_ids%5B%5D=7"),
        format!("{base}/102?from=2021-06-12&to=2021-06-16&agenda_ids%5B%5D=7"),
    ] {
        assert!(urls.contains(&want.as_str()), "{want}");
    }
    assert_eq!(out.slots.len(), 2, "pages repeat the same two slots");
    assert!(out.slots.iter().all(|s| s.doses == vec![Dose::First]
        && s.vaccine == Some(Vaccine::PfizerBioNTech)
        && &*s.booking_url
            == "https://vaccination-covid.keldoc.com/centre/privas?cabinet=3&specialty=144"));
    assert_eq!(
        out.slots[0].start.to_string(),
        "2021-06-01T09:00:00+02:00[Europe/Paris]"
    );
    assert_eq!(
        out.next_hint.unwrap().to_string(),
        "2021-06-08T10:30:00+02:00[Europe/Paris]"
    );
}

#[test]
fn maiia_reasons_slots_and_closest_requery() {
    let mut r = Canned::default()
        .prefix(
            "https://www.maiia.com/api/pat-public/consultation-reason-hcd",
            200,
            include_bytes!("fixtures/maiia/reasons.json").to_vec(),
        )
        .prefix_containing(
            "https://www.maiia.com/api/pat-public/availabilities",
            "Premi%C3%A8re",
            200,
            include_bytes!("fixtures/maiia/availabilities.json").to_vec(),
        )
        .prefix_containing(
            "https://www.maiia.com/api/pat-public/availabilities",
            "from=2021-06-03T08:00:00.000Z",
            200,
            include_bytes!("fixtures/maiia/availabilities.json").to_vec(),
        )
        .prefix(
            "https://www.maiia.com/api/pat-public/availability-closests",
            200,
            include_bytes!("fixtures/maiia/closest.json").to_vec(),
        )
        .fallback(200, br#"{"items":[]}"#);
    let t = target(
        "https://www.maiia.com/centre/75001-paris/c?centerid=c1",
        "75",
        None,
    );
    let out = r.drive(&maiia::Maiia, &t).unwrap();
    assert_eq!(
        r.log()[0].url,
        "https://www.maiia.com/api/pat-public/consultation-reason-hcd?rootCenterId=c1&limit=100&page=0&size=100"
    );
    // Two scannable reasons (test and non-COVID reasons skipped); the booster reason had no
    // slot, its closest date (06-03) is within the horizon: queried again from it.
    assert_eq!(r.log().len(), 5);
    assert!(
        r.log()[4]
            .url
            .contains("from=2021-06-03T08:00:00.000Z&to=2021-06-12T00:00:00")
    );
    assert_eq!(out.slots.len(), 4);
    assert_eq!(
        out.slots
            .iter()
            .filter(|s| s.doses == vec![Dose::Booster] && s.vaccine == Some(Vaccine::Moderna))
            .count(),
        2
    );
    assert!(out.next_hint.is_none());
    let err = r
        .drive(
            &maiia::Maiia,
            &target("https://www.maiia.com/c", "75", None),
        )
        .unwrap_err();
    assert!(matches!(err, CannedError::Flow(SlotError::Url { .. })));
}

#[test]
fn ordoclic_profile_reasons_slots() {
    let mut r = Canned::default()
        .get(
            "https://api.ordoclic.fr/v1/public/entities/profile/pharmacie-test",
            include_bytes!("fixtures/ordoclic/profile.json").to_vec(),
        )
        .get(
            "https://api.ordoclic.fr/v1/solar/entities/ent-1/reasons",
            include_bytes!("fixtures/ordoclic/reasons.json").to_vec(),
        )
        .prefix(
            ordoclic::SLOTS_URL,
            200,
            include_bytes!("fixtures/ordoclic/slots.json").to_vec(),
        );
    let t = target(
        "https://app.ordoclic.fr/app/pharmacie/pharmacie-test",
        "75",
        None,
    );
    let out = r.drive(&ordoclic::Ordoclic, &t).unwrap();
    let posts: Vec<_> = r
        .log()
        .iter()
        .filter(|q| q.method == Method::Post)
        .collect();
    assert_eq!(
        posts.len(),
        2,
        "two professionals × one bookable vaccination reason"
    );
    assert_eq!(
        posts[0].body.as_ref().unwrap(),
        &serde_json::json!({"entityId": "ent-1", "medicalStaffId": "pro-1", "reasonId": "rs-1",
            "dateStart": "2021-06-01T00:00:00.000Z", "dateEnd": "2021-06-12T00:00:00.000Z"})
    );
    assert_eq!(out.slots.len(), 1);
    assert_eq!(
        out.slots[0].start.to_string(),
        "2021-06-01T09:30:00+02:00[Europe/Paris]"
    );
    assert_eq!(out.slots[0].doses, vec![Dose::First]);
}

#[test]
fn mapharma_discovery_then_scan_in_martinique() {
    let mut r = Canned::default().get(
        discovery::MAPHARMA_OPEN_DATA_URL,
        include_bytes!("fixtures/mapharma/open-data.json").to_vec(),
    );
    let found = r.discover(&MapharmaDiscovery).unwrap();
    assert_eq!(
        found.records.len(),
        1,
        "tests and second-dose-only campaigns rejected"
    );
    let rec = &found.records[0];
    assert_eq!(rec.department.as_deref(), Some("972"));
    assert_eq!(
        rec.gid.as_deref(),
        Some(discovery::mapharma_gid("https://mapharma.net/97200?c=60&l=1").as_str())
    );
    assert_eq!(rec.phone.as_deref(), Some("+33596000000"));
    assert_eq!(rec.kind, CentreType::Pharmacy);
    let t = rec.scan_target(jiff::civil::date(2021, 6, 1), 11).unwrap();
    let mut r = Canned::default().prefix(
        "https://mapharma.net/api/public/calendar/60/",
        200,
        include_bytes!("fixtures/mapharma/calendar.json").to_vec(),
    );
    let out = r.drive(&mapharma::Mapharma, &t).unwrap();
    assert_eq!(r.log().len(), 2);
    assert_eq!(
        r.log()[1].url,
        "https://mapharma.net/api/public/calendar/60/2021-06-07/1"
    );
    assert_eq!(
        out.slots.len(),
        1,
        "day before start and rows without places dropped"
    );
    assert_eq!(out.slots[0].places, 3);
    assert_eq!(
        out.slots[0].start.to_string(),
        "2021-06-01T09:15:00-04:00[America/Martinique]"
    );
    assert_eq!(out.vaccines, vec![Vaccine::Moderna]);
    // A campaign with no free place: nothing requested.
    let mut t0 = t.clone();
    t0.platform_data = Some(serde_json::json!({"id_campagne": 60, "nom": "x", "total_libres": 0}));
    let mut r0 = Canned::default();
    assert!(r0.drive(&mapharma::Mapharma, &t0).unwrap().slots.is_empty());
    assert!(r0.log().is_empty());
}

#[test]
fn avecmondoc_discovery_then_scan_with_hint() {
    let org = include_bytes!("fixtures/avecmondoc/organization.json").to_vec();
    let mut r = Canned::default()
        .prefix(
            "https://api.avecmondoc.com/api/Organizations/public/covid",
            200,
            include_bytes!("fixtures/avecmondoc/search.json").to_vec(),
        )
        .prefix(
            "https://api.avecmondoc.com/api/Organizations/slug/",
            200,
            org.clone(),
        );
    let found = r.discover(&AvecMonDocDiscovery).unwrap();
    assert_eq!(
        r.log().len(),
        2,
        "the organisation without COVID hours is not looked up"
    );
    assert_eq!(found.records.len(), 1);
    let rec = &found.records[0];
    assert_eq!(rec.gid.as_deref(), Some("amd42"));
    assert_eq!(rec.address.as_deref(), Some("2 rue Haute, 28000 Chartres"));
    assert_eq!(rec.kind, CentreType::Pharmacy);
    let t = rec.scan_target(jiff::civil::date(2021, 6, 1), 11).unwrap();
    let body = |from: &str, to: &str| {
        serde_json::json!({"consultationReasonId": 9, "disabledPeriods": [], "fullDisplay": true,
            "organizationId": 42, "periodStart": format!("{from}T00:00:00.000Z"),
            "periodEnd": format!("{to}T00:00:00.000Z"), "type": "inOffice"})
    };
    let url = "https://api.avecmondoc.com/api/BusinessHours/availabilitiesPerDay";
    let mut r = Canned::default()
        .prefix(
            "https://api.avecmondoc.com/api/Organizations/slug/pharmacie-centrale-42",
            200,
            org,
        )
        .exact(
            Method::Post,
            url,
            Some(body("2021-06-01", "2021-06-07")),
            200,
            include_bytes!("fixtures/avecmondoc/window.json").to_vec(),
        )
        .exact(
            Method::Post,
            url,
            Some(body("2021-06-07", "2021-06-13")),
            200,
            include_bytes!("fixtures/avecmondoc/next.json").to_vec(),
        );
    let out = r
        .drive(
            &*connector(Platform::AvecMonDoc, &ConnectorConfig::default()),
            &t,
        )
        .unwrap();
    assert_eq!(
        r.log().len(),
        3,
        "the hint beyond the horizon ends the walk"
    );
    assert_eq!(out.slots.len(), 1);
    assert_eq!(
        out.slots[0].start.to_string(),
        "2021-06-01T09:00:00+02:00[Europe/Paris]"
    );
    assert_eq!(
        out.next_hint.unwrap().to_string(),
        "2021-06-20T10:00:00+02:00[Europe/Paris]"
    );
}

#[test]
fn csv_list_routing_issues_and_merge() {
    let rep = parse_list(include_bytes!("fixtures/lists/centres.csv"), "centres.csv").unwrap();
    assert_eq!(rep.records.len(), 4);
    assert_eq!(rep.issues.len(), 1);
    assert_eq!(
        (
            rep.issues[0].line,
            rep.issues[0].field,
            rep.issues[0].skipped
        ),
        (5, "nom", true)
    );
    let k = &rep.records[0];
    assert_eq!(k.platform, Some(Platform::Keldoc));
    assert_eq!(
        k.booking_url.as_deref(),
        Some("https://vaccination-covid.keldoc.com/centre/privas?cabinet=3&specialty=144")
    );
    assert_eq!(k.address.as_deref(), Some("2 rue Haute, 07000 Privas"));
    assert_eq!(k.opening_hours.len(), 1);
    let v = &rep.records[1];
    assert_eq!(v.platform, Some(Platform::Valwin));
    assert_eq!(
        v.scan_target(jiff::civil::date(2021, 6, 1), 11)
            .unwrap()
            .platform_id,
        "2"
    );
    let other = &rep.records[2];
    assert_eq!(other.platform, None);
    assert!(
        other
            .scan_target(jiff::civil::date(2021, 6, 1), 11)
            .is_none()
    );
    assert_eq!(other.department.as_deref(), Some("2A"));
    assert_eq!(other.phone.as_deref(), Some("3975"));
    let merged = merge(rep.records.clone());
    assert_eq!(merged.len(), 3);
    assert_eq!(
        merged[0].sources.len(),
        2,
        "same Keldoc URL up to '/' and parameter order"
    );
    assert_eq!(merged[0].sources[1].line, Some(6));
}

#[test]
fn json_list_with_booking_data() {
    let rep = parse_list(
        include_bytes!("fixtures/lists/centres.json"),
        "centres.json",
    )
    .unwrap();
    assert_eq!(rep.records.len(), 2);
    assert_eq!(rep.issues.len(), 2);
    assert_eq!(
        (
            rep.issues[0].line,
            rep.issues[0].field,
            rep.issues[0].skipped
        ),
        (2, "long_coor1", false)
    );
    assert_eq!((rep.issues[1].line, rep.issues[1].skipped), (3, true));
    let a = &rep.records[0];
    assert_eq!(a.platform, Some(Platform::AvecMonDoc));
    assert_eq!(a.coordinates.unwrap().longitude, 0.0, "0 is a coordinate");
    assert_eq!(a.atlas_gid, Some(1628));
    assert_eq!(a.opening_hours.len(), 1);
    assert_eq!(
        a.to_centre().unwrap().id,
        "avecmondoc:pharmacie-centrale-42"
    );
    let m = &rep.records[1];
    assert_eq!(m.platform, Some(Platform::Mapharma));
    assert!(m.coordinates.is_none());
    let t = m.scan_target(jiff::civil::date(2021, 6, 1), 11).unwrap();
    assert_eq!(mapharma::target_campaign(&t).unwrap().id_campagne, Some(60));
    assert!(parse_list(b"a;b\n1;2\n", "x").is_err(), "no nom column");
    assert!(parse_list(b"{not json", "x").is_err());
}
