//! `vigie serve` builds and fetches with the configuration: every `[build]` and `[fetch]` key
//! of `vigie.toml` is set to a non-default value, and the server's releases and requests are
//! checked against it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

/// The server, killed when dropped (a failed assertion does not leave it running).
struct Server {
    child: Child,
    /// Everything it wrote on stderr so far.
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `vigie --config FILE serve ARGS` and waits until it listens.
fn serve(config: &Path, args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut cmd = vigie();
    cmd.arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("VIGIE_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.starts_with("Vigie serving ") {
                let _ = tx.send(());
            }
            let mut l = sink.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    let server = Server { child, log };
    if rx.recv_timeout(Duration::from_secs(240)).is_err() {
        panic!("the server did not start:\n{}", server.log.lock().unwrap());
    }
    server
}

fn wait_for<T>(what: &str, server: &Server, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if start.elapsed() > Duration::from_secs(120) {
            panic!(
                "timed out waiting for {what}:\n{}",
                server.log.lock().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

fn fixtures() -> PathBuf {
    vigie_testkit::fixtures()
}

/// A configuration setting every `[build]` and `[fetch]` key away from its default.
fn write_config(tmp: &Path, mirror: &Path, resources: &Path) -> PathBuf {
    let catalog = tmp.join("extra.toml");
    fs::write(
        &catalog,
        r#"[[indicator]]
id = "cases_2d"
only_all = true
label_fr = "Cas positifs sur 2 jours"
label_en = "Positive cases over 2 days"
unit = "personnes"
formula = { kind = "sum", input = "positives", window = 2 }
"#,
    )
    .unwrap();
    // Every key is checked against the documented defaults: a new key must be added here.
    let defaults = String::from_utf8(
        vigie()
            .args(["config", "defaults"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let table: toml::Table = toml::from_str(&defaults).unwrap();
    let keys = |s: &str| -> Vec<String> {
        let mut k: Vec<String> = table[s].as_table().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys("build"),
        [
            "allow_older_data",
            "catalogs",
            "coverage_target",
            "keep",
            "max_volume_drop",
            "png"
        ]
    );
    assert_eq!(
        keys("fetch"),
        [
            "mirror",
            "probe_timeout",
            "resources",
            "retries",
            "retry_delay",
            "timeout",
            "user_agent"
        ]
    );
    let text = format!(
        r#"data_dir = {data:?}

[serve]
refresh_every = 1
reload_every = 1
scan_every = 0

[build]
keep = 2
max_volume_drop = 0.95
allow_older_data = true
coverage_target = 73.5
png = "dashboards"
catalogs = [{catalog:?}]

[fetch]
timeout = 4
probe_timeout = 2
retries = 2
retry_delay = 1
resources = {resources:?}
mirror = {mirror:?}
user_agent = "vigie-config-test/1"
"#,
        data = tmp.join("data").display().to_string(),
        catalog = catalog.display().to_string(),
        resources = resources.display().to_string(),
        mirror = mirror.display().to_string(),
    );
    let file = tmp.join("vigie.toml");
    fs::write(&file, text).unwrap();
    file
}

/// A resource list naming one resource of `addr`.
fn write_resources(tmp: &Path, addr: &str) -> PathBuf {
    let path = tmp.join("resources.toml");
    fs::write(
        &path,
        format!(
            "[[resource]]\nid = \"stalled\"\nurl = \"http://{addr}/stalled.csv\"\nfile = \"stalled.csv\"\n"
        ),
    )
    .unwrap();
    path
}

/// The release ids currently in `releases/`.
fn releases(data: &Path) -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(data.join("releases"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Waits for a published build other than `after`; returns its id.
fn next_release(server: &Server, data: &Path, after: &str) -> String {
    wait_for("a new release", server, || {
        let status = json(&data.join("status.json"))?;
        let last = &status["last_build"];
        let id = last["release_id"].as_str()?.to_string();
        if id == after {
            return None;
        }
        assert_eq!(last["state"], "published", "{status:#}");
        Some(id)
    })
}

/// Keeps the first `n` lines of a file.
fn truncate_lines(path: &Path, n: usize) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(
        path,
        text.lines().take(n).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
}

#[test]
fn serve_builds_with_every_configured_build_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    fs::create_dir_all(&mirror).unwrap();
    for dir in ["epidemic", "vaccination"] {
        for e in fs::read_dir(fixtures().join(dir)).unwrap() {
            let e = e.unwrap();
            if e.file_name().to_string_lossy().ends_with(".csv") {
                fs::copy(e.path(), mirror.join(e.file_name())).unwrap();
            }
        }
    }
    // Offline with a mirror: nothing is downloaded, the resource list is never used.
    let resources = write_resources(tmp.path(), "127.0.0.1:9");
    let config = write_config(tmp.path(), &mirror, &resources);
    let data = tmp.path().join("data");
    let server = serve(&config, &["--offline"], &[]);
    let first = fs::read_link(data.join("current")).unwrap();
    let first = first.file_name().unwrap().to_string_lossy().into_owned();
    let live = data.join("current");

    // fetch.mirror: the sources were imported from the mirror.
    let sources = json(&live.join("open-data/sources.json")).unwrap();
    let origins: Vec<&str> = sources["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["origin"].as_str())
        .collect();
    assert!(!origins.is_empty(), "{sources:#}");
    let mirror_url = format!("file://{}", fs::canonicalize(&mirror).unwrap().display());
    assert!(
        origins.iter().all(|o| o.starts_with(&mirror_url)),
        "{origins:?}"
    );

    // build.catalogs: the extra indicator is computed, and right.
    let csv = fs::read_to_string(live.join("open-data/indicators.csv")).unwrap();
    let value = |ind: &str, date: &str| -> Option<f64> {
        let prefix = format!("DEP-2A,{ind},all,{date},");
        csv.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|rest| rest.split(',').next())
            .map(|v| v.parse().unwrap())
    };
    let two_days: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("DEP-2A,cases_2d,all,"))
        .collect();
    assert!(two_days.len() > 3, "no cases_2d rows");
    for line in &two_days {
        let date = line.split(',').nth(3).unwrap();
        let d: jiff::civil::Date = date.parse().unwrap();
        let before = d.yesterday().unwrap().to_string();
        let expected = value("cases", date).unwrap() + value("cases", &before).unwrap();
        assert_eq!(value("cases_2d", date), Some(expected), "{line}");
    }

    // build.coverage_target: every projection aims at the configured target.
    let fr = fs::read_dir(live.join("open-data"))
        .unwrap()
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                fs::read_dir(e.path()).unwrap().flatten().collect()
            } else {
                vec![e]
            }
        })
        .find(|e| e.file_name() == "DEP-2A.json")
        .expect("DEP-2A.json in open-data")
        .path();
    let territory = json(&fr).unwrap();
    let projections: Vec<&serde_json::Value> = territory["latest"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.get("projection"))
        .collect();
    assert!(!projections.is_empty(), "{:#}", territory["latest"]);
    for p in &projections {
        assert_eq!(p["target_percent"], 73.5, "{p}");
    }

    // build.png = "dashboards": every territory's dashboard, not every chart.
    let charts = live.join("charts");
    assert!(charts.join("DEP-2A/dashboard.svg").is_file());
    assert!(
        charts.join("DEP-2A/dashboard.png").is_file(),
        "a department's dashboard PNG (scope dashboards)"
    );
    let svgs: Vec<String> = fs::read_dir(charts.join("DEP-2A"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg") && !n.contains("dashboard"))
        .collect();
    assert!(!svgs.is_empty());
    for svg in &svgs {
        let png = charts.join("DEP-2A").join(svg.replace(".svg", ".png"));
        assert!(!png.exists(), "{} (scope dashboards)", png.display());
    }

    // build.max_volume_drop = 0.95: losing ~40 % of the hospital admissions (the last 10 of 24
    // days) passes the gate (the default 20 % would refuse it), picked up by the refresh
    // schedule from the mirror. 14 days are kept so that every series of the live release,
    // week-on-week changes included, still exists (the gate's series-presence check).
    truncate_lines(
        &mirror.join("donnees-hospitalieres-nouveaux-covid19.csv"),
        29,
    );
    let second = next_release(&server, &data, &first);

    // build.allow_older_data: data ending earlier than the live release's are published.
    let until = |id: &str| {
        json(&data.join("releases").join(id).join("release.json")).unwrap()["data_until"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = until(&second);
    // The last week of deliveries disappears (the file is CP1252: handled as bytes).
    let flux = mirror.join("flux-tot-nat.csv");
    let bytes = fs::read(&flux).unwrap();
    let kept: Vec<&[u8]> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.starts_with(b"21/03/2021"))
        .collect();
    fs::write(&flux, kept.join(&b'\n')).unwrap();
    let third = next_release(&server, &data, &second);
    assert!(until(&third) < before, "{} !< {before}", until(&third));

    // build.keep = 2: only the two newest releases are left.
    assert_eq!(releases(&data), [second.clone(), third.clone()]);
    assert!(!data.join("refused").exists());
    assert_eq!(
        fs::read_link(data.join("current"))
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy(),
        third
    );
    drop(server);
}

/// One request seen by the stalled server.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    user_agent: String,
    opened: Instant,
    closed: Option<Instant>,
}

/// A server that reads requests and never answers; records who asked and when they gave up.
fn stalled_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let opened = Instant::now();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or_default().to_string();
                let user_agent = head
                    .lines()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.eq_ignore_ascii_case("user-agent"))
                            .map(|(_, v)| v.trim().to_string())
                    })
                    .unwrap_or_default();
                let index = {
                    let mut l = log.lock().unwrap();
                    l.push(Seen {
                        path,
                        user_agent,
                        opened,
                        closed: None,
                    });
                    l.len() - 1
                };
                // Never answer; wait for the client to give up.
                let mut sink = [0u8; 256];
                while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                log.lock().unwrap()[index].closed = Some(Instant::now());
            });
        }
    });
    (addr, seen)
}

