//! `indicators.csv.gz`, compressed on every core while the CSV is being written.
//!
//! The file is one ordinary gzip member (any gzip reader, including single-member ones, reads
//! it whole), built the way `pigz` does: each chunk pushed by the writer (one territory's rows)
//! is deflated on its own by a pool of workers and ended with a sync flush, which leaves the
//! stream on a byte boundary, so the compressed chunks concatenate into one valid deflate
//! stream; an empty final block closes it, and the CRC-32 is combined from the chunks' CRCs.
//! The bytes depend only on the chunks and the level, never on the number of threads or their
//! timing: the same input gives the same file.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::Crc;
use zlib_rs::{Deflate, DeflateFlush, Status};

/// Compression level of `indicators.csv.gz`. With zlib-rs, level 3 deflates the benchmark's
/// CSV (bench/epidemic, 1.7 GB) at about 360 MB/s per core to 8.2 % of its size, level 6 at
/// 170 MB/s to 7.9 %: twice the speed for 3 % more bytes.
pub const LEVEL: i32 = 3;

/// One chunk to compress: its index, its buffer, where its bytes start in the buffer.
type Job = (usize, Vec<u8>, usize);

/// One compressed chunk: its index, its deflate bytes, its CRC.
type Done = (usize, Vec<u8>, Crc);

/// A gzip file being written from chunks pushed in order (see the module documentation).
#[derive(Debug)]
pub struct ParallelGzip {
    path: PathBuf,
    jobs: Option<SyncSender<Job>>,
    spare: Receiver<Vec<u8>>,
    next: usize,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<io::Result<()>>>,
}

impl ParallelGzip {
    /// Creates `path` and starts `workers` compressing threads (at least one) and the thread
    /// writing their output in order.
    pub fn create(path: &Path, workers: usize) -> io::Result<ParallelGzip> {
        let file = fs::File::create(path)?;
        let level = LEVEL;
        let workers = workers.max(1);
        // A few chunks in flight per worker bound the memory held.
        let (jobs, queue) = mpsc::sync_channel::<Job>(workers * 2);
        let queue = Arc::new(Mutex::new(queue));
        let (done_tx, done_rx) = mpsc::channel::<io::Result<Done>>();
        let (spare_tx, spare) = mpsc::channel::<Vec<u8>>();
        let handles = (0..workers)
            .map(|_| {
                let queue = Arc::clone(&queue);
                let done = done_tx.clone();
                let spare = spare_tx.clone();
                std::thread::spawn(move || work(&queue, level, &done, &spare))
            })
            .collect();
        drop(done_tx);
        let writer = std::thread::spawn(move || write_ordered(file, level, &done_rx));
        Ok(ParallelGzip {
            path: path.to_path_buf(),
            jobs: Some(jobs),
            spare,
            next: 0,
            workers: handles,
            writer: Some(writer),
        })
    }

    /// An empty buffer for the next chunk, reusing one already compressed when there is one.
    pub fn buffer(&self) -> Vec<u8> {
        match self.spare.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::new(),
        }
    }

    /// Queues `chunk[from..]`, the next bytes of the uncompressed stream (waits while the
    /// workers are busy). The buffer comes back through [`ParallelGzip::buffer`].
    pub fn push(&mut self, chunk: Vec<u8>, from: usize) -> io::Result<()> {
        if chunk.len() <= from {
            return Ok(());
        }
        let jobs = self.jobs.as_ref().ok_or_else(closed)?;
        // A closed queue means the writer stopped on an error, which `finish` reports.
        jobs.send((self.next, chunk, from)).map_err(|_| closed())?;
        self.next += 1;
        Ok(())
    }

    /// Waits for every chunk and closes the file (not synced: the release is synced as a whole
    /// before it is switched in).
    pub fn finish(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        drop(self.jobs.take());
        let mut result = Ok(());
        for h in self.workers.drain(..) {
            if h.join().is_err() {
                result = Err(io::Error::other("a gzip worker panicked"));
            }
        }
        if let Some(w) = self.writer.take() {
            let written = w
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the gzip writer panicked")));
            result = result.and(written);
        }
        result.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))
    }
}

