//! Replays streamed from disk: the matching rules over an index, inline answers as written,
//! recordings killed mid-write, errors at load. (The memory bound is in
//! `replay_stream_memory.rs`, alone in its process.)
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use vigie_scan::recording::{EXCHANGES_FILE, Recorder};
use vigie_scan::{RecordingError, Replay};
use vigie_slots::{Method, Request};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(dir: &Path, lines: &[&str]) -> std::io::Result<()> {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(EXCHANGES_FILE), text)
}

fn load_error(dir: &Path) -> String {
    match Replay::load(dir) {
        Ok(r) => format!("loaded {} exchanges", r.len()),
        Err(e) => e.to_string(),
    }
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null)
}

#[test]
fn matching_rules_are_those_of_the_format() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("responses"))?;
    std::fs::write(dir.path().join("responses/a.bin"), b"<html>first</html>")?;
    std::fs::write(dir.path().join("responses/b.json"), br#"{"from":"file"}"#)?;
    write(
        dir.path(),
        &[
            r#"{"method":"GET","url":"https://h/p?b=2&a=1","status":200,"response":{"q":"ab"}}"#,
            r#"{"method":"GET","url":"https://h/p?a=1","status":200,"response":{"q":"a"}}"#,
            r#"{"method":"GET","url":"https://h/p?a=1&a=1","status":200,"response":{"q":"aa"}}"#,
            r#"{"method":"GET","url":"https://h/p?x=a%20b","status":200,"response":{"q":"space"}}"#,
            // Three answers to one request, from the three sources, then the last repeats.
            r#"{"method":"GET","url":"https://h/seq","status":503,"response_file":"responses/a.bin"}"#,
            r#"{"method":"GET","url":"https://h/seq","status":204}"#,
            "",
            r#"{"method":"GET","url":"https://h/seq","status":200,"response_file":"responses/b.json"}"#,
            r#"{"method":"POST","url":"https://h/s","body":{"a":1,"b":{"c":[1,2],"d":"e"}},"status":201,"response":{"post":1}}"#,
            r#"{"method":"POST","url":"https://h/s","body":{"a":2},"status":200,"response":{"post":2}}"#,
        ],
    )?;
    let r = Replay::load(dir.path())?;
    assert_eq!(r.len(), 9);
    assert!(!r.is_empty());
    let get = |url: &str| r.answer(&Request::get(url.to_string(), "t"));
    // Query order ignored (percent-decoded), multiplicity not.
    assert_eq!(json(&get("https://h/p?a=1&b=2").body)["q"], "ab");
    assert_eq!(json(&get("https://h/p?a=1").body)["q"], "a");
    assert_eq!(json(&get("https://h/p?a=1&a=1").body)["q"], "aa");
    assert_eq!(json(&get("https://h/p?x=a+b").body)["q"], "space");
    let seq: Vec<(u16, Vec<u8>)> = (0..5)
        .map(|_| {
            let a = get("https://h/seq");
            (a.status, a.body)
        })
        .collect();
    let last = (200, br#"{"from":"file"}"#.to_vec());
    assert_eq!(
        seq,
        vec![
            (503, b"<html>first</html>".to_vec()),
            (204, Vec::new()),
            last.clone(),
            last.clone(),
            last
        ]
    );
    // POST bodies match whatever their key order.
    let post =
        |body: serde_json::Value| r.answer(&Request::post("https://h/s".to_string(), body, "t"));
    let a = post(serde_json::json!({"b": {"d": "e", "c": [1, 2]}, "a": 1}));
    assert_eq!(
        (a.status, json(&a.body)),
        (201, serde_json::json!({"post": 1}))
    );
    assert!(!a.missing);
    assert_eq!(json(&post(serde_json::json!({"a": 2})).body)["post"], 2);
    // Arrays are ordered; other bodies, methods and URLs are missing: 404, listed once.
    let m = post(serde_json::json!({"a": 1, "b": {"c": [2, 1], "d": "e"}}));
    assert_eq!((m.status, m.body.is_empty(), m.missing), (404, true, true));
    let _ = post(serde_json::json!({"a": 1, "b": {"c": [2, 1], "d": "e"}}));
    assert!(get("https://h/p?a=1&a=1&a=1").missing);
    assert!(get("https://h/p?a=1&a=1&a=1").missing);
    let as_get = r.answer(&Request {
        method: Method::Get,
        url: "https://h/s".to_string(),
        body: Some(serde_json::json!({"a": 2})),
        purpose: "t",
    });
    assert!(as_get.missing);
    let missing = r.missing();
    assert_eq!(missing.len(), 3);
    assert_eq!(
        (missing[0].method.as_str(), missing[0].url.as_str()),
        ("POST", "https://h/s")
    );
    assert_eq!(
        missing[0].body,
        Some(serde_json::json!({"a": 1, "b": {"c": [2, 1], "d": "e"}}))
    );
    assert_eq!(missing[1].url, "https://h/p?a=1&a=1&a=1");
    assert_eq!(missing[2].method, "GET");
    Ok(())
}

#[test]
fn inline_answers_are_the_json_text_as_written() -> TestResult {
    let dir = tempfile::tempdir()?;
    let response =
        r#"{ "a" : [1, 2.50, -0, 1e3],  "s": "caf\u00e9 \"é\" \n", "n": null, "o": {} }"#;
    let line = format!(
        r#"{{"status": 200, "response": {response}, "url": "https://h/x", "method": "GET"}}"#
    );
    write(
        dir.path(),
        &[
            &line,
            r#"{"method":"GET","url":"https://h/y","status":200,"response":[]}"#,
        ],
    )?;
    let r = Replay::load(dir.path())?;
    let a = r.answer(&Request::get("https://h/x".to_string(), "t"));
    assert_eq!(a.status, 200);
    assert_eq!(String::from_utf8(a.body.clone())?, response);
    let expected: serde_json::Value = serde_json::from_str(response)?;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&a.body)?,
        expected
    );
    assert_eq!(expected["s"], "café \"é\" \n");
    let b = r.answer(&Request::get("https://h/y".to_string(), "t"));
    assert_eq!(b.body, b"[]".to_vec());
    Ok(())
}

