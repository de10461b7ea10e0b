//! Citizen contributions end to end over HTTP on loopback: every kind submitted without an
//! account, absent from the register while pending, decided by a moderator (401 without a
//! token, 403 with a bad CSRF token), then present in the register, the Atom feed and
//! `contributions.csv` with its reason and without e-mail or client address; malformed
//! submissions named by field; 30 rapid submissions get 429s; a `<script>` payload comes back
//! escaped everywhere; the form's token and honeypot; a restart keeps everything; accepted
//! figure errors and availability reports show on the pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use vigie_contributions::{Desk, Settings};
use vigie_web::{AppState, Limits, Release};

mod common;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A server over the fixture release with contributions open on the desk of `data`.
async fn start(
    rel: &Path,
    data: &Path,
) -> Result<(SocketAddr, Arc<Desk>), Box<dyn std::error::Error + Send + Sync>> {
    let release = Release::load(rel)?;
    let desk = Arc::new(Desk::open(data, Settings::default())?);
    let limits = Limits {
        requests_per_second: 0,
        ..Limits::default()
    };
    let state = AppState::new(release, false)
        .with_limits(limits)
        .with_contributions(desk.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(vigie_web::serve(
        listener,
        state,
        Duration::from_secs(60),
        std::future::pending(),
    ));
    Ok((addr, desk))
}

struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One request with `Connection: close` from the loopback address `from`.
async fn request(
    from: [u8; 4],
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::from(from), 0))?;
    let mut s = socket.connect(addr).await?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: vigie.test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    let mut headers = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_string();
            headers
                .entry(k)
                .and_modify(|old: &mut String| {
                    old.push('\n');
                    old.push_str(&v);
                })
                .or_insert(v);
        }
    }
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        body = unchunk(&body);
    }
    Ok(Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}

async fn get(
    addr: SocketAddr,
    path: &str,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    request([127, 0, 0, 1], addr, "GET", path, &[], "").await
}

