//! End-to-end tests of `vigie_build::build` on the repository's own fixtures (always run) and
//! on the shared real files (skipped with a message when `../shared/data` is absent).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
            png: PngScope::Dashboards,
        },
        coverage_target: 90.0,
    }
}

fn read_rows(release: &Path) -> Rows {
    let text = fs::read_to_string(release.join("open-data/indicators.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("territory,indicator,breakdown,date,value,data_status")
    );
    let mut rows = Rows::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        assert_eq!(f[5], "official", "{line}");
        let v: f64 = f[4]
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line}"));
        assert!(v.is_finite(), "{line}");
        let key = (
            f[0].to_string(),
            f[1].to_string(),
            f[2].to_string(),
            f[3].to_string(),
        );
        assert!(rows.insert(key, v).is_none(), "duplicate row {line}");
    }
    rows
}

fn get(rows: &Rows, t: &str, i: &str, b: &str, d: &str) -> Option<f64> {
    rows.get(&(t.into(), i.into(), b.into(), d.into())).copied()
}

/// `a` (a published value) is `b` rounded for publication, within `tol`.
fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
    a.is_some_and(|a| (a - vigie_core::round_published(b)).abs() <= tol)
}

fn fixtures() -> PathBuf {
    vigie_testkit::fixtures().join("epidemic")
}

