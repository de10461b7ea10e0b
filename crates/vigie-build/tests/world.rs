//! The world's countries from JHU CSSE, the WHO and Our World in Data: small files written in
//! the publishers' real layouts (always run), then golden checks on the shared real files
//! (skipped with a message when absent).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use serde_json::Value;
use vigie_build::{BuildOptions, build};
use vigie_core::reference;

mod common;

/// `(territory, indicator, breakdown, date)` → value.
type Rows = BTreeMap<(String, String, String, String), f64>;

/// The shared options, writing to `out`.
fn opts(sources: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        out: out.to_path_buf(),
        ..common::opts(sources, "2026-12-03T06:00:00Z")
    }
}

/// The release of the shared international folder: its rows, the folder, the release directory
/// (kept alive by the temporary directory). `None` (with a printed reason) without shared data.
fn build_shared_international() -> Option<(
    Rows,
    std::path::PathBuf,
    std::path::PathBuf,
    tempfile::TempDir,
)> {
    let dir = vigie_testkit::shared("international")?;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("release");
    build(&opts(&dir, &out)).unwrap();
    Some((rows(&out), dir, out, tmp))
}

fn rows(release: &Path) -> Rows {
    let text = fs::read_to_string(release.join("open-data/indicators.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (
                    f[0].to_string(),
                    f[1].to_string(),
                    f[2].to_string(),
                    f[3].to_string(),
                ),
                f[4].parse().unwrap(),
            )
        })
        .collect()
}

fn get(rows: &Rows, t: &str, i: &str, b: &str, d: &str) -> Option<f64> {
    rows.get(&(t.into(), i.into(), b.into(), d.into())).copied()
}

fn build_files(files: &[(&str, String)]) -> Result<(Rows, tempfile::TempDir), String> {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    for (name, text) in files {
        fs::write(src.join(name), text).unwrap();
    }
    let out = tmp.path().join("release");
    build(&opts(&src, &out)).map_err(|e| e.to_string())?;
    Ok((rows(&out), tmp))
}

const DATES: [&str; 9] = [
    "1/22/20", "1/23/20", "1/24/20", "1/25/20", "1/26/20", "1/27/20", "1/28/20", "1/29/20",
    "1/30/20",
];

/// A JHU wide file: `(province, country, cumulative values)`.
fn jhu(rows: &[(&str, &str, [u32; 9])]) -> String {
    let mut s = format!(
        "Province/State,Country/Region,Lat,Long,{}\n",
        DATES.join(",")
    );
    for (p, c, v) in rows {
        let c = if c.contains(',') {
            format!("\"{c}\"")
        } else {
            c.to_string()
        };
        let v: Vec<String> = v.iter().map(u32::to_string).collect();
        s.push_str(&format!("{p},{c},1.0,2.0,{}\n", v.join(",")));
    }
    s
}