async fn post_json(
    from: [u8; 4],
    addr: SocketAddr,
    path: &str,
    body: &Value,
    extra: &[(&str, &str)],
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend_from_slice(extra);
    request(from, addr, "POST", path, &headers, &body.to_string()).await
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The value of a hidden input in a page.
fn hidden(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &page[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Posts the login form as `name` from `from` (the form token read from the login page).
async fn log_in(
    from: [u8; 4],
    addr: SocketAddr,
    name: &str,
    password: &str,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let login = get(addr, "/moderation").await?.body;
    let token = hidden(&login, "form_token").ok_or("no form token on the login page")?;
    request(
        from,
        addr,
        "POST",
        "/moderation/connexion",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[
            ("form_token", &token),
            ("name", name),
            ("password", password),
        ]),
    )
    .await
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    common::fixture(&root).unwrap();
    let rel = root.join("current");
    let data = tmp.path().join("data");
    (tmp, rel, data)
}

/// One valid submission of each kind (the fixture's territories and indicators).
fn one_of_each() -> Vec<Value> {
    vec![
        json!({"kind": "missing_centre", "name": "Centre de vaccination de Vals", "commune": "07331",
               "booking_url": "https://www.doctolib.fr/centre-de-sante/vals-les-bains/centre-vals",
               "evidence": "Affiche à la mairie", "email": "contrib@example.org"}),
        json!({"kind": "centre_correction", "centre_id": "doctolib:privas", "field": "phone",
               "value": "04 75 00 00 00", "evidence": "Appelé ce matin"}),
        json!({"kind": "availability_report", "centre_id": "doctolib:privas", "outcome": "not_bookable"}),
        json!({"kind": "figure_error", "territory": "FR", "indicator": "incidence_rate_7d",
               "date": "2022-02-10", "evidence": "Le bulletin de SpF dit 512,3"}),
        json!({"kind": "dataset_suggestion", "url": "https://www.data.gouv.fr/fr/datasets/exemple/",
               "evidence": "Les données hospitalières par âge"}),
    ]
}

#[tokio::test]
async fn every_kind_goes_through_moderation_into_the_register() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, desk) = start(&rel, &data).await?;
    let moderator = desk.add_moderator("alice", 1)?;
    let mut ids = Vec::new();
    for (i, body) in one_of_each().iter().enumerate() {
        let a = post_json(
            [127, 0, 0, 10 + i as u8],
            addr,
            "/api/v1/contributions",
            body,
            &[],
        )
        .await?;
        assert_eq!(a.status, 202, "{}: {}", body["kind"], a.body);
        let j = a.json();
        let id = j["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("C-"));
        assert_eq!(j["status"], "pending");
        // The private link gives the contribution to its contributor, and only with its token.
        let url = j["status_url"].as_str().unwrap();
        assert_eq!(a.headers.get("location").map(String::as_str), Some(url));
        let followed = get(addr, url).await?;
        assert_eq!(followed.status, 200);
        assert_eq!(followed.json()["status"], "pending");
        assert_eq!(
            get(addr, &format!("/api/v1/contributions/{id}?token=0"))
                .await?
                .status,
            404
        );
        ids.push(id);
    }
    // Pending: nowhere public.
    let reg = get(addr, "/api/v1/contributions").await?.json();
    assert_eq!(reg["count"], 0);
    let atom = get(addr, "/contributions.atom").await?;
    assert!(!atom.body.contains("<entry>"), "{}", atom.body);
    let csv = get(addr, "/contributions.csv").await?.body;
    assert_eq!(csv.lines().count(), 1, "{csv}");
    let page = get(addr, "/contributions").await?.body;
    assert!(!page.contains(&ids[0]));

    let etag_before = get(addr, "/territoire/FR")
        .await?
        .headers
        .get("etag")
        .cloned();
    assert!(etag_before.is_some());
    // A decision without a token, or with a wrong one: 401.
    let decision = json!({"decision": "accept", "reason": "Vérifié auprès du centre"});
    let path = format!("/api/v1/moderation/contributions/{}/decision", ids[0]);
    let a = post_json([127, 0, 0, 2], addr, &path, &decision, &[]).await?;
    assert_eq!(a.status, 401);
    assert!(a.headers.contains_key("www-authenticate"));
    let a = post_json(
        [127, 0, 0, 2],
        addr,
        &path,
        &decision,
        &[("Authorization", "Bearer 1.nope")],
    )
    .await?;
    assert_eq!(a.status, 401);

    // The moderation form with a session but a bad CSRF token: 403.
    let a = log_in([127, 0, 0, 3], addr, "alice", &moderator.password).await?;
    assert_eq!(a.status, 303, "{}", a.body);
    let set_cookie = a.headers.get("set-cookie").cloned().unwrap_or_default();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let a = request(
        [127, 0, 0, 3],
        addr,
        "POST",
        &format!("/moderation/contributions/{}", ids[0]),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &form(&[("csrf", "forged"), ("decision", "accept")]),
    )
    .await?;
    assert_eq!(a.status, 403);
    // Without a session at all: 401.
    let a = request(
        [127, 0, 0, 3],
        addr,
        "POST",
        &format!("/moderation/contributions/{}", ids[0]),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[("csrf", "x"), ("decision", "accept")]),
    )
    .await?;
    assert_eq!(a.status, 401);
    assert_eq!(get(addr, "/api/v1/contributions").await?.json()["count"], 0);

    // The queue shows them to the logged-in moderator, with the CSRF token of the session.
    let queue = request(
        [127, 0, 0, 3],
        addr,
        "GET",
        "/moderation",
        &[("Cookie", &cookie)],
        "",
    )
    .await?;
    assert_eq!(queue.status, 200);
    for id in &ids {
        assert!(queue.body.contains(id.as_str()), "{id} in the queue");
    }
    let csrf = hidden(&queue.body, "csrf").expect("csrf");
    // One decision through the form (the right CSRF token), the others through the API.
    let a = request(
        [127, 0, 0, 3],
        addr,
        "POST",
        &format!("/moderation/contributions/{}", ids[4]),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &form(&[
            ("csrf", &csrf),
            ("decision", "reject"),
            ("reason", "Déjà lu par Vigie"),
        ]),
    )
    .await?;
    assert_eq!(a.status, 303, "{}", a.body);
    let bearer = format!("Bearer {}", moderator.token);
    for id in &ids[..4] {
        let path = format!("/api/v1/moderation/contributions/{id}/decision");
        let a = post_json(
            [127, 0, 0, 2],
            addr,
            &path,
            &decision,
            &[("Authorization", &bearer)],
        )
        .await?;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["status"], "accepted");
        assert_eq!(a.json()["moderator"], "alice");
    }
    // Reasons are required to refuse: 400 names nothing else; the contribution is unchanged.
    let a = post_json(
        [127, 0, 0, 2],
        addr,
        "/api/v1/moderation/contributions/C-999999/decision",
        &decision,
        &[("Authorization", &bearer)],
    )
    .await?;
    assert_eq!(a.status, 404);

    // Public now: register JSON, page, Atom and CSV, with reasons; no e-mail, no address.
    let reg = get(addr, "/api/v1/contributions").await?;
    let j = reg.json();
    assert_eq!(j["count"], 5, "{}", reg.body);
    let statuses: BTreeMap<String, String> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(statuses[&ids[4]], "rejected");
    assert_eq!(statuses[&ids[0]], "accepted");
    let page = get(addr, "/contributions").await?.body;
    let atom = get(addr, "/contributions.atom").await?;
    assert!(atom.headers["content-type"].starts_with("application/atom+xml"));
    let csv = get(addr, "/contributions.csv").await?.body;
    let open_data_csv = get(addr, "/open-data/contributions.csv").await?.body;
    assert_eq!(csv, open_data_csv);
    assert_eq!(csv.lines().count(), 6, "{csv}");
    for (name, text) in [
        ("register", &reg.body),
        ("page", &page),
        ("atom", &atom.body),
        ("csv", &csv),
    ] {
        for id in &ids {
            assert!(text.contains(id.as_str()), "{name} has {id}");
        }
        assert!(
            text.contains("Vérifié auprès du centre"),
            "{name} has the reason"
        );
        assert!(
            text.contains("Déjà lu par Vigie"),
            "{name} has the rejection's reason"
        );
        assert!(
            !text.contains("contrib@example.org"),
            "{name} has no e-mail"
        );
        assert!(!text.contains("127.0.0."), "{name} has no client address");
        assert!(
            !text.contains("Affiche à la mairie"),
            "{name} has no evidence text"
        );
    }
    // The accepted figure error is an erratum beside the figure; the rejected suggestion
    // changed nothing.
    let fr = get(addr, "/territoire/FR").await?.body;
    assert!(fr.contains("Erratum"), "erratum on the dashboard");
    assert!(fr.contains(&ids[3]));
    // Its ETag changed with the decisions (a cached copy without the erratum is not reused),
    // and the figure's provenance lists the erratum.
    let fr_answer = get(addr, "/territoire/FR").await?;
    assert_ne!(fr_answer.headers.get("etag"), etag_before.as_ref());
    let prov = get(addr, "/api/v1/provenance/FR/incidence_rate_7d")
        .await?
        .json();
    assert_eq!(
        prov["errata"][0]["provenance"]["contribution_id"],
        ids[3].as_str()
    );
    assert_eq!(prov["errata"][0]["text"], "Vérifié auprès du centre");
    let errata = get(addr, "/api/v1/errata").await?.json();
    assert_eq!(errata.as_array().map(Vec::len), Some(1));
    let overlay = desk.overlay()?;
    assert_eq!(overlay.added.len(), 1);
    assert_eq!(overlay.corrections.len(), 1);
    assert_eq!(overlay.corrections[0].value, "04 75 00 00 00");
    // The availability report counts in the signal, whatever its moderation.
    let signals = get(addr, "/api/v1/contributions/signals").await?.json();
    assert_eq!(signals["centres"]["doctolib:privas"]["not_bookable"], 1);
    Ok(())
}

