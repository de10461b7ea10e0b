//! `publish` against object_store's `InMemory` and `LocalFileSystem` (no server needed).

use std::fmt;
use std::path::Path as FsPath;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use futures::stream::BoxStream;
use vigie_publish::object_store::memory::InMemory;
use vigie_publish::object_store::path::Path;
use vigie_publish::object_store::{
    self, Attribute, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use vigie_publish::{Compression, Destination, Error, Options, Pointer, publish, read_pointer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A small site in the exporter's layout; `version` changes the content of every page.
fn site(dir: &FsPath, version: &str) -> std::io::Result<()> {
    for (rel, body) in [
        (
            "index.html",
            format!("<!doctype html><p>home {version}</p>"),
        ),
        (
            "territoire/DEP-2A/index.html",
            format!("<p>Corse-du-Sud {version}</p>"),
        ),
        ("assets/vigie.css", "body{margin:0}".to_string()),
        (
            "api/v1/territories/DEP-2A.json",
            format!("{{\"v\":\"{version}\"}}"),
        ),
        (
            "open-data/indicators.csv",
            format!("territory,value\nDEP-2A,{}\n", version.len()),
        ),
        (
            "charts/FR/cases.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".into(),
        ),
        ("charts/FR/cases.png", "\u{89}PNG-not-really".into()),
    ] {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, body)?;
    }
    Ok(())
}

fn mem(prefix: &str) -> (Arc<InMemory>, Destination) {
    let store = Arc::new(InMemory::new());
    let dest = Destination {
        store: store.clone(),
        prefix: prefix.into(),
        attributes: true,
    };
    (store, dest)
}

async fn keys(store: &dyn ObjectStore) -> Result<Vec<String>, object_store::Error> {
    let mut k: Vec<String> = store
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await?;
    k.sort();
    Ok(k)
}

async fn body(store: &dyn ObjectStore, key: &str) -> Result<Vec<u8>, object_store::Error> {
    Ok(store.get(&Path::from(key)).await?.bytes().await?.to_vec())
}

#[tokio::test]
async fn layout_content_types_cache_and_pointer() -> TestResult {
    let tmp = tempfile::tempdir()?;
    site(tmp.path(), "one")?;
    let (store, dest) = mem("vigie/site");
    let s = publish(
        &dest,
        tmp.path(),
        "20260101T000000Z",
        "2026-01-01T01:00:00Z",
        &Options::default(),
    )
    .await?;
    assert_eq!((s.objects, s.uploaded, s.previous.clone()), (7, 7, None));
    assert_eq!(
        keys(store.as_ref()).await?,
        vec![
            "vigie/site/current.json",
            "vigie/site/index.html",
            "vigie/site/releases/20260101T000000Z/api/v1/territories/DEP-2A.json",
            "vigie/site/releases/20260101T000000Z/assets/vigie.css",
            "vigie/site/releases/20260101T000000Z/charts/FR/cases.png",
            "vigie/site/releases/20260101T000000Z/charts/FR/cases.svg",
            "vigie/site/releases/20260101T000000Z/index.html",
            "vigie/site/releases/20260101T000000Z/open-data/indicators.csv",
            "vigie/site/releases/20260101T000000Z/territoire/DEP-2A/index.html",
        ]
    );
    let base = "vigie/site/releases/20260101T000000Z/";
    for (rel, ctype, gz) in [
        ("index.html", "text/html; charset=utf-8", true),
        ("assets/vigie.css", "text/css; charset=utf-8", true),
        ("api/v1/territories/DEP-2A.json", "application/json", false),
        ("open-data/indicators.csv", "text/csv; charset=utf-8", false),
        ("charts/FR/cases.svg", "image/svg+xml", true),
        ("charts/FR/cases.png", "image/png", false),
    ] {
        let r = store.get(&Path::from(format!("{base}{rel}"))).await?;
        let a = r.attributes.clone();
        assert_eq!(
            a.get(&Attribute::ContentType).map(|v| v.as_ref()),
            Some(ctype),
            "{rel}"
        );
        assert_eq!(
            a.get(&Attribute::CacheControl).map(|v| v.as_ref()),
            Some("public, max-age=31536000, immutable"),
            "{rel}"
        );
        assert_eq!(
            a.get(&Attribute::ContentEncoding).map(|v| v.as_ref()),
            gz.then_some("gzip"),
            "{rel}"
        );
        let stored = r.bytes().await?;
        let original = std::fs::read(tmp.path().join(rel))?;
        let plain = if gz {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&stored[..]), &mut out)?;
            out
        } else {
            stored.to_vec()
        };
        assert_eq!(plain, original, "{rel}");
    }
    let p: Pointer =
        serde_json::from_slice(&body(store.as_ref(), "vigie/site/current.json").await?)?;
    assert_eq!(p.release, "20260101T000000Z");
    assert_eq!(p.path, "releases/20260101T000000Z/");
    assert_eq!(p.published_at, "2026-01-01T01:00:00Z");
    assert_eq!((p.objects, p.bytes), (7, s.bytes));
    let r = store.get(&Path::from("vigie/site/current.json")).await?;
    assert_eq!(
        r.attributes
            .get(&Attribute::CacheControl)
            .map(|v| v.as_ref()),
        Some("public, max-age=60")
    );
    assert_eq!(
        r.attributes
            .get(&Attribute::ContentType)
            .map(|v| v.as_ref()),
        Some("application/json")
    );
    let entry = String::from_utf8(body(store.as_ref(), "vigie/site/index.html").await?)?;
    assert!(
        entry.contains("url=releases/20260101T000000Z/index.html"),
        "{entry}"
    );
    assert_eq!(read_pointer(&dest).await?, Some(p));
    Ok(())
}

