//! Conformance with the reference's expected outputs (`../shared/data/slots/expected/`),
//! reading the recorded responses in place. Skips when the shared data is absent.
//! Named deviations are documented in `DEVIATIONS.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod reference;

use std::collections::BTreeMap;

use jiff::Zoned;
use reference::{
    call_urls, expected, instant, paris, recorded, reference_doses, reference_vaccine,
};
use serde_json::Value;
use vigie_slots::canned::{Canned, CannedError};
use vigie_slots::connector::{Connector, Method, ScanTarget};
use vigie_slots::platforms::{
    avecmondoc, bimedoc, doctolib, keldoc, maiia, mapharma, mesoigner, ordoclic, valwin,
};
use vigie_slots::{Dose, ScanOutcome, SlotError, Tag, Vaccine, aggregate, normalise};

/// Compares the Creneau events of a case with our slots: same multiset of (instant, doses,
/// vaccine).
fn assert_same_slots(case: &Value, out: &ScanOutcome) {
    let mut want: Vec<(jiff::Timestamp, Vec<Dose>, Option<String>)> = case["output"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "Creneau")
        .map(|e| {
            (
                instant(e["horaire"].as_str().unwrap()),
                reference_doses(&e["dose"]),
                reference_vaccine(&e["type_vaccin"]),
            )
        })
        .collect();
    let mut got: Vec<(jiff::Timestamp, Vec<Dose>, Option<String>)> = out
        .slots
        .iter()
        .flat_map(|s| {
            let mut d = s.doses.clone();
            d.sort();
            std::iter::repeat_n(
                (
                    s.start.timestamp(),
                    d,
                    s.vaccine.map(|v| v.reference_name().to_string()),
                ),
                s.places as usize,
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

/// Compares the export's daily counts of the case's centre with [`aggregate`]
/// (tags `all`, `kids_first_dose`, `third_dose`, `unknown_dose` exactly; for
/// `first_or_second_dose` the reference counts a slot once per matching rank, deviation #8).
fn assert_daily(case: &Value, out: &ScanOutcome) {
    let export = &case["export_v2"];
    let now: Zoned = export["frozen_now"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .to_zoned(paris());
    let agg = aggregate(
        &out.slots,
        &now,
        export["next_days"].as_u64().unwrap() as u16,
    );
    let centres = export["info_centres"]["centres_disponibles"]
        .as_array()
        .unwrap();
    if let Some(c) = centres.first() {
        assert_eq!(agg.count as u64, c["appointment_count"].as_u64().unwrap());
        let next = instant(c["prochain_rdv"].as_str().unwrap());
        assert_eq!(agg.next.as_ref().map(Zoned::timestamp), Some(next));
    } else {
        assert_eq!(agg.count, 0);
    }
    for dep in export["creneaux_quotidiens"].as_object().unwrap().values() {
        let days = dep["creneaux_quotidiens"].as_array().unwrap();
        assert_eq!(days.len(), agg.daily.len());
        for (want, got) in days.iter().zip(&agg.daily) {
            assert_eq!(want["date"].as_str().unwrap(), got.date.to_string());
            assert_eq!(want["total"].as_u64().unwrap(), u64::from(got.total));
            let mut tags: BTreeMap<String, u64> = BTreeMap::new();
            for lieu in want["creneaux_par_lieu"].as_array().unwrap() {
                for t in lieu["creneaux_par_tag"].as_array().unwrap() {
                    *tags.entry(t["tag"].as_str().unwrap().into()).or_default() +=
                        t["creneaux"].as_u64().unwrap();
                }
            }
            for tag in [Tag::All, Tag::KidsFirst, Tag::Booster, Tag::Unknown] {
                assert_eq!(
                    tags.get(tag.slug()).copied().unwrap_or(0),
                    u64::from(got.by_tag[&tag]),
                    "{} on {}",
                    tag.slug(),
                    got.date
                );
            }
            // Deviation #8: the reference adds one per matching rank.
            let double = u64::from(got.by_tag[&Tag::First]) + u64::from(got.by_tag[&Tag::Second]);
            assert_eq!(
                tags.get("first_or_second_dose").copied().unwrap_or(0),
                double
            );
            assert!(got.by_tag[&Tag::FirstOrSecond] <= got.total);
        }
    }
}

/// The flow's own error; any other failure (a request not in the case, a flow that does
/// not end) fails the test.
fn flow<T>(r: Result<T, CannedError>) -> Result<T, SlotError> {
    r.map_err(|e| match e {
        CannedError::Flow(e) => e,
        other => panic!("{other}"),
    })
}

/// The Doctolib scan of a case: the booking answers its first call, `avail` (or nothing) its
/// second; the requests made are the case's calls, in order.
fn doctolib_run(
    case: &Value,
    booking: Vec<u8>,
    avail: Option<Vec<u8>>,
) -> Result<ScanOutcome, SlotError> {
    let req = &case["inputs"]["request"];
    let target = ScanTarget {
        booking_url: req["url"].as_str().unwrap().into(),
        platform_id: String::new(),
        department: req["center_info"]["departement"].as_str().map(String::from),
        address: req["center_info"]["metadata"]["address"]
            .as_str()
            .map(String::from),
        start: req["start_date"].as_str().unwrap().parse().unwrap(),
        days: 11,
        platform_data: None,
    };
    let calls = call_urls(&case["output"]);
    let mut r = Canned::default().get(calls[0], booking);
    if let Some(url) = calls.get(1) {
        r = r.get(url, avail.unwrap_or_default());
    }
    let out = flow(r.drive(&doctolib::Doctolib, &target))?;
    let sent: Vec<&str> = r.log().iter().map(|q| q.url.as_str()).collect();
    assert_eq!(sent, calls[..sent.len()]);
    Ok(out)
}

#[test]
fn doctolib_basic_and_pid_corrected() {
    for name in ["doctolib_basic.json", "doctolib_invalid_pid_corrected.json"] {
        let Some(case) = expected(name) else { return };
        let booking = match case["inputs"].get("booking_override") {
            Some(b) => serde_json::to_vec(b).unwrap(),
            None => recorded("doctolib/basic-booking.json"),
        };
        let out = doctolib_run(
            &case,
            booking,
            Some(recorded("doctolib/basic-availabilities.json")),
        )
        .unwrap();
        assert_same_slots(&case, &out);
        assert_daily(&case, &out);
        let url = case["output"]["request_after"]["url"].as_str().unwrap();
        assert!(out.slots.iter().all(|s| &*s.booking_url == url), "{name}");
        assert_eq!(out.vaccines, vec![Vaccine::PfizerBioNTech]);
    }
}

#[test]
fn doctolib_phone_only_no_slots_next_slot() {
    let Some(case) = expected("doctolib_phone_only.json") else {
        return;
    };
    let out = doctolib_run(
        &case,
        serde_json::to_vec(&case["inputs"]["booking_override"]).unwrap(),
        None,
    )
    .unwrap();
    assert!(out.phone_only && out.slots.is_empty());

    let Some(case) = expected("doctolib_no_slots.json") else {
        return;
    };
    let out = doctolib_run(
        &case,
        recorded("doctolib/basic-booking.json"),
        Some(br#"{"availabilities":[{"slots":[]}]}"#.to_vec()),
    )
    .unwrap();
    assert!(out.slots.is_empty());

    let Some(case) = expected("doctolib_next_slot_only.json") else {
        return;
    };
    let out = doctolib_run(
        &case,
        recorded("doctolib/next-slot-booking.json"),
        Some(recorded("doctolib/next-slot-availabilities.json")),
    )
    .unwrap();
    assert!(out.slots.is_empty());
    assert_eq!(case["output"]["return"], Value::Null);
    // Deviation #18: the next date is exposed as a hint.
    assert_eq!(
        out.next_hint.unwrap().to_string(),
        "2021-04-10T12:00:00+02:00[Europe/Paris]"
    );
}

#[test]
fn keldoc_center1_hint_only() {
    let Some(case) = expected("keldoc_fetch_center1.json") else {
        return;
    };
    let motives = keldoc::parse_motives(&recorded("keldoc/center1-cabinet-16913.json")).unwrap();
    let want: Vec<i64> = case["output"]["extra"]["filter_vaccine_motives(input_data)"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(motives.iter().map(|m| m.id).collect::<Vec<_>>(), want);
    assert!(
        motives
            .iter()
            .all(|m| m.dose == Dose::First && m.vaccine.is_none())
    );
    let mut out = ScanOutcome::default();
    for m in &motives {
        let body = recorded(&format!("keldoc/center1-timetable-{}.json", m.id));
        keldoc::parse_timetable(&body, m, &paris(), "u", &mut out).unwrap();
    }
    assert!(out.slots.is_empty());
    let hint = out.next_hint.unwrap();
    assert_eq!(hint.timestamp(), instant("2021-04-20T16:55:00+02:00"));
    // Deviation #11: the host is normalised idempotently, not doubled.
    let url = case["inputs"]["request"]["url"].as_str().unwrap();
    assert_eq!(keldoc::normalise_url(url), url);
}

#[test]
fn keldoc_parse_availability() {
    let Some(case) = expected("keldoc_parse_availability.json") else {
        return;
    };
    let body = serde_json::to_vec(&case["inputs"]["synthetic_timetable"]).unwrap();
    let m = keldoc::Motive {
        id: 1,
        agendas: vec![],
        dose: Dose::First,
        vaccine: None,
    };
    let mut out = ScanOutcome::default();
    keldoc::parse_timetable(&body, &m, &paris(), "u", &mut out).unwrap();
    assert_same_slots(&case, &out);
    let min = out.slots.iter().map(|s| s.start.timestamp()).min().unwrap();
    assert_eq!(
        min,
        instant(case["output"]["return"]["availabilities"].as_str().unwrap())
    );
}

#[test]
fn maiia_reasons_and_closest() {
    let Some(case) = expected("maiia_reasons.json") else {
        return;
    };
    let reasons = maiia::parse_reasons(&recorded("maiia/consultation-reason-hcd.json")).unwrap();
    let want = case["output"]["return"]["per_reason"].as_array().unwrap();
    assert_eq!(reasons.len(), want.len());
    for (r, w) in reasons.iter().zip(want) {
        assert_eq!(r.name, w["name"].as_str().unwrap());
        assert_eq!(r.dose, Some(Dose::First));
        assert_eq!(r.vaccine, None);
        // Deviation #12: whole-word exclusion keeps "attestation".
        assert!(!r.excluded || w["excluded_by_name"] == true);
    }
    assert_eq!(maiia::scannable(&reasons).len(), 10);

    let Some(case) = expected("maiia_next_slot_date.json") else {
        return;
    };
    let z = maiia::parse_closest(&recorded("maiia/availability-closests.json"), &paris())
        .unwrap()
        .unwrap();
    assert_eq!(
        z.timestamp(),
        instant(case["output"]["return"].as_str().unwrap())
    );
    let url = maiia::closest_url(
        "5ffc744c68dedf073a5b87a2",
        "Première injection vaccin anti Covid-19 (Pfizer-BioNTech)",
        "2021-04-14T17:50:00.000Z",
    );
    assert_eq!(
        url,
        case["output"]["http_calls"][0]["url"].as_str().unwrap()
    );
}

#[test]
fn mapharma_cases() {
    let Some(case) = expected("mapharma_parse_slots.json") else {
        return;
    };
    let slots = mapharma::parse_calendar(
        &recorded("mapharma/slots.json"),
        jiff::civil::date(2021, 4, 19),
        Some(Vaccine::PfizerBioNTech),
        &paris(),
        "u",
    )
    .unwrap();
    let r = &case["output"]["return"];
    assert_eq!(
        slots.iter().map(|s| u64::from(s.places)).sum::<u64>(),
        r["parse_slots"]["slot_count"].as_u64().unwrap()
    );
    assert_eq!(
        slots[0].start.timestamp(),
        instant(r["parse_slots"]["first_availability"].as_str().unwrap())
    );

    let Some(case) = expected("mapharma_total_libres_zero.json") else {
        return;
    };
    let od = mapharma::parse_open_data(&recorded("mapharma/mapharma_open_data.json")).unwrap();
    let c =
        mapharma::find_campaign(&od, case["inputs"]["request"]["url"].as_str().unwrap()).unwrap();
    assert_eq!(c.total_libres, Some(0), "nothing to request");
}

#[test]
fn ordoclic_cases() {
    let Some(case) = expected("ordoclic_parse_slots.json") else {
        return;
    };
    let r = &case["output"]["return"];
    for (file, key) in [
        ("empty_slots", "empty_slots"),
        ("nextavailable_slots", "nextavailable_slots"),
        ("full_slots", "full_slots"),
    ] {
        let mut out = ScanOutcome::default();
        ordoclic::parse_slots(
            &recorded(&format!("ordoclic/{file}.json")),
            &[Dose::First],
            Some(Vaccine::PfizerBioNTech),
            &paris(),
            "u",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out.slots.len() as u64,
            r[key]["creneau_count"].as_u64().unwrap(),
            "{key}"
        );
        let reference = r[key]["return_value"].as_str();
        match key {
            "empty_slots" => assert!(reference.is_none() && out.next_hint.is_none()),
            // Deviation #4: the reference adds a fixed hour and keeps "+00:00"; the true
            // instant is 10:30Z = 12:30 in Paris.
            "nextavailable_slots" => {
                assert_eq!(reference, Some("2021-06-12T11:30:00+00:00"));
                assert_eq!(
                    out.next_hint.as_ref().unwrap().to_string(),
                    "2021-06-12T12:30:00+02:00[Europe/Paris]"
                );
            }
            _ => {
                // Deviation #4: the reference labels Paris wall-clock time "+00:00"; our
                // instants show the same wall-clock time with the real offset.
                let first = out.slots.iter().map(|s| &s.start).min().unwrap();
                assert_eq!(
                    first.datetime().to_string(),
                    reference.unwrap().trim_end_matches("+00:00")
                );
                for (s, w) in out
                    .slots
                    .iter()
                    .zip(r[key]["first_creneaux"].as_array().unwrap())
                {
                    assert_eq!(
                        s.start.datetime().to_string(),
                        w["horaire"].as_str().unwrap().trim_end_matches("+00:00")
                    );
                }
            }
        }
    }
    let Some(_case) = expected("ordoclic_phone_only.json") else {
        return;
    };
    assert!(
        ordoclic::parse_profile(&recorded("ordoclic/fetchslot-profile2.json"))
            .unwrap()
            .phone_only
    );
}

#[test]
fn ordoclic_centre_iterator() {
    let Some(case) = expected("ordoclic_centre_iterator.json") else {
        return;
    };
    let centres = ordoclic::parse_search(&recorded("ordoclic/search.json")).unwrap();
    let want: Value = serde_json::from_slice(&recorded("ordoclic/search-result.json")).unwrap();
    let want = want.as_array().unwrap();
    assert_eq!(centres.len(), want.len());
    for (c, w) in centres.iter().zip(want) {
        assert_eq!(c.booking_url, w["rdv_site_web"].as_str().unwrap());
        assert_eq!(c.name, w["nom"].as_str().unwrap());
        assert_eq!(
            c.phone.as_deref(),
            w["phone_number"].as_str().filter(|p| !p.is_empty())
        );
    }
    let _ = case;
}

#[test]
fn avecmondoc_same_page() {
    let Some(case) = expected("avecmondoc_fetch_same_page.json") else {
        return;
    };
    let org =
        avecmondoc::parse_organization(&recorded("avecmondoc/get_organization_slug.json")).unwrap();
    let ids: Vec<i64> = org.reasons.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![604, 605]);
    let body = recorded("avecmondoc/get_availabilities.json");
    let mut out = ScanOutcome::default();
    for r in &org.reasons {
        for _window in 0..2 {
            avecmondoc::parse_window(&body, r, &paris(), "u", &mut out).unwrap();
        }
    }
    // Deviation #13: the same page answered for both windows counts once: 24, not 48.
    assert_eq!(case["output"]["events_summary"]["creneau_count"], 48);
    assert_eq!(out.slots.len(), 24);
    let min = out.slots.iter().map(|s| s.start.timestamp()).min().unwrap();
    assert_eq!(min, instant(case["output"]["return"].as_str().unwrap()));
    let vaccines: Vec<&str> = out.vaccines.iter().map(|v| v.reference_name()).collect();
    assert_eq!(vaccines, vec!["Pfizer-BioNTech", "Janssen"]);
    let body_json = &case["output"]["http_calls"][1]["body"];
    assert_eq!(
        &avecmondoc::window_body(604, 159, "2021-05-20", "2021-05-26"),
        body_json
    );
}

/// A one-request scan: the case's first call answered `status` and `body`.
fn one_step<C: Connector>(
    c: C,
    case: &Value,
    platform_id: &str,
    department: &str,
    body: Vec<u8>,
    status: u16,
) -> Result<ScanOutcome, SlotError> {
    let target = ScanTarget {
        platform_id: platform_id.into(),
        ..reference::target(case, department, None)
    };
    let url = call_urls(&case["output"])[0];
    let mut r = Canned::default().exact(Method::Get, url, None, status, body);
    let out = flow(r.drive(&c, &target));
    assert_eq!(r.log().len(), 1);
    assert_eq!(r.log()[0].url, url);
    out
}

#[test]
fn mesoigner_unavailable() {
    let Some(case) = expected("mesoigner_fetch_unavailable.json") else {
        return;
    };
    let out = one_step(
        mesoigner::Mesoigner,
        &case,
        "1722",
        "03",
        recorded("mesoigner/slots_unavailable.json"),
        200,
    )
    .unwrap();
    assert!(out.slots.is_empty());
    assert_eq!(out.platform_count, Some(0));
    assert_daily(&case, &out);
}

#[test]
fn bimedoc_available_and_403() {
    let Some(case) = expected("bimedoc_fetch_available.json") else {
        return;
    };
    let id = "9cf46288-0080-4a8d-8856-8e9998ced9f7";
    let out = one_step(
        bimedoc::Bimedoc,
        &case,
        id,
        "62",
        recorded("bimedoc/slots_available.json"),
        200,
    )
    .unwrap();
    assert_same_slots(&case, &out);
    assert_daily(&case, &out);
    let Some(case) = expected("bimedoc_fetch_403.json") else {
        return;
    };
    let err = one_step(
        bimedoc::Bimedoc,
        &case,
        id,
        "62",
        recorded("bimedoc/slots_available.json"),
        403,
    )
    .unwrap_err();
    assert!(matches!(err, SlotError::Blocked { status: 403, .. }));
}

#[test]
fn valwin_available() {
    let Some(case) = expected("valwin_fetch_available.json") else {
        return;
    };
    let out = one_step(
        valwin::Valwin,
        &case,
        "aptiphar18-priker-magny-hameaux",
        "78",
        recorded("valwin/slots_available.json"),
        200,
    )
    .unwrap();
    assert_same_slots(&case, &out);
    assert_daily(&case, &out);
    assert_eq!(out.platform_count, Some(12));
    let url = case["output"]["events"][0]["reservation_url"]
        .as_str()
        .unwrap();
    assert!(out.slots.iter().all(|s| &*s.booking_url == url));
}

#[test]
fn normalisation_tables() {
    let Some(case) = expected("normalisation_vaccines_doses.json") else {
        return;
    };
    let o = &case["output"];
    for e in o["get_vaccine_name"].as_array().unwrap() {
        let input = e["input"].as_str().unwrap_or("");
        let got = normalise::vaccine_from_name(input).map(Vaccine::reference_name);
        // Vigie addition: Novavax is recognised (the reference had no Novavax).
        if input == "Vaccin Novavax" {
            assert_eq!(got, Some("Novavax"));
            continue;
        }
        assert_eq!(got, e["output"].as_str(), "{input}");
    }
    for e in o["keldoc_dose_number"].as_array().unwrap() {
        let input = e["input"].as_str().unwrap();
        let got = normalise::keldoc_dose(input).map(Dose::reference_name);
        assert_eq!(got, e["output"].as_str(), "{input}");
    }
    for e in o["maiia_get_vaccine_type_from_name"].as_array().unwrap() {
        let Some(input) = e["input"].as_str() else {
            continue;
        };
        let got = normalise::maiia_dose_from_name(input).map(|d| match d {
            Dose::First => 1,
            Dose::Second => 2,
            _ => 3,
        });
        assert_eq!(got, e["output"].as_i64(), "{input}");
    }
    for e in o["avecmondoc_get_vaccine_dose"].as_array().unwrap() {
        let Some(input) = e["input"].as_str() else {
            continue;
        };
        assert_eq!(
            normalise::avecmondoc_doses(input),
            reference_doses(&e["output"]),
            "{input}"
        );
    }
    let motives = keldoc::parse_motives(&recorded("keldoc/motives-ain.json")).unwrap();
    let want = o["keldoc_filter_vaccine_motives_motives_ain"]
        .as_array()
        .unwrap();
    assert_eq!(motives.len(), want.len());
    for (m, w) in motives.iter().zip(want) {
        assert_eq!(m.id, w["id"].as_i64().unwrap());
        assert_eq!(
            m.vaccine.map(Vaccine::reference_name),
            w["vaccine_type"].as_str()
        );
    }
}
