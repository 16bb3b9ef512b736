//! Expert database and draw use-case tests on both backends: avoidance of a bidder's employees,
//! the verifiable draw, automatic replacement on decline and no answer, the need-to-know
//! committee list, and 管用分离 (only the managing department manages experts).

#[allow(dead_code)]
#[path = "../trading/common.rs"]
mod common;

use chrono::{Months, NaiveDate};
use yiwang_app::experts::answers::{answer_timeout, check_in_at, committee_at, respond_at};
use yiwang_app::experts::draws::{
    DrawInput, finish_evaluation_at, public_record, request_draw_at, run_draw_at, verify_record,
};
use yiwang_app::experts::local_date;
use yiwang_app::experts::register::{
    Application, Decision, EmploymentInput, Imported, apply, decide, import_admitted,
};
use yiwang_app::{Acting, now_micros};
use yiwang_core::ProblemKind;
use yiwang_core::access::{Actor, Role};
use yiwang_core::experts::expert::{Term, Title, TitleLevel};
use yiwang_core::experts::request::DrawLine;
use yiwang_core::experts::{PoolScope, SeatState, SpecialtyCode};
use yiwang_store::Organisation;
use yiwang_testkit::{TestDb, backend_test};

use common::*;

const HOUR: i64 = 3_600_000_000;

struct Experts {
    w: World,
    mgr_org: Organisation,
    manager: Actor,
}

async fn authority(w: &World) -> (Organisation, Actor) {
    let mut tx = w.app.store.write().await.expect("write");
    let parent = tx
        .get_organisation(w.centre.parent_id.as_deref().expect("centre parent"))
        .await
        .expect("get")
        .expect("gov");
    let o = yiwang_app::organisations::insert_organisation(
        &mut *tx,
        &Acting::system(),
        yiwang_app::organisations::NewOrganisation {
            name: "宿迁市评标专家管理办公室".into(),
            name_en: String::new(),
            kind: "expert_authority".into(),
            region_code: "321300".into(),
            parent_id: Some(parent.id.clone()),
            credit_code: None,
        },
        Some(&parent),
    )
    .await
    .expect("authority");
    tx.commit().await.expect("commit");
    let a = actor(&w.app, "expertmgr-1", Role::ExpertManager, &o).await;
    (o, a)
}

fn id_number(n: u32) -> String {
    yiwang_app::demo::demo_id_number("321302", "19700101", n)
}

fn application(
    mgr: &Organisation,
    n: u32,
    employer: Option<(&str, Option<NaiveDate>)>,
) -> Application {
    let mut employments = vec![EmploymentInput {
        org_code: credit_code(5000 + n),
        org_name: format!("设计院{n}"),
        kind: "employee".into(),
        start: "1995-01-01".into(),
        end: Some("2005-12-31".into()),
    }];
    if let Some((code, end)) = employer {
        employments.push(EmploymentInput {
            org_code: code.into(),
            org_name: "投标人".into(),
            kind: "employee".into(),
            start: "2006-01-01".into(),
            end: end.map(|d| d.to_string()),
        });
    }
    Application {
        managing_org_id: mgr.id.clone(),
        name: format!("专家{n}"),
        id_number: id_number(n),
        mobile: format!("139{:08}", n),
        region: "321302".into(),
        field_since: "1995-01-01".into(),
        titles: vec![Title {
            name: "高级工程师".into(),
            level: TitleLevel::DeputySenior,
            awarded_on: NaiveDate::from_ymd_opt(2005, 1, 1).expect("date"),
        }],
        specialties: vec!["A0802".into()],
        can_evaluate_electronically: true,
        fit_for_duty: true,
        employments,
        conflicts: vec![],
    }
}

fn term() -> Term {
    let today = local_date(now_micros());
    Term {
        start: today - Months::new(6),
        end: today + Months::new(30),
    }
}

/// A world with a tendering section whose bidders downloaded the documents, and a managing
/// department.
async fn experts_world(db: &TestDb) -> (Experts, yiwang_store::TradingSection) {
    let w = world(db, 3).await;
    let s = published_section(&w, "P-EXP").await;
    for (i, b) in w.bidders.iter().enumerate() {
        yiwang_app::trading::tenders::download_documents_at(
            &w.app,
            &b.actor,
            &b.party_id,
            &s.id,
            &format!("203.0.113.{i}"),
            now_micros(),
        )
        .await
        .expect("download");
    }
    let (mgr_org, manager) = authority(&w).await;
    (
        Experts {
            w,
            mgr_org,
            manager,
        },
        s,
    )
}