#[tokio::test]
async fn malformed_contributions_get_400_naming_the_field() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, _desk) = start(&rel, &data).await?;
    let cases = [
        (json!({"kind": "nothing"}), "kind"),
        (
            json!({"kind": "dataset_suggestion", "url": "ftp://x", "evidence": "e"}),
            "url",
        ),
        (
            json!({"kind": "figure_error", "territory": "DEP-99", "indicator": "incidence_rate_7d", "evidence": "e"}),
            "territory",
        ),
        (
            json!({"kind": "figure_error", "territory": "FR", "indicator": "nope", "evidence": "e"}),
            "indicator",
        ),
        (
            json!({"kind": "dataset_suggestion", "url": "https://a.fr", "evidence": "e", "website": "http://spam"}),
            "website",
        ),
        (
            json!({"kind": "dataset_suggestion", "url": "https://a.fr", "evidence": 3}),
            "evidence",
        ),
    ];
    for (i, (body, field)) in cases.iter().enumerate() {
        let a = post_json(
            [127, 0, 0, 20 + i as u8],
            addr,
            "/api/v1/contributions",
            body,
            &[],
        )
        .await?;
        assert_eq!(a.status, 400, "{body}");
        assert_eq!(a.json()["field"], *field, "{}", a.body);
        assert!(
            a.json()["detail_fr"]
                .as_str()
                .is_some_and(|d| d.starts_with(field))
        );
    }
    let a = request(
        [127, 0, 0, 30],
        addr,
        "POST",
        "/api/v1/contributions",
        &[("Content-Type", "application/json")],
        "{not json",
    )
    .await?;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["field"], "body");
    // Larger than the request limit: refused before it is read.
    let big = json!({"kind": "dataset_suggestion", "url": "https://a.fr", "evidence": "x".repeat(40_000)});
    let a = post_json([127, 0, 0, 31], addr, "/api/v1/contributions", &big, &[]).await?;
    assert_eq!(a.status, 413);
    assert_eq!(get(addr, "/api/v1/contributions").await?.json()["count"], 0);
    Ok(())
}

