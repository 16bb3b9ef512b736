//! Case processing (办件) on every backend: the happy path from application to delivery, the
//! permission of every main transition (wrong role or organisation: Forbidden, nothing changed),
//! withdrawal, 一次性告知 and the second-notice rule, the public progress query and list, and
//! deadline warnings raised exactly once with two job runners.

mod supervision;
mod world;

use yiwang_app::cases::handle::{
    self, AcceptInput, DeficiencyInput, DeliveryInput, NoticeInput, OpinionInput,
};
use yiwang_app::cases::{apply, query, warnings};
use yiwang_core::ProblemKind;
use yiwang_core::cases::{CaseState, Defect, ReviewPlan, SuspensionKind, Verdict};
use yiwang_testkit::{TestDb, backend_test};

use world::*;

backend_test!(a_case_goes_from_application_through_one_notice_and_parallel_opinions_to_delivery);
async fn a_case_goes_from_application_through_one_notice_and_parallel_opinions_to_delivery(
    db: TestDb,
) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    // Draft, one material: submission names the missing one.
    let draft = apply::save_draft(app, &w.zhangwei, None, w.draft(&w.item))
        .await
        .unwrap_or_else(|e| panic!("[{b}] draft: {e}"));
    assert_eq!(draft.state, CaseState::Draft, "[{b}]");
    assert_eq!(draft.case.item_version, 1, "[{b}] keeps the item version");
    let id = draft.case.id.clone();
    w.attach(&id, &w.form_material()).await;
    let p = problem(
        apply::submit(app, &w.zhangwei, &id).await,
        "submit without ID card",
    );
    assert_eq!(p.code, "case.form_invalid", "[{b}]");
    w.attach(&id, "居民身份证").await;
    let sub = apply::submit(app, &w.zhangwei, &id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] submit: {e}"));
    assert_eq!(sub.case.state, CaseState::Submitted, "[{b}]");
    assert_eq!(sub.query_code.len(), 8, "[{b}]");
    let number = sub.case.case.number.clone();

    // 一次性告知: the window lists the defective application form; the applicant re-uploads.
    let notice = handle::request_correction(
        app,
        &w.window,
        &id,
        NoticeInput {
            defects: vec![Defect {
                material: w.form_material(),
                reason: "缺少申请人签名".into(),
            }],
            reason: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] notice: {e}"));
    assert_eq!(notice.round, 1, "[{b}]");
    assert_eq!(w.state(&id).await, CaseState::CorrectionRequested, "[{b}]");
    w.attach(&id, &w.form_material()).await;
    apply::supply_correction(app, &w.zhangwei, &id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] supply: {e}"));
    assert_eq!(w.state(&id).await, CaseState::PreReview, "[{b}]");

    // Acceptance dispatches to the lead department and the police in parallel.
    let acc = handle::accept(
        app,
        &w.window,
        &id,
        AcceptInput {
            participants: vec![w.police_id.clone()],
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] accept: {e}"));
    assert_eq!(acc.state, CaseState::InReview, "[{b}]");
    assert!(acc.case.due_at.is_some(), "[{b}] a deadline");
    let plan: ReviewPlan =
        serde_json::from_str(acc.case.plan.as_deref().expect("plan")).expect("plan json");
    let keys: Vec<String> = plan.tasks().map(|t| t.key.clone()).collect();
    assert_eq!(
        keys,
        ["step1".to_string(), format!("dept:{}", w.police_id)],
        "[{b}]"
    );
    // The police see it in their inbox.
    let inbox = query::inbox(app, &w.police, &w.police_id, query::Page::default())
        .await
        .expect("police inbox");
    assert!(inbox.iter().any(|c| c.case.id == id), "[{b}] police inbox");

    let p = problem(
        handle::decide(app, &w.approver, &id, true, "准予许可").await,
        "decide before opinions",
    );
    assert_eq!(p.code, "case.opinions_pending", "[{b}]");
    handle::record_opinion(app, &w.approver, &id, opinion("step1"))
        .await
        .unwrap_or_else(|e| panic!("[{b}] lead opinion: {e}"));
    handle::record_opinion(
        app,
        &w.police,
        &id,
        opinion(&format!("dept:{}", w.police_id)),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] police opinion: {e}"));
    let d = handle::decide(app, &w.approver, &id, true, "准予许可")
        .await
        .unwrap_or_else(|e| panic!("[{b}] decide: {e}"));
    assert_eq!(d.state, CaseState::Decided, "[{b}]");
    handle::complete(app, &w.approver, &id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] complete: {e}"));
    let p = problem(
        handle::deliver(
            app,
            &w.window,
            &id,
            DeliveryInput::Post {
                tracking_number: "x".into(),
            },
        )
        .await,
        "bad tracking number",
    );
    assert_eq!(p.code, "case.tracking_number", "[{b}]");
    let done = handle::deliver(
        app,
        &w.window,
        &id,
        DeliveryInput::Post {
            tracking_number: "SF1234567890".into(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] deliver: {e}"));
    assert_eq!(done.state, CaseState::Delivered, "[{b}]");

    // The public progress shows every step.
    let prog = query::progress(app, &number, &sub.query_code)
        .await
        .unwrap_or_else(|e| panic!("[{b}] progress: {e}"));
    assert_eq!(prog.state, CaseState::Delivered, "[{b}]");
    let seen: Vec<&str> = prog.steps.iter().map(|s| s.event.as_str()).collect();
    assert_eq!(
        seen,
        [
            "submit",
            "request_correction",
            "supply_correction",
            "accept",
            "start_review",
            "record_opinion",
            "record_opinion",
            "approve",
            "complete",
            "deliver"
        ],
        "[{b}]"
    );
    // The applicant was told at acceptance, 告知, decision and completion.
    w.run_jobs().await;
    let titles = w.inbox_titles(&w.zhangwei.user_id).await;
    for t in [
        "办件已受理",
        "一次性告知补正材料",
        "办件已作出决定",
        "办件已办结",
    ] {
        assert!(titles.iter().any(|x| x == t), "[{b}] {t} in {titles:?}");
    }
    let mine = query::my_cases(app, &w.zhangwei, query::Page::default())
        .await
        .expect("my cases");
    assert_eq!(mine.len(), 1, "[{b}]");
    // Every row of the case tables is covered by the ledger.
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    w.finish(db).await;
}

fn opinion(task: &str) -> OpinionInput {
    OpinionInput {
        task: task.into(),
        verdict: Verdict::Agree,
        comment: "同意".into(),
    }
}

backend_test!(the_wrong_role_or_organisation_is_forbidden_and_changes_nothing);
async fn the_wrong_role_or_organisation_is_forbidden_and_changes_nothing(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let id = w.submitted_case(&w.item).await.0;

    // Accept / not accept / notice: window officers of the receiving centre only.
    let before = w.snapshot(&id).await;
    for (who, name) in [
        (&w.approver, "approver"),
        (&w.hohhot_window, "another centre"),
    ] {
        forbidden(
            handle::accept(app, who, &id, AcceptInput::default()).await,
            &format!("[{b}] accept by {name}"),
        );
        forbidden(
            handle::not_accept(app, who, &id, "材料不符").await,
            &format!("[{b}] not accept by {name}"),
        );
        forbidden(
            handle::request_correction(app, who, &id, NoticeInput::default()).await,
            &format!("[{b}] notice by {name}"),
        );
    }
    // Withdraw / supply: the applicant only.
    forbidden(
        apply::withdraw(app, &w.expert, &id, None).await,
        &format!("[{b}] withdraw by another person"),
    );
    forbidden(
        apply::withdraw(app, &w.window, &id, None).await,
        &format!("[{b}] withdraw by the window"),
    );
    forbidden(
        apply::supply_correction(app, &w.expert, &id).await,
        &format!("[{b}] correction by another person"),
    );
    forbidden(
        apply::attach_material(app, &w.expert, &id, w.blob("居民身份证").await).await,
        &format!("[{b}] material from another person"),
    );
    let tomorrow = (chrono::Utc::now() + chrono::TimeDelta::days(1))
        .with_timezone(&yiwang_core::time::shanghai())
        .date_naive();
    forbidden(
        handle::accept_with_deficiency(
            app,
            &w.approver,
            &id,
            DeficiencyInput {
                pending: vec!["居民身份证".into()],
                committed_by: tomorrow,
                participants: vec![],
            },
        )
        .await,
        &format!("[{b}] 容缺受理 by an officer"),
    );
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");

    handle::accept(app, &w.window, &id, AcceptInput::default())
        .await
        .unwrap_or_else(|e| panic!("[{b}] accept: {e}"));
    let before = w.snapshot(&id).await;
    // Opinions: the task's department and role.
    forbidden(
        handle::record_opinion(app, &w.window, &id, opinion("step1")).await,
        &format!("[{b}] opinion by the window"),
    );
    forbidden(
        handle::record_opinion(app, &w.police, &id, opinion("step1")).await,
        &format!("[{b}] opinion by another department"),
    );
    // Special procedures and extensions: the department head.
    forbidden(
        handle::suspend(app, &w.approver, &id, SuspensionKind::Hearing, "需要听证").await,
        &format!("[{b}] special procedure by an officer"),
    );
    forbidden(
        handle::extend(app, &w.approver, &id, None, "情况复杂").await,
        &format!("[{b}] extension by an officer"),
    );
    forbidden(
        handle::extend(app, &w.police_head, &id, None, "情况复杂").await,
        &format!("[{b}] extension by another department's head"),
    );
    forbidden(
        handle::suspend(app, &w.police, &id, SuspensionKind::Supplement, "补充材料").await,
        &format!("[{b}] supplement request by another department"),
    );
    // Decision: the reviewing department.
    forbidden(
        handle::decide(app, &w.police, &id, true, "准予").await,
        &format!("[{b}] decision by another department"),
    );
    forbidden(
        handle::decide(app, &w.window, &id, true, "准予").await,
        &format!("[{b}] decision by the window"),
    );
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");

    // The right people can.
    handle::extend(app, &w.depthead, &id, None, "情况复杂")
        .await
        .unwrap_or_else(|e| panic!("[{b}] extend: {e}"));
    let p = problem(
        handle::extend(app, &w.depthead, &id, None, "再次延期").await,
        "second extension",
    );
    assert_eq!(p.kind, ProblemKind::Conflict, "[{b}] {p:?}");
    handle::suspend(app, &w.depthead, &id, SuspensionKind::Hearing, "需要听证")
        .await
        .unwrap_or_else(|e| panic!("[{b}] suspend: {e}"));
    let before = w.snapshot(&id).await;
    forbidden(
        handle::resume(app, &w.police, &id).await,
        &format!("[{b}] resume by another department"),
    );
    forbidden(
        handle::resume(app, &w.window, &id).await,
        &format!("[{b}] resume by the window"),
    );
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");
    handle::resume(app, &w.approver, &id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] resume: {e}"));
    handle::record_opinion(app, &w.approver, &id, opinion("step1"))
        .await
        .unwrap_or_else(|e| panic!("[{b}] opinion: {e}"));
    handle::decide(app, &w.depthead, &id, false, "不符合法定条件")
        .await
        .unwrap_or_else(|e| panic!("[{b}] refuse: {e}"));
    // Completion: the reviewing department; delivery: the window.
    let before = w.snapshot(&id).await;
    forbidden(
        handle::complete(app, &w.window, &id).await,
        &format!("[{b}] completion by the window"),
    );
    forbidden(
        handle::complete(app, &w.police, &id).await,
        &format!("[{b}] completion by another department"),
    );
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");
    handle::complete(app, &w.approver, &id)
        .await
        .expect("complete");
    let before = w.snapshot(&id).await;
    forbidden(
        handle::deliver(app, &w.approver, &id, DeliveryInput::Pickup).await,
        &format!("[{b}] delivery by an officer"),
    );
    forbidden(
        handle::deliver(app, &w.hohhot_window, &id, DeliveryInput::Pickup).await,
        &format!("[{b}] delivery by another centre"),
    );
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");
    handle::deliver(app, &w.window, &id, DeliveryInput::Electronic)
        .await
        .expect("deliver");
    // Staff of an organisation not involved cannot read the case either.
    let p = problem(
        query::case_detail(app, &w.hohhot_window, &id).await,
        "detail by another centre",
    );
    assert_eq!(p.kind, ProblemKind::NotFound, "[{b}]");
    forbidden(
        query::inbox(app, &w.hohhot_window, &w.market_id, query::Page::default()).await,
        &format!("[{b}] another centre's inbox"),
    );
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    w.finish(db).await;
}

backend_test!(the_applicant_withdraws_before_the_decision_only);
async fn the_applicant_withdraws_before_the_decision_only(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let id = w.submitted_case(&w.item).await.0;
    let v = apply::withdraw(app, &w.zhangwei, &id, Some("不再需要"))
        .await
        .unwrap_or_else(|e| panic!("[{b}] withdraw: {e}"));
    assert_eq!(v.state, CaseState::Withdrawn, "[{b}]");
    let p = problem(apply::withdraw(app, &w.zhangwei, &id, None).await, "again");
    assert_eq!(p.code, "case.transition", "[{b}]");
    let p = problem(
        handle::accept(app, &w.window, &id, AcceptInput::default()).await,
        "accept a withdrawn case",
    );
    assert_eq!(p.code, "case.transition", "[{b}]");
    // After the decision it is too late.
    let id2 = w.submitted_case(&w.item).await.0;
    handle::accept(app, &w.window, &id2, AcceptInput::default())
        .await
        .expect("accept");
    handle::record_opinion(app, &w.approver, &id2, opinion("step1"))
        .await
        .expect("opinion");
    handle::decide(app, &w.approver, &id2, true, "准予")
        .await
        .expect("decide");
    let p = problem(
        apply::withdraw(app, &w.zhangwei, &id2, None).await,
        "after decision",
    );
    assert_eq!(p.code, "case.transition", "[{b}]");
    assert_eq!(w.state(&id2).await, CaseState::Decided, "[{b}]");
    w.finish(db).await;
}

backend_test!(a_second_notice_naming_what_was_there_at_the_first_needs_a_reason_and_is_recorded);
async fn a_second_notice_naming_what_was_there_at_the_first_needs_a_reason_and_is_recorded(
    db: TestDb,
) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let id = w.submitted_case(&w.item).await.0;
    let first = NoticeInput {
        defects: vec![Defect {
            material: w.form_material(),
            reason: "缺少签名".into(),
        }],
        reason: None,
    };
    handle::request_correction(app, &w.window, &id, first)
        .await
        .unwrap_or_else(|e| panic!("[{b}] first notice: {e}"));
    w.attach(&id, &w.form_material()).await;
    apply::supply_correction(app, &w.zhangwei, &id)
        .await
        .expect("supply");
    // The ID card was there, unchanged, at the first notice.
    let late = || NoticeInput {
        defects: vec![Defect {
            material: "居民身份证".into(),
            reason: "复印件不清晰".into(),
        }],
        reason: None,
    };
    let before = w.snapshot(&id).await;
    let p = problem(
        handle::request_correction(app, &w.window, &id, late()).await,
        "second notice without reason",
    );
    assert_eq!(p.code, "case.notice_repeated", "[{b}]");
    assert_eq!(w.snapshot(&id).await, before, "[{b}] nothing changed");
    let mut with_reason = late();
    with_reason.reason = Some("首次告知时遗漏，特此补充".into());
    let n = handle::request_correction(app, &w.window, &id, with_reason)
        .await
        .unwrap_or_else(|e| panic!("[{b}] second notice with reason: {e}"));
    assert_eq!(n.round, 2, "[{b}]");
    let mut tx = app.store.read().await.expect("read");
    let v = tx.list_case_violations(&id).await.expect("violations");
    assert_eq!(v.len(), 1, "[{b}] one supervision event");
    assert_eq!(v[0].violation, "repeated_notice", "[{b}]");
    assert_eq!(
        v[0].officer_id.as_deref(),
        Some(w.window.user_id.as_str()),
        "[{b}]"
    );
    drop(tx);
    // A further notice about a material changed since the first is legitimate.
    w.attach(&id, &w.form_material()).await;
    apply::supply_correction(app, &w.zhangwei, &id)
        .await
        .expect("supply");
    let again = NoticeInput {
        defects: vec![Defect {
            material: w.form_material(),
            reason: "新上传的申请书缺少日期".into(),
        }],
        reason: None,
    };
    handle::request_correction(app, &w.window, &id, again)
        .await
        .unwrap_or_else(|e| panic!("[{b}] notice on a changed material: {e}"));
    let mut tx = app.store.read().await.expect("read");
    assert_eq!(
        tx.list_case_violations(&id).await.expect("v").len(),
        1,
        "[{b}]"
    );
    drop(tx);
    w.finish(db).await;
}

backend_test!(accept_with_pending_materials_needs_a_commitment_and_the_materials_before_completion);
async fn accept_with_pending_materials_needs_a_commitment_and_the_materials_before_completion(
    db: TestDb,
) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    // A walk-in with only the application form.
    let sub = apply::register_at_window(
        app,
        &w.window,
        w.walk_in(&w.item, &[w.form_material()]).await,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] register: {e}"));
    let id = sub.case.case.id.clone();
    assert_eq!(
        sub.case.case.centre_id, w.centre_id,
        "[{b}] the window's centre receives it"
    );
    let p = problem(
        handle::accept(app, &w.window, &id, AcceptInput::default()).await,
        "accept with materials missing",
    );
    assert_eq!(p.code, "case.materials_missing", "[{b}]");
    let tomorrow = (chrono::Utc::now() + chrono::TimeDelta::days(1))
        .with_timezone(&yiwang_core::time::shanghai())
        .date_naive();
    handle::accept_with_deficiency(
        app,
        &w.window,
        &id,
        DeficiencyInput {
            pending: vec!["居民身份证".into()],
            committed_by: tomorrow,
            participants: vec![],
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] 容缺受理: {e}"));
    handle::record_opinion(app, &w.approver, &id, opinion("step1"))
        .await
        .expect("opinion");
    handle::decide(app, &w.approver, &id, true, "准予")
        .await
        .expect("decide");
    let p = problem(
        handle::complete(app, &w.approver, &id).await,
        "complete with pending",
    );
    assert_eq!(p.code, "case.deficiency_outstanding", "[{b}]");
    // The committed date passes: a warning and a violation, once.
    for _ in 0..2 {
        let at = yiwang_app::now_micros() + 3 * 86_400_000_000;
        let mut tx = app.store.write().await.expect("write");
        warnings::run_warnings(app, &mut *tx, at)
            .await
            .expect("pass");
        tx.commit().await.expect("commit");
    }
    assert!(
        w.warnings(&id)
            .await
            .contains(&"commitment:red".to_string()),
        "[{b}] {:?}",
        w.warnings(&id).await
    );
    let mut tx = app.store.read().await.expect("read");
    let v: Vec<String> = tx
        .list_case_violations(&id)
        .await
        .expect("violations")
        .into_iter()
        .map(|v| v.violation)
        .collect();
    assert_eq!(v, ["commitment_overdue"], "[{b}]");
    drop(tx);
    // The material comes in after all; now the result can go out.
    w.attach(&id, "居民身份证").await;
    handle::complete(app, &w.approver, &id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] complete: {e}"));
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    w.finish(db).await;
}

backend_test!(the_progress_query_needs_the_right_code_and_the_public_list_masks_personal_data);
async fn the_progress_query_needs_the_right_code_and_the_public_list_masks_personal_data(
    db: TestDb,
) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let (_, number, code) = w.submitted_case(&w.item).await;
    let walk_in = apply::register_at_window(app, &w.window, w.walk_in(&w.item, &[]).await)
        .await
        .expect("walk-in");
    let ok = query::progress(app, &number, &code.to_lowercase())
        .await
        .unwrap_or_else(|e| panic!("[{b}] progress: {e}"));
    assert_eq!(ok.state, CaseState::Submitted, "[{b}]");
    let p = problem(
        query::progress(app, &number, "AAAAAAAA").await,
        "wrong code",
    );
    assert_eq!(p.kind, ProblemKind::NotFound, "[{b}]");
    let p = problem(
        query::progress(app, &walk_in.case.case.number, &code).await,
        "another case's code",
    );
    assert_eq!(p.kind, ProblemKind::NotFound, "[{b}]");
    let p = problem(
        query::progress(app, "12345", &code).await,
        "malformed number",
    );
    assert_eq!(p.kind, ProblemKind::Invalid, "[{b}]");

    let list = query::public_list(app, query::Page::default())
        .await
        .expect("list");
    assert_eq!(list.len(), 2, "[{b}]");
    assert!(list.iter().all(|c| c.applicant == "张*"), "[{b}] {list:?}");
    let text = serde_json::to_string(&list).expect("json");
    assert!(!text.contains(&w.zhangwei_id_number), "[{b}] no ID number");
    assert!(!text.contains(MOBILE), "[{b}] no phone number");
    let kinds = yiwang_core::privacy::kinds(&yiwang_core::privacy::detect(&text));
    assert!(
        !kinds.iter().any(|k| matches!(
            k,
            yiwang_core::privacy::PersonalDataKind::IdNumber
                | yiwang_core::privacy::PersonalDataKind::Mobile
        )),
        "[{b}] {kinds:?}"
    );
    w.finish(db).await;
}

backend_test!(deadline_warnings_fire_exactly_once_with_two_runners);
async fn deadline_warnings_fire_exactly_once_with_two_runners(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    // A one-day promised limit: yellow as soon as it is accepted.
    let id = w.submitted_case(&w.short_item).await.0;
    handle::accept(app, &w.window, &id, AcceptInput::default())
        .await
        .expect("accept");
    let other = db.app().await;
    let r1 = yiwang_app::jobs::Runner::new(app.clone(), runner_config("n1"));
    let r2 = yiwang_app::jobs::Runner::new(other.clone(), runner_config("n2"));
    let (a, c) = tokio::join!(r1.pass(), r2.pass());
    a.unwrap_or_else(|e| panic!("[{b}] pass 1: {e}"));
    c.unwrap_or_else(|e| panic!("[{b}] pass 2: {e}"));
    r1.pass().await.expect("again");
    r2.pass().await.expect("again");
    let levels = w.warnings(&id).await;
    assert_eq!(
        levels,
        ["case:yellow"],
        "[{b}] the step (5 days) is not due yet"
    );
    // The red one when the deadline has passed: two nodes, one warning.
    let later = yiwang_app::now_micros() + 40 * 86_400_000_000;
    let run = |app: std::sync::Arc<yiwang_app::App>| async move {
        loop {
            let mut tx = app.store.write().await.expect("write");
            match warnings::run_warnings(&app, &mut *tx, later).await {
                Ok(_) => {
                    if tx.commit().await.is_ok() {
                        break;
                    }
                }
                Err(e) if e.kind() == Some(ProblemKind::Unavailable) => continue,
                Err(e) => panic!("warnings: {e}"),
            }
        }
    };
    tokio::join!(run(app.clone()), run(other.clone()));
    run(app.clone()).await;
    // The case turns red; its review step (limit 5 days) jumps straight to red.
    assert_eq!(
        w.warnings(&id).await,
        ["case:red", "case:yellow", "step1:red"],
        "[{b}]"
    );
    let mut tx = app.store.read().await.expect("read");
    let row = tx.get_case(&id).await.expect("get").expect("case");
    assert_eq!(row.warning_level, "red", "[{b}]");
    assert_eq!(row.next_warn_at, None, "[{b}] nothing left to raise");
    drop(tx);
    // The officer and the head were told once per warning.
    r1.pass().await.expect("deliver");
    for user in [&w.approver.user_id, &w.depthead.user_id] {
        let titles = w.inbox_titles(user).await;
        let n = titles.iter().filter(|t| *t == "办件时限预警").count();
        assert_eq!(n, 3, "[{b}] {titles:?}");
    }
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    other.store.close().await;
    w.finish(db).await;
}

backend_test!(audit_verify_detects_case_rows_changed_outside_the_platform);
async fn audit_verify_detects_case_rows_changed_outside_the_platform(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let (id, _, _) = w.submitted_case(&w.item).await;
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    assert_eq!(
        exec(
            &db,
            format!("UPDATE cases SET status = 'accepted' WHERE id = '{id}'")
        )
        .await,
        1,
        "[{b}]"
    );
    let report = verify(app).await;
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "row.digest_mismatch" && f.table.as_deref() == Some("cases")),
        "[{b}] {:#?}",
        report.findings
    );
    assert_eq!(
        exec(
            &db,
            format!("DELETE FROM case_events WHERE case_id = '{id}' AND seq = 1")
        )
        .await,
        1,
        "[{b}]"
    );
    let report = verify(app).await;
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.table.as_deref() == Some("case_events")),
        "[{b}] {:#?}",
        report.findings
    );
    w.finish(db).await;
}

