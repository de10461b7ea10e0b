//! The recording format (a contract) and its replay.
//!
//! A recording is a directory holding `exchanges.jsonl`: one JSON object per line with
//! `method` (`"GET"`/`"POST"`), `url`, optional `body` (the JSON request body), `status`, and
//! either `response` (the answer as inline JSON) or `response_file` (a path relative to the
//! directory, for non-JSON or big answers, read as raw bytes). Blank lines are ignored.
//!
//! A request matches a line on the method, the URL with its query parameters compared as
//! an unordered multiset (`?a=1&b=2` = `?b=2&a=1`; percent-decoded), and the JSON body
//! (object key order does not matter). When several lines match the same request, they are
//! answered in file order on successive identical requests, and the last one is repeated
//! afterwards. A request with no matching line is answered `404` with an empty body and
//! listed in [`Replay::missing`].
//!
//! A replay streams its answers from disk: loading reads `exchanges.jsonl` once, checks
//! every line (and that each `response_file` exists), and keeps only an index (the matching
//! keys, and for each answer its status and where its bytes are: a line of
//! `exchanges.jsonl` or a response file). Each answer is read from disk when it is asked
//! for, so the memory of a replay does not grow with the size of the answers and a
//! recording much larger than the memory can be replayed. An inline `response` is answered
//! with its JSON text exactly as written in the line (not re-serialised).
//!
//! A recorder appends each exchange as one complete line ending with `\n`, after writing its
//! response file. A recording whose scan was killed mid-write can end with a truncated line
//! (no final `\n`, not valid JSON): loading ignores that line, with a warning, and a
//! recorder extending the recording first cuts it off. Any other malformed line is an error
//! naming the file and the line.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
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

/// One line of `exchanges.jsonl` as indexed by [`Replay::load`]: the request fields, but only
/// the raw text of an inline response (checked to be JSON, without building a value tree).
#[derive(Deserialize)]
struct IndexedLine<'a> {
    method: String,
    url: String,
    #[serde(default)]
    body: Option<serde_json::Value>,
    status: u16,
    #[serde(default, borrow)]
    response: Option<&'a RawValue>,
    #[serde(default)]
    response_file: Option<String>,
}

/// Where the bytes of one recorded answer are.
#[derive(Debug)]
enum Source {
    /// No body.
    Empty,
    /// The `response` of a line of `exchanges.jsonl`: its JSON text, `len` bytes at
    /// `offset` in the file.
    Inline { offset: u64, len: usize },
    /// A response file (checked to exist at load).
    File(PathBuf),
}

#[derive(Debug)]
struct Answer {
    status: u16,
    source: Source,
}

#[derive(Debug)]
struct Entry {
    body: Option<serde_json::Value>,
    answers: Vec<Answer>,
    /// The index of the next answer (saturates at the last one).
    next: AtomicUsize,
}

