//! The upload, verification, pointer switch and pruning.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    Attribute, AttributeValue, Attributes, GetOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload,
};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::layout::{
    CACHE_IMMUTABLE, CACHE_POINTER, Compression, ENTRY, META_SHA256, POINTER, Pointer, RELEASES,
    content_type, entry_html, join, release_dir, to_prune, valid_release_id,
};

/// A store and the key prefix under which the site lives.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The object store.
    pub store: Arc<dyn ObjectStore>,
    /// Key prefix (may be empty).
    pub prefix: String,
    /// Whether the store keeps HTTP attributes (content type, cache control, metadata):
    /// true for S3 and `InMemory`, false for `LocalFileSystem` (which refuses them).
    pub attributes: bool,
}

/// Settings of a publish.
#[derive(Debug, Clone)]
pub struct Options {
    /// Uploads in flight at once.
    pub concurrency: usize,
    /// Releases kept besides the current one (the most recent ids). At least 1 is advised: a
    /// reader that loaded the previous pointer just before the switch can still finish.
    pub keep: usize,
    /// Which files are stored gzip-compressed.
    pub compression: Compression,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            concurrency: 8,
            keep: 2,
            compression: Compression::Web,
        }
    }
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Release id.
    pub release: String,
    /// Objects of the release.
    pub objects: usize,
    /// Objects uploaded by this run (the others were already there).
    pub uploaded: usize,
    /// Stored bytes of the release (after compression).
    pub bytes: u64,
    /// Bytes uploaded by this run.
    pub uploaded_bytes: u64,
    /// Release that was current before.
    pub previous: Option<String>,
    /// Releases deleted after the switch.
    pub pruned: Vec<String>,
    /// Pruning failures (the publish itself succeeded).
    pub prune_errors: Vec<String>,
}

fn store_err(op: &'static str, key: &str) -> impl FnOnce(object_store::Error) -> Error + use<> {
    let key = key.to_string();
    move |source| Error::Store { op, key, source }
}

fn path(key: &str) -> Path {
    Path::from(key)
}

/// Lists the regular files under `root`, as sorted `/`-separated relative paths.
fn walk(root: &FsPath) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let io = |source| Error::Io {
            path: dir.clone(),
            source,
        };
        for e in std::fs::read_dir(&dir).map_err(io)? {
            let e = e.map_err(io)?;
            let p = e.path();
            let meta = std::fs::metadata(&p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                let rel = p
                    .strip_prefix(root)
                    .unwrap_or(&p)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, p));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    // `GzBuilder` writes no file name and a zero mtime: the output is reproducible.
    let mut enc = flate2::GzBuilder::new().write(
        Vec::with_capacity(data.len() / 3 + 64),
        flate2::Compression::best(),
    );
    enc.write_all(data)?;
    enc.finish()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attributes(rel: &str, cache: &'static str, gz: bool, sha: Option<&str>) -> Attributes {
    let mut a = Attributes::new();
    a.insert(Attribute::ContentType, content_type(rel).into());
    a.insert(Attribute::CacheControl, cache.into());
    if gz {
        a.insert(Attribute::ContentEncoding, "gzip".into());
    }
    if let Some(sha) = sha {
        a.insert(
            Attribute::Metadata(META_SHA256.into()),
            AttributeValue::from(sha.to_string()),
        );
    }
    a
}

async fn put(dest: &Destination, key: &str, data: Bytes, attrs: Attributes) -> Result<(), Error> {
    let opts = PutOptions {
        attributes: if dest.attributes {
            attrs
        } else {
            Attributes::new()
        },
        ..PutOptions::default()
    };
    dest.store
        .put_opts(&path(key), PutPayload::from(data), opts)
        .await
        .map_err(store_err("put", key))?;
    Ok(())
}

/// Reads the current pointer (`None` when nothing was published yet).
pub async fn read_pointer(dest: &Destination) -> Result<Option<Pointer>, Error> {
    let key = join(&dest.prefix, POINTER);
    match dest.store.get(&path(&key)).await {
        Ok(r) => {
            let bytes = r.bytes().await.map_err(store_err("get", &key))?;
            match serde_json::from_slice(&bytes) {
                Ok(p) => Ok(Some(p)),
                Err(e) => {
                    tracing::warn!("{key} is not a pointer ({e}); treating as absent");
                    Ok(None)
                }
            }
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_err("get", &key)(e)),
    }
}

/// One file to store.
struct Planned {
    rel: String,
    file: PathBuf,
}

