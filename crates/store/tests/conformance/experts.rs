use yiwang_store::{
    DrawInvitation, DrawRequestRow, ExpertConflict, ExpertEmployment, ExpertPenalty, ExpertRow,
    ExpertUnavailability, TradingParty, TradingProject, TradingSection,
};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, seed_regions};

fn expert(id: &str, id_number: &str) -> ExpertRow {
    ExpertRow {
        id: id.into(),
        user_id: None,
        managing_org_id: "mgr".into(),
        name: format!("专家{id}"),
        id_number: id_number.into(),
        mobile: "13900000000".into(),
        region: "321300".into(),
        status: "admitted".into(),
        status_reason: None,
        field_since: "2000-01-01".into(),
        titles: "[]".into(),
        specialties: "[\"A010101\"]".into(),
        electronic: 1,
        fit_for_duty: 1,
        term_start: Some("2026-01-01".into()),
        term_end: Some("2028-12-31".into()),
        min_gap_days: None,
        created_at: 10,
        updated_at: 10,
    }
}

fn draw(id: &str) -> DrawRequestRow {
    DrawRequestRow {
        id: id.into(),
        section_id: "s1".into(),
        centre_org_id: "centre".into(),
        operator_id: "u1".into(),
        status: "requested".into(),
        request: "{}".into(),
        request_digest: "ab".repeat(32),
        commitment: "cd".repeat(32),
        commit_seq: 1,
        request_seq: 2,
        place: "宿迁市公共资源交易中心评标室3".into(),
        starts_at: 5_000,
        answer_secs: 1_800,
        screening: None,
        pool: None,
        pool_digest: None,
        pool_seq: None,
        contributions: None,
        contribution_seq: None,
        result: None,
        result_seq: None,
        shortfalls: None,
        roster: None,
        checked_in_at: None,
        ended_at: None,
        secret: None,
        reveal_seq: None,
        created_at: 20,
        updated_at: 20,
    }
}

