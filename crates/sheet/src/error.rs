//! What can be wrong with a file, in Chinese, naming where.

use std::io;

use crate::{Bytes, ECHO, clip};

/// A file refused or unreadable. Every message names the line, row, column
/// or cell when there is one, and echoes at most 200 characters of input.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件超过上限 {}", Bytes(*limit))]
    FileTooLarge { limit: u64 },
    #[error("不支持 .{what} 格式的表格，请另存为 .xlsx 或 CSV（UTF-8）")]
    Unsupported { what: String },
    #[error("不是有效的 XLSX 文件：{0}")]
    NotXlsx(String),
    #[error("XLSX 压缩包有 {entries} 个条目，超过上限 {max} 个")]
    TooManyEntries { entries: u64, max: usize },
    #[error("XLSX 条目 {name} 解压后 {}，超过上限 {}", Bytes(*size), Bytes(*limit))]
    EntryTooLarge { name: String, size: u64, limit: u64 },
    #[error("XLSX 解压后共超过 {}，超过上限", Bytes(*limit))]
    UncompressedTooLarge { limit: u64 },
    #[error("XLSX 中整体读入的部分（共享字符串、样式等）超过上限 {}", Bytes(*limit))]
    LoadedTooLarge { limit: u64 },
    #[error("XLSX 条目 {name} 的压缩比 {ratio}:1 超过上限 {max}:1（疑似压缩炸弹）")]
    CompressionRatio { name: String, ratio: u64, max: u32 },
    #[error("XLSX 条目 {name} 实际解压后大于其声明的 {}（文件损坏或被篡改）", Bytes(*declared))]
    SizeMismatch { name: String, declared: u64 },
    #[error("XLSX 条目 {name} 第 {offset} 字节起有一段标记或文本长于 {}", Bytes(*limit))]
    XmlRunTooLong { name: String, offset: u64, limit: u64 },
    #[error("工作表范围 {range} 超过上限（最多 {max} {what}）")]
    ExtentTooLarge { range: String, what: &'static str, max: u32 },
    #[error("单元格 {cell} 超出上限（最多 {max} {what}）")]
    CellOutOfRange { cell: String, what: &'static str, max: u32 },
    #[error("单元格 {cell} 的内容超过上限 {}", Bytes(*limit as u64))]
    CellTooLong { cell: String, limit: usize },
    #[error("工作表行顺序错乱：单元格 {cell} 出现在第 {after} 行之后")]
    RowOrder { cell: String, after: u32 },
    #[error("XLSX 中没有工作表")]
    NoSheet,
    #[error("无法读取工作表：{0}")]
    Xlsx(String),
    #[error("第 {line} 行超过上限 {}（文件是否缺少换行，或引号未闭合？）", Bytes(*limit as u64))]
    LineTooLong { line: u64, limit: usize },
    #[error("第 {line} 行不是有效的 UTF-8 编码（请将文件另存为 UTF-8）")]
    NotUtf8 { line: u64 },
    #[error("第 {line} 行第 {column} 列的内容超过上限 {}", Bytes(*limit as u64))]
    FieldTooLong { line: u64, column: usize, limit: usize },
    #[error("第 {line} 行有 {cols} 列，超过上限 {max} 列")]
    TooManyFields { line: u64, cols: usize, max: u32 },
    #[error("第 {line} 行超过行数上限（最多 {max} 行）")]
    TooManyRows { line: u64, max: u32 },
    #[error("第 {line} 行：CSV 格式错误：{message}")]
    Csv { line: u64, message: String },
    #[error("由工作表转换的 CSV 超过上限 {}", Bytes(*limit))]
    OutputTooLarge { limit: u64 },
    #[error("读写失败：{0}")]
    Io(io::Error),
}

impl SheetError {
    /// An I/O error that carries a `SheetError` (from [`crate::LineGuard`]) as that error.
    pub fn from_io(e: io::Error) -> SheetError {
        if e.get_ref().is_some_and(|inner| inner.is::<SheetError>()) {
            if let Some(inner) = e.into_inner() {
                return match inner.downcast::<SheetError>() {
                    Ok(s) => *s,
                    Err(other) => SheetError::Io(io::Error::other(other)),
                };
            }
            return SheetError::Io(io::Error::other("I/O"));
        }
        SheetError::Io(e)
    }

    /// This error as an I/O error (for `Read` adapters); [`SheetError::from_io`] unwraps it.
    pub fn into_io(self) -> io::Error {
        match self {
            SheetError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }

    pub(crate) fn zip(e: zip::result::ZipError) -> SheetError {
        match e {
            zip::result::ZipError::Io(io) => SheetError::from_io(io),
            other => SheetError::NotXlsx(clip(&other.to_string(), ECHO)),
        }
    }

    pub(crate) fn xlsx(e: calamine::XlsxError) -> SheetError {
        match e {
            calamine::XlsxError::Io(io) => SheetError::from_io(io),
            calamine::XlsxError::Zip(z) => SheetError::zip(z),
            other => SheetError::Xlsx(clip(&other.to_string(), ECHO)),
        }
    }
}

impl From<io::Error> for SheetError {
    fn from(e: io::Error) -> Self {
        SheetError::from_io(e)
    }
}

impl From<csv::Error> for SheetError {
    fn from(e: csv::Error) -> Self {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        match e.into_kind() {
            csv::ErrorKind::Io(io) => SheetError::from_io(io),
            csv::ErrorKind::Utf8 { pos, .. } => SheetError::NotUtf8 { line: pos.map(|p| p.line()).unwrap_or(line) },
            other => SheetError::Csv { line, message: clip(&format!("{other:?}"), ECHO) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_error_survives_the_trip_through_io() {
        let e = SheetError::LineTooLong { line: 7, limit: 64 << 10 }.into_io();
        let back = SheetError::from_io(e);
        assert!(matches!(back, SheetError::LineTooLong { line: 7, .. }), "{back:?}");
        assert_eq!(back.to_string(), "第 7 行超过上限 64 KiB（文件是否缺少换行，或引号未闭合？）");
        let plain = SheetError::from_io(io::Error::other("disk full"));
        assert!(matches!(plain, SheetError::Io(_)));
    }

    #[test]
    fn the_bomb_message_names_the_range() {
        let e = SheetError::ExtentTooLarge { range: "A1:XFD1048576".into(), what: "列", max: 256 };
        assert_eq!(e.to_string(), "工作表范围 A1:XFD1048576 超过上限（最多 256 列）");
    }
}
