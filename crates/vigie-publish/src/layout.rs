//! The object layout of a published site and the HTTP metadata of each object (pure).
//!
//! ```text
//! PREFIX/releases/<release-id>/…   the static site, immutable once written
//! PREFIX/current.json              the pointer readers follow (written last)
//! PREFIX/index.html                a redirect to the current release (written with the pointer)
//! ```

use serde::{Deserialize, Serialize};

/// `Cache-Control` of the objects of a release: they never change once written.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the pointer objects: a switch is visible to readers within a minute.
pub const CACHE_POINTER: &str = "public, max-age=60";
/// Name of the pointer object, directly under the prefix.
pub const POINTER: &str = "current.json";
/// Name of the entry page, directly under the prefix.
pub const ENTRY: &str = "index.html";
/// Folder of the releases, directly under the prefix.
pub const RELEASES: &str = "releases";
/// User metadata key holding the hex SHA-256 of the stored bytes (`x-amz-meta-sha256` on S3).
pub const META_SHA256: &str = "sha256";

/// Which files are stored gzip-compressed (`Content-Encoding: gzip`).
///
/// An object store cannot negotiate encodings: a precompressed object is sent compressed to
/// every client. Browsers always accept gzip, but scripts (`curl -O`, `wget`, some HTTP
/// libraries) would save the compressed bytes, so the default only compresses what browsers
/// read (pages, styles, scripts, SVG) and leaves the open data (CSV, JSON) as plain files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Nothing is compressed.
    None,
    /// HTML, CSS, JavaScript and SVG are compressed (default).
    #[default]
    Web,
    /// Every text type, open data included (only behind a CDN that decompresses for clients
    /// that do not send `Accept-Encoding: gzip`).
    Text,
}

impl Compression {
    /// Parses `none`, `web` or `text`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "web" => Some(Self::Web),
            "text" => Some(Self::Text),
            _ => None,
        }
    }

    /// Whether a file with this relative path is stored compressed.
    pub fn applies_to(self, rel: &str) -> bool {
        let ext = extension(rel);
        match self {
            Self::None => false,
            Self::Web => matches!(ext.as_str(), "html" | "htm" | "css" | "js" | "mjs" | "svg"),
            Self::Text => {
                matches!(
                    ext.as_str(),
                    "html"
                        | "htm"
                        | "css"
                        | "js"
                        | "mjs"
                        | "svg"
                        | "json"
                        | "geojson"
                        | "csv"
                        | "txt"
                        | "md"
                        | "xml"
                )
            }
        }
    }
}

