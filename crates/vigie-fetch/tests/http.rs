//! `vigie fetch` against a local HTTP server: 200 then 304, 404, timeouts, interrupted
//! downloads resumed with `Range`, one failing resource not stopping the others.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vigie_fetch::{FetchOptions, Outcome, Resource, fetch_all, read_provenance};

const DATA: &str = "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;0\n";

fn big() -> Vec<u8> {
    (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

fn serve(stream: TcpStream, flaky_calls: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim().to_ascii_lowercase());
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let has = |h: &str| headers.iter().any(|x| x.starts_with(h));
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
        let _ = write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        );
        let _ = out.write_all(body);
    };
    match path.as_str() {
        "/data.csv" if has("if-none-match: \"v1\"") => {
            respond(&mut out, "304 Not Modified", "ETag: \"v1\"\r\n", b"")
        }
        "/data.csv" => respond(
            &mut out,
            "200 OK",
            "ETag: \"v1\"\r\nLast-Modified: Tue, 01 Jun 2021 10:00:00 GMT\r\n",
            DATA.as_bytes(),
        ),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            respond(&mut out, "200 OK", "", b"late");
        }
        "/flaky" => {
            let body = big();
            let n = flaky_calls.fetch_add(1, Ordering::SeqCst);
            let range = headers.iter().find_map(|h| {
                h.strip_prefix("range: bytes=")
                    .map(|r| r.trim_end_matches('-').parse::<usize>().unwrap())
            });
            match (n, range) {
                (0, _) => {
                    // Announce everything, send 6 000 bytes, hang up.
                    let _ = write!(
                        out,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"b\"\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = out.write_all(&body[..6000]);
                }
                (_, Some(from)) => respond(
                    &mut out,
                    "206 Partial Content",
                    &format!(
                        "Content-Range: bytes {from}-{}/{}\r\n",
                        body.len() - 1,
                        body.len()
                    ),
                    &body[from..],
                ),
                (_, None) => respond(&mut out, "200 OK", "", &body),
            }
        }
        _ => respond(&mut out, "404 Not Found", "", b"not found"),
    }
}

fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let calls = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let calls = calls.clone();
            std::thread::spawn(move || serve(stream, &calls));
        }
    });
    addr
}

fn res(id: &str, addr: &str, path: &str, file: &str) -> Resource {
    Resource {
        id: id.into(),
        url: format!("http://{addr}{path}"),
        file: file.into(),
    }
}

fn opts(now: &str) -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(1),
        user_agent: "vigie-test".into(),
        now: now.into(),
    }
}

