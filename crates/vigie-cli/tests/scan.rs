//! `vigie scan` end to end: the generated demonstration centres replayed from their recording,
//! the files of the contract (docs/slots-api.md), scans kept in a data directory with
//! history, a blocked platform kept stale, and requests missing from a recording reported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

fn read(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = vigie().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_scan_writes_the_vitemadose_and_open_data_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        "scan",
        "--demo",
        "--now",
        "2026-11-29T10:00:00+01:00",
        "--out",
        o,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("404 centres"), "{stdout}");
    let snap = read(&out.join("open-data/centres.json"));
    assert_eq!(snap["schema"], "vigie.slots.v1");
    assert_eq!(snap["days"].as_array().unwrap().len(), 12);
    assert_eq!(snap["days"][0], "2026-11-29");
    let centres = snap["centres"].as_array().unwrap();
    assert_eq!(centres.len(), 404);
    // Every count is the sum of its days, every next slot is in the future, in Paris time
    // (or the overseas zone of the centre).
    let mut with_slots = 0;
    for c in centres {
        let daily: u64 = c["daily"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["all"].as_u64().unwrap())
            .sum();
        assert_eq!(daily, c["slot_count"].as_u64().unwrap(), "{}", c["id"]);
        if let Some(next) = c["next_slot"].as_str() {
            with_slots += 1;
            let t: jiff::Timestamp = next.parse().unwrap();
            assert!(t >= "2026-11-29T09:00:00Z".parse().unwrap(), "{next}");
            if c["department"].as_str().unwrap().len() == 2 {
                assert!(next.ends_with("+01:00"), "{next}");
            }
        }
    }
    assert!(with_slots > 300, "{with_slots}");
    // ViteMaDose v2 files: one per department (+ om), daily counts with 12 dates.
    let vmd = out.join("vitemadose");
    let info = read(&vmd.join("info_centres.json"));
    assert_eq!(
        info["centres_disponibles"].as_array().unwrap().len(),
        with_slots
    );
    assert_eq!(info["version"], 1);
    let deps = read(&vmd.join("departements.json"));
    assert_eq!(deps.as_array().unwrap().len(), 102);
    for d in deps.as_array().unwrap() {
        let code = d["code_departement"].as_str().unwrap();
        assert!(vmd.join(format!("{code}.json")).exists(), "{code}");
        let q = read(&vmd.join(code).join("creneaux-quotidiens.json"));
        assert_eq!(q["creneaux_quotidiens"].as_array().unwrap().len(), 12);
    }
    let q07 = read(&vmd.join("07/creneaux-quotidiens.json"));
    let total07: u64 = q07["creneaux_quotidiens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["total"].as_u64().unwrap())
        .sum();
    let snap07: u64 = centres
        .iter()
        .filter(|c| c["department"] == "07")
        .map(|c| c["slot_count"].as_u64().unwrap())
        .sum();
    assert_eq!(total07, snap07);
    let stats = read(&vmd.join("stats.json"));
    assert_eq!(stats["tout_departement"]["total"], 404);
    let by_date = read(&vmd.join("stats_by_date.json"));
    assert_eq!(by_date["total_centres"], serde_json::json!([404]));
    assert_eq!(by_date["dates"].as_array().unwrap().len(), 1);
    // Open-data CSV files with their dictionary; the scan report.
    let slots_csv = fs::read_to_string(out.join("open-data/slots.csv")).unwrap();
    let total: u64 = centres
        .iter()
        .map(|c| c["slot_count"].as_u64().unwrap())
        .sum();
    assert!(slots_csv.lines().count() > 1);
    assert!(total > 5000, "{total}");
    assert!(out.join("open-data/centres.csv").exists());
    assert!(out.join("open-data/data-dictionary.md").exists());
    let report = read(&out.join("scan-report.json"));
    assert_eq!(report["mode"], "replay");
    assert_eq!(report["run"]["missing_replay"].as_array().unwrap().len(), 0);
}

