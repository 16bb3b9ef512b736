//! The evaluation demo (minimal; pages and a demo at every step come later): the committee that
//! checked in for 第四标段 (opened) claims its expert records with accounts of its own
//! (`expert-m1` … with the demo password), the centre starts the evaluation with a 综合评估法
//! template, the leader records the review, every member scores, one time vote, the report is
//! compiled and signed (one member with a dissent). Run after the trading and experts demos.

use std::sync::Arc;

use rust_decimal::Decimal;
use yiwang_core::evaluation::{
    Aggregation, Criterion, CriterionCategory, OutlierRule, PriceFormula, ScoreEntry,
    ScoringTemplate, SubCriterion,
};
use yiwang_core::experts::SeatState;
use yiwang_core::experts::roster::Roster;
use yiwang_core::trading::AwardMethod;

use crate::evaluation::report::{SignInput, compile_at, sign_at};
use crate::evaluation::scoring::{SheetInput, SubmitInput, submit_at, vote_time_at};
use crate::evaluation::start::{ReviewInput, ReviewLine, StartInput, review_at, start_at};
use crate::{Acting, App, AppError, AppResult};

fn demo_error(what: &str) -> AppError {
    AppError::Internal(format!(
        "evaluation demo: {what} missing (run the base, trading and experts demos first)"
    ))
}

fn d(s: &str) -> Decimal {
    s.parse().expect("a literal decimal")
}

/// The demo's 综合评估法 template: price 40 (lowest valid bid), technical 45, business 15.
pub fn demo_template() -> ScoringTemplate {
    let sub = |code: &str, name: &str, max: &str| SubCriterion {
        code: code.into(),
        name: name.into(),
        max_points: d(max),
        comment_required: false,
    };
    ScoringTemplate {
        name: "综合评估法（施工，价格分40分）".into(),
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
                    sub("tech.plan", "施工方案与技术措施", "30"),
                    sub("tech.quality", "质量与安全保证体系", "15"),
                ],
            },
            Criterion {
                code: "biz".into(),
                name: "商务标".into(),
                category: CriterionCategory::Business,
                weight: d("15"),
                sub_criteria: vec![sub("biz.credit", "企业信誉与业绩", "15")],
            },
        ],
        price_formula: PriceFormula::LowestBid,
        aggregation: Aggregation::default(),
        outlier: OutlierRule::default(),
        score_decimals: 2,
    }
}

async fn actor(app: &App, username: &str) -> AppResult<yiwang_core::access::Actor> {
    let mut tx = app.store.read().await?;
    let user = tx
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| demo_error(username))?;
    crate::identity::actor_of(&mut *tx, &user).await
}

/// The committee of 第四标段 with accounts of its own (`expert-m1` … with the demo password).
pub struct Committee {
    pub section_id: String,
    pub round: i64,
    pub draw_id: String,
    pub starts_at: i64,
    /// The checked-in members' expert ids, in seat order.
    pub expert_ids: Vec<String>,
    pub accounts: Vec<yiwang_core::access::Actor>,
}

