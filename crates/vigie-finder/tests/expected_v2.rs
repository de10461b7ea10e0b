//! Conformance of the ViteMaDose v2 export with the reference's expected outputs
//! (`../shared/data/slots/expected/`). Every difference is a named deviation listed in
//! `DEVIATIONS.md` and below: the test checks the reference value **and** Vigie's value at
//! that place, then requires every other value to be equal.

mod common;

use common::*;
use serde_json::Value;
use vigie_finder::snapshot::{Visibility, build_snapshot};
use vigie_finder::v2::{InfoCentres, export_v2, stats};

/// What the reference holds at a deviation's place.
enum Ref {
    /// Exactly this value.
    Is(Value),
    /// An array of this length (long lists).
    Len(usize),
    /// An object whose field `total` is this (days of `creneaux_quotidiens`).
    Total(u64),
}

/// A named deviation: at `pointer` the reference has `reference`, Vigie has `vigie`.
struct Dev {
    name: &'static str,
    pointer: String,
    reference: Ref,
    vigie: Value,
}

fn dev(name: &'static str, pointer: &str, reference: Value, vigie: Value) -> Dev {
    Dev {
        name,
        pointer: pointer.to_string(),
        reference: Ref::Is(reference),
        vigie,
    }
}

fn dev_with(name: &'static str, pointer: &str, reference: Ref, vigie: Value) -> Dev {
    Dev {
        name,
        pointer: pointer.to_string(),
        reference,
        vigie,
    }
}

fn diffs(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                diffs(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diffs(&format!("{path}/{i}"), u, v, out);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => out.push(format!("{path}: reference {a} vs vigie {b}")),
    }
}

/// Applies the deviations (checking both sides) then requires equality.
fn conform(case: &str, mut reference: Value, ours: &Value, devs: &[Dev]) -> R {
    for d in devs {
        let r = reference.pointer_mut(&d.pointer).ok_or_else(|| {
            format!(
                "{case}: deviation {} at {}: no such place in the reference",
                d.name, d.pointer
            )
        })?;
        let ok = match &d.reference {
            Ref::Is(v) => r == v,
            Ref::Len(n) => r.as_array().map(Vec::len) == Some(*n),
            Ref::Total(t) => r["total"].as_u64() == Some(*t),
        };
        assert!(
            ok,
            "{case}: deviation {} ({}): reference value is {r}",
            d.name, d.pointer
        );
        *r = d.vigie.clone();
        let o = ours.pointer(&d.pointer);
        assert_eq!(
            o,
            Some(&d.vigie),
            "{case}: deviation {} ({}): Vigie value",
            d.name,
            d.pointer
        );
    }
    let mut out = Vec::new();
    diffs("", &reference, ours, &mut out);
    assert!(
        out.is_empty(),
        "{case}: undocumented differences:\n{}",
        out.join("\n")
    );
    Ok(())
}

fn load(name: &str) -> R<Option<Value>> {
    let Some(p) = vigie_testkit::shared(&format!("slots/expected/{name}")) else {
        return Ok(None);
    };
    Ok(Some(serde_json::from_str(&std::fs::read_to_string(p)?)?))
}

/// Our export of a case, as JSON, with the sections the reference case holds.
fn our_export(
    events: &[Value],
    lieux: &[(String, vigie_slots::Centre, Option<String>)],
    now: &str,
    deps: &[String],
    visibility: &Visibility,
    last_scan_wins: bool,
) -> R<Value> {
    let now = zoned(now)?;
    let scans = scans_from_events(events, lieux, &now, last_scan_wins)?;
    let snap = build_snapshot(&scans, &[], visibility, &now, 11);
    let e = export_v2(&snap, &now);
    let mut par = serde_json::Map::new();
    let mut cq = serde_json::Map::new();
    for d in deps {
        par.insert(d.clone(), serde_json::to_value(&e.par_departement[d])?);
        cq.insert(d.clone(), serde_json::to_value(&e.creneaux_quotidiens[d])?);
    }
    Ok(serde_json::json!({
        "info_centres": e.info_centres,
        "centres_open_data": e.centres_open_data,
        "par_departement": par,
        "creneaux_quotidiens": cq,
    }))
}