#[tokio::test]
async fn republishing_skips_identical_objects_and_switches_then_prunes() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    site(&one, "one")?;
    site(&two, "two")?;
    let (store, dest) = mem("");
    let opts = Options {
        keep: 1,
        compression: Compression::None,
        concurrency: 3,
    };
    publish(&dest, &one, "R1", "t1", &opts).await?;
    let again = publish(&dest, &one, "R1", "t1b", &opts).await?;
    assert_eq!(
        (again.objects, again.uploaded, again.uploaded_bytes),
        (7, 0, 0)
    );
    assert_eq!(again.previous.as_deref(), Some("R1"));
    let s2 = publish(&dest, &two, "R2", "t2", &opts).await?;
    assert_eq!(s2.previous.as_deref(), Some("R1"));
    assert!(s2.pruned.is_empty(), "keep 1: R1 stays");
    let p = read_pointer(&dest).await?.ok_or("no pointer")?;
    assert_eq!(
        (p.release.as_str(), p.previous.as_deref()),
        ("R2", Some("R1"))
    );
    assert!(
        String::from_utf8(body(store.as_ref(), "releases/R2/index.html").await?)?.contains("two")
    );
    let s3 = publish(&dest, &one, "R3", "t3", &opts).await?;
    assert_eq!(s3.pruned, vec!["R1"]);
    assert!(s3.prune_errors.is_empty());
    let k = keys(store.as_ref()).await?;
    assert!(!k.iter().any(|k| k.starts_with("releases/R1/")), "{k:?}");
    assert_eq!(
        k.iter().filter(|k| k.starts_with("releases/R2/")).count(),
        7
    );
    assert_eq!(
        k.iter().filter(|k| k.starts_with("releases/R3/")).count(),
        7
    );
    Ok(())
}

#[tokio::test]
async fn a_changed_object_of_the_same_size_is_uploaded_again() -> TestResult {
    let tmp = tempfile::tempdir()?;
    site(tmp.path(), "aaa")?;
    let (store, dest) = mem("p");
    let opts = Options::default();
    publish(&dest, tmp.path(), "R1", "t", &opts).await?;
    // Same release id, same sizes, different bytes (e.g. a publish from another version).
    site(tmp.path(), "bbb")?;
    let s = publish(&dest, tmp.path(), "R1", "t", &opts).await?;
    assert_eq!(s.uploaded, 3, "the three pages that embed the version");
    let j = body(
        store.as_ref(),
        "p/releases/R1/api/v1/territories/DEP-2A.json",
    )
    .await?;
    assert_eq!(j, b"{\"v\":\"bbb\"}");
    Ok(())
}

/// Wraps a store, records the keys of every put and fails the puts after the first `limit`.
#[derive(Debug)]
struct Recording {
    inner: InMemory,
    puts: Mutex<Vec<String>>,
    limit: AtomicUsize,
}

impl fmt::Display for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recording")
    }
}

#[async_trait::async_trait]
impl ObjectStore for Recording {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let n = {
            let mut puts = self
                .puts
                .lock()
                .map_err(|_| object_store::Error::NotImplemented {
                    operation: "poisoned".into(),
                    implementer: "Recording".into(),
                })?;
            puts.push(location.to_string());
            puts.len()
        };
        if n > self.limit.load(Ordering::SeqCst) {
            return Err(object_store::Error::Generic {
                store: "Recording",
                source: "killed".into(),
            });
        }
        self.inner.put_opts(location, payload, opts).await
    }
    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }
    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }
    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }
    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }
    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }
    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