/// Each checked-in member of 第四标段's committee claims its imported record with an account of
/// its own (the evaluation is online; the experts demo imported them without accounts).
pub async fn committee_accounts(app: &Arc<App>) -> AppResult<Committee> {
    let (section, draw) = {
        let mut tx = app.store.read().await?;
        let s = tx
            .list_sections(None)
            .await?
            .into_iter()
            .find(|s| s.name == "第四标段（照明工程）")
            .ok_or_else(|| demo_error("第四标段"))?;
        let d = tx
            .list_draws(Some(&s.id))
            .await?
            .into_iter()
            .find(|d| d.checked_in_at.is_some())
            .ok_or_else(|| demo_error("the checked-in draw of 第四标段"))?;
        (s, d)
    };
    let roster: Roster = serde_json::from_str(draw.roster.as_deref().unwrap_or("null"))
        .map_err(|_| demo_error("roster"))?;
    let seated: Vec<String> = roster
        .lines
        .iter()
        .flat_map(|l| l.seats.iter())
        .filter(|s| s.state == SeatState::CheckedIn)
        .map(|s| s.expert_id.clone())
        .collect();
    let mut members = Vec::new();
    for (n, expert_id) in seated.iter().enumerate() {
        let e = app
            .store
            .read()
            .await?
            .get_expert(expert_id)
            .await?
            .ok_or_else(|| demo_error("expert"))?;
        // A member who already has an account (the demo expert account can be drawn) scores
        // with it; creating another for the same identity number would be a duplicate.
        if let Some(user_id) = &e.user_id {
            let mut tx = app.store.read().await?;
            let u = tx
                .get_user(user_id)
                .await?
                .ok_or_else(|| demo_error("expert account"))?;
            members.push(crate::identity::actor_of(&mut *tx, &u).await?);
            continue;
        }
        let mut tx = app.store.write().await?;
        let u = crate::identity::insert_user(
            &mut *tx,
            &Acting::system(),
            crate::identity::NewUser {
                username: format!("expert-m{}", n + 1),
                display_name: e.name.clone(),
                kind: "natural_person".into(),
                password: super::DEMO_PASSWORD.into(),
                id_number: Some(e.id_number.clone()),
                credit_code: None,
                phone: None,
                email: None,
                grants: vec![],
            },
        )
        .await?;
        let a = crate::identity::actor_of(&mut *tx, &u).await?;
        tx.commit().await?;
        crate::experts::register::claim(app, &a).await?;
        members.push(a);
    }
    Ok(Committee {
        section_id: section.id,
        round: section.round,
        draw_id: draw.id,
        starts_at: draw.starts_at,
        expert_ids: seated,
        accounts: members,
    })
}

/// Build the evaluation demo; returns the evaluation's id.
pub async fn build(app: &Arc<App>) -> AppResult<String> {
    let staff = actor(app, "trading").await?;
    let c = committee_accounts(app).await?;
    let (members, seated) = (&c.accounts, &c.expert_ids);
    let leader = members.first().ok_or_else(|| demo_error("members"))?;
    let t = c.starts_at + 60_000_000;
    let ev = start_at(
        app,
        &staff,
        StartInput {
            section_id: c.section_id.clone(),
            draw_id: c.draw_id.clone(),
            template: demo_template(),
            leader: seated[0].clone(),
            representative_user_id: None,
            hours: Some(8),
        },
        t,
    )
    .await?;
    let bids: Vec<String> = {
        let mut tx = app.store.read().await?;
        crate::evaluation::bid_prices(&mut *tx, &c.section_id, c.round)
            .await?
            .into_keys()
            .collect()
    };
    review_at(
        app,
        leader,
        &ev.id,
        ReviewInput {
            lines: bids
                .iter()
                .map(|b| ReviewLine {
                    bid_id: b.clone(),
                    passed: true,
                    reason: None,
                    note: String::new(),
                })
                .collect(),
            reject_all: false,
        },
        t + 1,
    )
    .await?;
    vote_time_at(app, &members[1], &ev.id, true, t + 2).await?;
    for (m, a) in members.iter().enumerate() {
        let sheets = bids
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let e = |c: &str, p: String| ScoreEntry {
                    sub_criterion: c.into(),
                    points: d(&p),
                    comment: String::new(),
                };
                SheetInput {
                    bid_id: b.clone(),
                    entries: vec![
                        e("tech.plan", format!("{}", 22 + (i + m) % 5)),
                        e("tech.quality", format!("{}.5", 10 + (i * 2 + m) % 4)),
                        e("biz.credit", format!("{}", 11 + (i + 2 * m) % 3)),
                    ],
                }
            })
            .collect();
        submit_at(app, a, &ev.id, SubmitInput { sheets }, t + 10 + m as i64).await?;
    }
    compile_at(app, leader, &ev.id, t + 100).await?;
    for (m, a) in members.iter().enumerate() {
        let input = if m + 1 == members.len() {
            SignInput {
                position: "signed_with_dissent".into(),
                reason: Some("对第二名的施工方案评价偏低，保留意见。".into()),
            }
        } else {
            SignInput {
                position: "signed".into(),
                reason: None,
            }
        };
        sign_at(app, a, &ev.id, input, t + 200 + m as i64).await?;
    }
    Ok(ev.id)
}