fn lieux_of(
    values: impl Iterator<Item = (String, Value)>,
) -> R<Vec<(String, vigie_slots::Centre, Option<String>)>> {
    let mut out = Vec::new();
    for (k, v) in values {
        let (c, city) = centre_from_lieu(&v)?;
        out.push((k, c, city));
    }
    Ok(out)
}

#[test]
fn export_resources_synthetic() -> R {
    let Some(case) = load("export_resources_synthetic.json")? else {
        return Ok(());
    };
    let out = &case["output"];
    let events = case["inputs"]["events"].as_array().ok_or("events")?;
    // The centres: the visible ones from the expected lists, the hidden ones from the open data.
    let mut lv: Vec<(String, Value)> = Vec::new();
    for c in out["info_centres"]["centres_disponibles"]
        .as_array()
        .ok_or("dispo")?
    {
        lv.push((
            c["internal_id"].as_str().ok_or("id")?.to_string(),
            c.clone(),
        ));
    }
    for (id, row) in [("doctolib1", 2usize), ("ordoclic2", 3)] {
        lv.push((id.to_string(), serde_json::json!({
            "internal_id": id, "nom": out["centres_open_data"][row]["nom"], "url": out["centres_open_data"][row]["url"],
            "plateforme": out["centres_open_data"][row]["plateforme"], "departement": "07"})));
    }
    let lieux = lieux_of(lv.into_iter())?;
    let visibility = Visibility {
        blocklist_urls: vec![
            "https://app.ordoclic.fr/app/pharmacie/captain-pharma-nanterre".into(),
        ],
        ..Visibility::default()
    };
    let deps = vec!["07".to_string(), "24".to_string()];
    let reference = serde_json::json!({
        "info_centres": out["info_centres"], "centres_open_data": out["centres_open_data"],
        "par_departement": out["par_departement"], "creneaux_quotidiens": out["creneaux_quotidiens"],
    });
    let now = case["frozen_now"].as_str().ok_or("now")?;
    // (a) The scans that found slots (Creneau events only): the counting rules.
    let ours = our_export(events, &lieux, now, &deps, &visibility, false)?;
    let devs = synthetic_deviations();
    conform(
        "export_resources_synthetic (slots)",
        reference.clone(),
        &ours,
        &devs,
    )?;
    // (b) The whole stream, last scan wins: a PasDeCreneau after the Creneaux is a newer
    // scan without slots, so both centres are in centres_indisponibles only (§8 #2).
    let ours = our_export(events, &lieux, now, &deps, &visibility, true)?;
    for info in [&ours["info_centres"], &ours["par_departement"]["07"]] {
        assert_eq!(
            info["centres_disponibles"].as_array().map(Vec::len),
            Some(0)
        );
        let ind = info["centres_indisponibles"].as_array().ok_or("indispo")?;
        let ids: Vec<&str> = ind
            .iter()
            .filter_map(|c| c["internal_id"].as_str())
            .collect();
        assert_eq!(
            ids,
            ["doctolib245141pid166627", "maiia5fff1f61b1a1aa1cc204f203"]
        );
        assert!(
            ind.iter()
                .all(|c| c["appointment_count"] == 0 && c["prochain_rdv"].is_null())
        );
    }
    let days = ours["creneaux_quotidiens"]["07"]["creneaux_quotidiens"]
        .as_array()
        .ok_or("days")?;
    assert_eq!(days.len(), 12);
    assert!(days.iter().all(|d| d["total"] == 0));
    Ok(())
}