/// A recording indexed for answering requests offline (answers are read from disk on demand).
#[derive(Debug)]
pub struct Replay {
    /// `exchanges.jsonl`, read with positional reads (no shared cursor between tasks).
    file: File,
    path: PathBuf,
    entries: HashMap<Key, Vec<Entry>>,
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

/// `line` without its final `\n`, and whether it had one.
fn strip_newline(line: &[u8]) -> (&[u8], bool) {
    match line.strip_suffix(b"\n") {
        Some(l) => (l, true),
        None => (line, false),
    }
}

/// `true` for a line holding only whitespace (ignored, as an empty line).
fn blank(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(|s| s.trim().is_empty())
}

impl Replay {
    /// Indexes `dir/exchanges.jsonl`, checking every line and that the response files it
    /// names exist (their contents, like the inline responses, are read when asked for).
    pub fn load(dir: &Path) -> Result<Self, RecordingError> {
        let path = dir.join(EXCHANGES_FILE);
        let io = |source| RecordingError::Io {
            path: path.clone(),
            source,
        };
        let file = File::open(&path).map_err(io)?;
        let mut reader = BufReader::with_capacity(64 * 1024, &file);
        let mut entries: HashMap<Key, Vec<Entry>> = HashMap::new();
        let mut lines = 0;
        let mut buf = Vec::new();
        let mut offset = 0u64;
        let mut n = 0;
        loop {
            buf.clear();
            let read = reader.read_until(b'\n', &mut buf).map_err(io)?;
            if read == 0 {
                break;
            }
            n += 1;
            let start = offset;
            offset += read as u64;
            let (line, terminated) = strip_newline(&buf);
            if line.trim_ascii().is_empty() {
                continue;
            }
            let rec: IndexedLine<'_> = match serde_json::from_slice(line) {
                Ok(rec) => rec,
                Err(_) if blank(line) => continue,
                // Only the last line can lack its newline: a recording killed mid-write.
                Err(e) if !terminated => {
                    tracing::warn!(
                        "{}:{n}: ignoring the truncated last line (a recording interrupted while writing it?): {e}",
                        path.display()
                    );
                    break;
                }
                Err(source) => {
                    return Err(RecordingError::Line {
                        path: path.clone(),
                        line: n,
                        source,
                    });
                }
            };
            let invalid = |reason: String| RecordingError::Invalid {
                path: path.clone(),
                line: n,
                reason,
            };
            let source = match (rec.response, &rec.response_file) {
                // The response's own bytes within the line: read back as they are, with no
                // parse of the line.
                (Some(raw), None) => {
                    let text = raw.get().as_bytes();
                    let within = (text.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
                    Source::Inline {
                        offset: start + within as u64,
                        len: text.len(),
                    }
                }
                (None, Some(f)) => {
                    if !safe_relative(f) {
                        return Err(invalid(format!(
                            "response_file {f:?} must be a relative path inside the recording"
                        )));
                    }
                    let p = dir.join(f);
                    match std::fs::metadata(&p) {
                        Ok(m) if m.is_file() => Source::File(p),
                        Ok(_) => {
                            return Err(invalid(format!(
                                "response_file {f:?} ({}) is not a file",
                                p.display()
                            )));
                        }
                        Err(e) => {
                            return Err(invalid(format!(
                                "response_file {f:?} ({}): {e}",
                                p.display()
                            )));
                        }
                    }
                }
                (None, None) => Source::Empty,
                (Some(_), Some(_)) => {
                    return Err(invalid("both response and response_file".to_string()));
                }
            };
            lines += 1;
            let answer = Answer {
                status: rec.status,
                source,
            };
            let bucket = entries.entry(key(&rec.method, &rec.url)).or_default();
            match bucket.iter_mut().find(|e| e.body == rec.body) {
                Some(e) => e.answers.push(answer),
                None => bucket.push(Entry {
                    body: rec.body,
                    answers: vec![answer],
                    next: AtomicUsize::new(0),
                }),
            }
        }
        drop(reader);
        Ok(Replay {
            file,
            path,
            entries,
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

    /// The answer to `request` (see the module documentation for the matching rules), read
    /// from disk. An answer that can no longer be read (the recording changed or went away
    /// since it was loaded) is logged and answered as a missing request.
    pub fn answer(&self, request: &Request) -> ReplayAnswer {
        let method = method_name(request.method);
        let k = key(method, &request.url);
        let found = self
            .entries
            .get(&k)
            .and_then(|b| b.iter().find(|e| e.body == request.body))
            .and_then(|e| {
                let last = e.answers.len().checked_sub(1)?;
                // Claims the next answer; stays on the last one once there.
                let i = match e
                    .next
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |i| {
                        (i < last).then_some(i + 1)
                    }) {
                    Ok(i) | Err(i) => i.min(last),
                };
                e.answers.get(i)
            });
        if let Some(a) = found {
            match self.read(a) {
                Ok(body) => {
                    return ReplayAnswer {
                        status: a.status,
                        body,
                        missing: false,
                    };
                }
                Err(e) => tracing::error!(
                    "replay of {method} {}: {e}; answered as a missing request",
                    request.url
                ),
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

    /// The bytes of one answer, from disk.
    fn read(&self, a: &Answer) -> Result<Vec<u8>, RecordingError> {
        match &a.source {
            Source::Empty => Ok(Vec::new()),
            Source::File(p) => std::fs::read(p).map_err(|source| RecordingError::Io {
                path: p.clone(),
                source,
            }),
            Source::Inline { offset, len } => {
                let mut body = vec![0; *len];
                self.file
                    .read_exact_at(&mut body, *offset)
                    .map_err(|source| RecordingError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                Ok(body)
            }
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

/// Makes an existing `exchanges.jsonl` end with a complete line before appending to it: a
/// truncated last line (a recording killed mid-write) is cut off, as [`Replay::load`]
/// ignores it; a last line that parses but lacks its newline gets one.
fn repair_tail(file: &File, path: &Path) -> Result<(), RecordingError> {
    let io = |source| RecordingError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = file.metadata().map_err(io)?.len();
    let Some(last) = len.checked_sub(1) else {
        return Ok(());
    };
    let mut byte = [0u8; 1];
    file.read_exact_at(&mut byte, last).map_err(io)?;
    if byte == *b"\n" {
        return Ok(());
    }
    // The start of the last line: after the last newline, looking backwards by chunks.
    const CHUNK: u64 = 64 * 1024;
    let mut chunk = vec![0u8; CHUNK as usize];
    let mut end = len;
    let start = loop {
        if end == 0 {
            break 0;
        }
        let from = end.saturating_sub(CHUNK);
        let part = &mut chunk[..(end - from) as usize];
        file.read_exact_at(part, from).map_err(io)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            break from + i as u64 + 1;
        }
        end = from;
    };
    let mut tail = vec![0u8; usize::try_from(len - start).unwrap_or(0)];
    file.read_exact_at(&mut tail, start).map_err(io)?;
    if tail.trim_ascii().is_empty() || serde_json::from_slice::<IndexedLine<'_>>(&tail).is_ok() {
        (&*file).write_all(b"\n").map_err(io)
    } else {
        tracing::warn!(
            "{}: cutting off the truncated last line ({} bytes) before appending",
            path.display(),
            tail.len()
        );
        file.set_len(start).map_err(io)
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
    /// Opens `dir/exchanges.jsonl` for appending (an existing recording is extended; a
    /// truncated last line left by a killed recording is cut off first).
    pub fn create(dir: &Path) -> Result<Self, RecordingError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RecordingError::Io { path, source }
        };
        std::fs::create_dir_all(dir.join("responses")).map_err(io(dir))?;
        let path = dir.join(EXCHANGES_FILE);
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        repair_tail(&file, &path)?;
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
    ///
    /// The response file is written before the line that names it, and the line is written
    /// with a single append of the whole line and its `\n`: a scan killed at any moment
    /// leaves complete lines, possibly followed by one truncated line.
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
