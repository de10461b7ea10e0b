//! The recording format (a contract) and its replay.
//!
//! A recording is a directory holding `exchanges.jsonl`: one JSON object per line with
//! `method` (`"GET"`/`"POST"`), `url`, optional `body` (the JSON request body), `status`, and
//! either `response` (the answer as inline JSON) or `response_file` (a path relative to the
//! directory, for non-JSON or big answers, read as raw bytes).
//!
//! A request matches a line on the method, the URL with its query parameters compared as
//! an unordered multiset (`?a=1&b=2` = `?b=2&a=1`; percent-decoded), and the JSON body
//! (object key order does not matter). When several lines match the same request, they are
//! answered in file order on successive identical requests, and the last one is repeated
//! afterwards. A request with no matching line is answered `404` with an empty body and
//! listed in [`Replay::missing`].

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use vigie_slots::{Method, Request};

/// The file name of the exchanges inside a recording directory.
pub const EXCHANGES_FILE: &str = "exchanges.jsonl";

/// Inline JSON answers larger than this go to a `response_file` when recording.
pub const INLINE_LIMIT: usize = 64 * 1024;

/// One line of `exchanges.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    pub method: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_file: Option<String>,
}

/// A request that had no answer in the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingRequest {
    pub method: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

/// Errors reading or writing a recording.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a recorded exchange: {source}")]
    Line {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Invalid {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

pub(crate) fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
    }
}

/// The matching key of a URL: everything but the query, and the sorted decoded query pairs.
fn url_key(raw: &str) -> (String, Vec<(String, String)>) {
    match url::Url::parse(raw) {
        Ok(u) => {
            let mut pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            pairs.sort();
            let mut base = u.clone();
            base.set_query(None);
            base.set_fragment(None);
            (base.to_string(), pairs)
        }
        Err(_) => (raw.to_string(), Vec::new()),
    }
}

type Key = (String, String, Vec<(String, String)>);

fn key(method: &str, url: &str) -> Key {
    let (base, q) = url_key(url);
    (method.to_ascii_uppercase(), base, q)
}

#[derive(Debug)]
struct Entry {
    body: Option<serde_json::Value>,
    answers: Vec<(u16, Vec<u8>)>,
    next: usize,
}

/// A loaded recording answering requests offline.
#[derive(Debug)]
pub struct Replay {
    entries: Mutex<HashMap<Key, Vec<Entry>>>,
    missing: Mutex<Vec<MissingRequest>>,
    lines: usize,
}

/// The answer of the replay to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayAnswer {
    pub status: u16,
    pub body: Vec<u8>,
    /// `true` when the request was not in the recording (the answer is a 404).
    pub missing: bool,
}