backend_test!(the_inbox_shows_open_cases_by_deadline_a_page_at_a_time);
async fn the_inbox_shows_open_cases_by_deadline_a_page_at_a_time(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let long = w.submitted_case(&w.item).await.0;
    let short = w.submitted_case(&w.short_item).await.0;
    let waiting = w.submitted_case(&w.item).await.0;
    for id in [&long, &short] {
        handle::accept(app, &w.window, id, AcceptInput::default())
            .await
            .expect("accept");
    }
    let ids = |v: Vec<yiwang_app::cases::CaseView>| -> Vec<String> {
        v.into_iter().map(|c| c.case.id).collect()
    };
    let all = ids(
        query::inbox(app, &w.approver, &w.market_id, query::Page::default())
            .await
            .expect("inbox"),
    );
    // The nearest deadline first; a case not yet accepted (no deadline) last.
    assert_eq!(all, [short.clone(), long.clone(), waiting.clone()], "[{b}]");
    let page2 = ids(query::inbox(
        app,
        &w.window,
        &w.centre_id,
        query::Page { page: 2, size: 1 },
    )
    .await
    .expect("centre inbox"));
    assert_eq!(
        page2,
        std::slice::from_ref(&long),
        "[{b}] the centre's second page"
    );
    apply::withdraw(app, &w.zhangwei, &short, None)
        .await
        .expect("withdraw");
    let all = ids(
        query::inbox(app, &w.approver, &w.market_id, query::Page::default())
            .await
            .expect("inbox"),
    );
    assert_eq!(
        all,
        [long, waiting],
        "[{b}] a withdrawn case leaves the inbox"
    );
    w.finish(db).await;
}