#[test]
fn conditional_requests_errors_and_resume() {
    let addr = start();
    let tmp = tempfile::tempdir().unwrap();
    let sources = tmp.path().join("sources");
    let list = vec![
        res("data", &addr, "/data.csv", "data.csv"),
        res("missing", &addr, "/nope.csv", "nope.csv"),
        res("slow", &addr, "/slow", "slow.csv"),
        res("flaky", &addr, "/flaky", "big.csv"),
    ];
    let first = fetch_all(&list, &sources, &opts("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        first[0].1,
        Outcome::New {
            bytes: DATA.len() as u64
        }
    );
    assert!(
        matches!(&first[1].1, Outcome::Failed(e) if e.contains("404")),
        "{:?}",
        first[1]
    );
    assert!(
        matches!(&first[2].1, Outcome::Failed(_)),
        "timeout: {:?}",
        first[2]
    );
    assert!(
        matches!(&first[3].1, Outcome::Failed(e) if e.contains("interrupted")),
        "{:?}",
        first[3]
    );
    assert_eq!(
        std::fs::read_to_string(sources.join("data.csv")).unwrap(),
        DATA
    );
    assert!(
        !sources.join("big.csv").exists(),
        "an incomplete download is never installed"
    );
    assert!(
        sources.join(".big.csv.part").exists(),
        "the partial file is kept to resume"
    );

    let p = read_provenance(&sources);
    let d = &p["data.csv"];
    assert_eq!(d.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        d.publisher_last_modified.as_deref(),
        Some("Tue, 01 Jun 2021 10:00:00 GMT")
    );
    assert_eq!(d.sha256.len(), 64);
    assert!(d.origin.ends_with("/data.csv"));

    // Second run: 304 for the unchanged file, the interrupted one resumes from byte 6000.
    let second = fetch_all(&list, &sources, &opts("2026-01-02T00:00:00Z")).unwrap();
    assert_eq!(second[0].1, Outcome::Unchanged);
    assert_eq!(second[3].1, Outcome::New { bytes: 20_000 });
    assert_eq!(std::fs::read(sources.join("big.csv")).unwrap(), big());
    let p = read_provenance(&sources);
    assert_eq!(p["data.csv"].fetched_at, "2026-01-01T00:00:00Z");
    assert_eq!(
        p["data.csv"].checked_at.as_deref(),
        Some("2026-01-02T00:00:00Z")
    );
}

#[test]
fn the_default_configuration_lists_official_resources() {
    let list = vigie_fetch::parse_config(vigie_fetch::default_config(), "built-in").unwrap();
    assert!(list.len() >= 15);
    assert!(list.iter().all(|r| r.url.starts_with("https://")));
    assert!(list.iter().any(|r| r.id == "vacsi-fra" && r.url.ends_with("efe23314-67c4-45d3-89a2-3faef82fae90")));
    assert!(
        vigie_fetch::parse_config(
            "[[resource]]\nid = \"x\"\nurl = \"http://a\"\nfile = \"../x\"\n",
            "t"
        )
        .is_err()
    );
}

#[test]
fn progress_modes_do_not_change_what_is_fetched() {
    use vigie_fetch::{Progress, fetch_all_with};
    let addr = start();
    for (i, progress) in [
        Progress::Hidden,
        Progress::Bar,
        Progress::Lines {
            every: Duration::ZERO,
        },
    ]
    .into_iter()
    .enumerate()
    {
        let tmp = tempfile::tempdir().unwrap();
        let sources = tmp.path().join("sources");
        let list = vec![
            res("data", &addr, "/data.csv", "data.csv"),
            res("missing", &addr, "/nope.csv", "nope.csv"),
        ];
        let out = fetch_all_with(&list, &sources, &opts("2026-01-01T00:00:00Z"), progress).unwrap();
        assert_eq!(
            out[0].1,
            Outcome::New {
                bytes: DATA.len() as u64
            },
            "mode {i}"
        );
        assert!(matches!(&out[1].1, Outcome::Failed(e) if e.contains("404")));
        assert_eq!(
            std::fs::read_to_string(sources.join("data.csv")).unwrap(),
            DATA
        );
    }
}

#[test]
fn progress_lines_read_well() {
    use vigie_fetch::progress_line;
    assert_eq!(
        progress_line("vacsi-a-dep", 12_345_678, Some(45_600_000)),
        "vacsi-a-dep: 12.3 MB of 45.6 MB (27 %)"
    );
    assert_eq!(progress_line("x", 1_500_000, None), "x: 1.5 MB");
    assert_eq!(progress_line("x", 10, Some(0)), "x: 0.0 MB");
}

#[test]
fn the_default_configuration_covers_the_issue_sources_once_each() {
    let list = vigie_fetch::parse_config(vigie_fetch::default_config(), "built-in").unwrap();
    let mut ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    let mut files: Vec<&str> = list.iter().map(|r| r.file.as_str()).collect();
    ids.sort_unstable();
    files.sort_unstable();
    let n = list.len();
    ids.dedup();
    files.dedup();
    assert_eq!(ids.len(), n, "duplicate resource id");
    assert_eq!(files.len(), n, "two resources write the same file");
    let url = |id: &str| {
        list.iter()
            .find(|r| r.id == id)
            .map(|r| r.url.as_str())
            .unwrap_or_default()
    };
    assert!(url("lieux-vaccination").ends_with("/r/5cb21a85-b0b0-4a65-a249-806a040ec372"));
    assert!(url("vacsi-tot-fra").ends_with("/r/131c6b39-51b5-40a7-beaa-0eafc4b88466"));
    assert!(url("regions-geojson").ends_with("/regions-avec-outre-mer.geojson"));
    assert!(url("departements-geojson").ends_with("/departements-avec-outre-mer.geojson"));
    assert!(url("jhu-confirmed-global").ends_with("/time_series_covid19_confirmed_global.csv"));
    assert!(url("jhu-deaths-global").ends_with("/time_series_covid19_deaths_global.csv"));
    // Epidemic and vaccination files by their data.gouv stable ids.
    let datagouv = list
        .iter()
        .filter(|r| r.url.starts_with("https://www.data.gouv.fr/fr/datasets/r/"))
        .count();
    assert!(datagouv >= 15, "{datagouv}");
}