impl Drop for ParallelGzip {
    fn drop(&mut self) {
        // Abandoned (the build failed): let the threads end before the staging is removed.
        let _ = self.stop();
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the gzip writer stopped")
}

/// A worker: deflates queued chunks until the queue is closed.
fn work(
    queue: &Mutex<Receiver<Job>>,
    level: i32,
    done: &Sender<io::Result<Done>>,
    spare: &Sender<Vec<u8>>,
) {
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        let Ok((index, chunk, from)) = job else {
            return;
        };
        let bytes = &chunk[from.min(chunk.len())..];
        let mut crc = Crc::new();
        crc.update(bytes);
        let result = deflate(bytes, level, DeflateFlush::SyncFlush).map(|out| (index, out, crc));
        let failed = result.is_err();
        if done.send(result).is_err() || failed {
            return;
        }
        let _ = spare.send(chunk);
    }
}

/// Raw deflate of `input` from a fresh stream, ended with `flush` (`SyncFlush`: byte-aligned,
/// not final; `Finish`: final block).
fn deflate(input: &[u8], level: i32, flush: DeflateFlush) -> io::Result<Vec<u8>> {
    let err = |e: zlib_rs::DeflateError| io::Error::other(format!("deflate: {}", e.as_str()));
    let mut d = Deflate::new(level, false, 15);
    let mut out = vec![0; input.len() / 8 + 64];
    loop {
        let read = usize::try_from(d.total_in()).map_err(io::Error::other)?;
        let written = usize::try_from(d.total_out()).map_err(io::Error::other)?;
        let status = d
            .compress(&input[read..], &mut out[written..], flush)
            .map_err(err)?;
        let read = usize::try_from(d.total_in()).map_err(io::Error::other)?;
        let written = usize::try_from(d.total_out()).map_err(io::Error::other)?;
        // A flush is complete once all input is read and the output was not filled up.
        let flushed = read == input.len() && written < out.len() && flush != DeflateFlush::Finish;
        if status == Status::StreamEnd || flushed {
            out.truncate(written);
            return Ok(out);
        }
        if written == out.len() {
            out.resize(out.len() * 2, 0);
        }
    }
}

/// Writes the gzip header, the chunks in index order as they arrive, the final block and the
/// trailer.
fn write_ordered(file: fs::File, level: i32, done: &Receiver<io::Result<Done>>) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, file);
    // As flate2's GzEncoder writes it: no name, no time, OS unknown; XFL 4 for the fastest
    // level, 2 for the best.
    let xfl = match level {
        9.. => 2,
        1 => 4,
        _ => 0,
    };
    w.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff])?;
    let mut crc = Crc::new();
    let mut waiting: BTreeMap<usize, (Vec<u8>, Crc)> = BTreeMap::new();
    let mut next = 0;
    for result in done {
        let (index, bytes, chunk_crc) = result?;
        waiting.insert(index, (bytes, chunk_crc));
        while let Some((bytes, chunk_crc)) = waiting.remove(&next) {
            w.write_all(&bytes)?;
            crc.combine(&chunk_crc);
            next += 1;
        }
    }
    if !waiting.is_empty() {
        return Err(io::Error::other("a gzip chunk is missing"));
    }
    w.write_all(&deflate(&[], level, DeflateFlush::Finish)?)?;
    w.write_all(&crc.sum().to_le_bytes())?;
    w.write_all(&crc.amount().to_le_bytes())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn chunks_make_one_member_with_the_concatenated_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let chunks: Vec<Vec<u8>> = (0..40u32)
            .map(|i| {
                (0..(i * 997) % 20_000)
                    .map(|k| b"DEP-01,cases,all,2020-05-13,12,official\n"[(k % 40) as usize])
                    .collect()
            })
            .collect();
        let expected: Vec<u8> = chunks.concat();
        let mut files = Vec::new();
        for workers in [1, 3] {
            let path = tmp.path().join(format!("x{workers}.gz"));
            let mut gz = ParallelGzip::create(&path, workers).unwrap();
            for c in &chunks {
                let mut b = gz.buffer();
                b.extend_from_slice(b"skipped");
                b.extend_from_slice(c);
                gz.push(b, 7).unwrap();
            }
            gz.finish().unwrap();
            // Single-member decoder: the whole stream is one member.
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(fs::File::open(&path).unwrap())
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, expected);
            files.push(fs::read(&path).unwrap());
        }
        assert_eq!(files[0], files[1], "the bytes do not depend on the threads");
    }

    #[test]
    fn empty_stream_is_a_valid_gzip() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("e.gz");
        ParallelGzip::create(&path, 2).unwrap().finish().unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(fs::File::open(&path).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.is_empty());
    }
}