fn synthetic_deviations() -> Vec<Dev> {
    use serde_json::json;
    let mut d = Vec::new();
    for base in ["/info_centres", "/par_departement/07"] {
        let p = |s: &str| format!("{base}{s}");
        // #2: one list per centre (the available centres are not also unavailable).
        d.push(dev_with(
            "one-list-per-centre",
            &p("/centres_indisponibles"),
            Ref::Len(2),
            json!([]),
        ));
        // Past slot (08:00 on the day of the 21:34 export) and slot beyond the 12 days are not counted.
        d.push(dev(
            "past-and-beyond-horizon-not-counted",
            &p("/centres_disponibles/0/appointment_count"),
            json!(4),
            json!(2),
        ));
        d.push(dev(
            "past-slot-not-next",
            &p("/centres_disponibles/0/prochain_rdv"),
            json!("2021-05-26T08:00:00+02:00"),
            json!("2021-05-27T20:12:00+02:00"),
        ));
        // #6: one format (Paris offset) for every instant.
        d.push(dev(
            "instants-in-paris-offset",
            &p("/centres_disponibles/1/prochain_rdv"),
            json!("2021-06-01T06:30:00+00:00"),
            json!("2021-06-01T08:30:00+02:00"),
        ));
        // #22: scan time of the centres with places.
        d.push(dev(
            "scan-time-published",
            &p("/centres_disponibles/0/last_scan_with_availabilities"),
            Value::Null,
            json!("2021-05-26T21:34:00+02:00"),
        ));
        d.push(dev(
            "scan-time-published",
            &p("/centres_disponibles/1/last_scan_with_availabilities"),
            Value::Null,
            json!("2021-05-26T21:34:00+02:00"),
        ));
    }
    // #9: hidden centres are hidden from the open data too.
    d.push(dev_with("visibility-everywhere", "/centres_open_data", Ref::Len(4), json!([
        {"departement": "07", "plateforme": "Doctolib", "nom": "CENTRE DE VACCINATION COVID 19 TERRITORIAL ET HOSPITALIER DE BOURG DU SAINT-ANDÉOL VIVIERS",
         "url": "https://www.doctolib.fr/vaccination-covid-19/bourg-saint-andeol/centre-de-vaccination-territorial-bourg-saint-andeol?pid=practice-166627"},
        {"departement": "07", "plateforme": "Maiia", "nom": "CENTRE DE VACCINATION COVID - LAMASTRE",
         "url": "https://www.maiia.com/centre-de-vaccination/07270-lamastre/centre-de-vaccination-covid---lamastre?centerid=5fff1f61b1a1aa1cc204f203"}])));
    // Daily counts: past slot not counted (05-26), #7 Paris dates (the 23:30Z slot is on
    // 05-28), #8 once per tag, #9 hidden centres not counted (05-28).
    let tags = |all: u32, fos: u32, kid: u32, third: u32| {
        json!([
        {"tag": "all", "creneaux": all}, {"tag": "first_or_second_dose", "creneaux": fos},
        {"tag": "kids_first_dose", "creneaux": kid}, {"tag": "third_dose", "creneaux": third},
        {"tag": "unknown_dose", "creneaux": 0}])
    };
    let cq = "/creneaux_quotidiens/07/creneaux_quotidiens";
    d.push(dev_with(
        "past-slot-not-counted",
        &format!("{cq}/0"),
        Ref::Total(1),
        json!({"date": "2021-05-26", "total": 0, "creneaux_par_lieu": []}),
    ));
    d.push(dev_with(
        "paris-date-buckets",
        &format!("{cq}/1"),
        Ref::Total(2),
        json!({"date": "2021-05-27", "total": 1, "creneaux_par_lieu": [
            {"lieu": "doctolib245141pid166627", "creneaux_par_tag": tags(1, 0, 0, 1)}]}),
    ));
    d.push(dev_with(
        "paris-date-buckets+once-per-tag+visibility-everywhere",
        &format!("{cq}/2"),
        Ref::Total(2),
        json!({"date": "2021-05-28", "total": 1, "creneaux_par_lieu": [
            {"lieu": "doctolib245141pid166627", "creneaux_par_tag": tags(1, 1, 0, 1)}]}),
    ));
    d
}

const CONNECTOR_CASES: [&str; 7] = [
    "bimedoc_fetch_available.json",
    "doctolib_basic.json",
    "doctolib_invalid_pid_corrected.json",
    "doctolib_next_slot_only.json",
    "doctolib_no_slots.json",
    "mesoigner_fetch_unavailable.json",
    "valwin_fetch_available.json",
];

