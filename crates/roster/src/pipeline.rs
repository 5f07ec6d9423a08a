//! The threads: one reader cuts the input into chunks at record boundaries,
//! workers parse, compute and format each chunk into bytes, the calling
//! thread puts chunks back in order and hands them to the sink (duplicate
//! check, totals, rejected rows), and a writer thread writes what the sink
//! kept. Memory stays bounded by the chunks in flight.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use insurance::{Rules, Status};
use kernel::Date;

use crate::chunk::{Chunk, check_header, chunker, read_header};
use crate::parse::process_chunk;
use crate::{Rejected, RosterError};

/// One processed chunk: its roster lines as CSV bytes, and per input record
/// either a row (with its end offset in `out`) or an error, in input order.
pub(crate) struct Processed {
    pub seq: usize,
    pub bytes: usize,
    pub out: Vec<u8>,
    pub items: Vec<Item>,
    /// The parts of `out` to write (all of it unless duplicates were cut out).
    pub ranges: Vec<(usize, usize)>,
}

pub(crate) enum Item {
    Row(RowMeta),
    Err(Rejected),
}

pub(crate) struct RowMeta {
    pub line: u64,
    /// The 17-digit body of the ID number: unique per person.
    pub key: u64,
    pub end: u32,
    pub status: Status,
    pub amounts: [i64; 8],
}

/// Read and check the header, write the roster's header, then stream the
/// records through the workers; `sink` receives processed chunks in input
/// order, and an error from it stops the run.
pub(crate) fn run<R: Read + Send, W: Write + Send>(
    mut input: R,
    rules: &Rules,
    as_of: Date,
    mut output: W,
    mut sink: impl FnMut(&mut Processed) -> Result<(), RosterError>,
) -> Result<(), RosterError> {
    let (header, rest) = read_header(&mut input)?;
    check_header(&header)?;
    let mut header_line = insurance::OUTPUT_COLUMNS.join(",").into_bytes();
    header_line.push(b'\n');
    output.write_all(&header_line).map_err(RosterError::Write)?;

    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(workers + 1);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<Processed>(workers + 1);
    // Buffers go round instead of being freed and allocated again: fresh
    // memory costs a page fault and a zeroed page per 4 KiB, a large share
    // of the whole run otherwise.
    let inputs: Pool<Vec<u8>> = Pool::default();
    let outputs: Pool<Vec<u8>> = Pool::default();
    let item_lists: Pool<Vec<Item>> = Pool::default();
    let stop = AtomicBool::new(false);

    std::thread::scope(|s| -> Result<(), RosterError> {
        let reader = {
            let (inputs, stop) = (&inputs, &stop);
            s.spawn(move || chunker(input, rest, work_tx, inputs, stop))
        };
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let (inputs, outputs, item_lists) = (&inputs, &outputs, &item_lists);
            s.spawn(move || {
                loop {
                    let next = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some(chunk) = next else { break };
                    let mut out = outputs.take();
                    out.reserve(chunk.data.len() * 5 / 2);
                    let mut items = item_lists.take();
                    process_chunk(rules, as_of, &chunk, &mut out, &mut items);
                    let bytes = chunk.data.len();
                    inputs.give(chunk.data);
                    if tx.send(Processed { seq: chunk.seq, bytes, out, items, ranges: Vec::new() }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        // Writing has its own thread: copying into the page cache is a large
        // share of the cost and overlaps with parsing this way.
        let (write_tx, write_rx) = mpsc::sync_channel::<(Vec<u8>, Vec<(usize, usize)>)>(2);
        let writer = {
            let outputs = &outputs;
            s.spawn(move || -> Result<(), RosterError> {
                for (buf, ranges) in write_rx {
                    for (a, b) in ranges {
                        output.write_all(&buf[a..b]).map_err(RosterError::Write)?;
                    }
                    outputs.give(buf);
                }
                output.flush().map_err(RosterError::Write)
            })
        };

        let mut pending: BTreeMap<usize, Processed> = BTreeMap::new();
        let mut next = 0usize;
        let mut outcome: Result<(), RosterError> = Ok(());
        'recv: for p in done_rx.iter() {
            pending.insert(p.seq, p);
            while let Some(mut p) = pending.remove(&next) {
                next += 1;
                let r = sink(&mut p);
                item_lists.give(std::mem::take(&mut p.items));
                if write_tx.send((std::mem::take(&mut p.out), std::mem::take(&mut p.ranges))).is_err() {
                    // The writer failed; its error is reported below.
                    break 'recv;
                }
                if let Err(e) = r {
                    outcome = Err(e);
                    stop.store(true, Ordering::Relaxed);
                    break 'recv;
                }
            }
        }
        // Dropping the receiver makes the workers and then the reader stop.
        drop(done_rx);
        drop(write_tx);
        match writer.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                if outcome.is_ok() {
                    outcome = Err(e);
                }
            }
            Err(_) => {
                if outcome.is_ok() {
                    outcome = Err(RosterError::Panicked("写入"));
                }
            }
        }
        match reader.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) if outcome.is_ok() && !stop.load(Ordering::Relaxed) => outcome = Err(e),
            Ok(Err(_)) => {}
            Err(_) => {
                if outcome.is_ok() {
                    outcome = Err(RosterError::Panicked("读取"));
                }
            }
        }
        outcome
    })
}

/// Emptied vectors kept for reuse, at most as many as can be in flight.
pub(crate) struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(Mutex::new(Vec::new()))
    }
}

impl<T> Pool<Vec<T>> {
    pub fn take(&self) -> Vec<T> {
        self.0.lock().ok().and_then(|mut p| p.pop()).unwrap_or_default()
    }

    pub fn give(&self, mut v: Vec<T>) {
        v.clear();
        if let Ok(mut p) = self.0.lock()
            && p.len() < 16
        {
            p.push(v);
        }
    }
}
