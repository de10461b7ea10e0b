//! Centres known by their booking URL only (the data.gouv list, a partner's CSV, a
//! contribution): Mapharma's open data is read once per scan by the platform's preparation,
//! Keldoc URLs are resolved by their flow, and with an empty recording every such centre is
//! attempted (`missing_replay`), never refused as a bad target.

mod common;

use std::sync::{Arc, Mutex};

use common::{TestResult, run_time, target};
use vigie_scan::{CentreTarget, Connectors, ErrorClass, HttpClient, ScanRun, scan};
use vigie_slots::platforms::mapharma;
use vigie_slots::{Platform, Request};

fn by_url(platform: Platform, id: &str, url: &str) -> CentreTarget {
    let mut t = target(platform, id);
    t.target.booking_url = url.to_string();
    t.target.platform_id = String::new();
    t
}

fn class(run: &ScanRun, i: usize) -> Option<ErrorClass> {
    run.centres[i].error.as_ref().map(|e| e.class)
}

const OPEN_DATA: &str = r#"[{"nom": "Pharmacie du Port", "campagnes": [
  {"id_campagne": 60, "nom": "Vaccination Covid Moderna", "total_libres": 5, "url": "https://mapharma.net/75001?c=60&l=1"},
  {"id_campagne": 61, "nom": "Vaccination Covid Pfizer", "total_libres": 0, "url": "https://mapharma.net/75001?c=61&l=1"}]}]"#;

#[tokio::test]
async fn mapharma_open_data_is_read_once_per_scan() -> TestResult {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&log);
    let client = HttpClient::in_memory(Arc::new(move |r: &Request| {
        if let Ok(mut l) = seen.lock() {
            l.push(r.url.clone());
        }
        if r.url == mapharma::OPEN_DATA_URL {
            (200, OPEN_DATA.as_bytes().to_vec())
        } else if r
            .url
            .starts_with("https://mapharma.net/api/public/calendar/60/")
        {
            (
                200,
                br#"{"2021-06-02": [{"time": "09:15", "places_dispo": 3}]}"#.to_vec(),
            )
        } else {
            (404, Vec::new())
        }
    }));
    let targets = vec![
        by_url(
            Platform::Mapharma,
            "a",
            "https://mapharma.net/75001?c=60&l=1",
        ),
        by_url(
            Platform::Mapharma,
            "b",
            "https://mapharma.net/75001?c=61&l=1",
        ),
        by_url(
            Platform::Mapharma,
            "c",
            "https://mapharma.net/75001?c=99&l=1",
        ),
    ];
    let connectors = Connectors::available();
    let run = scan(
        targets,
        connectors,
        Arc::new(client),
        Default::default(),
        run_time(),
    )
    .await;
    let urls = log.lock().map(|l| l.clone()).unwrap_or_default();
    assert_eq!(
        urls.iter().filter(|u| u.contains("opendata")).count(),
        1,
        "{urls:?}"
    );
    // Found by its campaign URL, scanned: 3 places.
    assert_eq!(run.centres[0].error, None);
    assert_eq!(run.centres[0].summary.as_ref().map(|s| s.places), Some(3));
    // No free place: nothing asked, no error.
    assert_eq!(run.centres[1].error, None);
    assert_eq!(run.centres[1].requests, 0);
    // A campaign the open data does not list: reported, by centre, with its reason.
    assert_eq!(class(&run, 2), Some(ErrorClass::BadTarget));
    let message = &run.centres[2].error.as_ref().ok_or("error")?.message;
    assert!(message.contains("campaign not found"), "{message}");
    let report = &run.platforms[0];
    let prep = report.preparation.as_ref().ok_or("preparation")?;
    assert_eq!((prep.requests, prep.error.is_none()), (1, true));
    assert_eq!(report.requests, 1 + 2, "the open data and two calendars");
    Ok(())
}

#[tokio::test]
async fn centres_known_by_url_are_attempted_against_an_empty_recording() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("exchanges.jsonl"), "")?;
    let client = Arc::new(HttpClient::replay(dir.path())?);
    let targets = vec![
        by_url(
            Platform::Mapharma,
            "a",
            "https://mapharma.net/75001?c=60&l=1",
        ),
        by_url(
            Platform::Keldoc,
            "k",
            "https://vaccination-covid.keldoc.com/centre-hospitalier/privas-07000/ch-privas?cabinet=3&specialty=144",
        ),
    ];
    let run = scan(
        targets,
        Connectors::available(),
        client,
        Default::default(),
        run_time(),
    )
    .await;
    assert_eq!(
        class(&run, 0),
        Some(ErrorClass::MissingReplay),
        "{:?}",
        run.centres[0]
    );
    assert_eq!(
        class(&run, 1),
        Some(ErrorClass::MissingReplay),
        "{:?}",
        run.centres[1]
    );
    let missing: Vec<&str> = run.missing_replay.iter().map(|m| m.url.as_str()).collect();
    assert!(missing.contains(&mapharma::OPEN_DATA_URL), "{missing:?}");
    assert!(
        missing.contains(&mapharma::OPEN_DATA_FALLBACK_URL),
        "{missing:?}"
    );
    assert!(
        missing
            .iter()
            .any(|u| u.contains("/searches/resource?type=centre-hospitalier")),
        "{missing:?}"
    );
    Ok(())
}

/// Centre discovery goes through the scan's driver: its requests count against the
/// platform's breaker, so a directory that blocks us (403) trips the breaker and the scan
/// that follows sends nothing more to that platform.
#[tokio::test]
async fn discovery_requests_go_through_the_platform_breaker() -> TestResult {
    use vigie_scan::{BreakerConfig, Scanner};
    use vigie_slots::discovery::{DiscoveryFlow, MesoignerDiscovery};
    let sent: Arc<Mutex<u32>> = Arc::default();
    let count = Arc::clone(&sent);
    let client = HttpClient::in_memory(Arc::new(move |_r: &Request| {
        if let Ok(mut n) = count.lock() {
            *n += 1;
        }
        (403, b"blocked".to_vec())
    }));
    let breaker = BreakerConfig {
        blocked_threshold: 1,
        ..BreakerConfig::default()
    };
    let config = common::fast_config(Platform::Mesoigner, 2, breaker);
    let scanner = Scanner::new(Arc::new(client), Connectors::available(), config);
    let found = scanner
        .discover(DiscoveryFlow::new(Box::new(MesoignerDiscovery)))
        .await;
    let e = found.err().ok_or("a blocked discovery fails")?;
    assert_eq!((e.class, e.status), (ErrorClass::Blocked, Some(403)));
    let run = scanner
        .scan(vec![target(Platform::Mesoigner, "1722")], run_time())
        .await;
    assert_eq!(class(&run, 0), Some(ErrorClass::BreakerOpen));
    assert_eq!(
        *sent.lock().map_err(|_| "lock")?,
        1,
        "only the discovery request"
    );
    Ok(())
}
