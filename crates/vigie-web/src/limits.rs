//! What the server grants one client and all of them: timeouts, connection caps, a request
//! rate, the cache budget and the compression threshold ([`Limits`], `[serve]` of
//! `vigie.toml`), the accept loop that enforces the connection-level ones ([`serve_limited`]),
//! and the client address behind trusted proxies ([`client_ip`]).
//!
//! Connections are served by hyper's HTTP/1.1 server ([`hyper::server::conn::http1`]) with its
//! header-read timeout: a client that trickles its headers, or a keep-alive connection that
//! sends no new request, is closed after [`Limits::header_read_timeout`]. A connection on which
//! no byte moves either way for [`Limits::idle_timeout`] (a client that stops reading its
//! answer) is closed too. The global cap keeps the server below its open-file limit; at the
//! cap, a new connection closes the one waiting longest without being answered (one that never
//! sent a whole request first, then an idle keep-alive one), so that clients trickling headers
//! from many addresses cannot keep others out; the per-client cap keeps one client from taking
//! every slot. Requests are limited per client by a
//! GCRA token bucket ([`governor`]): over the rate, `429 Too Many Requests` with
//! `Retry-After`. `/healthz` is never rate-limited.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The server's limits, with safe defaults for a public server on a machine with the common
/// limit of 1,024 open files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Seconds a client has to send a request's headers, from the connection's start or the
    /// end of its previous answer (so also how long a keep-alive connection may wait for its
    /// next request).
    pub header_read_timeout: u64,
    /// Seconds to produce an answer (then `408`).
    pub request_timeout: u64,
    /// Seconds without a byte moving either way after which a connection is closed.
    pub idle_timeout: u64,
    /// Open connections at most (the others are closed at once).
    pub max_connections: usize,
    /// Open connections at most per client address (trusted proxies excepted).
    pub max_connections_per_client: usize,
    /// Requests per second per client (0: no limit).
    pub requests_per_second: u32,
    /// Requests a client may send at once above its rate.
    pub burst: u32,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or networks, `10.0.0.0/8`).
    pub trusted_proxies: Vec<IpNet>,
    /// Bytes of rendered pages, PNG charts and slot answers kept in memory, all caches together.
    pub cache_bytes: u64,
    /// Answers larger than this many bytes are not compressed per request (big files are sent
    /// precompressed when the release has a `.gz` copy).
    pub compress_max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: 10,
            request_timeout: 30,
            idle_timeout: 60,
            max_connections: 768,
            max_connections_per_client: 64,
            requests_per_second: 50,
            burst: 200,
            trusted_proxies: Vec::new(),
            cache_bytes: 128 * 1024 * 1024,
            compress_max_bytes: 4 * 1024 * 1024,
        }
    }
}

/// A limit that cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// A value of zero where at least one is needed.
    #[error("serve.{0} must be at least 1")]
    Zero(&'static str),
}

impl Limits {
    /// Checks the values that must not be zero.
    pub fn validate(&self) -> Result<(), LimitError> {
        for (name, v) in [
            ("header_read_timeout", self.header_read_timeout),
            ("request_timeout", self.request_timeout),
            ("idle_timeout", self.idle_timeout),
            ("max_connections", self.max_connections as u64),
            (
                "max_connections_per_client",
                self.max_connections_per_client as u64,
            ),
        ] {
            if v == 0 {
                return Err(LimitError::Zero(name));
            }
        }
        if self.requests_per_second > 0 && self.burst == 0 {
            return Err(LimitError::Zero("burst"));
        }
        Ok(())
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }
}

/// The client of a request: the TCP peer, or, when the peer is a trusted proxy, the last
/// address of `X-Forwarded-For` that is not a trusted proxy itself.
pub fn client_ip(limits: &Limits, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !limits.trusts(peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if limits.trusts(ip) => continue,
            Ok(ip) => return ip,
            // An unreadable hop: stop believing what is left of it.
            Err(_) => return peer,
        }
    }
    peer
}

/// The per-client request limiter, shared by the middleware and its housekeeping task.
#[derive(Clone)]
pub struct RateGate {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    limits: Arc<Limits>,
}

