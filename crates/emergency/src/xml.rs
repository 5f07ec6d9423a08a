//! Writing the two XML documents the plan publishes (the CAP alert, the Atom
//! feed): both are indented UTF-8 with a declaration and a final newline.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// A document of about `capacity` bytes: the XML declaration, then what
/// `body` writes, then a newline.
pub(crate) fn document(capacity: usize, body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    body(&mut w)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// `<name>text</name>`, the text escaped.
pub(crate) fn leaf<W: io::Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(text))?;
    Ok(())
}
