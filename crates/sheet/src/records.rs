//! Records of a small list, CSV or XLSX.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};

use crate::{Format, Limits, LineGuard, Record, SheetError, xlsx_to_csv};

/// The records of a list, in order; see [`read_records`]. After an error
/// the iterator ends.
pub struct Records<'a> {
    rdr: Option<csv::Reader<LineGuard<Box<dyn Read + Send + 'a>>>>,
    pending: Option<SheetError>,
    limits: Limits,
    rec: csv::ByteRecord,
    rows: u64,
}

/// The records of a CSV or XLSX list. CSV is UTF-8 with or without BOM
/// (anything else is refused naming the line), with any number of fields a
/// record; an XLSX goes through [`xlsx_to_csv`]'s checks into a temporary
/// file first, so a record's line is its sheet row. Blank lines yield no
/// record; a record of blank cells does (callers skip it with
/// [`Record::is_blank`]). Every limit holds: file size, rows, columns, cell
/// and record length.
pub fn read_records<'a, R: Read + Seek + Send + 'a>(input: R, format: Format, limits: &Limits) -> Records<'a> {
    match format {
        Format::Csv => read_csv_records(input, limits),
        Format::Xlsx => match sheet_to_temp(input, limits) {
            Ok(Some(tmp)) => read_csv_records(BufReader::new(tmp), limits),
            Ok(None) => read_csv_records(std::io::empty(), limits),
            Err(e) => Records { rdr: None, pending: Some(e), limits: *limits, rec: csv::ByteRecord::new(), rows: 0 },
        },
    }
}

/// The sheet as CSV in an anonymous temporary file, made only once there is
/// something to write (a refused file never touches the disk).
fn sheet_to_temp<R: Read + Seek>(input: R, limits: &Limits) -> Result<Option<File>, SheetError> {
    let mut tmp = LazyTemp(None);
    xlsx_to_csv(input, limits, &mut tmp)?;
    match tmp.0 {
        Some(mut f) => {
            f.seek(SeekFrom::Start(0))?;
            Ok(Some(f))
        }
        None => Ok(None),
    }
}

struct LazyTemp(Option<File>);

impl Write for LazyTemp {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            Some(f) => f.write(b),
            None => {
                let f = self.0.insert(tempfile::tempfile()?);
                f.write(b)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// The records of CSV text; see [`read_records`].
pub fn read_csv_records<'a, R: Read + Send + 'a>(input: R, limits: &Limits) -> Records<'a> {
    let boxed: Box<dyn Read + Send + 'a> = Box::new(input);
    let guard = LineGuard::new(boxed, limits.max_line_bytes).with_max_bytes(limits.max_bytes).track_record_lines();
    let rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(guard);
    Records { rdr: Some(rdr), pending: None, limits: *limits, rec: csv::ByteRecord::new(), rows: 0 }
}

impl Records<'_> {
    fn read(&mut self) -> Result<Option<Record>, SheetError> {
        let Some(rdr) = self.rdr.as_mut() else { return Ok(None) };
        if !rdr.read_byte_record(&mut self.rec)? {
            return Ok(None);
        }
        let line = rdr.get_mut().next_record_line().or_else(|| self.rec.position().map(|p| p.line())).unwrap_or(0);
        self.rows += 1;
        if self.rows > u64::from(self.limits.max_rows) {
            return Err(SheetError::TooManyRows { line, max: self.limits.max_rows });
        }
        if self.rec.len() > self.limits.max_cols as usize {
            return Err(SheetError::TooManyFields { line, cols: self.rec.len(), max: self.limits.max_cols });
        }
        let mut cells = Vec::with_capacity(self.rec.len());
        for (j, f) in self.rec.iter().enumerate() {
            let f = if self.rows == 1 && j == 0 { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
            if f.len() > self.limits.max_cell_bytes {
                return Err(SheetError::FieldTooLong { line, column: j + 1, limit: self.limits.max_cell_bytes });
            }
            let s = std::str::from_utf8(f).map_err(|_| SheetError::NotUtf8 { line })?;
            cells.push(s.to_string());
        }
        Ok(Some(Record { line: line as usize, cells }))
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            self.rdr = None;
            return Some(Err(e));
        }
        match self.read() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.rdr = None;
                None
            }
            Err(e) => {
                self.rdr = None;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Cursor;

    use super::*;

    fn csv(data: &[u8], limits: &Limits) -> Vec<Result<Record, SheetError>> {
        read_records(Cursor::new(data.to_vec()), Format::Csv, limits).collect()
    }

    fn lines(data: &[u8]) -> Vec<(usize, Vec<String>)> {
        csv(data, &Limits::default()).into_iter().map(|r| r.map(|r| (r.line, r.cells)).unwrap()).collect()
    }

    #[test]
    fn records_carry_their_line_and_strip_the_bom() {
        let got = lines("\u{feff}镇（街）,村（居）\r\n\r\n水泉镇,东村,村\n\"山城,街道\",\"多\n行\"\n".as_bytes());
        assert_eq!(got[0], (1, vec!["镇（街）".to_string(), "村（居）".to_string()]));
        assert_eq!(got[1], (3, vec!["水泉镇".to_string(), "东村".to_string(), "村".to_string()]));
        assert_eq!(got[2], (4, vec!["山城,街道".to_string(), "多\n行".to_string()]));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn non_utf8_is_refused_naming_the_line() {
        let r = csv(b"a,b\nc,\xC4\xE3\xBA\xC3\n", &Limits::default());
        assert!(r[0].is_ok());
        match &r[1] {
            Err(e @ SheetError::NotUtf8 { line: 2 }) => assert!(e.to_string().contains("第 2 行")),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.len(), 2, "the iterator ends after an error");
    }

    #[test]
    fn both_sides_of_each_csv_limit() {
        let l = Limits { max_rows: 2, max_cols: 3, max_cell_bytes: 4, max_line_bytes: 20, max_bytes: 30, ..Limits::default() };
        assert!(csv(b"a,b,c\nd,e,f\n", &l).iter().all(Result::is_ok));
        assert!(matches!(csv(b"a\nb\nc\n", &l)[2], Err(SheetError::TooManyRows { line: 3, max: 2 })));
        assert!(matches!(csv(b"a,b,c,d\n", &l)[0], Err(SheetError::TooManyFields { line: 1, cols: 4, max: 3 })));
        assert!(csv(b"abcd\n", &l)[0].is_ok());
        assert!(matches!(csv(b"x\nabcde\n", &l)[1], Err(SheetError::FieldTooLong { line: 2, column: 1, limit: 4 })));
        assert!(matches!(csv(b"aaaa,bbbb,cccc,dddd,e\n", &l)[0], Err(SheetError::LineTooLong { line: 1, .. })));
        let big = b"a\n".repeat(16);
        let l = Limits { max_rows: 100, ..l };
        assert!(matches!(csv(&big, &l).last(), Some(Err(SheetError::FileTooLarge { limit: 30 }))));
        assert!(csv(&big[..30], &l).iter().all(Result::is_ok));
    }

    #[test]
    fn an_invalid_xlsx_yields_one_error() {
        let r: Vec<_> = read_records(Cursor::new(b"PK\x03\x04 not really".to_vec()), Format::Xlsx, &Limits::default()).collect();
        assert_eq!(r.len(), 1);
        assert!(matches!(r[0], Err(SheetError::NotXlsx(_))), "{:?}", r[0]);
    }
}
