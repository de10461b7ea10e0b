//! The server against hostile clients and moving releases, on loopback with a real listener:
//! slow clients beyond the caps while a normal client is answered, idle connections closed,
//! the per-client rate (429 with `Retry-After`, `/healthz` exempt), security headers on every
//! error, the caches within their byte budget, only gate-passed releases listed, and one
//! release per answer while releases switch under load.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tower::ServiceExt;
use vigie_web::{AppState, Limits, Release};

mod common;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A data directory with releases `R1..=n` (`20220301T0000{k:02}Z`, France's population
/// 330000 + k) and `current` → the first; returns the ids.
fn data_dir(root: &Path, n: usize) -> std::io::Result<Vec<String>> {
    let mut ids = Vec::new();
    for k in 1..=n {
        let id = format!("20220301T0000{k:02}Z");
        let rel = root.join("releases").join(&id);
        common::release_fixture(root, &rel, &id)?;
        let fr = rel.join("open-data/territories/FR.json");
        let text = std::fs::read_to_string(&fr)?;
        let text = text.replace(
            "\"population\":330000.0",
            &format!("\"population\":{}.0", 330_000 + k),
        );
        std::fs::write(&fr, text)?;
        std::fs::write(
            rel.join("gate.json"),
            format!("{{\"passed\": true, \"release_id\": \"{id}\"}}"),
        )?;
        ids.push(id);
    }
    switch(root, &ids[0])?;
    Ok(ids)
}

/// Points `root/current` at `releases/<id>` atomically (a new link renamed over the old one).
fn switch(root: &Path, id: &str) -> std::io::Result<()> {
    let tmp = root.join(".current.tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(Path::new("releases").join(id), &tmp)?;
    std::fs::rename(&tmp, root.join("current"))
}

/// A server over `root` within `limits`; returns its address and a flag that stops it.
async fn start(root: &Path, limits: Limits) -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let live = vigie_web::live_release_dir(root).ok_or("no current link")?;
    let release = Release::load(&live)?;
    let state = AppState::new(release, true)
        .with_limits(limits)
        .following(root.join("current"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(vigie_web::serve(
        listener,
        state,
        Duration::from_secs(1),
        std::future::pending(),
    ));
    Ok(addr)
}

/// A TCP connection to `addr` from the loopback address `from` (127.0.0.x: distinct clients).
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::from(from), 0))?;
    socket.connect(addr).await
}

/// An answer read off the wire.
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}