async fn import(e: &Experts, apps: Vec<Application>) {
    let batch = apps
        .into_iter()
        .map(|a| Imported {
            application: a,
            term: term(),
            user_id: None,
        })
        .collect();
    import_admitted(&e.w.app, batch, "测试入库")
        .await
        .expect("import");
}

fn input(section: &str, starts_at: i64, count: u32, reserve: u32) -> DrawInput {
    DrawInput {
        section_id: section.into(),
        committee: "tender_evaluation".into(),
        representatives: 0,
        budget: None,
        complex_or_high_impact: false,
        starts_at,
        place: "宿迁市公共资源交易中心第3评标室".into(),
        lines: vec![DrawLine {
            specialty: SpecialtyCode::parse("A08").expect("code"),
            scope: PoolScope::Local,
            count,
            reserve,
            fallback: None,
        }],
        answer_minutes: Some(30),
    }
}

async fn ids_in(db: &TestDb, sql: &str) -> Vec<String> {
    dump(db, sql).await
}

/// "user state" of every invitation of a draw, in invitation order.
async fn seats(db: &TestDb, draw: &str) -> Vec<String> {
    ids_in(
        db,
        &format!(
            "SELECT e.user_id || ' ' || i.state FROM draw_invitations i JOIN experts e ON e.id = i.expert_id WHERE i.draw_id = '{draw}' ORDER BY i.invited_at, i.id"
        ),
    )
    .await
}

