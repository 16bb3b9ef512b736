//! `yiwang catalog import|export` and `yiwang search reindex` as an operator runs them.

use yiwang_core::catalog::table::{COLUMNS, format_item, grid_to_csv};
use yiwang_core::catalog::*;
use yiwang_testkit::{TempDir, TestDb, backend_test};

use crate::{blob_flag, demo_db, run_with, stdout};

fn item(code: &str, name: &str) -> ItemBody {
    yiwang_testkit::sample_item(code, name, &["开饭店"])
}

backend_test!(import_is_all_or_nothing_and_export_reads_back);
async fn import_is_all_or_nothing_and_export_reads_back(db: TestDb) {
    // Organisations come from the demo; then replace its catalogue by our own file.
    let Some(db) = demo_db(db.backend).await else {
        return;
    };
    let b = db.backend;
    let flag = blob_flag(&db);
    let dir = TempDir::new();
    let dept = "宿迁市市场监督管理局";
    let good = item("011000901000", "测试许可甲");
    let mut bad = item("011000902000", "测试许可乙");
    bad.promised_limit_days = 99;
    let mut grid = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    grid.push(format_item(&good, dept, true));
    grid.push(format_item(&bad, dept, true));
    let file = dir.0.join("bad.csv");
    std::fs::write(&file, grid_to_csv(&grid)).unwrap();
    let o = run_with(
        &["catalog", "import", "--db", &db.url, file.to_str().unwrap()],
        &flag,
    );
    assert_eq!(o.status.code(), Some(1), "[{b}] a bad row fails the import");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("第3行") && err.contains("promised_limit_days"),
        "[{b}] names the row: {err}"
    );
    // Nothing was imported: the export has no 测试许可甲.
    let out = dir.0.join("export.csv");
    let o = run_with(
        &["catalog", "export", "--db", &db.url, out.to_str().unwrap()],
        &flag,
    );
    assert!(
        o.status.success(),
        "[{b}] {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(!exported.contains("测试许可甲"), "[{b}] nothing imported");
    // The good row alone imports, and the export then contains it.
    grid.pop();
    std::fs::write(&file, grid_to_csv(&grid)).unwrap();
    let o = run_with(
        &["catalog", "import", "--db", &db.url, file.to_str().unwrap()],
        &flag,
    );
    assert!(
        o.status.success(),
        "[{b}] {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("1 new items"), "[{b}] {}", stdout(&o));
    let xlsx = dir.0.join("export.xlsx");
    let o = run_with(
        &["catalog", "export", "--db", &db.url, xlsx.to_str().unwrap()],
        &flag,
    );
    assert!(o.status.success(), "[{b}]");
    assert!(
        std::fs::read(&xlsx).unwrap().starts_with(b"PK"),
        "[{b}] an XLSX file"
    );
    let o = run_with(
        &["catalog", "export", "--db", &db.url, out.to_str().unwrap()],
        &flag,
    );
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("测试许可甲"),
        "[{b}]"
    );
    // Re-importing the export (which holds the whole demo catalogue) is accepted as new versions.
    let o = run_with(
        &["catalog", "import", "--db", &db.url, xlsx.to_str().unwrap()],
        &flag,
    );
    assert!(
        o.status.success(),
        "[{b}] {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A search index directory is rebuilt from the database.
    let idx = dir.0.join("index");
    let o = run_with(
        &[
            "search",
            "reindex",
            "--db",
            &db.url,
            "--index-dir",
            idx.to_str().unwrap(),
        ],
        &flag,
    );
    assert!(
        o.status.success(),
        "[{b}] {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("documents"), "[{b}]");
    let o = run_with(&["audit", "verify", "--db", &db.url], &flag);
    assert!(
        o.status.success(),
        "[{b}] ledger intact after imports: {}",
        stdout(&o)
    );
    db.cleanup().await;
}
