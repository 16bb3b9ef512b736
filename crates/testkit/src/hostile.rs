//! Hostile uploads, as an attacker would craft them: spreadsheets that declare enormous
//! dimensions, archives that inflate a thousandfold or lie about their size, shared-string tables
//! that claim billions of entries.

use std::io::{Read, Write};

/// A real workbook (one sheet, a header row) to start from.
pub fn small_xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write(0, 0, "code").unwrap();
    sheet.write(0, 1, "name").unwrap();
    sheet.write(1, 0, "011000201000").unwrap();
    sheet.write(1, 1, "食品经营许可").unwrap();
    wb.save_to_buffer().unwrap()
}

/// Two cells, A1 and XFD1048576: a few KB, but a dense reading of its range is 17 billion cells.
pub fn two_cell_xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write(0, 0, "code").unwrap();
    sheet.write(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

/// Rewrite a ZIP archive, passing each part's bytes through `edit`.
pub fn repack(zip_bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        drop(part);
        let content = edit(&name, content);
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A workbook whose sheet part inflates from a few KB to `mb` MiB (a decompression bomb).
pub fn bomb_xlsx(mb: usize) -> Vec<u8> {
    repack(&small_xlsx(), |name, content| {
        if name.ends_with("sheet1.xml") {
            let mut c = content;
            // Whitespace before the root element's end: still well-formed XML.
            let at = c.len() - "</worksheet>".len();
            c.splice(at..at, std::iter::repeat_n(b' ', mb * 1024 * 1024));
            c
        } else {
            content
        }
    })
}

/// [`bomb_xlsx`] whose archive declares the bomb part to be 1,000 bytes once inflated, in both
/// the local header and the central directory (so the compression ratio looks harmless).
pub fn lying_bomb_xlsx(mb: usize) -> Vec<u8> {
    let mut bytes = bomb_xlsx(mb);
    let name = b"xl/worksheets/sheet1.xml";
    let patch = |bytes: &mut Vec<u8>, sig: &[u8; 4], size_at: usize, name_at: usize| {
        let mut i = 0;
        while i + name_at + name.len() <= bytes.len() {
            if &bytes[i..i + 4] == sig && &bytes[i + name_at..i + name_at + name.len()] == name {
                bytes[i + size_at..i + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
            }
            i += 1;
        }
    };
    // Local file header: uncompressed size at 22, name at 30.
    patch(&mut bytes, b"PK\x03\x04", 22, 30);
    // Central directory entry: uncompressed size at 24, name at 46.
    patch(&mut bytes, b"PK\x01\x02", 24, 46);
    bytes
}

/// A workbook whose shared-string table claims a hundred billion entries.
pub fn shared_strings_bomb_xlsx() -> Vec<u8> {
    repack(&small_xlsx(), |name, content| {
        if name.ends_with("sharedStrings.xml") {
            String::from_utf8(content)
                .unwrap()
                .replacen("uniqueCount=\"", "uniqueCount=\"100000000000", 1)
                .replacen(" count=\"", " count=\"100000000000", 1)
                .into_bytes()
        } else {
            content
        }
    })
}