backend_test!(a_bidders_employee_is_never_drawn_for_that_section);
async fn a_bidders_employee_is_never_drawn_for_that_section(db: TestDb) {
    let b = db.backend;
    let (e, s) = experts_world(&db).await;
    let today = local_date(now_micros());
    let bidders: Vec<String> = e.w.bidders.iter().map(|b| b.credit_code.clone()).collect();
    // 9 clean experts, and 12 tied to a bidder: now, a year ago (within 3 years) — and 2 whose
    // tie ended 5 years ago, who may be drawn.
    let mut apps = Vec::new();
    for n in 0..9 {
        apps.push(application(&e.mgr_org, n, None));
    }
    for n in 9..21 {
        let end = (n % 2 == 0).then(|| today - Months::new(12));
        apps.push(application(
            &e.mgr_org,
            n,
            Some((&bidders[(n % 3) as usize], end)),
        ));
    }
    for n in 21..23 {
        apps.push(application(
            &e.mgr_org,
            n,
            Some((&bidders[0], Some(today - Months::new(60)))),
        ));
    }
    import(&e, apps).await;
    let tied: Vec<String> = ids_in(
        &db,
        &format!(
            "SELECT id FROM experts WHERE id_number IN ({})",
            (9..21)
                .map(|n| format!("'{}'", id_number(n)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await;
    assert_eq!(tied.len(), 12);
    // Several draws, each with every eligible expert taken as member or reserve.
    let starts = now_micros() + 30 * DAY;
    for round in 0..3 {
        let d = request_draw_at(
            &e.w.app,
            &e.w.staff,
            input(&s.id, starts + round * DAY, 5, 6),
            now_micros(),
        )
        .await
        .unwrap_or_else(|err| panic!("[{b}] request: {err}"));
        let out = run_draw_at(
            &e.w.app,
            &e.w.staff,
            &d.id,
            Some(format!("op{round}")),
            now_micros(),
        )
        .await
        .unwrap_or_else(|err| panic!("[{b}] draw: {err}"));
        let result = out.draw.result.expect("result");
        for t in &tied {
            assert!(
                !result.contains(t.as_str()),
                "[{b}] a bidder's employee {t} was drawn"
            );
        }
        let pool = out.draw.pool.expect("pool");
        for t in &tied {
            assert!(
                !pool.contains(t.as_str()),
                "[{b}] a bidder's employee {t} is in the pool"
            );
        }
        let screening = out.draw.screening.expect("screening");
        assert!(
            screening.contains("bidder_tie"),
            "[{b}] the funnel names the rule"
        );
    }
    // Asking for more than the clean pool holds fails, naming the rule, and is in the ledger.
    let d = request_draw_at(
        &e.w.app,
        &e.w.staff,
        input(&s.id, starts + 9 * DAY, 13, 0),
        now_micros(),
    )
    .await
    .expect("request");
    let p = problem(
        run_draw_at(&e.w.app, &e.w.staff, &d.id, None, now_micros()).await,
        "unfilled draw",
    );
    assert_eq!(p.code, "draw.unfilled", "[{b}]");
    assert!(
        p.message.contains("与投标人有任职关系"),
        "[{b}] {}",
        p.message
    );
    let statuses = ids_in(
        &db,
        &format!("SELECT status FROM draw_requests WHERE id = '{}'", d.id),
    )
    .await;
    assert_eq!(statuses, ["failed"], "[{b}] the failed attempt is recorded");
    let attempts = ids_in(
        &db,
        &format!(
            "SELECT action FROM ledger_entries WHERE subject_id = '{}' ORDER BY seq",
            d.id
        ),
    )
    .await;
    assert_eq!(
        attempts,
        [
            "experts.draw.commit",
            "experts.draw.request",
            "experts.draw.pool",
            "experts.draw.entropy",
            "experts.draw.attempt"
        ],
        "[{b}] commit before request, entropy after the pool, every attempt recorded"
    );
    let again = problem(
        run_draw_at(&e.w.app, &e.w.staff, &d.id, None, now_micros()).await,
        "second attempt",
    );
    assert_eq!(
        again.code, "draw.already_run",
        "[{b}] no re-draw of a request"
    );
    verify_intact(&e.w.app, b).await;
    finish(e.w.app, db).await;
}

/// Runs a complete draw (5 of 7 clean experts) to its reveal; returns the draw id.
async fn revealed_draw(e: &Experts, s: &yiwang_store::TradingSection) -> String {
    let starts = now_micros() + 20 * DAY;
    let d = request_draw_at(
        &e.w.app,
        &e.w.staff,
        input(&s.id, starts, 5, 2),
        now_micros(),
    )
    .await
    .expect("request");
    let out = run_draw_at(
        &e.w.app,
        &e.w.staff,
        &d.id,
        Some("监管随机数 4711".into()),
        now_micros(),
    )
    .await
    .expect("draw");
    let p = problem(
        public_record(&e.w.app, &d.id).await,
        "record before the reveal",
    );
    assert_eq!(p.code, "draw.not_revealed");
    let roster = out.draw.roster.expect("roster");
    let seated: Vec<String> =
        e.w.app
            .store
            .read()
            .await
            .expect("read")
            .list_invitations(Some(&d.id))
            .await
            .expect("invitations")
            .into_iter()
            .map(|i| i.expert_id)
            .collect();
    assert_eq!(seated.len(), 5, "{roster}");
    for id in &seated {
        check_in_at(&e.w.app, &e.w.staff, &d.id, id, "宿迁", starts)
            .await
            .expect("check in");
    }
    finish_evaluation_at(&e.w.app, &e.w.staff, &d.id, starts + 3 * HOUR)
        .await
        .expect("reveal");
    d.id
}

backend_test!(a_revealed_seed_recomputes_the_draw_and_a_changed_input_does_not);
async fn a_revealed_seed_recomputes_the_draw_and_a_changed_input_does_not(db: TestDb) {
    let b = db.backend;
    let (e, s) = experts_world(&db).await;
    import(
        &e,
        (0..7).map(|n| application(&e.mgr_org, n, None)).collect(),
    )
    .await;
    let id = revealed_draw(&e, &s).await;
    let rec = public_record(&e.w.app, &id).await.expect("public record");
    verify_record(&rec).unwrap_or_else(|p| panic!("[{b}] the revealed draw verifies: {p:?}"));
    // The JSON a client downloads verifies the same way.
    let text = serde_json::to_string(&rec).expect("json");
    let back: yiwang_app::experts::draws::PublicRecord =
        serde_json::from_str(&text).expect("parse");
    verify_record(&back).expect("round trip verifies");

    let mut changed = rec.clone();
    changed.record.request.lines[0].reserve += 1;
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.result",
        "[{b}] request"
    );
    let mut changed = rec.clone();
    changed.record.pool.lines[0].own.pop();
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.pool",
        "[{b}] pool"
    );
    let mut changed = rec.clone();
    changed.record.contributions[1].push('1');
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.result",
        "[{b}] entropy"
    );
    let mut changed = rec.clone();
    changed.secret = "00".repeat(32);
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.commitment",
        "[{b}] secret"
    );
    let mut changed = rec.clone();
    changed.positions.commitment = changed.positions.request + 1;
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.order",
        "[{b}] order"
    );
    let mut changed = rec.clone();
    changed.record.result.lines[0].members.swap(0, 1);
    assert_eq!(
        verify_record(&changed).unwrap_err().code,
        "draw.verify.result",
        "[{b}] result"
    );
    verify_intact(&e.w.app, b).await;
    finish(e.w.app, db).await;
}