backend_test!(case_materials_are_never_collected_and_their_blobs_are_verified);
async fn case_materials_are_never_collected_and_their_blobs_are_verified(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let (id, _, _) = w.submitted_case(&w.item).await;
    let done = app
        .blobs()
        .collect_garbage(&app.store, std::time::Duration::ZERO)
        .await
        .expect("gc");
    assert_eq!(done.deleted, 0, "[{b}] materials are referenced");
    let materials = app
        .store
        .read()
        .await
        .expect("read")
        .list_case_materials(&id)
        .await
        .expect("materials");
    assert_eq!(materials.len(), 2, "[{b}]");
    let pk = app.platform_key().public_key_hex();
    let report = yiwang_app::audit::verify_with_blobs(&app.store, app.blobs(), &pk, None)
        .await
        .expect("verify");
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    assert!(report.blobs_checked >= 2, "[{b}]");
    app.blobs()
        .delete(&materials[0].digest)
        .await
        .expect("delete");
    let report = yiwang_app::audit::verify_with_blobs(&app.store, app.blobs(), &pk, None)
        .await
        .expect("verify");
    assert!(
        report.findings.iter().any(|f| f.code == "blob.missing"
            && f.table.as_deref() == Some("case_materials")
            && f.id.as_deref() == Some(materials[0].id.as_str())),
        "[{b}] {:#?}",
        report.findings
    );
    w.finish(db).await;
}