/// One connector-style case: events and lieux in, v2 export compared.
fn run_connector_case(name: &str, case: &Value, devs: &[Dev]) -> R {
    let e = &case["export_v2"];
    let lieux = lieux_of(
        case["output"]["events_summary"]["lieux"]
            .as_object()
            .ok_or("lieux")?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    )?;
    let events = case["output"]["events"].as_array().ok_or("events")?;
    let deps: Vec<String> = e["par_departement"]
        .as_object()
        .ok_or("deps")?
        .keys()
        .cloned()
        .collect();
    let ours = our_export(
        events,
        &lieux,
        e["frozen_now"].as_str().ok_or("now")?,
        &deps,
        &Visibility::default(),
        true,
    )?;
    let reference = serde_json::json!({
        "info_centres": e["info_centres"], "centres_open_data": e["centres_open_data"],
        "par_departement": e["par_departement"], "creneaux_quotidiens": e["creneaux_quotidiens"],
    });
    conform(name, reference, &ours, devs)
}

/// The repository's own case (fresh clone, no shared data).
#[test]
fn own_fixture_case() -> R {
    use serde_json::json;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export_case_small.json");
    let case: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let mut devs = Vec::new();
    for base in ["/info_centres", "/par_departement/62"] {
        devs.push(dev(
            "instants-in-paris-offset",
            &format!("{base}/centres_disponibles/0/prochain_rdv"),
            json!("2021-08-10T23:30:00+00:00"),
            json!("2021-08-11T01:30:00+02:00"),
        ));
        devs.push(dev(
            "scan-time-published",
            &format!("{base}/centres_disponibles/0/last_scan_with_availabilities"),
            Value::Null,
            json!("2021-08-10T00:00:00+02:00"),
        ));
    }
    let cq = "/creneaux_quotidiens/62/creneaux_quotidiens";
    devs.push(dev_with(
        "paris-date-buckets",
        &format!("{cq}/0"),
        Ref::Total(1),
        json!({"date": "2021-08-10", "total": 0, "creneaux_par_lieu": []}),
    ));
    devs.push(dev_with("paris-date-buckets+once-per-tag", &format!("{cq}/1"), Ref::Total(1),
        json!({"date": "2021-08-11", "total": 2, "creneaux_par_lieu": [{"lieu": "bimedoc00000000-test", "creneaux_par_tag": [
            {"tag": "all", "creneaux": 2}, {"tag": "first_or_second_dose", "creneaux": 1},
            {"tag": "kids_first_dose", "creneaux": 0}, {"tag": "third_dose", "creneaux": 1},
            {"tag": "unknown_dose", "creneaux": 0}]}]})));
    run_connector_case("export_case_small.json", &case, &devs)
}

#[test]
fn connector_cases_export_v2() -> R {
    for name in CONNECTOR_CASES {
        let Some(case) = load(name)? else {
            return Ok(());
        };
        let deps: Vec<String> = case["export_v2"]["par_departement"]
            .as_object()
            .ok_or("deps")?
            .keys()
            .cloned()
            .collect();
        run_connector_case(name, &case, &connector_deviations(name, &deps))?;
    }
    Ok(())
}