fn safe_relative(p: &str) -> bool {
    let path = Path::new(p);
    !p.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

impl Replay {
    /// Loads `dir/exchanges.jsonl` and the response files it names.
    pub fn load(dir: &Path) -> Result<Self, RecordingError> {
        let path = dir.join(EXCHANGES_FILE);
        let file = File::open(&path).map_err(|source| RecordingError::Io {
            path: path.clone(),
            source,
        })?;
        let mut entries: HashMap<Key, Vec<Entry>> = HashMap::new();
        let mut lines = 0;
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| RecordingError::Io {
                path: path.clone(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            let rec: RecordedExchange =
                serde_json::from_str(&line).map_err(|source| RecordingError::Line {
                    path: path.clone(),
                    line: n,
                    source,
                })?;
            let invalid = |reason: String| RecordingError::Invalid {
                path: path.clone(),
                line: n,
                reason,
            };
            let body = match (&rec.response, &rec.response_file) {
                (Some(v), None) => serde_json::to_vec(v).map_err(|e| invalid(e.to_string()))?,
                (None, Some(f)) => {
                    if !safe_relative(f) {
                        return Err(invalid(format!(
                            "response_file {f:?} must be a relative path inside the recording"
                        )));
                    }
                    let p = dir.join(f);
                    std::fs::read(&p).map_err(|source| RecordingError::Io { path: p, source })?
                }
                (None, None) => Vec::new(),
                (Some(_), Some(_)) => {
                    return Err(invalid("both response and response_file".to_string()));
                }
            };
            lines += 1;
            let bucket = entries.entry(key(&rec.method, &rec.url)).or_default();
            match bucket.iter_mut().find(|e| e.body == rec.body) {
                Some(e) => e.answers.push((rec.status, body)),
                None => bucket.push(Entry {
                    body: rec.body,
                    answers: vec![(rec.status, body)],
                    next: 0,
                }),
            }
        }
        Ok(Replay {
            entries: Mutex::new(entries),
            missing: Mutex::new(Vec::new()),
            lines,
        })
    }

    /// Number of recorded exchanges.
    pub fn len(&self) -> usize {
        self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// The answer to `request` (see the module documentation for the matching rules).
    pub fn answer(&self, request: &Request) -> ReplayAnswer {
        let method = method_name(request.method);
        let k = key(method, &request.url);
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = entries
                .get_mut(&k)
                .and_then(|b| b.iter_mut().find(|e| e.body == request.body))
                && let Some(last) = e.answers.len().checked_sub(1)
            {
                let i = e.next.min(last);
                e.next = e.next.saturating_add(1);
                let (status, body) = &e.answers[i];
                return ReplayAnswer {
                    status: *status,
                    body: body.clone(),
                    missing: false,
                };
            }
        }
        let m = MissingRequest {
            method: method.to_string(),
            url: request.url.clone(),
            body: request.body.clone(),
        };
        let mut missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
        if !missing.contains(&m) {
            missing.push(m);
        }
        ReplayAnswer {
            status: 404,
            body: Vec::new(),
            missing: true,
        }
    }

    /// The distinct requests that were not in the recording, in order of first occurrence.
    pub fn missing(&self) -> Vec<MissingRequest> {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Appends exchanges to a recording directory (created if needed).
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    file: Mutex<File>,
    files: AtomicU64,
}

impl Recorder {
    /// Opens `dir/exchanges.jsonl` for appending (an existing recording is extended).
    pub fn create(dir: &Path) -> Result<Self, RecordingError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RecordingError::Io { path, source }
        };
        std::fs::create_dir_all(dir.join("responses")).map_err(io(dir))?;
        let path = dir.join(EXCHANGES_FILE);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let existing = std::fs::read_dir(dir.join("responses"))
            .map(|d| d.count() as u64)
            .unwrap_or(0);
        Ok(Recorder {
            dir: dir.to_path_buf(),
            file: Mutex::new(file),
            files: AtomicU64::new(existing),
        })
    }

    /// Records one exchange: JSON answers up to [`INLINE_LIMIT`] inline, empty answers with
    /// neither field, others in `responses/NNNNNN.json|.bin` (bytes as received).
    pub fn record(
        &self,
        request: &Request,
        status: u16,
        body: &[u8],
    ) -> Result<(), RecordingError> {
        let inline = if body.len() <= INLINE_LIMIT {
            serde_json::from_slice::<serde_json::Value>(body).ok()
        } else {
            None
        };
        let (response, response_file) = match inline {
            Some(v) => (Some(v), None),
            None if body.is_empty() => (None, None),
            None => {
                let n = self.files.fetch_add(1, Ordering::Relaxed) + 1;
                let ext = if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
                    "json"
                } else {
                    "bin"
                };
                let rel = format!("responses/{n:06}.{ext}");
                let p = self.dir.join(&rel);
                std::fs::write(&p, body)
                    .map_err(|source| RecordingError::Io { path: p, source })?;
                (None, Some(rel))
            }
        };
        let rec = RecordedExchange {
            method: method_name(request.method).to_string(),
            url: request.url.clone(),
            body: request.body.clone(),
            status,
            response,
            response_file,
        };
        let path = self.dir.join(EXCHANGES_FILE);
        let mut line = serde_json::to_vec(&rec).map_err(|e| RecordingError::Invalid {
            path: path.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
        line.push(b'\n');
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(&line)
            .map_err(|source| RecordingError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keys_ignore_query_order_but_not_multiplicity() {
        assert_eq!(
            url_key("https://h/p?b=2&a=1&a=3"),
            url_key("https://h/p?a=3&b=2&a=1")
        );
        assert_ne!(url_key("https://h/p?a=1"), url_key("https://h/p?a=1&a=1"));
        assert_ne!(url_key("https://h/p?a=1"), url_key("https://h/q?a=1"));
        assert_eq!(url_key("https://h/p?x=a%20b"), url_key("https://h/p?x=a+b"));
    }

    #[test]
    fn rejects_escaping_response_files() {
        assert!(safe_relative("responses/1.json"));
        assert!(!safe_relative("../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative(""));
    }
}
