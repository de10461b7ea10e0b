//! The HTTP client seen by the runner, in one of four modes: live, live + recording,
//! replay (no network), or an in-memory responder (tests and benchmarks).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use vigie_slots::{Method, Request};

use crate::policy::DEFAULT_USER_AGENT;
use crate::recording::{MissingRequest, Recorder, RecordingError, Replay};

/// An answer as the transport got it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// Replay only: the request was not in the recording (the answer is a 404).
    pub missing: bool,
}

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Connection refused or reset, DNS, TLS, an interrupted body.
    #[error("network error: {0}")]
    Network(String),
    /// The request could not be built (bad URL, bad header).
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// Errors building a client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("HTTP client: {0}")]
    Build(String),
    #[error(transparent)]
    Recording(#[from] RecordingError),
}

/// A synchronous responder for [`HttpClient::in_memory`]: `(status, body)` for a request.
pub type Responder = Arc<dyn Fn(&Request) -> (u16, Vec<u8>) + Send + Sync>;

enum Inner {
    Live {
        client: reqwest::Client,
        recorder: Option<Recorder>,
    },
    Replay(Replay),
    Memory(Responder),
}

/// The transport of a scan.
pub struct HttpClient {
    inner: Inner,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.inner {
            Inner::Live { recorder: None, .. } => "live",
            Inner::Live { .. } => "record",
            Inner::Replay(_) => "replay",
            Inner::Memory(_) => "memory",
        };
        f.debug_struct("HttpClient").field("mode", &mode).finish()
    }
}

fn build_reqwest(user_agent: Option<&str>) -> Result<reqwest::Client, ClientError> {
    // reqwest is built without a default crypto provider; install ring's for the process
    // (an already installed provider is kept).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent.unwrap_or(DEFAULT_USER_AGENT))
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| ClientError::Build(e.to_string()))
}

impl HttpClient {
    /// Live network client with the given `User-Agent` (default [`DEFAULT_USER_AGENT`]).
    pub fn live(user_agent: Option<&str>) -> Result<Self, ClientError> {
        Ok(HttpClient {
            inner: Inner::Live {
                client: build_reqwest(user_agent)?,
                recorder: None,
            },
        })
    }

    /// Live client that also appends every answer it gets to the recording `dir`.
    pub fn record(user_agent: Option<&str>, dir: &Path) -> Result<Self, ClientError> {
        Ok(HttpClient {
            inner: Inner::Live {
                client: build_reqwest(user_agent)?,
                recorder: Some(Recorder::create(dir)?),
            },
        })
    }

    /// Offline client answering from the recording `dir`.
    pub fn replay(dir: &Path) -> Result<Self, ClientError> {
        Ok(HttpClient {
            inner: Inner::Replay(Replay::load(dir)?),
        })
    }

    /// Offline client answering from a function (tests, benchmarks).
    pub fn in_memory(responder: Responder) -> Self {
        HttpClient {
            inner: Inner::Memory(responder),
        }
    }

    /// `true` when no network is involved: the runner then skips the request budget and the
    /// backoff sleeps (politeness is owed to servers, not to files).
    pub fn is_offline(&self) -> bool {
        !matches!(self.inner, Inner::Live { .. })
    }

    /// The requests a replay could not answer (empty in other modes).
    pub fn missing(&self) -> Vec<MissingRequest> {
        match &self.inner {
            Inner::Replay(r) => r.missing(),
            _ => Vec::new(),
        }
    }

    /// Sends one request (no retry here) with `headers` and an overall `timeout`.
    pub async fn send(
        &self,
        request: &Request,
        headers: &[(String, String)],
        timeout: Duration,
    ) -> Result<RawResponse, TransportError> {
        match &self.inner {
            Inner::Replay(r) => {
                let a = r.answer(request);
                Ok(RawResponse {
                    status: a.status,
                    body: a.body,
                    retry_after: None,
                    missing: a.missing,
                })
            }
            Inner::Memory(f) => {
                let (status, body) = f(request);
                Ok(RawResponse {
                    status,
                    body,
                    retry_after: None,
                    missing: false,
                })
            }
            Inner::Live { client, recorder } => {
                let fut = live_send(client, request, headers);
                let res = match tokio::time::timeout(timeout, fut).await {
                    Ok(r) => r?,
                    Err(_) => return Err(TransportError::Timeout(timeout)),
                };
                if let Some(rec) = recorder
                    && let Err(e) = rec.record(request, res.status, &res.body)
                {
                    tracing::warn!("recording failed: {e}");
                }
                Ok(res)
            }
        }
    }
}

async fn live_send(
    client: &reqwest::Client,
    request: &Request,
    headers: &[(String, String)],
) -> Result<RawResponse, TransportError> {
    let mut b = match request.method {
        Method::Get => client.get(&request.url),
        Method::Post => client.post(&request.url),
    };
    for (name, value) in headers {
        b = b.header(name.as_str(), value.as_str());
    }
    if let Some(body) = &request.body {
        let bytes = serde_json::to_vec(body).map_err(|e| TransportError::Invalid(e.to_string()))?;
        b = b
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes);
    }
    let resp = b.send().await.map_err(map_err)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.bytes().await.map_err(map_err)?.to_vec();
    Ok(RawResponse {
        status,
        body,
        retry_after,
        missing: false,
    })
}

fn map_err(e: reqwest::Error) -> TransportError {
    if e.is_builder() {
        TransportError::Invalid(e.to_string())
    } else {
        // Include the source chain: reqwest's own message is terse.
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            src = s.source();
        }
        TransportError::Network(msg)
    }
}

/// The wall clock, for `Retry-After` dates (I/O edge).
pub(crate) fn wall_clock() -> SystemTime {
    SystemTime::now()
}