#[tokio::test]
async fn thirty_rapid_submissions_from_one_client_get_429s() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, desk) = start(&rel, &data).await?;
    let body =
        json!({"kind": "dataset_suggestion", "url": "https://www.data.gouv.fr/x", "evidence": "e"});
    let mut codes = Vec::new();
    for _ in 0..30 {
        let a = post_json([127, 0, 0, 40], addr, "/api/v1/contributions", &body, &[]).await?;
        if a.status == 429 {
            let wait: u64 = a.headers["retry-after"].parse()?;
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
        }
        codes.push(a.status);
    }
    let accepted = codes.iter().filter(|c| **c == 202).count();
    assert_eq!(
        accepted,
        vigie_web::contrib::SUBMIT_BURST as usize,
        "{codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 30 - accepted);
    // Nothing refused was recorded; another client is not affected.
    assert_eq!(desk.queue(&Default::default(), 0)?.len(), accepted);
    let a = post_json([127, 0, 0, 41], addr, "/api/v1/contributions", &body, &[]).await?;
    assert_eq!(a.status, 202);
    // Duplicates are grouped into one thread.
    assert_eq!(a.json()["thread_size"], accepted as u64 + 1);
    Ok(())
}

#[tokio::test]
async fn script_payloads_come_back_escaped_everywhere() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, desk) = start(&rel, &data).await?;
    let m = desk.add_moderator("bob", 1)?;
    let payload = "<script>alert(1)</script>";
    let body = json!({"kind": "missing_centre", "name": format!("Centre {payload}"), "commune": "07186",
                      "phone": "04 75 00 00 00", "evidence": format!("voir {payload}")});
    let a = post_json([127, 0, 0, 50], addr, "/api/v1/contributions", &body, &[]).await?;
    assert_eq!(a.status, 202);
    let id = a.json()["id"].as_str().unwrap().to_string();
    // The moderation queue and item pages, logged in.
    let a = log_in([127, 0, 0, 51], addr, "bob", &m.password).await?;
    let cookie = a.headers["set-cookie"]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let queue = request(
        [127, 0, 0, 51],
        addr,
        "GET",
        "/moderation",
        &[("Cookie", &cookie)],
        "",
    )
    .await?
    .body;
    let item = request(
        [127, 0, 0, 51],
        addr,
        "GET",
        &format!("/moderation/contributions/{id}"),
        &[("Cookie", &cookie)],
        "",
    )
    .await?
    .body;
    let bearer = format!("Bearer {}", m.token);
    let a = post_json(
        [127, 0, 0, 52],
        addr,
        &format!("/api/v1/moderation/contributions/{id}/decision"),
        &json!({"decision": "reject", "reason": format!("faux {payload}")}),
        &[("Authorization", &bearer)],
    )
    .await?;
    assert_eq!(a.status, 200);
    let page = get(addr, "/contributions").await?.body;
    let atom = get(addr, "/contributions.atom").await?.body;
    for (name, text) in [
        ("queue", &queue),
        ("item", &item),
        ("register", &page),
        ("atom", &atom),
    ] {
        assert!(!text.contains(payload), "{name} has the raw payload");
        assert!(
            text.contains("&#60;script&#62;") || text.contains("&lt;script&gt;"),
            "{name} shows it escaped"
        );
    }
    // The JSON register carries it as data (a JSON string), the CSV as a quoted cell.
    let reg = get(addr, "/api/v1/contributions").await?.json();
    assert_eq!(
        reg["entries"][0]["object"],
        format!("Centre {payload} (Privas)")
    );
    Ok(())
}