#[test]
fn fixture_build_aggregates_and_computes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    let report = build(&opts(&fixtures(), &out)).unwrap();
    assert_eq!(report.files_used, 5);
    assert!(
        report.files_unrecognised.is_empty(),
        "{:?}",
        report.files_unrecognised
    );
    let rows = read_rows(&out);

    // Departments: P = 10+i (2A), 20+i (2B); day 6 = 2021-01-07.
    assert_eq!(
        get(&rows, "DEP-2A", "cases", "all", "2021-01-07"),
        Some(16.0)
    );
    // Region 94 (Corse) = 2A + 2B, computed because SPF's file here has no region rows.
    assert_eq!(
        get(&rows, "REG-94", "cases", "all", "2021-01-07"),
        Some(42.0)
    );
    assert_eq!(
        get(&rows, "REG-94", "tests", "all", "2021-01-07"),
        Some(434.0)
    );
    // Trailing 7-day incidence on the region: sum(P 01..07) / (pop 2A + pop 2B) × 1e5.
    let p: f64 = (0..7).map(|i| f64::from(30 + 2 * i)).sum();
    let inc = p / (158_507.0 + 177_689.0) * 1e5;
    assert!(close(
        get(&rows, "REG-94", "incidence_rate_7d", "all", "2021-01-07"),
        inc,
        1e-9
    ));
    // Undefined before 7 days: omitted, never 0.
    assert_eq!(
        get(&rows, "REG-94", "incidence_rate_7d", "all", "2021-01-06"),
        None
    );
    // Positivity = ratio of sums; T = 10P + 7 per department.
    let t: f64 = (0..7).map(|i| f64::from(10 * (30 + 2 * i) + 14)).sum();
    assert!(close(
        get(&rows, "REG-94", "positivity_rate_7d", "all", "2021-01-07"),
        p / t * 100.0,
        1e-9
    ));
    // Age class with its own population.
    let p9: f64 = (0..7).map(|i| f64::from((10 + i) / 4)).sum();
    assert!(close(
        get(
            &rows,
            "DEP-2A",
            "incidence_rate_7d",
            "age:0-9",
            "2021-01-07"
        ),
        p9 / 15_000.0 * 1e5,
        1e-9
    ));
    // Corsica is not all of France: no France aggregate.
    assert!(!rows.keys().any(|k| k.0 == "FR"));

    // Hospital: stocks, sexes, deaths from cumulative and from flows, saturation with beds by name.
    assert_eq!(
        get(&rows, "REG-94", "hosp", "all", "2021-01-01"),
        Some(70.0)
    );
    assert_eq!(
        get(&rows, "DEP-2A", "hosp", "sex:male", "2021-01-01"),
        Some(15.0)
    );
    assert_eq!(
        get(&rows, "REG-94", "hosp_deaths_from_cum", "all", "2021-01-02"),
        Some(2.0)
    );
    assert_eq!(
        get(&rows, "REG-94", "hosp_deaths", "all", "2021-01-02"),
        Some(2.0)
    );
    assert_eq!(
        get(&rows, "DEP-2A", "hosp_deaths_cum", "all", "2021-01-24"),
        Some(33.0)
    );
    let sat = get(&rows, "REG-94", "icu_saturation", "all", "2021-01-01").unwrap();
    assert!(close(Some(sat), (6.0 + 8.0) / 32.0 * 100.0, 1e-9), "{sat}");
    let adm = get(
        &rows,
        "REG-94",
        "hosp_admissions_7d_per_100k",
        "all",
        "2021-01-07",
    )
    .unwrap();
    let adm_sum: f64 = (0..7).map(|i| f64::from(2 * (3 + i % 4))).sum();
    assert!(close(
        Some(adm),
        adm_sum / (158_507.0 + 177_689.0) * 1e5,
        1e-9
    ));

    // R from emergency visits (SurSaUD): REG-94 visits are 2·(12+i) on day i.
    let x: Vec<f64> = (0..24).map(|i| f64::from(2 * (12 + i))).collect();
    let a = |t: usize| x[t - 6..=t].iter().sum::<f64>();
    let r23 = (17..=23).map(|t| a(t) / a(t - 7)).sum::<f64>() / 7.0;
    let got = get(
        &rows,
        "REG-94",
        "r_effective_emergency",
        "all",
        "2021-01-24",
    )
    .unwrap();
    assert!(close(Some(got), r23, 1e-12), "{got} vs {r23}");
    assert_eq!(
        get(
            &rows,
            "REG-94",
            "r_effective_emergency",
            "all",
            "2021-01-19"
        ),
        None
    );
    assert_eq!(
        get(
            &rows,
            "DEP-2A",
            "emergency_visits_covid",
            "age:75+",
            "2021-01-01"
        ),
        Some(2.0)
    );
    // Positivity over 14 days (CovidTracker's department variant).
    let p14: f64 = (0..14).map(|i| f64::from(30 + 2 * i)).sum();
    let t14: f64 = (0..14).map(|i| f64::from(10 * (30 + 2 * i) + 14)).sum();
    assert!(close(
        get(&rows, "REG-94", "positivity_rate_14d", "all", "2021-01-14"),
        p14 / t14 * 100.0,
        1e-9
    ));

    // Every required indicator id is there.
    for id in [
        "cases",
        "tests",
        "incidence_rate_7d",
        "positivity_rate_7d",
        "screening_rate_7d",
        "r_effective",
        "hosp",
        "icu",
        "hosp_admissions",
        "icu_admissions",
        "hosp_deaths",
        "hosp_deaths_cum",
    ] {
        assert!(rows.keys().any(|k| k.1 == id), "missing {id}");
    }

    // The JSON per territory carries the same numbers, and the latest KPI wording.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("open-data/territories/REG-94.json")).unwrap())
            .unwrap();
    let series = &json["indicators"]["cases"]["all"];
    assert_eq!(series["start"], "2021-01-01");
    assert_eq!(series["values"][6], 42.0);
    assert_eq!(json["population_source"], "source_file");
    let kpi = &json["latest"]["incidence_rate_7d"];
    assert_eq!(kpi["date"], "2021-01-24");
    assert!(
        kpi["wording_fr"]
            .as_str()
            .unwrap()
            .ends_with("ET EN HAUSSE")
    );

    // The dictionary documents every indicator present.
    let dict: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("open-data/data-dictionary.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = dict["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    for k in rows.keys() {
        assert!(ids.contains(&k.1.as_str()), "{} undocumented", k.1);
    }
    assert!(
        fs::read_to_string(out.join("open-data/data-dictionary.md"))
            .unwrap()
            .contains("| `incidence_rate_7d` |")
    );
    let sources: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("open-data/sources.json")).unwrap()).unwrap();
    let hosp = sources["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "donnees-hospitalieres-covid19.csv")
        .unwrap();
    assert_eq!(hosp["vintage"], "2020-03: rad before dc");
    assert_eq!(hosp["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn build_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&opts(&fixtures(), &a)).unwrap();
    build(&opts(&fixtures(), &b)).unwrap();
    for f in [
        "open-data/indicators.csv",
        "open-data/territories/REG-94.json",
        "release.json",
        "open-data/checks.json",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_bad_row_names_file_line_column_and_keeps_the_previous_release() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    build(&opts(&fixtures(), &out)).unwrap();
    let before = fs::read(out.join("open-data/indicators.csv")).unwrap();

    let src = tmp.path().join("src");
    copy_dir(&fixtures(), &src);
    let path = src.join("sp-pos-quot-dep.csv");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("2B;2021-01-30;12;abc;0;177689\n");
    fs::write(&path, text).unwrap();
    let err = build(&opts(&src, &out)).unwrap_err().to_string();
    assert!(err.contains("sp-pos-quot-dep.csv:98"), "{err}");
    assert!(err.contains("`T`") && err.contains("abc"), "{err}");
    assert_eq!(
        fs::read(out.join("open-data/indicators.csv")).unwrap(),
        before
    );
    // No staging directory is left behind.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn gzip_bom_cp1252_comma_and_french_dates_are_read_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let plain = fs::read_to_string(fixtures().join("sp-pos-quot-dep.csv")).unwrap();
    // Same data: gzip + BOM, comma separator, every field quoted, dd/mm/yyyy dates.
    let mut variant = String::from("\u{feff}");
    for (i, line) in plain.lines().enumerate() {
        let f: Vec<String> = line
            .split(';')
            .enumerate()
            .map(|(j, x)| {
                if i > 0 && j == 1 {
                    format!("\"{}/{}/{}\"", &x[8..10], &x[5..7], &x[0..4])
                } else {
                    format!("\"{x}\"")
                }
            })
            .collect();
        variant.push_str(&f.join(","));
        variant.push_str("\r\n");
    }
    let mut gz = flate2_writer(&src.join("tests.csv.gz"));
    gz.write_all(variant.as_bytes()).unwrap();
    gz.finish().unwrap();
    let out = tmp.path().join("variant");
    build(&opts(&src, &out)).unwrap();
    let reference = tmp.path().join("plain");
    let src2 = tmp.path().join("src2");
    fs::create_dir_all(&src2).unwrap();
    fs::copy(
        fixtures().join("sp-pos-quot-dep.csv"),
        src2.join("sp-pos-quot-dep.csv"),
    )
    .unwrap();
    build(&opts(&src2, &reference)).unwrap();
    assert_eq!(read_rows(&out), read_rows(&reference));
}

fn flate2_writer(path: &Path) -> flate2::write::GzEncoder<fs::File> {
    flate2::write::GzEncoder::new(fs::File::create(path).unwrap(), flate2::Compression::fast())
}

// ------------------------------------------------------------------ real data (shared)

#[test]
fn reference_test_vectors_on_real_excerpts() {
    let Some(dir) = vigie_testkit::shared("spf-epidemic/excerpts") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    for f in [
        "sp-pos-quot-dep_dep01_2020-05-13_2020-06-09.csv",
        "sp-pos-quot-fra_2020-05-13_2020-05-26.csv",
        "donnees-hospitalieres-covid19_2020-03-18_all-deps.csv",
    ] {
        fs::copy(dir.join(f), src.join(f)).unwrap();
    }
    if let Some(geo) = vigie_testkit::shared("geo/departements-avec-outre-mer.geojson") {
        fs::copy(geo, src.join("departements-avec-outre-mer.geojson")).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).unwrap();
    let rows = read_rows(&out);
    // The department map is drawn from the GeoJSON found among the sources.
    let map = fs::read_to_string(out.join("charts/maps/hosp_per_100k.svg")).unwrap();
    assert!(
        map.matches("<path").count() >= 101,
        "{}",
        map.matches("<path").count()
    );
    assert!(map.contains("Ain"));
    // §5 of spf-data-and-indicators.md.
    assert!(close(
        get(&rows, "DEP-01", "incidence_rate_7d", "all", "2020-05-19"),
        6.5453,
        5e-5
    ));
    assert!(close(
        get(
            &rows,
            "DEP-01",
            "incidence_rate_7d_centred",
            "all",
            "2020-05-16"
        ),
        6.5453,
        5e-5
    ));
    assert!(close(
        get(
            &rows,
            "DEP-01",
            "positivity_rate_7d_mean_of_ratios",
            "all",
            "2020-05-19"
        ),
        1.2989,
        5e-5
    ));
    assert!(close(
        get(&rows, "DEP-01", "positivity_rate_7d", "all", "2020-05-19"),
        1.6306,
        5e-5
    ));
    assert!(close(
        get(&rows, "DEP-01", "r_effective", "all", "2020-06-09"),
        0.8729,
        5e-5
    ));
    assert!(close(
        get(&rows, "FR", "incidence_rate_7d", "all", "2020-05-19"),
        8.302,
        5e-4
    ));
    assert!(close(
        get(
            &rows,
            "FR",
            "positivity_rate_7d_mean_of_ratios",
            "all",
            "2020-05-19"
        ),
        2.109,
        5e-4
    ));
    assert!(close(
        get(&rows, "FR", "cases_7d_mean_centred", "all", "2020-05-16"),
        796.0,
        1e-9
    ));
    // cas_comp_j7 at 2020-05-20 on raw daily P: (1060 − 901) / 901.
    let p20 = get(&rows, "FR", "cases", "all", "2020-05-20").unwrap();
    let p13 = get(&rows, "FR", "cases", "all", "2020-05-13").unwrap();
    assert!(((p20 - p13) / p13 * 100.0 - 17.647).abs() < 1e-3);
    // Hospital stocks of 2020-03-18, France = sum of the 101 departments.
    for (ind, v) in [
        ("hosp", 2972.0),
        ("icu", 771.0),
        ("hosp_discharges_cum", 816.0),
        ("hosp_deaths_cum", 218.0),
    ] {
        assert_eq!(get(&rows, "FR", ind, "all", "2020-03-18"), Some(v), "{ind}");
    }
    // The dep-01 age classes sum to class 0 (a property of SPF's file).
    let sum: f64 = [
        "0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90+",
    ]
    .iter()
    .map(|a| get(&rows, "DEP-01", "tests", &format!("age:{a}"), "2020-06-01").unwrap())
    .sum();
    assert_eq!(
        Some(sum),
        get(&rows, "DEP-01", "tests", "all", "2020-06-01")
    );
}

#[test]
fn every_real_epidemic_file_builds_and_matches_spf_aggregates() {
    let Some(dir) = vigie_testkit::shared("spf-epidemic") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    let report = build(&opts(&dir, &out)).unwrap();
    // Two excerpts are reference tables / EPCI files, not epidemic data.
    assert_eq!(
        report.files_unrecognised.len(),
        2,
        "{:?}",
        report.files_unrecognised
    );
    let rows = read_rows(&out);
    // Hospital stocks by department: the national stock on 2020-11-15 is the sum of departments.
    let fr = get(&rows, "FR", "hosp", "all", "2020-11-15").unwrap();
    let deps: f64 = rows
        .iter()
        .filter(|(k, _)| {
            k.0.starts_with("DEP-") && k.1 == "hosp" && k.2 == "all" && k.3 == "2020-11-15"
        })
        .map(|(_, v)| v)
        .sum();
    assert_eq!(fr, deps);
    // Regions equal the sum of their departments (Île-de-France).
    let idf = get(&rows, "REG-11", "cases", "all", "2020-10-01").unwrap();
    let idf_deps: f64 = ["75", "77", "78", "91", "92", "93", "94", "95"]
        .iter()
        .map(|d| get(&rows, &format!("DEP-{d}"), "cases", "all", "2020-10-01").unwrap())
        .sum();
    assert_eq!(idf, idf_deps);
    // Our national incidence agrees with SPF's own published tx_incid (same SI-DEP national
    // file; SPF's series is computed on later data revisions, hence a tolerance).
    let checks: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("open-data/checks.json")).unwrap()).unwrap();
    let c = checks["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["territory"] == "FR"
                && c["quantity"] == "incidence_rate_7d"
                && c["reference"] == "spf_incidence_rate"
        })
        .expect("incidence cross-check");
    assert!(c["dates_compared"].as_u64().unwrap() > 600, "{c}");
    assert!(
        c["mean_relative_difference"].as_f64().unwrap() < 0.05,
        "{c}"
    );
    // Special codes are counted, not silently dropped.
    let sources: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("open-data/sources.json")).unwrap()).unwrap();
    let hosp = sources["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["source"] == "donnees-hospitalieres-covid19")
        .unwrap();
    assert!(
        hosp["rows_excluded"]["no department code (empty cell)"]
            .as_u64()
            .unwrap()
            >= 3
    );
    assert_eq!(hosp["vintage"], "2020-11: dc before rad");
}
