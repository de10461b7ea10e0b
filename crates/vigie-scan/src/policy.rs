//! Politeness: per-platform concurrency, request budget, timeouts, retries and headers.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use vigie_slots::Platform;

use crate::breaker::BreakerConfig;

/// Serde of a [`Duration`] as whole milliseconds.
pub(crate) mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// The default identifying `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "Vigie/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/vigie-fr/vigie; slot scanner, contact via the repository issues)"
);

/// Retries with exponential backoff and full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// Base delay: attempt `n` (1-based) waits a random delay in `[d/2, d]` with
    /// `d = min(base × 2^(n-1), max_delay)`.
    #[serde(with = "millis")]
    pub base_delay: Duration,
    #[serde(with = "millis")]
    pub max_delay: Duration,
    /// Cap on an honoured `Retry-After` (a longer one is cut to this).
    #[serde(with = "millis")]
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (1-based), with `unit` in `[0, 1]` the
    /// random draw (jitter).
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exp = 2u32.saturating_pow(retry.saturating_sub(1));
        let d = self.base_delay.saturating_mul(exp).min(self.max_delay);
        let unit = unit.clamp(0.0, 1.0);
        d.mul_f64(0.5 + 0.5 * unit)
    }
}

/// Politeness settings of one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformPolicy {
    /// Centres scanned at the same time (each centre sends its requests one after another).
    pub concurrency: usize,
    /// Request budget: sustained requests per second (token bucket refill rate).
    pub rate_per_sec: f64,
    /// Token bucket capacity (requests allowed in a burst).
    pub burst: u32,
    /// Per-request timeout (connect + whole answer).
    #[serde(with = "millis")]
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    /// Extra headers (API keys, `Referer`), sent on every request of the platform.
    pub headers: Vec<(String, String)>,
}

impl PlatformPolicy {
    /// Vigie's defaults for a platform (see the crate README): timeouts from the reference
    /// scraper (§1.5 of slot-platforms.md), budgets well below what a browser user generates.
    pub fn default_for(platform: Platform) -> Self {
        let (concurrency, rate, timeout_s) = match platform {
            Platform::Doctolib => (8, 5.0, 10),
            Platform::Keldoc => (4, 3.0, 30),
            Platform::Maiia => (4, 3.0, 5),
            Platform::Ordoclic => (4, 3.0, 20),
            Platform::Mapharma => (2, 2.0, 15),
            Platform::AvecMonDoc => (2, 2.0, 20),
            Platform::Mesoigner => (4, 4.0, 10),
            Platform::Bimedoc => (4, 4.0, 15),
            Platform::Valwin => (4, 4.0, 15),
        };
        let mut headers = Vec::new();
        if platform == Platform::Mapharma {
            headers.push(("Referer".to_string(), "https://mapharma.net/".to_string()));
        }
        PlatformPolicy {
            concurrency,
            rate_per_sec: rate,
            burst: u32::try_from(concurrency).unwrap_or(u32::MAX),
            timeout: Duration::from_secs(timeout_s),
            retry: RetryPolicy::default(),
            breaker: BreakerConfig::default(),
            headers,
        }
    }

    /// Adds the platform's API key header when `lookup(VAR)` has it (see [`api_key_header`]).
    pub fn with_api_key(
        mut self,
        platform: Platform,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Self {
        if let Some((var, name, prefix, suffix)) = api_key_header(platform)
            && let Some(key) = lookup(var).filter(|k| !k.trim().is_empty())
        {
            let value = format!("{prefix}{}{suffix}", key.trim());
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            self.headers.push((name.to_string(), value));
        }
        self
    }
}

/// The environment variable and header carrying a platform's API key:
/// `(variable, header, value prefix, value suffix)`.
///
/// From the reference (§1.1): mesoigner `Authorization: Mesoigner apikey="…"`, Bimedoc
/// `Authorization: Partner …`, AvecMonDoc as the `User-Agent`. The reference names the
/// variables of Doctolib, Keldoc, Maiia and Mapharma without their header; Vigie sends
/// them as `X-Covid-Tracker-Key` (Doctolib, Maiia, Mapharma) and `Authorization` (Keldoc),
/// overridable through [`PlatformPolicy::headers`].
pub fn api_key_header(
    platform: Platform,
) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    Some(match platform {
        Platform::Doctolib => ("DOCTOLIB_API_KEY", "X-Covid-Tracker-Key", "", ""),
        Platform::Keldoc => ("KELDOC_API_KEY", "Authorization", "", ""),
        Platform::Maiia => ("MAIIA_API_KEY", "X-Covid-Tracker-Key", "", ""),
        Platform::Mapharma => ("MAPHARMA_API_KEY", "X-Covid-Tracker-Key", "", ""),
        Platform::AvecMonDoc => ("AVECMONDOC_API_KEY", "User-Agent", "", ""),
        Platform::Mesoigner => (
            "MESOIGNER_API_KEY",
            "Authorization",
            "Mesoigner apikey=\"",
            "\"",
        ),
        Platform::Bimedoc => ("BIMEDOC_API_KEY", "Authorization", "Partner ", ""),
        Platform::Ordoclic | Platform::Valwin => return None,
    })
}

