//! Contention: a write that cannot have its turn within the wait limit is `StoreError::Busy`
//! (which the API answers with 503 and Retry-After), never a generic database error; once the
//! holder is done, writes go through again.

use std::time::Duration;

use yiwang_store::{OpenOptions, StoreError};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::draft;

backend_test!(a_write_that_waits_too_long_is_busy);
async fn a_write_that_waits_too_long_is_busy(db: TestDb) {
    let b = db.backend;
    db.store().await.close().await;
    let store = yiwang_store::open_with(
        &db.url,
        OpenOptions {
            write_wait: Duration::from_millis(300),
        },
    )
    .await
    .unwrap();
    let mut holder = store.write().await.unwrap();
    holder.append_ledger(draft("hold")).await.unwrap();
    // SQLite: the second writer waits for its turn at BEGIN; PostgreSQL: at the ledger
    // head's row lock. Either way it gives up after the wait limit.
    let second = async {
        let mut tx = store.write().await?;
        tx.append_ledger(draft("second")).await?;
        tx.commit().await
    };
    let r = second.await;
    assert!(
        matches!(r, Err(StoreError::Busy(_))),
        "[{b}] expected Busy, got {r:?}"
    );
    holder.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    tx.append_ledger(draft("after")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.ledger_head().await.unwrap().0,
        2,
        "[{b}] the busy write left nothing"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}

backend_test!(writers_queue_in_arrival_order_without_errors);
async fn writers_queue_in_arrival_order_without_errors(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.write().await?;
            tx.append_ledger(draft(&format!("w{i}"))).await?;
            tx.commit().await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap_or_else(|e| panic!("[{b}] {e}"));
    }
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.ledger_head().await.unwrap().0, 32, "[{b}]");
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
