//! A per-platform circuit breaker: a small pure state machine (time is passed in as a
//! [`Duration`] since an arbitrary origin).
//!
//! * **Closed**: every request is allowed. The breaker trips (→ open) after
//!   `failure_threshold` consecutive failures (timeouts, connection errors, 5xx and 429 that
//!   survived their retries, 403), or when `blocked_threshold` of the last `blocked_window`
//!   answers were 403 (a "403 wave", even interleaved with successes).
//! * **Open**: requests fail fast until `open_for` has elapsed since the trip.
//! * **Half-open**: at most `half_open_probes` probe requests in flight; a success closes the
//!   breaker (counters reset), a failure re-opens it for another `open_for`.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Breaker thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerConfig {
    /// Consecutive failures that trip the breaker.
    pub failure_threshold: u32,
    /// 403 answers among the last `blocked_window` answers that trip the breaker.
    pub blocked_threshold: u32,
    /// Size of the sliding window for 403 answers.
    pub blocked_window: u32,
    /// How long the breaker stays open before letting a probe through.
    #[serde(with = "crate::policy::millis")]
    pub open_for: Duration,
    /// Probes allowed in flight while half-open.
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 10,
            blocked_threshold: 5,
            blocked_window: 20,
            open_for: Duration::from_secs(60),
            half_open_probes: 1,
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// What a request ended with, as far as the breaker is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The platform answered (2xx, or a 4xx other than 403/429: the platform is up).
    Success,
    /// HTTP 403: the platform blocks us.
    Blocked,
    /// Timeout, connection error, 5xx, or 429 after the retries.
    Failure,
}

/// The breaker of one platform.
#[derive(Debug, Clone)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    consecutive_failures: u32,
    /// Last answers, `true` for a 403 (at most `blocked_window`).
    recent: VecDeque<bool>,
    /// When an open breaker lets a probe through.
    reopen_at: Duration,
    probes_in_flight: u32,
    trips: u32,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Breaker {
            config,
            state: BreakerState::Closed,
            consecutive_failures: 0,
            recent: VecDeque::new(),
            reopen_at: Duration::ZERO,
            probes_in_flight: 0,
            trips: 0,
        }
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// The state at `now` (an open breaker whose delay has elapsed reports half-open).
    pub fn state(&self, now: Duration) -> BreakerState {
        match self.state {
            BreakerState::Open if self.cooled_down(now) => BreakerState::HalfOpen,
            s => s,
        }
    }

    /// How many times the breaker tripped (closed or half-open → open).
    pub fn trips(&self) -> u32 {
        self.trips
    }

    fn cooled_down(&self, now: Duration) -> bool {
        now >= self.reopen_at
    }

    /// May a request be sent at `now`? Every `true` must be followed by exactly one
    /// [`Breaker::record`] of its outcome.
    pub fn try_acquire(&mut self, now: Duration) -> bool {
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => {
                if self.cooled_down(now) {
                    self.state = BreakerState::HalfOpen;
                    self.probes_in_flight = 0;
                    self.try_acquire(now)
                } else {
                    false
                }
            }
            BreakerState::HalfOpen => {
                if self.probes_in_flight < self.config.half_open_probes.max(1) {
                    self.probes_in_flight += 1;
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Records the outcome of a request allowed by [`Breaker::try_acquire`].
    pub fn record(&mut self, outcome: Outcome, now: Duration) {
        let window = self.config.blocked_window.max(1) as usize;
        self.recent.push_back(outcome == Outcome::Blocked);
        while self.recent.len() > window {
            self.recent.pop_front();
        }
        match outcome {
            Outcome::Success => self.consecutive_failures = 0,
            Outcome::Blocked | Outcome::Failure => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            }
        }
        match self.state {
            BreakerState::Closed => {
                let blocked = self.recent.iter().filter(|b| **b).count();
                if self.consecutive_failures >= self.config.failure_threshold.max(1)
                    || blocked >= self.config.blocked_threshold.max(1) as usize
                {
                    self.trip(now);
                }
            }
            BreakerState::HalfOpen => {
                self.probes_in_flight = self.probes_in_flight.saturating_sub(1);
                if outcome == Outcome::Success {
                    self.state = BreakerState::Closed;
                    self.consecutive_failures = 0;
                    self.recent.clear();
                } else {
                    self.trip(now);
                }
            }
            // A request allowed before the trip finished after it: nothing more to do.
            BreakerState::Open => {}
        }
    }

    fn trip(&mut self, now: Duration) {
        self.state = BreakerState::Open;
        self.reopen_at = now.saturating_add(self.config.open_for);
        self.probes_in_flight = 0;
        self.trips += 1;
    }
}

/// What a breaker remembers from one scan to the next (a data directory's
/// `scans/breakers.json`): a platform that blocked us stays open for the rest of its delay,
/// and is then probed with one request, instead of being asked for every centre again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerMemory {
    /// `closed` or `open` (a half-open breaker is remembered open, its delay elapsed).
    pub state: BreakerState,
    pub consecutive_failures: u32,
    /// The last answers, `true` for a 403, oldest first.
    pub recent: Vec<bool>,
    /// When an open breaker lets a probe through (RFC 3339, wall clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopen_at: Option<String>,
    pub trips: u32,
}

