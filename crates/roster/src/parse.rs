//! Parsing a chunk's records: a fast path for chunks without quotes that are
//! valid UTF-8 as a whole, and a general path for anything else.

use insurance::{Rules, parse_row};
use kernel::Date;

use crate::chunk::Chunk;
use crate::emit::{Emitter, TailCache};
use crate::pipeline::Item;

/// Parse, check, compute and format every record of a chunk.
pub(crate) fn process_chunk(rules: &Rules, as_of: Date, chunk: &Chunk, out: &mut Vec<u8>, items: &mut Vec<Item>) {
    items.reserve(chunk.data.len() / 48 + 16);
    let mut em = Emitter { rules, as_of, out, items, tails: TailCache::new() };
    let data = &chunk.data[..];
    if memchr::memchr(b'"', data).is_none()
        && let Ok(text) = simdutf8::basic::from_utf8(data)
    {
        return process_plain(&mut em, chunk.first_line, text);
    }
    process_general(&mut em, chunk);
}

/// Any chunk: quoted fields through the csv reader, text columns checked per field.
pub(crate) fn process_general(em: &mut Emitter<'_>, chunk: &Chunk) {
    let data = &chunk.data[..];
    let mut rec = csv::ByteRecord::new();
    let mut pos = 0usize;
    let mut next_line = chunk.first_line;
    let newline = |from: usize| memchr::memchr(b'\n', &data[from..]).map_or(data.len(), |i| from + i);
    let quotes = |s: &[u8]| memchr::memchr_iter(b'"', s).count();
    while pos < data.len() {
        let start = pos;
        let line = next_line;
        // Fast path: a record without quotes, split on commas without copying.
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let mut fields: [&[u8]; 14] = [b""; 14];
        let quoted = memchr::memchr(b'"', &data[start..end]).is_some();
        let parsed = if !quoted {
            pos = end + 1;
            next_line += 1;
            let mut raw = &data[start..end];
            if let [rest @ .., b'\r'] = raw {
                raw = rest;
            }
            if raw.is_empty() {
                continue; // blank lines are skipped but counted
            }
            let mut n = 0usize;
            let mut field_start = 0usize;
            for comma in memchr::memchr_iter(b',', raw) {
                if n < fields.len() {
                    fields[n] = &raw[field_start..comma];
                }
                n += 1;
                field_start = comma + 1;
            }
            if n < fields.len() {
                fields[n] = &raw[field_start..];
            }
            n += 1;
            if n == fields.len() { parse_row(&fields) } else { parse_row(&raw.split(|&b| b == b',').collect::<Vec<_>>()) }
        } else {
            // A quoted field may hold commas, quotes and line breaks: find the
            // newline outside quotes and let the csv reader unquote.
            let mut end = end;
            let mut q = quotes(&data[start..end]);
            let mut lines = 1u64;
            while q % 2 == 1 && end < data.len() {
                let e = newline(end + 1);
                q += quotes(&data[end + 1..e]);
                end = e;
                lines += 1;
            }
            pos = end + 1;
            next_line += lines;
            let mut raw = &data[start..end.min(data.len())];
            if let [rest @ .., b'\r'] = raw {
                raw = rest;
            }
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(raw);
            match rdr.read_byte_record(&mut rec) {
                Ok(true) if rec.len() == fields.len() => {
                    for (dst, src) in fields.iter_mut().zip(rec.iter()) {
                        *dst = src;
                    }
                    parse_row(&fields)
                }
                Ok(true) => parse_row(&rec.iter().collect::<Vec<_>>()),
                Ok(false) => continue,
                Err(e) => Err(insurance::RowError { column: "", value: String::new(), message: format!("CSV 格式错误: {e}") }),
            }
        };
        em.emit(line, parsed);
    }
}

/// A chunk without quotes that is valid UTF-8 as a whole (every chunk of a
/// well-formed export): split on commas and newlines in one pass, with the
/// text columns already checked.
pub(crate) fn process_plain<'t>(em: &mut Emitter<'_>, first_line: u64, text: &'t str) {
    let bytes = text.as_bytes();
    let mut fields: [&'t str; 14] = [""; 14];
    let (mut n, mut field_start, mut record_start, mut line) = (0usize, 0usize, 0usize, first_line);
    let mut at = |p: usize, fields: &mut [&'t str; 14]| {
        if bytes[p] == b',' {
            if n < fields.len() {
                fields[n] = &text[field_start..p];
            }
            n += 1;
        } else {
            let rec = PlainRecord { text: &text[record_start..p], fields: n, last: &text[field_start..p], line };
            plain_record(em, rec, fields);
            line += 1;
            n = 0;
            record_start = p + 1;
        }
        field_start = p + 1;
    };
    // Eight bytes at a time: the commas and newlines of a word as a bit mask.
    let (words, rest) = bytes.as_chunks::<8>();
    for (w, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word);
        let mut mask = bytes_equal(x, b',') | bytes_equal(x, b'\n');
        while mask != 0 {
            at(w * 8 + (mask.trailing_zeros() / 8) as usize, &mut fields);
            mask &= mask - 1;
        }
    }
    let tail = words.len() * 8;
    for (i, &b) in rest.iter().enumerate() {
        if b == b',' || b == b'\n' {
            at(tail + i, &mut fields);
        }
    }
    if record_start < bytes.len() {
        let rec = PlainRecord { text: &text[record_start..], fields: n, last: &text[field_start..], line };
        plain_record(em, rec, &mut fields);
    }
}

