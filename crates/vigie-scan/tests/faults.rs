//! Fault tests against a local HTTP server: timeouts, 429, 5xx, 403 waves, bad bodies.

mod common;

use std::sync::Arc;

use common::{Fake, Looper, TestResult, fast_config, fault_server, hits, run_time, target};
use vigie_scan::{
    BreakerConfig, BreakerState, Connectors, ErrorClass, HttpClient, PlatformStatus, ScanRun, scan,
};
use vigie_slots::Platform;

const P: Platform = Platform::Bimedoc;

fn class(run: &ScanRun, i: usize) -> Option<ErrorClass> {
    run.centres
        .get(i)
        .and_then(|c| c.error.as_ref())
        .map(|e| e.class)
}

fn count(run: &ScanRun, i: usize) -> Option<u64> {
    run.centres
        .get(i)
        .and_then(|c| c.summary.as_ref())
        .and_then(|s| s.platform_count)
}

async fn run_ids(
    ids: &[&str],
    concurrency: usize,
    breaker: BreakerConfig,
) -> Result<(ScanRun, common::Hits), Box<dyn std::error::Error>> {
    let (base, h, _server) = fault_server().await?;
    let connectors = Connectors::new().with(Fake { platform: P, base });
    let client = Arc::new(HttpClient::live(None)?);
    let targets = ids.iter().map(|id| target(P, id)).collect();
    let run = scan(
        targets,
        connectors,
        client,
        fast_config(P, concurrency, breaker),
        run_time(),
    )
    .await;
    Ok((run, h))
}