/// One GET with `Connection: close` from `from`.
async fn get_from(
    from: [u8; 4],
    addr: SocketAddr,
    path: &str,
    extra: &[(&str, &str)],
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let mut s = connect_from(from, addr).await?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: vigie.test\r\nConnection: close\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        body = unchunk(&body);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

async fn get(
    addr: SocketAddr,
    path: &str,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    get_from([127, 0, 0, 1], addr, path, &[]).await
}

/// Whether the server closed `s` (read returns end of stream or an error) within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

fn test_limits() -> Limits {
    Limits {
        header_read_timeout: 2,
        idle_timeout: 4,
        max_connections: 128,
        max_connections_per_client: 16,
        requests_per_second: 0,
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_beyond_the_caps_do_not_stop_a_normal_client() -> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let addr = start(dir.path(), test_limits()).await?;
    // 200 connections trickling their headers from one client, 40 more from each of three
    // others: beyond the per-client cap (16) and, together, beyond the global cap (128).
    let mut slow = Vec::new();
    for (i, from) in [
        [127, 0, 0, 2],
        [127, 0, 0, 3],
        [127, 0, 0, 4],
        [127, 0, 0, 5],
    ]
    .into_iter()
    .enumerate()
    {
        for _ in 0..(if i == 0 { 200 } else { 40 }) {
            let mut s = connect_from(from, addr).await?;
            // The start of a request, never finished.
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
            slow.push(s);
        }
    }
    // A normal client is answered within a second, more than once.
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let a = tokio::time::timeout(Duration::from_secs(1), get(addr, "/api/v1/release"))
            .await
            .map_err(|_| "no answer within 1 s")?
            .map_err(|e| e.to_string())?;
        assert_eq!(a.status, 200);
        assert!(t.elapsed() < Duration::from_secs(1));
    }
    let health = get(addr, "/healthz").await.map_err(|e| e.to_string())?;
    assert_eq!(health.status, 200);
    // The connections beyond the caps were closed at once; the others within the header
    // timeout (2 s): none is left after 4 s.
    let mut open = 0;
    for s in &mut slow {
        if !closed_within(s, Duration::from_millis(4_500)).await {
            open += 1;
        }
    }
    assert_eq!(
        open, 0,
        "slow connections still open after the header timeout"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_from_many_addresses_filling_the_global_cap_do_not_keep_a_client_out()
-> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let limits = Limits {
        header_read_timeout: 30,
        idle_timeout: 60,
        max_connections: 32,
        max_connections_per_client: 8,
        ..test_limits()
    };
    let addr = start(dir.path(), limits).await?;
    // Eight addresses × 8 connections trickling headers: the global cap (32) is full, and the
    // header timeout (30 s) would keep it full for the whole test.
    let mut slow = Vec::new();
    for host in 10..18u8 {
        for _ in 0..8 {
            let mut s = connect_from([127, 0, 0, host], addr).await?;
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
            slow.push(s);
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A normal client is still answered within a second, again and again: each new
    // connection closes one that never sent a whole request.
    for _ in 0..5 {
        let a = tokio::time::timeout(Duration::from_secs(1), get(addr, "/api/v1/release"))
            .await
            .map_err(|_| "no answer within 1 s at the global cap")?
            .map_err(|e| e.to_string())?;
        assert_eq!(a.status, 200);
    }
    drop(slow);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() -> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let addr = start(dir.path(), test_limits()).await?;
    let mut s = connect_from([127, 0, 0, 1], addr).await?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await?;
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await?;
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // The connection stays open for keep-alive, then is closed once no new request came
    // within the header timeout.
    assert!(!closed_within(&mut s, Duration::from_millis(1_000)).await);
    assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_rate_is_limited_per_client() -> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let limits = Limits {
        requests_per_second: 1,
        burst: 5,
        ..test_limits()
    };
    let addr = start(dir.path(), limits).await?;
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..8 {
        let a = get_from([127, 0, 0, 7], addr, "/api/v1/release", &[])
            .await
            .map_err(|e| e.to_string())?;
        statuses.push(a.status);
        if a.status == 429 {
            refused = Some(a);
        }
    }
    assert_eq!(&statuses[..5], &[200; 5], "{statuses:?}");
    let refused = refused.ok_or("no 429")?;
    let wait: u64 = refused.headers["retry-after"].parse()?;
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        refused.headers["content-type"], "application/problem+json",
        "{:?}",
        refused.headers
    );
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
    ] {
        assert!(refused.headers.contains_key(h), "429 without {h}");
    }
    // Pages say it in French; another client is not affected; /healthz is always answered.
    let page = get_from([127, 0, 0, 7], addr, "/", &[])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(page.status, 429);
    assert!(String::from_utf8_lossy(&page.body).contains("Trop de requêtes"));
    let other = get_from([127, 0, 0, 8], addr, "/api/v1/release", &[])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(other.status, 200);
    let health = get_from([127, 0, 0, 7], addr, "/healthz", &[])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(health.status, 200);
    // Behind a trusted proxy, the forwarded client is the one limited.
    let dir2 = tempfile::tempdir()?;
    data_dir(dir2.path(), 1)?;
    let proxied = start(
        dir2.path(),
        Limits {
            requests_per_second: 1,
            burst: 2,
            trusted_proxies: vec!["127.0.0.9/32".parse()?],
            ..test_limits()
        },
    )
    .await?;
    let via = |client: &'static str| async move {
        get_from(
            [127, 0, 0, 9],
            proxied,
            "/api/v1/release",
            &[("X-Forwarded-For", client)],
        )
        .await
        .map(|a| a.status)
        .map_err(|e| e.to_string())
    };
    for _ in 0..2 {
        assert_eq!(via("203.0.113.1").await?, 200);
    }
    assert_eq!(via("203.0.113.1").await?, 429);
    assert_eq!(via("203.0.113.2").await?, 200);
    Ok(())
}

#[tokio::test]
async fn oversized_requests_and_timeouts_carry_the_security_headers() -> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let live = vigie_web::live_release_dir(dir.path()).ok_or("no link")?;
    let app = vigie_web::router(AppState::new(Release::load(&live)?, true));
    let res = app
        .oneshot(
            Request::post("/api/v1/release")
                .header("content-length", "100000")
                .body(Body::from(vec![b'x'; 100_000]))?,
        )
        .await?;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(res.headers().contains_key(h), "413 without {h}");
    }
    Ok(())
}