/// An expert who applied with their own account and was admitted.
async fn expert_with_account(e: &Experts, n: u32) -> Actor {
    let mut tx = e.w.app.store.write().await.expect("write");
    let u = yiwang_app::identity::insert_user(
        &mut *tx,
        &Acting::system(),
        yiwang_app::identity::NewUser {
            username: format!("expert-{n}"),
            display_name: format!("专家{n}"),
            kind: "natural_person".into(),
            password: "correct horse battery".into(),
            id_number: Some(id_number(n)),
            credit_code: None,
            phone: None,
            email: None,
            grants: vec![],
        },
    )
    .await
    .expect("user");
    let a = yiwang_app::identity::actor_of(&mut *tx, &u)
        .await
        .expect("actor");
    tx.commit().await.expect("commit");
    let row = apply(&e.w.app, &a, application(&e.mgr_org, n, None))
        .await
        .expect("apply");
    let t = term();
    decide(
        &e.w.app,
        &e.manager,
        &row.id,
        Decision {
            event: "admit".into(),
            reason: "符合入库条件".into(),
            term_start: Some(t.start.to_string()),
            term_end: Some(t.end.to_string()),
        },
    )
    .await
    .expect("admit");
    a
}

backend_test!(a_declined_or_unanswered_invitation_is_replaced_automatically);
async fn a_declined_or_unanswered_invitation_is_replaced_automatically(db: TestDb) {
    let b = db.backend;
    let (e, s) = experts_world(&db).await;
    let mut experts = Vec::new();
    for n in 0..8 {
        experts.push(expert_with_account(&e, n).await);
    }
    let t0 = now_micros();
    let d = request_draw_at(&e.w.app, &e.w.staff, input(&s.id, t0 + 20 * DAY, 5, 3), t0)
        .await
        .expect("request");
    run_draw_at(&e.w.app, &e.w.staff, &d.id, None, t0)
        .await
        .expect("draw");
    let before = seats(&db, &d.id).await;
    assert_eq!(before.len(), 5, "[{b}] five invited");
    // The first member declines: a reserve is invited at once.
    let first_user = before[0].split(' ').next().expect("user").to_string();
    let who = experts
        .iter()
        .find(|a| a.user_id == first_user)
        .expect("member");
    let change = respond_at(&e.w.app, who, &d.id, false, t0 + 1)
        .await
        .expect("decline");
    assert_eq!(change.state, SeatState::Declined);
    let replacement = change
        .vacancy
        .and_then(|v| v.replacement)
        .expect("a reserve is seated");
    let after = seats(&db, &d.id).await;
    assert_eq!(after.len(), 6, "[{b}] a replacement is invited");
    assert!(
        after.iter().filter(|s| s.ends_with(" invited")).count() == 5,
        "[{b}] {after:?}"
    );
    // An outsider cannot answer for the draw.
    let outsider = experts
        .iter()
        .find(|a| !after.iter().any(|s| s.starts_with(&a.user_id)));
    if let Some(o) = outsider {
        let p = problem(
            respond_at(&e.w.app, o, &d.id, true, t0 + 2).await,
            "outsider",
        );
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    }
    // A member confirms; the replacement does not answer in time: the timeout job seats the
    // next reserve, exactly once however often it runs.
    let second_user = before[1].split(' ').next().expect("user").to_string();
    let confirmer = experts
        .iter()
        .find(|a| a.user_id == second_user)
        .expect("member");
    respond_at(&e.w.app, confirmer, &d.id, true, t0 + 3)
        .await
        .expect("confirm");
    let job = yiwang_store::Job {
        id: "test-timeout".into(),
        kind: yiwang_app::experts::answers::TIMEOUT_JOB.into(),
        payload: serde_json::json!({ "draw_id": d.id, "expert_id": replacement }).to_string(),
        dedupe_key: None,
        run_at: t0,
        status: "pending".into(),
        attempts: 0,
        last_error: None,
        created_at: t0,
        finished_at: None,
    };
    let late = t0 + 31 * 60 * 1_000_000;
    for _ in 0..2 {
        let mut tx = e.w.app.store.write().await.expect("write");
        answer_timeout(&e.w.app, &mut *tx, &job, late)
            .await
            .expect("timeout job");
        tx.commit().await.expect("commit");
    }
    let end = seats(&db, &d.id).await;
    assert_eq!(end.len(), 7, "[{b}] one more replacement, not two: {end:?}");
    assert_eq!(
        end.iter().filter(|s| s.ends_with(" no_answer")).count(),
        1,
        "[{b}]"
    );
    assert_eq!(
        end.iter().filter(|s| s.ends_with(" confirmed")).count(),
        1,
        "[{b}]"
    );
    // The confirmed member is not timed out.
    let mut confirmed_job = job.clone();
    let confirmed_expert = ids_in(
        &db,
        &format!(
            "SELECT id FROM experts WHERE user_id = '{}'",
            confirmer.user_id
        ),
    )
    .await;
    confirmed_job.payload =
        serde_json::json!({ "draw_id": d.id, "expert_id": confirmed_expert[0] }).to_string();
    let mut tx = e.w.app.store.write().await.expect("write");
    let said = answer_timeout(&e.w.app, &mut *tx, &confirmed_job, late)
        .await
        .expect("job");
    tx.commit().await.expect("commit");
    assert_eq!(said, "answered in time", "[{b}]");
    // Invitations went out by SMS and voice, saying time and place only.
    let sms = ids_in(
        &db,
        "SELECT payload FROM outbox WHERE template = 'experts.invitation' AND channel = 'sms'",
    )
    .await;
    assert_eq!(sms.len(), 7, "[{b}] one SMS per invitation");
    assert!(
        sms.iter()
            .all(|p| !p.contains("城市建设") && !p.contains("宏远")),
        "[{b}]"
    );
    let voice = ids_in(&db, "SELECT id FROM outbox WHERE channel = 'voice'").await;
    assert_eq!(voice.len(), 7, "[{b}] one voice call per invitation");
    verify_intact(&e.w.app, b).await;
    finish(e.w.app, db).await;
}