#[tokio::test]
async fn the_form_needs_its_delay_and_leads_to_the_private_status_page() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, _desk) = start(&rel, &data).await?;
    let page = get(addr, "/contribuer?kind=dataset_suggestion").await?;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.headers.get("cache-control").map(String::as_str),
        Some("no-store")
    );
    assert!(!page.headers.contains_key("etag"));
    let token = hidden(&page.body, "form_token").unwrap();
    let fields = |t: &str, website: &str| {
        form(&[
            ("kind", "dataset_suggestion"),
            ("form_token", t),
            ("website", website),
            ("url", "https://www.insee.fr/fr/statistiques/x"),
            ("evidence", "Les décès quotidiens"),
            ("email", ""),
        ])
    };
    let post = |body: String| async move {
        request(
            [127, 0, 0, 60],
            addr,
            "POST",
            "/contribuer",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &body,
        )
        .await
    };
    // Sent at once: a robot. The form comes back with what was typed.
    let a = post(fields(&token, "")).await?;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("trop vite"), "{}", a.body);
    assert!(a.body.contains("https://www.insee.fr/fr/statistiques/x"));
    tokio::time::sleep(Duration::from_millis(3200)).await;
    // The honeypot filled: refused.
    let a = post(fields(&token, "http://spam.example")).await?;
    assert_eq!(a.status, 400);
    // A forged token: refused.
    let a = post(fields("123.abc", "")).await?;
    assert_eq!(a.status, 400);
    let a = post(fields(&token, "")).await?;
    assert_eq!(a.status, 303, "{}", a.body);
    let to = a.headers["location"].clone();
    assert!(to.starts_with("/contribuer/suivi/C-"), "{to}");
    let status = get(addr, &to).await?;
    assert_eq!(status.status, 200);
    assert!(status.body.contains("en attente de modération"));
    assert!(status.body.contains("Merci"));
    assert_eq!(
        status.headers.get("referrer-policy").map(String::as_str),
        Some("no-referrer")
    );
    let wrong = to.split("jeton=").next().unwrap().to_string() + "jeton=0";
    assert_eq!(get(addr, &wrong).await?.status, 404);
    // A field in error: 400, the field named and marked, the values kept.
    let a = post(form(&[
        ("kind", "dataset_suggestion"),
        ("form_token", &token),
        ("url", "pas une adresse"),
        ("evidence", "x"),
    ]))
    .await?;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("href=\"#f-url\""));
    assert!(a.body.contains("aria-invalid=\"true\""));
    assert!(a.body.contains("pas une adresse"));
    // The English form.
    let en = get(addr, "/en/contribuer?kind=dataset_suggestion")
        .await?
        .body;
    assert!(en.contains("Dataset suggestion"));
    assert!(en.contains("lang=\"en\""));
    Ok(())
}

#[tokio::test]
async fn a_restart_keeps_contributions_decisions_and_moderators() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (status_url, token, id) = {
        let (addr, desk) = start(&rel, &data).await?;
        let m = desk.add_moderator("carol", 1)?;
        let body = json!({"kind": "dataset_suggestion", "url": "https://www.data.gouv.fr/y", "evidence": "e"});
        let a = post_json([127, 0, 0, 70], addr, "/api/v1/contributions", &body, &[]).await?;
        let j = a.json();
        let id = j["id"].as_str().unwrap().to_string();
        let a = post_json(
            [127, 0, 0, 70],
            addr,
            &format!("/api/v1/moderation/contributions/{id}/decision"),
            &json!({"decision": "need_info", "reason": "Quel fichier ?"}),
            &[("Authorization", &format!("Bearer {}", m.token))],
        )
        .await?;
        assert_eq!(a.status, 200);
        (j["status_url"].as_str().unwrap().to_string(), m.token, id)
    };
    // A second server over the same data directory (the first one's desk is still open, as
    // after a crash: SQLite's WAL has every acknowledged transaction).
    let (addr, _desk) = start(&rel, &data).await?;
    let followed = get(addr, &status_url).await?.json();
    assert_eq!(followed["status"], "need_info");
    assert_eq!(followed["reason"], "Quel fichier ?");
    let reg = get(addr, "/api/v1/contributions").await?.json();
    assert_eq!(reg["entries"][0]["id"], id.as_str());
    let a = post_json(
        [127, 0, 0, 71],
        addr,
        &format!("/api/v1/moderation/contributions/{id}/decision"),
        &json!({"decision": "accept"}),
        &[("Authorization", &format!("Bearer {token}"))],
    )
    .await?;
    assert_eq!(a.status, 200, "the moderator's token survives a restart");
    Ok(())
}

