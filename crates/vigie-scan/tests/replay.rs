//! Record/replay: the recording format, matching rules, missing requests, round trip.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Fake, TestResult, fast_config, fault_server, run_time, target};
use vigie_scan::{
    BreakerConfig, Connectors, ErrorClass, HistoryRow, HttpClient, Replay, ScanRun, scan,
};
use vigie_slots::platforms::bimedoc::Bimedoc;
use vigie_slots::{Method, Platform, Request};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn class(run: &ScanRun, i: usize) -> Option<ErrorClass> {
    run.centres
        .get(i)
        .and_then(|c| c.error.as_ref())
        .map(|e| e.class)
}

#[tokio::test]
async fn replays_a_bimedoc_recording_offline() -> TestResult {
    let client = Arc::new(HttpClient::replay(&fixture("bimedoc"))?);
    assert!(client.is_offline());
    let targets: Vec<_> = ["abc", "blocked", "trunc", "gone", "flaky"]
        .iter()
        .map(|id| target(Platform::Bimedoc, id))
        .collect();
    let connectors = Connectors::new().with(Bimedoc);
    let run = scan(
        targets.clone(),
        connectors,
        client,
        Default::default(),
        run_time(),
    )
    .await;
    // History rows: the two scanned centres only.
    let rows = HistoryRow::from_run(&run, &targets);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].centre_id.as_str(), rows[0].slots, rows[0].available),
        ("bimedoc:abc", 2, true)
    );
    assert_eq!((rows[1].slots, rows[1].available), (0, false));
    // Query parameters in another order than the connector writes them still match.
    let abc = run.centres[0].summary.as_ref();
    assert_eq!(abc.map(|s| s.slots), Some(2));
    assert_eq!(
        abc.and_then(|s| s.next_slot.clone()).as_deref(),
        Some("2021-06-01T14:00:00+02:00[Europe/Paris]")
    );
    assert_eq!(class(&run, 1), Some(ErrorClass::Blocked));
    assert_eq!(class(&run, 2), Some(ErrorClass::BadBody));
    assert_eq!(class(&run, 3), Some(ErrorClass::MissingReplay));
    // 503 (non-JSON body from a response file), retried, then the second answer.
    assert_eq!(run.centres[4].error, None);
    assert_eq!(run.centres[4].retries, 1);
    assert_eq!(run.missing_replay.len(), 1);
    assert_eq!(
        run.missing_replay[0].url,
        "https://server.bimedoc.com/vmd/pharmacy-with-slots/gone?start_date=2021-06-01&end_date=2021-06-12"
    );
    assert_eq!(run.missing_replay[0].method, "GET");
    let p = &run.platforms[0];
    assert_eq!(p.errors.get(&ErrorClass::MissingReplay), Some(&1));
    // The report serialises.
    let json = serde_json::to_value(&run)?;
    assert_eq!(json["centres"][3]["error"]["class"], "missing_replay");
    assert_eq!(json["platforms"][0]["status"], "degraded");
    Ok(())
}