/// 0x80 in each byte of `word` that equals `b`, 0 in the others. Exact per
/// byte (no borrow crosses bytes), unlike the shorter "has a zero byte" test.
pub(crate) fn bytes_equal(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(b));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// One record of a plain chunk: its text, the fields before its last comma
/// (already in the caller's array), and the text after it.
struct PlainRecord<'t> {
    text: &'t str,
    fields: usize,
    last: &'t str,
    line: u64,
}

fn plain_record<'t>(em: &mut Emitter<'_>, r: PlainRecord<'t>, fields: &mut [&'t str; 14]) {
    let last = r.last.strip_suffix('\r').unwrap_or(r.last);
    if r.fields == 0 && last.is_empty() {
        return; // blank lines are skipped but counted
    }
    let parsed = if r.fields + 1 == fields.len() {
        fields[r.fields] = last;
        insurance::parse_row_str(fields)
    } else {
        let text = r.text.strip_suffix('\r').unwrap_or(r.text);
        insurance::parse_row_str(&text.split(',').collect::<Vec<_>>())
    };
    em.emit(r.line, parsed);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain fast path and the general path agree on every chunk the
    /// fast path takes: same roster bytes, same rows and errors.
    /// The roster bytes and a line per item.
    type Run = (Vec<u8>, Vec<String>);

    fn both_paths(data: &str) -> (Run, Run) {
        let params = kernel::ParamSet::embedded().unwrap();
        let rules = Rules::load(&params, 2023).unwrap();
        let as_of = Date::new(2022, 10, 1).unwrap();
        let chunk = Chunk { seq: 0, first_line: 2, data: data.as_bytes().to_vec() };
        let run = |plain: bool| {
            let (mut out, mut items) = (Vec::new(), Vec::new());
            let mut em = Emitter { rules: &rules, as_of, out: &mut out, items: &mut items, tails: TailCache::new() };
            if plain {
                process_plain(&mut em, chunk.first_line, data);
            } else {
                process_general(&mut em, &chunk);
            }
            let items = items
                .iter()
                .map(|i| match i {
                    Item::Row(m) => format!("row {} {} {}", m.line, m.key, m.end),
                    Item::Err(e) => format!("err {} {} {:?} {}", e.line, e.column, e.value, e.message),
                })
                .collect();
            (out, items)
        };
        (run(true), run(false))
    }

    #[test]
    fn plain_path_matches_general_path_on_edge_cases() {
        let ok = "370406195511100174,何杰文,城头镇,黄胡山村,1,0,0,0,1,,,,,";
        let cases = [
            format!("{ok}\n"),
            ok.to_string(),                                            // no newline at the end
            format!("{ok}\r\n{ok}\r\n"),                               // CRLF
            format!("\n\n{ok}\n\r\n"),                                 // blank lines are counted, not rows
            format!("{ok},extra\n{ok}\n"),                             // too many fields
            "370406195511100174,何杰文,城头镇\n".to_string(),          // too few
            format!("{}\n", ok.replace("0174", "0175")),               // bad check digit
            format!("{}\n", ok.replace(",1,0,0,0,1,", ",是,否,,,x,")), // bad boolean
            format!("{}\n", ok.replace("何杰文", " 何杰文 ")),         // trimmed
            format!("{}\n", ok.replace("何杰文", "")),                 // empty name
            format!("{}\n", ok.replace("黄胡山村", "a\rb")),           // CR inside a field is quoted out
            format!("{ok}\n{ok}\n"),                                   // the duplicate is the sink's business
        ];
        for data in &cases {
            let (plain, general) = both_paths(data);
            assert_eq!(plain, general, "input {data:?}");
            assert!(!plain.1.is_empty() || data.trim().is_empty(), "input {data:?} produced nothing");
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_path_matches_general_path(rows in proptest::collection::vec(
            (0usize..4, "[0-9X]{0,3}", "[a-z何杰文 ]{0,4}", proptest::sample::select(vec!["\n", "\r\n", ",\n", "\n\n"])),
            0..20,
        )) {
            let ids = ["37040619740422017X", "370406201103270172", "370406195511100174", "370406202208190173"];
            let mut data = String::new();
            for (i, junk, name, end) in &rows {
                data.push_str(&format!("{}{junk},{name},城头镇,苏岭村,1,0,0,0,0,,,,,{end}", ids[*i]));
            }
            let (plain, general) = both_paths(&data);
            proptest::prop_assert_eq!(plain, general);
        }
    }

    #[test]
    fn bytes_equal_marks_exactly_the_matching_bytes() {
        let w = u64::from_le_bytes(*b",a\n,\x80\xff,\x2b");
        assert_eq!(bytes_equal(w, b','), 0x0080_0000_8000_0080);
        assert_eq!(bytes_equal(w, b'\n'), 0x0000_0000_0080_0000);
        assert_eq!(bytes_equal(0, b','), 0);
    }
}