#[tokio::test]
async fn caches_stay_within_their_byte_budget() -> TestResult {
    let dir = tempfile::tempdir()?;
    data_dir(dir.path(), 1)?;
    let live = vigie_web::live_release_dir(dir.path()).ok_or("no link")?;
    let budget = 64 * 1024;
    let state = AppState::new(Release::load(&live)?, true).with_limits(Limits {
        cache_bytes: budget,
        ..Limits::default()
    });
    let app = vigie_web::router(state.clone());
    // A stream of distinct large answers: every rendered page is kept under its URL.
    let mut page_bytes = 0;
    for i in 0..150 {
        let res = app
            .clone()
            .oneshot(Request::get(format!("/territoire/FR?v={i}")).body(Body::empty())?)
            .await?;
        assert_eq!(res.status(), StatusCode::OK);
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await?
            .to_bytes();
        page_bytes = body.len();
        assert!(
            state.cache_weight() <= budget,
            "{} > {budget} after {i} pages",
            state.cache_weight()
        );
    }
    // The pages are big enough for 150 of them to exceed the budget many times over, and the
    // cache still holds some.
    assert!(
        page_bytes as u64 * 150 > 4 * budget,
        "page of {page_bytes} bytes"
    );
    assert!(state.cache_weight() > 0);
    Ok(())
}

