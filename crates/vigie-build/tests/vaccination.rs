//! Vaccination: VaccinTracker's published outputs of 2021-04-24 reproduced from the same inputs,
//! and the full 2020-12-27 → 2023-05-03 national history (shared real files, read in place;
//! skipped with a message when absent), plus a fixture test that always runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::{BuildOptions, build};

type Rows = BTreeMap<(String, String, String, String), f64>;

fn opts(sources: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        sources: sources.to_path_buf(),
        out: out.to_path_buf(),
        catalogs: Vec::new(),
        built_at: "2026-11-29T06:00:00Z".into(),
        charts: ChartFormats {
            svg: true,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    }
}

fn read_rows(release: &Path) -> Rows {
    let text = fs::read_to_string(release.join("open-data/indicators.csv")).unwrap();
    let mut rows = Rows::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        rows.insert(
            (f[0].into(), f[1].into(), f[2].into(), f[3].into()),
            f[4].parse().unwrap(),
        );
    }
    rows
}

fn get(rows: &Rows, t: &str, i: &str, b: &str, d: &str) -> Option<f64> {
    rows.get(&(t.into(), i.into(), b.into(), d.into())).copied()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// numpy's `round(x, 1)`: half to even on the binary value of `x × 10`.
fn np_round1(x: f64) -> f64 {
    (x * 10.0).round_ties_even() / 10.0
}

#[test]
fn fixture_vaccination_sums_cumulates_and_projects() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    build(&opts(&vigie_testkit::fixtures().join("vaccination"), &out)).unwrap();
    let rows = read_rows(&out);
    // Region = 2A + 2B; cumulative recomputed from the daily values.
    let day = |i: i32| format!("2021-03-{:02}", 1 + i);
    let cum = |base: i32, n: i32| -> f64 { (0..=n).map(|i| f64::from(base + 10 * i)).sum() };
    assert_eq!(
        get(&rows, "REG-94", "vaccination_dose1", "all", &day(3)),
        Some(f64::from(130 + 230))
    );
    assert_eq!(
        get(&rows, "REG-94", "vaccination_dose1_cum", "all", &day(9)),
        Some(cum(100, 9) + cum(200, 9))
    );
    // Coverage of the region over the embedded INSEE population (the file carries none).
    let pop = 355_486.0;
    let cov = get(
        &rows,
        "REG-94",
        "vaccination_coverage_dose1",
        "all",
        &day(9),
    )
    .unwrap();
    // Published values are rounded to 4 decimals (vigie_core::publish).
    assert!((cov - (cum(100, 9) + cum(200, 9)) / pop * 100.0).abs() <= 5e-5);
    // No population for the 80+ class of a department: our coverage is omitted, SPF's is kept.
    assert_eq!(
        get(
            &rows,
            "DEP-2A",
            "vaccination_coverage_dose1",
            "age:80+",
            &day(9)
        ),
        None
    );
    assert!(
        get(
            &rows,
            "DEP-2A",
            "spf_vaccination_coverage_dose1",
            "age:80+",
            &day(9)
        )
        .is_some()
    );
    assert_eq!(
        get(
            &rows,
            "DEP-2B",
            "spf_vaccination_coverage_dose1",
            "age:80+",
            &day(9)
        ),
        None
    );
    // 7- and 14-day pace.
    let mean7: f64 = (3..=9).map(|i| f64::from(300 + 20 * i)).sum::<f64>() / 7.0;
    assert!(
        (get(&rows, "REG-94", "vaccination_dose1_7d_mean", "all", &day(9)).unwrap() - mean7).abs()
            <= 5e-5
    );
    // Deliveries: Latin-1 labels, dd/mm/yyyy, rows grouped by type; `all` is the sum of types
    // and the cumulative runs in date order.
    assert_eq!(
        get(&rows, "FR", "vaccine_deliveries_doses", "all", "2021-03-07"),
        Some(1100.0)
    );
    assert_eq!(
        get(
            &rows,
            "FR",
            "vaccine_deliveries_doses_cum",
            "all",
            "2021-03-14"
        ),
        Some(1300.0)
    );
    assert_eq!(
        get(
            &rows,
            "FR",
            "vaccine_deliveries_doses_cum",
            "all",
            "2021-03-21"
        ),
        Some(2100.0)
    );
    assert_eq!(
        get(
            &rows,
            "FR",
            "vaccine_deliveries_doses_cum",
            "vaccine:pfizer-biontech-paediatric",
            "2021-03-21"
        ),
        Some(600.0)
    );
    // Projection of the date the coverage target is reached at the 14-day pace is published
    // with the latest values (10 days of data: not enough for a 14-day pace here).
    let t = json(&out.join("open-data/territories/REG-94.json"));
    assert_eq!(
        t["latest"]["vaccination_coverage_dose1"]["projection"]["target_percent"],
        90.0
    );
    // Vaccination charts and dashboard.
    for chart in [
        "vaccination_cumulative",
        "vaccination_daily",
        "vaccination_coverage",
        "vaccination_dashboard",
    ] {
        assert!(
            out.join(format!("charts/REG-94/{chart}.svg")).exists(),
            "{chart}"
        );
    }
    assert!(
        fs::read_to_string(out.join("charts/DEP-2A/vaccination_coverage_by_age.svg")).is_err(),
        "one age class only: no bar chart"
    );
}

