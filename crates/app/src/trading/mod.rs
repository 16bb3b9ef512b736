//! 公共资源交易: the use cases of the trading capability (DOMAIN Part 2, §2.1–2.3). Every state
//! change authorizes with `yiwang_core::access`, applies the rules of `yiwang_core::trading`
//! (`next_state`, the schedule and deposit checks, the bid rules) and writes its rows, its ledger
//! entry and its notifications in one transaction, on the server's clock.
//!
//! | module | use cases |
//! |---|---|
//! | [`parties`] | register a party and issue its SM2 signing key pair |
//! | [`tenders`] | projects and sections, 进场登记, tender documents and the 量体裁衣 check, publication, downloads, clarifications |
//! | [`deposits`] | virtual accounts, payments, refunds |
//! | [`objections`] | 异议 in time, answers, the pause and the moved deadline |
//! | [`archive`] | 一项目一档案: the section's archive (records, files, manifest with ledger proofs) and its offline check |
//! | [`bids`] | sealed bids: submit, replace, withdraw, receipts; time-gated reads |
//! | [`opening`] | the opening job at the deadline, decryption by the bidders, the signed opening record |
//! | [`ocds`] | OCDS 1.1 releases per lifecycle event, release packages and compiled records (read-only) |
//! | [`sealing`] | HPKE sealing (bidder side, CLI, demo), the custodian key ceremony, opening a sealed file |
//! | [`unsealing`] | the section's custodian key, opening sealed bids with the bidder's key or a custodian quorum |
//!
//! Functions ending in `_at` take the server's clock as an argument: the jobs and the tests call
//! them; handlers call the plain ones, which read the clock themselves. No handler may pass a
//! client's time.

pub mod archive;
pub mod bids;
pub mod deposits;
pub mod objections;
pub mod ocds;
pub mod opening;
pub mod parties;
pub mod portal;
pub mod sealing;
pub mod tenders;
pub mod unsealing;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::trading::{SectionEvent, SectionState, SectionStatus};
use yiwang_store::prelude::*;
use yiwang_store::{
    Clarification, Deposit, DocumentDownload, Objection, Opening, SealedBid, TenderDocument,
    TradingParty, TradingProject, TradingSection,
};

use crate::notify::{self, Channel, Message};
use crate::{App, AppError, AppResult};

pub(crate) fn utc(micros: i64) -> DateTime<Utc> {
    yiwang_core::time::from_micros(micros)
}

/// Parses an amount of money (yuan) exactly.
pub(crate) fn money(text: &str, field: &str) -> Result<Decimal, Problem> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|d| *d >= Decimal::ZERO)
        .ok_or_else(|| {
            Problem::invalid(
                "trading.money",
                format!("金额格式错误：{field}。"),
                format!("Not an amount of money: {field}."),
            )
        })
}

pub(crate) fn status_of(s: &TradingSection) -> Result<SectionStatus, Problem> {
    let bad = || {
        Problem::invalid(
            "trading.status_inconsistent",
            "标段状态数据不一致。",
            "The stored section status is inconsistent.",
        )
    };
    let state = SectionState::parse(&s.state).ok_or_else(bad)?;
    let resume = match &s.resume_to {
        Some(r) => Some(SectionState::parse(r).ok_or_else(bad)?),
        None => None,
    };
    SectionStatus::from_parts(state, resume)
}

pub(crate) fn set_status(s: &mut TradingSection, st: SectionStatus) {
    s.state = st.state.as_str().into();
    s.resume_to = st.resume_to.map(|r| r.as_str().to_string());
}

pub(crate) fn not_found_section() -> AppError {
    Problem::not_found("标段", "Section").into()
}

/// The section and its project.
pub(crate) async fn section_ctx(
    tx: &mut dyn ReadTx,
    section_id: &str,
) -> AppResult<(TradingSection, TradingProject)> {
    let s = tx
        .get_section(section_id)
        .await?
        .ok_or_else(not_found_section)?;
    let p = tx
        .get_project(&s.project_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("section {} has no project", s.id)))?;
    Ok((s, p))
}

pub(crate) async fn org_path(tx: &mut dyn ReadTx, org_id: &str) -> AppResult<String> {
    Ok(tx
        .get_organisation(org_id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?
        .path)
}

/// The grant by which `actor` runs the project's tender: tenderee's or agency's people.
pub(crate) async fn tender_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    project: &TradingProject,
) -> AppResult<&'a Grant> {
    let mut orgs = Vec::new();
    for id in std::iter::once(&project.tenderee_id).chain(project.agency_id.iter()) {
        if let Some(p) = tx.get_party(id).await? {
            orgs.push(org_path(tx, &p.org_id).await?);
        }
    }
    for path in &orgs {
        if let Ok(g) = access::authorize(actor, Permission::ManageTender, Scope::Org(path)) {
            return Ok(g);
        }
    }
    Err(Problem::forbidden().into())
}

