//! A byte scanner that bounds what an XML parser has to hold at once.
//!
//! calamine parses the parts of an XLSX with quick-xml, which buffers one
//! event (a tag, a text, a comment …) at a time, and collects the text of a
//! cell (`<c>…</c>`) across events. Neither is bounded by anything but the
//! part's size, which can be gigabytes; this scanner follows the same event
//! boundaries as quick-xml (quotes in tags, `-->` after at least `<!----`,
//! `]]>`, `?>`, the `<`/`>` balance of a DOCTYPE) and refuses a part with
//! an event or a cell element longer than the limit, before calamine sees it.
//! Where the two could disagree the scanner ends an event later, never
//! earlier, so it may refuse a strange file but never passes a longer event.

use memchr::{memchr, memchr3};

#[derive(Debug, Clone, Copy)]
enum State {
    Text,
    /// Just after `<`.
    Lt,
    /// In a start or end tag; `quote` is the open quote, or 0.
    Tag {
        quote: u8,
    },
    /// Just after `<!`.
    Bang,
    /// `n`: index of the next byte counted from the `!`.
    Comment {
        n: u64,
        dashes: u8,
    },
    CData {
        brackets: u8,
    },
    Pi {
        question: bool,
    },
    Doctype {
        depth: i64,
    },
}

pub(crate) struct XmlBounds {
    limit: u64,
    pos: u64,
    state: State,
    event_start: u64,
    /// The tag's name as read so far (only whether its local name is `c` matters).
    name: [u8; 8],
    name_len: usize,
    name_done: bool,
    end_tag: bool,
    /// The byte before the current one inside a tag (for `/>`).
    prev: u8,
    /// Where the open `<c>` element started.
    cell_start: Option<u64>,
}

impl XmlBounds {
    pub(crate) fn new(limit: u64) -> Self {
        XmlBounds {
            limit,
            pos: 0,
            state: State::Text,
            event_start: 0,
            name: [0; 8],
            name_len: 0,
            name_done: false,
            end_tag: false,
            prev: 0,
            cell_start: None,
        }
    }

    fn is_cell(&self) -> bool {
        let name = &self.name[..self.name_len.min(self.name.len())];
        let local = match name.iter().rposition(|&b| b == b':') {
            Some(i) => &name[i + 1..],
            None => name,
        };
        self.name_len <= self.name.len() && local == b"c"
    }

    fn end_markup(&mut self) {
        self.state = State::Text;
        self.event_start = self.pos + 1;
    }

    /// Scan the next bytes; on a run over the limit, the offset where it started.
    pub(crate) fn feed(&mut self, b: &[u8]) -> Result<(), u64> {
        let mut i = 0;
        while i < b.len() {
            let rest = &b[i..];
            let mut used = 1;
            match self.state {
                State::Text => match memchr(b'<', rest) {
                    None => used = rest.len(),
                    Some(k) => {
                        // Check the text before the `<` ends it.
                        self.pos += k as u64;
                        i += k;
                        self.check()?;
                        self.event_start = self.pos;
                        self.state = State::Lt;
                        self.name_len = 0;
                        self.name_done = false;
                        self.end_tag = false;
                        self.prev = b'<';
                    }
                },
                State::Lt => match rest[0] {
                    b'!' => self.state = State::Bang,
                    b'?' => self.state = State::Pi { question: true },
                    b'/' => {
                        self.end_tag = true;
                        self.state = State::Tag { quote: 0 };
                    }
                    _ => {
                        self.state = State::Tag { quote: 0 };
                        used = 0;
                    }
                },
                State::Tag { quote: q } if q != 0 => match memchr(q, rest) {
                    None => used = rest.len(),
                    Some(k) => {
                        used = k + 1;
                        self.state = State::Tag { quote: 0 };
                        self.prev = q;
                    }
                },
                State::Tag { .. } if !self.name_done => {
                    let c = rest[0];
                    if c.is_ascii_whitespace() || c == b'/' || c == b'>' || c == b'"' || c == b'\'' {
                        self.name_done = true;
                        used = 0;
                    } else {
                        if self.name_len < self.name.len() {
                            self.name[self.name_len] = c;
                        }
                        self.name_len += 1;
                        self.prev = c;
                    }
                }
                State::Tag { .. } => match memchr3(b'>', b'"', b'\'', rest) {
                    None => {
                        used = rest.len();
                        self.prev = rest[rest.len() - 1];
                    }
                    Some(k) => {
                        used = k + 1;
                        let prev = if k > 0 { rest[k - 1] } else { self.prev };
                        match rest[k] {
                            b'>' => {
                                if self.is_cell() {
                                    if self.end_tag {
                                        self.cell_start = None;
                                    } else if prev != b'/' && self.cell_start.is_none() {
                                        self.cell_start = Some(self.event_start);
                                    }
                                }
                                self.pos += k as u64;
                                i += k;
                                self.check()?;
                                self.end_markup();
                                self.pos += 1;
                                i += 1;
                                continue;
                            }
                            q => {
                                self.state = State::Tag { quote: q };
                                self.prev = q;
                            }
                        }
                    }
                },
                State::Bang => match rest[0] {
                    b'[' => self.state = State::CData { brackets: 0 },
                    b'-' => self.state = State::Comment { n: 2, dashes: 1 },
                    _ => {
                        self.state = State::Doctype { depth: 0 };
                        used = 0;
                    }
                },
                State::Comment { n, dashes } => {
                    let c = rest[0];
                    if c == b'>' && n > 4 && dashes >= 2 {
                        self.check()?;
                        self.end_markup();
                    } else {
                        let dashes = if c == b'-' { (dashes + 1).min(2) } else { 0 };
                        self.state = State::Comment { n: n + 1, dashes };
                    }
                }
                State::CData { brackets } => {
                    let c = rest[0];
                    if c == b'>' && brackets >= 2 {
                        self.check()?;
                        self.end_markup();
                    } else {
                        self.state = State::CData { brackets: if c == b']' { (brackets + 1).min(2) } else { 0 } };
                    }
                }
                State::Pi { question } => {
                    let c = rest[0];
                    if c == b'>' && question {
                        self.check()?;
                        self.end_markup();
                    } else {
                        self.state = State::Pi { question: c == b'?' };
                    }
                }
                State::Doctype { depth } => match rest[0] {
                    b'<' => self.state = State::Doctype { depth: depth + 1 },
                    b'>' if depth == 0 => {
                        self.check()?;
                        self.end_markup();
                    }
                    b'>' => self.state = State::Doctype { depth: depth - 1 },
                    _ => {}
                },
            }
            self.pos += used as u64;
            i += used;
            self.check()?;
        }
        Ok(())
    }