#[test]
fn serve_fetches_with_every_configured_fetch_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let (addr, seen) = stalled_server();
    let resources = write_resources(tmp.path(), &addr);
    let config = write_config(tmp.path(), &tmp.path().join("unused-mirror"), &resources);
    // Online, downloading (the environment empties the configured mirror, and makes the demo
    // build that follows the failed probe quicker).
    let server = serve(
        &config,
        &[],
        &[("VIGIE_FETCH_MIRROR", ""), ("VIGIE_BUILD_PNG", "none")],
    );
    // The probe failed after fetch.probe_timeout: the demo is served.
    let release = json(&tmp.path().join("data/current/release.json")).unwrap();
    assert_eq!(release["demo"], true);
    // The probe is not retried (a retry would be held 2 s, not 4). Then the schedule: one
    // attempt plus fetch.retries, each given up after fetch.timeout,
    // fetch.retry_delay apart.
    let requests = wait_for("the scheduled attempts", &server, || {
        let s = seen.lock().unwrap();
        (s.len() >= 4 && s[..4].iter().all(|r| r.closed.is_some())).then(|| s[..4].to_vec())
    });
    drop(server);
    for r in &requests {
        assert_eq!(r.path, "/stalled.csv");
        assert_eq!(r.user_agent, "vigie-config-test/1");
    }
    let held = |r: &Seen| r.closed.unwrap().duration_since(r.opened).as_secs_f64();
    let probe = held(&requests[0]);
    assert!(
        (1.8..3.9).contains(&probe),
        "probe held {probe:.2}s (probe_timeout 2)"
    );
    for r in &requests[1..4] {
        let h = held(r);
        assert!((3.8..7.9).contains(&h), "download held {h:.2}s (timeout 4)");
    }
    for w in requests[1..4].windows(2) {
        let gap = w[1]
            .opened
            .duration_since(w[0].closed.unwrap())
            .as_secs_f64();
        assert!(gap >= 0.9, "retry after {gap:.2}s (retry_delay 1)");
    }
}
