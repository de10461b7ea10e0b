//! Search, places and static-site files over the embedded place table and hand-made centres.

mod common;

use common::*;
use vigie_finder::places::{PlaceKind, Places};
use vigie_finder::search::{SearchIndex, SearchOrigin, SearchParams};
use vigie_finder::snapshot::{Visibility, build_snapshot};
use vigie_finder::static_site::{department_files, places_prefix_files, status_file};
use vigie_finder::{FinderError, Snapshot};
use vigie_slots::{Dose, Platform, Vaccine};

const NOW: &str = "2026-11-29T10:30:00+01:00";

fn snapshot() -> R<Snapshot> {
    let now = zoned(NOW)?;
    let scans = vec![
        // Privas (0 km), no slot
        scanned(
            centre(
                "doctolib:1",
                "B Privas",
                Platform::Doctolib,
                "07",
                44.7225,
                4.5945,
            ),
            vec![],
            &now,
        ),
        // Lamastre (~30 km), booster slots
        scanned(
            centre(
                "keldoc:2",
                "Lamastre",
                Platform::Keldoc,
                "07",
                44.987,
                4.579,
            ),
            vec![slot(
                "2026-12-02T09:00:00Z",
                vec![Dose::Booster],
                Some(Vaccine::Moderna),
                2,
            )?],
            &now,
        ),
        // Valence (~33 km), first dose slots
        scanned(
            centre("maiia:3", "Valence", Platform::Maiia, "26", 44.933, 4.892),
            vec![slot(
                "2026-11-30T09:00:00Z",
                vec![Dose::First],
                Some(Vaccine::PfizerBioNTech),
                5,
            )?],
            &now,
        ),
        // Aubenas (~20 km), first dose slots, later
        scanned(
            centre(
                "doctolib:4",
                "A Aubenas",
                Platform::Doctolib,
                "07",
                44.620,
                4.390,
            ),
            vec![slot(
                "2026-12-05T09:00:00Z",
                vec![Dose::First, Dose::Second],
                Some(Vaccine::PfizerBioNTech),
                1,
            )?],
            &now,
        ),
        // Paris: far away
        scanned(
            centre("doctolib:5", "Paris", Platform::Doctolib, "75", 48.86, 2.34),
            vec![slot("2026-11-30T09:00:00Z", vec![Dose::First], None, 1)?],
            &now,
        ),
    ];
    Ok(build_snapshot(
        &scans,
        &[],
        &Visibility::default(),
        &now,
        11,
    ))
}

