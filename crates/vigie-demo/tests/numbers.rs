//! The demo's headline numbers as a user reads them: doses injected, coverage by age class,
//! level and trend words, changes over 7 days and coverage projections (issue 10, items 4, 6
//! and 7), through the real build.

use std::fs;
use std::path::Path;

use serde_json::Value;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::{BuildOptions, build};
use vigie_core::Date;

type Error = Box<dyn std::error::Error>;

fn demo_release(dir: &Path) -> Result<std::path::PathBuf, Error> {
    let src = dir.join("src");
    fs::create_dir_all(&src)?;
    let end = Date::from_ymd(2022, 2, 28).ok_or("date")?;
    for (name, bytes) in vigie_demo::sources(end, 181) {
        fs::write(src.join(name), bytes)?;
    }
    let out = dir.join("release");
    build(&BuildOptions {
        sources: src,
        out: out.clone(),
        catalogs: Vec::new(),
        built_at: "2026-01-01T00:00:00Z".into(),
        charts: ChartFormats {
            svg: false,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    })?;
    Ok(out)
}

fn latest(release: &Path, territory: &str) -> Result<Value, Error> {
    let t: Value = serde_json::from_slice(&fs::read(
        release.join(format!("open-data/territories/{territory}.json")),
    )?)?;
    Ok(t["latest"].clone())
}

fn num(v: &Value) -> Result<f64, Error> {
    v.as_f64()
        .ok_or_else(|| format!("not a number: {v}").into())
}

/// Last value of `(territory, indicator, breakdown)` in `indicators.csv`.
fn last_row(release: &Path, t: &str, i: &str, b: &str) -> Result<Option<f64>, Error> {
    let text = fs::read_to_string(release.join("open-data/indicators.csv"))?;
    let mut last: Option<(String, f64)> = None;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 6 && f[0] == t && f[1] == i && f[2] == b {
            let d = f[3].to_string();
            if last.as_ref().is_none_or(|(l, _)| *l < d) {
                last = Some((d, f[4].parse()?));
            }
        }
    }
    Ok(last.map(|x| x.1))
}

