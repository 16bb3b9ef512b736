//! Hostile spreadsheets are refused with a 422 naming the limit, before anything large is
//! allocated; legitimate ones read as before.

use std::time::Instant;

use yiwang_app::sheet::{SheetFormat, SheetLimits, SheetReader, read_in_process};
use yiwang_core::Problem;
use yiwang_testkit::hostile;

fn read(
    bytes: &[u8],
    format: SheetFormat,
    limits: &SheetLimits,
) -> Result<Vec<Vec<String>>, Problem> {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), bytes).unwrap();
    let started = Instant::now();
    let r = read_in_process(f.path(), format, &[], limits).map(|s| s.first);
    println!(
        "read in {:?}: {:?}",
        started.elapsed(),
        r.as_ref().err().map(|p| &p.code)
    );
    r
}

fn code(r: Result<Vec<Vec<String>>, Problem>) -> String {
    match r {
        Ok(g) => panic!("expected a refusal, read {} rows", g.len()),
        Err(p) => {
            assert_eq!(p.kind, yiwang_core::ProblemKind::Invalid, "{p}");
            p.code
        }
    }
}

#[test]
fn a_real_workbook_reads() {
    let g = read(
        &hostile::small_xlsx(),
        SheetFormat::Xlsx,
        &SheetLimits::default(),
    )
    .unwrap();
    assert_eq!(g[0], vec!["code", "name"]);
    assert_eq!(g[1], vec!["011000201000", "食品经营许可"]);
}

#[test]
fn two_cells_far_apart_are_refused_by_their_declared_range() {
    let c = code(read(
        &hostile::two_cell_xlsx(),
        SheetFormat::Xlsx,
        &SheetLimits::default(),
    ));
    assert_eq!(c, "sheet.too_many_rows");
}

#[test]
fn a_far_cell_without_a_declared_range_is_refused_cell_by_cell() {
    // The same workbook with its <dimension> removed: the far cell itself is refused.
    let bytes = hostile::repack(&hostile::two_cell_xlsx(), |name, content| {
        if name.ends_with("sheet1.xml") {
            let s = String::from_utf8(content).unwrap();
            let start = s.find("<dimension").unwrap();
            let end = start + s[start..].find("/>").unwrap() + 2;
            format!("{}{}", &s[..start], &s[end..]).into_bytes()
        } else {
            content
        }
    });
    let c = code(read(&bytes, SheetFormat::Xlsx, &SheetLimits::default()));
    assert!(
        c == "sheet.too_many_rows" || c == "sheet.too_many_columns",
        "{c}"
    );
}

#[test]
fn a_decompression_bomb_is_refused_by_its_ratio() {
    let bytes = hostile::bomb_xlsx(16);
    assert!(bytes.len() < 200_000, "the bomb is small: {}", bytes.len());
    let c = code(read(&bytes, SheetFormat::Xlsx, &SheetLimits::default()));
    assert_eq!(c, "sheet.compression_ratio");
}

#[test]
fn a_bomb_over_the_inflated_limit_is_refused_by_size() {
    let limits = SheetLimits {
        max_unpacked: 4 * 1024 * 1024,
        max_ratio: 1_000_000,
        ..Default::default()
    };
    let c = code(read(&hostile::bomb_xlsx(16), SheetFormat::Xlsx, &limits));
    assert_eq!(c, "sheet.unpacked_too_large");
}

#[test]
fn a_bomb_that_lies_about_its_size_is_caught_while_inflating() {
    let c = code(read(
        &hostile::lying_bomb_xlsx(16),
        SheetFormat::Xlsx,
        &SheetLimits::default(),
    ));
    assert_eq!(c, "sheet.unreadable");
}

#[test]
fn a_shared_string_table_claiming_billions_is_refused() {
    let c = code(read(
        &hostile::shared_strings_bomb_xlsx(),
        SheetFormat::Xlsx,
        &SheetLimits::default(),
    ));
    assert_eq!(c, "sheet.too_many_cells");
}

#[test]
fn garbage_is_unreadable_not_a_panic() {
    let c = code(read(
        b"PK\x03\x04 this is no archive",
        SheetFormat::Xlsx,
        &SheetLimits::default(),
    ));
    assert_eq!(c, "sheet.unreadable");
}

#[test]
fn csv_rows_columns_and_cells_are_bounded() {
    let limits = SheetLimits {
        max_rows: 3,
        max_cols: 4,
        max_cells: 7,
        ..Default::default()
    };
    assert_eq!(
        read(b"a,b\n1,2\n", SheetFormat::Csv, &limits)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        code(read(b"a\nb\nc\nd\n", SheetFormat::Csv, &limits)),
        "sheet.too_many_rows"
    );
    assert_eq!(
        code(read(b"a,b,c,d,e\n", SheetFormat::Csv, &limits)),
        "sheet.too_many_columns"
    );
    assert_eq!(
        code(read(b"a,b,c,d\n1,2,3,4\n", SheetFormat::Csv, &limits)),
        "sheet.too_many_cells"
    );
    // A byte-order mark is not part of the first cell.
    let g = read(b"\xef\xbb\xbfcode,name\n", SheetFormat::Csv, &limits).unwrap();
    assert_eq!(g[0][0], "code");
    assert_eq!(
        code(read(b"a,\xff\xfe\n", SheetFormat::Csv, &limits)),
        "import.csv"
    );
}

#[tokio::test]
async fn the_node_reader_reads_in_process_when_not_isolated() {
    let reader = SheetReader::in_process(SheetLimits::default());
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), hostile::two_cell_xlsx()).unwrap();
    let p = reader
        .read(f.path(), SheetFormat::Xlsx, &[])
        .await
        .unwrap_err();
    assert_eq!(p.code, "sheet.too_many_rows");
}

/// A stand-in reader child: a script that does `body` instead of reading.
fn child_script(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("reader.sh");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[tokio::test]
async fn a_reader_child_that_aborts_or_hangs_is_refused_and_this_process_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.xlsx");
    std::fs::write(&file, hostile::small_xlsx()).unwrap();
    let limits = SheetLimits {
        max_millis: 300,
        ..Default::default()
    };
    // Killed by a signal, as an allocation failure's abort would.
    let reader = SheetReader::isolated(limits, child_script(dir.path(), "kill -ABRT $$"), 64);
    let p = reader
        .read(&file, SheetFormat::Xlsx, &[])
        .await
        .unwrap_err();
    assert_eq!(p.code, "sheet.unreadable", "{p}");
    // Runs past the time limit: killed.
    let reader = SheetReader::isolated(limits, child_script(dir.path(), "exec sleep 600"), 64);
    let started = Instant::now();
    let p = reader
        .read(&file, SheetFormat::Xlsx, &[])
        .await
        .unwrap_err();
    assert_eq!(p.code, "sheet.too_slow", "{p}");
    println!("hung child ended after {:?}", started.elapsed());
    // Prints nonsense.
    let reader = SheetReader::isolated(limits, child_script(dir.path(), "echo '{not json'"), 64);
    let p = reader
        .read(&file, SheetFormat::Xlsx, &[])
        .await
        .unwrap_err();
    assert_eq!(p.code, "sheet.unreadable", "{p}");
}
