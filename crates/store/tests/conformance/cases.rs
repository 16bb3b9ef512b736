//! Cases: rows round-trip, the inbox order, warnings once per case/step/level, and case numbers
//! unique under concurrent writers.

use std::sync::Arc;

use yiwang_store::prelude::*;
use yiwang_store::{
    CaseEventRow, CaseMaterialRow, CaseNoticeRow, CaseOpinionRow, CasePartyRow, CaseRow,
    CaseViolationRow, CaseWarningRow, CatalogItem,
};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, seed_regions};

fn item(id: &str, org_id: &str) -> CatalogItem {
    CatalogItem {
        id: id.into(),
        code: format!("code-{id}"),
        org_id: org_id.into(),
        base_item_id: None,
        name: "食品经营许可".into(),
        item_type: "administrative_licensing".into(),
        status: "published".into(),
        latest_version: 1,
        published_version: Some(1),
        revision: 1,
        created_at: 1,
        updated_at: 1,
    }
}

fn case(id: &str, number: &str, status: &str, due_at: Option<i64>) -> CaseRow {
    CaseRow {
        id: id.into(),
        number: number.into(),
        item_id: "i1".into(),
        item_version: 1,
        item_name: "食品经营许可".into(),
        channel: "online".into(),
        kind: "promised".into(),
        status: status.into(),
        applicant_user_id: "u1".into(),
        applicant: "{}".into(),
        applicant_name: "张三".into(),
        agent_user_id: None,
        mandate: None,
        org_id: "dept".into(),
        centre_id: "centre".into(),
        registered_by: None,
        form: "{}".into(),
        query_hash: Some("h".into()),
        received_at: Some(10),
        accepted_at: None,
        decided_at: None,
        completed_at: None,
        delivered_at: None,
        outcome: None,
        decision_note: None,
        delivery: None,
        legal_days: 20,
        promised_days: 10,
        clock: None,
        extended: 0,
        plan: None,
        participants: "[]".into(),
        pending: "[]".into(),
        committed_by: None,
        due_at,
        warning_level: "normal".into(),
        next_warn_at: due_at,
        created_at: 100,
        updated_at: 100,
    }
}

async fn seed(store: &Arc<dyn Store>) {
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let root = org("root", None);
    let centre = org("centre", Some(&root));
    let dept = org("dept", Some(&root));
    let other = org("other", Some(&root));
    for o in [&root, &centre, &dept, &other] {
        tx.insert_organisation(o).await.expect("org");
    }
    tx.insert_item(&item("i1", "dept")).await.expect("item");
    tx.commit().await.expect("commit");
}