#[test]
fn commune_search_sorts_by_availability_then_distance() -> R {
    let places = Places::embedded()?;
    let idx = SearchIndex::new(snapshot()?);
    let p = SearchParams::from_pairs([("commune", "07186")])?;
    let a = idx.search(&p, places)?;
    assert_eq!(a.query.kind, "commune");
    assert_eq!(a.query.label.as_deref(), Some("Privas (07000)"));
    let ids: Vec<&str> = a.centres.iter().map(|c| c.centre.id.as_str()).collect();
    assert_eq!(ids, ["doctolib:4", "keldoc:2", "maiia:3", "doctolib:1"]);
    assert_eq!(a.count.centres, 4);
    assert_eq!(a.count.centres_with_slots, 3);
    assert_eq!(a.count.slots, 8);
    let d: Vec<f64> = a.centres.iter().filter_map(|c| c.distance_km).collect();
    assert!(d[0] > 15.0 && d[0] < 25.0, "{d:?}");
    assert!(d[3] < 0.5);
    // JSON: the centre object is flattened with the search fields.
    let v = serde_json::to_value(&a)?;
    assert_eq!(v["centres"][0]["id"], "doctolib:4");
    assert_eq!(v["centres"][0]["matching_slots"], 1);
    assert_eq!(
        v["centres"][0]["daily_matching"].as_array().map(Vec::len),
        Some(12)
    );
    // tag filter: booster only
    let p = SearchParams::from_pairs([("commune", "07186"), ("tag", "third_dose")])?;
    let a = idx.search(&p, places)?;
    assert_eq!(a.centres[0].centre.id, "keldoc:2");
    assert_eq!(a.count.centres_with_slots, 1);
    // date range: only 2026-11-30 → Valence
    let p = SearchParams::from_pairs([
        ("lat", "44.7225"),
        ("lon", "4.5945"),
        ("from", "2026-11-30"),
        ("to", "2026-11-30"),
    ])?;
    let a = idx.search(&p, places)?;
    assert_eq!(a.centres[0].centre.id, "maiia:3");
    assert_eq!(a.count.slots, 5);
    // platform, type and vaccine filters; radius
    let p = SearchParams::from_pairs([
        ("postcode", "07000"),
        ("platform", "doctolib,keldoc"),
        ("radius_km", "25"),
    ])?;
    let a = idx.search(&p, places)?;
    let ids: Vec<&str> = a.centres.iter().map(|c| c.centre.id.as_str()).collect();
    assert_eq!(ids, ["doctolib:4", "doctolib:1"]);
    let p = SearchParams::from_pairs([("commune", "07186"), ("vaccine", "moderna")])?;
    assert_eq!(idx.search(&p, places)?.count.centres, 1);
    let p = SearchParams::from_pairs([("commune", "07186"), ("type", "drugstore")])?;
    assert_eq!(idx.search(&p, places)?.count.centres, 0);
    // limit
    let p = SearchParams::from_pairs([("commune", "07186"), ("limit", "2")])?;
    let a = idx.search(&p, places)?;
    assert_eq!(a.centres.len(), 2);
    assert_eq!(a.count.centres, 4);
    Ok(())
}

#[test]
fn department_search_sorts_by_next_slot_then_name() -> R {
    let places = Places::embedded()?;
    let idx = SearchIndex::new(snapshot()?);
    let a = idx.search(&SearchParams::from_pairs([("department", "07")])?, places)?;
    let ids: Vec<&str> = a.centres.iter().map(|c| c.centre.id.as_str()).collect();
    assert_eq!(ids, ["keldoc:2", "doctolib:4", "doctolib:1"]);
    assert!(a.centres.iter().all(|c| c.distance_km.is_none()));
    assert_eq!(a.query.label.as_deref(), Some("Ardèche (07)"));
    Ok(())
}

#[test]
fn bad_parameters_name_the_parameter() {
    let err = |pairs: &[(&str, &str)]| match SearchParams::from_pairs(pairs.iter().copied()) {
        Err(FinderError::InvalidParam { param, .. }) => param,
        _ => "accepted",
    };
    assert_eq!(err(&[]), "commune");
    assert_eq!(
        err(&[("commune", "07186"), ("radius_km", "500")]),
        "radius_km"
    );
    assert_eq!(
        err(&[("commune", "07186"), ("radius_km", "abc")]),
        "radius_km"
    );
    assert_eq!(err(&[("commune", "07186"), ("tag", "chronodose")]), "tag");
    assert_eq!(err(&[("commune", "07186"), ("from", "29/11/2026")]), "from");
    assert_eq!(
        err(&[
            ("commune", "07186"),
            ("from", "2026-12-02"),
            ("to", "2026-12-01")
        ]),
        "to"
    );
    assert_eq!(err(&[("commune", "07186"), ("platform", "x")]), "platform");
    assert_eq!(err(&[("commune", "07186"), ("limit", "0")]), "limit");
    assert_eq!(err(&[("lat", "95"), ("lon", "2")]), "lat");
    assert_eq!(err(&[("lat", "45")]), "lon");
    assert_eq!(
        err(&[("commune", "07186"), ("vaccine", "sputnik")]),
        "vaccine"
    );
}