/// Uploads one file unless an identical object is already there; returns (stored size,
/// uploaded bytes).
async fn upload_one(
    dest: &Destination,
    base: &str,
    item: &Planned,
    existing: &HashMap<String, u64>,
    compression: Compression,
) -> Result<(String, u64, u64), Error> {
    let raw = std::fs::read(&item.file).map_err(|source| Error::Io {
        path: item.file.clone(),
        source,
    })?;
    let gz = compression.applies_to(&item.rel);
    let data = if gz {
        gzip(&raw).map_err(|source| Error::Io {
            path: item.file.clone(),
            source,
        })?
    } else {
        raw
    };
    let size = data.len() as u64;
    let sha = hex(&Sha256::digest(&data));
    let key = join(base, &item.rel);
    if existing.get(&key) == Some(&size) {
        if !dest.attributes {
            return Ok((key, size, 0));
        }
        let head = dest
            .store
            .get_opts(&path(&key), GetOptions::new().with_head(true))
            .await;
        if let Ok(h) = head {
            let same = h
                .attributes
                .get(&Attribute::Metadata(META_SHA256.into()))
                .is_some_and(|v| v.as_ref() == sha);
            if same {
                return Ok((key, size, 0));
            }
        }
    }
    let attrs = attributes(&item.rel, CACHE_IMMUTABLE, gz, Some(&sha));
    put(dest, &key, Bytes::from(data), attrs).await?;
    tracing::debug!("uploaded {key} ({size} bytes)");
    Ok((key, size, size))
}

async fn list_sizes(dest: &Destination, prefix: &str) -> Result<HashMap<String, u64>, Error> {
    dest.store
        .list(Some(&path(prefix)))
        .map_ok(|m| (m.location.to_string(), m.size))
        .try_collect()
        .await
        .map_err(store_err("list", prefix))
}

/// Publishes the site in `site` (a directory) as release `release_id`: uploads and verifies
/// every file, then writes the pointers, then prunes old releases. `published_at` (RFC 3339)
/// is recorded in the pointer.
pub async fn publish(
    dest: &Destination,
    site: &FsPath,
    release_id: &str,
    published_at: &str,
    opts: &Options,
) -> Result<Summary, Error> {
    if !valid_release_id(release_id) {
        return Err(Error::ReleaseId(release_id.to_string()));
    }
    let files: Vec<Planned> = walk(site)?
        .into_iter()
        .map(|(rel, file)| Planned { rel, file })
        .collect();
    if files.is_empty() {
        return Err(Error::Empty(site.to_path_buf()));
    }
    // Fails early (and clearly) on a missing bucket, bad credentials or an unreachable endpoint.
    let previous = read_pointer(dest).await?.map(|p| p.release);
    let base = release_dir(&dest.prefix, release_id);
    let existing = list_sizes(dest, &base).await?;

    let results: Vec<(String, u64, u64)> = futures::stream::iter(files.iter())
        .map(|item| upload_one(dest, &base, item, &existing, opts.compression))
        .buffer_unordered(opts.concurrency.max(1))
        .try_collect()
        .await?;

    // Verify: every object is listed with its size.
    let listed = list_sizes(dest, &base).await?;
    let mut bytes = 0;
    let mut uploaded = 0;
    let mut uploaded_bytes = 0;
    for (key, size, up) in &results {
        let found = listed.get(key).copied();
        if found != Some(*size) {
            return Err(Error::Verify {
                key: key.clone(),
                expected: *size,
                found,
            });
        }
        bytes += size;
        if *up > 0 {
            uploaded += 1;
            uploaded_bytes += up;
        }
    }

    // Switch: the entry page, then the pointer, last.
    let pointer = Pointer {
        release: release_id.to_string(),
        path: format!("{RELEASES}/{release_id}/"),
        published_at: published_at.to_string(),
        objects: results.len(),
        bytes,
        previous: previous.clone().filter(|p| p != release_id),
    };
    let entry = join(&dest.prefix, ENTRY);
    put(
        dest,
        &entry,
        Bytes::from(entry_html(release_id)),
        attributes(ENTRY, CACHE_POINTER, false, None),
    )
    .await?;
    let pkey = join(&dest.prefix, POINTER);
    put(
        dest,
        &pkey,
        Bytes::from(pointer.to_json()),
        attributes(POINTER, CACHE_POINTER, false, None),
    )
    .await?;

    // Prune, only now that readers follow the new release.
    let (pruned, prune_errors) = prune(dest, release_id, opts.keep).await;
    Ok(Summary {
        release: release_id.to_string(),
        objects: results.len(),
        uploaded,
        bytes,
        uploaded_bytes,
        previous,
        pruned,
        prune_errors,
    })
}

async fn prune(dest: &Destination, current: &str, keep: usize) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let root = join(&dest.prefix, RELEASES);
    let ids: Vec<String> = match dest.store.list_with_delimiter(Some(&path(&root))).await {
        Ok(l) => l
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .collect(),
        Err(e) => {
            errors.push(format!("list {root}: {e}"));
            return (Vec::new(), errors);
        }
    };
    let mut pruned = Vec::new();
    for id in to_prune(ids, current, keep) {
        let dir = release_dir(&dest.prefix, &id);
        let locations = dest
            .store
            .list(Some(&path(&dir)))
            .map_ok(|m| m.location)
            .boxed();
        let deleted: Result<Vec<Path>, _> = dest.store.delete_stream(locations).try_collect().await;
        match deleted {
            Ok(_) => pruned.push(id),
            Err(e) => errors.push(format!("delete {dir}: {e}")),
        }
    }
    (pruned, errors)
}
