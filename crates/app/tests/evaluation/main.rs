//! Evaluation use-case tests on both backends: the centre starts the evaluation of an opened
//! section with the draw's checked-in committee and a valid template; the leader records the
//! review with the reasons of a rejection; members score alone and see the others only after
//! submitting; flagged scores need a written reason; aggregation as the template says; the time
//! vote; the report compiled, signed with every member's key and dissent recorded.

#[allow(dead_code)]
#[path = "../trading/common.rs"]
mod common;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use yiwang_app::evaluation::report::{SignInput, compile_at, sign_at};
use yiwang_app::evaluation::scoring::{
    ExplainInput, SheetInput, SubmitInput, explain_at, scores, submit_at, vote_time_at,
};
use yiwang_app::evaluation::start::{ReviewInput, ReviewLine, StartInput, review_at, start_at};
use yiwang_app::evaluation::view;
use yiwang_app::experts::answers::check_in_at;
use yiwang_app::experts::draws::{DrawInput, request_draw_at, run_draw_at};
use yiwang_app::experts::local_date;
use yiwang_app::experts::register::{Application, Decision, EmploymentInput, apply, decide};
use yiwang_app::trading::opening::{
    DECRYPTION_WINDOW_MICROS, Decrypted, close_due, decrypt_bid_at, open_due,
};
use yiwang_app::{Acting, now_micros};
use yiwang_core::ProblemKind;
use yiwang_core::access::{Actor, Role};
use yiwang_core::evaluation::{
    Aggregation, Criterion, CriterionCategory, OutlierRule, PriceFormula, ScoreEntry,
    ScoringTemplate, SubCriterion,
};
use yiwang_core::experts::expert::{Term, Title, TitleLevel};
use yiwang_core::experts::request::DrawLine;
use yiwang_core::experts::{PoolScope, SpecialtyCode};
use yiwang_core::ledger::verify_signature;
use yiwang_core::trading::{AwardMethod, BidAction};
use yiwang_store::{Organisation, TradingSection};
use yiwang_testkit::{TestDb, backend_test};

use common::*;