#[test]
fn vaccintracker_2021_04_24_is_reproduced() {
    let Some(dir) = vigie_testkit::shared("spf-vaccination/vaccintracker-2021-04-24") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    build(&opts(&dir.join("input"), &out)).unwrap();
    let rows = read_rows(&out);
    let expected = dir.join("output");

    // vacsi-fra.json: daily doses, cumsum recomputed from the daily values, unrounded trailing
    // 7-day mean with NaN → 0.
    let fra = json(&expected.join("vacsi-fra.json"));
    let dates: Vec<&str> = fra["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 119);
    for dose in ["dose1", "dose2"] {
        for (i, d) in dates.iter().enumerate() {
            let daily = get(&rows, "FR", &format!("vaccination_{dose}"), "all", d).unwrap();
            assert_eq!(
                daily,
                fra[format!("n_{dose}")][i].as_f64().unwrap(),
                "{dose} {d}"
            );
            let cum = get(&rows, "FR", &format!("vaccination_{dose}_cum"), "all", d).unwrap();
            assert_eq!(
                cum,
                fra[format!("n_{dose}_cumsum")][i].as_f64().unwrap(),
                "{dose} cum {d}"
            );
            let mean = get(
                &rows,
                "FR",
                &format!("vaccination_{dose}_7d_mean"),
                "all",
                d,
            )
            .unwrap_or(0.0);
            let vt = fra[format!("n_{dose}_moyenne7j")][i].as_f64().unwrap();
            assert!(
                (mean - vt).abs() <= 5e-5 + 1e-9 * vt.abs(),
                "{dose} 7d {d}: {mean} vs {vt}"
            );
        }
    }

    // vacsi-reg.json: 2 142 records; coverage with VaccinTracker's own reg-pop.csv (given among
    // the sources as a population table), rounded like numpy.
    let reg = json(&expected.join("vacsi-reg.json"));
    let records = reg.as_array().unwrap();
    assert_eq!(records.len(), 2142);
    for r in records {
        let (t, d) = (r["code"].as_str().unwrap(), r["date"].as_str().unwrap());
        assert_eq!(
            get(&rows, t, "vaccination_dose1_cum", "all", d),
            r["n_dose1_cumsum"].as_f64(),
            "{t} {d}"
        );
        let mean = get(&rows, t, "vaccination_dose1_7d_mean", "all", d).unwrap_or(0.0);
        assert!(
            (mean - r["n_dose1_cumsum_moyenne7j"].as_f64().unwrap()).abs() <= 5e-5,
            "{t} {d}"
        );
        let cov = get(&rows, t, "vaccination_coverage_dose1", "all", d).unwrap();
        assert_eq!(
            np_round1(cov),
            r["n_dose1_pourcent_pop"].as_f64().unwrap(),
            "{t} {d}"
        );
    }
    // The reference's test vector (spf-data-and-indicators.md §5).
    assert_eq!(
        get(
            &rows,
            "REG-94",
            "vaccination_dose1_cum",
            "all",
            "2021-04-24"
        ),
        Some(99152.0)
    );

    // vacsi-v-fra.json: daily first doses by vaccine (VaccinTracker zero-pads the front).
    let v = json(&expected.join("vacsi-v-fra.json"));
    for (code, name) in [
        ("1", "pfizer-biontech"),
        ("2", "moderna"),
        ("3", "astrazeneca"),
    ] {
        let days = v[code]["jour"].as_array().unwrap();
        for (i, d) in days.iter().enumerate() {
            let ours = get(
                &rows,
                "FR",
                "vaccination_dose1",
                &format!("vaccine:{name}"),
                d.as_str().unwrap(),
            )
            .unwrap_or(0.0);
            assert_eq!(ours, v[code]["n_dose1"][i].as_f64().unwrap(), "{name} {d}");
        }
    }

    // vacsi-tot-a-fra.json: daily first doses by fine age class.
    let a = json(&expected.join("vacsi-tot-a-fra.json"));
    for (label, key) in [
        ("18 - 24 ans", "age:18-24"),
        ("30 - 39 ans", "age:30-39"),
        ("60 -64 ans", "age:60-64"),
        ("70 - 74 ans", "age:70-74"),
    ] {
        let days = a[label]["jour"].as_array().unwrap();
        for (i, d) in days.iter().enumerate() {
            let ours = get(&rows, "FR", "vaccination_dose1", key, d.as_str().unwrap()).unwrap();
            assert_eq!(
                ours,
                a[label]["n_dose1"][i].as_f64().unwrap(),
                "{label} {d}"
            );
        }
    }

    // flux-tot-nat.json: weekly deliveries, cumulative over all types and per type.
    let f = json(&expected.join("flux-tot-nat.json"));
    let weeks = f["jour"].as_array().unwrap();
    for (i, d) in weeks.iter().enumerate() {
        let d = d.as_str().unwrap();
        assert_eq!(
            get(&rows, "FR", "vaccine_deliveries_doses_cum", "all", d),
            f["nb_doses_tot_cumsum"][i].as_f64(),
            "{d}"
        );
    }
    for (code, name) in [
        ("1", "pfizer-biontech"),
        ("2", "moderna"),
        ("3", "astrazeneca"),
        ("4", "janssen"),
    ] {
        for (i, d) in f[code]["jour"].as_array().unwrap().iter().enumerate() {
            let vt = f[code]["nb_doses_tot_cumsum"][i].as_f64().unwrap();
            let d = d.as_str().unwrap();
            // VaccinTracker carries the total over weeks without delivery; Vigie reports the
            // cumulative on delivery weeks only.
            if let Some(ours) = get(
                &rows,
                "FR",
                "vaccine_deliveries_doses_cum",
                &format!("vaccine:{name}"),
                d,
            ) {
                assert_eq!(ours, vt, "{name} {d}");
            }
        }
    }

    // The projection of the 90 % date at the 14-day pace is published with the latest values.
    let fr = json(&out.join("open-data/territories/FR.json"));
    let p = &fr["latest"]["vaccination_coverage_dose1"]["projection"];
    assert!(p["pace_14d_points_per_day"].as_f64().unwrap() > 0.0, "{p}");
    assert!(p["reached_on"].as_str().unwrap() > "2021-04-24", "{p}");
    assert!(
        out.join("charts/FR/vaccination_coverage_by_age.svg")
            .exists()
    );
    assert!(out.join("charts/FR/vaccination_by_vaccine.svg").exists());

    // Nursing homes: SPF's coverage passed through (VaccinTracker replaced missing by 0).
    let res = json(&expected.join("vacsi-res-tot-dep.json"));
    assert_eq!(
        get(
            &rows,
            "DEP-01",
            "nursing_home_coverage_dose1",
            "all",
            "2021-04-18"
        ),
        res["01"]["res_couv_tot_dose1"].as_f64()
    );
}

#[test]
fn vaccintracker_2021_04_24_coverage_by_fine_age_class() {
    let Some(dir) = vigie_testkit::shared("spf-vaccination/vaccintracker-2021-04-24") else {
        return;
    };
    // VaccinTracker divided by its own clage_spf.csv populations. With SPF's vacsi-tot-a-fra
    // among the sources, Vigie would use SPF's population for each class (a file's own
    // population comes first); without it, the population table applies, as in VaccinTracker.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    for f in ["vacsi-a-fra.csv", "clage_spf.csv"] {
        fs::copy(dir.join("input").join(f), src.join(f)).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).unwrap();
    let rows = read_rows(&out);
    let a = json(&dir.join("output/vacsi-tot-a-fra.json"));
    let mut compared = 0;
    for (label, key) in [
        ("18 - 24 ans", "age:18-24"),
        ("25 - 29 ans", "age:25-29"),
        ("30 - 39 ans", "age:30-39"),
        ("40 - 49 ans", "age:40-49"),
        ("50 - 59 ans", "age:50-59"),
        ("60 -64 ans", "age:60-64"),
        ("65 - 69 ans", "age:65-69"),
        ("70 - 74 ans", "age:70-74"),
        ("75 - 79 ans", "age:75-79"),
        ("80 ans et plus", "age:80+"),
    ] {
        for (i, d) in a[label]["jour"].as_array().unwrap().iter().enumerate() {
            let cov = get(
                &rows,
                "FR",
                "vaccination_coverage_dose1",
                key,
                d.as_str().unwrap(),
            )
            .unwrap();
            let vt = a[label]["n_dose1_cum_pop"][i].as_f64().unwrap();
            // VaccinTracker published 2 decimals; ours are rounded to 4 (vigie_core::publish),
            // so the two agree within half a unit of VaccinTracker's last digit (plus ours).
            assert!(
                (cov - vt).abs() <= 0.005 + 5e-5 + 1e-12,
                "{label} {d}: {cov} vs {vt}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 950);
}

#[test]
fn national_history_2020_2023_agrees_with_spf_cumulatives() {
    let Some(dir) = vigie_testkit::shared("spf-vaccination") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    for f in [
        "vacsi-fra.csv",
        "vacsi-v-fra.csv",
        "vacsi-a-fra.csv.gz",
        "vacsi-reg.csv.gz",
        "vacsi-tot-a-fra.csv",
        "flux-tot-nat.csv",
        "vacsi-a-dep_2021-04-21.csv.gz",
        "vacsi-dep_2021-01-28.csv",
    ] {
        fs::copy(dir.join(f), src.join(f)).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).unwrap();
    let rows = read_rows(&out);
    // Recomputed cumulatives equal SPF's own on every day, for France, every region and age class.
    let checks = json(&out.join("open-data/checks.json"));
    let mut compared = 0;
    for c in checks["checks"].as_array().unwrap() {
        let q = c["quantity"].as_str().unwrap();
        if q.ends_with("_cum") && q.starts_with("vaccination_") {
            assert_eq!(c["max_relative_difference"].as_f64(), Some(0.0), "{c}");
            compared += c["dates_compared"].as_u64().unwrap();
        }
    }
    assert!(compared > 50_000, "{compared}");
    // SPF's own cumulatives serve the check but are not republished.
    assert!(get(&rows, "FR", "vaccination_dose1_cum", "all", "2023-05-03").is_some());
    assert!(!rows.keys().any(|k| k.1.starts_with("spf_vacc_")));
    // The 2023 children classes and boosters are read.
    assert!(get(&rows, "FR", "vaccination_dose1", "age:0-4", "2023-01-02").is_some());
    assert!(
        get(
            &rows,
            "FR",
            "vaccination_booster_bivalent_cum",
            "all",
            "2023-05-03"
        )
        .unwrap()
            > 1e6
    );
    // Coverage by age uses SPF's population of that class (vacsi-tot-a-fra).
    let cov80 = get(
        &rows,
        "FR",
        "vaccination_coverage_dose1",
        "age:80+",
        "2023-05-03",
    )
    .unwrap();
    assert!(cov80 > 70.0 && cov80 <= 100.5, "{cov80}");
    // Latin-1 delivery labels (Pfizer Pédiatrique) and dd/mm/yyyy dates.
    assert!(
        rows.keys()
            .any(|k| k.1 == "vaccine_deliveries_doses"
                && k.2 == "vaccine:pfizer-biontech-paediatric")
    );
    // Departments in the early schemas, with regions summed from them.
    assert!(
        get(
            &rows,
            "DEP-01",
            "vaccination_dose1_cum",
            "age:80+",
            "2021-04-21"
        )
        .unwrap()
            > 0.0
    );
}