fn recording(limit: usize) -> (Arc<Recording>, Destination) {
    let rec = Arc::new(Recording {
        inner: InMemory::new(),
        puts: Mutex::new(Vec::new()),
        limit: AtomicUsize::new(limit),
    });
    let dest = Destination {
        store: rec.clone(),
        prefix: "s".into(),
        attributes: true,
    };
    (rec, dest)
}

#[tokio::test]
async fn pointers_are_written_last_and_an_interrupted_publish_keeps_the_old_release() -> TestResult
{
    let tmp = tempfile::tempdir()?;
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    site(&one, "one")?;
    site(&two, "two")?;
    let opts = Options::default();
    let (rec, dest) = recording(usize::MAX);
    publish(&dest, &one, "R1", "t1", &opts).await?;
    let puts = rec.puts.lock().map_err(|_| "poisoned")?.clone();
    assert_eq!(puts.len(), 9);
    assert!(
        puts[..7].iter().all(|k| k.starts_with("s/releases/R1/")),
        "{puts:?}"
    );
    assert_eq!(&puts[7..], ["s/index.html", "s/current.json"]);

    // Interrupt the second publish after each possible number of puts (7 objects, the entry
    // page, the pointer).
    for limit in 0..9 {
        let (rec, dest) = recording(usize::MAX);
        publish(&dest, &one, "R1", "t1", &opts).await?;
        let r1: Vec<(String, Vec<u8>)> = {
            let mut v = Vec::new();
            for k in keys(&rec.inner).await? {
                if k.starts_with("s/releases/R1/") {
                    let b = body(&rec.inner, &k).await?;
                    v.push((k, b));
                }
            }
            v
        };
        rec.puts.lock().map_err(|_| "poisoned")?.clear();
        rec.limit.store(limit, Ordering::SeqCst);
        let r = publish(&dest, &two, "R2", "t2", &opts).await;
        assert!(
            matches!(r, Err(Error::Store { op: "put", .. })),
            "{limit}: {r:?}"
        );
        let p = read_pointer(&dest).await?.ok_or("no pointer")?;
        assert_eq!(p.release, "R1", "limit {limit}");
        for (k, b) in &r1 {
            assert_eq!(&body(&rec.inner, k).await?, b, "limit {limit}: {k}");
        }
        // A full run resumes: only what the interrupted run did not store is uploaded.
        rec.limit.store(usize::MAX, Ordering::SeqCst);
        let s = publish(&dest, &two, "R2", "t2", &opts).await?;
        assert_eq!(s.uploaded, 7 - limit.min(7), "limit {limit}");
        assert_eq!(
            read_pointer(&dest).await?.map(|p| p.release).as_deref(),
            Some("R2")
        );
    }
    Ok(())
}

#[tokio::test]
async fn local_file_system_store_without_attributes() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let (src, out) = (tmp.path().join("src"), tmp.path().join("out"));
    site(&src, "one")?;
    std::fs::create_dir_all(&out)?;
    let store = Arc::new(object_store::local::LocalFileSystem::new_with_prefix(&out)?);
    let dest = Destination {
        store,
        prefix: "site".into(),
        attributes: false,
    };
    let opts = Options {
        compression: Compression::None,
        ..Options::default()
    };
    let s = publish(&dest, &src, "R1", "t", &opts).await?;
    assert_eq!((s.objects, s.uploaded), (7, 7));
    assert_eq!(
        std::fs::read(out.join("site/releases/R1/open-data/indicators.csv"))?,
        std::fs::read(src.join("open-data/indicators.csv"))?
    );
    let again = publish(&dest, &src, "R1", "t", &opts).await?;
    assert_eq!(again.uploaded, 0);
    let p: Pointer = serde_json::from_slice(&std::fs::read(out.join("site/current.json"))?)?;
    assert_eq!(p.release, "R1");
    Ok(())
}

#[tokio::test]
async fn bad_inputs_are_refused_before_any_write() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let (store, dest) = mem("");
    let r = publish(&dest, tmp.path(), "R1", "t", &Options::default()).await;
    assert!(matches!(r, Err(Error::Empty(_))), "{r:?}");
    site(tmp.path(), "x")?;
    let r = publish(&dest, tmp.path(), "../R1", "t", &Options::default()).await;
    assert!(matches!(r, Err(Error::ReleaseId(_))), "{r:?}");
    assert!(keys(store.as_ref()).await?.is_empty());
    Ok(())
}
