//! `vigie publish --to s3://…` against a real S3-compatible server: a throwaway single-node
//! Garage on loopback, started here (binary from `$VIGIE_GARAGE` or the cache that
//! `.ci/garage.sh install` fills; the test is skipped with a message when it is absent).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use vigie_publish::object_store::path::Path as Key;
use vigie_publish::object_store::{Attribute, GetOptions, ObjectStore, ObjectStoreExt};
use vigie_publish::{Compression, Pointer, S3Config, content_type};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

const BUCKET: &str = "vigie";

/// Status, lower-case headers, body.
type Response = (u16, Vec<(String, String)>, Vec<u8>);

fn garage_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VIGIE_GARAGE") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("VIGIE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/vigie")))?;
    let bin = cache.join("garage/bin/garage");
    bin.is_file().then_some(bin)
}

fn free_port() -> R<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running Garage node, stopped on drop.
struct Garage {
    _dir: tempfile::TempDir,
    child: Child,
    s3_port: u16,
    web_port: u16,
    key_id: String,
    secret: String,
}

impl Drop for Garage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex32() -> String {
    // Not a real secret: a throwaway node on loopback.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let seed = u64::from(std::process::id()) ^ nanos;
    (0..4)
        .map(|i| {
            format!(
                "{:016x}",
                seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(i * 13)
            )
        })
        .collect()
}

impl Garage {
    fn start(bin: &Path) -> R<Self> {
        let dir = tempfile::tempdir()?;
        let d = dir.path();
        let (rpc, s3, web, admin) = (free_port()?, free_port()?, free_port()?, free_port()?);
        let config = d.join("garage.toml");
        std::fs::write(
            &config,
            format!(
                r#"metadata_dir = "{m}"
data_dir = "{data}"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "127.0.0.1:{web}"
root_domain = ".web.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:{admin}"
admin_token = "{secret}"
"#,
                m = d.join("meta").display(),
                data = d.join("data").display(),
                secret = hex32(),
            ),
        )?;
        let log = std::fs::File::create(d.join("server.log"))?;
        let child = Command::new(bin)
            .arg("server")
            .env("GARAGE_CONFIG_FILE", &config)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let mut g = Garage {
            _dir: dir,
            child,
            s3_port: s3,
            web_port: web,
            key_id: String::new(),
            secret: String::new(),
        };
        let cli = |args: &[&str]| -> R<String> {
            let out = Command::new(bin)
                .args(args)
                .env("GARAGE_CONFIG_FILE", &config)
                .output()?;
            if !out.status.success() {
                return Err(
                    format!("garage {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into(),
                );
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let addr = format!("127.0.0.1:{rpc}");
        let mut node = None;
        for _ in 0..100 {
            if let Ok(status) = cli(&["status"]) {
                node = status
                    .lines()
                    .find(|l| l.contains(&addr))
                    .and_then(|l| l.split_whitespace().next())
                    .map(str::to_string);
                if node.is_some() {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let node = node.ok_or("garage did not start")?;
        cli(&["layout", "assign", "-z", "dc1", "-c", "1G", &node])?;
        cli(&["layout", "apply", "--version", "1"])?;
        cli(&["bucket", "create", BUCKET])?;
        let key = cli(&["key", "create", "vigie-key"])?;
        let field = |name: &str| {
            key.lines()
                .find(|l| l.trim_start().starts_with(name))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_string())
                .ok_or(format!("no {name} in {key}"))
        };
        g.key_id = field("Key ID")?;
        g.secret = field("Secret key")?;
        cli(&[
            "bucket",
            "allow",
            "--read",
            "--write",
            "--owner",
            BUCKET,
            "--key",
            "vigie-key",
        ])?;
        cli(&["bucket", "website", "--allow", BUCKET])?;
        Ok(g)
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    fn publish(&self, release: &Path, to: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vigie"));
        c.args(["publish", "--s3-path-style", "--keep", "1", "--release"])
            .arg(release)
            .args(["--to", to])
            .env("AWS_ENDPOINT_URL", self.endpoint())
            .env("AWS_REGION", "garage")
            .env("AWS_ACCESS_KEY_ID", &self.key_id)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret)
            // Scratch exports of killed runs land in the test's directory, removed at the end.
            .env("TMPDIR", self._dir.path());
        c
    }

    fn store(&self) -> R<std::sync::Arc<dyn ObjectStore>> {
        Ok(vigie_publish::s3_store(
            BUCKET,
            &S3Config {
                endpoint: Some(self.endpoint()),
                region: "garage".into(),
                access_key_id: self.key_id.clone(),
                secret_access_key: self.secret.clone(),
                path_style: true,
                allow_http: false,
                timeout: Duration::from_secs(10),
            },
        )?)
    }

    /// GET through the website endpoint, as a CDN would: (status, lower-case headers, body).
    fn web_get(&self, path: &str) -> R<Response> {
        let mut s = TcpStream::connect(("127.0.0.1", self.web_port))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {BUCKET}.web.garage.localhost\r\nConnection: close\r\n\r\n"
        )?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no end of headers")?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .ok_or("no status")?
            .parse()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body)?;
        }
        Ok((status, headers, body))
    }
}

fn dechunk(mut b: &[u8]) -> R<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16)?;
        if size == 0 {
            return Ok(out);
        }
        let start = eol + 2;
        out.extend_from_slice(b.get(start..start + size).ok_or("short chunk")?);
        b = b.get(start + size + 2..).ok_or("short chunk")?;
    }
}

