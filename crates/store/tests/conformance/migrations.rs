use yiwang_testkit::{TestDb, backend_test};

use crate::common::GENESIS;

backend_test!(migrations_apply_and_are_idempotent);
async fn migrations_apply_and_are_idempotent(db: TestDb) {
    let b = db.backend;
    // `store()` migrates once; migrating again (and from a second connection pool) is a no-op.
    let store = db.store().await;
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("[{b}] second migrate: {e}"));
    let again = yiwang_store::open(&db.url)
        .await
        .unwrap_or_else(|e| panic!("[{b}] reopen: {e}"));
    again
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("[{b}] migrate from a new pool: {e}"));
    again
        .ping()
        .await
        .unwrap_or_else(|e| panic!("[{b}] ping: {e}"));

    let mut tx = store.probe().await.expect("read");
    assert_eq!(
        tx.ledger_head().await.expect("head"),
        (0, GENESIS.to_string()),
        "[{b}] a fresh ledger head is (0, genesis)"
    );
    assert!(
        tx.list_regions().await.expect("regions").is_empty(),
        "[{b}] no regions"
    );
    assert!(
        tx.list_users().await.expect("users").is_empty(),
        "[{b}] no users"
    );
    assert_eq!(
        tx.count_outbox("pending").await.expect("outbox"),
        0,
        "[{b}] no outbox"
    );
    drop(tx);
    let expected = match b {
        "sqlite" => yiwang_store::Backend::Sqlite,
        _ => yiwang_store::Backend::Postgres,
    };
    assert_eq!(store.backend(), expected, "[{b}] backend()");
    again.close().await;
    store.close().await;
    db.cleanup().await;
}