/// The grant by which `actor` works for the project's trading centre.
pub(crate) async fn centre_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    project: &TradingProject,
) -> AppResult<&'a Grant> {
    let path = org_path(tx, &project.centre_org_id).await?;
    Ok(access::authorize(
        actor,
        Permission::OperateTradingCentre,
        Scope::Org(&path),
    )?)
}

/// The bidder party `party_id` and the grant by which `actor` acts for it.
pub(crate) async fn bidder_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    party_id: &str,
) -> AppResult<(TradingParty, &'a Grant)> {
    let party = tx
        .get_party(party_id)
        .await?
        .ok_or_else(|| Problem::not_found("市场主体", "Party"))?;
    if yiwang_core::trading::parties::PartyKind::parse(&party.kind)
        != Some(yiwang_core::trading::parties::PartyKind::Bidder)
    {
        return Err(Problem::invalid(
            "trading.party.not_bidder",
            "该主体未注册为投标人。",
            "The party is not registered as a bidder.",
        )
        .into());
    }
    let path = org_path(tx, &party.org_id).await?;
    let grant = access::authorize(actor, Permission::Bid, Scope::Org(&path))?;
    Ok((party, grant))
}

/// Whether the grant's role performs `event` (the lifecycle's performers).
pub(crate) fn performs(grant: &Grant, event: SectionEvent) -> Result<(), Problem> {
    match access::trading_performer(grant.role) {
        Some(p) if event.may_be_performed_by(p) => Ok(()),
        _ => Err(Problem::forbidden()),
    }
}

/// Queue an in-app notification to everyone holding a role in `org_id`.
pub(crate) async fn notify_org(
    tx: &mut dyn WriteTx,
    org_id: &str,
    template: &str,
    params: serde_json::Value,
) -> AppResult<()> {
    let mut users: Vec<String> = tx
        .list_grants()
        .await?
        .into_iter()
        .filter(|g| g.org_id == org_id)
        .map(|g| g.user_id)
        .collect();
    users.sort();
    users.dedup();
    for u in users {
        notify::queue(tx, Channel::InApp, &u, template, params.clone()).await?;
    }
    Ok(())
}

/// Notification texts of the trading capability (`None` for other templates).
pub fn render(template: &str, params: &serde_json::Value) -> Option<Message> {
    let p = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (title, body) = match template {
        "trading.entry.accepted" => (
            "进场登记已受理",
            format!(
                "标段“{}”已完成进场登记，统一交易标识码：{}。",
                p("section"),
                p("code")
            ),
        ),
        "trading.tender.published" => (
            "招标公告已发布",
            format!(
                "标段“{}”（{}）已发布招标公告，投标截止时间：{}。",
                p("section"),
                p("code"),
                p("deadline")
            ),
        ),
        "trading.clarification" => (
            "招标文件澄清",
            format!(
                "标段“{}”发布了澄清或修改，投标截止时间：{}。",
                p("section"),
                p("deadline")
            ),
        ),
        "trading.bid.receipt" => (
            "投标回执",
            format!(
                "标段“{}”投标文件已{}，回执编号：{}。",
                p("section"),
                p("action"),
                p("receipt_no")
            ),
        ),
        "trading.section.opened" => (
            "已开标",
            format!(
                "标段“{}”已开标，请在{}前完成投标文件解密。",
                p("section"),
                p("until")
            ),
        ),
        "trading.section.failed" => (
            "流标",
            format!(
                "标段“{}”流标：有效投标{}家，少于{}家。",
                p("section"),
                p("found"),
                p("needed")
            ),
        ),
        "trading.objection.raised" => (
            "收到异议",
            format!(
                "标段“{}”收到对招标文件的异议，请于{}前答复，答复前应暂停招标投标活动。",
                p("section"),
                p("due")
            ),
        ),
        "trading.objection.answered" => (
            "异议已答复",
            format!("您对标段“{}”提出的异议已答复。", p("section")),
        ),
        "trading.opening.record" => (
            "开标记录已公布",
            format!("标段“{}”开标记录已公布。", p("section")),
        ),
        _ => return None,
    };
    Some(Message {
        title: title.into(),
        body,
    })
}

