//! Connector, discovery and centre-list flows on small hand-written responses in the
//! platforms' real formats (`tests/fixtures/`): these run on a fresh clone, without
//! `../shared`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use vigie_slots::canned::{Canned, CannedError};
use vigie_slots::centres::{merge, parse_list};
use vigie_slots::connector::{Connector, ConnectorConfig, Method, ScanTarget};
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
    let mut r = keldoc_resolution("{}");
    // The host is normalised idempotently in the slots' booking URL.
    let t = target(
        "https://www.keldoc.com/centre/privas?cabinet=3&specialty=144",
        "07",
        Some(cats),
    );
    let out = r.drive(&keldoc::Keldoc::default(), &t).unwrap();
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

/// Canned answers of a Keldoc centre known by its URL only: the resource search, the
/// cabinet list, the motive categories and the timetables of `keldoc_pages_jumps_and_slots`.
fn keldoc_resolution(resource: &str) -> Canned {
    Canned::default()
        .prefix(
            "https://booking.keldoc.com/api/patients/v2/searches/resource",
            200,
            resource.as_bytes().to_vec(),
        )
        .exact(
            Method::Get,
            "https://booking.keldoc.com/api/patients/v2/clinics/2563/specialties/144/cabinets",
            None,
            200,
            br#"[{"id": 3, "name": "Privas"}, {"id": 4, "name": "Aubenas"}]"#.to_vec(),
        )
        .prefix(
            "https://booking.keldoc.com/api/patients/v2/clinics/2563/specialties/144/cabinets/3/motive_categories",
            200,
            include_bytes!("fixtures/keldoc/motive-categories.json").to_vec(),
        )
        .prefix(
            "https://booking.keldoc.com/api/patients/v2/clinics/2563/specialties/144/cabinets/4/motive_categories",
            200,
            r#"[{"name": "Moderna", "motives": [{"id": 101, "name": "1ère injection vaccin COVID-19 (Pfizer)", "agendas": [{"id": 9}]}]}]"#.as_bytes().to_vec(),
        )
        .prefix(
            "https://www.keldoc.com/api/patients/v2/timetables/101",
            200,
            include_bytes!("fixtures/keldoc/timetable-slots.json").to_vec(),
        )
        .prefix(
            "https://www.keldoc.com/api/patients/v2/timetables/102",
            200,
            include_bytes!("fixtures/keldoc/timetable-hint.json").to_vec(),
        )
}