#[tokio::test]
async fn timeouts_are_retried_then_recorded_and_others_continue() -> TestResult {
    let (run, h) = run_ids(&["slow/1", "ok/1", "two/1"], 4, BreakerConfig::default()).await?;
    assert_eq!(run.centres.len(), 3);
    // Input order is kept.
    assert_eq!(run.centres[0].centre_id, "bimedoc:slow/1");
    assert_eq!(class(&run, 0), Some(ErrorClass::Timeout));
    assert_eq!(run.centres[0].requests, 3);
    assert_eq!(run.centres[0].retries, 2);
    assert_eq!(hits(&h, "slow/1"), 3);
    assert_eq!(count(&run, 1), Some(3));
    // Two-step flow (GET then POST).
    assert_eq!(count(&run, 2), Some(7));
    assert_eq!(run.centres[2].requests, 2);
    let p = &run.platforms[0];
    assert_eq!(p.platform, "bimedoc");
    assert_eq!((p.centres, p.succeeded, p.failed), (3, 2, 1));
    assert_eq!(p.requests, 6);
    assert_eq!(p.retries, 2);
    assert_eq!(p.errors.get(&ErrorClass::Timeout), Some(&1));
    assert_eq!(p.status, PlatformStatus::Degraded);
    assert!(!p.breaker_tripped);
    Ok(())
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() -> TestResult {
    let (run, h) = run_ids(&["limited/1", "limiteddate/1"], 1, BreakerConfig::default()).await?;
    assert_eq!(count(&run, 0), Some(2));
    assert_eq!(run.centres[0].retries, 1);
    assert_eq!(hits(&h, "limited/1"), 2);
    // A far-future HTTP-date is capped (20 ms in the test policy), then retried.
    assert_eq!(count(&run, 1), Some(4));
    assert_eq!(hits(&h, "limiteddate/1"), 2);
    assert_eq!(run.platforms[0].status, PlatformStatus::Ok);
    Ok(())
}

#[tokio::test]
async fn server_errors_are_retried_but_client_errors_are_not() -> TestResult {
    let (run, h) = run_ids(
        &["flaky/1", "missing/1", "down/1"],
        1,
        BreakerConfig::default(),
    )
    .await?;
    assert_eq!(count(&run, 0), Some(5));
    assert_eq!(run.centres[0].retries, 2);
    assert_eq!(hits(&h, "flaky/1"), 3);
    // 404: one request, no retry, http_status with the status.
    let e = run.centres[1].error.as_ref();
    assert_eq!(
        e.map(|e| (e.class, e.status)),
        Some((ErrorClass::HttpStatus, Some(404)))
    );
    assert_eq!(hits(&h, "missing/1"), 1);
    // 500 forever: 1 + 2 retries, then the status is reported.
    let e = run.centres[2].error.as_ref();
    assert_eq!(
        e.map(|e| (e.class, e.status)),
        Some((ErrorClass::HttpStatus, Some(500)))
    );
    assert_eq!(hits(&h, "down/1"), 3);
    Ok(())
}

#[tokio::test]
async fn a_403_wave_trips_the_breaker_and_later_requests_fail_fast() -> TestResult {
    let ids: Vec<String> = (0..10).map(|i| format!("forbidden/{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let breaker = BreakerConfig {
        blocked_threshold: 3,
        ..BreakerConfig::default()
    };
    let (run, h) = run_ids(&ids, 1, breaker).await?;
    let sent: u32 = (0..10).map(|i| hits(&h, &format!("forbidden/{i}"))).sum();
    assert_eq!(sent, 3);
    let p = &run.platforms[0];
    assert_eq!(p.errors.get(&ErrorClass::Blocked), Some(&3));
    assert_eq!(p.errors.get(&ErrorClass::BreakerOpen), Some(&7));
    assert_eq!(p.requests, 3);
    assert!(p.breaker_tripped);
    assert_eq!(p.breaker_state, BreakerState::Open);
    assert_eq!(p.status, PlatformStatus::Failed);
    Ok(())
}

#[tokio::test]
async fn consecutive_server_failures_trip_the_breaker() -> TestResult {
    let breaker = BreakerConfig {
        failure_threshold: 4,
        ..BreakerConfig::default()
    };
    // down/1: 3 failed attempts; down/2: the 4th trips; ok/1 then fails fast.
    let (run, h) = run_ids(&["down/1", "down/2", "ok/1"], 1, breaker).await?;
    assert_eq!(class(&run, 0), Some(ErrorClass::HttpStatus));
    assert_eq!(class(&run, 1), Some(ErrorClass::BreakerOpen));
    assert_eq!(class(&run, 2), Some(ErrorClass::BreakerOpen));
    assert_eq!(hits(&h, "down/2"), 1);
    assert_eq!(hits(&h, "ok/1"), 0);
    assert!(run.platforms[0].breaker_tripped);
    Ok(())
}

#[tokio::test]
async fn bad_bodies_are_per_centre_errors() -> TestResult {
    let (run, _) = run_ids(
        &["truncated/1", "html/1", "drift/1", "ok/2", "ua/1"],
        2,
        BreakerConfig::default(),
    )
    .await?;
    for i in 0..3 {
        assert_eq!(class(&run, i), Some(ErrorClass::BadBody), "centre {i}");
    }
    let drift = run.centres[2]
        .error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert!(drift.contains("missing field `count`"), "{drift}");
    assert_eq!(count(&run, 3), Some(3));
    // The identifying User-Agent (and the per-platform header, checked by the server).
    assert_eq!(count(&run, 4), Some(1));
    assert_eq!(run.platforms[0].errors.get(&ErrorClass::BadBody), Some(&3));
    assert!(!run.platforms[0].breaker_tripped);
    Ok(())
}

#[tokio::test]
async fn looping_connectors_and_unknown_platforms_are_contained() -> TestResult {
    let (base, h, _server) = fault_server().await?;
    let connectors = Connectors::new().with(Looper { base });
    let client = Arc::new(HttpClient::live(None)?);
    let mut config = fast_config(Platform::Valwin, 1, BreakerConfig::default());
    config.max_steps = 4;
    let targets = vec![target(Platform::Valwin, "x"), target(Platform::Keldoc, "y")];
    let run = scan(targets, connectors, client, config, run_time()).await;
    assert_eq!(class(&run, 0), Some(ErrorClass::LoopGuard));
    assert_eq!(run.centres[0].requests, 4);
    assert_eq!(hits(&h, "ok/loop"), 4);
    assert_eq!(class(&run, 1), Some(ErrorClass::NoConnector));
    // Platforms in Platform::ALL order.
    let names: Vec<&str> = run.platforms.iter().map(|p| p.platform.as_str()).collect();
    assert_eq!(names, vec!["keldoc", "valwin"]);
    assert_eq!(run.started_at, "2021-06-01T08:00:00Z");
    Ok(())
}

#[tokio::test]
async fn connection_refused_is_a_network_error() -> TestResult {
    // Bind then drop a listener to get a closed port.
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", l.local_addr()?);
    drop(l);
    let connectors = Connectors::new().with(Fake { platform: P, base });
    let client = Arc::new(HttpClient::live(None)?);
    let run = scan(
        vec![target(P, "ok/1")],
        connectors,
        client,
        fast_config(P, 1, BreakerConfig::default()),
        run_time(),
    )
    .await;
    assert_eq!(class(&run, 0), Some(ErrorClass::Network));
    assert_eq!(run.centres[0].requests, 3);
    Ok(())
}