/// 交易公告: every published section (with its project), newest notice first — public, so
/// sections not yet published are left out.
pub async fn published_sections(
    app: &App,
) -> AppResult<Vec<(TradingSection, Option<TradingProject>)>> {
    let mut tx = app.store.read().await?;
    let projects = tx.list_projects().await?;
    let mut sections: Vec<TradingSection> = tx
        .list_sections(None)
        .await?
        .into_iter()
        .filter(|s| s.notice_at.is_some() && s.transaction_code.is_some())
        .collect();
    sections.sort_by(|a, b| b.notice_at.cmp(&a.notice_at).then(a.id.cmp(&b.id)));
    Ok(sections
        .into_iter()
        .map(|s| {
            let p = projects.iter().find(|p| p.id == s.project_id).cloned();
            (s, p)
        })
        .collect())
}

/// One published section with its project; a section not yet published is not found.
pub async fn published_section(
    app: &App,
    id: &str,
) -> AppResult<(TradingSection, Option<TradingProject>)> {
    let mut tx = app.store.read().await?;
    let s = tx
        .get_section(id)
        .await?
        .filter(|s| s.notice_at.is_some())
        .ok_or_else(|| Problem::not_found("标段", "Section"))?;
    let p = tx.get_project(&s.project_id).await?;
    Ok((s, p))
}

/// The current round of a section (a re-tendered section starts a new one).
pub async fn current_round(app: &App, id: &str) -> AppResult<i64> {
    Ok(app
        .store
        .read()
        .await?
        .get_section(id)
        .await?
        .ok_or_else(|| Problem::not_found("标段", "Section"))?
        .round)
}

macro_rules! templates {
    ($($key:literal),* $(,)?) => {
        &[$(crate::registry::TemplateSpec {
            key: $key,
            render: |p| render($key, p.0).expect("every registered trading template renders"),
        }),*]
    };
}

/// Trading in the capability registry: its covered tables, the opening jobs and its messages.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "trading",
    covered: yiwang_store::trading::TRADING_TABLES,
    covered_rows: Some(|tx, out| Box::pin(covered_rows(tx, out))),
    jobs: &[
        crate::registry::JobSpec {
            kind: opening::OPEN_JOB,
            run: |app, tx, _job| Box::pin(opening::open_due(app, tx, crate::now_micros())),
            every: None,
        },
        crate::registry::JobSpec {
            kind: opening::CLOSE_JOB,
            run: |app, tx, _job| Box::pin(opening::close_due(app, tx, crate::now_micros())),
            every: None,
        },
    ],
    templates: templates!(
        "trading.entry.accepted",
        "trading.tender.published",
        "trading.clarification",
        "trading.bid.receipt",
        "trading.section.opened",
        "trading.section.failed",
        "trading.objection.raised",
        "trading.objection.answered",
        "trading.opening.record",
    ),
};

/// Every trading row with its digest, for `yiwang audit verify`.
pub async fn covered_rows(
    tx: &mut dyn ReadTx,
    out: &mut Vec<crate::registry::CoveredRow>,
) -> AppResult<()> {
    for r in tx.list_parties().await? {
        out.push((TradingParty::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_projects().await? {
        out.push((TradingProject::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_sections(None).await? {
        out.push((TradingSection::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_documents(None).await? {
        out.push((TenderDocument::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_downloads(None).await? {
        out.push((DocumentDownload::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_clarifications(None).await? {
        out.push((Clarification::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_objections(None).await? {
        out.push((Objection::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_deposits(None).await? {
        out.push((Deposit::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_bids(None).await? {
        out.push((SealedBid::TABLE, r.id.clone(), r.digest()));
    }
    for r in tx.list_openings(None).await? {
        out.push((Opening::TABLE, r.id.clone(), r.digest()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn trading_templates_fill_their_parameters_and_others_pass_through() {
        let m = render(
            "trading.section.failed",
            &serde_json::json!({ "section": "第一标段", "found": "2", "needed": "3" }),
        )
        .expect("a trading template");
        assert_eq!(m.title, "流标");
        assert!(m.body.contains("第一标段") && m.body.contains("少于3家"));
        assert!(render("account.created", &serde_json::json!({})).is_none());
        assert_eq!(
            crate::notify::render(
                "trading.bid.receipt",
                &serde_json::json!({"receipt_no": "R1"})
            )
            .expect("registered")
            .title,
            "投标回执"
        );
    }
}
