//! Shared helpers of the integration tests: a fake connector and a local HTTP server.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use vigie_scan::{BreakerConfig, CentreTarget, PlatformPolicy, RetryPolicy, ScanConfig};
use vigie_slots::{
    Connector, Exchange, Flow, Method, Platform, Request, ScanOutcome, ScanTarget, SlotError, Step,
    connector::check_status,
};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A fake platform flow: `GET {base}/{platform_id}?b=2&a=1` answers `{"count": n, "next"?:
/// "path"}`; with `next`, a `POST {base}/{next}` with a JSON body follows.
#[derive(Debug, Clone)]
pub struct Fake {
    pub platform: Platform,
    pub base: String,
}

#[derive(Deserialize)]
struct Doc {
    count: u64,
    next: Option<String>,
}

impl Connector for Fake {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        Ok(Box::new(FakeFlow {
            fake: self.clone(),
            platform_id: target.platform_id.clone(),
            received: 0,
        }))
    }
}

struct FakeFlow {
    fake: Fake,
    platform_id: String,
    received: usize,
}

impl Flow for FakeFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        let (platform, base) = (self.fake.platform, &self.fake.base);
        self.received += answers.len();
        let Some(last) = answers.last() else {
            return Ok(Step::Send(vec![Request::get(
                format!("{base}/{}?b=2&a=1", self.platform_id),
                "slots",
            )]));
        };
        check_status(platform, last)?;
        let doc: Doc = serde_json::from_slice(&last.body).map_err(|source| SlotError::Shape {
            platform,
            what: "fake",
            source,
        })?;
        match doc.next {
            Some(next) if self.received < 5 => Ok(Step::Send(vec![Request {
                method: Method::Post,
                url: format!("{base}/{next}"),
                body: Some(serde_json::json!({"centre": self.platform_id, "days": [1, 2]})),
                purpose: "next",
            }])),
            _ => Ok(Step::Done(ScanOutcome {
                platform_count: Some(doc.count),
                ..ScanOutcome::default()
            })),
        }
    }
}

/// A connector that never finishes.
#[derive(Debug, Clone)]
pub struct Looper {
    pub base: String,
}

struct LooperFlow(String);

impl Flow for LooperFlow {
    fn step(&mut self, _: Vec<Exchange>) -> Result<Step, SlotError> {
        Ok(Step::Send(vec![Request::get(
            format!("{}/ok/loop", self.0),
            "loop",
        )]))
    }
}

impl Connector for Looper {
    fn platform(&self) -> Platform {
        Platform::Valwin
    }

    fn start(&self, _: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        Ok(Box::new(LooperFlow(self.base.clone())))
    }
}

pub fn target(platform: Platform, id: &str) -> CentreTarget {
    CentreTarget {
        centre_id: format!("{}:{id}", platform.slug()),
        platform,
        target: ScanTarget {
            booking_url: format!("https://example.invalid/{id}"),
            platform_id: id.to_string(),
            department: Some("75".to_string()),
            address: None,
            start: jiff::civil::date(2021, 6, 1),
            days: 11,
            platform_data: None,
        },
    }
}

/// Fast test policies: short timeout, millisecond backoff, no request budget.
pub fn fast_config(platform: Platform, concurrency: usize, breaker: BreakerConfig) -> ScanConfig {
    let policy = PlatformPolicy {
        concurrency,
        rate_per_sec: 0.0,
        burst: 1,
        timeout: Duration::from_millis(1000),
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            retry_after_cap: Duration::from_millis(20),
        },
        breaker,
        headers: vec![("X-Test-Key".to_string(), "secret".to_string())],
    };
    let mut c = ScanConfig::default();
    c.policies.insert(platform, policy);
    c
}

pub fn run_time() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_622_534_400).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Hits per path, shared with the server.
pub type Hits = Arc<Mutex<HashMap<String, u32>>>;

pub fn hits(h: &Hits, path: &str) -> u32 {
    h.lock()
        .map(|m| m.get(path).copied().unwrap_or(0))
        .unwrap_or(0)
}

/// Starts the fault server on 127.0.0.1:0; returns its base URL and hit counters.
pub async fn fault_server() -> std::io::Result<(String, Hits, tokio::task::JoinHandle<()>)> {
    use axum::Router;
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::any;

    async fn handle(
        State(h): State<Hits>,
        Path((kind, id)): Path<(String, String)>,
        headers: HeaderMap,
    ) -> Response {
        let key = format!("{kind}/{id}");
        let n = {
            let Ok(mut m) = h.lock() else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let e = m.entry(key).or_insert(0);
            *e += 1;
            *e
        };
        let json = |s: &'static str| ([(header::CONTENT_TYPE, "application/json")], s);
        match kind.as_str() {
            // The per-platform header must be sent.
            _ if headers.get("x-test-key").is_none() => StatusCode::UNAUTHORIZED.into_response(),
            "ok" => json(r#"{"count": 3}"#).into_response(),
            // 1 when the identifying User-Agent was sent.
            "ua" => {
                let ua = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if ua.starts_with("Vigie/") && ua.contains("+https://") {
                    json(r#"{"count": 1}"#).into_response()
                } else {
                    json(r#"{"count": 0}"#).into_response()
                }
            }
            "two" => json(r#"{"count": 1, "next": "second/x"}"#).into_response(),
            "second" => json(r#"{"count": 7}"#).into_response(),
            "slow" => {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                json(r#"{"count": 1}"#).into_response()
            }
            "flaky" if n <= 2 => StatusCode::SERVICE_UNAVAILABLE.into_response(),
            "flaky" => json(r#"{"count": 5}"#).into_response(),
            "limited" if n == 1 => {
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response()
            }
            "limited" => json(r#"{"count": 2}"#).into_response(),
            "limiteddate" if n == 1 => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "Fri, 31 Dec 2100 23:59:59 GMT")],
            )
                .into_response(),
            "limiteddate" => json(r#"{"count": 4}"#).into_response(),
            "down" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            "forbidden" => StatusCode::FORBIDDEN.into_response(),
            "missing" => StatusCode::NOT_FOUND.into_response(),
            "truncated" => json(r#"{"count": "#).into_response(),
            "html" => (
                [(header::CONTENT_TYPE, "text/html")],
                "<html>maintenance</html>",
            )
                .into_response(),
            "drift" => json(r#"{"total_count": 3}"#).into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }

    let h: Hits = Arc::default();
    let app = Router::new()
        .route("/{kind}/{id}", any(handle))
        .with_state(Arc::clone(&h));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{addr}"), h, handle))
}