impl Breaker {
    /// What to remember at `now` (since the breaker's origin), which is `wall` on the clock.
    pub fn remember(&self, now: Duration, wall: jiff::Timestamp) -> BreakerMemory {
        let open = self.state != BreakerState::Closed;
        let left = self.reopen_at.saturating_sub(now);
        BreakerMemory {
            state: if open {
                BreakerState::Open
            } else {
                BreakerState::Closed
            },
            consecutive_failures: self.consecutive_failures,
            recent: self.recent.iter().copied().collect(),
            reopen_at: open.then(|| {
                jiff::SignedDuration::try_from(left)
                    .ok()
                    .and_then(|d| wall.checked_add(d).ok())
                    .unwrap_or(wall)
                    .to_string()
            }),
            trips: self.trips,
        }
    }

    /// A breaker as `memory` left it, at `now` (since the new origin), which is `wall`.
    pub fn recall(
        config: BreakerConfig,
        memory: &BreakerMemory,
        now: Duration,
        wall: jiff::Timestamp,
    ) -> Self {
        let mut b = Breaker::new(config);
        let window = config.blocked_window.max(1) as usize;
        let skip = memory.recent.len().saturating_sub(window);
        b.recent = memory.recent.iter().skip(skip).copied().collect();
        b.consecutive_failures = memory.consecutive_failures;
        b.trips = memory.trips;
        if memory.state != BreakerState::Closed {
            b.state = BreakerState::Open;
            let left = memory
                .reopen_at
                .as_deref()
                .and_then(|at| at.parse::<jiff::Timestamp>().ok())
                .map(|at| at.duration_since(wall))
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(Duration::ZERO)
                // Never longer than the configured delay (a clock moved back, a shorter
                // delay configured since).
                .min(config.open_for);
            b.reopen_at = now.saturating_add(left);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cfg() -> BreakerConfig {
        BreakerConfig {
            failure_threshold: 3,
            blocked_threshold: 2,
            blocked_window: 4,
            open_for: Duration::from_secs(10),
            half_open_probes: 1,
        }
    }

    const T0: Duration = Duration::ZERO;

    #[test]
    fn an_open_breaker_is_remembered_across_scans() {
        let mut b = Breaker::new(cfg());
        b.record(Outcome::Blocked, Duration::from_secs(5));
        b.record(Outcome::Blocked, Duration::from_secs(5));
        assert_eq!(b.state(Duration::from_secs(5)), BreakerState::Open);
        let w = |s: i64| jiff::Timestamp::from_second(1_600_000_000 + s).unwrap_or_default();
        // Remembered 2 s after the trip: 8 s left.
        let m = b.remember(Duration::from_secs(7), w(0));
        assert_eq!(m.state, BreakerState::Open);
        assert_eq!(m.reopen_at.as_deref(), Some(w(8).to_string().as_str()));
        assert_eq!(m.trips, 1);
        // The next scan, 3 s later on the clock, with a fresh origin: 5 s left.
        let mut r = Breaker::recall(cfg(), &m, T0, w(3));
        assert_eq!(r.state(Duration::from_secs(4)), BreakerState::Open);
        assert!(!r.try_acquire(Duration::from_secs(4)));
        assert!(
            r.try_acquire(Duration::from_secs(5)),
            "one probe once the delay is over"
        );
        assert!(!r.try_acquire(Duration::from_secs(5)));
        // Round trip through JSON; a closed breaker keeps its recent answers.
        let json = serde_json::to_string(&m).unwrap_or_default();
        let back: BreakerMemory = serde_json::from_str(&json).unwrap_or(m.clone());
        assert_eq!(back, m);
        let closed = Breaker::new(cfg()).remember(T0, w(0));
        assert_eq!(
            (closed.state, closed.reopen_at),
            (BreakerState::Closed, None)
        );
        // A memory from long ago: the delay is over.
        let mut old = Breaker::recall(cfg(), &m, T0, w(3600));
        assert!(old.try_acquire(T0));
    }

    #[test]
    fn trips_on_consecutive_failures_and_recovers() {
        let mut b = Breaker::new(cfg());
        for _ in 0..2 {
            assert!(b.try_acquire(T0));
            b.record(Outcome::Failure, T0);
        }
        assert_eq!(b.state(T0), BreakerState::Closed);
        assert!(b.try_acquire(T0));
        b.record(Outcome::Failure, T0);
        assert_eq!(b.state(T0), BreakerState::Open);
        assert!(!b.try_acquire(Duration::from_secs(9)));
        // Half-open: one probe only.
        let t = Duration::from_secs(10);
        assert_eq!(b.state(t), BreakerState::HalfOpen);
        assert!(b.try_acquire(t));
        assert!(!b.try_acquire(t));
        b.record(Outcome::Success, t);
        assert_eq!(b.state(t), BreakerState::Closed);
        assert_eq!(b.trips(), 1);
    }

    #[test]
    fn a_success_resets_the_failure_count() {
        let mut b = Breaker::new(cfg());
        for o in [Outcome::Failure, Outcome::Failure, Outcome::Success] {
            assert!(b.try_acquire(T0));
            b.record(o, T0);
        }
        assert!(b.try_acquire(T0));
        b.record(Outcome::Failure, T0);
        assert_eq!(b.state(T0), BreakerState::Closed);
    }

    #[test]
    fn a_403_wave_trips_even_between_successes() {
        let mut b = Breaker::new(cfg());
        for o in [Outcome::Blocked, Outcome::Success, Outcome::Blocked] {
            assert!(b.try_acquire(T0));
            b.record(o, T0);
        }
        assert_eq!(b.state(T0), BreakerState::Open);
    }

    #[test]
    fn a_failed_probe_reopens() {
        let mut b = Breaker::new(cfg());
        for _ in 0..3 {
            assert!(b.try_acquire(T0));
            b.record(Outcome::Failure, T0);
        }
        let t = Duration::from_secs(11);
        assert!(b.try_acquire(t));
        b.record(Outcome::Failure, t);
        assert_eq!(b.state(t), BreakerState::Open);
        assert!(!b.try_acquire(Duration::from_secs(20)));
        assert!(b.try_acquire(Duration::from_secs(21)));
        assert_eq!(b.trips(), 2);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Acquire,
        Record(u8),
        Wait(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Acquire),
            (0u8..3).prop_map(Op::Record),
            (0u64..15).prop_map(Op::Wait),
        ]
    }

    proptest! {
        /// Invariants under any interleaving: an open breaker never lets a request through
        /// before its delay; half-open never has more probes in flight than allowed; the
        /// closed breaker never holds more consecutive failures than the threshold.
        #[test]
        fn invariants(ops in proptest::collection::vec(op(), 0..200)) {
            let mut b = Breaker::new(cfg());
            let mut now = Duration::ZERO;
            let mut in_flight = 0u32;
            for o in ops {
                match o {
                    Op::Acquire => {
                        let before = b.state(now);
                        let ok = b.try_acquire(now);
                        if before == BreakerState::Open {
                            prop_assert!(!ok);
                        }
                        if before == BreakerState::Closed {
                            prop_assert!(ok);
                        }
                        if ok { in_flight += 1; }
                    }
                    Op::Record(k) if in_flight > 0 => {
                        in_flight -= 1;
                        let outcome = [Outcome::Success, Outcome::Blocked, Outcome::Failure][usize::from(k)];
                        b.record(outcome, now);
                    }
                    Op::Record(_) => {}
                    Op::Wait(s) => now += Duration::from_secs(s),
                }
                prop_assert!(b.probes_in_flight <= cfg().half_open_probes);
                if b.state == BreakerState::Closed {
                    prop_assert!(b.consecutive_failures < cfg().failure_threshold);
                    prop_assert!(b.recent.iter().filter(|x| **x).count() < cfg().blocked_threshold as usize);
                }
                prop_assert!(b.recent.len() <= cfg().blocked_window as usize);
            }
        }
    }
}