fn world_fixture() -> Vec<(&'static str, String)> {
    let confirmed = jhu(&[
        ("", "France", [0, 10, 30, 60, 100, 150, 210, 280, 360]),
        ("Guadeloupe", "France", [0, 0, 1, 1, 2, 3, 5, 8, 13]),
        ("Ontario", "Canada", [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ("Quebec", "Canada", [0, 1, 1, 2, 2, 3, 3, 4, 4]),
        ("Diamond Princess", "Canada", [0, 0, 0, 0, 1, 1, 1, 1, 1]),
        ("New South Wales", "Australia", [2, 2, 2, 2, 2, 2, 2, 2, 2]),
        ("Victoria", "Australia", [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("", "Korea, South", [5, 6, 7, 8, 9, 10, 11, 12, 13]),
        ("", "Diamond Princess", [0, 10, 20, 40, 60, 61, 62, 63, 64]),
        // A downward revision on 1/27/20.
        ("", "Namibia", [0, 0, 4, 4, 6, 5, 5, 7, 8]),
    ]);
    let deaths = jhu(&[
        ("", "France", [0, 0, 1, 1, 2, 3, 4, 5, 6]),
        ("", "Namibia", [0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ]);
    // The WHO's weekly layout: FR and NA (Namibia, which a careless reader takes for a missing
    // value), an empty `New_cases` cell, dated on Sundays.
    let who = "Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,New_deaths,Cumulative_deaths\n\
2020-01-05,FR,France,EURO,,0,,0\n\
2020-01-12,FR,France,EURO,3,3,0,0\n\
2020-01-19,FR,France,EURO,12,15,1,1\n\
2020-01-26,FR,France,EURO,,95,1,2\n\
2020-01-05,NA,Namibia,AFRO,,0,,0\n\
2020-01-12,NA,Namibia,AFRO,2,2,0,0\n\
2020-01-19,NA,Namibia,AFRO,1,3,0,0\n\
2020-01-26,NA,Namibia,AFRO,4,7,0,1\n"
        .to_string();
    vec![
        ("time_series_covid19_confirmed_global.csv", confirmed),
        ("time_series_covid19_deaths_global.csv", deaths),
        ("WHO-COVID-19-global-data.csv", who),
    ]
}

#[test]
fn jhu_rows_are_summed_into_their_countries_and_overseas_rows_kept_apart() {
    let (rows, _tmp) = build_files(&world_fixture()).unwrap();
    let last = "2020-01-30";
    let cum = |t: &str| get(&rows, t, "cases_cum", "source:jhu", last);
    // France's main row only; Guadeloupe is its own territory, as in the WHO and OWID files.
    assert_eq!(cum("ISO-FRA"), Some(360.0));
    assert_eq!(cum("ISO-GLP"), Some(13.0));
    // Canada: its provinces, not the cruise ship published as one of its provinces.
    assert_eq!(cum("ISO-CAN"), Some(13.0));
    assert_eq!(cum("X-DIAMOND-PRINCESS"), Some(65.0));
    // Australia only by states.
    assert_eq!(cum("ISO-AUS"), Some(3.0));
    // A name with a comma inside quotes.
    assert_eq!(cum("ISO-KOR"), Some(13.0));
    // WORLD is every row, ships included; Europe has France (Guadeloupe is in the Americas).
    assert_eq!(
        cum("WORLD"),
        Some(360.0 + 13.0 + 13.0 + 1.0 + 3.0 + 13.0 + 64.0 + 8.0)
    );
    assert_eq!(cum("CONT-EU"), Some(360.0));
    // Deaths come from the other file with the same header.
    assert_eq!(
        get(&rows, "ISO-FRA", "deaths_cum", "source:jhu", last),
        Some(6.0)
    );
    assert!(get(&rows, "ISO-CAN", "deaths_cum", "source:jhu", last).is_none());
}

#[test]
fn daily_indicators_by_hand() {
    let (rows, tmp) = build_files(&world_fixture()).unwrap();
    let r = reference();
    let fra = r.get(r.by_key("ISO-FRA").unwrap()).population as f64;
    assert!(
        fra > 6e7,
        "France's population from the countries table: {fra}"
    );
    let d = "2020-01-30";
    // New cases: differences of the cumulative series.
    assert_eq!(get(&rows, "ISO-FRA", "cases", "source:jhu", d), Some(80.0));
    // 7-day mean of new cases 1/24…1/30: (360 − 10) / 7.
    let mean = get(&rows, "ISO-FRA", "cases_7d_mean", "source:jhu", d).unwrap();
    assert!((mean - 350.0 / 7.0).abs() < 1e-3, "{mean}");
    // The first day with a whole window is 1/29 (new cases exist from 1/23).
    assert!(
        get(
            &rows,
            "ISO-FRA",
            "cases_7d_mean",
            "source:jhu",
            "2020-01-28"
        )
        .is_none()
    );
    let per_million = get(&rows, "ISO-FRA", "cases_cum_per_million", "source:jhu", d).unwrap();
    assert!(
        (per_million - 360.0 / fra * 1e6).abs() < 1e-3,
        "{per_million}"
    );
    let incidence = get(&rows, "ISO-FRA", "incidence_rate_7d", "source:jhu", d).unwrap();
    assert!((incidence - 350.0 / fra * 1e5).abs() < 1e-3, "{incidence}");
    let cfr = get(&rows, "ISO-FRA", "case_fatality_ratio", "source:jhu", d).unwrap();
    assert!((cfr - 6.0 / 360.0 * 100.0).abs() < 1e-3, "{cfr}");
    // Pseudo-countries have no population: no rate, but their counts.
    assert!(
        get(
            &rows,
            "X-DIAMOND-PRINCESS",
            "cases_cum_per_million",
            "source:jhu",
            d
        )
        .is_none()
    );
    assert_eq!(
        get(&rows, "X-DIAMOND-PRINCESS", "cases", "source:jhu", d),
        Some(1.0)
    );
    // A downward revision: a negative new count, kept and listed in checks.json.
    assert_eq!(
        get(&rows, "ISO-NAM", "cases", "source:jhu", "2020-01-27"),
        Some(-1.0)
    );
    let checks: Value = serde_json::from_str(
        &fs::read_to_string(tmp.path().join("release/open-data/checks.json")).unwrap(),
    )
    .unwrap();
    let revisions = checks["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    assert_eq!(revisions[0]["territory"], "ISO-NAM");
    assert_eq!(revisions[0]["date"], "2020-01-27");
    assert_eq!(revisions[0]["before"], 6.0);
    assert_eq!(revisions[0]["after"], 5.0);
}

#[test]
fn weekly_who_series_stay_weekly() {
    let (rows, tmp) = build_files(&world_fixture()).unwrap();
    // Namibia by its alpha-2 code `NA`.
    assert_eq!(
        get(&rows, "ISO-NAM", "cases_cum", "source:who", "2020-01-26"),
        Some(7.0)
    );
    // New cases of the week: the difference of the weekly totals (the empty cell is not 0).
    assert_eq!(
        get(&rows, "ISO-FRA", "cases", "source:who", "2020-01-26"),
        Some(80.0)
    );
    // Incidence over 7 days = the week's cases; no daily value anywhere between reports.
    let r = reference();
    let fra = r.get(r.by_key("ISO-FRA").unwrap()).population as f64;
    let inc = get(
        &rows,
        "ISO-FRA",
        "incidence_rate_7d",
        "source:who",
        "2020-01-26",
    )
    .unwrap();
    assert!((inc - 80.0 / fra * 1e5).abs() < 1e-4, "{inc}");
    let who_days: Vec<&str> = rows
        .keys()
        .filter(|k| k.0 == "ISO-FRA" && k.2 == "source:who")
        .map(|k| k.3.as_str())
        .collect();
    assert!(
        who_days
            .iter()
            .all(|d| ["2020-01-05", "2020-01-12", "2020-01-19", "2020-01-26"].contains(d)),
        "{who_days:?}"
    );
    // No 7-day mean of daily values from weekly totals.
    assert!(
        !rows
            .keys()
            .any(|k| k.1 == "cases_7d_mean" && k.2 == "source:who")
    );
    // The territory file publishes the weekly series at step P7D, one value per week.
    let t: Value = serde_json::from_str(
        &fs::read_to_string(
            tmp.path()
                .join("release/open-data/territories/ISO-FRA.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let s = &t["indicators"]["cases_cum"]["source:who"];
    assert_eq!(s["step"], "P7D");
    assert_eq!(s["start"], "2020-01-05");
    assert_eq!(s["end"], "2020-01-26");
    assert_eq!(s["values"], serde_json::json!([0, 3, 15, 95]));
    assert_eq!(t["indicators"]["cases_cum"]["source:jhu"]["step"], "P1D");
    assert_eq!(t["world"]["alpha3"], "FRA");
    assert_eq!(t["world"]["who_region"], "WHO-EURO");
    assert_eq!(t["population_source"], "countries_table");
    // JHU and the WHO compared at their common dates, with the explanation.
    let checks: Value = serde_json::from_str(
        &fs::read_to_string(tmp.path().join("release/open-data/checks.json")).unwrap(),
    )
    .unwrap();
    let c = checks["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["kind"] == "jhu_vs_who" && c["territory"] == "ISO-FRA" && c["quantity"] == "cases_cum"
        })
        .expect("JHU vs WHO check for France");
    assert_eq!(c["dates_compared"], 1); // 2020-01-26 only
    // Relative to the larger of the two: |100 − 95| / 100.
    assert!((c["max_relative_difference"].as_f64().unwrap() - 5.0 / 100.0).abs() < 1e-9);
    assert!(
        c["explanation_fr"]
            .as_str()
            .unwrap()
            .contains("semaine de notification")
    );
}

#[test]
fn bad_cells_and_unknown_places_are_refused_with_file_line_column() {
    let mut files = world_fixture();
    files[0].1 = files[0].1.replacen(",0,10,30,60,", ",0,10,x3,60,", 1);
    let err = build_files(&files).unwrap_err();
    assert!(
        err.contains("time_series_covid19_confirmed_global.csv:2: column `1/24/20`: not a number"),
        "{err}"
    );
    let mut files = world_fixture();
    files[0].1.push_str(",Atlantis,0,0,1,1,1,1,1,1,1,1,1\n");
    let err = build_files(&files).unwrap_err();
    assert!(
        err.contains("time_series_covid19_confirmed_global.csv:12: column `Country/Region`")
            && err.contains("Atlantis"),
        "{err}"
    );
    let mut files = world_fixture();
    files[2].1.push_str("2020-01-26,QQ,Nowhere,EURO,1,1,0,0\n");
    let err = build_files(&files).unwrap_err();
    assert!(
        err.contains("WHO-COVID-19-global-data.csv:10: column `Country_code`")
            && err.contains("QQ"),
        "{err}"
    );
}

// ---------------------------------------------------------------- shared real files

fn read_text(p: &Path) -> String {
    let bytes = fs::read(p).unwrap();
    if p.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Sum of a JHU file's rows for a country (`provinces`: `None` = every row, else the rows whose
/// province passes the filter) on one date column.
fn raw_sum(text: &str, country: &str, date: &str, keep: impl Fn(&str) -> bool) -> f64 {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = header.iter().position(|h| h == date).unwrap();
    rdr.records()
        .map(Result::unwrap)
        .filter(|r| &r[1] == country && keep(&r[0]))
        .map(|r| r[col].parse::<f64>().unwrap())
        .sum()
}

#[test]
fn golden_jhu_totals_equal_the_sum_of_their_raw_rows() {
    let Some((rows, dir, _out, _tmp)) = build_shared_international() else {
        return;
    };
    let d2020 = read_text(&dir.join("jhu_2020-10-31/time_series_covid19_deaths_global.csv"));
    let c2022 = read_text(&dir.join("time_series_covid19_confirmed_global_2022-03-31.csv.gz"));
    let overseas = [
        ("French Guiana", "ISO-GUF"),
        ("French Polynesia", "ISO-PYF"),
        ("Guadeloupe", "ISO-GLP"),
        ("Martinique", "ISO-MTQ"),
        ("Mayotte", "ISO-MYT"),
        ("New Caledonia", "ISO-NCL"),
        ("Reunion", "ISO-REU"),
        ("Saint Barthelemy", "ISO-BLM"),
        ("St Martin", "ISO-MAF"),
        ("Saint Pierre and Miquelon", "ISO-SPM"),
    ];
    for (text, measure, col, day) in [
        (&c2022, "cases_cum", "3/31/22", "2022-03-31"),
        (&c2022, "cases_cum", "6/15/21", "2021-06-15"),
        (&d2020, "deaths_cum", "10/31/20", "2020-10-31"),
    ] {
        let ours = |t: &str| get(&rows, t, measure, "source:jhu", day).unwrap_or(0.0);
        // France without its overseas rows, then with them.
        assert_eq!(
            ours("ISO-FRA"),
            raw_sum(text, "France", col, str::is_empty),
            "{measure} {day}"
        );
        let with_overseas: f64 = ours("ISO-FRA")
            + overseas
                .iter()
                .filter(|(p, _)| raw_sum(text, "France", col, |x| x == *p) > 0.0)
                .map(|(_, k)| ours(k))
                .sum::<f64>();
        let listed: Vec<&str> = overseas.iter().map(|o| o.0).collect();
        assert_eq!(
            with_overseas,
            raw_sum(text, "France", col, |p| p.is_empty() || listed.contains(&p)),
            "{measure} {day}"
        );
        let ships = |p: &str| p == "Diamond Princess" || p == "Grand Princess";
        assert_eq!(ours("ISO-CAN"), raw_sum(text, "Canada", col, |p| !ships(p)));
        assert_eq!(ours("ISO-AUS"), raw_sum(text, "Australia", col, |_| true));
        assert_eq!(
            ours("ISO-CHN"),
            raw_sum(text, "China", col, |p| p != "Hong Kong" && p != "Macau")
        );
        assert_eq!(
            ours("ISO-HKG"),
            raw_sum(text, "China", col, |p| p == "Hong Kong")
        );
    }
    // Hand-computed from the raw rows: 7-day means of new cases and rates per million.
    let r = reference();
    for (country, key, until, week_before, day) in [
        ("France", "ISO-FRA", "3/31/22", "3/24/22", "2022-03-31"),
        ("Germany", "ISO-DEU", "1/15/22", "1/8/22", "2022-01-15"),
        ("Namibia", "ISO-NAM", "7/1/21", "6/24/21", "2021-07-01"),
    ] {
        let main = |col: &str| raw_sum(&c2022, country, col, str::is_empty);
        let mean = (main(until) - main(week_before)) / 7.0;
        let ours = get(&rows, key, "cases_7d_mean", "source:jhu", day).unwrap();
        assert!((ours - mean).abs() < 1e-4, "{key} {day}: {ours} vs {mean}");
        let population = r.get(r.by_key(key).unwrap()).population as f64;
        let per_million = main(until) / population * 1e6;
        let ours = get(&rows, key, "cases_cum_per_million", "source:jhu", day).unwrap();
        assert!(
            (ours - per_million).abs() < 1e-4,
            "{key} {day}: {ours} vs {per_million}"
        );
        let per_million_7d = (main(until) - main(week_before)) / population * 1e6;
        let ours = get(&rows, key, "cases_7d_per_million", "source:jhu", day).unwrap();
        assert!((ours - per_million_7d).abs() < 1e-4, "{key} {day}");
    }
    // Every country of the JHU file is somewhere: WORLD is the sum of every row.
    let mut rdr = csv::Reader::from_reader(c2022.as_bytes());
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "3/31/22")
        .unwrap();
    let total: f64 = rdr
        .records()
        .map(|r| r.unwrap()[col].parse::<f64>().unwrap())
        .sum();
    assert_eq!(
        get(&rows, "WORLD", "cases_cum", "source:jhu", "2022-03-31"),
        Some(total)
    );
}

#[test]
fn golden_who_totals_equal_owid_for_every_country() {
    let Some((rows, dir, out, _tmp)) = build_shared_international() else {
        return;
    };
    let owid = read_text(&dir.join("owid-covid-latest.csv"));
    let mut rdr = csv::Reader::from_reader(owid.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (iso, cases, deaths) = (col("iso_code"), col("total_cases"), col("total_deaths"));
    let r = reference();
    let mut compared = 0;
    for rec in rdr.records().map(Result::unwrap) {
        let code = &rec[iso];
        let key = if code == "OWID_KOS" {
            "ISO-XKX".to_string()
        } else if code.starts_with("OWID_") {
            continue;
        } else {
            format!("ISO-{code}")
        };
        if r.by_key(&key).is_none() {
            continue;
        }
        // The WHO's last week.
        let last = |ind: &str| {
            rows.range(
                (
                    key.clone(),
                    ind.to_string(),
                    "source:who".to_string(),
                    String::new(),
                )..,
            )
            .take_while(|(k, _)| k.0 == key && k.1 == ind && k.2 == "source:who")
            .last()
            .map(|(k, v)| (k.3.clone(), *v))
        };
        let Some((day, who_cases)) = last("cases_cum") else {
            continue;
        };
        assert_eq!(day, "2024-08-04", "{key}");
        let owid_cases: f64 = rec[cases].parse().unwrap();
        assert_eq!(who_cases, owid_cases, "{key} total cases");
        if let (Some((_, who_deaths)), Ok(owid_deaths)) =
            (last("deaths_cum"), rec[deaths].parse::<f64>())
        {
            assert_eq!(who_deaths, owid_deaths, "{key} total deaths");
        }
        compared += 1;
    }
    assert!(compared >= 220, "only {compared} countries compared");
    assert_eq!(
        get(&rows, "ISO-NAM", "cases_cum", "source:who", "2024-08-04"),
        Some(172_533.0)
    );
    assert_eq!(
        get(&rows, "ISO-FRA", "cases_cum", "source:who", "2024-08-04"),
        Some(38_997_490.0)
    );
    // And the build's own check says the same: no difference anywhere.
    let checks: Value =
        serde_json::from_str(&fs::read_to_string(out.join("open-data/checks.json")).unwrap())
            .unwrap();
    let owid_checks: Vec<&Value> = checks["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "who_vs_owid")
        .collect();
    assert!(owid_checks.len() >= 440);
    assert!(
        owid_checks
            .iter()
            .all(|c| c["max_relative_difference"] == 0.0)
    );
}

#[test]
fn the_gate_keeps_countries_and_knows_what_is_plausible_for_them() {
    use vigie_build::gate::GatePolicy;
    use vigie_build::history::{DataDir, Outcome};
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    let write = |files: &[(&str, String)]| {
        fs::create_dir_all(d.sources()).unwrap();
        for (name, text) in files {
            fs::write(d.sources().join(name), text).unwrap();
        }
    };
    let build_at = |at: &str| {
        d.build(&common::opts(&d.sources(), at), GatePolicy::default(), 5)
            .unwrap()
    };
    write(&world_fixture());
    let Outcome::Published(_, gate) = build_at("2026-12-01T00:00:00Z") else {
        panic!("the world fixture must pass the gate")
    };
    assert!(gate.passed, "{:?}", gate.failures());
    // A negative new count from a revision (Namibia, 1/27/20) is not refused.
    assert!(
        !gate.failures().join(" ").contains("ISO-NAM cases"),
        "{:?}",
        gate.failures()
    );

    // Namibia's rows dropped from the JHU files: its series vanish, the release is refused.
    let mut files = world_fixture();
    for f in files.iter_mut().take(2) {
        f.1 =
            f.1.lines()
                .filter(|l| !l.contains("Namibia"))
                .map(|l| format!("{l}\n"))
                .collect();
    }
    write(&files);
    let Outcome::Refused(_, gate) = build_at("2026-12-02T00:00:00Z") else {
        panic!("a country's series vanished and the release was published")
    };
    let failures = gate.failures().join("; ");
    assert!(
        failures.contains("ISO-NAM") && failures.contains("source:jhu"),
        "{failures}"
    );

    // An absurd count (more cases than people) is refused like a French one.
    let mut files = world_fixture();
    files[0].1 = files[0].1.replacen(",210,280,360", ",210,280,90000000", 1);
    write(&files);
    let Outcome::Refused(_, gate) = build_at("2026-12-03T00:00:00Z") else {
        panic!("90 million cases in France were published")
    };
    let failures = gate.failures().join("; ");
    assert!(failures.contains("ISO-FRA cases_cum"), "{failures}");
}

#[test]
fn golden_the_shared_world_and_spf_files_make_one_release_through_the_gate() {
    use vigie_build::gate::GatePolicy;
    use vigie_build::history::{DataDir, Outcome};
    let (Some(intl), Some(spf)) = (
        vigie_testkit::shared("international"),
        vigie_testkit::shared("spf-epidemic"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = DataDir::new(tmp.path().join("data"));
    fs::create_dir_all(d.sources()).unwrap();
    // Read in place: links, not copies.
    std::os::unix::fs::symlink(&intl, d.sources().join("international")).unwrap();
    std::os::unix::fs::symlink(&spf, d.sources().join("spf")).unwrap();
    let out = d
        .build(
            &common::opts(&d.sources(), "2026-12-03T06:00:00Z"),
            GatePolicy::default(),
            5,
        )
        .unwrap();
    let Outcome::Published(_, gate) = out else {
        panic!("the real files were refused")
    };
    assert!(gate.passed, "{:?}", gate.failures());
    let rows = rows(&d.current().unwrap());
    // France's departments and the world's countries in one release.
    assert!(rows.keys().any(|k| k.0 == "DEP-75"));
    assert_eq!(
        get(&rows, "ISO-FRA", "cases_cum", "source:who", "2024-08-04"),
        Some(38_997_490.0)
    );
}