/// A Keldoc centre of the official list (no motive categories): its URL is resolved through
/// the resource search and the motive categories of the URL's cabinet, then scanned as if the
/// list had carried them; the connector keeps the resolution for the rest of the scan.
#[test]
fn keldoc_from_a_list_url() {
    let url = "https://vaccination-covid.keldoc.com/centre-hospitalier/privas-07000/ch-privas?cabinet=3&specialty=144";
    let mut r = keldoc_resolution(r#"{"id": 2563, "specialties": [{"id": 144}, {"id": 153}]}"#);
    let k = keldoc::Keldoc::default();
    let out = r.drive(&k, &target(url, "07", None)).unwrap();
    let urls: Vec<String> = r.log().iter().map(|q| q.url.clone()).collect();
    assert_eq!(
        urls[..2],
        [
            "https://booking.keldoc.com/api/patients/v2/searches/resource?type=centre-hospitalier&location=privas-07000&slug=ch-privas".to_string(),
            "https://booking.keldoc.com/api/patients/v2/clinics/2563/specialties/144/cabinets/3/motive_categories".to_string(),
        ]
    );
    assert_eq!(urls.len(), 2 + 6, "{urls:#?}");
    // The same slots as with the categories in the list.
    let cats: serde_json::Value =
        serde_json::from_slice(include_bytes!("fixtures/keldoc/motive-categories.json")).unwrap();
    let mut listed = keldoc_resolution("{}");
    let want = listed
        .drive(&keldoc::Keldoc::default(), &target(url, "07", Some(cats)))
        .unwrap();
    assert_eq!(out, want);
    assert_eq!(out.slots.len(), 2);
    // Resolved once per scan: a second centre with the same URL asks no resource.
    let mut again = keldoc_resolution("{}");
    assert_eq!(again.drive(&k, &target(url, "07", None)).unwrap(), want);
    assert!(again.log().iter().all(|q| q.url.contains("/timetables/")));
}

/// Without a cabinet in the URL, the clinic's cabinets of each specialty are listed and the
/// motives of all of them merged (one walk per motive, agendas joined); a resource search
/// that knows no clinic is a typed error naming the URL.
#[test]
fn keldoc_list_url_without_cabinet_and_unknown_clinic() {
    let url = "https://keldoc.com/centre-hospitalier/privas-07000/ch-privas?specialty=144";
    let mut r = keldoc_resolution(r#"{"id": 2563, "specialties": [{"id": 144}]}"#);
    let out = r
        .drive(&keldoc::Keldoc::default(), &target(url, "07", None))
        .unwrap();
    let urls: Vec<&str> = r.log().iter().map(|q| q.url.as_str()).collect();
    assert!(urls.contains(
        &"https://booking.keldoc.com/api/patients/v2/clinics/2563/specialties/144/cabinets"
    ));
    assert!(
        urls.iter()
            .any(|u| u.ends_with("/cabinets/4/motive_categories"))
    );
    // Motive 101 of both cabinets: one walk with agendas 7, 8 and 9.
    assert!(urls.contains(
        &"https://www.keldoc.com/api/patients/v2/timetables/101?from=2021-06-01&to=2021-06-05&agenda_ids%5B%5D=7&agenda_ids%5B%5D=8&agenda_ids%5B%5D=9"
    ));
    assert_eq!(out.slots.len(), 2);
    // The cabinet named by its slug in the path, among the resource's cabinets.
    let slug_url = "https://vaccination-covid.keldoc.com/centre-hospitalier/privas-07000/ch-privas/site-aubenas";
    let mut r = keldoc_resolution(
        r#"{"id": 2563, "specialties": [{"id": 144}], "cabinets": [{"id": 3, "slug": "site-privas"}, {"id": 4, "slug": "site-aubenas"}]}"#,
    );
    r.drive(&keldoc::Keldoc::default(), &target(slug_url, "07", None))
        .unwrap();
    let urls: Vec<&str> = r.log().iter().map(|q| q.url.as_str()).collect();
    assert!(
        urls[0].ends_with("slug=ch-privas&cabinet=site-aubenas"),
        "{}",
        urls[0]
    );
    assert!(
        urls[1].ends_with("/cabinets/4/motive_categories"),
        "{}",
        urls[1]
    );
    let mut r = keldoc_resolution(r#"{"error": "not found"}"#);
    let e = r
        .drive(&keldoc::Keldoc::default(), &target(url, "07", None))
        .unwrap_err();
    assert!(e.to_string().contains("knows no clinic"), "{e}");
    // A URL without /{type}/{location}/{slug}: reported as such, nothing sent.
    let e = keldoc::Keldoc::default()
        .start(&target("https://vaccination-covid.keldoc.com/", "07", None))
        .err()
        .unwrap();
    assert!(matches!(e, SlotError::Url { .. }), "{e}");
}

/// A Maiia centre of the official list, known by its page URL without `centerid`: the
/// connector reads the directory once per scan (three categories in parallel, pages until a
/// short one) and scans the centre under the id the directory gives its page.
#[test]
fn maiia_page_url_through_the_directory() {
    let url = "https://www.maiia.com/centre-de-vaccination/07270-lamastre/Lamastre--centre-de-vaccination";
    let item = |i: usize| {
        format!(
            r#"{{"type": "CENTER", "url": "/centre-de-vaccination/07270-lamastre/other-{i}", "center": {{"id": "id{i}"}}}}"#
        )
    };
    // A full first page (50 items) in the first category, then a short second one.
    let mut full: Vec<String> = (0..49).map(item).collect();
    full.push(
        r#"{"type": "CENTER", "url": "/centre-de-vaccination/07270-lamastre/lamastre--centre-de-vaccination", "center": {"id": "5fff1f61b1a1aa1cc204f203"}}"#.into(),
    );
    let page0 = format!(r#"{{"items": [{}], "total": 51}}"#, full.join(","));
    let mut r = Canned::default()
        .get(
            &maiia::directory_url("centre-de-vaccination", 0),
            page0.into_bytes(),
        )
        .get(
            &maiia::directory_url("centre-de-vaccination", 1),
            format!(r#"{{"items": [{}]}}"#, item(99)).into_bytes(),
        )
        .fallback(200, br#"{"items": [], "total": 0}"#);
    let m = maiia::Maiia::default();
    let t = target(url, "07", None);
    r.prepare(&m, &[&t]).unwrap();
    let urls: Vec<String> = r.log().iter().map(|q| q.url.clone()).collect();
    assert_eq!(
        urls.len(),
        4,
        "3 first pages, then page 1 of the full category: {urls:#?}"
    );
    assert_eq!(urls[3], maiia::directory_url("centre-de-vaccination", 1));
    r.drive(&m, &t).unwrap();
    assert!(
        r.log()[4]
            .url
            .contains("rootCenterId=5fff1f61b1a1aa1cc204f203"),
        "{}",
        r.log()[4].url
    );
    // A page the directory does not list: reported by centre, with its reason.
    let e = m
        .start(&target(
            "https://www.maiia.com/centre-de-vaccination/02120-GUISE",
            "02",
            None,
        ))
        .err()
        .unwrap();
    assert!(e.to_string().contains("not in Maiia's directory"), "{e}");
    // Every target with its centerid: nothing to prepare.
    let with = target(&format!("{url}?centerid=abc"), "07", None);
    assert!(m.prepare(&[&with]).is_none());
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
    let out = r.drive(&maiia::Maiia::default(), &t).unwrap();
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
            &maiia::Maiia::default(),
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

/// A pharmacy known by its campaign URL only (a list, a contribution): the connector reads
/// Mapharma's open data once per scan (its preparation; the saved copy when the live one
/// fails) and finds the campaign by the URL's `(c, l)`; a campaign missing from it, or an
/// open data that could not be read, is an error naming the URL.
#[test]
fn mapharma_campaign_url_through_the_open_data() {
    let url = "https://mapharma.net/97200?c=60&l=1";
    let t = target(url, "972", None);
    let calendar = include_bytes!("fixtures/mapharma/calendar.json").to_vec();
    let open_data = include_bytes!("fixtures/mapharma/open-data.json").to_vec();
    // The live document answers 500: the saved copy is read.
    let mut r = Canned::default()
        .exact(
            Method::Get,
            mapharma::OPEN_DATA_URL,
            None,
            500,
            b"oops".to_vec(),
        )
        .get(mapharma::OPEN_DATA_FALLBACK_URL, open_data.clone())
        .prefix(
            "https://mapharma.net/api/public/calendar/60/",
            200,
            calendar.clone(),
        );
    let m = mapharma::Mapharma::default();
    let other = target("https://mapharma.net/97200?c=99&l=1", "972", None);
    r.prepare(&m, &[&t, &other]).unwrap();
    let urls: Vec<&str> = r.log().iter().map(|q| q.url.as_str()).collect();
    assert_eq!(
        urls,
        [mapharma::OPEN_DATA_URL, mapharma::OPEN_DATA_FALLBACK_URL]
    );
    let out = r.drive(&m, &t).unwrap();
    assert_eq!(
        r.log().len(),
        4,
        "two calendars, no other open-data request"
    );
    assert_eq!(out.slots.len(), 1);
    assert_eq!(out.slots[0].places, 3);
    assert_eq!(out.vaccines, vec![Vaccine::Moderna]);
    let e = m.start(&other).err().unwrap();
    assert!(
        e.to_string()
            .contains("campaign not found in Mapharma's open data"),
        "{e}"
    );
    // Nothing to prepare when every target carries its campaign.
    let with = target(
        url,
        "972",
        Some(serde_json::json!({"id_campagne": 60, "nom": "x", "total_libres": 0})),
    );
    assert!(m.prepare(&[&with]).is_none());
    // Neither copy readable: the preparation fails, and the centres cannot start.
    let fresh = mapharma::Mapharma::default();
    let mut r = Canned::default().fallback(404, b"");
    assert!(r.prepare(&fresh, &[&t]).is_err());
    let e = fresh.start(&t).err().unwrap();
    assert!(
        e.to_string()
            .contains("could not read Mapharma's open data"),
        "{e}"
    );
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
    let out = r.drive(&mapharma::Mapharma::default(), &t).unwrap();
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
    assert!(
        r0.drive(&mapharma::Mapharma::default(), &t0)
            .unwrap()
            .slots
            .is_empty()
    );
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