#[tokio::test]
async fn without_a_desk_contributions_are_closed_and_say_so() -> TestResult {
    let (_tmp, rel, _data) = setup();
    let release = Release::load(&rel)?;
    let state = AppState::new(release, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(vigie_web::serve(
        listener,
        state,
        Duration::from_secs(60),
        std::future::pending(),
    ));
    let body = json!({"kind": "dataset_suggestion", "url": "https://a.fr", "evidence": "e"});
    let a = post_json([127, 0, 0, 80], addr, "/api/v1/contributions", &body, &[]).await?;
    assert_eq!(a.status, 503);
    let page = get(addr, "/contribuer").await?.body;
    assert!(page.contains("ne sont pas ouvertes"));
    // No « Signaler » link on the pages.
    let fr = get(addr, "/territoire/FR").await?.body;
    assert!(!fr.contains("/contribuer?kind=figure_error"));
    Ok(())
}

#[tokio::test]
async fn failed_logins_are_limited_and_valid_tokens_are_not() -> TestResult {
    let (_tmp, rel, data) = setup();
    let (addr, desk) = start(&rel, &data).await?;
    let m = desk.add_moderator("dora", 1)?;
    // Twenty decisions in a row with a valid token: none is refused.
    for i in 0..4 {
        let body = json!({"kind": "dataset_suggestion", "url": format!("https://a.fr/{i}"), "evidence": "e"});
        let a = post_json(
            [127, 0, 0, 90 + i],
            addr,
            "/api/v1/contributions",
            &body,
            &[],
        )
        .await?;
        assert_eq!(a.status, 202);
    }
    let bearer = format!("Bearer {}", m.token);
    for round in 0..5 {
        for i in 1..=4 {
            let a = post_json(
                [127, 0, 0, 99],
                addr,
                &format!("/api/v1/moderation/contributions/C-00000{i}/decision"),
                &json!({"decision": "need_info", "reason": format!("round {round}")}),
                &[("Authorization", &bearer)],
            )
            .await?;
            assert_eq!(a.status, 200, "round {round}: {}", a.body);
        }
    }
    // Wrong passwords: 401 five times, then 429 with Retry-After, even for the right one.
    for _ in 0..5 {
        assert_eq!(
            log_in([127, 0, 0, 98], addr, "dora", "wrong").await?.status,
            401
        );
    }
    let a = log_in([127, 0, 0, 98], addr, "dora", "wrong").await?;
    assert_eq!(a.status, 401);
    let a = log_in([127, 0, 0, 98], addr, "dora", &m.password).await?;
    assert_eq!(a.status, 429);
    assert!(a.headers.contains_key("retry-after"));
    Ok(())
}

#[tokio::test]
async fn the_register_is_in_the_open_data_and_the_static_export() -> TestResult {
    let (tmp, rel, data) = setup();
    let (addr, desk) = start(&rel, &data).await?;
    let body =
        json!({"kind": "dataset_suggestion", "url": "https://www.data.gouv.fr/z", "evidence": "e"});
    let a = post_json([127, 0, 0, 110], addr, "/api/v1/contributions", &body, &[]).await?;
    let id = a.json()["id"].as_str().unwrap().to_string();
    desk.decide(
        &id,
        "erin",
        vigie_contributions::Decision::Accept,
        Some("Lu"),
        1_796_000_000,
    )?;
    let page = get(addr, "/donnees").await?.body;
    assert!(
        page.contains("/contributions.csv"),
        "the open-data page lists the register"
    );
    let out = tmp.path().join("export");
    let n =
        vigie_web::static_site::write_register(&desk.register()?, "2026-12-03T10:00:00Z", &out)?;
    assert_eq!(n, 4);
    let served = get(addr, "/contributions.csv").await?.body;
    assert_eq!(
        std::fs::read_to_string(out.join("contributions.csv"))?,
        served
    );
    assert_eq!(
        std::fs::read_to_string(out.join("open-data/contributions.csv"))?,
        served
    );
    let json: Value = serde_json::from_str(&std::fs::read_to_string(
        out.join("api/v1/contributions.json"),
    )?)?;
    assert_eq!(json, get(addr, "/api/v1/contributions").await?.json());
    assert!(
        std::fs::read_to_string(out.join("contributions.atom"))?
            .contains(&format!("urn:vigie:contribution:{id}"))
    );
    Ok(())
}