#[test]
fn unknown_places_are_errors() -> R {
    let places = Places::embedded()?;
    let idx = SearchIndex::new(snapshot()?);
    for pairs in [
        [("commune", "99999")],
        [("postcode", "00000")],
        [("department", "00")],
    ] {
        let p = SearchParams::from_pairs(pairs)?;
        assert!(matches!(
            idx.search(&p, places),
            Err(FinderError::UnknownPlace { .. })
        ));
    }
    Ok(())
}

#[test]
fn rtree_and_brute_force_agree() -> R {
    let places = Places::embedded()?;
    let idx = SearchIndex::new(snapshot()?);
    for (lat, lon, r) in [
        (44.7225, 4.5945, 50.0),
        (44.7225, 4.5945, 21.0),
        (48.85, 2.35, 200.0),
        (-21.1, 55.5, 100.0),
    ] {
        let mut a = idx.within(lat, lon, r);
        let mut b = idx.within_brute_force(lat, lon, r);
        a.sort_by_key(|x| x.0);
        b.sort_by_key(|x| x.0);
        assert_eq!(a, b);
        let mut p = SearchParams::new(SearchOrigin::Coordinates {
            latitude: lat,
            longitude: lon,
        });
        p.radius_km = r;
        assert_eq!(idx.search(&p, places)?, idx.search_with(&p, places, true)?);
    }
    Ok(())
}

#[test]
fn embedded_places_autocomplete() -> R {
    let places = Places::embedded()?;
    assert!(places.communes().len() > 34_000);
    let h = places.autocomplete("priv", 10);
    assert_eq!(h[0].code, "07186");
    assert_eq!(h[0].label, "Privas (07000)");
    assert_eq!(h[0].department.as_deref(), Some("07"));
    assert_eq!(places.autocomplete("st etienne", 5)[0].code, "42218");
    assert_eq!(places.autocomplete("SAINT-ÉTIENNE", 5)[0].code, "42218");
    assert_eq!(places.autocomplete("lyon", 5)[0].code, "69123");
    let h = places.autocomplete("paris", 30);
    assert_eq!(h[0].code, "75056");
    assert_eq!(h[1].kind, PlaceKind::Department);
    assert!(
        h.iter().any(|x| x.code == "75115"),
        "arrondissements are listed"
    );
    let h = places.autocomplete("0700", 5);
    assert_eq!(h[0].kind, PlaceKind::Postcode);
    assert_eq!(h[0].code, "07000");
    let h = places.autocomplete("ardeche", 5);
    assert_eq!(h[0].code, "07");
    let h = places.autocomplete("2a", 5);
    assert_eq!(h[0].code, "2A");
    let o = places.postcode_origin("75015")?;
    assert!((o.latitude - 48.84).abs() < 0.02, "{o:?}");
    assert!(places.autocomplete("", 5).is_empty());
    assert_eq!(places.autocomplete("s", 7).len(), 7);
    Ok(())
}

#[test]
fn static_site_files() -> R {
    let s = snapshot()?;
    let files = department_files(&s);
    assert_eq!(files.len(), 102);
    assert_eq!(files["07"].centres.len(), 3);
    assert!(files["om"].centres.is_empty());
    assert_eq!(status_file(&s).platforms.len(), 9);
    let places = Places::embedded()?;
    let pre = places_prefix_files(places);
    let pr = pre.get("pr").ok_or("no pr")?;
    let privas = pr.iter().find(|h| h.code == "07186").ok_or("no Privas")?;
    let near = privas
        .departments_near
        .clone()
        .ok_or("no departments_near")?;
    for d in ["07", "26"] {
        assert!(near.iter().any(|x| x == d), "{near:?}");
    }
    assert!(!near.iter().any(|x| x == "75"));
    // departments and postcodes under their two first characters
    assert!(
        pre["ar"]
            .iter()
            .any(|h| h.code == "07" && h.kind == PlaceKind::Department)
    );
    assert!(
        pre["07"]
            .iter()
            .any(|h| h.code == "07000" && h.kind == PlaceKind::Postcode)
    );
    assert!(pre.keys().all(|k| k.chars().count() == 2));
    Ok(())
}