backend_test!(cases_round_trip_inbox_and_warnings);
async fn cases_round_trip_inbox_and_warnings(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    seed(&store).await;
    let mut tx = store.write().await.expect("write");
    let c1 = case("c1", "n1", "in_review", Some(5_000));
    let c2 = case("c2", "n2", "submitted", None);
    let c3 = case("c3", "n3", "accepted", Some(3_000));
    let c4 = case("c4", "n4", "withdrawn", Some(1_000));
    let mut c5 = case("c5", "n5", "in_review", Some(2_000));
    c5.org_id = "other".into();
    for c in [&c1, &c2, &c3, &c4, &c5] {
        tx.insert_case(c).await.expect("insert case");
    }
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("write");
    assert!(
        matches!(
            tx.insert_case(&case("c6", "n1", "draft", None)).await,
            Err(yiwang_store::StoreError::Duplicate(_))
        ),
        "[{b}] duplicate number"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    tx.insert_case_party(&CasePartyRow {
        case_id: "c5".into(),
        org_id: "dept".into(),
    })
    .await
    .expect("party");
    for (c, orgs) in [
        (&c1, vec!["dept".to_string(), "centre".into()]),
        (&c2, vec!["dept".into(), "centre".into()]),
        (&c3, vec!["dept".into(), "centre".into()]),
        (&c5, vec!["other".into(), "centre".into(), "dept".into()]),
    ] {
        tx.set_case_inbox(&c.id, &orgs, c.due_at.unwrap_or(i64::MAX))
            .await
            .expect("inbox");
    }
    // Moved, then closed: only the last call counts.
    tx.set_case_inbox("c4", &["dept".into()], 1)
        .await
        .expect("inbox");
    tx.set_case_inbox("c4", &[], 1).await.expect("inbox");
    let mut c1u = tx.lock_case("c1").await.expect("lock").expect("found");
    c1u.status = "decided".into();
    c1u.outcome = Some("approved".into());
    c1u.clock = Some("{\"x\":1}".into());
    c1u.updated_at = 200;
    tx.update_case(&c1u).await.expect("update");
    tx.insert_case_material(&CaseMaterialRow {
        id: "m1".into(),
        case_id: "c1".into(),
        material: "营业执照".into(),
        filename: "a.pdf".into(),
        content_type: "application/pdf".into(),
        size: 12,
        digest: "ab".repeat(32),
        uploaded_by: "u1".into(),
        uploaded_at: 5,
    })
    .await
    .expect("material");
    tx.insert_case_event(&CaseEventRow {
        id: "e1".into(),
        case_id: "c1".into(),
        seq: 1,
        event: "submit".into(),
        from_status: Some("draft".into()),
        to_status: "submitted".into(),
        actor_id: Some("u1".into()),
        role: Some("applicant".into()),
        org_id: None,
        reason: None,
        detail: "{}".into(),
        at: 6,
    })
    .await
    .expect("event");
    let mut notice = CaseNoticeRow {
        id: "n1".into(),
        case_id: "c1".into(),
        round: 1,
        notice: "{}".into(),
        materials: "[]".into(),
        reason: None,
        issued_by: "w1".into(),
        issued_at: 7,
        answered_at: None,
    };
    tx.insert_case_notice(&notice).await.expect("notice");
    notice.answered_at = Some(8);
    tx.update_case_notice(&notice).await.expect("answer");
    tx.insert_case_opinion(&CaseOpinionRow {
        id: "o1".into(),
        case_id: "c1".into(),
        task: "dept:other".into(),
        department_id: "other".into(),
        verdict: "agree".into(),
        comment: "同意".into(),
        officer_id: "a1".into(),
        at: 9,
    })
    .await
    .expect("opinion");
    tx.insert_case_violation(&CaseViolationRow {
        id: "v1".into(),
        case_id: "c1".into(),
        violation: "repeated_notice".into(),
        org_id: "centre".into(),
        officer_id: Some("w1".into()),
        detail: "{}".into(),
        at: 10,
    })
    .await
    .expect("violation");
    let w = CaseWarningRow {
        id: "w1".into(),
        case_id: "c1".into(),
        step: "case".into(),
        level: "yellow".into(),
        org_id: "dept".into(),
        deadline: 5_000,
        fired_at: 11,
    };
    assert!(
        tx.insert_case_warning(&w).await.expect("warn"),
        "[{b}] first"
    );
    let again = CaseWarningRow {
        id: "w2".into(),
        ..w.clone()
    };
    assert!(
        !tx.insert_case_warning(&again).await.expect("warn"),
        "[{b}] once"
    );
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.get_case("c1").await.expect("get"),
        Some(c1u.clone()),
        "[{b}]"
    );
    assert_eq!(
        tx.get_case_by_number("n3")
            .await
            .expect("get")
            .map(|c| c.id),
        Some("c3".into())
    );
    let inbox: Vec<String> = tx
        .list_case_inbox("dept", 10, 0)
        .await
        .expect("inbox")
        .into_iter()
        .map(|c| c.id)
        .collect();
    // Open cases of the department (own, or as a party), nearest deadline first, none last.
    assert_eq!(inbox, ["c5", "c3", "c1", "c2"], "[{b}] inbox");
    assert_eq!(
        tx.list_case_inbox("other", 10, 0)
            .await
            .expect("inbox")
            .len(),
        1,
        "[{b}] other"
    );
    let page2: Vec<String> = tx
        .list_case_inbox("dept", 2, 2)
        .await
        .expect("inbox")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(page2, ["c1", "c2"], "[{b}] second page");
    let due: Vec<String> = tx
        .list_cases_due_warning(3_000, 10)
        .await
        .expect("due")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(due, ["c4", "c5", "c3"], "[{b}] due warnings");
    assert_eq!(tx.list_case_materials("c1").await.expect("m").len(), 1);
    assert_eq!(tx.list_case_events("c1").await.expect("e").len(), 1);
    assert_eq!(
        tx.list_case_notices("c1").await.expect("n")[0].answered_at,
        Some(8)
    );
    assert_eq!(tx.list_case_opinions("c1").await.expect("o").len(), 1);
    assert_eq!(tx.list_case_warnings("c1").await.expect("w").len(), 1);
    assert_eq!(tx.list_case_violations("c1").await.expect("v").len(), 1);
    assert_eq!(tx.list_case_parties("c5").await.expect("p").len(), 1);
    assert_eq!(tx.all_cases().await.expect("all").len(), 5);
    assert_eq!(
        tx.list_cases_of_user("u1", 10, 0)
            .await
            .expect("mine")
            .len(),
        5
    );
    assert_eq!(tx.list_public_cases(10, 0).await.expect("public").len(), 5);
    // Digests cover the columns.
    let mut changed = c1u.clone();
    changed.form = "{\"a\":1}".into();
    assert_ne!(changed.digest(), c1u.digest());
}

backend_test!(case_numbers_are_unique_under_concurrent_writers);
async fn case_numbers_are_unique_under_concurrent_writers(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut handles = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..10 {
                loop {
                    let mut tx = store.write().await.expect("write");
                    match tx.next_case_sequence("321300", "20261203").await {
                        Ok(n) => {
                            if tx.commit().await.is_ok() {
                                got.push(n);
                                break;
                            }
                        }
                        Err(yiwang_store::StoreError::Busy(_)) => continue,
                        Err(e) => panic!("sequence: {e}"),
                    }
                }
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.expect("join"));
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=80).collect::<Vec<i64>>(),
        "[{b}] distinct and gapless"
    );
    let mut tx = store.write().await.expect("write");
    assert_eq!(
        tx.next_case_sequence("321300", "20261204")
            .await
            .expect("next day"),
        1,
        "[{b}] per day"
    );
    assert_eq!(
        tx.next_case_sequence("320000", "20261203")
            .await
            .expect("other region"),
        1,
        "[{b}] per region"
    );
}
