//! Benchmark of a full replayed scan (see bench/scan/README.md).
//!
//! `cargo run --release -p vigie-scan --example replay_bench [-- CENTRES]`
//!
//! Generates a synthetic Bimedoc recording of CENTRES pharmacies (default 10,000; 6 slots
//! each), then times, in the same run:
//! 1. `direct`: the connector loop alone (no runner, no HTTP layer): the floor;
//! 2. `memory`: the runner with a zero-cost in-memory responder (baseline);
//! 3. `replay`: loading the recording, then the runner answering from it.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use vigie_scan::{CentreTarget, Connectors, HttpClient, Replay, ScanConfig, ScanRun, Scanner};
use vigie_slots::platforms::bimedoc::{self, Bimedoc};
use vigie_slots::{Connector, Exchange, Platform, ScanTarget, Step};

fn targets(n: usize) -> Vec<CentreTarget> {
    (0..n)
        .map(|i| {
            let id = format!("{i:08x}-5e1f-4c0a-9d3b-{i:012x}");
            CentreTarget {
                centre_id: format!("bimedoc:{id}"),
                platform: Platform::Bimedoc,
                target: ScanTarget {
                    booking_url: bimedoc::booking_url(&id),
                    platform_id: id,
                    department: Some(format!("{:02}", 1 + i % 95)),
                    address: None,
                    start: jiff::civil::date(2021, 6, 1),
                    days: 11,
                    platform_data: None,
                },
            }
        })
        .collect()
}

fn body(i: usize, id: &str) -> serde_json::Value {
    let slots: Vec<serde_json::Value> = (0..6)
        .map(|k| {
            serde_json::json!({
                "vaccine_name": if k % 2 == 0 { "COMIRNATY Pfizer-BioNTech" } else { "SPIKEVAX Moderna" },
                "datetime": format!("2021-06-{:02}T{:02}:{:02}:00Z", 2 + (i + k) % 9, 7 + k, (i % 4) * 15),
            })
        })
        .collect();
    serde_json::json!({
        "id": id, "name": format!("Pharmacie {i}"), "coordinates": [2.25, 50.75],
        "street": "51 Place du Marché", "city": "Saint-Omer", "postcode": "62500",
        "phone_number": "0321382253",
        "vaccine_names": ["COMIRNATY Pfizer-BioNTech", "SPIKEVAX Moderna"],
        "slots": slots,
    })
}

fn summary(run: &ScanRun) -> (usize, usize, u64) {
    let ok = run.centres.iter().filter(|c| c.error.is_none()).count();
    let slots: usize = run
        .centres
        .iter()
        .filter_map(|c| c.summary.as_ref())
        .map(|s| s.slots)
        .sum();
    let requests = run.platforms.iter().map(|p| p.requests).sum();
    (ok, slots, requests)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let targets = targets(n);
    let mut answers: HashMap<String, Vec<u8>> = HashMap::with_capacity(n);
    let dir = tempfile::tempdir()?;
    {
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(dir.path().join("exchanges.jsonl"))?);
        for (i, t) in targets.iter().enumerate() {
            let url = bimedoc::slots_url(&t.target.platform_id, t.target.start, t.target.days);
            let b = body(i, &t.target.platform_id);
            let line =
                serde_json::json!({"method": "GET", "url": url, "status": 200, "response": b});
            writeln!(f, "{line}")?;
            answers.insert(url, serde_json::to_vec(&b)?);
        }
        f.flush()?;
    }
    let size = std::fs::metadata(dir.path().join("exchanges.jsonl"))?.len();
    println!(
        "centres: {n}, recording: {:.1} MiB",
        size as f64 / 1_048_576.0
    );

    // 1. direct connector loop
    let t0 = Instant::now();
    let mut direct_slots = 0usize;
    for t in &targets {
        let mut flow = Bimedoc.start(&t.target)?;
        let mut ex: Vec<Exchange> = Vec::new();
        loop {
            match flow.step(std::mem::take(&mut ex))? {
                Step::Send(reqs) => {
                    for r in reqs {
                        let body = answers.get(&r.url).cloned().unwrap_or_default();
                        ex.push(Exchange {
                            request: r,
                            status: 200,
                            body,
                        });
                    }
                }
                Step::Done(o) => {
                    direct_slots += o.slots.len();
                    break;
                }
            }
        }
    }
    let direct = t0.elapsed();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let now = jiff::Timestamp::from_second(1_622_534_400)?;
    let connectors = Connectors::new().with(Bimedoc);

    // 2. runner + in-memory responder (baseline)
    let answers = Arc::new(answers);
    let a = Arc::clone(&answers);
    let memory_client = Arc::new(HttpClient::in_memory(Arc::new(move |r| {
        match a.get(&r.url) {
            Some(b) => (200, b.clone()),
            None => (404, Vec::new()),
        }
    })));
    let t0 = Instant::now();
    let scanner = Scanner::new(memory_client, connectors.clone(), ScanConfig::default());
    let mem_run = rt.block_on(scanner.scan(targets.clone(), now));
    let memory = t0.elapsed();

    // 3. replay: load + scan
    let t0 = Instant::now();
    let replay = Replay::load(dir.path())?;
    let load = t0.elapsed();
    drop(replay);
    let t0 = Instant::now();
    let replay_client = Arc::new(HttpClient::replay(dir.path())?);
    let scanner = Scanner::new(replay_client, connectors, ScanConfig::default());
    let replay_run = rt.block_on(scanner.scan(targets, now));
    let replay_total = t0.elapsed();

    let (mo, ms, mr) = summary(&mem_run);
    let (ro, rs, rr) = summary(&replay_run);
    println!(
        "direct connector loop : {:>8.3} s  ({direct_slots} slots)",
        direct.as_secs_f64()
    );
    println!(
        "runner + in-memory    : {:>8.3} s  ({mo} ok, {ms} slots, {mr} requests)",
        memory.as_secs_f64()
    );
    println!("replay load only      : {:>8.3} s", load.as_secs_f64());
    println!(
        "runner + replay (load + scan): {:>8.3} s  ({ro} ok, {rs} slots, {rr} requests, {} missing)",
        replay_total.as_secs_f64(),
        replay_run.missing_replay.len()
    );
    println!(
        "replay overhead vs in-memory: {:+.3} s ({:.2}x)",
        replay_total.as_secs_f64() - memory.as_secs_f64(),
        replay_total.as_secs_f64() / memory.as_secs_f64().max(1e-9)
    );
    if (mo, ms) != (ro, rs) || ro != n || rs != direct_slots {
        return Err("runs disagree".into());
    }
    Ok(())
}
