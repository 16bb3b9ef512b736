use std::sync::Arc;

use yiwang_core::ledger::entry_hash;
use yiwang_store::entry_content;
use yiwang_store::{Checkpoint, LedgerRow, PlatformKeyRow, Store};
use yiwang_testkit::{TestDb, backend_test, backends};

use crate::common::{GENESIS, draft, region};

fn recompute(row: &LedgerRow) -> String {
    let content = entry_content(row).expect("stored entry parses");
    entry_hash(&row.prev_hash, &content)
}

/// Every entry from 1 to the head, in order, with every link and hash recomputed.
async fn assert_chain(store: &Arc<dyn Store>, b: &str, expected_len: i64) -> Vec<LedgerRow> {
    let mut tx = store.probe().await.expect("read");
    let rows = tx.ledger_entries(0, 100_000).await.expect("entries");
    assert_eq!(rows.len() as i64, expected_len, "[{b}] number of entries");
    let mut prev = GENESIS.to_string();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.seq, i as i64 + 1, "[{b}] seq is contiguous");
        assert_eq!(
            row.prev_hash, prev,
            "[{b}] entry {} links to its predecessor",
            row.seq
        );
        assert_eq!(
            recompute(row),
            row.hash,
            "[{b}] entry {} hash recomputes",
            row.seq
        );
        prev = row.hash.clone();
    }
    assert_eq!(
        tx.ledger_head().await.expect("head"),
        (
            expected_len,
            if expected_len == 0 {
                GENESIS.into()
            } else {
                prev
            }
        ),
        "[{b}] ledger_head follows the last entry"
    );
    rows
}

#[tokio::test]
async fn append_ledger_chains_and_pages() {
    for db in backends().await {
        let b = db.backend;
        let store = db.store().await;
        let mut tx = store.write().await.expect("write");
        let mut appended = Vec::new();
        for action in ["one", "two", "three", "four", "five"] {
            appended.push(tx.append_ledger(draft(action)).await.expect("append"));
        }
        assert_eq!(
            tx.ledger_head().await.expect("head inside tx"),
            (5, appended[4].hash.clone()),
            "[{b}] head inside the writing transaction"
        );
        tx.commit().await.expect("commit");
        assert_eq!(
            appended[0].prev_hash, GENESIS,
            "[{b}] first prev_hash is 64 zeros"
        );
        let rows = assert_chain(&store, b, 5).await;
        assert_eq!(
            rows, appended,
            "[{b}] what append returned is what was stored"
        );
        assert_eq!(
            rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            ["one", "two", "three", "four", "five"],
            "[{b}] actions in order"
        );
        // Detail is stored canonically (sorted keys) and re-reads to the same value.
        assert_eq!(
            rows[0].detail_json, r#"{"a":{"list":[3,1,2],"名称":"宿迁"},"m":null,"z":1}"#,
            "[{b}] canonical detail JSON"
        );

        let mut tx = store.probe().await.expect("read");
        let seqs = |v: Vec<LedgerRow>| v.into_iter().map(|r| r.seq).collect::<Vec<_>>();
        assert_eq!(
            seqs(tx.ledger_entries(0, 2).await.expect("p1")),
            [1, 2],
            "[{b}] page 1"
        );
        assert_eq!(
            seqs(tx.ledger_entries(2, 2).await.expect("p2")),
            [3, 4],
            "[{b}] page 2"
        );
        assert_eq!(
            seqs(tx.ledger_entries(4, 2).await.expect("p3")),
            [5],
            "[{b}] page 3"
        );
        assert!(
            tx.ledger_entries(5, 2).await.expect("p4").is_empty(),
            "[{b}] past the end"
        );
        assert_eq!(
            tx.ledger_hashes(3).await.expect("hashes"),
            rows[..3].iter().map(|r| r.hash.clone()).collect::<Vec<_>>(),
            "[{b}] ledger_hashes(3)"
        );
        assert_eq!(
            tx.ledger_hashes(99).await.expect("all").len(),
            5,
            "[{b}] hashes(99)"
        );
        assert_eq!(
            seqs(tx.ledger_recent(3).await.expect("recent")),
            [5, 4, 3],
            "[{b}] recent"
        );
        assert_eq!(
            tx.ledger_entry(4).await.expect("entry"),
            Some(rows[3].clone()),
            "[{b}] #4"
        );
        assert_eq!(
            tx.ledger_entry(6).await.expect("entry"),
            None,
            "[{b}] #6 missing"
        );
        drop(tx);

        // A later transaction continues the chain.
        let mut tx = store.write().await.expect("write");
        let six = tx.append_ledger(draft("six")).await.expect("append");
        tx.commit().await.expect("commit");
        assert_eq!(
            (six.seq, six.prev_hash.clone()),
            (6, rows[4].hash.clone()),
            "[{b}] #6"
        );
        assert_chain(&store, b, 6).await;
        store.close().await;
        db.cleanup().await;
    }
}