fn rel_id(rel: &Path) -> String {
    rel.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn build(sources: &Path, out: &Path, at: &str) -> R {
    let run = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "build",
            "-q",
            "--png",
            "none",
            "--built-at",
            at,
            "--sources",
        ])
        .arg(sources)
        .arg("--out")
        .arg(out)
        .output()?;
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned().into());
    }
    Ok(())
}

fn ok(out: Output) -> R<String> {
    if !out.status.success() {
        return Err(format!(
            "status {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Checks that the pointer under `prefix` names a complete release: its objects (count and
/// bytes as recorded), each with its metadata, and its home page served by the web endpoint.
fn check_complete(
    g: &Garage,
    rt: &tokio::runtime::Runtime,
    store: &dyn ObjectStore,
    prefix: &str,
) -> R<Pointer> {
    let pointer: Pointer = rt.block_on(async {
        let b = store
            .get(&Key::from(format!("{prefix}/current.json")))
            .await?
            .bytes()
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(serde_json::from_slice(&b)?)
    })?;
    let base = format!("{prefix}/{}", pointer.path);
    let listed: Vec<(String, u64)> = rt.block_on(async {
        use futures::TryStreamExt as _;
        store
            .list(Some(&Key::from(base.as_str())))
            .map_ok(|m| (m.location.to_string(), m.size))
            .try_collect()
            .await
    })?;
    assert_eq!(listed.len(), pointer.objects, "{pointer:?}");
    assert_eq!(
        listed.iter().map(|(_, s)| s).sum::<u64>(),
        pointer.bytes,
        "{pointer:?}"
    );
    let (status, h, body) = g.web_get(&format!("/{base}index.html"))?;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some("text/html; charset=utf-8"));
    assert!(!body.is_empty());
    Ok(pointer)
}

#[test]
fn publish_to_garage_switches_the_pointer_last_and_survives_kills() -> R {
    let Some(bin) = garage_bin() else {
        eprintln!(
            "skipped: no Garage binary (set VIGIE_GARAGE or run `.ci/garage.sh install`, which caches it in ~/.cache/vigie/garage/bin/garage)"
        );
        return Ok(());
    };
    let g = Garage::start(&bin)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let store = g.store()?;
    let tmp = tempfile::tempdir()?;
    let sources = vigie_testkit::fixtures().join("epidemic");
    let ids = [
        "20260101T000000Z",
        "20260102T000000Z",
        "20260103T000000Z",
        "20260104T000000Z",
    ];
    let rels: Vec<PathBuf> = ids.iter().map(|id| tmp.path().join(id)).collect();
    for (i, rel) in rels.iter().enumerate() {
        build(&sources, rel, &format!("2026-01-0{}T00:00:00Z", i + 1))?;
    }

    // First release.
    let out = ok(g
        .publish(&rels[0], &format!("s3://{BUCKET}/site"))
        .output()?)?;
    assert!(
        out.contains(&format!("published release {}", ids[0])),
        "{out}"
    );
    assert!(out.contains("previous none"), "{out}");
    let p = check_complete(&g, &rt, store.as_ref(), "site")?;
    assert_eq!((p.release.as_str(), p.previous), (ids[0], None));
    // Every object: content type by extension, immutable cache, gzip for pages.
    let base = format!("site/releases/{}/", ids[0]);
    let keys: Vec<String> = rt.block_on(async {
        use futures::TryStreamExt as _;
        store
            .list(Some(&Key::from(base.as_str())))
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
    })?;
    assert!(keys.len() > 20, "{keys:?}");
    for key in &keys {
        let head = rt.block_on(
            store.get_opts(&Key::from(key.as_str()), GetOptions::new().with_head(true)),
        )?;
        let rel = key.strip_prefix(&base).ok_or("outside the release")?;
        let a = &head.attributes;
        assert_eq!(
            a.get(&Attribute::ContentType).map(|v| v.as_ref()),
            Some(content_type(rel)),
            "{key}"
        );
        assert_eq!(
            a.get(&Attribute::CacheControl).map(|v| v.as_ref()),
            Some("public, max-age=31536000, immutable"),
            "{key}"
        );
        let gz = Compression::Web.applies_to(rel);
        assert_eq!(
            gz,
            [".html", ".css", ".js", ".svg"]
                .iter()
                .any(|e| rel.ends_with(e)),
            "{rel}"
        );
        assert_eq!(
            a.get(&Attribute::ContentEncoding).map(|v| v.as_ref()),
            gz.then_some("gzip"),
            "{key}"
        );
        assert!(
            a.get(&Attribute::Metadata("sha256".into()))
                .is_some_and(|v| v.len() == 64),
            "{key}"
        );
    }
    // Open data through the S3 API and through the web endpoint, byte for byte.
    let csv = std::fs::read(rels[0].join("open-data/indicators.csv"))?;
    let via_s3 = rt.block_on(async {
        store
            .get(&Key::from(format!("{base}open-data/indicators.csv")))
            .await?
            .bytes()
            .await
    })?;
    assert_eq!(via_s3.as_ref(), csv.as_slice());
    let (status, h, body) = g.web_get(&format!("/{base}open-data/indicators.csv"))?;
    assert_eq!(status, 200);
    assert_eq!(body, csv);
    assert_eq!(header(&h, "content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        header(&h, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let (status, h, body) = g.web_get(&format!("/{base}territoire/REG-94/index.html"))?;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-encoding"), Some("gzip"));
    assert_eq!(body.get(..2), Some(&[0x1f, 0x8b][..]), "gzip magic");
    let (status, h, body) = g.web_get("/site/current.json")?;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "cache-control"), Some("public, max-age=60"));
    assert_eq!(header(&h, "content-type"), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Pointer>(&body)?.release, ids[0]);
    let (status, _, body) = g.web_get("/site/index.html")?;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body).contains(&format!("url=releases/{}/index.html", ids[0]))
    );
    let (status, _, _) = g.web_get("/site/releases/nope/index.html")?;
    assert_eq!(status, 404);

    // Second release: the pointer switches; the first stays (keep 1).
    let out = ok(g
        .publish(&rels[1], &format!("s3://{BUCKET}/site"))
        .output()?)?;
    assert!(out.contains(&format!("previous {}", ids[0])), "{out}");
    let p = check_complete(&g, &rt, store.as_ref(), "site")?;
    assert_eq!(
        (p.release.as_str(), p.previous.as_deref()),
        (ids[1], Some(ids[0]))
    );
    let (status, _, _) = g.web_get(&format!("/{base}index.html"))?;
    assert_eq!(status, 200, "the previous release is still served");
    // Same release again: nothing is uploaded.
    let out = ok(g
        .publish(&rels[1], &format!("s3://{BUCKET}/site"))
        .output()?)?;
    assert!(out.contains("(0 uploaded"), "{out}");

    // Kills at spread points of a publish (timed on another prefix).
    let start = Instant::now();
    ok(g.publish(&rels[2], &format!("s3://{BUCKET}/timing"))
        .output()?)?;
    let full = start.elapsed();
    for k in 0..8u32 {
        let rel = &rels[2 + (k as usize % 2)];
        let delay = full.mul_f64(f64::from(k) / 8.0 + 0.02);
        let mut child = g
            .publish(rel, &format!("s3://{BUCKET}/site"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(delay);
        let killed = child.try_wait()?.is_none();
        let _ = child.kill();
        let _ = child.wait();
        let p = check_complete(&g, &rt, store.as_ref(), "site")?;
        let partial = rt
            .block_on(async {
                use futures::TryStreamExt as _;
                store
                    .list(Some(&Key::from(format!("site/releases/{}", rel_id(rel)))))
                    .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                    .await
            })
            .unwrap_or(0);
        eprintln!(
            "kill {k} after {delay:?}: {}; pointer {}; {partial} objects of {} stored",
            if killed {
                "killed while running"
            } else {
                "had already exited"
            },
            p.release,
            rel_id(rel),
        );
        assert!(
            ids[1..].contains(&p.release.as_str()),
            "kill after {delay:?}: {p:?}"
        );
    }
    // A last full publish completes and prunes down to the current release and one more.
    ok(g.publish(&rels[3], &format!("s3://{BUCKET}/site"))
        .output()?)?;
    let p = check_complete(&g, &rt, store.as_ref(), "site")?;
    assert_eq!(p.release, ids[3]);
    let folders = rt.block_on(store.list_with_delimiter(Some(&Key::from("site/releases"))))?;
    assert!(
        folders.common_prefixes.len() <= 2,
        "{:?}",
        folders.common_prefixes
    );

    // Clear errors: missing bucket, bad credentials, unreachable endpoint.
    let out = g.publish(&rels[0], "s3://no-such-bucket/site").output()?;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bucket does not exist"), "{err}");
    let out = g
        .publish(&rels[0], &format!("s3://{BUCKET}/site"))
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("access denied"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = g
        .publish(&rels[0], &format!("s3://{BUCKET}/site"))
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", free_port()?),
        )
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unreachable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = g
        .publish(&rels[0], &format!("s3://{BUCKET}/site"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no S3 credentials"));
    // Nothing of that moved the pointer.
    assert_eq!(
        check_complete(&g, &rt, store.as_ref(), "site")?.release,
        ids[3]
    );
    Ok(())
}