backend_test!(without_a_notice_in_five_working_days_a_case_counts_as_accepted_from_receipt);
async fn without_a_notice_in_five_working_days_a_case_counts_as_accepted_from_receipt(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let (quiet, _, _) = w.submitted_case(&w.item).await;
    let (noticed, _, _) = w.submitted_case(&w.item).await;
    handle::request_correction(
        app,
        &w.window,
        &noticed,
        NoticeInput {
            defects: vec![Defect {
                material: w.form_material(),
                reason: "缺少签名".into(),
            }],
            reason: None,
        },
    )
    .await
    .expect("notice");
    // Tomorrow nothing happens; three weeks later the quiet case counts as accepted.
    for (days, expected) in [(1, CaseState::Submitted), (21, CaseState::InReview)] {
        let at = yiwang_app::now_micros() + days * 86_400_000_000;
        let mut tx = app.store.write().await.expect("write");
        warnings::run_warnings(app, &mut *tx, at)
            .await
            .unwrap_or_else(|e| panic!("[{b}] pass: {e}"));
        tx.commit().await.expect("commit");
        assert_eq!(w.state(&quiet).await, expected, "[{b}] after {days} days");
    }
    assert_eq!(
        w.state(&noticed).await,
        CaseState::CorrectionRequested,
        "[{b}] a notice was given"
    );
    let mut tx = app.store.read().await.expect("read");
    let row = tx.get_case(&quiet).await.expect("get").expect("case");
    assert_eq!(
        row.accepted_at, row.received_at,
        "[{b}] accepted from receipt"
    );
    let events: Vec<String> = tx
        .list_case_events(&quiet)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(
        events.ends_with(&["deem_accepted".into(), "start_review".into()]),
        "[{b}] {events:?}"
    );
    let v = tx.list_case_violations(&quiet).await.expect("violations");
    assert_eq!(v.len(), 1, "[{b}]");
    assert_eq!(
        (v[0].violation.as_str(), v[0].org_id.as_str()),
        ("late_notice", w.centre_id.as_str()),
        "[{b}]"
    );
    drop(tx);
    w.run_jobs().await;
    assert!(
        w.inbox_titles(&w.zhangwei.user_id)
            .await
            .iter()
            .any(|t| t == "办件已受理"),
        "[{b}] the applicant is told"
    );
    let report = verify(app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);
    w.finish(db).await;
}