fn extension(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// `Content-Type` of a file, from its extension (`application/octet-stream` when unknown).
pub fn content_type(rel: &str) -> &'static str {
    match extension(rel).as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "gz" => "application/gzip",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Whether `id` can name a release folder: 1 to 128 of `A-Z a-z 0-9 . _ -`, not starting
/// with a dot.
pub fn valid_release_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Joins a prefix (possibly empty) and a relative key with single slashes.
pub fn join(prefix: &str, rel: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let rel = rel.trim_start_matches('/');
    if prefix.is_empty() {
        rel.to_string()
    } else if rel.is_empty() {
        prefix.to_string()
    } else {
        format!("{prefix}/{rel}")
    }
}

/// Key of the folder of a release: `PREFIX/releases/<id>`.
pub fn release_dir(prefix: &str, id: &str) -> String {
    join(prefix, &format!("{RELEASES}/{id}"))
}

/// What readers follow: `PREFIX/current.json`.
///
/// Reader protocol: GET `current.json` (short cache), then read files under `path` (relative to
/// the prefix, ending with `/`). Everything under `path` was uploaded and verified before the
/// pointer was written, and is never modified afterwards; a release stays available for at least
/// one more publish after it stops being current (see [`crate::Options::keep`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    /// Release id.
    pub release: String,
    /// Folder of the release, relative to the prefix (`releases/<id>/`).
    pub path: String,
    /// When the pointer was written (RFC 3339, passed in by the caller).
    pub published_at: String,
    /// Number of objects of the release.
    pub objects: usize,
    /// Total stored bytes of the release (after compression).
    pub bytes: u64,
    /// The release that was current before, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

impl Pointer {
    /// The pointer's JSON (pretty, with a final newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// The entry page: a plain redirect (no script) to the current release's home page.
pub fn entry_html(release: &str) -> String {
    let target = format!("{RELEASES}/{release}/index.html");
    format!(
        "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\">\n\
         <link rel=\"canonical\" href=\"{target}\">\n<title>Vigie</title></head>\n\
         <body><p><a href=\"{target}\">Vigie — version {release}</a></p></body></html>\n"
    )
}

/// Releases to delete after a switch: all but `current` and the `keep` most recent others
/// (release ids sort by time: `YYYYMMDDTHHMMSSZ`).
pub fn to_prune(mut ids: Vec<String>, current: &str, keep: usize) -> Vec<String> {
    ids.retain(|id| id != current);
    ids.sort();
    ids.dedup();
    let n = ids.len().saturating_sub(keep);
    ids.truncate(n);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/vigie.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("api/v1/territories/DEP-2A.json"),
            "application/json"
        );
        assert_eq!(
            content_type("open-data/indicators.csv"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(content_type("charts/FR/cases.SVG"), "image/svg+xml");
        assert_eq!(content_type("charts/FR/cases.png"), "image/png");
        assert_eq!(content_type("DEMO-DATA.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("a/.hidden"), "application/octet-stream");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn compression_choices() {
        assert!(Compression::Web.applies_to("territoire/FR/index.html"));
        assert!(Compression::Web.applies_to("charts/FR/cases.svg"));
        assert!(!Compression::Web.applies_to("open-data/indicators.csv"));
        assert!(!Compression::Web.applies_to("api/v1/release.json"));
        assert!(!Compression::Web.applies_to("charts/FR/cases.png"));
        assert!(Compression::Text.applies_to("open-data/indicators.csv"));
        assert!(!Compression::Text.applies_to("charts/FR/cases.png"));
        assert!(!Compression::None.applies_to("index.html"));
        assert_eq!(Compression::parse("web"), Some(Compression::Web));
        assert_eq!(Compression::parse("gzip"), None);
    }

    #[test]
    fn keys_and_ids() {
        assert_eq!(join("", "current.json"), "current.json");
        assert_eq!(join("/site/", "/current.json"), "site/current.json");
        assert_eq!(release_dir("a/b", "R1"), "a/b/releases/R1");
        assert!(valid_release_id("20260101T000000Z"));
        assert!(!valid_release_id(".."));
        assert!(!valid_release_id("a/b"));
        assert!(!valid_release_id(""));
    }

    #[test]
    fn pruning_keeps_current_and_the_most_recent() {
        let ids = ["R1", "R4", "R2", "R3", "R5"].map(String::from).to_vec();
        assert_eq!(to_prune(ids.clone(), "R5", 2), vec!["R1", "R2"]);
        // Rolling back to an old release keeps it and the most recent others.
        assert_eq!(to_prune(ids.clone(), "R1", 2), vec!["R2", "R3"]);
        assert_eq!(to_prune(ids.clone(), "R5", 10), Vec::<String>::new());
        assert_eq!(to_prune(ids, "R5", 0), vec!["R1", "R2", "R3", "R4"]);
    }

    #[test]
    fn pointer_round_trips() -> Result<(), serde_json::Error> {
        let p = Pointer {
            release: "R1".into(),
            path: "releases/R1/".into(),
            published_at: "2026-01-01T00:00:00Z".into(),
            objects: 3,
            bytes: 42,
            previous: None,
        };
        let json = p.to_json();
        assert!(!String::from_utf8_lossy(&json).contains("previous"));
        assert_eq!(serde_json::from_slice::<Pointer>(&json)?, p);
        assert!(entry_html("R1").contains("url=releases/R1/index.html"));
        Ok(())
    }
}
