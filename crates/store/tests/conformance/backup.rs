use yiwang_testkit::{TempDir, TestDb, backend_test};

use crate::common::{draft, region};

backend_test!(backup_copies_sqlite_and_points_postgres_to_pg_dump);
async fn backup_copies_sqlite_and_points_postgres_to_pg_dump(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    tx.insert_region(&region("320000", "江苏省", None, "province"))
        .await
        .expect("region");
    tx.insert_user(&crate::common::user("u1", "lina"))
        .await
        .expect("user");
    tx.append_ledger(draft("one")).await.expect("append");
    let last = tx.append_ledger(draft("two")).await.expect("append");
    tx.commit().await.expect("commit");

    let dir = TempDir::new();
    let out = dir.0.join("backup.db");
    match b {
        "sqlite" => {
            store
                .backup(&out)
                .await
                .unwrap_or_else(|e| panic!("[{b}] backup: {e}"));
            assert!(out.is_file(), "[{b}] the backup file exists");
            let copy = yiwang_store::open(&format!("sqlite://{}", out.display()))
                .await
                .expect("open backup");
            copy.migrate().await.expect("backup is already migrated");
            let mut tx = copy.read().await.expect("read");
            assert_eq!(
                tx.get_region("320000")
                    .await
                    .expect("region")
                    .map(|r| r.name),
                Some("江苏省".to_string()),
                "[{b}] region in the backup"
            );
            assert_eq!(
                tx.find_user_by_username("lina").await.expect("user"),
                Some(crate::common::user("u1", "lina")),
                "[{b}] user in the backup"
            );
            assert_eq!(
                tx.ledger_head().await.expect("head"),
                (2, last.hash.clone()),
                "[{b}] ledger head in the backup"
            );
            assert_eq!(
                tx.ledger_entry(2).await.expect("entry"),
                Some(last.clone()),
                "[{b}] entry in the backup"
            );
            drop(tx);
            copy.close().await;

            let size = std::fs::metadata(&out).expect("meta").len();
            let again = store.backup(&out).await;
            assert!(
                again.is_err(),
                "[{b}] backup to an existing path is refused"
            );
            assert!(
                again.unwrap_err().to_string().contains("already exists"),
                "[{b}] the refusal says why"
            );
            assert_eq!(
                std::fs::metadata(&out).expect("meta").len(),
                size,
                "[{b}] the existing file is untouched"
            );
        }
        _ => {
            let err = store
                .backup(&out)
                .await
                .expect_err("postgres backup is an error");
            assert!(
                err.to_string().contains("pg_dump"),
                "[{b}] the error mentions pg_dump: {err}"
            );
            assert!(!out.exists(), "[{b}] no file written");
        }
    }
    store.close().await;
    db.cleanup().await;
}
