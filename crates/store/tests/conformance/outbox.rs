use yiwang_store::{InboxItem, OutboxMessage, StoreError};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::now;

fn message(id: &str, channel: &str, status: &str, next_try_at: i64) -> OutboxMessage {
    OutboxMessage {
        id: id.into(),
        channel: channel.into(),
        recipient: "u1".into(),
        template: "account.created".into(),
        payload: r#"{"display_name":"张三"}"#.into(),
        status: status.into(),
        attempts: 0,
        next_try_at,
        created_at: next_try_at,
        delivered_at: None,
        last_error: None,
    }
}

fn inbox(id: &str, user: &str, at: i64) -> InboxItem {
    InboxItem {
        id: id.into(),
        user_id: user.into(),
        title: format!("标题{id}"),
        body: "正文".into(),
        outbox_id: format!("ob-{id}"),
        created_at: at,
        read_at: None,
    }
}

backend_test!(outbox_claim_update_count_and_inbox);
async fn outbox_claim_update_count_and_inbox(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let t = now();
    let mut tx = store.write().await.expect("write");
    for m in [
        message("m2", "in_app", "pending", t - 1_000),
        message("m1", "sms", "pending", t - 2_000),
        message("m3", "in_app", "pending", t + 60_000_000),
        message("m4", "in_app", "delivered", t - 3_000),
    ] {
        tx.enqueue_outbox(&m).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    let ids = |v: Vec<OutboxMessage>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(tx.claim_due_outbox(t, 1).await.expect("claim")),
        ["m1"],
        "[{b}] limit 1"
    );
    let due = tx.claim_due_outbox(t, 10).await.expect("claim");
    assert_eq!(
        due,
        vec![
            message("m1", "sms", "pending", t - 2_000),
            message("m2", "in_app", "pending", t - 1_000)
        ],
        "[{b}] due pending messages only, oldest first, every field"
    );
    let mut m1 = due[0].clone();
    m1.status = "delivered".into();
    m1.attempts = 1;
    m1.delivered_at = Some(t);
    let mut m2 = due[1].clone();
    m2.attempts = 2;
    m2.next_try_at = t + 120_000_000;
    m2.last_error = Some("no gateway".into());
    tx.update_outbox(&m1).await.expect("update m1");
    tx.update_outbox(&m2).await.expect("update m2");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    assert!(
        tx.claim_due_outbox(t + 1, 10)
            .await
            .expect("claim")
            .is_empty(),
        "[{b}] nothing due after the updates"
    );
    assert_eq!(
        tx.claim_due_outbox(t + 200_000_000, 10)
            .await
            .expect("claim"),
        vec![
            message("m3", "in_app", "pending", t + 60_000_000),
            m2.clone()
        ],
        "[{b}] later both pending messages are due; the update persisted"
    );
    tx.commit().await.expect("commit");

    let mut probe = store.probe().await.expect("probe");
    assert_eq!(
        probe.count_outbox("pending").await.expect("count"),
        2,
        "[{b}] pending"
    );
    assert_eq!(
        probe.count_outbox("delivered").await.expect("count"),
        2,
        "[{b}] delivered"
    );
    assert_eq!(
        probe.count_outbox("failed").await.expect("count"),
        0,
        "[{b}] failed"
    );
    drop(probe);

    let mut tx = store.write().await.expect("write");
    tx.insert_inbox(&inbox("i1", "u1", 100)).await.expect("i1");
    tx.insert_inbox(&inbox("i3", "u1", 300)).await.expect("i3");
    tx.insert_inbox(&inbox("i2", "u1", 200)).await.expect("i2");
    tx.insert_inbox(&inbox("x1", "u2", 400)).await.expect("x1");
    tx.commit().await.expect("commit");

    let mut tx = store.probe().await.expect("read");
    let got = tx.inbox_of_user("u1", 10).await.expect("inbox");
    assert_eq!(
        got,
        vec![
            inbox("i3", "u1", 300),
            inbox("i2", "u1", 200),
            inbox("i1", "u1", 100)
        ],
        "[{b}] inbox_of_user newest first, own items only"
    );
    let ids2: Vec<String> = tx
        .inbox_of_user("u1", 2)
        .await
        .expect("inbox")
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids2, ["i3", "i2"], "[{b}] limit");
    assert!(
        tx.inbox_of_user("u3", 10).await.expect("none").is_empty(),
        "[{b}] empty"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    let mut again = inbox("i9", "u1", 500);
    again.outbox_id = "ob-i1".into();
    let r = tx.insert_inbox(&again).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] one inbox item per outbox message, got {r:?}"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