    fn check(&self) -> Result<(), u64> {
        if self.pos.saturating_sub(self.event_start) > self.limit {
            return Err(self.event_start);
        }
        match self.cell_start {
            Some(s) if self.pos - s > self.limit => Err(s),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, limit: u64) -> Result<(), u64> {
        let mut s = XmlBounds::new(limit);
        s.feed(xml.as_bytes())
    }

    /// The same, fed one byte at a time (events split across chunks).
    fn scan_bytewise(xml: &str, limit: u64) -> Result<(), u64> {
        let mut s = XmlBounds::new(limit);
        for b in xml.as_bytes() {
            s.feed(std::slice::from_ref(b))?;
        }
        Ok(())
    }

    fn both(xml: &str, limit: u64) -> Result<(), u64> {
        let a = scan(xml, limit);
        assert_eq!(a, scan_bytewise(xml, limit), "{xml}");
        a
    }

    #[test]
    fn text_runs_on_both_sides_of_the_limit() {
        let ok = format!("<a>{}</a>", "x".repeat(20));
        assert_eq!(both(&ok, 20), Ok(()));
        let long = format!("<a>{}</a>", "x".repeat(21));
        assert_eq!(both(&long, 20), Err(3));
    }

    #[test]
    fn tags_with_quoted_gt_are_one_event() {
        let ok = "<a b=\">>>>>\"/>";
        assert_eq!(both(ok, 14), Ok(()));
        assert_eq!(both(ok, 12), Err(0));
        assert_eq!(both("<a b='<<<<<<<<<<<<<<<<<<'>", 10), Err(0));
    }

    #[test]
    fn comments_cdata_pi_and_doctype_follow_quick_xml() {
        // `<!-->` does not end a comment in quick-xml: the event runs on.
        let tricky = format!("<!-->{}-->", "<a>".repeat(10));
        assert!(both(&tricky, 20).is_err());
        assert_eq!(both("<!---->text", 8), Ok(()));
        assert!(both(&format!("<!--{}-->", "<b>".repeat(10)), 20).is_err());
        assert!(both(&format!("<![CDATA[{}]]>", "<>".repeat(20)), 20).is_err());
        assert_eq!(both("<![CDATA[ab]]>", 20), Ok(()));
        assert!(both(&format!("<?pi {} ?>", "<>".repeat(20)), 20).is_err());
        assert_eq!(both("<?>text", 5), Ok(()));
        assert!(both(&format!("<!DOCTYPE x [{}]>", "<!ENTITY a 'b'>".repeat(5)), 30).is_err());
        assert_eq!(both("<!DOCTYPE x [<!ENTITY a 'b'>]><a/>", 40), Ok(()));
    }

    #[test]
    fn a_cell_element_is_bounded_across_its_events() {
        let cell = |n: usize| format!("<row><c r=\"A1\" t=\"inlineStr\"><is>{}</is></c></row>", "<t>xxxxxx</t>".repeat(n));
        assert_eq!(both(&cell(2), 100), Ok(()));
        assert!(both(&cell(20), 100).is_err());
        // Namespaced, and self-closing cells open nothing.
        assert!(both(&format!("<x:c>{}</x:c>", "<v>1</v>".repeat(20)), 100).is_err());
        assert_eq!(both(&"<c r=\"A1\"/><v>1</v>".repeat(50), 100), Ok(()));
        // Other elements do not count as cells.
        assert_eq!(both(&format!("<col>{}</col>", "<v>1</v>".repeat(50)), 100), Ok(()));
    }
}