fn connector_deviations(name: &str, deps: &[String]) -> Vec<Dev> {
    use serde_json::json;
    let dep = deps.first().map_or("", String::as_str);
    let both = |s: &str| {
        [
            format!("/info_centres{s}"),
            format!("/par_departement/{dep}{s}"),
        ]
    };
    let fos = |day: usize| {
        format!(
            "/creneaux_quotidiens/{dep}/creneaux_quotidiens/{day}/creneaux_par_lieu/0/creneaux_par_tag/1/creneaux"
        )
    };
    let mut d = Vec::new();
    let scan_time = |d: &mut Vec<Dev>, now: &str| {
        for p in both("/centres_disponibles/0/last_scan_with_availabilities") {
            d.push(dev("scan-time-published", &p, Value::Null, json!(now)));
        }
    };
    match name {
        "bimedoc_fetch_available.json" => {
            scan_time(&mut d, "2021-08-10T00:00:00+02:00");
            for p in both("/centres_disponibles/0") {
                // 133 slots up to end_date 2021-08-21 inclusive: those after the 12th date
                // (2021-08-21) are outside the horizon.
                d.push(dev(
                    "beyond-horizon-not-counted",
                    &format!("{p}/appointment_count"),
                    json!(133),
                    json!(75),
                ));
                d.push(dev(
                    "instants-in-paris-offset",
                    &format!("{p}/prochain_rdv"),
                    json!("2021-08-11T08:15:00+00:00"),
                    json!("2021-08-11T10:15:00+02:00"),
                ));
            }
            // Every slot offers [1, 2, 3]: the reference counts it twice in first_or_second_dose.
            for (day, n) in [(1, 5), (2, 8), (7, 10), (8, 14), (9, 27), (10, 10), (11, 1)] {
                d.push(dev("once-per-tag", &fos(day), json!(2 * n), json!(n)));
            }
        }
        "doctolib_basic.json" | "doctolib_invalid_pid_corrected.json" => {
            scan_time(&mut d, "2021-04-03T00:00:00+02:00");
        }
        "doctolib_next_slot_only.json" => {
            let url = "https://partners.doctolib.fr/centre-de-vaccinations-internationales/ville1/centre1?pid=practice-165752&enable_cookies_consent=1";
            for p in both("/centres_indisponibles/0/internal_id") {
                d.push(dev("every-centre-has-an-id", &p, Value::Null, json!(url)));
            }
        }
        "valwin_fetch_available.json" => {
            scan_time(&mut d, "2021-09-11T00:00:00+02:00");
            for p in both("/centres_disponibles/0/prochain_rdv") {
                d.push(dev(
                    "instants-in-paris-offset",
                    &p,
                    json!("2021-09-17T10:00:00"),
                    json!("2021-09-17T10:00:00+02:00"),
                ));
            }
            // 12 slots offering [1, 2] on 2021-09-17.
            d.push(dev("once-per-tag", &fos(6), json!(24), json!(12)));
        }
        _ => {}
    }
    d
}

#[test]
fn stats_from_recorded_info_centres() -> R {
    let Some(p) = vigie_testkit::shared("slots/recorded-responses/stats/info-centres.json") else {
        return Ok(());
    };
    let Some(case) = load("stats.json")? else {
        return Ok(());
    };
    let info: InfoCentres = serde_json::from_str(&std::fs::read_to_string(p)?)?;
    let ours = serde_json::to_value(stats(&info))?;
    // No centre is in both lists and no department has two available centres here, so the
    // reference's bugs do not show: equal.
    conform(
        "stats.json (a)",
        case["output"]["stats_json_from_fixture"].clone(),
        &ours,
        &[],
    )?;
    Ok(())
}

#[test]
fn stats_fix_the_reference_bugs() -> R {
    use serde_json::json;
    let Some(case) = load("stats.json")? else {
        return Ok(());
    };
    // (b) dep 07 of the combined export: the two Doctolib centres (5 slots in all) are
    // available and, through a PasDeCreneau, also unavailable (center_types: Doctolib
    // disponible 2, creneaux 5).
    let centre = |id: &str, n: u64| {
        json!({"departement": "07", "nom": id, "url": id, "internal_id": id, "plateforme": "Doctolib",
               "appointment_count": n, "prochain_rdv": "2021-04-10T21:45:00+02:00"})
    };
    let info: InfoCentres = serde_json::from_value(json!({
        "version": 1, "last_updated": "2021-04-14T12:00:00+02:00",
        "centres_disponibles": [centre("a", 4), centre("b", 1)],
        "centres_indisponibles": [centre("a", 0), centre("b", 0)],
    }))?;
    let ours = serde_json::to_value(stats(&info))?;
    let reference = json!({"tout_departement": {"disponibles": 2, "total": 4, "creneaux": 5},
                           "07": case["output"]["stats_json_from_combined_export"]["07"].clone()});
    conform(
        "stats.json (b) dep 07",
        reference,
        &ours,
        &[
            // §8 #10: per-department creneaux = disponibles × Σ in the reference.
            dev(
                "stats-creneaux-not-multiplied",
                "/07/creneaux",
                json!(10),
                json!(5),
            ),
            // §8 #2: a centre in both lists is counted once, as available.
            dev(
                "stats-one-list-per-centre",
                "/07/indisponibles",
                json!(2),
                json!(0),
            ),
            dev("stats-one-list-per-centre", "/07/total", json!(4), json!(2)),
            dev(
                "stats-one-list-per-centre",
                "/tout_departement/total",
                json!(4),
                json!(2),
            ),
        ],
    )?;
    Ok(())
}