backend_test!(the_tenderee_gets_403_on_the_committee_list_before_check_in);
async fn the_tenderee_gets_403_on_the_committee_list_before_check_in(db: TestDb) {
    let b = db.backend;
    let (e, s) = experts_world(&db).await;
    import(
        &e,
        (0..7).map(|n| application(&e.mgr_org, n, None)).collect(),
    )
    .await;
    let t0 = now_micros();
    let starts = t0 + 20 * DAY;
    let d = request_draw_at(&e.w.app, &e.w.staff, input(&s.id, starts, 5, 2), t0)
        .await
        .expect("request");
    run_draw_at(&e.w.app, &e.w.staff, &d.id, None, t0)
        .await
        .expect("draw");
    let other_staff = actor(&e.w.app, "staff-2", Role::TradingStaff, &e.w.centre).await;
    for (who, a) in [
        ("tenderee", &e.w.tenderee),
        ("bidder", &e.w.bidders[0].actor),
        ("other centre staff", &other_staff),
        ("managing department", &e.manager),
    ] {
        let p = problem(committee_at(&e.w.app, a, &d.id, t0 + 1).await, who);
        assert_eq!(
            p.kind,
            ProblemKind::Forbidden,
            "[{b}] {who} before check-in"
        );
    }
    let op = committee_at(&e.w.app, &e.w.staff, &d.id, t0 + 1)
        .await
        .expect("operator");
    assert_eq!(op.viewer, "operator");
    assert_eq!(op.seats.len(), 5);
    assert!(
        op.seats
            .iter()
            .all(|s| s.expert_id.is_some() && s.name.is_none()),
        "[{b}] numbers only"
    );
    assert!(op.reserves.is_some());
    let first = op.seats[0].expert_id.clone().expect("number");
    check_in_at(&e.w.app, &e.w.staff, &d.id, &first, "宿迁", starts)
        .await
        .expect("check in");
    let staff_view = committee_at(&e.w.app, &other_staff, &d.id, starts + 1)
        .await
        .expect("centre staff after check-in");
    assert!(
        staff_view.seats.iter().all(|s| s.name.is_some()),
        "[{b}] names once started"
    );
    let p = problem(
        committee_at(&e.w.app, &e.w.tenderee, &d.id, starts + 1).await,
        "tenderee",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] the tenderee still sees nothing"
    );
    let views = ids_in(
        &db,
        &format!("SELECT action FROM ledger_entries WHERE subject_id = '{}' AND action = 'experts.draw.view'", d.id),
    )
    .await;
    assert_eq!(views.len(), 2, "[{b}] every view is in the ledger");
    verify_intact(&e.w.app, b).await;
    finish(e.w.app, db).await;
}