#[tokio::test]
async fn only_releases_that_passed_the_gate_are_listed_or_served() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ids = data_dir(dir.path(), 3)?;
    // The second passed the gate; the third was left by a build killed before the gate
    // (no gate.json), as the attack run found.
    std::fs::remove_file(dir.path().join("releases").join(&ids[2]).join("gate.json"))?;
    let live = vigie_web::live_release_dir(dir.path()).ok_or("no link")?;
    let app = vigie_web::router(
        AppState::new(Release::load(&live)?, true).following(dir.path().join("current")),
    );
    let res = app
        .clone()
        .oneshot(Request::get("/api/v1/releases").body(Body::empty())?)
        .await?;
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await?
        .to_bytes();
    let list: serde_json::Value = serde_json::from_slice(&body)?;
    let listed: Vec<&str> = list["releases"]
        .as_array()
        .ok_or("no releases")?
        .iter()
        .filter_map(|r| r["release_id"].as_str())
        .collect();
    assert_eq!(listed, vec![ids[1].as_str(), ids[0].as_str()]);
    let res = app
        .clone()
        .oneshot(
            Request::get(format!("/api/v1/releases/{}/territories/FR", ids[2]))
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .oneshot(
            Request::get(format!("/api/v1/releases/{}/territories/FR", ids[1]))
                .body(Body::empty())?,
        )
        .await?;
    assert_eq!(res.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_refusal_shows_on_the_sources_page_without_a_new_release() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ids = data_dir(dir.path(), 1)?;
    let live = vigie_web::live_release_dir(dir.path()).ok_or("no link")?;
    let app = vigie_web::router(
        AppState::new(Release::load(&live)?, true).following(dir.path().join("current")),
    );
    let page = |app: axum::Router| async move {
        let res = app
            .oneshot(Request::get("/sources").body(Body::empty())?)
            .await?;
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await?
            .to_bytes();
        Ok::<String, Box<dyn std::error::Error>>(String::from_utf8_lossy(&body).into_owned())
    };
    assert!(!page(app.clone()).await?.contains("positivity_rate_7d"));
    let status = serde_json::json!({
        "last_build": {"release_id": "20220302T000000Z", "built_at": "2022-03-02T00:00:00Z",
            "state": "refused",
            "gate": {"passed": false, "release_id": "20220302T000000Z", "previous_release_id": ids[0],
                "checks": [{"check": "plausible values", "passed": false,
                    "detail": "1 value outside its catalogue bounds (positivity_rate_7d 1): DEP-07 positivity_rate_7d all 2022-03-01 = 3000 (above 100)"}],
                "diff": []}},
        "live_release": ids[0], "releases": [ids[0]]});
    std::fs::write(dir.path().join("status.json"), status.to_string())?;
    let text = page(app).await?;
    assert!(
        text.contains("positivity_rate_7d") && text.contains("3000"),
        "the refusal is not on /sources"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_release_per_answer_while_releases_switch() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ids = data_dir(dir.path(), 9)?;
    let addr = start(
        dir.path(),
        Limits {
            max_connections_per_client: 1024,
            max_connections: 1024,
            ..test_limits()
        },
    )
    .await?;
    let population: BTreeMap<String, u64> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| (id.clone(), 330_001 + k as u64))
        .collect();
    let population = Arc::new(population);
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for n in 0..6 {
        let (stop, population) = (stop.clone(), population.clone());
        readers.push(tokio::spawn(async move {
            // (etag, release) of every tagged answer; problems found.
            let mut tags: Vec<(String, String)> = Vec::new();
            let mut problems = Vec::new();
            let mut answers = 0;
            let paths = [
                "/api/v1/release",
                "/api/v1/territories/FR",
                "/open-data/territories/FR.json",
            ];
            let mut i = n;
            while !stop.load(Ordering::Relaxed) {
                let path = paths[i % paths.len()];
                i += 1;
                let a = match get(addr, path).await {
                    Ok(a) => a,
                    Err(e) => {
                        problems.push(format!("{path}: {e}"));
                        continue;
                    }
                };
                answers += 1;
                let Some(release) = a.headers.get("vigie-release").cloned() else {
                    problems.push(format!("{path}: no release header"));
                    continue;
                };
                let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
                let from_body = if path == "/api/v1/release" {
                    v["release_id"].as_str().map(str::to_string)
                } else {
                    let p = v["population"].as_f64().unwrap_or(0.0) as u64;
                    population
                        .iter()
                        .find(|(_, n)| **n == p)
                        .map(|(id, _)| id.clone())
                };
                if from_body.as_deref() != Some(release.as_str()) {
                    problems.push(format!(
                        "{path}: header {release}, body {from_body:?} ({})",
                        a.status
                    ));
                }
                if let Some(tag) = a.headers.get("etag") {
                    tags.push((format!("{path} {tag}"), release));
                }
            }
            (tags, problems, answers)
        }));
    }
    // Eight switches while the readers read.
    for id in &ids[1..] {
        tokio::time::sleep(Duration::from_millis(150)).await;
        switch(dir.path(), id)?;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, Ordering::Relaxed);
    let mut by_tag: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    for r in readers {
        let (tags, problems, answers) = r.await?;
        assert!(problems.is_empty(), "{problems:#?}");
        total += answers;
        for (tag, release) in tags {
            seen.insert(release.clone());
            by_tag.entry(tag).or_default().insert(release);
        }
    }
    let reused: Vec<_> = by_tag.iter().filter(|(_, r)| r.len() > 1).collect();
    assert!(
        reused.is_empty(),
        "ETags reused across releases: {reused:?}"
    );
    assert!(total > 100, "only {total} answers");
    assert!(seen.len() >= 5, "releases seen under load: {seen:?}");
    // The last switch is noticed by the next request, and an ETag of an older release never
    // gets a 304.
    let last = get(addr, "/api/v1/release")
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(last.headers["vigie-release"], ids[8]);
    let old_tag = by_tag
        .iter()
        .find(|(k, r)| k.starts_with("/api/v1/release ") && !r.contains(&ids[8]))
        .map(|(k, _)| k.trim_start_matches("/api/v1/release ").to_string())
        .ok_or("no older tag")?;
    let revalidated = get_from(
        [127, 0, 0, 1],
        addr,
        "/api/v1/release",
        &[("If-None-Match", old_tag.as_str())],
    )
    .await
    .map_err(|e| e.to_string())?;
    assert_eq!(revalidated.status, 200);
    Ok(())
}

#[tokio::test]
async fn big_files_are_never_compressed_per_request() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ids = data_dir(dir.path(), 1)?;
    let od = dir.path().join("releases").join(&ids[0]).join("open-data");
    // A national CSV with its gzip copy beside it, and a big file without one.
    let big = "territory,indicator\n".repeat(300_000);
    std::fs::write(od.join("indicators.csv"), &big)?;
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(big.as_bytes())?;
        e.finish()?
    };
    std::fs::write(od.join("indicators.csv.gz"), &gz)?;
    std::fs::write(od.join("other.csv"), &big)?;
    let live = vigie_web::live_release_dir(dir.path()).ok_or("no link")?;
    let app = vigie_web::router(AppState::new(Release::load(&live)?, true));
    let fetch = |path: &'static str, accept: &'static str| {
        let app = app.clone();
        async move {
            let res = app
                .oneshot(
                    Request::get(path)
                        .header("accept-encoding", accept)
                        .body(Body::empty())?,
                )
                .await?;
            let coding = res
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = http_body_util::BodyExt::collect(res.into_body())
                .await?
                .to_bytes();
            Ok::<_, Box<dyn std::error::Error>>((coding, body.len()))
        }
    };
    assert_eq!(
        fetch("/open-data/indicators.csv", "br, gzip").await?,
        (Some("gzip".to_string()), gz.len()),
        "the precompressed copy"
    );
    assert_eq!(
        fetch("/open-data/indicators.csv", "br").await?,
        (None, big.len()),
        "above the threshold: sent as it is"
    );
    assert_eq!(
        fetch("/open-data/other.csv", "br, gzip").await?,
        (None, big.len())
    );
    // Small answers are still compressed.
    let (coding, _) = fetch("/open-data/territories/FR.json", "br").await?;
    assert_eq!(coding.as_deref(), Some("br"));
    Ok(())
}
