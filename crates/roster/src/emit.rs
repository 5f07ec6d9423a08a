//! Writing roster lines as CSV bytes: the person's own columns, then the
//! figures and notes from a small cache of formatted tails.

use insurance::{Contribution, PensionStatus, Rules, Status, compute};
use kernel::Date;

use crate::Rejected;
use crate::pipeline::{Item, RowMeta};

/// Where a chunk's records go: roster lines into `out`, and per record its
/// metadata or its error into `items`.
pub(crate) struct Emitter<'a> {
    pub rules: &'a Rules,
    pub as_of: Date,
    pub out: &'a mut Vec<u8>,
    pub items: &'a mut Vec<Item>,
    pub tails: TailCache,
}

impl Emitter<'_> {
    /// Check, compute and format one parsed record.
    pub fn emit(&mut self, line: u64, parsed: Result<insurance::Resident<'_>, insurance::RowError>) {
        let (rules, as_of) = (self.rules, self.as_of);
        let r = match parsed.and_then(|r| rules.check(&r, as_of).map(|()| r)) {
            Ok(r) => r,
            Err(e) => {
                self.items.push(Item::Err(Rejected { line, column: e.column, value: e.value, message: e.message }));
                return;
            }
        };
        let c = compute(rules, &r, as_of);
        let key = r.id.body_key();
        write_line(self.out, &mut self.tails, rules, &r, &c);
        self.items.push(Item::Row(RowMeta {
            line,
            key,
            end: u32::try_from(self.out.len()).unwrap_or(u32::MAX),
            status: c.status,
            amounts: [
                c.medical_individual.fen(),
                c.medical_on_behalf.fen(),
                c.medical_sponsored.fen(),
                c.medical_fiscal.fen(),
                c.pension_individual.fen(),
                c.pension_on_behalf.fen(),
                c.pension_subsidy.fen(),
                c.total_due.fen(),
            ],
        }));
    }
}

/// One roster line in the contract's column order: the person's own
/// columns, then the figures and notes, which few distinct residents'
/// situations share and `tails` remembers ready formatted.
fn write_line(out: &mut Vec<u8>, tails: &mut TailCache, rules: &Rules, r: &insurance::Resident<'_>, c: &Contribution) {
    out.extend_from_slice(r.id.as_bytes());
    out.push(b',');
    push_field(out, r.name.as_bytes());
    out.push(b',');
    push_field(out, r.town.as_bytes());
    out.push(b',');
    push_field(out, r.village.as_bytes());
    out.push(b',');
    push_int(out, i64::from(c.age));
    tails.write(out, rules, c);
}

/// Formatted line tails (from `status` to the end of the line) by the
/// contribution they format, age aside: a small direct-mapped cache.
pub(crate) struct TailCache {
    entries: Vec<Option<(Contribution, Vec<u8>)>>,
}

impl TailCache {
    const SLOTS: usize = 64;

    pub fn new() -> TailCache {
        TailCache { entries: vec![None; Self::SLOTS] }
    }

    fn write(&mut self, out: &mut Vec<u8>, rules: &Rules, c: &Contribution) {
        let key = Contribution { age: 0, ..*c };
        let h = [c.total_due, c.medical_on_behalf, c.medical_sponsored, c.pension_on_behalf, c.pension_subsidy]
            .iter()
            .fold(u64::from(c.tier_index.unwrap_or(u8::MAX)), |h, m| (h ^ m.fen() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let slot = (h >> 58) as usize % Self::SLOTS;
        if let Some((k, tail)) = &self.entries[slot]
            && *k == key
        {
            out.extend_from_slice(tail);
            return;
        }
        let start = out.len();
        write_tail(out, rules, c);
        self.entries[slot] = Some((key, out[start..].to_vec()));
    }
}

/// From `status` to the line's end, with the comma before it.
fn write_tail(out: &mut Vec<u8>, rules: &Rules, c: &Contribution) {
    out.push(b',');
    out.extend_from_slice(c.status.as_str().as_bytes());
    for m in [c.medical_individual, c.medical_on_behalf, c.medical_sponsored, c.medical_fiscal] {
        out.push(b',');
        push_int(out, m.fen());
    }
    out.push(b',');
    out.extend_from_slice(c.pension_status.as_str().as_bytes());
    out.push(b',');
    if let Some(t) = c.pension_tier {
        if t.fen() % 100 == 0 {
            push_int(out, t.fen() / 100);
        } else {
            out.extend_from_slice(t.to_string().as_bytes());
        }
    }
    for m in [c.pension_individual, c.pension_on_behalf, c.pension_subsidy, c.total_due] {
        out.push(b',');
        push_int(out, m.fen());
    }
    out.push(b',');
    let start = out.len();
    for (i, n) in c.notes(rules).enumerate() {
        if i > 0 {
            out.extend_from_slice("；".as_bytes());
        }
        out.extend_from_slice(n.as_bytes());
    }
    if rules.notes_need_csv_quoting() && needs_quotes(&out[start..]) {
        let notes = out.split_off(start);
        push_field(out, &notes);
    }
    out.push(b'\n');
    debug_assert!(c.pension_status != PensionStatus::NotCovered || c.status != Status::Included);
}

/// A CSV field that holds a comma, quote or line break must be quoted.
/// Fields here are a few characters: a branch-free pass beats a search.
fn needs_quotes(f: &[u8]) -> bool {
    f.iter().fold(false, |any, &b| any | matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

pub(crate) fn push_field(out: &mut Vec<u8>, f: &[u8]) {
    if needs_quotes(f) {
        out.push(b'"');
        for &b in f {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(f);
    }
}

pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    if v == 0 {
        out.push(b'0'); // most amounts of most rows
        return;
    }
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}