backend_test!(only_the_managing_department_admits_and_suspends);
async fn only_the_managing_department_admits_and_suspends(db: TestDb) {
    let b = db.backend;
    let (e, _) = experts_world(&db).await;
    let mut tx = e.w.app.store.write().await.expect("write");
    let u = yiwang_app::identity::insert_user(
        &mut *tx,
        &Acting::system(),
        yiwang_app::identity::NewUser {
            username: "applicant-1".into(),
            display_name: "申请专家".into(),
            kind: "natural_person".into(),
            password: "correct horse battery".into(),
            id_number: Some(id_number(1)),
            credit_code: None,
            phone: None,
            email: None,
            grants: vec![],
        },
    )
    .await
    .expect("user");
    let me = yiwang_app::identity::actor_of(&mut *tx, &u)
        .await
        .expect("actor");
    tx.commit().await.expect("commit");
    // Applying for someone else is refused.
    let p = problem(
        apply(&e.w.app, &me, application(&e.mgr_org, 2, None)).await,
        "apply for another",
    );
    assert_eq!(p.code, "experts.not_self", "[{b}]");
    let row = apply(&e.w.app, &me, application(&e.mgr_org, 1, None))
        .await
        .expect("apply");
    let t = term();
    let decision = |event: &str, reason: &str| Decision {
        event: event.into(),
        reason: reason.into(),
        term_start: Some(t.start.to_string()),
        term_end: Some(t.end.to_string()),
    };
    for (who, a) in [
        ("trading staff", &e.w.staff),
        ("tenderee", &e.w.tenderee),
        ("the expert", &me),
    ] {
        let p = problem(
            decide(&e.w.app, a, &row.id, decision("admit", "符合条件")).await,
            who,
        );
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}] {who} cannot admit");
    }
    decide(
        &e.w.app,
        &e.manager,
        &row.id,
        decision("admit", "符合入库条件"),
    )
    .await
    .expect("the managing department admits");
    let p = problem(
        decide(
            &e.w.app,
            &e.w.staff,
            &row.id,
            decision("suspend", "考核不合格"),
        )
        .await,
        "staff suspends",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] the centre cannot suspend"
    );
    let p = problem(
        decide(&e.w.app, &e.manager, &row.id, decision("suspend", "  ")).await,
        "no reason",
    );
    assert_eq!(p.code, "expert.reason_required", "[{b}]");
    let s = decide(
        &e.w.app,
        &e.manager,
        &row.id,
        decision("suspend", "年度考核不称职"),
    )
    .await
    .expect("suspend");
    assert_eq!(s.status, "suspended");
    // The centre cannot read the profile either (管用分离).
    let p = problem(
        yiwang_app::experts::register::get(&e.w.app, &e.w.staff, &row.id).await,
        "staff reads",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    yiwang_app::experts::register::get(&e.w.app, &me, &row.id)
        .await
        .expect("the expert reads their own record");
    verify_intact(&e.w.app, b).await;
    finish(e.w.app, db).await;
}
