//! The server's in-memory caches, bounded in bytes: rendered pages, PNG charts rasterised on
//! demand, and serialised slot-search answers. Each entry weighs its key and value bytes plus a
//! fixed overhead, and each cache evicts (CLOCK-Pro, [`quick_cache`]) once its share of
//! [`crate::limits::Limits::cache_bytes`] is reached: half for slot answers, a quarter each for
//! pages and PNGs.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Bytes counted for an entry beyond its key and value (map slot, `Arc`, bookkeeping).
const ENTRY_OVERHEAD: u64 = 96;

/// Something whose size in bytes is known.
pub trait Weighed {
    /// Bytes held.
    fn bytes(&self) -> usize;
}

impl Weighed for Arc<String> {
    fn bytes(&self) -> usize {
        self.len()
    }
}

impl Weighed for Arc<Vec<u8>> {
    fn bytes(&self) -> usize {
        self.len()
    }
}

impl Weighed for (Instant, Bytes) {
    fn bytes(&self) -> usize {
        self.1.len()
    }
}

/// Weighs an entry by its bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByBytes;

impl<V: Weighed> Weighter<String, V> for ByBytes {
    fn weight(&self, key: &String, val: &V) -> u64 {
        (key.len() + val.bytes()) as u64 + ENTRY_OVERHEAD
    }
}

/// One cache bounded in bytes.
pub type ByteCache<V> = Cache<String, V, ByBytes>;

/// A cache of at most `bytes` bytes, sized for entries of about `typical` bytes.
fn byte_cache<V: Weighed + Clone>(bytes: u64, typical: u64) -> ByteCache<V> {
    let items = usize::try_from((bytes / typical.max(1)).max(16)).unwrap_or(usize::MAX);
    Cache::with_weighter(items, bytes.max(1), ByBytes)
}

/// The server's caches.
pub struct Caches {
    /// Rendered pages by release id and URL.
    pub pages: ByteCache<Arc<String>>,
    /// PNG charts by release id and path.
    pub png: ByteCache<Arc<Vec<u8>>>,
    /// Slot-search answers by normalised query, with the time they were computed.
    pub slots: ByteCache<(Instant, Bytes)>,
    budget: u64,
}

impl Caches {
    /// Caches sharing `budget` bytes.
    pub fn new(budget: u64) -> Caches {
        Caches {
            pages: byte_cache(budget / 4, 50_000),
            png: byte_cache(budget / 4, 60_000),
            slots: byte_cache(budget / 2, 20_000),
            budget,
        }
    }

    /// Bytes held by all the caches now.
    pub fn weight(&self) -> u64 {
        self.pages.weight() + self.png.weight() + self.slots.weight()
    }

    /// The configured budget.
    pub fn budget(&self) -> u64 {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_of_large_answers_stays_within_the_budget() {
        let caches = Caches::new(4 * 1024 * 1024);
        let answer = Bytes::from(vec![b'x'; 300 * 1024]);
        for i in 0..200 {
            caches
                .slots
                .insert(format!("radius={i}"), (Instant::now(), answer.clone()));
            assert!(caches.weight() <= caches.budget(), "{}", caches.weight());
        }
        assert!(caches.slots.len() >= 4, "{}", caches.slots.len());
    }
}
