//! The demo dataset, vaccination included, goes through the real build and the real gate, and
//! its vaccination indicators are plausible.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use vigie_build::BuildOptions;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};
use vigie_core::Date;

type Error = Box<dyn std::error::Error>;

fn opts(sources: &Path, built_at: &str) -> BuildOptions {
    BuildOptions {
        sources: sources.to_path_buf(),
        out: Default::default(),
        catalogs: Vec::new(),
        built_at: built_at.into(),
        charts: ChartFormats {
            svg: false,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    }
}

/// `(territory, indicator, breakdown)` → values by date, from `open-data/indicators.csv`.
type Rows = BTreeMap<(String, String, String), Vec<(String, f64)>>;

fn read_rows(release: &Path) -> Result<Rows, Error> {
    let text = fs::read_to_string(release.join("open-data/indicators.csv"))?;
    let mut rows = Rows::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 5 || !f[1].starts_with("vacc") {
            continue;
        }
        rows.entry((f[0].into(), f[1].into(), f[2].into()))
            .or_default()
            .push((f[3].into(), f[4].parse()?));
    }
    for v in rows.values_mut() {
        v.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(rows)
}

#[test]
fn demo_vaccination_builds_passes_the_gate_and_is_plausible() -> Result<(), Error> {
    let end = Date::from_ymd(2022, 2, 28).ok_or("date")?;
    let tmp = tempfile::tempdir()?;
    let d = DataDir::new(tmp.path().join("demo"));
    fs::create_dir_all(d.sources())?;
    let files = vigie_demo::sources(end, 90);
    for name in [
        "vacsi-dep.csv",
        "vacsi-reg.csv",
        "vacsi-fra.csv",
        "vacsi-a-fra.csv",
        "vacsi-v-fra.csv",
        "flux-tot-nat.csv",
        vigie_demo::MARKER,
    ] {
        assert!(files.iter().any(|(n, _)| n == name), "{name} missing");
    }
    for (name, bytes) in files {
        fs::write(d.sources().join(name), bytes)?;
    }
    let live = match d.build(
        &opts(&d.sources(), "2026-01-01T00:00:00Z"),
        GatePolicy::default(),
        3,
    )? {
        Outcome::Published(_, gate) => {
            assert!(gate.passed);
            d.current().ok_or("no live release")?
        }
        Outcome::Refused(_, gate) => return Err(format!("{:?}", gate.failures()).into()),
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(live.join("release.json"))?)?;
    assert_eq!(manifest["demo"], true);
    assert_eq!(manifest["violations_total"], 0);

    // Every vaccination source was recognised.
    let sources = fs::read_to_string(live.join("open-data/sources.json"))?;
    for id in [
        "\"vacsi\"",
        "\"vacsi-a\"",
        "\"vacsi-v\"",
        "\"flux-tot-nat\"",
    ] {
        assert!(sources.contains(id), "source {id} not recognised");
    }

    // Published cumulatives agree exactly with the recomputed ones.
    let checks: serde_json::Value =
        serde_json::from_slice(&fs::read(live.join("open-data/checks.json"))?)?;
    let mut cum_checks = 0;
    for c in checks["checks"].as_array().ok_or("checks")? {
        let reference = c["reference"].as_str().unwrap_or_default();
        if reference.starts_with("spf_vacc_") && reference.ends_with("_cum")
            || reference == "sum of departments"
        {
            assert_eq!(c["max_relative_difference"], 0.0, "{c}");
            cum_checks += 1;
        }
    }
    assert!(cum_checks > 300, "{cum_checks}");
    let rows = read_rows(&live)?;
    let series = |t: &str, i: &str, b: &str| rows.get(&(t.into(), i.into(), b.into()));
    // Coverage exists for France, a region, metropolitan and overseas departments, lies in
    // (0, 100) on the last day and never decreases.
    for t in [
        "FR", "REG-11", "REG-94", "DEP-75", "DEP-2A", "DEP-971", "DEP-976",
    ] {
        for ind in [
            "vaccination_coverage_dose1",
            "vaccination_coverage_complete",
            "vaccination_coverage_booster",
        ] {
            let s = series(t, ind, "all").ok_or(format!("{t} {ind} missing"))?;
            let (last_day, last) = s.last().ok_or("empty")?;
            assert_eq!(last_day, "2022-02-28", "{t} {ind}");
            assert!(*last > 0.0 && *last < 100.0, "{t} {ind} = {last}");
            assert!(
                s.windows(2).all(|w| w[1].1 >= w[0].1),
                "{t} {ind} decreases"
            );
        }
        let dose1 = series(t, "vaccination_coverage_dose1", "all").ok_or("dose1")?;
        let complete = series(t, "vaccination_coverage_complete", "all").ok_or("complete")?;
        let booster = series(t, "vaccination_coverage_booster", "all").ok_or("booster")?;
        let last = |s: &Vec<(String, f64)>| s.last().map_or(f64::NAN, |x| x.1);
        assert!(
            last(dose1) >= last(complete) && last(complete) > last(booster),
            "{t}"
        );
    }
    let fr = |i: &str| {
        series("FR", i, "all")
            .and_then(|s| s.last())
            .map_or(f64::NAN, |x| x.1)
    };
    // A national first-dose coverage like France's (about three quarters).
    assert!(
        (60.0..85.0).contains(&fr("vaccination_coverage_dose1")),
        "{}",
        fr("vaccination_coverage_dose1")
    );
    // Cumulatives are monotone; more doses were delivered than injected.
    for ind in [
        "vaccination_dose1_cum",
        "vaccination_complete_cum",
        "vaccination_booster_cum",
        "vaccine_deliveries_doses_cum",
    ] {
        let s = series("FR", ind, "all").ok_or(format!("FR {ind} missing"))?;
        assert!(s.len() > 5, "{ind}");
        assert!(s.windows(2).all(|w| w[1].1 >= w[0].1), "{ind} decreases");
    }
    assert!(
        fr("vaccine_deliveries_doses_cum") > fr("vaccination_doses_injected_cum"),
        "deliveries {} injected {}",
        fr("vaccine_deliveries_doses_cum"),
        fr("vaccination_doses_injected_cum")
    );
    // Breakdowns by age class and by vaccine are present and sum to the total.
    let last_fr = |i: &str, b: &str| {
        series("FR", i, b)
            .and_then(|s| s.last())
            .map(|x| x.1)
            .ok_or(format!("FR {i} {b} missing"))
    };
    let ages = [
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
    ];
    let mut by_age = 0.0;
    for a in ages {
        by_age += last_fr("vaccination_dose1_cum", a)?;
    }
    assert_eq!(by_age, last_fr("vaccination_dose1_cum", "all")?);
    let mut by_vaccine = 0.0;
    for v in [
        "vaccine:pfizer-biontech",
        "vaccine:moderna",
        "vaccine:astrazeneca",
        "vaccine:janssen",
    ] {
        by_vaccine += last_fr("vaccination_dose1_cum", v)?;
    }
    assert_eq!(by_vaccine, last_fr("vaccination_dose1_cum", "all")?);
    Ok(())
}

#[test]
fn spf_coverages_stay_below_100_and_cumulatives_match() -> Result<(), Error> {
    let end = Date::from_ymd(2021, 7, 4).ok_or("date")?;
    let files = vigie_demo::sources(end, 181);
    let get = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .ok_or(format!("{name} missing"))
    };
    for name in [
        "vacsi-dep.csv",
        "vacsi-reg.csv",
        "vacsi-fra.csv",
        "vacsi-a-fra.csv",
    ] {
        let text = get(name)?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().ok_or("empty")?.split(';').collect();
        let col = |c: &str| header.iter().position(|h| *h == c).ok_or(c.to_string());
        let (couv, n, cum) = (col("couv_dose1")?, col("n_dose1")?, col("n_cum_dose1")?);
        let mut running: BTreeMap<String, u64> = BTreeMap::new();
        let mut rows = 0;
        for line in lines {
            let f: Vec<&str> = line.split(';').collect();
            let c: f64 = f[couv].parse()?;
            assert!((0.0..100.0).contains(&c), "{name}: {line}");
            // Key: territory (and age class) columns before `jour`.
            let key = f[..header.iter().position(|h| *h == "jour").ok_or("jour")?].join(";");
            let total = running.entry(key).or_default();
            *total += f[n].parse::<u64>()?;
            assert_eq!(*total, f[cum].parse::<u64>()?, "{name}: {line}");
            rows += 1;
        }
        assert!(rows >= 181, "{name}");
    }
    // 101 departments × 181 days.
    assert_eq!(get("vacsi-dep.csv")?.lines().count(), 1 + 101 * 181);
    // Deliveries use the 2023 layout: `;` and French dates, Sundays only.
    let flux = get("flux-tot-nat.csv")?;
    assert!(flux.starts_with("date_fin_semaine;type_de_vaccin;nb_ucd;nb_doses\n"));
    assert!(flux.contains("\n04/07/2021;Pfizer;"), "{}", &flux[..200]);
    Ok(())
}
