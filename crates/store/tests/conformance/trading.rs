use yiwang_store::{
    Clarification, Deposit, DocumentDownload, Opening, SealedBid, TenderDocument, TradingParty,
    TradingProject, TradingSection,
};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, seed_regions};

fn party(id: &str, code: &str, kind: &str) -> TradingParty {
    TradingParty {
        id: id.into(),
        org_id: "ent".into(),
        credit_code: code.into(),
        kind: kind.into(),
        name: format!("企业{id}"),
        legal_representative: "张三".into(),
        basic_account: Some("6222 0000 1111".into()),
        qualifications: "[]".into(),
        temporary_section: None,
        temporary_until: None,
        key_algorithm: "SM2".into(),
        public_key: "04ab".into(),
        created_at: 10,
        updated_at: 10,
    }
}

fn section(id: &str, number: i64) -> TradingSection {
    TradingSection {
        id: id.into(),
        project_id: "p1".into(),
        number,
        name: format!("第{number}标段"),
        transaction_code: None,
        field: "construction".into(),
        sub_category: 1,
        method: "open_tender".into(),
        estimated_price: "12345678.90".into(),
        deposit: Some("20000.00".into()),
        state: "registered".into(),
        resume_to: None,
        round: 1,
        notice_at: None,
        documents_from: None,
        documents_until: None,
        bid_deadline: Some(5_000),
        opening_at: Some(5_000),
        suspended_at: None,
        accepted_at: None,
        accepted_by: None,
        created_at: 20,
        updated_at: 20,
        custodian_key: None,
    }
}

fn bid(id: &str, party: &str, version: i64, status: &str) -> SealedBid {
    SealedBid {
        id: id.into(),
        section_id: "s1".into(),
        round: 1,
        party_id: party.into(),
        version,
        blob_digest: "ab".repeat(32),
        ciphertext_digest: format!("sm3:{}", "ab".repeat(32)),
        size: 1024,
        signature: "cd".repeat(64),
        status: status.into(),
        receipt_no: format!("R-{id}"),
        submitted_at: 100,
        updated_at: 100,
        plaintext_digest: None,
        price: None,
        duration_days: None,
        ledger_seq: None,
        receipt_signature: None,
    }
}

