//! Reference data the platform imports (villages of the towns): read here
//! once for the upload page and `shanting import villages` alike.

/// Read a CSV or XLSX of villages (`sheet`, every limit checked): columns
/// 镇（街）, 村（居）, and optional 类型, after a header line. Rows come with
/// their line (the sheet row for XLSX). Blocking.
pub fn parse_village_file<R: std::io::Read + std::io::Seek + Send>(
    name: &str,
    mut input: R,
    limits: &sheet::Limits,
) -> Result<Vec<(usize, String, String, String)>, String> {
    use std::io::Read as _;
    let mut first = Vec::with_capacity(8);
    (&mut input).take(8).read_to_end(&mut first).map_err(|e| e.to_string())?;
    input.seek(std::io::SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let format = sheet::Format::detect(name, &first).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut records = sheet::read_records(input, format, limits);
    // The header; a refused file's error comes first and must not be skipped.
    if let Some(Err(e)) = records.next() {
        return Err(e.to_string());
    }
    for rec in records {
        let rec = rec.map_err(|e| e.to_string())?;
        if rec.cell(0).is_empty() && rec.cell(1).is_empty() {
            continue;
        }
        out.push((rec.line, rec.cell(0).to_string(), rec.cell(1).to_string(), rec.cell(2).to_string()));
    }
    Ok(out)
}
