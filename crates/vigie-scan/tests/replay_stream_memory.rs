//! A replay larger than its memory budget: the answers are read from disk when asked for,
//! so the memory of the process does not grow with the recording. Alone in its test binary
//! (its own process), so that the resident set it measures is its own.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::Write as _;

use vigie_scan::Replay;
use vigie_scan::recording::EXCHANGES_FILE;
use vigie_slots::Request;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const MIB: usize = 1024 * 1024;
/// Response files of 1 MiB each.
const FILES: usize = 200;
/// Inline answers, each ~16 KiB.
const INLINE: usize = 400;
const INLINE_ITEMS: usize = 4_000;

/// `VmRSS` or `VmHWM` of this process, in bytes (Linux).
fn status_kib(field: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn rss() -> usize {
    status_kib("VmRSS:").unwrap_or(0)
}

fn file_url(i: usize) -> String {
    format!("https://h/file/{i}?page=1&size=1048576")
}

fn inline_url(i: usize) -> String {
    format!("https://h/inline?centre={i}")
}

/// The 1 MiB body of file `i`: its number first, its low byte last.
fn file_body(i: usize) -> Vec<u8> {
    let mut b = vec![b'.'; MIB];
    let head = format!("{i:08}");
    b[..8].copy_from_slice(head.as_bytes());
    b[MIB - 1] = i as u8;
    b
}

#[test]
fn a_replay_larger_than_the_memory_budget_completes() -> TestResult {
    if status_kib("VmRSS:").is_none() {
        eprintln!("no /proc/self/status: skipped");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("responses"))?;
    let mut total = 0usize;
    {
        let mut lines =
            std::io::BufWriter::new(std::fs::File::create(dir.path().join(EXCHANGES_FILE))?);
        for i in 0..FILES {
            let rel = format!("responses/{i:06}.bin");
            let body = file_body(i);
            total += body.len();
            std::fs::write(dir.path().join(&rel), body)?;
            let line = serde_json::json!({
                "method": "GET", "url": file_url(i), "status": 200, "response_file": rel,
            });
            writeln!(lines, "{line}")?;
        }
        for i in 0..INLINE {
            let mut items = String::new();
            for k in 0..INLINE_ITEMS {
                let sep = if k == 0 { "" } else { "," };
                write!(items, "{sep}{}", (i + k) % 1000)?;
            }
            let line = format!(
                r#"{{"method":"GET","url":"{}","status":200,"response":{{"centre":{i},"items":[{items}]}}}}"#,
                inline_url(i)
            );
            total += line.len();
            writeln!(lines, "{line}")?;
        }
        lines.flush()?;
    }
    assert!(total > 200 * MIB, "{total}");

    let before = rss();
    // Resets the high-water mark, to see the peaks inside `load` and `answer` too.
    let hwm = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let replay = Replay::load(dir.path())?;
    let after_load = rss();
    assert_eq!(replay.len(), FILES + INLINE);
    let mut peak = after_load;

    for i in 0..FILES {
        let a = replay.answer(&Request::get(file_url(i), "t"));
        assert_eq!(
            (a.status, a.missing, a.body.len()),
            (200, false, MIB),
            "{i}"
        );
        assert_eq!(&a.body[..8], format!("{i:08}").as_bytes());
        assert_eq!(a.body[MIB - 1], i as u8);
        assert_eq!(a.body[MIB / 2], b'.');
        drop(a);
        peak = peak.max(rss());
    }
    for i in 0..INLINE {
        let a = replay.answer(&Request::get(inline_url(i), "t"));
        assert_eq!((a.status, a.missing), (200, false), "{i}");
        let v: serde_json::Value = serde_json::from_slice(&a.body)?;
        assert_eq!(v["centre"], i);
        let items = v["items"].as_array().map(Vec::len);
        assert_eq!(items, Some(INLINE_ITEMS));
        assert_eq!(v["items"][INLINE_ITEMS - 1], (i + INLINE_ITEMS - 1) % 1000);
        drop((a, v));
        peak = peak.max(rss());
    }
    assert!(replay.missing().is_empty());
    if hwm && let Some(h) = status_kib("VmHWM:") {
        peak = peak.max(h);
    }
    let load_growth = after_load.saturating_sub(before);
    let peak_growth = peak.saturating_sub(before);
    eprintln!(
        "recording {:.1} MiB; RSS before load {:.1} MiB, growth after load {:.2} MiB, peak growth {:.2} MiB (high-water mark reset: {hwm})",
        total as f64 / MIB as f64,
        before as f64 / MIB as f64,
        load_growth as f64 / MIB as f64,
        peak_growth as f64 / MIB as f64,
    );
    assert!(load_growth < 16 * MIB, "index: {load_growth} bytes");
    assert!(
        peak_growth < total / 4,
        "peak: {peak_growth} of {total} bytes"
    );
    Ok(())
}