backend_test!(trading_rows_round_trip_and_openings_happen_once);
async fn trading_rows_round_trip_and_openings_happen_once(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let mut ent = org("ent", None);
    ent.kind = "enterprise".into();
    tx.insert_organisation(&ent).await.expect("org");
    let centre = org("centre", None);
    tx.insert_organisation(&centre).await.expect("centre");
    tx.insert_party(&party("t1", "91321300MA1N000001", "tenderee"))
        .await
        .expect("tenderee");
    tx.insert_party(&party("b1", "91321300MA1N000002", "bidder"))
        .await
        .expect("bidder");
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("write");
    let dup = tx
        .insert_party(&party("b2", "91321300MA1N000002", "bidder"))
        .await;
    assert!(
        matches!(dup, Err(yiwang_store::StoreError::Duplicate(_))),
        "[{b}] one party per code and kind, got {dup:?}"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    tx.insert_project(&TradingProject {
        id: "p1".into(),
        code: "P-2026-001".into(),
        name: "宿迁市某道路工程".into(),
        tenderee_id: "t1".into(),
        agency_id: None,
        centre_org_id: "centre".into(),
        created_by: Some("u1".into()),
        created_at: 15,
        updated_at: 15,
    })
    .await
    .expect("project");
    tx.insert_section(&section("s2", 2)).await.expect("s2");
    tx.insert_section(&section("s1", 1)).await.expect("s1");
    assert_eq!(tx.next_code_sequence("20261203").await.expect("seq"), 1);
    assert_eq!(tx.next_code_sequence("20261203").await.expect("seq"), 2);
    assert_eq!(tx.next_code_sequence("20261204").await.expect("seq"), 1);
    tx.insert_document(&TenderDocument {
        id: "d1".into(),
        section_id: "s1".into(),
        version: 1,
        filename: "招标文件.pdf".into(),
        blob_digest: "ef".repeat(32),
        size: 99,
        clauses: "[\"投标人须为本地企业\"]".into(),
        findings: "[]".into(),
        justifications: "[]".into(),
        created_by: None,
        created_at: 30,
        published_at: None,
    })
    .await
    .expect("document");
    tx.insert_download(&DocumentDownload {
        id: "dl1".into(),
        section_id: "s1".into(),
        document_id: "d1".into(),
        party_id: "b1".into(),
        at: 40,
        address: "203.0.113.7".into(),
    })
    .await
    .expect("download");
    tx.insert_clarification(&Clarification {
        id: "c1".into(),
        section_id: "s1".into(),
        substantive: true,
        body: "修改工期".into(),
        issued_at: 50,
        deadline_before: 5_000,
        deadline_after: 6_000,
        created_by: None,
    })
    .await
    .expect("clarification");
    tx.insert_deposit(&Deposit {
        id: "dep1".into(),
        section_id: "s1".into(),
        party_id: "b1".into(),
        virtual_account: "VA-1".into(),
        required: "20000.00".into(),
        payer_account: None,
        amount: None,
        received_at: None,
        refund_trigger: None,
        refund_due_at: None,
        refunded_at: None,
        created_at: 60,
        updated_at: 60,
    })
    .await
    .expect("deposit");
    tx.insert_bid(&bid("bid1", "b1", 1, "superseded"))
        .await
        .expect("bid v1");
    tx.insert_bid(&bid("bid2", "b1", 2, "sealed"))
        .await
        .expect("bid v2");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    let mut s1 = tx.get_section("s1").await.expect("get").expect("s1");
    assert_eq!(s1, section("s1", 1), "[{b}] the section reads back");
    assert_eq!(s1.estimated_price, "12345678.90", "[{b}] money exact");
    let before = s1.digest();
    s1.state = "announced".into();
    s1.transaction_code = Some("E01-X".into());
    s1.suspended_at = Some(60);
    s1.updated_at = 70;
    tx.update_section(&s1).await.expect("update");
    let got = tx.get_section("s1").await.expect("get").expect("s1");
    assert_eq!(got, s1, "[{b}] the update reads back");
    assert_ne!(got.digest(), before, "[{b}] the digest follows the row");
    let sections = tx.list_sections(Some("p1")).await.expect("list");
    assert_eq!(
        sections.iter().map(|s| s.number).collect::<Vec<_>>(),
        vec![1, 2],
        "[{b}] sections by number"
    );
    assert_eq!(tx.list_sections(None).await.expect("all").len(), 2);
    assert_eq!(
        tx.sections_due("announced", 5_000)
            .await
            .expect("due")
            .len(),
        1
    );
    assert!(
        tx.sections_due("announced", 4_999)
            .await
            .expect("due")
            .is_empty()
    );
    let clar = tx.list_clarifications(Some("s1")).await.expect("clar");
    assert!(clar[0].substantive, "[{b}] booleans read back");
    assert_eq!(tx.list_downloads(None).await.expect("dl").len(), 1);
    assert_eq!(tx.list_documents(Some("s2")).await.expect("docs").len(), 0);

    let mut dep = tx.get_deposit("s1", "b1").await.expect("dep").expect("dep");
    dep.amount = Some("20000.00".into());
    dep.payer_account = Some("6222 0000 1111".into());
    dep.received_at = Some(80);
    tx.update_deposit(&dep).await.expect("update deposit");
    assert_eq!(tx.list_deposits(None).await.expect("deps")[0], dep);

    let bids = tx.list_bids(Some("s1")).await.expect("bids");
    assert_eq!(bids.len(), 2, "[{b}] every version is kept");
    let mut v2 = tx.get_bid("bid2").await.expect("bid").expect("bid2");
    let d = v2.digest();
    v2.ledger_seq = Some(7);
    v2.receipt_signature = Some("aa".into());
    tx.update_bid(&v2).await.expect("update bid");
    let v2b = tx.get_bid("bid2").await.expect("bid").expect("bid2");
    assert_eq!(v2b.ledger_seq, Some(7));
    assert_eq!(
        v2b.digest(),
        d,
        "[{b}] the receipt columns are outside the digest"
    );

    let opening = Opening {
        id: "o1".into(),
        section_id: "s1".into(),
        round: 1,
        decided_at: 5_000,
        outcome: "open".into(),
        sealed_bids: 3,
        needed: 3,
        window_until: 9_000,
        record: None,
        record_signature: None,
        closed_at: None,
    };
    assert!(tx.insert_opening(&opening).await.expect("opening"));
    let mut again = opening.clone();
    again.id = "o2".into();
    assert!(
        !tx.insert_opening(&again).await.expect("second opening"),
        "[{b}] a round opens once"
    );
    let mut closed = opening.clone();
    closed.record = Some("[]".into());
    closed.closed_at = Some(9_000);
    tx.update_opening(&closed).await.expect("close");
    assert_eq!(
        tx.get_opening("s1", 1).await.expect("get").expect("o"),
        closed
    );
    assert_eq!(tx.list_openings(None).await.expect("list").len(), 1);
    tx.commit().await.expect("commit");
    store.close().await;
    db.cleanup().await;
}