/// Parses a `Retry-After` value (delay in seconds or HTTP-date) into a delay from `now`,
/// capped at `cap`. A date in the past gives zero; an unreadable value gives `None`.
pub fn parse_retry_after(value: &str, now: SystemTime, cap: Duration) -> Option<Duration> {
    let v = value.trim();
    let d = if let Ok(secs) = v.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = httpdate::parse_http_date(v).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(d.min(cap))
}

/// A token bucket: `burst` tokens, refilled at `rate` per second. Pure (time passed in).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Duration,
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let capacity = f64::from(burst.max(1));
        TokenBucket {
            rate: rate_per_sec,
            capacity,
            tokens: capacity,
            last: Duration::ZERO,
        }
    }

    /// Takes a token at `now`, returning how long the caller must wait before sending
    /// (zero when a token was available). The token is reserved either way, so callers
    /// queue fairly. A rate of zero or less disables the budget.
    pub fn take(&mut self, now: Duration) -> Duration {
        if !self.rate.is_finite() || self.rate <= 0.0 {
            return Duration::ZERO;
        }
        let elapsed = now.saturating_sub(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(1),
        };
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(350));
        assert_eq!(p.backoff(40, 1.0), Duration::from_millis(350));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
        assert!(now.is_ok());
        let Ok(now) = now else { return };
        let cap = Duration::from_secs(30);
        assert_eq!(
            parse_retry_after("5", now, cap),
            Some(Duration::from_secs(5))
        );
        assert_eq!(parse_retry_after("120", now, cap), Some(cap));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now, cap),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now, cap),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now, cap), None);
    }

    #[test]
    fn token_bucket_spaces_requests() {
        let mut b = TokenBucket::new(2.0, 2);
        let t0 = Duration::ZERO;
        assert_eq!(b.take(t0), Duration::ZERO);
        assert_eq!(b.take(t0), Duration::ZERO);
        assert_eq!(b.take(t0), Duration::from_millis(500));
        assert_eq!(b.take(t0), Duration::from_millis(1000));
        // After 2 s the debt is paid, nothing more.
        assert_eq!(b.take(Duration::from_secs(2)), Duration::ZERO);
        let mut free = TokenBucket::new(0.0, 1);
        assert_eq!(free.take(t0), Duration::ZERO);
        assert_eq!(free.take(t0), Duration::ZERO);
    }

    #[test]
    fn api_keys_from_lookup() {
        let env = |v: &str| (v == "MESOIGNER_API_KEY").then(|| "k1".to_string());
        let p =
            PlatformPolicy::default_for(Platform::Mesoigner).with_api_key(Platform::Mesoigner, env);
        assert_eq!(
            p.headers,
            vec![(
                "Authorization".to_string(),
                "Mesoigner apikey=\"k1\"".to_string()
            )]
        );
        let env = |v: &str| (v == "BIMEDOC_API_KEY").then(|| "k2".to_string());
        let p = PlatformPolicy::default_for(Platform::Bimedoc).with_api_key(Platform::Bimedoc, env);
        assert_eq!(
            p.headers,
            vec![("Authorization".to_string(), "Partner k2".to_string())]
        );
        let p = PlatformPolicy::default_for(Platform::Doctolib)
            .with_api_key(Platform::Doctolib, |_| None);
        assert!(p.headers.is_empty());
    }
}
