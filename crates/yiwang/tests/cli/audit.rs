//! The demo ([`crate::demo_db`]) then `yiwang audit verify`: intact, then broken by each kind of edit.

use sqlx::Connection;
use yiwang_testkit::TestDb;

use crate::{blob_flag, demo_db, demo_dbs, run, stdout};

/// Run raw SQL against the database, as an operator with a database shell could.
async fn tamper(db: &TestDb, sql: &str) {
    if db.backend == "sqlite" {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
}

fn verify(db: &TestDb) -> (bool, String) {
    let flag = blob_flag(db);
    let mut args = vec!["audit", "verify", "--db", &db.url];
    args.extend(flag.iter().map(String::as_str));
    let o = run(&args);
    (o.status.success(), stdout(&o))
}

const TAMPERS: &[(&str, &str, &str)] = &[
    (
        "edit a ledger row",
        "UPDATE ledger_entries SET action = 'organisation.delete' WHERE seq = 7",
        "was altered",
    ),
    (
        "delete a ledger row",
        "DELETE FROM ledger_entries WHERE seq = 9",
        "deleted or inserted",
    ),
    (
        "delete the last ledger row",
        "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM ledger_entries)",
        "ledger head",
    ),
    (
        "edit a user row",
        "UPDATE users SET display_name = '冒名' WHERE username = 'approver'",
        "users row",
    ),
    (
        "edit a password hash",
        "UPDATE users SET password_hash = 'x' WHERE username = 'admin'",
        "users row",
    ),
    (
        "edit an organisation row",
        "UPDATE organisations SET name = '假机构' WHERE name = '宿迁市财政局'",
        "organisations row",
    ),
    (
        "grant a role outside the platform",
        "INSERT INTO role_grants (id, user_id, role, org_id, created_at) SELECT 'forged', user_id, 'administrator', org_id, 0 FROM role_grants LIMIT 1",
        "outside the platform",
    ),
];

#[tokio::test]
async fn verify_passes_on_the_demo_and_fails_after_each_tampering() {
    for (what, sql, expect) in TAMPERS {
        for db in demo_dbs().await {
            let (ok, out) = verify(&db);
            assert!(ok, "{}: fresh demo must verify: {out}", db.backend);
            assert!(out.contains("intact"), "{out}");
            tamper(&db, sql).await;
            let (ok, out) = verify(&db);
            assert!(!ok, "{}: verify must fail after: {what}", db.backend);
            assert!(
                out.contains("first bad entry"),
                "{}: {what}: {out}",
                db.backend
            );
            assert!(
                out.contains(expect),
                "{}: {what}: expected '{expect}' in {out}",
                db.backend
            );
            db.cleanup().await;
        }
    }
}

#[tokio::test]
async fn backup_copies_a_sqlite_database_that_still_verifies() {
    let db = demo_db("sqlite").await.expect("SQLite");
    let dir = yiwang_testkit::TempDir::new();
    let out = dir.0.join("backup.db");
    let o = run(&["backup", "--db", &db.url, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let copy = format!("sqlite://{}", out.display());
    let o = run(&["audit", "verify", "--db", &copy]);
    assert!(o.status.success(), "backup verifies: {}", stdout(&o));
    // A second backup to the same file is refused rather than overwriting it.
    let o = run(&["backup", "--db", &db.url, "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    if let Some(pg) = TestDb::postgres().await {
        let o = run(&["backup", "--db", &pg.url, "--out", "/tmp/never.db"]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("pg_dump"));
        pg.cleanup().await;
    }
}
