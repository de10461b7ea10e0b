//! End-to-end tests of the `vigie` binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

fn fixtures() -> std::path::PathBuf {
    vigie_testkit::fixtures().join("epidemic")
}

#[test]
fn help_on_every_subcommand_and_usage_errors_exit_2() {
    for sub in [
        &["--help"][..],
        &["build", "--help"],
        &["serve", "--help"],
        &["status", "--help"],
    ] {
        let out = vigie().args(sub).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{sub:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{sub:?}"
        );
    }
    let out = vigie().args(["build", "--nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = vigie().args(["build", "--sources"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = vigie().args(["config", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn configuration_file_environment_and_flags() {
    let tmp = tempfile::tempdir().unwrap();
    // The documented defaults are a valid configuration file.
    let out = vigie().args(["config", "defaults"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let defaults = String::from_utf8(out.stdout).unwrap();
    assert!(
        defaults.contains("listen = \"127.0.0.1:8080\""),
        "{defaults}"
    );
    let file = tmp.path().join("vigie.toml");
    fs::write(
        &file,
        defaults.replace("data_dir = \"vigie-data\"", "data_dir = \"/srv/from-file\""),
    )
    .unwrap();
    let show = |envs: &[(&str, &str)]| {
        let mut cmd = vigie();
        cmd.current_dir(tmp.path()).args(["config", "show"]);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // ./vigie.toml is read; the environment overrides it.
    assert!(show(&[]).contains("data_dir = \"/srv/from-file\""));
    let shown = show(&[
        ("VIGIE_DATA_DIR", "/srv/from-env"),
        ("VIGIE_SCAN_HORIZON_DAYS", "7"),
    ]);
    assert!(shown.contains("data_dir = \"/srv/from-env\""), "{shown}");
    assert!(shown.contains("horizon_days = 7"), "{shown}");
    // A mistake in the file is named, exit 1.
    fs::write(&file, "[serve]\nlisen = 1\n").unwrap();
    let out = vigie()
        .current_dir(tmp.path())
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("vigie.toml") && err.contains("lisen"), "{err}");
    // The configured data directory is used by `status`, and a flag overrides it.
    fs::write(&file, format!("data_dir = {:?}\n", tmp.path().join("d"))).unwrap();
    let out = vigie()
        .current_dir(tmp.path())
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&tmp.path().join("d").display().to_string())
    );
}

#[test]
fn build_writes_the_release_and_bad_data_exits_1_naming_the_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rel");
    let run = vigie()
        .args([
            "build",
            "--png",
            "none",
            "--built-at",
            "2026-01-01T00:00:00Z",
            "--sources",
        ])
        .arg(fixtures())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("release 20260101T000000Z"), "{stdout}");
    let csv = fs::read_to_string(out.join("open-data/indicators.csv")).unwrap();
    assert!(csv.starts_with("territory,indicator,breakdown,date,value,data_status\n"));
    assert!(csv.contains("\nREG-94,cases,all,2021-01-07,42,official\n"));

    let bad = tmp.path().join("bad");
    fs::create_dir_all(&bad).unwrap();
    fs::write(
        bad.join("x.csv"),
        "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;09\n01;2020-05-32;1;16;09\n",
    )
    .unwrap();
    let run = vigie()
        .args(["build", "--sources"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("x.csv:3: column `jour`") && err.contains("2020-05-32"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(out.join("open-data/indicators.csv")).unwrap(),
        csv,
        "previous release must be untouched"
    );
}

#[test]
fn a_new_dataset_by_configuration_only() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    fs::write(
        src.join("mpox.csv"),
        "departement,semaine_fin,cas\n01,2024-06-02,3\n01,2024-06-09,5\n2A,2024-06-09,1\n",
    )
    .unwrap();
    let catalog = tmp.path().join("mpox.toml");
    // The example of docs/catalogue.md, verbatim.
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalogue.md"))
            .unwrap();
    let toml = doc
        .split("```toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    fs::write(&catalog, toml).unwrap();
    let out = tmp.path().join("rel");
    let run = vigie()
        .args(["build", "--no-charts", "--sources"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .arg("--catalog")
        .arg(&catalog)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = fs::read_to_string(out.join("open-data/indicators.csv")).unwrap();
    let pop_ain: f64 = 679_344.0; // embedded INSEE population of Ain
    let line = csv
        .lines()
        .find(|l| l.starts_with("DEP-01,mpox_rate,all,2024-06-09,"))
        .expect("mpox rate");
    assert!(line.ends_with(",official"), "{line}");
    let v: f64 = line.split(',').nth(4).unwrap().parse().unwrap();
    assert_eq!(
        v,
        vigie_core::round_published(5.0 / pop_ain * 1e5),
        "{line}"
    );
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn serve_without_data_starts_on_the_labelled_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_serve(tmp.path());
    let (status, home) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(home.contains("Données de démonstration"), "{home}");
    assert!(home.contains("Taux d&#39;incidence"));
    let (status, api) = get(&addr, "/api/v1/territories/DEP-2A");
    assert_eq!(status, 200);
    assert!(api.contains("\"territory\":\"DEP-2A\""));
    // A department's dashboard PNG is not rendered by the build: the server rasterises it.
    let (status, png) = get(&addr, "/charts/DEP-2A/dashboard.png");
    assert_eq!(status, 200);
    assert!(png.contains("image/png"));
    let (status, svg) = get(&addr, "/charts/FR/incidence.svg");
    assert_eq!(status, 200);
    assert!(svg.contains("<svg"));
    let (status, _) = get(&addr, "/charts/FR/..%2Frelease.json");
    assert_eq!(status, 404);
    let (status, _) = get(&addr, "/territoire/DEP-99");
    assert_eq!(status, 404);
    let (status, _) = get(&addr, "/open-data/../release.json");
    assert_ne!(status, 200);
    // The demo centres were scanned at start: search around Privas answers centres sorted by
    // availability then distance; the history has the scan.
    let (status, body) = get(&addr, "/api/v1/slots/search?commune=07186&radius_km=100");
    assert_eq!(status, 200, "{body}");
    let json = &body[body.find('{').unwrap()..];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let centres = v["centres"].as_array().unwrap();
    assert!(centres.len() >= 8, "{}", centres.len());
    let key = |c: &serde_json::Value| {
        (
            c["matching_slots"].as_u64().unwrap() == 0,
            c["distance_km"].as_f64().unwrap(),
        )
    };
    for w in centres.windows(2) {
        assert!(
            key(&w[0]) <= key(&w[1]),
            "{} then {}",
            w[0]["id"],
            w[1]["id"]
        );
    }
    assert!(
        centres
            .iter()
            .all(|c| !c["sources"].to_string().contains('/'))
    );
    let (status, body) = get(&addr, "/api/v1/slots/history");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"centres_with_slots\""), "{body}");
    let (status, page) = get(&addr, "/rendez-vous?commune=07186");
    assert_eq!(status, 200);
    assert!(page.contains("Prendre rendez-vous"), "{page}");
    // The live scan's ViteMaDose v2 files and slot open data, as the ViteMaDose front reads
    // them (docs/slots-api.md).
    let (status, body) = get(&addr, "/vitemadose/07.json");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body[body.find('{').unwrap()..]).unwrap();
    assert!(
        v["centres_disponibles"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(v["centres_indisponibles"].is_array());
    let (status, body) = get(&addr, "/vitemadose/stats_by_date.json");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body[body.find('{').unwrap()..]).unwrap();
    for k in [
        "dates",
        "total_centres_disponibles",
        "total_centres",
        "total_appointments",
    ] {
        assert_eq!(v[k].as_array().map(Vec::len), Some(1), "{k}: {v}");
    }
    let (status, body) = get(&addr, "/vitemadose/07/creneaux-quotidiens.json");
    assert_eq!(status, 200, "{body}");
    let (status, csv) = get(&addr, "/slots/open-data/centres.csv");
    assert_eq!(status, 200);
    assert!(csv.contains("Privas"));
    // /donnees lists them.
    let (status, page) = get(&addr, "/donnees");
    assert_eq!(status, 200);
    for path in [
        "/vitemadose/stats_by_date.json",
        "/slots/open-data/slots.csv",
    ] {
        assert!(
            page.contains(&format!("href=\"{path}\"")),
            "{path} not on /donnees"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

fn start_serve(data_dir: &Path) -> (std::process::Child, String) {
    let mut child = vigie()
        .args([
            "serve",
            "--offline",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data_dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    (child, addr)
}

#[test]
fn gated_data_dir_refusal_exits_1_and_the_sources_page_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let src = data.join("sources");
    fs::create_dir_all(&src).unwrap();
    for e in fs::read_dir(fixtures()).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), src.join(e.file_name())).unwrap();
    }
    let ok = vigie()
        .args([
            "build",
            "--png",
            "none",
            "--built-at",
            "2026-01-01T00:00:00Z",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("gate passed"));
    // Lose most hospital rows.
    let hosp = src.join("donnees-hospitalieres-nouveaux-covid19.csv");
    let text = fs::read_to_string(&hosp).unwrap();
    fs::write(
        &hosp,
        text.lines().take(5).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let bad = vigie()
        .args([
            "build",
            "--png",
            "none",
            "--built-at",
            "2026-01-02T00:00:00Z",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("refused by the publish gate") && err.contains("20260101T000000Z"),
        "{err}"
    );
    let status = vigie()
        .args(["status", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(status.status.success());
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("live release 20260101T000000Z")
            && text.contains("last build 20260102T000000Z: refused")
            && text.contains("[REFUSED] row counts"),
        "{text}"
    );
    let (mut child, addr) = start_serve(&data);
    let (status, page) = get(&addr, "/sources");
    assert_eq!(status, 200);
    assert!(
        page.contains("refusée par le contrôle de publication"),
        "{page}"
    );
    let (_, release) = get(&addr, "/api/v1/release");
    assert!(release.contains("20260101T000000Z"));
    // Where does this number come from?
    let (status, prov) = get(&addr, "/api/v1/provenance/REG-94/incidence_rate_7d");
    assert_eq!(status, 200);
    assert!(
        prov.contains("sum(cases, 7 days) / population")
            && prov.contains("sp-pos-quot-dep.csv")
            && prov.contains("\"release_id\":\"20260101T000000Z\""),
        "{prov}"
    );
    // Past releases, "as of".
    let (_, list) = get(&addr, "/api/v1/releases");
    assert!(
        list.contains("\"live\":true") && list.contains("refused"),
        "{list}"
    );
    let (status, old) = get(
        &addr,
        "/api/v1/releases/20260101T000000Z/territories/DEP-2A",
    );
    assert_eq!(status, 200);
    assert!(old.contains("\"territory\":\"DEP-2A\""));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn fetch_from_a_mirror_records_provenance_carried_into_the_release() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let run = vigie()
        .args(["fetch", "--from"])
        .arg(fixtures())
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).starts_with("6 new, 0 updated, 0 unchanged"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let again = vigie()
        .args(["fetch", "--from"])
        .arg(fixtures())
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("0 new, 0 updated, 6 unchanged"));
    let ok = vigie()
        .args(["build", "--png", "none", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let sources: serde_json::Value =
        serde_json::from_slice(&fs::read(data.join("current/open-data/sources.json")).unwrap())
            .unwrap();
    let f = sources["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "sp-pos-quot-dep.csv")
        .unwrap();
    assert!(f["origin"].as_str().unwrap().starts_with("file:///"), "{f}");
    assert_eq!(f["sha256"], f["sha256_at_fetch"]);
    assert!(f["fetched_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn builds_killed_at_any_point_leave_the_live_release_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let src = data.join("sources");
    fs::create_dir_all(&src).unwrap();
    for (name, bytes) in vigie_demo::sources(vigie_core::Date::from_ymd(2022, 2, 28).unwrap(), 90) {
        fs::write(src.join(name), bytes).unwrap();
    }
    let first = vigie()
        .args([
            "build",
            "-q",
            "--png",
            "none",
            "--built-at",
            "2026-01-01T00:00:00Z",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let live_csv = fs::read(data.join("current/open-data/indicators.csv")).unwrap();
    // Kill builds after various delays (deterministic spread over the build's duration).
    let start = Instant::now();
    let full = vigie()
        .args([
            "build",
            "-q",
            "--png",
            "none",
            "--built-at",
            "2026-01-02T00:00:00Z",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(full.status.success());
    let duration = start.elapsed();
    let published = fs::read_link(data.join("current")).unwrap();
    let live_csv2 = fs::read(data.join("current/open-data/indicators.csv")).unwrap();
    assert_eq!(live_csv, live_csv2, "same sources, same values");
    for k in 0..8u32 {
        let delay = duration.mul_f64(f64::from(k) / 8.0 + 0.03);
        let mut child = vigie()
            .args([
                "build",
                "-q",
                "--png",
                "none",
                "--built-at",
                &format!("2026-01-03T00:00:0{k}Z"),
                "--data-dir",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the moment, `current` is a complete release: the old one or the new one.
        let link = fs::read_link(data.join("current")).unwrap();
        let csv = fs::read(data.join("current/open-data/indicators.csv")).unwrap();
        assert_eq!(
            csv, live_csv,
            "kill after {delay:?}: current -> {link:?} is not a complete release"
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(data.join("current/release.json")).unwrap()).unwrap();
        assert!(
            manifest["release_id"]
                .as_str()
                .unwrap()
                .starts_with("2026010")
        );
        let _ = &published;
    }
    // A later build cleans what killed ones left and publishes normally.
    let last = vigie()
        .args([
            "build",
            "-q",
            "--png",
            "none",
            "--built-at",
            "2026-01-04T00:00:00Z",
            "--data-dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    let leftovers: Vec<String> = fs::read_dir(data.join("releases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn publish_writes_a_static_site_that_works_from_files() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = tmp.path().join("rel");
    let ok = vigie()
        .args(["build", "--png", "none", "--sources"])
        .arg(fixtures())
        .arg("--out")
        .arg(&rel)
        .output()
        .unwrap();
    assert!(ok.status.success());
    // A slot scan beside the release (`rel/../scans/current`): published with the site.
    let demo =
        vigie_demo::write_demo_centres(&tmp.path().join("demo"), jiff::civil::date(2026, 11, 29))
            .unwrap();
    let scanned = vigie()
        .args(["scan", "--centres"])
        .arg(&demo.centres_csv)
        .arg("--replay")
        .arg(&demo.recording_dir)
        .args(["--now", "2026-11-29T10:00:00+01:00", "--data-dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        scanned.status.success(),
        "{}",
        String::from_utf8_lossy(&scanned.stderr)
    );
    let site = tmp.path().join("site");
    let run = vigie()
        .args(["publish", "--release"])
        .arg(&rel)
        .arg("--to")
        .arg(format!("file://{}", site.display()))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = fs::read_to_string(site.join("territoire/REG-94/index.html")).unwrap();
    assert!(page.contains("Corse"));
    // Every relative link of the page resolves to a file of the export.
    let dir = site.join("territoire/REG-94");
    for link in page
        .split("href=\"")
        .skip(1)
        .chain(page.split("src=\"").skip(1))
    {
        let target = link.split('"').next().unwrap();
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        assert!(dir.join(target).exists(), "{target} does not resolve");
    }
    assert!(site.join("api/v1/territories/DEP-2A.json").exists());
    assert!(site.join("open-data/indicators.csv").exists());
    // The scan's ViteMaDose v2 files and slot open data at the paths `vigie serve` answers.
    let scan = tmp.path().join("scans/current");
    for (from, to) in [
        ("vitemadose/07.json", "vitemadose/07.json"),
        (
            "vitemadose/stats_by_date.json",
            "vitemadose/stats_by_date.json",
        ),
        (
            "vitemadose/07/creneaux-quotidiens.json",
            "vitemadose/07/creneaux-quotidiens.json",
        ),
        ("open-data/centres.csv", "slots/open-data/centres.csv"),
    ] {
        assert_eq!(
            fs::read(site.join(to)).unwrap(),
            fs::read(scan.join(from)).unwrap(),
            "{to}"
        );
    }
    // S3 without credentials is refused clearly (the S3 path itself: tests/publish_s3.rs).
    let s3 = vigie()
        .args(["publish", "--release"])
        .arg(&rel)
        .args(["--to", "s3://bucket/prefix"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(s3.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&s3.stderr).contains("no S3 credentials"));
}