#[test]
fn repeated_requests_replay_in_order_then_repeat_the_last() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("exchanges.jsonl"),
        concat!(
            r#"{"method":"POST","url":"https://h/s?x=1&y=2","body":{"a":1,"b":[1,2]},"status":500}"#,
            "\n",
            r#"{"method":"POST","url":"https://h/s?x=1&y=2","body":{"a":1,"b":[1,2]},"status":200,"response":{"n":1}}"#,
            "\n\n",
            r#"{"method":"POST","url":"https://h/s?x=1&y=2","body":{"a":2},"status":200,"response":{"n":2}}"#,
            "\n",
        ),
    )?;
    let r = Replay::load(dir.path())?;
    assert_eq!(r.len(), 3);
    let req = |body: serde_json::Value| Request {
        method: Method::Post,
        url: "https://h/s?y=2&x=1".to_string(),
        body: Some(body),
        purpose: "t",
    };
    // Key order in the body does not matter; the answers come in order, then the last repeats.
    let body = serde_json::json!({"b": [1, 2], "a": 1});
    assert_eq!(r.answer(&req(body.clone())).status, 500);
    let second = r.answer(&req(body.clone()));
    assert_eq!(
        (second.status, second.body.as_slice()),
        (200, br#"{"n":1}"#.as_slice())
    );
    assert_eq!(r.answer(&req(body)).status, 200);
    assert_eq!(
        r.answer(&req(serde_json::json!({"a": 2}))).body,
        br#"{"n":2}"#.to_vec()
    );
    // Another body, another method: missing, 404, reported once.
    let other = r.answer(&req(serde_json::json!({"a": 3})));
    assert!(other.missing);
    assert_eq!(other.status, 404);
    let _ = r.answer(&req(serde_json::json!({"a": 3})));
    let get = Request::get("https://h/s?x=1&y=2".to_string(), "t");
    assert!(r.answer(&get).missing);
    let missing = r.missing();
    assert_eq!(missing.len(), 2);
    assert_eq!(missing[0].body, Some(serde_json::json!({"a": 3})));
    assert_eq!(missing[1].method, "GET");
    Ok(())
}

#[test]
fn bad_recordings_are_typed_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    assert!(HttpClient::replay(dir.path()).is_err());
    std::fs::write(dir.path().join("exchanges.jsonl"), "{\"method\":\"GET\"}\n")?;
    let e = Replay::load(dir.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("exchanges.jsonl:1"), "{e}");
    std::fs::write(
        dir.path().join("exchanges.jsonl"),
        r#"{"method":"GET","url":"https://h/","status":200,"response_file":"../secret"}"#,
    )?;
    let e = Replay::load(dir.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("relative path inside"), "{e}");
    Ok(())
}

#[tokio::test]
async fn record_then_replay_gives_the_same_run() -> TestResult {
    const P: Platform = Platform::Mesoigner;
    let ids = [
        "ok/1",
        "two/1",
        "flaky/1",
        "drift/1",
        "html/1",
        "forbidden/1",
        "missing/1",
    ];
    let dir = tempfile::tempdir()?;
    let (base, _hits, server) = fault_server().await?;
    let connectors = Connectors::new().with(Fake { platform: P, base });
    let config = || fast_config(P, 2, BreakerConfig::default());
    let targets = || ids.iter().map(|id| target(P, id)).collect::<Vec<_>>();

    let live = Arc::new(HttpClient::record(None, dir.path())?);
    let recorded = scan(targets(), connectors.clone(), live, config(), run_time()).await;
    server.abort();
    let _ = server.await;

    let offline = Arc::new(HttpClient::replay(dir.path())?);
    let replayed = scan(targets(), connectors, offline, config(), run_time()).await;

    let view = |run: &ScanRun| {
        run.centres
            .iter()
            .map(|c| {
                (
                    c.centre_id.clone(),
                    c.summary.clone(),
                    c.error.as_ref().map(|e| (e.class, e.status)),
                    c.requests,
                    c.retries,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&recorded), view(&replayed));
    assert!(replayed.missing_replay.is_empty());
    // Sanity: the run has successes and each kind of failure.
    assert_eq!(
        recorded.centres[1]
            .summary
            .as_ref()
            .and_then(|s| s.platform_count),
        Some(7)
    );
    assert_eq!(recorded.centres[2].retries, 2);
    assert_eq!(class(&replayed, 4), Some(ErrorClass::BadBody));
    assert_eq!(class(&replayed, 5), Some(ErrorClass::Blocked));
    // Non-JSON bodies went to response files; JSON ones inline.
    let lines = std::fs::read_to_string(dir.path().join("exchanges.jsonl"))?;
    assert_eq!(lines.lines().count(), 10);
    assert!(lines.contains(r#""response_file":"responses/"#));
    assert!(lines.contains(r#""response":{"count":3}"#));
    assert!(lines.contains(r#""body":{"#));
    Ok(())
}
