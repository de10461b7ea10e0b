//! Citizen contributions through the binary: `vigie moderators add|list|remove` print the
//! secrets once and store them hashed; an accepted missing centre is in the next scan (and in
//! slot search) with its provenance, an accepted « not a vaccination place » hides a centre
//! with the reason, a rejected one changes nothing; `vigie contributions export` writes the
//! register; a server killed with SIGKILL loses no acknowledged contribution.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use vigie_contributions::model::{AnyKnown, RawFields};
use vigie_contributions::{Decision, Desk, Settings, Submission};

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = vigie()
        .args(args)
        .env("VIGIE_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn submit(desk: &Desk, pairs: &[(&str, &str)]) -> String {
    let raw: RawFields = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let incoming = Submission::parse(&raw, now(), &AnyKnown).unwrap();
    desk.submit(&incoming, None, now()).unwrap().id
}

fn centres(data: &Path) -> Value {
    let text = std::fs::read_to_string(data.join("scans/current/open-data/centres.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn moderators_are_added_listed_and_removed_with_their_secrets_shown_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let (ok, out, err) = run(&["moderators", "add", "alice", "--data-dir", dir]);
    assert!(ok, "{err}");
    let line = |k: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no {k} line in {out}"))
    };
    let password = line("password: ");
    let token = line("token: ");
    assert!(password.len() >= 16 && token.contains('.'));
    let (ok, _, err) = run(&["moderators", "add", "alice", "--data-dir", dir]);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, list, _) = run(&["moderators", "list", "--data-dir", dir]);
    assert!(ok && list.starts_with("alice\t"), "{list}");
    // Stored hashed: neither secret is in the file.
    let db = std::fs::read(tmp.path().join("contributions/contributions.sqlite")).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(&password) && !db.contains(token.split('.').nth(1).unwrap()));
    let desk = Desk::open(tmp.path(), Settings::default()).unwrap();
    assert_eq!(desk.bearer(&token).unwrap().as_deref(), Some("alice"));
    drop(desk);
    let (ok, _, _) = run(&["moderators", "remove", "alice", "--data-dir", dir]);
    assert!(ok);
    let (ok, _, err) = run(&["moderators", "remove", "alice", "--data-dir", dir]);
    assert!(!ok && err.contains("no moderator named alice"), "{err}");
    let (_, list, _) = run(&["moderators", "list", "--data-dir", dir]);
    assert_eq!(list, "");
}

