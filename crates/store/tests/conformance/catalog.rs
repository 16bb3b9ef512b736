//! The catalogue store: a published (frozen) version never changes, a draft does; a question
//! moves on only from the status it was read with (compare-and-set).

use yiwang_store::{CatalogItem, ItemVersionRow, Question};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, seed_regions, user};

fn item(id: &str, org_id: &str) -> CatalogItem {
    CatalogItem {
        id: id.into(),
        code: "011000101000".into(),
        org_id: org_id.into(),
        base_item_id: None,
        name: "企业设立登记".into(),
        item_type: "administrative_licence".into(),
        status: "draft".into(),
        latest_version: 1,
        published_version: None,
        revision: 1,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

fn version(item_id: &str, n: i64, frozen: i64) -> ItemVersionRow {
    ItemVersionRow {
        item_id: item_id.into(),
        version: n,
        body: format!("{{\"v\":{n}}}"),
        frozen,
        created_at: 1_000,
        created_by: None,
        published_at: (frozen == 1).then_some(2_000),
    }
}

backend_test!(a_frozen_version_cannot_be_updated_and_a_draft_can);
async fn a_frozen_version_cannot_be_updated_and_a_draft_can(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let o = org("o1", None);
    tx.insert_organisation(&o).await.expect("org");
    tx.insert_item(&item("i1", &o.id)).await.expect("item");
    tx.insert_item_version(&version("i1", 1, 1))
        .await
        .expect("v1");
    tx.insert_item_version(&version("i1", 2, 0))
        .await
        .expect("v2");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    let mut v1 = version("i1", 1, 1);
    v1.body = "{\"v\":\"changed\"}".into();
    assert!(
        tx.update_item_version(&v1).await.is_err(),
        "[{b}] a published version is frozen"
    );
    let mut v2 = version("i1", 2, 0);
    v2.body = "{\"v\":\"edited\"}".into();
    tx.update_item_version(&v2)
        .await
        .unwrap_or_else(|e| panic!("[{b}] a draft is edited: {e}"));
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    let v1 = tx
        .get_item_version("i1", 1)
        .await
        .expect("get")
        .expect("v1");
    assert_eq!(v1.body, "{\"v\":1}", "[{b}] unchanged");
    let v2 = tx
        .get_item_version("i1", 2)
        .await
        .expect("get")
        .expect("v2");
    assert_eq!(v2.body, "{\"v\":\"edited\"}", "[{b}]");
    drop(tx);
    store.close().await;
    db.cleanup().await;
}

backend_test!(a_question_moves_on_only_from_the_status_it_was_read_with);
async fn a_question_moves_on_only_from_the_status_it_was_read_with(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let o = org("o1", None);
    tx.insert_organisation(&o).await.expect("org");
    tx.insert_user(&user("u1", "asker")).await.expect("user");
    tx.insert_item(&item("i1", &o.id)).await.expect("item");
    let mut q = Question {
        id: "q1".into(),
        item_id: "i1".into(),
        asker_id: "u1".into(),
        question: "需要原件吗？".into(),
        answer: None,
        answered_by: None,
        status: "open".into(),
        faq: 0,
        created_at: 1_000,
        answered_at: None,
        public_question: None,
        public_answer: None,
    };
    tx.insert_question(&q).await.expect("question");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    q.answer = Some("需要。".into());
    q.status = "answered".into();
    assert!(
        tx.update_question(&q, "open").await.expect("update"),
        "[{b}] the first answer"
    );
    q.answer = Some("不需要。".into());
    assert!(
        !tx.update_question(&q, "open").await.expect("update"),
        "[{b}] a second answer from `open` changes nothing"
    );
    tx.commit().await.expect("commit");
    let got = store
        .read()
        .await
        .expect("read")
        .get_question("q1")
        .await
        .expect("get")
        .expect("q1");
    assert_eq!(got.answer.as_deref(), Some("需要。"), "[{b}]");
    store.close().await;
    db.cleanup().await;
}
