//! The publish gate knows what is plausible: each of the corruptions an attack run slipped
//! through (P and T swapped, one absurd count, Corsica recoded `20`, a source's last days
//! removed, one row with P > T) is refused, the live release stays byte-identical, and
//! `status.json` says why. Nothing that has not passed the gate is ever under `releases/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};

mod common;
use common::{copy_fixtures, opts};

/// Every file of a directory tree with its hash.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, format!("{:x}", Sha256::digest(fs::read(&p).unwrap())));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Rewrites one source file of `d` with `edit`.
fn edit(d: &DataDir, file: &str, edit: impl Fn(&str) -> String) {
    let path = d.sources().join(file);
    let text = fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the corruption of {file} changed nothing");
    fs::write(&path, edited).unwrap();
}

#[test]
fn each_corruption_is_refused_and_the_live_release_stays_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    copy_fixtures(&d.sources());
    let first = d
        .build(
            &opts(&d.sources(), "2026-01-01T00:00:00Z"),
            GatePolicy::default(),
            5,
        )
        .unwrap();
    let Outcome::Published(_, gate) = first else {
        panic!("the fixtures must pass the gate")
    };
    assert!(gate.passed, "{:?}", gate.failures());
    let live = d.current().unwrap();
    assert!(
        live.join("gate.json").exists(),
        "a live release carries the report that let it in"
    );
    let before = tree(&live);

    type Corruption = (
        &'static str,
        &'static str,
        fn(&str) -> String,
        &'static [&'static str],
    );
    let corruptions: [Corruption; 5] = [
        (
            "P and T swapped",
            "sp-pos-quot-dep.csv",
            |t| t.replacen("dep;jour;P;T;", "dep;jour;T;P;", 1),
            &[
                "plausible values",
                "positivity_rate_7d",
                "above the plausible maximum 100",
            ],
        ),
        (
            "one count of 1e23",
            "sp-pos-quot-dep.csv",
            |t| t.replacen("2A;2021-01-05;14;147;", "2A;2021-01-05;1e23;147;", 1),
            &[
                "plausible values",
                "cases all 2021-01-05 = 100000000000000000000000",
                "× the population",
            ],
        ),
        (
            "Corsica recoded 20",
            "sp-pos-quot-dep.csv",
            |t| t.replace("\n2A;", "\n20;"),
            &["series present", "DEP-2A 2", "REG-94 cases all"],
        ),
        (
            "a source's last days removed",
            "sursaud-covid19-quotidien-departement.csv",
            |t| {
                t.lines()
                    .filter(|l| !l.contains(";2021-01-24;") && !l.contains(";2021-01-23;"))
                    .map(|l| format!("{l}\n"))
                    .collect()
            },
            &[
                "freshness",
                "sursaud",
                "data until 2021-01-22 (live release: 2021-01-24)",
            ],
        ),
        (
            "one row with P > T",
            "sp-pos-quot-dep.csv",
            |t| t.replacen("2B;2021-01-05;24;247;", "2B;2021-01-05;300;247;", 1),
            &[
                "plausible values",
                "DEP-2B cases",
                "above tests on the same day (247)",
            ],
        ),
    ];
    for (n, (what, file, corrupt, expected)) in corruptions.iter().enumerate() {
        copy_fixtures(&d.sources());
        edit(&d, file, corrupt);
        let built_at = format!("2026-01-0{}T00:00:00Z", n + 2);
        let out = d
            .build(&opts(&d.sources(), &built_at), GatePolicy::default(), 5)
            .unwrap();
        let Outcome::Refused(report, gate) = out else {
            panic!("{what}: published")
        };
        let failures = gate.failures().join("; ");
        for e in *expected {
            assert!(failures.contains(e), "{what}: {e:?} not in {failures}");
        }
        // The live release is untouched, and the refused build is not among the releases.
        assert_eq!(d.current().unwrap(), live, "{what}");
        assert_eq!(tree(&live), before, "{what}: the live release changed");
        assert_eq!(d.release_ids(), ["20260101T000000Z"], "{what}");
        assert!(d.root.join("refused").join(&report.release_id).is_dir());
        assert!(!d.root.join(".pending").join(&report.release_id).exists());
        // status.json says it was refused and why.
        let status: vigie_contracts::release::DataDirStatus =
            serde_json::from_slice(&fs::read(d.root.join("status.json")).unwrap()).unwrap();
        assert_eq!(
            status.last_build.state,
            vigie_contracts::release::BuildState::Refused
        );
        assert_eq!(status.live_release.as_deref(), Some("20260101T000000Z"));
        assert_eq!(status.last_build.gate.failures().join("; "), failures);
        assert!(
            !status.last_build.gate.diff.is_empty(),
            "{what}: the report says what changed"
        );
    }

    // Clean data again: published, with a readable diff against the live release.
    copy_fixtures(&d.sources());
    edit(&d, "sp-pos-quot-dep.csv", |t| {
        t.replacen("2B;2021-01-05;24;247;", "2B;2021-01-05;25;247;", 1)
    });
    let Outcome::Published(_, gate) = d
        .build(
            &opts(&d.sources(), "2026-01-09T00:00:00Z"),
            GatePolicy::default(),
            5,
        )
        .unwrap()
    else {
        panic!("a small revision must pass")
    };
    let diff = gate.diff.join("; ");
    assert!(
        diff.contains("values changed or removed, 0 series added, 0 series missing")
            && !diff.starts_with("0 values"),
        "{diff}"
    );
}