#[test]
fn accepted_contributions_change_the_next_scan_and_rejected_ones_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = data.to_str().unwrap();
    // A first scan of the demonstration centres, without contributions.
    let (ok, _, err) = run(&["scan", "--demo", "--data-dir", dir]);
    assert!(ok, "{err}");
    let before = centres(&data);
    let list = before["centres"].as_array().unwrap();
    let hidden = list[0]["id"].as_str().unwrap().to_string();
    let kept = list[1]["id"].as_str().unwrap().to_string();
    assert!(
        !list
            .iter()
            .any(|c| c["name"] == "Centre contribué de Privas")
    );

    let desk = Desk::open(&data, Settings::default()).unwrap();
    let added = submit(
        &desk,
        &[
            ("kind", "missing_centre"),
            ("name", "Centre contribué de Privas"),
            ("commune", "07186"),
            (
                "booking_url",
                "https://www.doctolib.fr/centre-de-sante/privas/centre-contribue-privas",
            ),
            ("evidence", "Affiche en mairie"),
        ],
    );
    let refused = submit(
        &desk,
        &[
            ("kind", "missing_centre"),
            ("name", "Centre refusé"),
            ("commune", "07186"),
            (
                "booking_url",
                "https://www.doctolib.fr/centre-de-sante/privas/centre-refuse",
            ),
            ("evidence", "?"),
        ],
    );
    let blocked = submit(
        &desk,
        &[
            ("kind", "centre_correction"),
            ("centre_id", &hidden),
            ("field", "not_vaccination_place"),
            ("evidence", "C'est un cabinet dentaire"),
        ],
    );
    let phone = submit(
        &desk,
        &[
            ("kind", "centre_correction"),
            ("centre_id", &kept),
            ("field", "phone"),
            ("value", "04 75 12 34 56"),
            ("evidence", "Appelé"),
        ],
    );
    let t = now();
    desk.decide(&added, "alice", Decision::Accept, Some("Vérifié"), t)
        .unwrap();
    desk.decide(&refused, "alice", Decision::Reject, Some("Inconnu"), t)
        .unwrap();
    desk.decide(
        &blocked,
        "alice",
        Decision::Accept,
        Some("Pas un lieu de vaccination"),
        t,
    )
    .unwrap();
    desk.decide(&phone, "alice", Decision::Accept, None, t)
        .unwrap();
    drop(desk);

    let (ok, _, err) = run(&["scan", "--demo", "--data-dir", dir]);
    assert!(ok, "{err}");
    let after = centres(&data);
    let list = after["centres"].as_array().unwrap();
    let found = list
        .iter()
        .find(|c| c["name"] == "Centre contribué de Privas")
        .expect("the accepted centre is in the scan");
    assert_eq!(found["department"], "07");
    assert_eq!(found["city"], "Privas");
    assert!(found["latitude"].as_f64().is_some());
    assert_eq!(found["contributions"][0]["id"], added.as_str());
    assert_eq!(found["contributions"][0]["change"], "added");
    assert_eq!(found["contributions"][0]["moderator"], "alice");
    assert!(
        found["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "contributions")
    );
    assert!(!list.iter().any(|c| c["name"] == "Centre refusé"));
    // Hidden, with the reason, in the exclusions.
    assert!(!list.iter().any(|c| c["id"] == hidden.as_str()));
    let excl = after["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == hidden.as_str())
        .expect("listed as excluded");
    assert_eq!(
        excl["reason"],
        format!("contribution:not_vaccination_place:{blocked}")
    );
    // Corrected, with the mark.
    let c = list.iter().find(|c| c["id"] == kept.as_str()).unwrap();
    assert_eq!(c["phone"], "04 75 12 34 56");
    assert_eq!(c["contributions"][0]["change"], "phone");

    // The register, exported.
    let out = tmp.path().join("register.csv");
    let (ok, _, err) = run(&[
        "contributions",
        "export",
        "--data-dir",
        dir,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.starts_with("id,kind,object,department,status,reason,"));
    assert!(csv.contains(&format!(
        "{refused},missing_centre,Centre refusé (Privas),07,rejected,Inconnu"
    )));
    let (ok, json, _) = run(&[
        "contributions",
        "export",
        "--data-dir",
        dir,
        "--format",
        "json",
    ]);
    assert!(ok);
    let j: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["count"], 4);
    // Nobody left an address here: nobody to tell.
    let (ok, notify, _) = run(&["contributions", "notify", "--data-dir", dir]);
    assert!(ok);
    assert_eq!(notify, "");
}

/// The server, killed (SIGKILL) when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `vigie serve --demo` on a free port; returns it and its address once it listens.
fn serve(data: &Path) -> (Server, String) {
    let mut child = vigie()
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--refresh-every",
            "0",
        ])
        .arg("--data-dir")
        .arg(data)
        .env("VIGIE_LOG", "warn")
        .env("VIGIE_SERVE_SCAN_EVERY", "0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("on http://").nth(1) {
                let addr = rest.split('/').next().unwrap_or("").to_string();
                let _ = tx.send(addr);
            }
        }
    });
    let server = Server(child);
    let addr = rx
        .recv_timeout(Duration::from_secs(240))
        .expect("the server did not start");
    (server, addr)
}

fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn a_server_killed_with_sigkill_loses_no_acknowledged_contribution() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // A moderator created with the same --data-dir as the server (which serves DIR/demo).
    let (ok, out, err) = run(&[
        "moderators",
        "add",
        "zoe",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap()
        .to_string();
    let (server, addr) = serve(&data);
    let mut links = Vec::new();
    for i in 0..3 {
        let body = json!({"kind": "dataset_suggestion", "url": format!("https://www.data.gouv.fr/d/{i}"),
                          "evidence": "données utiles", "email": "moi@example.org"});
        let (status, answer) = http(&addr, "POST", "/api/v1/contributions", &body.to_string());
        assert_eq!(status, 202, "{answer}");
        let j: Value = serde_json::from_str(&answer).unwrap();
        links.push(j["status_url"].as_str().unwrap().to_string());
    }
    // SIGKILL, right after the acknowledgements.
    drop(server);
    let (_server, addr) = serve(&data);
    for link in &links {
        let (status, answer) = http(&addr, "GET", link, "");
        assert_eq!(status, 200, "{link}: {answer}");
        assert!(answer.contains("\"status\":\"pending\""), "{answer}");
    }
    // The instance's desk, demonstration or not: the moderator created before decides.
    assert!(data.join("contributions/contributions.sqlite").is_file());
    let id = links[0]
        .split('/')
        .nth(4)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let mut s = TcpStream::connect(&addr).unwrap();
    let body = r#"{"decision": "accept", "reason": "ok"}"#;
    write!(
        s,
        "POST /api/v1/moderation/contributions/{id}/decision HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    // The decided contribution's contributor is listed, with the address, to be told.
    drop(_server);
    let (ok, notify, err) = run(&[
        "contributions",
        "notify",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        notify.starts_with(&format!("{id}\taccepted\t"))
            && notify.trim_end().ends_with("\tmoi@example.org"),
        "{notify}"
    );
    let (_server, addr) = serve(&data);
    let (_, register) = http(&addr, "GET", "/api/v1/contributions", "");
    assert!(
        register.contains(id) && !register.contains("moi@example.org"),
        "{register}"
    );
}
