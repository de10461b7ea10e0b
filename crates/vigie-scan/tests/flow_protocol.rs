//! The flow protocol as the runner drives it: every answer is handed to its flow exactly
//! once, in the order of the requests, including after retries (a counting fake).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::{TestResult, fast_config, run_time, target};
use vigie_scan::{BreakerConfig, Connectors, HttpClient, scan};
use vigie_slots::{
    Connector, Exchange, Flow, Platform, Request, ScanOutcome, ScanTarget, SlotError, Step,
};

/// What every flow was handed: per centre, the URLs of the answers, in order.
type Log = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// A branching flow: 3 requests, then 2 more per answer of the first one that says `more`,
/// then done with the number of answers it saw.
struct Counting {
    log: Log,
}

struct CountingFlow {
    id: String,
    log: Log,
    /// The requests of the last step, to check the order of the answers.
    sent: Vec<Request>,
    step: usize,
    seen: u64,
}

impl Connector for Counting {
    fn platform(&self) -> Platform {
        Platform::Valwin
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        Ok(Box::new(CountingFlow {
            id: target.platform_id.clone(),
            log: Arc::clone(&self.log),
            sent: Vec::new(),
            step: 0,
            seen: 0,
        }))
    }
}

impl Flow for CountingFlow {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        assert_eq!(answers.len(), self.sent.len(), "one answer per request");
        for (a, r) in answers.iter().zip(&self.sent) {
            assert_eq!(a.request.url, r.url, "answers in the order of the requests");
        }
        {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            let seen = log.entry(self.id.clone()).or_default();
            seen.extend(answers.iter().map(|a| a.request.url.clone()));
        }
        self.seen += answers.len() as u64;
        self.step += 1;
        let next: Vec<Request> = match self.step {
            1 => (0..3)
                .map(|k| Request::get(format!("https://t.invalid/{}/a{k}", self.id), "t"))
                .collect(),
            2 => answers
                .iter()
                .filter(|a| a.body == b"more")
                .flat_map(|a| {
                    (0..2).map(move |k| Request::get(format!("{}/b{k}", a.request.url), "t"))
                })
                .collect(),
            _ => Vec::new(),
        };
        if next.is_empty() {
            return Ok(Step::Done(ScanOutcome {
                platform_count: Some(self.seen),
                ..ScanOutcome::default()
            }));
        }
        self.sent = next.clone();
        Ok(Step::Send(next))
    }
}

#[tokio::test]
async fn every_answer_is_handed_to_its_flow_once() -> TestResult {
    let log: Log = Arc::default();
    // `a1` asks for more; the first try of every `a2` fails with a 503 (retried by the
    // runner: the flow must see its answer once, not the failed try).
    let tries: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let responder = {
        let tries = Arc::clone(&tries);
        Arc::new(move |r: &Request| {
            let mut t = tries.lock().unwrap_or_else(|e| e.into_inner());
            let n = t.entry(r.url.clone()).or_insert(0);
            *n += 1;
            if r.url.ends_with("/a2") && *n == 1 {
                return (503, Vec::new());
            }
            let body = if r.url.ends_with("/a1") { "more" } else { "ok" };
            (200, body.as_bytes().to_vec())
        })
    };
    let client = Arc::new(HttpClient::in_memory(responder));
    let targets: Vec<_> = (0..40)
        .map(|i| target(Platform::Valwin, &format!("c{i}")))
        .collect();
    let connectors = Connectors::new().with(Counting {
        log: Arc::clone(&log),
    });
    let config = fast_config(Platform::Valwin, 4, BreakerConfig::default());
    let run = scan(targets, connectors, client, config, run_time()).await;
    let log = log.lock().unwrap_or_else(|e| e.into_inner());
    assert_eq!(log.len(), 40);
    for c in &run.centres {
        assert!(c.error.is_none(), "{:?}", c.error);
        // 3 first requests, 2 more for a1: 5 answers, each once; 6 requests with the retry.
        assert_eq!(c.summary.as_ref().and_then(|s| s.platform_count), Some(5));
        assert_eq!(c.requests, 6);
        assert_eq!(c.retries, 1);
        let id = c.centre_id.trim_start_matches("valwin:");
        let seen = &log[id];
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{id}: an answer handed twice: {seen:?}"
        );
        assert_eq!(
            seen,
            &[
                format!("https://t.invalid/{id}/a0"),
                format!("https://t.invalid/{id}/a1"),
                format!("https://t.invalid/{id}/a2"),
                format!("https://t.invalid/{id}/a1/b0"),
                format!("https://t.invalid/{id}/a1/b1"),
            ]
        );
    }
    Ok(())
}