backend_test!(checkpoints_insert_latest_get_list_and_ignore_duplicates);
async fn checkpoints_insert_latest_get_list_and_ignore_duplicates(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let cp = |size: i64, root: &str| Checkpoint {
        tree_size: size,
        root: root.into(),
        at: 1_000 + size,
        key_id: "key-1".into(),
        signature: format!("sig-{size}"),
    };
    let mut tx = store.write().await.expect("write");
    assert_eq!(
        tx.latest_checkpoint().await.expect("latest"),
        None,
        "[{b}] none yet"
    );
    tx.insert_checkpoint(&cp(3, "root3")).await.expect("3");
    tx.insert_checkpoint(&cp(10, "root10")).await.expect("10");
    tx.insert_checkpoint(&cp(7, "root7")).await.expect("7");
    // The same tree size again is ignored, not an error, and does not replace the first.
    tx.insert_checkpoint(&cp(10, "forged"))
        .await
        .unwrap_or_else(|e| panic!("[{b}] duplicate tree_size should be ignored: {e}"));
    tx.commit().await.expect("commit");

    let mut tx = store.probe().await.expect("read");
    assert_eq!(
        tx.latest_checkpoint().await.expect("latest"),
        Some(cp(10, "root10")),
        "[{b}] latest is the largest tree size, first write kept"
    );
    assert_eq!(
        tx.get_checkpoint(7).await.expect("get"),
        Some(cp(7, "root7")),
        "[{b}] get 7"
    );
    assert_eq!(
        tx.get_checkpoint(8).await.expect("get"),
        None,
        "[{b}] get 8"
    );
    assert_eq!(
        tx.list_checkpoints().await.expect("list"),
        vec![cp(3, "root3"), cp(7, "root7"), cp(10, "root10")],
        "[{b}] list ordered by tree size"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}

backend_test!(platform_key_insert_is_idempotent);
async fn platform_key_insert_is_idempotent(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let key = |secret: &str, at: i64| PlatformKeyRow {
        id: "platform".into(),
        algorithm: "SM2-with-SM3".into(),
        public_key: format!("pub-{secret}"),
        secret_key: secret.into(),
        created_at: at,
    };
    let mut tx = store.write().await.expect("write");
    assert_eq!(
        tx.get_platform_key().await.expect("get"),
        None,
        "[{b}] no key yet"
    );
    assert!(
        tx.insert_platform_key(&key("first", 1))
            .await
            .expect("first"),
        "[{b}] first"
    );
    assert!(
        !tx.insert_platform_key(&key("second", 0))
            .await
            .expect("second"),
        "[{b}] a second insert with the same id returns false"
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .probe()
            .await
            .expect("read")
            .get_platform_key()
            .await
            .expect("get"),
        Some(key("first", 1)),
        "[{b}] the first key is kept"
    );
    store.close().await;
    db.cleanup().await;
}

backend_test!(
    concurrent_appends_form_one_linear_chain,
    flavor = "multi_thread",
    worker_threads = 4
);
async fn concurrent_appends_form_one_linear_chain(db: TestDb) {
    const TASKS: usize = 8;
    const EACH: usize = 25;
    let b = db.backend;
    let store = db.store().await;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..EACH {
                let mut tx = store.write().await.expect("write");
                tx.append_ledger(draft(&format!("task{t}-{i}")))
                    .await
                    .expect("append");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for h in handles {
        h.await
            .unwrap_or_else(|e| panic!("[{b}] appender task failed: {e}"));
    }
    let rows = assert_chain(&store, b, (TASKS * EACH) as i64).await;
    let mut actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    actions.sort_unstable();
    actions.dedup();
    assert_eq!(
        actions.len(),
        TASKS * EACH,
        "[{b}] every append is there exactly once"
    );
    store.close().await;
    db.cleanup().await;
}

backend_test!(a_dropped_transaction_leaves_no_rows_and_no_ledger_entry);
async fn a_dropped_transaction_leaves_no_rows_and_no_ledger_entry(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    tx.insert_region(&region("320000", "江苏省", None, "province"))
        .await
        .expect("region");
    tx.insert_user(&crate::common::user("u1", "ghost"))
        .await
        .expect("user");
    let row = tx.append_ledger(draft("ghost")).await.expect("append");
    assert_eq!(row.seq, 1, "[{b}] seq inside the doomed transaction");
    drop(tx); // no commit

    let mut tx = store.probe().await.expect("read");
    assert!(
        tx.list_regions().await.expect("regions").is_empty(),
        "[{b}] no region"
    );
    assert_eq!(
        tx.get_user("u1").await.expect("user"),
        None,
        "[{b}] no user"
    );
    assert!(
        tx.ledger_entries(0, 10).await.expect("entries").is_empty(),
        "[{b}] no entry"
    );
    assert_eq!(
        tx.ledger_head().await.expect("head"),
        (0, GENESIS.to_string()),
        "[{b}] head unchanged"
    );
    drop(tx);

    // The next committed entry takes seq 1: nothing of the rolled-back one remains.
    let mut tx = store.write().await.expect("write");
    let row = tx.append_ledger(draft("real")).await.expect("append");
    tx.commit().await.expect("commit");
    assert_eq!(
        (row.seq, row.prev_hash.as_str()),
        (1, GENESIS),
        "[{b}] seq 1 reused"
    );
    assert_chain(&store, b, 1).await;
    store.close().await;
    db.cleanup().await;
}
