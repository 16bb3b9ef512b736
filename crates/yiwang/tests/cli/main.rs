//! The `yiwang` binary as a user (and an operator) runs it: demo, audit verify against tampering
//! with the database shell's kind of edits, backup, crash durability, and two nodes sharing one
//! PostgreSQL database that never run the same job twice.

mod audit;
mod bid;
mod blobs;
mod catalog;
mod draws;
mod durability;
mod fuzz;
mod keys;
mod nodes;
mod proofs;
mod publish;
mod uploads;
mod witness;

use std::process::{Command, Output};
use yiwang_testkit::{TestDb, backend_test};

/// The binary, run in a working directory of this test process (so that a default blob
/// directory, `yiwang.blobs` for PostgreSQL, never lands in the source tree).
pub fn yiwang() -> Command {
    let dir = std::env::temp_dir().join(format!("yiwang-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("working directory");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yiwang"));
    cmd.current_dir(dir);
    cmd
}

pub fn run(args: &[&str]) -> Output {
    yiwang()
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run yiwang")
}

/// [`run`] with extra arguments at the end (e.g. [`blob_flag`]).
pub fn run_with(args: &[&str], extra: &[String]) -> Output {
    let mut all = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    run(&all)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A database of its own holding the demo (`yiwang demo --no-serve`): the demo is built once per
/// backend by this test process and each caller gets a copy ([`TestDb::copy_of`]), since
/// building it takes tens of seconds and a dozen tests need it. `None` when the backend is
/// PostgreSQL and no server is reachable (see [`TestDb::postgres`]). The copy's blob files are
/// in the default place for SQLite (`FILE.blobs`) and in [`TestDb::blobs`] for PostgreSQL:
/// pass [`blob_flag`] to every verb that reads them.
pub async fn demo_db(backend: &str) -> Option<TestDb> {
    // The originals live as long as the process (a static is never dropped): the SQLite one in
    // a temporary directory, the PostgreSQL one swept with other stale test databases.
    static ORIGINALS: tokio::sync::Mutex<Vec<TestDb>> = tokio::sync::Mutex::const_new(Vec::new());
    let mut originals = ORIGINALS.lock().await;
    if !originals.iter().any(|o| o.backend == backend) {
        let db = if backend == "sqlite" {
            TestDb::sqlite().await
        } else {
            TestDb::postgres().await?
        };
        let mut args = vec!["demo", "--no-serve", "--db", &db.url];
        let flag = blob_flag(&db);
        args.extend(flag.iter().map(String::as_str));
        let o = run(&args);
        assert!(
            o.status.success(),
            "{backend}: demo failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = stdout(&o);
        assert!(
            out.contains("admin") && out.contains("window"),
            "demo prints accounts: {out}"
        );
        assert!(
            out.contains("demo experts: 2001 experts"),
            "demo prints its experts: {out}"
        );
        originals.push(db);
    }
    let original = originals.iter().find(|o| o.backend == backend)?;
    Some(TestDb::copy_of(original).await)
}

/// The demo on every available backend, each a copy of its own ([`demo_db`]).
pub async fn demo_dbs() -> Vec<TestDb> {
    let mut out = Vec::new();
    for backend in ["sqlite", "postgres"] {
        out.extend(demo_db(backend).await);
    }
    out
}

/// The `--blobs` flag a verb needs to find this database's blob files: none for SQLite (the
/// default directory beside the file), [`TestDb::blobs`] for PostgreSQL.
pub fn blob_flag(db: &TestDb) -> Vec<String> {
    if db.backend == "sqlite" {
        Vec::new()
    } else {
        vec!["--blobs".into(), db.blobs.0.display().to_string()]
    }
}

/// A free local port (bound and released; good enough for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn every_verb_has_help() {
    for verb in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["audit", "--help"],
        vec!["bid", "seal", "--help"],
        vec!["bid", "open", "--help"],
        vec!["bid", "custodian-keygen", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "checkpoint", "--help"],
        vec!["audit", "verify-proof", "--help"],
        vec!["draw", "verify", "--help"],
        vec!["ocds", "export", "--help"],
        vec!["archive", "verify", "--help"],
        vec!["witness", "--help"],
        vec!["keys", "init", "--help"],
        vec!["backup", "--help"],
        vec!["bootstrap", "--help"],
        vec!["catalog", "import", "--help"],
        vec!["catalog", "export", "--help"],
        vec!["search", "reindex", "--help"],
    ] {
        let o = run(&verb);
        assert!(o.status.success(), "{verb:?} --help failed");
        assert!(stdout(&o).contains("Usage"), "{verb:?} prints usage");
    }
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let o = run(&["migrate", "--db", "mysql://x@y/z"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
}

backend_test!(bootstrap_opens_a_deployment_with_its_first_administrator);
async fn bootstrap_opens_a_deployment_with_its_first_administrator(db: TestDb) {
    let boot = |user: &str| {
        yiwang()
            .args([
                "bootstrap",
                "--db",
                &db.url,
                "--region",
                "320000",
                "--org-name",
                "江苏省人民政府",
                "--username",
                user,
                "--display-name",
                "平台管理员",
            ])
            .env("YIWANG_BOOTSTRAP_PASSWORD", "a-long-enough-secret")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let o = boot("root");
    assert!(
        o.status.success(),
        "{}: {}",
        db.backend,
        String::from_utf8_lossy(&o.stderr)
    );
    // A second administrator joins the same root organisation; a duplicate username is refused.
    assert!(boot("root2").status.success(), "{}", db.backend);
    let o = boot("root");
    assert_eq!(o.status.code(), Some(1), "{}", db.backend);
    assert!(String::from_utf8_lossy(&o.stderr).contains("duplicate"));
    let store = db.store().await;
    let user = store
        .read()
        .await
        .unwrap()
        .find_user_by_username("root2")
        .await
        .unwrap()
        .unwrap();
    let grants = store
        .read()
        .await
        .unwrap()
        .grants_of_user(&user.id)
        .await
        .unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, "administrator");
    let orgs = store
        .read()
        .await
        .unwrap()
        .list_organisations("")
        .await
        .unwrap();
    assert_eq!(orgs.len(), 1, "{}: one root organisation", db.backend);
    store.close().await;
    let o = run(&["audit", "verify", "--db", &db.url]);
    assert!(o.status.success(), "{}: {}", db.backend, stdout(&o));
    db.cleanup().await;
}
