//! The open data of a demonstration release, end to end through `vigie build`: per-territory
//! CSV files that add up to the national file, the gzipped copy, `files.json` sizes, and the
//! demo markers in every file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use vigie_contracts::release::{DataStatus, FileFormat, OpenDataFiles, ReleaseManifest};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn a_demo_release_is_marked_everywhere_and_its_files_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("sources");
    fs::create_dir_all(&src).unwrap();
    let end = vigie_core::Date::from_ymd(2022, 2, 28).unwrap();
    for (name, bytes) in vigie_demo::sources(end, 30) {
        fs::write(src.join(name), bytes).unwrap();
    }
    let out = tmp.path().join("release");
    let run = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["build", "--no-charts", "--built-at", "2026-11-29T06:00:00Z"])
        .arg("--sources")
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let od = out.join("open-data");

    // The national CSV: the documented header, every row marked `demo`.
    let national = fs::read(od.join("indicators.csv")).unwrap();
    let text = String::from_utf8(national.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("territory,indicator,breakdown,date,value,data_status")
    );
    let mut national_rows: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for line in lines {
        assert!(line.ends_with(",demo"), "{line}");
        let territory = line.split(',').next().unwrap().to_string();
        national_rows.entry(territory).or_default().push(line);
    }
    assert!(national_rows.len() > 100, "{}", national_rows.len());

    // Per-territory CSV files: same header, exactly that territory's rows, in the same order.
    let mut total = 0;
    for (territory, rows) in &national_rows {
        let t = fs::read_to_string(od.join(format!("territories/{territory}.csv"))).unwrap();
        let mut tl = t.lines();
        assert_eq!(
            tl.next(),
            Some("territory,indicator,breakdown,date,value,data_status")
        );
        let own: Vec<&str> = tl.collect();
        assert_eq!(&own, rows, "{territory}");
        total += own.len();
    }
    assert_eq!(total, text.lines().count() - 1);

    // The gzipped copy decompresses to the same bytes.
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(od.join("indicators.csv.gz")).unwrap())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert!(
        unzipped == national,
        "indicators.csv.gz differs from indicators.csv"
    );

    // files.json lists every open-data file but itself with its real size and rows.
    let list: OpenDataFiles =
        serde_json::from_slice(&fs::read(od.join("files.json")).unwrap()).unwrap();
    assert!(list.demo);
    assert_eq!(list.data_status, DataStatus::Demo);
    let mut on_disk = Vec::new();
    files_under(&od, &mut on_disk);
    let mut listed: Vec<String> = list.files.iter().map(|f| f.path.clone()).collect();
    let mut expected: Vec<String> = on_disk
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
        .filter(|p| p != "open-data/files.json")
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    for f in &list.files {
        let real = fs::metadata(out.join(&f.path)).unwrap().len();
        assert_eq!(f.bytes, real, "{}", f.path);
    }
    let national_entry = list.get("open-data/indicators.csv").unwrap();
    assert_eq!(national_entry.rows, Some(total as u64));
    assert_eq!(national_entry.format, FileFormat::Csv);
    let gz = list.get("open-data/indicators.csv.gz").unwrap();
    assert_eq!(
        (gz.format, gz.rows),
        (FileFormat::CsvGzip, Some(total as u64))
    );
    let dep = list.get("open-data/territories/DEP-07.csv").unwrap();
    assert_eq!(dep.territory.as_deref(), Some("DEP-07"));
    assert_eq!(dep.rows, Some(national_rows["DEP-07"].len() as u64));
    assert!(list.get("open-data/DEMO-DATA.txt").is_some());

    // The manifest points at files.json.
    let manifest: ReleaseManifest =
        serde_json::from_slice(&fs::read(out.join("release.json")).unwrap()).unwrap();
    assert_eq!(
        manifest.open_data_files.as_deref(),
        Some("open-data/files.json")
    );
    assert_eq!(manifest.indicator_rows, total as u64);

    // Every JSON file says "demo": true (territories.json on every entry).
    let mut json_files = 0;
    for p in on_disk.iter().chain([&out.join("release.json")]) {
        if p.extension().is_some_and(|e| e == "json") {
            let v: serde_json::Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
            let entries: Vec<&serde_json::Value> = match v.as_array() {
                Some(a) => a.iter().collect(),
                None => vec![&v],
            };
            assert!(!entries.is_empty(), "{}", p.display());
            for e in entries {
                assert_eq!(e["demo"], serde_json::Value::Bool(true), "{}", p.display());
                assert_eq!(e["data_status"], "demo", "{}", p.display());
            }
            json_files += 1;
        }
    }
    assert!(json_files > 100, "{json_files}");

    // The demo's provenance names no real publisher or address.
    let sources = fs::read_to_string(od.join("sources.json")).unwrap();
    assert!(!sources.contains("data.gouv.fr"), "{sources}");
    assert!(!sources.contains("Santé publique France"));
    let sources: vigie_contracts::release::SourcesFile = serde_json::from_str(&sources).unwrap();
    let data_files: Vec<_> = sources
        .files
        .iter()
        .filter(|f| f.source.as_deref() != Some("geometry-departements"))
        .collect();
    assert!(!data_files.is_empty());
    for f in data_files {
        assert_eq!(
            f.publisher.as_deref(),
            Some("Vigie (générateur de données de démonstration)")
        );
        assert_eq!(
            (f.url.as_deref(), f.origin.as_deref()),
            (None, Some("generated"))
        );
    }
    let marker = fs::read_to_string(od.join("DEMO-DATA.txt")).unwrap();
    assert!(marker.contains("seed: 0x"), "{marker}");

    // Values are rounded to 4 decimals, the same string in the CSV and the JSON series.
    for line in text.lines().skip(1) {
        let value = line.split(',').nth(4).unwrap();
        let decimals = value.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 4, "{line}");
    }
    let fr: vigie_contracts::release::TerritoryFile =
        serde_json::from_slice(&fs::read(od.join("territories/FR.json")).unwrap()).unwrap();
    let series = &fr.indicators["incidence_rate_7d"]["all"];
    assert_eq!(series.step, "P1D");
    let (start, last) = (
        vigie_core::Date::parse_str(&series.start).unwrap(),
        vigie_core::Date::parse_str(series.end.as_deref().unwrap()).unwrap(),
    );
    assert_eq!(last.days_since(start) as usize + 1, series.values.len());
    let csv_value = national_rows["FR"]
        .iter()
        .find(|l| {
            l.starts_with(&format!(
                "FR,incidence_rate_7d,all,{},",
                series.end.as_deref().unwrap()
            ))
        })
        .map(|l| l.split(',').nth(4).unwrap().to_string())
        .unwrap();
    let json_value = series.values.last().copied().flatten().unwrap();
    assert_eq!(csv_value, format!("{json_value}"));
    assert_eq!(fr.head.latest["incidence_rate_7d"].value, json_value);
}