const HOUR: i64 = 3_600_000_000;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn template() -> ScoringTemplate {
    let sub = |code: &str, name: &str, max: &str| SubCriterion {
        code: code.into(),
        name: name.into(),
        max_points: d(max),
        comment_required: false,
    };
    ScoringTemplate {
        name: "综合评估法（施工）".into(),
        method: AwardMethod::Comprehensive,
        criteria: vec![
            Criterion {
                code: "price".into(),
                name: "投标报价".into(),
                category: CriterionCategory::Price,
                weight: d("40"),
                sub_criteria: vec![],
            },
            Criterion {
                code: "tech".into(),
                name: "技术标".into(),
                category: CriterionCategory::Technical,
                weight: d("45"),
                sub_criteria: vec![
                    sub("tech.plan", "施工方案", "30"),
                    sub("tech.quality", "质量保证", "15"),
                ],
            },
            Criterion {
                code: "biz".into(),
                name: "商务标".into(),
                category: CriterionCategory::Business,
                weight: d("15"),
                sub_criteria: vec![sub("biz.credit", "企业信誉", "15")],
            },
        ],
        price_formula: PriceFormula::LowestBid,
        aggregation: Aggregation::default(),
        outlier: OutlierRule::default(),
        score_decimals: 2,
    }
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

/// An expert who applied with their own account and was admitted.
async fn expert_with_account(w: &World, mgr: &Organisation, manager: &Actor, n: u32) -> Actor {
    let mut tx = w.app.store.write().await.expect("write");
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
    let app = Application {
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
        employments: vec![EmploymentInput {
            org_code: credit_code(5000 + n),
            org_name: format!("设计院{n}"),
            kind: "employee".into(),
            start: "1995-01-01".into(),
            end: Some("2005-12-31".into()),
        }],
        conflicts: vec![],
    };
    let row = apply(&w.app, &a, app).await.expect("apply");
    let today = local_date(now_micros());
    let t = Term {
        start: today - Months::new(6),
        end: today + Months::new(30),
    };
    decide(
        &w.app,
        manager,
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

/// An opened section with three decrypted bids and a drawn committee of five (not yet checked
/// in), the members' accounts in seat order.
struct Setup {
    w: World,
    s: TradingSection,
    draw_id: String,
    /// (expert id, account) of each seat.
    seats: Vec<(String, Actor)>,
    /// Bid ids by bidder order; prices 9,500,000 / 9,600,000 / 9,700,000.
    bids: Vec<String>,
    starts: i64,
}

async fn setup(db: &TestDb) -> Setup {
    let w = world(db, 3).await;
    let s = published_section(&w, "P-EVAL").await;
    let t0 = now_micros();
    for (i, b) in w.bidders.iter().enumerate() {
        yiwang_app::trading::tenders::download_documents_at(
            &w.app,
            &b.actor,
            &b.party_id,
            &s.id,
            &format!("203.0.113.{i}"),
            t0,
        )
        .await
        .expect("download");
        bid(
            &w,
            b,
            &s,
            BidAction::Submit,
            format!("bid {i}").as_bytes(),
            t0 + 1,
        )
        .await
        .expect("bid");
    }
    let (mgr, manager) = authority(&w).await;
    let mut accounts = Vec::new();
    for n in 0..6 {
        accounts.push(expert_with_account(&w, &mgr, &manager, n).await);
    }
    let deadline = s.bid_deadline.expect("deadline");
    let starts = deadline + 2 * HOUR;
    let d = request_draw_at(
        &w.app,
        &w.staff,
        DrawInput {
            section_id: s.id.clone(),
            committee: "tender_evaluation".into(),
            representatives: 0,
            budget: None,
            complex_or_high_impact: false,
            starts_at: starts,
            place: "宿迁市公共资源交易中心第3评标室".into(),
            lines: vec![DrawLine {
                specialty: SpecialtyCode::parse("A08").expect("code"),
                scope: PoolScope::Local,
                count: 5,
                reserve: 1,
                fallback: None,
            }],
            answer_minutes: Some(30),
        },
        t0 + 2,
    )
    .await
    .expect("request draw");
    run_draw_at(&w.app, &w.staff, &d.id, None, t0 + 3)
        .await
        .expect("draw");
    let mut tx = w.app.store.write().await.expect("write");
    assert_eq!(
        open_due(&w.app, &mut *tx, deadline).await.expect("open"),
        "opened 1, failed 0"
    );
    tx.commit().await.expect("commit");
    for (i, b) in w.bidders.iter().enumerate() {
        decrypt_bid_at(
            &w.app,
            &b.actor,
            &b.party_id,
            &s.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "ef".repeat(32)),
                price: format!("{}.00", 9_500_000 + i * 100_000),
                duration_days: Some(280),
            },
            deadline + 1,
        )
        .await
        .expect("decrypt");
    }
    let mut tx = w.app.store.write().await.expect("write");
    close_due(&w.app, &mut *tx, deadline + DECRYPTION_WINDOW_MICROS)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let invited = dump(
        db,
        &format!(
            "SELECT i.expert_id || ' ' || e.user_id FROM draw_invitations i JOIN experts e ON e.id = i.expert_id WHERE i.draw_id = '{}' ORDER BY i.line, i.invited_at, i.id",
            d.id
        ),
    )
    .await;
    let seats = invited
        .iter()
        .map(|l| {
            let (e, u) = l.split_once(' ').expect("pair");
            let a = accounts
                .iter()
                .find(|a| a.user_id == u)
                .expect("a member's account")
                .clone();
            (e.to_string(), a)
        })
        .collect::<Vec<_>>();
    assert_eq!(seats.len(), 5);
    let mut bids = Vec::new();
    for b in &w.bidders {
        bids.extend(
            dump(
                db,
                &format!(
                    "SELECT id FROM trading_bids WHERE party_id = '{}' AND status = 'decrypted'",
                    b.party_id
                ),
            )
            .await,
        );
    }
    assert_eq!(bids.len(), 3);
    Setup {
        w,
        s,
        draw_id: d.id,
        seats,
        bids,
        starts,
    }
}

async fn check_in_all(x: &Setup) {
    for (e, _) in &x.seats {
        check_in_at(&x.w.app, &x.w.staff, &x.draw_id, e, "宿迁", x.starts)
            .await
            .expect("check in");
    }
}

fn start_input(x: &Setup) -> StartInput {
    StartInput {
        section_id: x.s.id.clone(),
        draw_id: x.draw_id.clone(),
        template: template(),
        leader: x.seats[0].0.clone(),
        representative_user_id: None,
        hours: Some(8),
    }
}

/// Started and reviewed: bid 2 rejected, bids 0 and 1 scoring.
async fn scoring(x: &Setup) -> String {
    check_in_all(x).await;
    let ev = start_at(&x.w.app, &x.w.staff, start_input(x), x.starts + 1)
        .await
        .expect("start");
    review_at(
        &x.w.app,
        &x.seats[0].1,
        &ev.id,
        review_lines(x),
        x.starts + 2,
    )
    .await
    .expect("review");
    ev.id
}

fn review_lines(x: &Setup) -> ReviewInput {
    ReviewInput {
        lines: vec![
            ReviewLine {
                bid_id: x.bids[0].clone(),
                passed: true,
                reason: None,
                note: String::new(),
            },
            ReviewLine {
                bid_id: x.bids[1].clone(),
                passed: true,
                reason: None,
                note: String::new(),
            },
            ReviewLine {
                bid_id: x.bids[2].clone(),
                passed: false,
                reason: Some("not_responsive".into()),
                note: "投标文件第12页工期为400日历天，超过招标文件要求的365日历天。".into(),
            },
        ],
        reject_all: false,
    }
}

fn sheet(bid: &str, plan: &str, quality: &str, credit: &str) -> SheetInput {
    let e = |c: &str, p: &str| ScoreEntry {
        sub_criterion: c.into(),
        points: d(p),
        comment: String::new(),
    };
    SheetInput {
        bid_id: bid.into(),
        entries: vec![
            e("tech.plan", plan),
            e("tech.quality", quality),
            e("biz.credit", credit),
        ],
    }
}

backend_test!(the_centre_starts_an_evaluation_with_the_checked_in_committee_and_the_leader_reviews);
async fn the_centre_starts_an_evaluation_with_the_checked_in_committee_and_the_leader_reviews(
    db: TestDb,
) {
    let b = db.backend;
    let x = setup(&db).await;
    // Not checked in yet: refused.
    let p = problem(
        start_at(&x.w.app, &x.w.staff, start_input(&x), x.starts - 1).await,
        "before check-in",
    );
    assert_eq!(p.code, "evaluation.committee.not_checked_in", "[{b}]");
    check_in_all(&x).await;
    // The tenderee does not start an evaluation.
    let p = problem(
        start_at(&x.w.app, &x.w.tenderee, start_input(&x), x.starts + 1).await,
        "tenderee",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    // A price weight above the platform's cap (40) is refused with every violation.
    let mut heavy = start_input(&x);
    heavy.template.criteria[0].weight = d("50");
    heavy.template.criteria[1].weight = d("35");
    heavy.template.criteria[1].sub_criteria[0].max_points = d("20");
    let p = problem(
        start_at(&x.w.app, &x.w.staff, heavy, x.starts + 1).await,
        "heavy price",
    );
    assert_eq!(p.kind, ProblemKind::Invalid, "[{b}]");
    assert_eq!(p.code, "evaluation.template", "[{b}]");
    // A leader who is not a member is refused.
    let mut stranger = start_input(&x);
    stranger.leader = "nobody".into();
    let p = problem(
        start_at(&x.w.app, &x.w.staff, stranger, x.starts + 1).await,
        "leader",
    );
    assert_eq!(p.code, "evaluation.leader", "[{b}]");
    let ev = start_at(&x.w.app, &x.w.staff, start_input(&x), x.starts + 1)
        .await
        .expect("start");
    assert_eq!(ev.state, "convened", "[{b}]");
    assert_eq!(
        section(&x.w.app, &x.s.id).await.state,
        "evaluating",
        "[{b}]"
    );
    let v = view(&x.w.app, &x.seats[3].1, &ev.id)
        .await
        .expect("member view");
    assert_eq!(v.members.len(), 5, "[{b}] the checked-in committee");
    assert!(v.members.iter().all(|m| m.user_id.is_some()));
    let p = problem(
        view(&x.w.app, &x.w.bidders[0].actor, &ev.id).await,
        "bidder view",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let p = problem(
        start_at(&x.w.app, &x.w.staff, start_input(&x), x.starts + 2).await,
        "twice",
    );
    assert_eq!(p.code, "evaluation.exists", "[{b}]");
    // Only the leader records the review; every bid once; a rejection states the facts.
    let p = problem(
        review_at(
            &x.w.app,
            &x.seats[1].1,
            &ev.id,
            review_lines(&x),
            x.starts + 2,
        )
        .await,
        "not the leader",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let mut missing = review_lines(&x);
    missing.lines.pop();
    let p = problem(
        review_at(&x.w.app, &x.seats[0].1, &ev.id, missing, x.starts + 2).await,
        "missing bid",
    );
    assert_eq!(p.code, "evaluation.review.bids", "[{b}]");
    let mut bare = review_lines(&x);
    bare.lines[2].note = " ".into();
    let p = problem(
        review_at(&x.w.app, &x.seats[0].1, &ev.id, bare, x.starts + 2).await,
        "no facts",
    );
    assert_eq!(p.code, "evaluation.exclusion.note", "[{b}]");
    let r = review_at(
        &x.w.app,
        &x.seats[0].1,
        &ev.id,
        review_lines(&x),
        x.starts + 2,
    )
    .await
    .expect("review");
    assert_eq!(r.state, "scoring", "[{b}]");
    let v = view(&x.w.app, &x.w.staff, &ev.id)
        .await
        .expect("centre view");
    let rejected: Vec<_> = v.reviews.iter().filter(|r| r.passed == 0).collect();
    assert_eq!(rejected.len(), 1, "[{b}]");
    assert_eq!(rejected[0].bid_id, x.bids[2]);
    assert_eq!(rejected[0].reason.as_deref(), Some("not_responsive"));
    let started = dump(
        &db,
        "SELECT recipient FROM outbox WHERE template = 'evaluation.started'",
    )
    .await;
    assert_eq!(started.len(), 5, "[{b}] every member is told");
    verify_intact(&x.w.app, b).await;
    finish(x.w.app, db).await;
}

backend_test!(
    members_score_alone_explain_outliers_and_the_platform_aggregates_as_the_template_says
);
async fn members_score_alone_explain_outliers_and_the_platform_aggregates_as_the_template_says(
    db: TestDb,
) {
    let b = db.backend;
    let x = setup(&db).await;
    let id = scoring(&x).await;
    let app = &x.w.app;
    let t = x.starts + 10;
    // Before submitting, nobody sees the others' scores.
    let p = problem(scores(app, &x.seats[0].1, &id).await, "hidden");
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    assert_eq!(p.code, "evaluation.scores.hidden", "[{b}]");
    let p = problem(scores(app, &x.w.bidders[0].actor, &id).await, "outsider");
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    // A sheet that breaks the template is refused with every violation; a rejected bid is not scored.
    let bad = SubmitInput {
        sheets: vec![
            sheet(&x.bids[0], "31", "10", "10.123"),
            sheet(&x.bids[1], "20", "10", "10"),
        ],
    };
    let p = problem(
        submit_at(app, &x.seats[0].1, &id, bad, t).await,
        "bad sheet",
    );
    assert_eq!(p.code, "evaluation.sheet", "[{b}]");
    assert_eq!(
        p.details.as_ref().expect("details")["violations"]
            .as_array()
            .expect("list")
            .len(),
        2,
        "[{b}] {p:?}"
    );
    let three = SubmitInput {
        sheets: vec![
            sheet(&x.bids[0], "20", "10", "10"),
            sheet(&x.bids[1], "20", "10", "10"),
            sheet(&x.bids[2], "20", "10", "10"),
        ],
    };
    let p = problem(
        submit_at(app, &x.seats[0].1, &id, three, t).await,
        "rejected bid",
    );
    assert_eq!(p.code, "evaluation.sheets.bids", "[{b}]");
    // Time: one of five saying "not enough" does not extend; a second does (2 × 3 > 5).
    let r = vote_time_at(app, &x.seats[1].1, &id, true, t)
        .await
        .expect("vote");
    assert_eq!(r.extensions, 0, "[{b}]");
    let p = problem(
        vote_time_at(app, &x.seats[1].1, &id, true, t).await,
        "twice",
    );
    assert_eq!(p.code, "evaluation.time_vote.cast", "[{b}]");
    vote_time_at(app, &x.seats[2].1, &id, false, t)
        .await
        .expect("vote");
    let r = vote_time_at(app, &x.seats[3].1, &id, true, t)
        .await
        .expect("vote");
    assert_eq!(r.extensions, 1, "[{b}] extended");
    assert_eq!(r.state, "scoring", "[{b}]");
    // Tech points on bid 0: 20+10, 22+11, 24+12, 26+13 and an outlier 5+5 (median 33).
    let plans = [
        ("20", "10"),
        ("22", "11"),
        ("24", "12"),
        ("26", "13"),
        ("5", "5"),
    ];
    for (i, (plan, quality)) in plans.iter().enumerate() {
        let input = SubmitInput {
            sheets: vec![
                sheet(&x.bids[0], plan, quality, "12"),
                sheet(&x.bids[1], "21", "11", &format!("1{i}.5")),
            ],
        };
        let r = submit_at(app, &x.seats[i].1, &id, input, t + 1 + i as i64)
            .await
            .expect("submit");
        assert_eq!(r.state, "scoring", "[{b}] still scoring");
        if i == 0 {
            let own = scores(app, &x.seats[0].1, &id)
                .await
                .expect("own after submitting");
            assert_eq!(own.sheets.len(), 2, "[{b}] nobody else has submitted yet");
            let p = problem(scores(app, &x.seats[1].1, &id).await, "still hidden");
            assert_eq!(p.code, "evaluation.scores.hidden", "[{b}]");
            let again = SubmitInput {
                sheets: vec![
                    sheet(&x.bids[0], "1", "1", "1"),
                    sheet(&x.bids[1], "1", "1", "1"),
                ],
            };
            let p = problem(submit_at(app, &x.seats[0].1, &id, again, t).await, "twice");
            assert_eq!(p.code, "evaluation.sheets.submitted", "[{b}]");
        }
    }
    // The fifth member's tech score (10) is far from the median (33): it needs a reason.
    let mine = scores(app, &x.seats[4].1, &id).await.expect("scores");
    assert_eq!(mine.sheets.len(), 10, "[{b}] every sheet once submitted");
    assert_eq!(mine.my_flags.len(), 1, "[{b}] {:?}", mine.my_flags);
    assert_eq!(mine.my_flags[0].criterion, "tech");
    assert_eq!(mine.my_flags[0].median, "33");
    let flagged = dump(
        &db,
        "SELECT recipient FROM outbox WHERE template = 'evaluation.outlier'",
    )
    .await;
    assert_eq!(flagged, vec![x.seats[4].1.user_id.clone()], "[{b}]");
    let p = problem(
        explain_at(
            app,
            &x.seats[0].1,
            &id,
            ExplainInput {
                bid_id: x.bids[0].clone(),
                criterion: "tech".into(),
                reason: "无".into(),
            },
            t + 10,
        )
        .await,
        "not flagged",
    );
    assert_eq!(p.code, "evaluation.outlier.not_flagged", "[{b}]");
    let r = explain_at(
        app,
        &x.seats[4].1,
        &id,
        ExplainInput {
            bid_id: x.bids[0].clone(),
            criterion: "tech".into(),
            reason: "施工方案未针对深基坑支护作出安排，质量保证体系缺项。".into(),
        },
        t + 10,
    )
    .await
    .expect("explain");
    assert_eq!(r.state, "reporting", "[{b}] scoring closed");
    // Aggregation exactly as the template says (independent computation).
    let v = view(app, &x.w.staff, &id).await.expect("view");
    let res = v.results.expect("results");
    let mean = |xs: &[Decimal]| {
        (xs.iter().copied().sum::<Decimal>() / Decimal::from(xs.len()))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let tech0 = mean(&[d("30"), d("33"), d("36"), d("39"), d("10")]);
    let tech1 = d("32");
    let biz1 = mean(&[d("10.5"), d("11.5"), d("12.5"), d("13.5"), d("14.5")]);
    let price1 = (d("40") * d("9500000") / d("9600000"))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let s0 = res
        .scores
        .iter()
        .find(|s| s.bid == x.bids[0])
        .expect("bid 0");
    let s1 = res
        .scores
        .iter()
        .find(|s| s.bid == x.bids[1])
        .expect("bid 1");
    assert_eq!(s0.criteria["tech"], tech0, "[{b}]");
    assert_eq!(
        s0.price,
        d("40"),
        "[{b}] the lowest price scores the full weight"
    );
    assert_eq!(s0.total, tech0 + d("12") + d("40"), "[{b}]");
    assert_eq!(s1.criteria["tech"], tech1);
    assert_eq!(s1.criteria["biz"], biz1);
    assert_eq!(s1.price, price1);
    assert_eq!(s1.total, tech1 + biz1 + price1);
    assert_eq!(res.ranking.len(), 2, "[{b}] the rejected bid never ranks");
    // 84.08 (bid 1) against 81.60 (bid 0): the better technical scores outweigh the price.
    assert!(s1.total > s0.total, "[{b}]");
    assert_eq!(res.ranking[0].bid, x.bids[1], "[{b}]");
    assert_eq!(res.ranking[1].bid, x.bids[0], "[{b}]");
    assert_eq!(res.price_base, Some(d("9500000.00")));
    verify_intact(app, b).await;
    finish(x.w.app, db).await;
}

backend_test!(the_leader_compiles_the_report_and_every_member_signs_with_dissent_recorded);
async fn the_leader_compiles_the_report_and_every_member_signs_with_dissent_recorded(db: TestDb) {
    let b = db.backend;
    let x = setup(&db).await;
    let id = scoring(&x).await;
    let app = &x.w.app;
    let t = x.starts + 10;
    let p = problem(compile_at(app, &x.seats[0].1, &id, t).await, "too early");
    assert_eq!(p.code, "evaluation.report.not_now", "[{b}]");
    for (i, (_, a)) in x.seats.iter().enumerate() {
        let input = SubmitInput {
            sheets: vec![
                sheet(&x.bids[0], "25", "12", "12"),
                sheet(&x.bids[1], "24", &format!("1{i}"), "12"),
            ],
        };
        submit_at(app, a, &id, input, t + i as i64)
            .await
            .expect("submit");
    }
    let p = problem(
        compile_at(app, &x.seats[1].1, &id, t + 10).await,
        "not the leader",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let p = problem(
        sign_at(
            app,
            &x.seats[1].1,
            &id,
            SignInput {
                position: "signed".into(),
                reason: None,
            },
            t + 10,
        )
        .await,
        "nothing to sign",
    );
    assert_eq!(p.code, "evaluation.report.not_compiled", "[{b}]");
    let r = compile_at(app, &x.seats[0].1, &id, t + 11)
        .await
        .expect("compile");
    let text = r.report.clone().expect("report text");
    assert!(text.contains("candidate="), "[{b}] {text}");
    assert!(
        text.contains("exclusion="),
        "[{b}] the rejection is in the report"
    );
    let p = problem(
        sign_at(
            app,
            &x.seats[4].1,
            &id,
            SignInput {
                position: "signed_with_dissent".into(),
                reason: Some("  ".into()),
            },
            t + 12,
        )
        .await,
        "dissent without reasons",
    );
    assert_eq!(p.code, "evaluation.signing.reason", "[{b}]");
    for (i, (_, a)) in x.seats.iter().enumerate() {
        let input = if i == 4 {
            SignInput {
                position: "signed_with_dissent".into(),
                reason: Some("第二名的施工方案更优，技术分差距被低估。".into()),
            }
        } else {
            SignInput {
                position: "signed".into(),
                reason: None,
            }
        };
        let r = sign_at(app, a, &id, input, t + 13 + i as i64)
            .await
            .expect("sign");
        let expect = if i == 4 { "report_signed" } else { "reporting" };
        assert_eq!(r.state, expect, "[{b}] after {i}");
    }
    let p = problem(
        sign_at(
            app,
            &x.seats[0].1,
            &id,
            SignInput {
                position: "signed".into(),
                reason: None,
            },
            t + 20,
        )
        .await,
        "twice",
    );
    assert_eq!(p.kind, ProblemKind::Conflict, "[{b}]");
    let v = view(app, &x.w.staff, &id).await.expect("view");
    assert_eq!(v.signatures.len(), 5, "[{b}]");
    assert!(
        v.signatures.iter().all(|s| s.valid),
        "[{b}] every signature verifies"
    );
    for s in &v.signatures {
        let sig = s.signature.as_deref().expect("signed");
        assert!(verify_signature(&s.public_key, text.as_bytes(), sig));
        assert!(!verify_signature(&s.public_key, b"another text", sig));
    }
    let keys: std::collections::BTreeSet<_> = v.signatures.iter().map(|s| &s.public_key).collect();
    assert_eq!(keys.len(), 5, "[{b}] one key per member");
    let dissent: Vec<_> = v
        .signatures
        .iter()
        .filter(|s| s.position == "signed_with_dissent")
        .collect();
    assert_eq!(dissent.len(), 1, "[{b}]");
    assert!(
        dissent[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("施工方案")
    );
    let told = dump(
        &db,
        "SELECT recipient FROM outbox WHERE template = 'evaluation.report.signed'",
    )
    .await;
    assert_eq!(
        told,
        vec![x.w.tenderee.user_id.clone()],
        "[{b}] the tenderee is told"
    );
    verify_intact(app, b).await;
    finish(x.w.app, db).await;
}

backend_test!(candidates_are_published_objections_pause_the_award_and_a_late_objection_is_refused);
async fn candidates_are_published_objections_pause_the_award_and_a_late_objection_is_refused(
    db: TestDb,
) {
    use yiwang_app::evaluation::award::{
        AnswerInput, AwardInput, answer_objection_at, award_at, publish_candidates_at,
        raise_objection_at,
    };
    let b = db.backend;
    let x = setup(&db).await;
    let id = scoring(&x).await;
    let app = &x.w.app;
    let t = x.starts + 10;
    for (i, (_, a)) in x.seats.iter().enumerate() {
        let input = SubmitInput {
            sheets: vec![
                sheet(&x.bids[0], "25", "12", "12"),
                sheet(&x.bids[1], "24", "12", "12"),
            ],
        };
        submit_at(app, a, &id, input, t + i as i64)
            .await
            .expect("submit");
    }
    compile_at(app, &x.seats[0].1, &id, t + 10)
        .await
        .expect("compile");
    for (i, (_, a)) in x.seats.iter().enumerate() {
        let signed = SignInput {
            position: "signed".into(),
            reason: None,
        };
        sign_at(app, a, &id, signed, t + 11 + i as i64)
            .await
            .expect("sign");
    }
    // Nothing to object to before the publicity.
    let p = problem(
        raise_objection_at(
            app,
            &x.w.bidders[2].actor,
            &id,
            &x.w.bidders[2].party_id,
            "不服",
            t + 20,
        )
        .await,
        "early",
    );
    assert_eq!(p.code, "evaluation.objection.early", "[{b}]");
    let p = problem(
        publish_candidates_at(app, &x.w.staff, &id, t + 20).await,
        "staff",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let published = t + 20;
    let r = publish_candidates_at(app, &x.w.tenderee, &id, published)
        .await
        .expect("publish");
    assert_eq!(r.state, "candidates_published", "[{b}]");
    assert_eq!(section(app, &x.s.id).await.state, "candidates_published");
    let v = view(app, &x.w.staff, &id).await.expect("view");
    let award = v.results.expect("results").award.expect("award");
    let until = award.publicity_until.expect("until");
    assert!(until - published >= 3 * DAY, "[{b}] at least 3 days");
    assert_eq!(award.candidates.len(), 2, "[{b}] the valid bids, ≤ 3");
    // An objection in the period pauses the award.
    let o = raise_objection_at(
        app,
        &x.w.bidders[2].actor,
        &id,
        &x.w.bidders[2].party_id,
        "我公司投标文件工期满足要求，否决理由不成立。",
        published + DAY,
    )
    .await
    .expect("objection in time");
    assert_eq!(section(app, &x.s.id).await.state, "suspended", "[{b}]");
    let winner = award.candidates[0].clone();
    let p = problem(
        award_at(
            app,
            &x.w.tenderee,
            &id,
            AwardInput {
                winner: winner.clone(),
                passed_over: vec![],
            },
            until + 1,
        )
        .await,
        "pending",
    );
    assert_eq!(p.code, "evaluation.award.objection_pending", "[{b}]");
    let r = answer_objection_at(
        app,
        &x.w.tenderee,
        &id,
        AnswerInput {
            objection_id: o.id.clone(),
            upheld: false,
            answer: "投标文件第12页载明工期400日历天，否决理由成立。".into(),
        },
        published + 2 * DAY,
    )
    .await
    .expect("answer");
    assert_eq!(r.state, "candidates_published", "[{b}]");
    assert_eq!(section(app, &x.s.id).await.state, "candidates_published");
    // Not before the publicity ends.
    let p = problem(
        award_at(
            app,
            &x.w.tenderee,
            &id,
            AwardInput {
                winner: winner.clone(),
                passed_over: vec![],
            },
            until - 1,
        )
        .await,
        "running",
    );
    assert_eq!(p.code, "evaluation.award.publicity_running", "[{b}]");
    // An objection after the period is refused.
    let p = problem(
        raise_objection_at(
            app,
            &x.w.bidders[1].actor,
            &id,
            &x.w.bidders[1].party_id,
            "评分不公",
            until,
        )
        .await,
        "late",
    );
    assert_eq!(p.kind, ProblemKind::Conflict, "[{b}]");
    assert_eq!(p.code, "evaluation.objection.late", "[{b}]");
    // Rank 1 wins unless passed over with reasons.
    let p = problem(
        award_at(
            app,
            &x.w.tenderee,
            &id,
            AwardInput {
                winner: award.candidates[1].clone(),
                passed_over: vec![],
            },
            until + 1,
        )
        .await,
        "rank two",
    );
    assert_eq!(p.code, "evaluation.award.rank_one", "[{b}]");
    let r = award_at(
        app,
        &x.w.tenderee,
        &id,
        AwardInput {
            winner: winner.clone(),
            passed_over: vec![],
        },
        until + 1,
    )
    .await
    .expect("award");
    assert_eq!(r.state, "awarded", "[{b}]");
    assert_eq!(section(app, &x.s.id).await.state, "awarded", "[{b}]");
    verify_intact(app, b).await;
    finish(x.w.app, db).await;
}