#[test]
fn demo_headline_numbers_are_consistent() -> Result<(), Error> {
    let tmp = tempfile::tempdir()?;
    let rel = demo_release(tmp.path())?;

    // Item 4: Ardèche's doses injected are every stage, not its first doses (248 225 before).
    let ardeche = latest(&rel, "DEP-07")?;
    let v = |id: &str| num(&ardeche[id]["value"]);
    let doses = v("vaccination_doses_injected_cum")?;
    assert_eq!(
        doses,
        v("vaccination_dose1_cum")?
            + v("vaccination_complete_cum")?
            + v("vaccination_booster_cum")?
            + v("vaccination_booster2_cum")?
            + v("vaccination_booster3_cum")?
    );
    assert!(doses > 2.5 * v("vaccination_dose1_cum")?, "{doses}");
    assert_eq!(v("vaccination_dose1_cum")?, 248_225.0);
    // France is the sum of its departments for this figure too.
    let fr = latest(&rel, "FR")?;
    let mut sum = 0.0;
    for dep in vigie_core::reference().departments() {
        let key = vigie_core::reference().get(*dep).key();
        sum += num(&latest(&rel, &key)?["vaccination_doses_injected_cum"]["value"])?;
    }
    assert_eq!(num(&fr["vaccination_doses_injected_cum"]["value"])?, sum);

    // Item 6: our coverage exists for each of the 14 VAC-SI classes (3 before: the SI-DEP
    // classes 30–39, 40–49, 50–59 lent their population) and agrees with SPF's.
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
        let ours = last_row(&rel, "FR", "vaccination_coverage_dose1", b)?.ok_or(b)?;
        let spf = last_row(&rel, "FR", "spf_vaccination_coverage_dose1", b)?.ok_or(b)?;
        assert!((ours - spf).abs() <= 0.051, "{b}: {ours} vs {spf}");
    }

    // Item 7: every headline card but coverage has a level; the trend and the displayed
    // change compare the same two days; % indicators change in points.
    for territory in ["FR", "REG-11", "DEP-07", "DEP-974"] {
        let l = latest(&rel, territory)?;
        for id in [
            "incidence_rate_7d",
            "positivity_rate_7d",
            "r_effective",
            "cases_7d_mean",
            "hosp",
            "icu",
            "hosp_admissions_7d_mean",
            "icu_saturation",
        ] {
            let k = &l[id];
            assert!(k["level"].is_string(), "{territory} {id}: {k}");
            assert_eq!(k["trend_basis"], "7_days_before", "{territory} {id}");
            let (value, before) = (num(&k["value"])?, num(&k["value_7_days_before"])?);
            let step = num(&k["trend_stable_within_percent"])? / 100.0;
            let expected = if (value - before).abs() <= step * before.abs() {
                "stable"
            } else if value < before {
                "falling"
            } else {
                "rising"
            };
            assert_eq!(k["trend"], expected, "{territory} {id}: {k}");
            if id == "positivity_rate_7d" || id == "icu_saturation" {
                assert_eq!(k["change_7_days_percent"], Value::Null, "{id}");
                // Published numbers are rounded to 4 decimals (vigie_core::publish).
                assert!((num(&k["change_7_days_points"])? - (value - before)).abs() <= 1.5e-4);
            } else if before != 0.0 {
                let c = num(&k["change_7_days_percent"])?;
                // From rounded value and value 7 days before: their rounding, carried through.
                let tol = 5e-5 + 1e-2 * (1.0 + (value / before).abs()) / before.abs();
                assert!((c - (value - before) / before * 100.0).abs() <= tol, "{id}");
            }
        }
        // Cases take the level of the incidence rate (same day).
        assert_eq!(l["cases_7d_mean"]["level"], l["incidence_rate_7d"]["level"]);
        assert_eq!(l["cases_7d_mean"]["level_basis"], "incidence_rate_7d");
        assert_eq!(l["hosp"]["level_basis"], "hosp_per_100k");
        for id in [
            "vaccination_coverage_dose1",
            "vaccination_coverage_complete",
            "vaccination_coverage_booster",
        ] {
            let k = &l[id];
            assert!(k.get("level").is_none(), "{territory} {id}");
            assert_eq!(k["change_unit"], "points");
            let p = &k["projection"];
            let status = p["status"].as_str().ok_or("status")?;
            assert!(
                [
                    "reached",
                    "projected",
                    "no_progress",
                    "beyond_horizon",
                    "no_data"
                ]
                .contains(&status),
                "{status}"
            );
            // A date only when projected, and within the horizon.
            match status {
                "projected" => {
                    let d = p["reached_on"].as_str().ok_or("date")?;
                    assert!(d <= "2024-02-28", "{territory} {id}: {d}");
                }
                "reached" => assert_eq!(p["reached_on"], "reached"),
                _ => assert_eq!(p["reached_on"], Value::Null, "{territory} {id}"),
            }
        }
        // Dose order: without a date for the first dose, no later dose has one.
        let status = |id: &str| l[id]["projection"]["status"].as_str().unwrap_or("");
        if !["reached", "projected"].contains(&status("vaccination_coverage_dose1")) {
            assert_ne!(status("vaccination_coverage_complete"), "projected");
            assert_ne!(status("vaccination_coverage_booster"), "projected");
        }
    }
    // La Réunion (about 42 % with a first dose, +0.001 point a day): no date for any dose
    // (before: « pas de date » for the first dose, « vers le 09/11/2071 » for the full
    // schedule).
    let reunion = latest(&rel, "DEP-974")?;
    for id in [
        "vaccination_coverage_dose1",
        "vaccination_coverage_complete",
        "vaccination_coverage_booster",
    ] {
        assert_eq!(
            reunion[id]["projection"]["status"], "beyond_horizon",
            "{id}"
        );
    }
    // France: the booster alone would reach 90 % in May 2023, but the full primary series
    // (69 %, +0.004 point a day) never does within two years.
    assert_eq!(
        fr["vaccination_coverage_booster"]["projection"]["limited_by"],
        "vaccination_coverage_complete"
    );
    // The demo carries ICU beds: saturation exists for every department.
    assert!(num(&ardeche["icu_saturation"]["value"])? > 0.0);
    Ok(())
}
