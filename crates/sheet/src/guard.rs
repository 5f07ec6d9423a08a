//! A `Read` adapter that refuses over-long CSV records before anyone
//! buffers them.

use std::collections::VecDeque;
use std::io::{self, Read};

use memchr::{memchr2, memchr3};

use crate::SheetError;

/// Passes CSV bytes through, failing with [`SheetError::LineTooLong`]
/// (inside an `io::Error`; [`SheetError::from_io`] gets it back) as soon as
/// one record is longer than `max_line_bytes`, and with
/// [`SheetError::FileTooLarge`] past `max_bytes` in all. A record is a line,
/// or several when a quoted field holds line breaks: the guard follows the
/// quoting of the `csv` crate's default dialect, so a reader behind it never
/// holds more than one capped record. The error names the line the record
/// starts on; after it every read fails the same way.
pub struct LineGuard<R> {
    inner: R,
    max_line: usize,
    max_bytes: u64,
    total: u64,
    state: State,
    /// Bytes of the current record so far.
    len: usize,
    /// Physical line being read (1-based) and the line the record started on.
    line: u64,
    record_line: u64,
    failed: Option<FailKind>,
    /// The start lines of the records seen and not yet asked for, when tracked.
    starts: Option<VecDeque<u64>>,
    /// The last byte ended a record with CR (so an LF now is CRLF's).
    after_cr: bool,
    /// Bytes of a leading UTF-8 byte-order mark matched so far (3 once past
    /// the start): `csv` strips it, so a quote right after it opens a quoted field.
    bom: usize,
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

#[derive(Debug, Clone, Copy)]
enum FailKind {
    Line(u64),
    File,
}

impl<R: Read> LineGuard<R> {
    pub fn new(inner: R, max_line_bytes: usize) -> Self {
        LineGuard {
            inner,
            max_line: max_line_bytes,
            max_bytes: u64::MAX,
            total: 0,
            state: State::FieldStart,
            len: 0,
            line: 1,
            record_line: 1,
            failed: None,
            starts: None,
            after_cr: false,
            bom: 0,
        }
    }

    /// Remember where each record starts, for [`LineGuard::next_record_line`].
    /// The reader behind must take every record in order (the queue holds
    /// only the records in its buffer).
    pub fn track_record_lines(mut self) -> Self {
        self.starts = Some(VecDeque::new());
        self
    }

    /// The line the next record not yet asked for starts on. A `csv`
    /// reader's own record position is the line where the previous record
    /// ended, before blank lines and the `\n` of a CRLF; this one is right.
    pub fn next_record_line(&mut self) -> Option<u64> {
        self.starts.as_mut()?.pop_front()
    }