#[test]
fn scans_in_a_data_dir_keep_history_and_a_blocked_platform_stays_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let demo =
        vigie_demo::write_demo_centres(&tmp.path().join("demo"), jiff::civil::date(2026, 11, 29))
            .unwrap();
    let data = tmp.path().join("data");
    let csv = demo.centres_csv.to_str().unwrap().to_string();
    let rec = demo.recording_dir.to_str().unwrap().to_string();
    let d = data.to_str().unwrap().to_string();
    let scan = |rec: &str, now: &str| {
        run(&[
            "scan",
            "--centres",
            &csv,
            "--replay",
            rec,
            "--now",
            now,
            "--data-dir",
            &d,
        ])
    };
    let (code, stdout, stderr) = scan(&rec, "2026-11-29T10:00:00+01:00");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let first = read(&data.join("scans/current/open-data/centres.json"));
    let bimedoc_first: Vec<&Value> = first["centres"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["platform"] == "bimedoc")
        .collect();
    assert!(bimedoc_first.len() > 100);

    // Bimedoc now answers 403 to one request in two: its breaker trips part-way (the platform
    // is degraded or failed), and every centre it could not read is carried from the previous
    // scan, marked stale, instead of "no slot" or an error.
    let blocked = tmp.path().join("blocked");
    fs::create_dir_all(&blocked).unwrap();
    let mut lines = String::new();
    for (i, line) in fs::read_to_string(demo.recording_dir.join("exchanges.jsonl"))
        .unwrap()
        .lines()
        .enumerate()
    {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["url"].as_str().unwrap().contains("bimedoc") && i % 2 == 0 {
            v["status"] = 403.into();
            v["response"] = serde_json::json!({"detail": "forbidden"});
            v.as_object_mut().unwrap().remove("response_file");
        }
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    fs::write(blocked.join("exchanges.jsonl"), lines).unwrap();
    // Response files referenced by the other lines.
    for e in fs::read_dir(&demo.recording_dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            let to = blocked.join(e.file_name());
            fs::create_dir_all(&to).unwrap();
            for f in fs::read_dir(e.path()).unwrap() {
                let f = f.unwrap();
                fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        }
    }
    let (code, stdout, stderr) = scan(blocked.to_str().unwrap(), "2026-11-29T10:10:00+01:00");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("bimedoc: "), "{stdout}");
    let second = read(&data.join("scans/current/open-data/centres.json"));
    let bimedoc = second["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "bimedoc")
        .unwrap()
        .clone();
    assert!(
        bimedoc["status"] == "degraded" || bimedoc["status"] == "failed",
        "{bimedoc}"
    );
    assert_eq!(bimedoc["stale"], true, "{bimedoc}");
    let stale: Vec<&Value> = second["centres"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["platform"] == "bimedoc")
        .collect();
    assert_eq!(stale.len(), bimedoc_first.len());
    assert!(
        stale
            .iter()
            .all(|c| ["ok", "no_slots", "stale"].contains(&c["status"].as_str().unwrap())),
        "no bimedoc centre may be published as an error or dropped"
    );
    let carried: Vec<&&Value> = stale.iter().filter(|c| c["status"] == "stale").collect();
    assert!(carried.len() >= 60, "{}", carried.len());
    assert!(carried.iter().all(|c| !c["stale_since"].is_null()));
    assert!(
        carried
            .iter()
            .any(|c| c["slot_count"].as_u64().unwrap() > 0)
    );
    let report = read(&data.join("scans/current/scan-report.json"));
    let p = report["run"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "bimedoc")
        .unwrap();
    assert_eq!(p["breaker_tripped"], true, "{p}");
    // Two scans kept, `current` on the last; the history has both points.
    let mut ids: Vec<String> = fs::read_dir(data.join("scans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    ids.sort();
    assert_eq!(ids, ["20261129T090000Z", "20261129T091000Z", "current"]);
    assert!(data.join("slots-history.sqlite").exists());
    // stats_by_date.json (the ViteMaDose front's /statistiques): one point per hour, the last
    // scan of the hour, the same counts as that scan's stats.json.
    let vmd = data.join("scans/current/vitemadose");
    let by_date = read(&vmd.join("stats_by_date.json"));
    let stats = read(&vmd.join("stats.json"));
    assert_eq!(by_date["dates"], serde_json::json!(["2026-11-29 10:00:00"]));
    let all = &stats["tout_departement"];
    assert_eq!(by_date["total_centres_disponibles"][0], all["disponibles"]);
    assert_eq!(by_date["total_centres"][0], all["total"]);
    assert_eq!(by_date["total_appointments"][0], all["creneaux"]);

    // The breaker is remembered across scans (`scans/.breakers.json`): 30 s later, Bimedoc's
    // breaker is still open, so the next scan sends it nothing, even with a recording that
    // would answer; three minutes later its delay is over, one probe succeeds, and the
    // platform is scanned again.
    let memory = read(&data.join("scans/.breakers.json"));
    assert_eq!(memory["bimedoc"]["state"], "open", "{memory}");
    let bimedoc_report = |report: &Value| {
        report["run"]["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["platform"] == "bimedoc")
            .unwrap()
            .clone()
    };
    let (code, stdout, stderr) = scan(&rec, "2026-11-29T10:10:30+01:00");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = read(&data.join("scans/current/scan-report.json"));
    let p = bimedoc_report(&report);
    assert_eq!(p["requests"], 0, "{p}");
    assert_eq!(
        p["errors"]["breaker_open"].as_u64(),
        Some(bimedoc_first.len() as u64),
        "{p}"
    );
    let (code, stdout, stderr) = scan(&rec, "2026-11-29T10:13:00+01:00");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = read(&data.join("scans/current/scan-report.json"));
    let p = bimedoc_report(&report);
    // Half-open: one probe; a centre asking while it is in flight fails fast (at most one
    // per concurrent worker), then the breaker is closed and the others are scanned.
    let total = bimedoc_first.len() as u64;
    let succeeded = p["succeeded"].as_u64().unwrap();
    let fast_failed = p["errors"]["breaker_open"].as_u64().unwrap_or(0);
    assert_eq!(succeeded + fast_failed, total, "{p}");
    assert!(fast_failed <= 8, "{p}");
    assert_eq!(p["breaker_state"], "closed", "{p}");
    let memory = read(&data.join("scans/.breakers.json"));
    assert_eq!(memory["bimedoc"]["state"], "closed", "{memory}");

    // A recording missing every request: each is answered 404 and reported.
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    fs::write(empty.join("exchanges.jsonl"), "").unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = run(&[
        "scan",
        "--centres",
        &csv,
        "--replay",
        empty.to_str().unwrap(),
        "--now",
        "2026-11-29T10:00:00+01:00",
        "--platforms",
        "valwin",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("missing from the recording"), "{stdout}");
    let report = read(&out.join("scan-report.json"));
    let missing = report["run"]["missing_replay"].as_array().unwrap();
    assert!(missing.len() >= 100, "{}", missing.len());
    assert!(missing[0]["url"].as_str().unwrap().contains("epharmacie"));
}

/// Scans at once in one data directory: one writes at a time (no « No such file or
/// directory »), the newest `--now` is live whatever the order they finish in, a scan with the
/// same time gets its own id, and what a killed scan left is swept.
#[test]
fn concurrent_scans_are_serialised_and_the_newest_is_live() {
    let tmp = tempfile::tempdir().unwrap();
    let demo =
        vigie_demo::write_demo_centres(&tmp.path().join("demo"), jiff::civil::date(2026, 11, 29))
            .unwrap();
    let data = tmp.path().join("data");
    // A staging directory left by a killed scan.
    fs::create_dir_all(data.join("scans/.20261129T080000Z.staging-1")).unwrap();
    let spawn = |now: &str| {
        vigie()
            .args(["scan", "--centres"])
            .arg(&demo.centres_csv)
            .arg("--replay")
            .arg(&demo.recording_dir)
            .args(["--now", now, "--data-dir"])
            .arg(&data)
            .output()
            .unwrap()
    };
    let runs: Vec<std::process::Output> = std::thread::scope(|s| {
        let handles: Vec<_> = [
            "2026-11-29T10:00:00+01:00",
            "2026-11-29T09:00:00+01:00",
            "2026-11-29T10:00:00+01:00",
            "2026-11-29T09:30:00+01:00",
        ]
        .into_iter()
        .map(|now| s.spawn(move || spawn(now)))
        .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in &runs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut ids: Vec<String> = fs::read_dir(data.join("scans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            ".breakers.json",
            ".scan.lock",
            "20261129T080000Z",
            "20261129T083000Z",
            "20261129T090000Z",
            "20261129T090000Z-2",
            "current"
        ]
    );
    let live = fs::read_link(data.join("scans/current")).unwrap();
    assert!(
        live.to_string_lossy().starts_with("20261129T090000Z"),
        "{}",
        live.display()
    );
    let said: String = runs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert!(
        said.contains("left by a scan that did not finish"),
        "{said}"
    );
}

/// The official list of places (data.gouv « lieux de vaccination », 2021-01-15) scanned
/// against an empty recording: every centre routed to a platform is attempted — its first
/// request is missing from the recording — Keldoc centres through the resolution of their
/// booking URL, Maiia centres without `centerid` through the platform's directory, so none is
/// refused as a bad target except the documented handful (docs/slots-api.md: booking URLs
/// that name no centre), each reported by centre with its reason.
#[test]
fn the_official_list_is_scannable_from_an_empty_recording() {
    let Some(list) = vigie_testkit::shared("slots/centres-vaccination_2021-01-15.csv") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let rec = tmp.path().join("rec");
    fs::create_dir_all(&rec).unwrap();
    fs::write(rec.join("exchanges.jsonl"), "").unwrap();
    let out = tmp.path().join("out");
    let config = tmp.path().join("empty.toml");
    fs::write(&config, "").unwrap();
    let (code, _, err) = run(&[
        "--config",
        config.to_str().unwrap(),
        "scan",
        "--centres",
        list.to_str().unwrap(),
        "--replay",
        rec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2021-01-20T10:00:00+01:00",
    ]);
    assert_eq!(code, 0, "{err}");
    let report = read(&out.join("scan-report.json"));
    let centres = report["run"]["centres"].as_array().unwrap();
    let mut by_platform: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
    let mut refused = Vec::new();
    for c in centres {
        let e = &mut by_platform
            .entry(c["platform"].as_str().unwrap().to_string())
            .or_default();
        e.0 += 1;
        match c["error"]["class"].as_str() {
            Some("missing_replay") => e.1 += 1,
            _ => refused.push((
                c["centre_id"].as_str().unwrap().to_string(),
                c["error"]["message"].as_str().unwrap_or("").to_string(),
            )),
        }
    }
    // Routed: 375 Doctolib, 83 Keldoc, 18 Maiia booking URLs.
    assert_eq!(by_platform["keldoc"], (83, 83), "{by_platform:?}");
    assert_eq!(by_platform["maiia"], (18, 18), "{by_platform:?}");
    assert_eq!(by_platform["doctolib"].0 - by_platform["doctolib"].1, 2);
    // The documented handful: Doctolib home pages, which name no centre.
    refused.sort();
    assert_eq!(
        refused
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["doctolib:partners.doctolib.fr", "doctolib:www.doctolib.fr"]
    );
    assert!(
        refused.iter().all(|(_, m)| m.contains("no centre slug")),
        "{refused:?}"
    );
    // Maiia's directory and Keldoc's resource searches were asked.
    let missing: Vec<&str> = report["run"]["missing_replay"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["url"].as_str())
        .collect();
    assert!(
        missing
            .iter()
            .any(|u| u.contains("/api/pat-public/hcd?AllVaccinationPlaces=true"))
    );
    assert_eq!(
        missing
            .iter()
            .filter(|u| u.contains("/searches/resource?"))
            .count(),
        83,
        "one resource search per Keldoc centre"
    );
}
