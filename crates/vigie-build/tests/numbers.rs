//! Vaccination formulas against every VAC-SI schema vintage, coverage denominators by age
//! class, and the latest values' comparison rules: small files written in the real layouts
//! (always run) and the shared real files (skipped with a message when absent).
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
            svg: false,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    }
}

/// Builds the given `(file name, text)` sources; returns the rows of `indicators.csv` and the
/// release directory (kept alive by the temporary directory).
fn build_files(files: &[(&str, String)]) -> (Rows, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    for (name, text) in files {
        fs::write(src.join(name), text).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).unwrap();
    (read_rows(&out), tmp)
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

const D: [&str; 3] = ["2021-03-01", "2021-03-02", "2021-03-03"];

#[test]
fn doses_injected_in_every_vacsi_vintage() {
    // One department per vintage (vacsi-dep): 2021 first doses only, 2021 first and second
    // doses, 2023 stages (first dose, completion, boosters; bivalent boosters overlap them).
    let mut v2021a = String::from("dep;jour;n_dose1;n_cum_dose1\n");
    let mut v2021b = String::from("dep;jour;n_dose1;n_dose2;n_cum_dose1;n_cum_dose2\n");
    let mut v2023 = String::from(
        "dep;jour;n_dose1;n_complet;n_rappel;n_2_rappel;n_rappel_biv;n_3_rappel;n_cum_dose1;n_cum_complet\n",
    );
    for (i, d) in D.iter().enumerate() {
        let k = i as u32 + 1;
        v2021a += &format!("01;{d};{};{}\n", 10 * k, 10 * k * (k + 1) / 2);
        v2021b += &format!(
            "02;{d};{};{k};{};{}\n",
            10 * k,
            10 * k * (k + 1) / 2,
            k * (k + 1) / 2
        );
        v2023 += &format!(
            "03;{d};{};5;1;{};2;{};{};{}\n",
            10 * k,
            u32::from(k == 1),
            u32::from(k == 3),
            10 * k * (k + 1) / 2,
            5 * k
        );
    }
    let (rows, _tmp) = build_files(&[("a.csv", v2021a), ("b.csv", v2021b), ("c.csv", v2023)]);
    let doses = |dep: &str| get(&rows, dep, "vaccination_doses_injected_cum", "all", D[2]);
    // Before: 60 for every department, the first doses only, in the 2023 vintage too.
    assert_eq!(doses("DEP-01"), Some(60.0));
    assert_eq!(doses("DEP-02"), Some(60.0 + 6.0));
    assert_eq!(doses("DEP-03"), Some(60.0 + 15.0 + 3.0 + 1.0 + 1.0));
    // 2021's second dose is the completion of the primary series (SPF's later n_complet).
    assert_eq!(
        get(&rows, "DEP-02", "vaccination_complete_cum", "all", D[2]),
        Some(6.0)
    );
    assert_eq!(
        get(&rows, "DEP-02", "vaccination_dose2_cum", "all", D[2]),
        Some(6.0)
    );
}

#[test]
fn national_doses_are_counted_like_the_departments_not_by_rank_and_stage_together() {
    // 2023: vacsi-fra (stages) and vacsi-v-fra (ranks 1–4 and the same stages) both carry
    // France. Adding ranks to stages counted the same injections twice.
    let mut fra = String::from(
        "fra;jour;n_dose1;n_complet;n_rappel;n_2_rappel;n_rappel_biv;n_3_rappel;n_cum_dose1;n_cum_complet;n_cum_rappel\n",
    );
    let mut v = String::from(
        "fra;vaccin;jour;n_dose1;n_dose2;n_dose3;n_dose4;n_complet;n_rappel;n_2_rappel;n_rappel_biv;n_3_rappel\n",
    );
    for (i, d) in D.iter().enumerate() {
        let k = i as u32 + 1;
        fra += &format!(
            "FR;{d};100;80;50;10;20;2;{};{};{}\n",
            100 * k,
            80 * k,
            50 * k
        );
        v += &format!("FR;0;{d};100;70;50;10;80;50;10;20;2\n");
        v += &format!("FR;1;{d};100;70;50;10;80;50;10;20;2\n");
    }
    let (rows, tmp) = build_files(&[("vacsi-fra.csv", fra), ("vacsi-v-fra.csv", v)]);
    assert_eq!(
        get(&rows, "FR", "vaccination_doses_injected_cum", "all", D[2]),
        Some(3.0 * (100.0 + 80.0 + 50.0 + 10.0 + 2.0))
    );
    // The ranks stay published as such.
    assert_eq!(
        get(&rows, "FR", "vaccination_dose2_cum", "all", D[2]),
        Some(210.0)
    );
    let sources = json(&tmp.path().join("release/open-data/sources.json"));
    let ids: Vec<&str> = sources["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["source"].as_str())
        .collect();
    assert!(ids.contains(&"vacsi-v"), "{ids:?}");
}

#[test]
fn vacsi_v_2021_second_doses_are_completions() {
    let mut v = String::from("fra;vaccin;jour;n_dose1;n_dose2;n_cum_dose1;n_cum_dose2\n");
    for (i, d) in D.iter().enumerate() {
        let k = i as u32 + 1;
        v += &format!("FR;0;{d};100;40;{};{}\n", 100 * k, 40 * k);
    }
    let (rows, tmp) = build_files(&[("vacsi-v-fra.csv", v)]);
    assert_eq!(
        get(&rows, "FR", "vaccination_doses_injected_cum", "all", D[2]),
        Some(420.0)
    );
    let sources = json(&tmp.path().join("release/open-data/sources.json"));
    assert_eq!(sources["files"][0]["source"], "vacsi-v-2021");
}

#[test]
fn an_age_class_never_borrows_the_population_of_another_file() {
    // SI-DEP's 30–39 class has the same key as VAC-SI's: its population used to give a
    // coverage to 3 of the 14 VAC-SI classes and none to the others.
    let mut sidep = String::from("dep;jour;P;T;cl_age90;pop\n");
    let mut vacsi = String::from(
        "dep;clage_vacsi;jour;n_dose1;n_complet;n_cum_dose1;n_cum_complet;couv_dose1;couv_complet\n",
    );
    for (i, d) in D.iter().enumerate() {
        let k = i as u32 + 1;
        sidep += &format!("2A;{d};1;10;39;20000\n2A;{d};1;10;0;160000\n");
        vacsi += &format!("2A;39;{d};100;50;{};{};12.3;4.5\n", 100 * k, 50 * k);
        vacsi += &format!("2A;0;{d};800;400;{};{};1.0;0.5\n", 800 * k, 400 * k);
    }
    let (rows, _tmp) = build_files(&[("sidep.csv", sidep.clone()), ("vacsi.csv", vacsi.clone())]);
    assert_eq!(
        get(
            &rows,
            "DEP-2A",
            "vaccination_coverage_dose1",
            "age:30-39",
            D[2]
        ),
        None
    );
    assert_eq!(
        get(
            &rows,
            "DEP-2A",
            "spf_vaccination_coverage_dose1",
            "age:30-39",
            D[2]
        ),
        Some(12.3)
    );
    // All ages: the territory's general population (SI-DEP's) when VAC-SI has none.
    assert_eq!(
        get(&rows, "DEP-2A", "vaccination_coverage_dose1", "all", D[2]),
        Some(2400.0 / 160_000.0 * 100.0)
    );
    // With SPF's population of the class (vacsi-tot-a-dep), the coverage exists and uses it.
    let tot =
        "dep;clage_vacsi;jour;n_tot_dose1;n_tot_complet;pop;couv_tot_dose1;couv_tot_complet\n\
               2A;39;2021-03-03;300;150;2500;12.0;6.0\n2A;0;2021-03-03;2400;1200;150000;1.6;0.8\n"
            .to_string();
    let (rows, _tmp) = build_files(&[("sidep.csv", sidep), ("vacsi.csv", vacsi), ("tot.csv", tot)]);
    assert_eq!(
        get(
            &rows,
            "DEP-2A",
            "vaccination_coverage_dose1",
            "age:30-39",
            D[2]
        ),
        Some(300.0 / 2500.0 * 100.0)
    );
    assert_eq!(
        get(&rows, "DEP-2A", "vaccination_coverage_dose1", "all", D[2]),
        Some(2400.0 / 150_000.0 * 100.0)
    );
}

#[test]
fn real_vintages_doses_and_coverage_by_age() {
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
        "vacsi-tot-a-fra.csv",
        "vacsi-a-dep_2021-04-21.csv.gz",
    ] {
        fs::copy(dir.join(f), src.join(f)).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).unwrap();
    let rows = read_rows(&out);
    // Ardèche, 2021 schema: 71 409 first + 29 183 second doses (vacsi-a-dep, class 0).
    assert_eq!(
        get(
            &rows,
            "DEP-07",
            "vaccination_doses_injected_cum",
            "all",
            "2021-04-21"
        ),
        Some(71_409.0 + 29_183.0)
    );
    // France, 2023 schema: n_cum_dose1 + n_cum_complet + n_cum_rappel + n_cum_2_rappel +
    // n_cum_3_rappel of vacsi-fra on 2023-05-03 (the ranks of vacsi-v are not added to them).
    assert_eq!(
        get(
            &rows,
            "FR",
            "vaccination_doses_injected_cum",
            "all",
            "2023-05-03"
        ),
        Some(54_672_496.0 + 53_768_044.0 + 41_031_134.0 + 10_196_826.0 + 2_254_871.0)
    );
    // Coverage by age for each of the 14 classes, over SPF's population of the class: equal
    // to SPF's published coverage once rounded to 0.1 like SPF.
    let mut classes = 0;
    for b in [
        "age:0-4",
        "age:5-9",
        "age:10-11",
        "age:12-17",
        "age:18-24",
        "age:25-29",
        "age:30-39",
        "age:40-49",
        "age:50-59",
        "age:60-64",
        "age:65-69",
        "age:70-74",
        "age:75-79",
        "age:80+",
    ] {
        let ours = get(&rows, "FR", "vaccination_coverage_dose1", b, "2023-05-03").unwrap();
        let spf = get(
            &rows,
            "FR",
            "spf_vaccination_coverage_dose1",
            b,
            "2023-05-03",
        )
        .unwrap();
        assert!((ours - spf).abs() <= 0.051, "{b}: {ours} vs {spf}");
        classes += 1;
    }
    assert_eq!(classes, 14);
    let fr = json(&out.join("open-data/territories/FR.json"));
    let cov = &fr["latest"]["vaccination_coverage_dose1"];
    // 80.56 % of SPF's 67 863 570 (vacsi-tot-a-fra, class 0).
    // Published values are rounded to 4 decimals (vigie_core::publish).
    assert!((cov["value"].as_f64().unwrap() - 54_672_496.0 / 67_863_570.0 * 100.0).abs() <= 5e-5);
    assert_eq!(cov["change_7_days_percent"], Value::Null);
    assert!(
        (cov["change_7_days_points"].as_f64().unwrap()
            - (cov["value"].as_f64().unwrap() - cov["value_7_days_before"].as_f64().unwrap()))
        .abs()
            <= 1.5e-4
    );
    // May 2023: about 0.0001 point a day, 90 % is centuries away: no date.
    assert_eq!(cov["projection"]["status"], "beyond_horizon");
    assert_eq!(cov["projection"]["reached_on"], Value::Null);
    assert!(cov.get("level").is_none());
}