    /// Also refuse more than `max_bytes` in all.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Bytes passed so far.
    pub fn bytes_read(&self) -> u64 {
        self.total
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    fn error(&self, kind: FailKind) -> io::Error {
        match kind {
            FailKind::Line(line) => SheetError::LineTooLong { line, limit: self.max_line }.into_io(),
            FailKind::File => SheetError::FileTooLarge { limit: self.max_bytes }.into_io(),
        }
    }

    fn end_record(&mut self, byte: u8) {
        // CR, LF and CRLF each end a line.
        if byte == b'\r' || !self.after_cr {
            self.line += 1;
        }
        self.after_cr = byte == b'\r';
        self.len = 0;
        self.state = State::FieldStart;
        self.record_line = self.line;
    }

    /// Follow the quoting over `b`; the line of a record that grew too long.
    fn scan(&mut self, b: &[u8]) -> Option<u64> {
        let mut i = 0;
        while i < b.len() {
            let rest = &b[i..];
            if self.bom < BOM.len() {
                if rest[0] == BOM[self.bom] {
                    self.bom += 1;
                    i += 1;
                    continue;
                }
                self.bom = BOM.len();
            }
            match self.state {
                State::Quoted => match memchr2(b'"', b'\n', rest) {
                    None => {
                        self.len += rest.len();
                        i = b.len();
                    }
                    Some(k) => {
                        self.len += k + 1;
                        if rest[k] == b'\n' {
                            self.line += 1;
                        } else {
                            self.state = State::QuoteInQuoted;
                        }
                        i += k + 1;
                    }
                },
                State::Unquoted => match memchr3(b',', b'\n', b'\r', rest) {
                    None => {
                        self.len += rest.len();
                        i = b.len();
                    }
                    Some(k) => {
                        self.len += k;
                        i += k;
                        self.state = State::FieldStart;
                        if self.len > self.max_line {
                            return Some(self.record_line);
                        }
                        // The delimiter or terminator is handled as at a field start.
                        continue;
                    }
                },
                State::FieldStart | State::QuoteInQuoted => {
                    let c = rest[0];
                    i += 1;
                    if c != b'\n' && c != b'\r' {
                        self.after_cr = false;
                    }
                    match c {
                        b'\n' | b'\r' => {
                            self.end_record(c);
                            continue;
                        }
                        _ if self.len == 0 => {
                            // A record starts (blank lines are none: csv skips them).
                            if let Some(q) = self.starts.as_mut() {
                                q.push_back(self.record_line);
                            }
                            self.state = if c == b'"' { State::Quoted } else { State::Unquoted };
                            if c == b',' {
                                self.state = State::FieldStart;
                            }
                        }
                        b',' => self.state = State::FieldStart,
                        b'"' => self.state = State::Quoted,
                        _ => self.state = State::Unquoted,
                    }
                    self.len += 1;
                }
            }
            if self.len > self.max_line {
                return Some(self.record_line);
            }
        }
        (self.len > self.max_line).then_some(self.record_line)
    }
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(kind) = self.failed {
            return Err(self.error(kind));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.max_bytes {
            self.failed = Some(FailKind::File);
            return Err(self.error(FailKind::File));
        }
        if let Some(line) = self.scan(&buf[..n]) {
            self.failed = Some(FailKind::Line(line));
            return Err(self.error(FailKind::Line(line)));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(data: &[u8], max: usize) -> Result<Vec<u8>, SheetError> {
        let mut out = Vec::new();
        LineGuard::new(data, max).read_to_end(&mut out).map_err(SheetError::from_io)?;
        Ok(out)
    }

    #[test]
    fn both_sides_of_the_line_limit() {
        let ok = format!("{}\n{}\n", "a".repeat(10), "b".repeat(10));
        assert_eq!(run(ok.as_bytes(), 10).unwrap(), ok.as_bytes());
        let long = format!("{}\n{}\n", "a".repeat(10), "b".repeat(11));
        match run(long.as_bytes(), 10) {
            Err(SheetError::LineTooLong { line: 2, limit: 10 }) => {}
            other => panic!("{other:?}"),
        }
        // CRLF endings, and a last line without one.
        assert!(run(b"aaaa\r\nbbbb\r\ncccc", 4).is_ok());
        assert!(matches!(run(b"aaaa\r\nbbbb\r\nccccc", 4), Err(SheetError::LineTooLong { line: 3, .. })));
    }

    #[test]
    fn a_quoted_field_keeps_its_record_going_across_lines() {
        // 3 lines, one record of 17 bytes.
        let data = b"x,\"a\nb\nc,\"\"d\",e\nnext\n";
        assert!(run(data, 15).is_ok());
        assert!(matches!(run(data, 14), Err(SheetError::LineTooLong { line: 1, .. })));
        // A quote inside an unquoted field is a plain character: lines stay short.
        assert!(run(b"12\" screen,x\nok\nfine\n", 12).is_ok());
        // A line after a multi-line record is numbered by physical lines.
        assert!(matches!(run(b"\"a\nb\"\nccccccc\n", 5), Err(SheetError::LineTooLong { line: 3, .. })));
    }

    #[test]
    fn a_file_without_newlines_is_refused_without_being_buffered() {
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                buf.fill(b'x');
                self.0 += buf.len() as u64;
                Ok(buf.len())
            }
        }
        let mut g = LineGuard::new(Endless(0), 64 << 10);
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(&mut g);
        let mut rec = csv::ByteRecord::new();
        let e = SheetError::from(rdr.read_byte_record(&mut rec).unwrap_err());
        assert!(matches!(e, SheetError::LineTooLong { line: 1, limit: 65536 }), "{e:?}");
        drop(rdr);
        assert!(g.inner.0 < 256 << 10, "read {} bytes", g.inner.0);
        // Sticky.
        assert!(g.read(&mut [0u8; 16]).is_err());
    }

    #[test]
    fn record_lines_skip_blank_lines_and_follow_quoted_breaks() {
        let data = b"\xEF\xBB\xBFh\r\n\r\n\na,\"x\ny\"\n,b\n\"\"\nlast";
        let mut g = LineGuard::new(&data[..], 100).track_record_lines();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&mut g);
        let mut n = 0;
        for r in rdr.byte_records() {
            r.unwrap();
            n += 1;
        }
        drop(rdr);
        let lines: Vec<u64> = std::iter::from_fn(|| g.next_record_line()).collect();
        assert_eq!(n, lines.len());
        assert_eq!(lines, vec![1, 4, 6, 7, 8]);
        // Old Mac line ends count too.
        let mut g = LineGuard::new(&b"a\rb\r\rc\r\nd"[..], 100).track_record_lines();
        std::io::copy(&mut g, &mut std::io::sink()).unwrap();
        assert_eq!(std::iter::from_fn(|| g.next_record_line()).collect::<Vec<_>>(), vec![1, 2, 4, 5]);
        // After a byte-order mark a quote opens a quoted field, as csv reads it (found by fuzzing).
        let data = "\u{feff}\",\"\ra".as_bytes();
        let mut g = LineGuard::new(data, 100).track_record_lines();
        std::io::copy(&mut g, &mut std::io::sink()).unwrap();
        assert_eq!(std::iter::from_fn(|| g.next_record_line()).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn both_sides_of_the_file_limit() {
        let mut out = Vec::new();
        assert!(LineGuard::new(&b"ab\ncd\n"[..], 10).with_max_bytes(6).read_to_end(&mut out).is_ok());
        let e = LineGuard::new(&b"ab\ncd\ne"[..], 10).with_max_bytes(6).read_to_end(&mut out).unwrap_err();
        assert!(matches!(SheetError::from_io(e), SheetError::FileTooLarge { limit: 6 }));
    }
}