backend_test!(expert_rows_round_trip_and_invitations_upsert);
async fn expert_rows_round_trip_and_invitations_upsert(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    for id in ["mgr", "centre", "ent"] {
        tx.insert_organisation(&org(id, None)).await.expect("org");
    }
    tx.insert_party(&TradingParty {
        id: "t1".into(),
        org_id: "ent".into(),
        credit_code: "91321300MA1N000001".into(),
        kind: "tenderee".into(),
        name: "招标人".into(),
        legal_representative: "张三".into(),
        basic_account: None,
        qualifications: "[]".into(),
        temporary_section: None,
        temporary_until: None,
        key_algorithm: "SM2".into(),
        public_key: "04ab".into(),
        created_at: 1,
        updated_at: 1,
    })
    .await
    .expect("party");
    tx.insert_project(&TradingProject {
        id: "p1".into(),
        code: "P-1".into(),
        name: "项目".into(),
        tenderee_id: "t1".into(),
        agency_id: None,
        centre_org_id: "centre".into(),
        created_by: None,
        created_at: 1,
        updated_at: 1,
    })
    .await
    .expect("project");
    tx.insert_section(&TradingSection {
        id: "s1".into(),
        project_id: "p1".into(),
        number: 1,
        name: "第一标段".into(),
        transaction_code: None,
        field: "construction".into(),
        sub_category: 1,
        method: "open_tender".into(),
        estimated_price: "1000000.00".into(),
        deposit: None,
        state: "registered".into(),
        resume_to: None,
        round: 1,
        notice_at: None,
        documents_from: None,
        documents_until: None,
        bid_deadline: None,
        opening_at: None,
        suspended_at: None,
        accepted_at: None,
        accepted_by: None,
        custodian_key: None,
        created_at: 1,
        updated_at: 1,
    })
    .await
    .expect("section");
    let mut e1 = expert("e1", "321302197001010011");
    e1.user_id = Some("u-e1".into());
    tx.insert_expert(&e1).await.expect("e1");
    tx.insert_expert(&expert("e2", "321302197001010038"))
        .await
        .expect("e2");
    tx.insert_employment(&ExpertEmployment {
        id: "m1".into(),
        expert_id: "e1".into(),
        org_code: "91321300MA1N000002".into(),
        org_name: "宿迁宏远建设工程有限公司".into(),
        kind: "employee".into(),
        start_date: "2010-01-01".into(),
        end_date: Some("2025-06-30".into()),
        created_at: 11,
    })
    .await
    .expect("employment");
    tx.insert_conflict(&ExpertConflict {
        id: "c1".into(),
        expert_id: "e2".into(),
        body: "{\"kind\":\"interest\"}".into(),
        created_at: 12,
    })
    .await
    .expect("conflict");
    tx.insert_unavailability(&ExpertUnavailability {
        id: "a1".into(),
        expert_id: "e2".into(),
        start_date: "2026-12-01".into(),
        end_date: None,
        note: "出差".into(),
        created_at: 13,
    })
    .await
    .expect("unavailability");
    tx.insert_penalty(&ExpertPenalty {
        id: "x1".into(),
        expert_id: "e2".into(),
        kind: "talk".into(),
        start_date: "2026-01-01".into(),
        end_date: None,
        reason: "迟到".into(),
        org_id: "mgr".into(),
        created_at: 14,
    })
    .await
    .expect("penalty");
    tx.insert_draw(&draw("d1")).await.expect("draw");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    let dup = tx.insert_expert(&expert("e3", "321302197001010011")).await;
    assert!(
        matches!(dup, Err(yiwang_store::StoreError::Duplicate(_))),
        "[{b}] one expert per identity number, got {dup:?}"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    let got = tx.get_expert("e1").await.expect("get").expect("e1");
    assert_eq!(got, e1, "[{b}] an expert round-trips");
    assert_eq!(got.digest(), e1.digest());
    assert_eq!(
        tx.find_expert_by_user("u-e1").await.expect("by user"),
        Some(e1.clone())
    );
    let mut changed = e1.clone();
    changed.status = "suspended".into();
    changed.status_reason = Some("年度考核不合格".into());
    changed.updated_at = 99;
    tx.update_expert(&changed).await.expect("update");
    assert_eq!(tx.get_expert("e1").await.expect("get"), Some(changed));
    assert_eq!(tx.list_experts(Some("mgr")).await.expect("list").len(), 2);
    assert_eq!(
        tx.list_experts(Some("centre")).await.expect("list").len(),
        0
    );
    assert_eq!(tx.list_employments(None).await.expect("emp").len(), 1);
    assert_eq!(tx.list_employments(Some("e2")).await.expect("emp").len(), 0);
    assert_eq!(tx.list_conflicts(Some("e2")).await.expect("c").len(), 1);
    assert_eq!(tx.list_unavailability(None).await.expect("u").len(), 1);
    assert_eq!(tx.list_penalties(Some("e2")).await.expect("p").len(), 1);

    let mut d = tx.get_draw("d1").await.expect("draw").expect("d1");
    assert_eq!(d, draw("d1"), "[{b}] a draw round-trips");
    d.status = "drawn".into();
    d.pool = Some("{\"lines\":[]}".into());
    d.pool_seq = Some(3);
    d.result_seq = Some(5);
    d.updated_at = 30;
    tx.update_draw(&d).await.expect("update draw");
    assert_eq!(tx.get_draw("d1").await.expect("draw"), Some(d.clone()));
    assert_eq!(tx.list_draws(Some("s1")).await.expect("draws"), vec![d]);

    let mut inv = DrawInvitation {
        id: "d1:e1".into(),
        draw_id: "d1".into(),
        expert_id: "e1".into(),
        line: 0,
        state: "invited".into(),
        invited_at: 40,
        replaces: None,
        site: None,
        updated_at: 40,
    };
    tx.upsert_invitation(&inv).await.expect("insert invitation");
    inv.state = "checked_in".into();
    inv.site = Some("宿迁".into());
    inv.updated_at = 50;
    tx.upsert_invitation(&inv).await.expect("update invitation");
    assert_eq!(
        tx.list_invitations(Some("d1")).await.expect("invitations"),
        vec![inv.clone()],
        "[{b}] an upsert updates in place"
    );
    assert_eq!(
        tx.invitations_of_expert("e1").await.expect("mine"),
        vec![inv]
    );
    tx.commit().await.expect("commit");
}
