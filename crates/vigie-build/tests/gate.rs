//! Gated releases in a data directory: a build goes live only if the gate passes; a refused
//! build leaves the live release in place and says why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};

mod common;
use common::{copy_fixtures, opts};

fn live(d: &DataDir) -> String {
    d.current()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn gate_publishes_refuses_and_keeps_the_live_release() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    copy_fixtures(&d.sources());

    // First build: nothing to compare with, plausible values: published.
    let out = d
        .build(
            &opts(&d.sources(), "2026-01-01T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap();
    assert!(matches!(out, Outcome::Published(..)));
    assert_eq!(live(&d), "20260101T000000Z");

    // A truncated SI-DEP file (half its rows lost): refused, the live release stays.
    let path = d.sources().join("sp-pos-quot-dep.csv");
    let full = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    fs::write(&path, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
    match d
        .build(
            &opts(&d.sources(), "2026-01-02T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap()
    {
        Outcome::Refused(_, gate) => {
            let f = gate.failures().join("; ");
            assert!(
                f.contains("row counts") && f.contains("sp-pos-quot-dep"),
                "{f}"
            );
            assert_eq!(
                gate.previous_release_id.as_deref(),
                Some("20260101T000000Z")
            );
        }
        Outcome::Published(..) => panic!("a truncated file must be refused"),
    }
    assert_eq!(live(&d), "20260101T000000Z");
    assert!(
        d.root
            .join("refused/20260102T000000Z/release.json")
            .exists()
    );
    let status: serde_json::Value =
        serde_json::from_slice(&fs::read(d.root.join("status.json")).unwrap()).unwrap();
    assert_eq!(status["last_build"]["state"], "refused");
    assert_eq!(status["live_release"], "20260101T000000Z");

    // An impossible value (negative hospital stock): refused with the value named.
    fs::write(&path, &full).unwrap();
    let hosp = d.sources().join("donnees-hospitalieres-covid19.csv");
    let text = fs::read_to_string(&hosp).unwrap().replacen(
        "\"2A\";0;\"2021-01-02\";31;",
        "\"2A\";0;\"2021-01-02\";-31;",
        1,
    );
    fs::write(&hosp, text).unwrap();
    match d
        .build(
            &opts(&d.sources(), "2026-01-03T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap()
    {
        Outcome::Refused(_, gate) => {
            let f = gate.failures().join("; ");
            assert!(
                f.contains("plausible values") && f.contains("-31") && f.contains("DEP-2A"),
                "{f}"
            );
        }
        Outcome::Published(..) => panic!("a negative stock must be refused"),
    }

    // An empty file, or a schema drift that makes a source unrecognisable: refused.
    fs::write(d.sources().join("donnees-hospitalieres-covid19.csv"), "").unwrap();
    assert!(matches!(
        d.build(
            &opts(&d.sources(), "2026-01-04T00:00:00Z"),
            GatePolicy::default(),
            3
        )
        .unwrap(),
        Outcome::Refused(..)
    ));
    copy_fixtures(&d.sources());
    let renamed =
        fs::read_to_string(&path)
            .unwrap()
            .replacen("dep;jour;P;T;", "departement;jour;P;T;", 1);
    fs::write(&path, renamed).unwrap();
    match d
        .build(
            &opts(&d.sources(), "2026-01-05T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap()
    {
        Outcome::Refused(_, gate) => assert!(
            gate.failures().join(";").contains("sources still present"),
            "{:?}",
            gate.failures()
        ),
        Outcome::Published(..) => panic!("a drifted schema must be refused"),
    }

    // Back to good data: published; past releases beyond `keep` are pruned, the live one kept.
    copy_fixtures(&d.sources());
    // A revision of a past value (2B cases on 2021-01-05: 24 → 25) is listed in changes.json.
    let revised = fs::read_to_string(&path).unwrap().replacen(
        "2B;2021-01-05;24;247;0;",
        "2B;2021-01-05;25;247;0;",
        1,
    );
    fs::write(&path, revised).unwrap();
    assert!(matches!(
        d.build(
            &opts(&d.sources(), "2026-01-05T12:00:00Z"),
            GatePolicy::default(),
            3
        )
        .unwrap(),
        Outcome::Published(..)
    ));
    let changes: serde_json::Value = serde_json::from_slice(
        &fs::read(d.current().unwrap().join("open-data/changes.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(changes["previous_release"], "20260101T000000Z");
    assert_eq!(changes["by_indicator"]["cases"]["changed"], 2, "{changes}"); // DEP-2B and REG-94
    assert!(
        changes["examples"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["territory"] == "DEP-2B"
                && e["indicator"] == "cases"
                && e["previous"] == 24.0
                && e["new"] == 25.0)
    );
    copy_fixtures(&d.sources());
    for day in 6..=9 {
        let out = d
            .build(
                &opts(&d.sources(), &format!("2026-01-0{day}T00:00:00Z")),
                GatePolicy::default(),
                3,
            )
            .unwrap();
        assert!(matches!(out, Outcome::Published(..)), "day {day}");
    }
    assert_eq!(live(&d), "20260109T000000Z");
    assert_eq!(
        d.release_ids(),
        ["20260107T000000Z", "20260108T000000Z", "20260109T000000Z"]
    );
    // Releases are immutable: the same build time cannot be written twice.
    assert!(
        d.build(
            &opts(&d.sources(), "2026-01-09T00:00:00Z"),
            GatePolicy::default(),
            3
        )
        .is_err()
    );
}

#[test]
fn the_demo_dataset_passes_the_same_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("demo"));
    fs::create_dir_all(d.sources()).unwrap();
    for (name, bytes) in vigie_demo::sources(vigie_core::Date::from_ymd(2022, 2, 28).unwrap(), 60) {
        fs::write(d.sources().join(name), bytes).unwrap();
    }
    match d
        .build(
            &opts(&d.sources(), "2026-01-01T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap()
    {
        Outcome::Published(report, gate) => {
            assert!(gate.passed);
            assert!(report.rows_written > 100_000);
        }
        Outcome::Refused(_, gate) => panic!("{:?}", gate.failures()),
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(d.current().unwrap().join("release.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["demo"], true);
    assert_eq!(manifest["violations_total"], 0);
}

#[test]
fn real_data_replaces_a_demo_release_whatever_its_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    let demo = tmp.path().join("demo-sources");
    fs::create_dir_all(&demo).unwrap();
    for (name, bytes) in vigie_demo::sources(vigie_core::Date::from_ymd(2022, 2, 28).unwrap(), 30) {
        fs::write(demo.join(name), bytes).unwrap();
    }
    assert!(matches!(
        d.build(
            &opts(&demo, "2026-01-01T00:00:00Z"),
            GatePolicy::default(),
            3
        )
        .unwrap(),
        Outcome::Published(..)
    ));
    // Real data with fewer rows and other sources than the demo: the demo is no reference.
    let real = tmp.path().join("real");
    fs::create_dir_all(&real).unwrap();
    fs::copy(
        vigie_testkit::fixtures().join("epidemic/sp-pos-quot-dep.csv"),
        real.join("sp-pos-quot-dep.csv"),
    )
    .unwrap();
    match d
        .build(
            &opts(&real, "2026-01-02T00:00:00Z"),
            GatePolicy::default(),
            3,
        )
        .unwrap()
    {
        Outcome::Published(_, gate) => assert_eq!(gate.previous_release_id, None),
        Outcome::Refused(_, gate) => panic!("{:?}", gate.failures()),
    }
}

#[test]
fn unreadable_inputs_are_refused_with_their_reason_and_the_live_release_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    copy_fixtures(&d.sources());
    let built = |at: &str| d.build(&opts(&d.sources(), at), GatePolicy::default(), 3);
    assert!(matches!(
        built("2026-02-01T00:00:00Z").unwrap(),
        Outcome::Published(..)
    ));
    let path = d.sources().join("sp-pos-quot-dep.csv");
    let good = fs::read(&path).unwrap();
    let status = || -> serde_json::Value {
        serde_json::from_slice(&fs::read(d.root.join("status.json")).unwrap()).unwrap()
    };

    // UTF-16 with its byte-order mark (a spreadsheet export) is decoded, not refused.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in String::from_utf8(good.clone()).unwrap().encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(&path, &utf16).unwrap();
    assert!(matches!(
        built("2026-02-02T00:00:00Z").unwrap(),
        Outcome::Published(..)
    ));

    // Mis-encoded inputs: UTF-16 without mark, binary content, a truncated gzip, a cell whose
    // bytes are not a number. Each is refused naming the file and the reason; the live
    // release stays.
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf-16 without mark", utf16[2..].to_vec(), "NUL byte"),
        (
            "binary",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            "NUL byte",
        ),
        (
            "truncated gzip",
            {
                use std::io::Write;
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(&good).unwrap();
                let mut bytes = gz.finish().unwrap();
                bytes.truncate(bytes.len() / 2);
                bytes
            },
            "cannot decompress",
        ),
        (
            "mojibake in a number",
            String::from_utf8(good.clone())
                .unwrap()
                .replacen("2B;2021-01-05;24;", "2B;2021-01-05;2\u{00c3}\u{00a9}4;", 1)
                .into_bytes(),
            "2\u{00c3}\u{00a9}4",
        ),
    ];
    for (i, (what, bytes, reason)) in cases.into_iter().enumerate() {
        fs::write(&path, bytes).unwrap();
        let at = format!("2026-02-0{}T00:00:00Z", i + 3);
        let err = built(&at).expect_err(what).to_string();
        assert!(err.contains("sp-pos-quot-dep.csv"), "{what}: {err}");
        let s = status();
        assert_eq!(s["last_build"]["state"], "refused", "{what}");
        let detail = s["last_build"]["gate"]["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            detail.contains(reason) && detail.contains("sp-pos-quot-dep.csv"),
            "{what}: {detail}"
        );
        assert_eq!(s["live_release"], "20260202T000000Z", "{what}");
        assert_eq!(live(&d), "20260202T000000Z", "{what}");
        let id = at.replace(['-', ':'], "");
        assert!(
            d.root.join("refused").join(&id).join("reason.txt").exists(),
            "{what}: {id}"
        );
    }
}