#[test]
fn concurrent_identical_requests_get_each_answer_once_then_the_last() -> TestResult {
    let dir = tempfile::tempdir()?;
    let lines: Vec<String> = (0..100)
        .map(|i| {
            format!(r#"{{"method":"GET","url":"https://h/n","status":200,"response":{{"n":{i}}}}}"#)
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    write(dir.path(), &refs)?;
    let r = Arc::new(Replay::load(dir.path())?);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || {
                (0..25)
                    .map(|_| {
                        json(&r.answer(&Request::get("https://h/n".to_string(), "t")).body)["n"]
                            .as_u64()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen: Vec<Option<u64>> = Vec::new();
    for t in threads {
        seen.extend(t.join().map_err(|_| "thread panicked")?);
    }
    seen.sort();
    assert_eq!(seen, (0..100).map(Some).collect::<Vec<_>>());
    let after = r.answer(&Request::get("https://h/n".to_string(), "t"));
    assert_eq!(json(&after.body)["n"], 99);
    Ok(())
}

/// The requests and answers of `record_three`.
fn three() -> Vec<(Request, u16, Vec<u8>)> {
    vec![
        (
            Request::get("https://h/a?x=1".to_string(), "t"),
            200,
            br#"{"a":[1,2,3]}"#.to_vec(),
        ),
        (
            Request::post(
                "https://h/b".to_string(),
                serde_json::json!({"k": "v"}),
                "t",
            ),
            503,
            b"<html>busy</html>".to_vec(),
        ),
        (
            Request::get("https://h/c".to_string(), "t"),
            403,
            Vec::new(),
        ),
    ]
}

fn record_three(dir: &Path) -> TestResult {
    let rec = Recorder::create(dir)?;
    for (req, status, body) in three() {
        rec.record(&req, status, &body)?;
    }
    Ok(())
}

fn append(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(EXCHANGES_FILE))?;
    f.write_all(bytes)
}

/// Half of a valid line, without its newline: a scan killed while writing it.
fn partial_line() -> Vec<u8> {
    let line =
        br#"{"method":"GET","url":"https://h/d","status":200,"response":{"d":"not finished"}}"#;
    line[..line.len() / 2].to_vec()
}

fn check_three(r: &Replay) {
    for (req, status, body) in three() {
        let a = r.answer(&req);
        assert_eq!(
            (a.status, &a.body, a.missing),
            (status, &body, false),
            "{}",
            req.url
        );
    }
}

#[test]
fn a_killed_recording_replays_its_complete_lines() -> TestResult {
    let dir = tempfile::tempdir()?;
    record_three(dir.path())?;
    append(dir.path(), &partial_line())?;
    let r = Replay::load(dir.path())?;
    assert_eq!(r.len(), 3);
    check_three(&r);
    let d = r.answer(&Request::get("https://h/d".to_string(), "t"));
    assert!(d.missing);
    // Recording into it again cuts the partial line off before appending.
    let rec = Recorder::create(dir.path())?;
    rec.record(
        &Request::get("https://h/e".to_string(), "t"),
        200,
        br#"{"e":true}"#,
    )?;
    let text = std::fs::read_to_string(dir.path().join(EXCHANGES_FILE))?;
    assert_eq!(text.lines().count(), 4);
    assert!(!text.contains("not finished"), "{text}");
    let r = Replay::load(dir.path())?;
    assert_eq!(r.len(), 4);
    check_three(&r);
    let e = r.answer(&Request::get("https://h/e".to_string(), "t"));
    assert_eq!((e.status, e.body), (200, br#"{"e":true}"#.to_vec()));
    Ok(())
}

#[test]
fn a_complete_last_line_without_newline_is_kept_and_extended() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join(EXCHANGES_FILE),
        r#"{"method":"GET","url":"https://h/a","status":200,"response":{"a":1}}"#,
    )?;
    assert_eq!(Replay::load(dir.path())?.len(), 1);
    let rec = Recorder::create(dir.path())?;
    rec.record(
        &Request::get("https://h/b".to_string(), "t"),
        200,
        br#"{"b":2}"#,
    )?;
    let r = Replay::load(dir.path())?;
    assert_eq!(r.len(), 2);
    let a = r.answer(&Request::get("https://h/a".to_string(), "t"));
    assert_eq!(a.body, br#"{"a":1}"#.to_vec());
    let b = r.answer(&Request::get("https://h/b".to_string(), "t"));
    assert_eq!(b.body, br#"{"b":2}"#.to_vec());
    Ok(())
}

#[test]
fn malformed_lines_other_than_a_truncated_last_one_fail_naming_the_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    let good = r#"{"method":"GET","url":"https://h/a","status":200,"response":{"a":1}}"#;
    let half = String::from_utf8(partial_line())?;
    // A truncated line in the middle.
    write(dir.path(), &[good, &half, good])?;
    let e = load_error(dir.path());
    assert!(
        e.contains("exchanges.jsonl:2: not a recorded exchange"),
        "{e}"
    );
    assert!(matches!(
        Replay::load(dir.path()),
        Err(RecordingError::Line { line: 2, .. })
    ));
    // A malformed last line that ends with a newline.
    write(dir.path(), &[good, good, &half])?;
    assert!(matches!(
        Replay::load(dir.path()),
        Err(RecordingError::Line { line: 3, .. })
    ));
    // A truncated last line (no newline) is skipped, even after blank lines.
    std::fs::write(
        dir.path().join(EXCHANGES_FILE),
        format!("{good}\n\n{good}\n{half}"),
    )?;
    assert_eq!(Replay::load(dir.path())?.len(), 2);
    // A last line that parses but is not a valid exchange still fails.
    std::fs::write(
        dir.path().join(EXCHANGES_FILE),
        format!(
            "{good}\n{}",
            r#"{"method":"GET","url":"https://h/","status":200,"response":1,"response_file":"x"}"#
        ),
    )?;
    let e = load_error(dir.path());
    assert!(
        e.contains("exchanges.jsonl:2: both response and response_file"),
        "{e}"
    );
    Ok(())
}

#[test]
fn a_missing_response_file_fails_at_load_naming_file_and_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("responses"))?;
    std::fs::write(dir.path().join("responses/1.bin"), b"x")?;
    write(
        dir.path(),
        &[
            r#"{"method":"GET","url":"https://h/a","status":200,"response_file":"responses/1.bin"}"#,
            r#"{"method":"GET","url":"https://h/b","status":200,"response_file":"responses/2.bin"}"#,
        ],
    )?;
    let e = load_error(dir.path());
    assert!(e.contains("exchanges.jsonl:2:"), "{e}");
    assert!(e.contains("responses/2.bin"), "{e}");
    assert!(matches!(
        Replay::load(dir.path()),
        Err(RecordingError::Invalid { line: 2, .. })
    ));
    // A directory is not a response file either.
    std::fs::create_dir(dir.path().join("responses/2.bin"))?;
    let e = load_error(dir.path());
    assert!(
        e.contains("exchanges.jsonl:2:") && e.contains("not a file"),
        "{e}"
    );
    Ok(())
}

#[test]
fn an_answer_gone_from_disk_is_answered_as_missing() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("responses"))?;
    std::fs::write(dir.path().join("responses/1.bin"), b"x")?;
    write(
        dir.path(),
        &[r#"{"method":"GET","url":"https://h/a","status":200,"response_file":"responses/1.bin"}"#],
    )?;
    let r = Replay::load(dir.path())?;
    std::fs::remove_file(dir.path().join("responses/1.bin"))?;
    let a = r.answer(&Request::get("https://h/a".to_string(), "t"));
    assert_eq!((a.status, a.missing), (404, true));
    assert_eq!(r.missing().len(), 1);
    Ok(())
}