impl RateGate {
    /// A limiter of `limits.requests_per_second` per client (none when 0).
    pub fn new(limits: Arc<Limits>) -> RateGate {
        let limiter = NonZeroU32::new(limits.requests_per_second).map(|rate| {
            let burst = NonZeroU32::new(limits.burst).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        RateGate { limiter, limits }
    }

    /// Forgets clients whose bucket is full again (call now and then: memory stays bounded).
    pub fn forget_idle_clients(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// `Err(wait)` when `client` is over its rate.
    fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        l.check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(l.clock().now()))
    }
}

/// The rate-limit middleware: `429` with `Retry-After` (whole seconds, at least 1) when the
/// client is over its rate; `/healthz` is always answered.
pub async fn rate_limit(State(gate): State<RateGate>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" || gate.limiter.is_none() {
        return next.run(req).await;
    }
    let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    let client = client_ip(&gate.limits, peer, req.headers());
    match gate.check(client) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut res = if req.uri().path().starts_with("/api/") {
                crate::api::problem(StatusCode::TOO_MANY_REQUESTS, "too many requests")
            } else {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "Trop de requêtes : réessayez dans un instant. / Too many requests.\n",
                )
                    .into_response()
            };
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerClient {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection counted against its client; uncounted on drop.
struct ClientSlot {
    table: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    fn take(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut open = lock(&self.open);
        let n = open.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            table: self.clone(),
            ip,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.table.open);
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// A TCP stream that records when a byte last moved, for the idle timeout.
struct Watched {
    inner: TcpStream,
    /// Milliseconds since `epoch` of the last read or write.
    last: Arc<AtomicU64>,
    epoch: Instant,
}

impl Watched {
    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets open
/// connections finish their answer.
pub async fn serve_limited(
    listener: TcpListener,
    app: Router,
    limits: Arc<Limits>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let global = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerClient::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_read_timeout))
        .keep_alive(true)
        .max_buf_size(64 * 1024);
    let idle = Duration::from_secs(limits.idle_timeout);
    let table = Arc::new(Connections::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little rather than spin, and go on.
                    tracing::warn!("accept error: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = if limits.trusts(peer.ip()) {
            None
        } else {
            match per_client.take(peer.ip(), limits.max_connections_per_client) {
                Some(s) => Some(s),
                // Over its own cap: closed at once (dropped), the listening queue keeps moving.
                None => continue,
            }
        };
        let permit = match global.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                // At the global cap: the connection that waits longest without being answered
                // (one that never sent a whole request first, then an idle keep-alive one) is
                // closed to make room, so that clients trickling headers from many addresses
                // cannot keep new clients out.
                if !table.evict_one() {
                    continue;
                }
                match tokio::time::timeout(
                    Duration::from_millis(200),
                    global.clone().acquire_owned(),
                )
                .await
                {
                    Ok(Ok(p)) => p,
                    _ => continue,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let epoch = Instant::now();
        let last = Arc::new(AtomicU64::new(0));
        let io = hyper_util::rt::TokioIo::new(Watched {
            inner: stream,
            last: last.clone(),
            epoch,
        });
        let router = app.clone();
        let entry = table.add();
        let state = entry.state.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            let busy = Busy::start(&state);
            async move {
                let req = req.map(axum::body::Body::new);
                let res = tower::Service::call(&mut router, req).await;
                drop(busy);
                res
            }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(run_connection(
            conn,
            IdleWatch {
                last,
                epoch,
                idle,
                entry,
            },
            permit,
            slot,
        ));
    }
    drop(listener);
    // Open connections finish the answer they are writing, for at most the request timeout.
    let _ = tokio::time::timeout(
        Duration::from_secs(limits.request_timeout),
        graceful.shutdown(),
    )
    .await;
    Ok(())
}

/// What a connection is doing, for eviction at the global cap.
#[derive(Default)]
struct ConnState {
    /// Requests being answered.
    in_flight: AtomicU64,
    /// Requests received so far.
    served: AtomicU64,
}

/// A request being answered (counted in `in_flight` until dropped).
struct Busy(Arc<ConnState>);

impl Busy {
    fn start(state: &Arc<ConnState>) -> Busy {
        state.in_flight.fetch_add(1, Ordering::Relaxed);
        state.served.fetch_add(1, Ordering::Relaxed);
        Busy(state.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One open connection in the table.
struct Entry {
    id: u64,
    state: Arc<ConnState>,
    close: Arc<tokio::sync::Notify>,
    table: Arc<Connections>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        lock(&self.table.open).remove(&self.id);
    }
}

/// An open connection as the table sees it: when it opened, what it does, how to close it.
type OpenConn = (Instant, Arc<ConnState>, Arc<tokio::sync::Notify>);

/// The open connections, for eviction at the global cap.
#[derive(Default)]
struct Connections {
    next: AtomicU64,
    open: Mutex<HashMap<u64, OpenConn>>,
}

/// Locks `m`, going on with the data of a poisoned lock (a panicking holder leaves counters
/// and tables in a usable state).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl Connections {
    fn add(self: &Arc<Self>) -> Entry {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (opened, state, close) = (
            Instant::now(),
            Arc::new(ConnState::default()),
            Arc::new(tokio::sync::Notify::new()),
        );
        lock(&self.open).insert(id, (opened, state.clone(), close.clone()));
        Entry {
            id,
            state,
            close,
            table: self.clone(),
        }
    }

    /// Asks the connection waiting longest without being answered to close: among those with
    /// no request in flight, one that never sent a whole request first, oldest first. Returns
    /// whether there was one.
    fn evict_one(&self) -> bool {
        let open = lock(&self.open);
        let victim = open
            .iter()
            .filter(|(_, (_, st, _))| st.in_flight.load(Ordering::Relaxed) == 0)
            .min_by_key(|(_, (opened, st, _))| (st.served.load(Ordering::Relaxed) > 0, *opened))
            .map(|(_, (_, _, close))| close.clone());
        match victim {
            Some(close) => {
                close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The idle watch of one connection.
struct IdleWatch {
    last: Arc<AtomicU64>,
    epoch: Instant,
    idle: Duration,
    entry: Entry,
}

/// Drives one connection until it ends, stays idle for `idle`, or is evicted; the permits
/// are released when it is dropped.
async fn run_connection<F: Future>(
    conn: F,
    w: IdleWatch,
    _permit: OwnedSemaphorePermit,
    _slot: Option<ClientSlot>,
) {
    tokio::pin!(conn);
    let idle_ms = u64::try_from(w.idle.as_millis()).unwrap_or(u64::MAX);
    loop {
        let since = w.last.load(Ordering::Relaxed);
        let deadline = w.epoch + Duration::from_millis(since.saturating_add(idle_ms));
        tokio::select! {
            _ = &mut conn => return,
            () = w.entry.close.notified() => return,
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {
                if w.last.load(Ordering::Relaxed) == since {
                    // Nothing moved for `idle`: dropping the connection closes it.
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(proxies: &[&str]) -> Limits {
        Limits {
            trusted_proxies: proxies.iter().filter_map(|p| p.parse().ok()).collect(),
            ..Limits::default()
        }
    }

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert("x-forwarded-for", v);
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let none = limits(&[]);
        assert_eq!(
            client_ip(&none, ip("192.0.2.1"), &xff("203.0.113.9")),
            ip("192.0.2.1")
        );
        let trusted = limits(&["10.0.0.0/8", "192.0.2.1/32"]);
        assert_eq!(
            client_ip(&trusted, ip("10.1.2.3"), &xff("203.0.113.9")),
            ip("203.0.113.9")
        );
        // A client that forges the header: the proxy appended the real address last.
        assert_eq!(
            client_ip(
                &trusted,
                ip("10.1.2.3"),
                &xff("198.51.100.7, 203.0.113.9, 192.0.2.1")
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(&trusted, ip("10.1.2.3"), &xff("garbage")),
            ip("10.1.2.3")
        );
        assert_eq!(
            client_ip(&trusted, ip("10.1.2.3"), &HeaderMap::new()),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn defaults_are_valid_and_zeros_are_refused() {
        assert!(Limits::default().validate().is_ok());
        let zero = Limits {
            max_connections: 0,
            ..Limits::default()
        };
        assert!(zero.validate().is_err());
        let no_rate = Limits {
            requests_per_second: 0,
            burst: 0,
            ..Limits::default()
        };
        assert!(no_rate.validate().is_ok());
    }

    #[test]
    fn the_rate_gate_refuses_beyond_the_burst_and_says_how_long_to_wait() {
        let gate = RateGate::new(Arc::new(Limits {
            requests_per_second: 1,
            burst: 3,
            ..Limits::default()
        }));
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert!(gate.check(a).is_ok());
        }
        let wait = gate.check(a).err();
        assert!(
            wait.is_some_and(|w| w <= Duration::from_secs(1)),
            "{wait:?}"
        );
        // Another client has its own bucket.
        assert!(gate.check(ip("192.0.2.2")).is_ok());
    }
}
