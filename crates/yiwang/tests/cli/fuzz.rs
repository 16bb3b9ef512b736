//! The short form of the API fuzz run (`scripts/fuzz-api --quick`, docs/api-fuzz.md): the real
//! binary's demo on a throw-away database, schemathesis over every operation anonymously and
//! with a token of each role; any 5xx, undocumented status or response that does not match the
//! OpenAPI document fails the test.
//!
//! schemathesis lives in the virtual environment that `scripts/setup` makes. Without it the test
//! is skipped with a message, unless `YIWANG_TEST_PG` is set (as in CI, where `scripts/setup` has
//! installed it): then a missing fuzzer is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn venv() -> PathBuf {
    std::env::var_os("YIWANG_FUZZ_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/yiwang-venv"))
}

/// Whether the fuzzer is installed; panics when it must be (CI) and is not.
fn fuzzer_ready(test: &str) -> bool {
    if venv().join("bin/schemathesis").exists() {
        return true;
    }
    let mandatory = std::env::var("YIWANG_TEST_PG").is_ok_and(|v| !v.is_empty());
    assert!(
        !mandatory,
        "YIWANG_TEST_PG is set but schemathesis is not installed in {}: run scripts/setup",
        venv().display()
    );
    eprintln!(
        "SKIPPED {test}: schemathesis is not installed in {} (run scripts/setup)",
        venv().display()
    );
    false
}

fn fuzz(db_url: &str, backend: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fuzz-api");
    let out = Command::new("python3")
        .arg(&script)
        .args([
            "--quick",
            "--db",
            db_url,
            "--bin",
            env!("CARGO_BIN_EXE_yiwang"),
        ])
        .output()
        .expect("run scripts/fuzz-api");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "[{backend}] the API fuzz run failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("fuzz-api summary:"))
        .unwrap_or_else(|| panic!("[{backend}] no summary:\n{stdout}"));
    assert!(
        summary.contains(" 0 failures (0 failed runs)"),
        "[{backend}] {summary}"
    );
}

#[tokio::test]
async fn fuzz_api_sqlite() {
    if !fuzzer_ready("fuzz_api_sqlite") {
        return;
    }
    let db = yiwang_testkit::TestDb::sqlite().await;
    fuzz(&db.url, db.backend);
    db.cleanup().await;
}

#[tokio::test]
async fn fuzz_api_postgres() {
    if !fuzzer_ready("fuzz_api_postgres") {
        return;
    }
    let Some(db) = yiwang_testkit::TestDb::postgres().await else {
        return;
    };
    fuzz(&db.url, db.backend);
    db.cleanup().await;
}