#[test]
fn a_retired_indicator_may_disappear() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    copy_fixtures(&d.sources());
    let extra = tmp.path().join("extra.toml");
    // An extra indicator, published once, then retired and gone.
    fs::write(
        &extra,
        "[[indicator]]\nid = \"cases_doubled\"\nlabel_fr = \"x\"\nlabel_en = \"x\"\nformula = { kind = \"ratio\", numerator = \"positives\", denominator = \"positives\", window = 1, factor = 2 }\n",
    )
    .unwrap();
    let mut o = opts(&d.sources(), "2026-01-01T00:00:00Z");
    o.catalogs = vec![extra.clone()];
    assert!(matches!(
        d.build(&o, GatePolicy::default(), 5).unwrap(),
        Outcome::Published(..)
    ));
    let o = opts(&d.sources(), "2026-01-02T00:00:00Z");
    match d.build(&o, GatePolicy::default(), 5).unwrap() {
        Outcome::Refused(_, gate) => {
            let f = gate.failures().join("; ");
            assert!(
                f.contains("series present") && f.contains("cases_doubled"),
                "{f}"
            );
        }
        Outcome::Published(..) => panic!("a series vanished without being retired"),
    }
    fs::write(&extra, "[gate]\nretired = [\"cases_doubled\"]\n").unwrap();
    let mut o = opts(&d.sources(), "2026-01-03T00:00:00Z");
    o.catalogs = vec![extra];
    assert!(matches!(
        d.build(&o, GatePolicy::default(), 5).unwrap(),
        Outcome::Published(..)
    ));
}

#[test]
fn what_a_killed_build_left_is_never_listed_and_is_swept() {
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    copy_fixtures(&d.sources());
    assert!(matches!(
        d.build(
            &opts(&d.sources(), "2026-01-01T00:00:00Z"),
            GatePolicy::default(),
            5
        )
        .unwrap(),
        Outcome::Published(..)
    ));
    // A build killed between writing and the gate: its directory is under `.pending/`.
    let pending = d.root.join(".pending/20260102T000000Z");
    fs::create_dir_all(pending.join("open-data")).unwrap();
    fs::copy(
        d.current().unwrap().join("release.json"),
        pending.join("release.json"),
    )
    .unwrap();
    fs::create_dir_all(d.releases().join(".20260103T000000Z.staging-1")).unwrap();
    assert_eq!(d.release_ids(), ["20260101T000000Z"]);
    let removed = d.sweep();
    assert!(
        removed.contains(&"20260102T000000Z".to_string()),
        "{removed:?}"
    );
    assert!(!pending.exists());
    assert!(!d.releases().join(".20260103T000000Z.staging-1").exists());
    assert_eq!(d.release_ids(), ["20260101T000000Z"]);
}
