//! Reading the input: the header line, then chunks that end on a record
//! boundary, numbered by input line.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use insurance::INPUT_COLUMNS;

use crate::RosterError;
use crate::pipeline::Pool;

/// Input bytes per chunk: small enough that the chunks in flight stay a few
/// MiB, large enough that handing one over costs nothing next to its work.
pub(crate) const CHUNK: usize = 256 << 10;

pub(crate) struct Chunk {
    pub seq: usize,
    /// 1-based input line of the chunk's first byte.
    pub first_line: u64,
    pub data: Vec<u8>,
}

pub(crate) fn read_header(input: &mut dyn Read) -> Result<(Vec<u8>, Vec<u8>), RosterError> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut tmp = vec![0u8; 64 * 1024];
    loop {
        if let Some(nl) = buf.iter().position(|&b| b == b'\n') {
            let rest = buf[nl + 1..].to_vec();
            buf.truncate(nl);
            break finish_header(buf, rest);
        }
        let n = input.read(&mut tmp).map_err(RosterError::Read)?;
        if n == 0 {
            break finish_header(buf, Vec::new());
        }
        buf.extend_from_slice(&tmp[..n]);
        if buf.len() > 1 << 20 {
            return Err(RosterError::HeaderTooLong);
        }
    }
}

fn finish_header(mut line: Vec<u8>, rest: Vec<u8>) -> Result<(Vec<u8>, Vec<u8>), RosterError> {
    if line.starts_with(b"\xEF\xBB\xBF") {
        line.drain(..3);
    }
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok((line, rest))
}

pub(crate) fn check_header(line: &[u8]) -> Result<(), RosterError> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(line);
    let mut rec = csv::ByteRecord::new();
    let ok = rdr.read_byte_record(&mut rec).unwrap_or(false);
    let got: Vec<String> = if ok { rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect() } else { Vec::new() };
    if got.iter().map(String::as_str).eq(INPUT_COLUMNS) {
        return Ok(());
    }
    // What was found is echoed, so clipped: a first line can be 1 MiB.
    Err(RosterError::Header { expected: INPUT_COLUMNS.join(","), got: kernel::echo(&got.join(",")).into_owned() })
}

/// Cut the stream into chunks that end on a record boundary (a newline
/// outside quotes), numbering lines as it goes.
pub(crate) fn chunker<R: Read>(
    mut input: R,
    mut carry: Vec<u8>,
    tx: mpsc::SyncSender<Chunk>,
    pool: &Pool<Vec<u8>>,
    stop: &AtomicBool,
) -> Result<(), RosterError> {
    let mut line = 2u64;
    let mut seq = 0usize;
    let mut eof = false;
    while !eof || !carry.is_empty() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let mut buf = pool.take();
        buf.reserve(CHUNK + carry.len());
        buf.extend_from_slice(&carry);
        carry.clear();
        let cut = loop {
            while !eof && buf.len() < CHUNK {
                let want = (CHUNK - buf.len()) as u64;
                if read_more(&mut input, &mut buf, want)? == 0 {
                    eof = true;
                }
            }
            if eof {
                break buf.len();
            }
            match last_record_end(&buf) {
                Some(c) => break c,
                // One record longer than a chunk: read on.
                None => {
                    if read_more(&mut input, &mut buf, CHUNK as u64)? == 0 {
                        eof = true;
                    }
                }
            }
        };
        carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if buf.is_empty() {
            continue;
        }
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let first_line = line;
        line += lines;
        if tx.send(Chunk { seq, first_line, data: buf }).is_err() {
            break;
        }
        seq += 1;
    }
    Ok(())
}

/// Append up to `max` bytes from `input` to `buf`, into its spare capacity
/// (no zero-filling first); the number of bytes read, 0 at the end.
fn read_more(input: &mut dyn Read, buf: &mut Vec<u8>, max: u64) -> Result<usize, RosterError> {
    buf.reserve(max as usize);
    loop {
        match input.take(max).read_to_end(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(RosterError::Read(e)),
        }
    }
}

/// Just past the last newline that is outside quotes.
pub(crate) fn last_record_end(buf: &[u8]) -> Option<usize> {
    // Fast path: the last newline with an even number of quotes before it.
    let nl = memchr::memrchr(b'\n', buf)?;
    if memchr::memchr_iter(b'"', &buf[..nl]).count().is_multiple_of(2) {
        return Some(nl + 1);
    }
    let mut in_quote = false;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'"' {
            in_quote = !in_quote;
        } else if b == b'\n' && !in_quote {
            last = Some(i + 1);
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_respect_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,\"d\ne\"\nf"), Some(12));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
    }

    #[test]
    fn the_header_is_checked_and_its_bom_and_cr_dropped() {
        let header = format!("\u{FEFF}{}\r\n1,2\n", INPUT_COLUMNS.join(","));
        let (line, rest) = read_header(&mut header.as_bytes()).unwrap();
        assert_eq!(rest, b"1,2\n");
        assert!(check_header(&line).is_ok());
        let e = check_header(b"id,name").unwrap_err();
        assert!(e.to_string().starts_with("第1行表头应为"), "{e}");
        let wide = check_header("x,".repeat(5000).as_bytes()).unwrap_err();
        assert!(wide.to_string().chars().count() < 500, "{wide}");
        let long = vec![b'a'; (1 << 20) + 70_000];
        assert!(matches!(read_header(&mut &long[..]), Err(RosterError::HeaderTooLong)));
    }
}
