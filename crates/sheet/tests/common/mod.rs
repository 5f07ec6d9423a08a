//! Workbooks written by hand for the integration tests.

#![allow(clippy::unwrap_used, dead_code)] // tests: a panic is the failure report

use std::io::{Cursor, Seek, Write};

pub const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
pub const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// Write the workbook and its relationships, then open the sheet's entry:
/// the caller writes the sheet XML and finishes the zip.
pub fn start_with<W: Write + Seek>(w: &mut zip::ZipWriter<W>, method: zip::CompressionMethod) {
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    w.start_file("xl/workbook.xml", opts).unwrap();
    w.write_all(WORKBOOK.as_bytes()).unwrap();
    w.start_file("xl/_rels/workbook.xml.rels", opts).unwrap();
    w.write_all(RELS.as_bytes()).unwrap();
    w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
}

/// A workbook of one sheet with this XML (and shared strings, if given).
pub fn workbook(sheet: &[u8], sst: Option<&[u8]>, method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    start_with(&mut w, method);
    w.write_all(sheet).unwrap();
    if let Some(s) = sst {
        w.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(s).unwrap();
    }
    w.finish().unwrap().into_inner()
}
