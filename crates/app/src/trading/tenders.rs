//! Projects and sections, 进场登记, tender documents with the 量体裁衣 check, publication under the
//! legal minimums (on the server's clock), document downloads and clarifications.

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{Actor, OrgKind};
use yiwang_core::calendar::local_date;
use yiwang_core::ids::{CreditCode, credit_code_check_char};
use yiwang_core::trading::clauses::{
    ClauseFinding, Justification, check_clauses, check_publishable,
};
use yiwang_core::trading::periods::{check_deposit, violations_problem};
use yiwang_core::trading::schedule::{check_schedule, deadline_after_clarification};
use yiwang_core::trading::{
    PeriodRules, ProposedSchedule, SectionEvent, SectionState, SectionStatus, TradeField,
    TradeMethod, TransactionCode, next_state,
};
use yiwang_store::prelude::*;
use yiwang_store::{
    Clarification, DocumentDownload, TenderDocument, TradingParty, TradingProject, TradingSection,
};

use super::{
    bidder_grant, centre_grant, money, notify_org, performs, section_ctx, set_status, status_of,
    tender_grant, utc,
};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// The opening job's kind (see [`super::opening::open_due`]).
pub use super::opening::OPEN_JOB;

fn bad(code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    Problem::invalid(format!("trading.{code}"), zh, en).into()
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

/// Input of one section of [`create_project`].
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewSection {
    pub name: String,
    /// `TradeField` text, e.g. `construction`.
    pub field: String,
    /// 交易类别子码 01–99 of the transaction code.
    pub sub_category: u8,
    /// `TradeMethod` text, e.g. `open_tender`.
    pub method: String,
    /// 估算价/预算, yuan, decimal text.
    pub estimated_price: String,
    /// 投标保证金, yuan, decimal text (≤ 2% of the estimated price).
    pub deposit: Option<String>,
}

/// Input of [`create_project`].
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewProject {
    pub code: String,
    pub name: String,
    pub tenderee_party_id: String,
    pub agency_party_id: Option<String>,
    /// The trading centre (公共资源交易中心) the project enters.
    pub centre_org_id: String,
    pub sections: Vec<NewSection>,
}

fn rules_for(field: TradeField, method: TradeMethod) -> AppResult<PeriodRules> {
    PeriodRules::for_trade(field, method).ok_or_else(|| {
        bad(
            "method",
            format!("“{}”不适用于“{}”。", method.label_zh(), field.label_zh()),
            format!(
                "{} is not a method of {}.",
                method.label_en(),
                field.label_en()
            ),
        )
    })
}

fn parse_section(s: &TradingSection) -> AppResult<(TradeField, TradeMethod)> {
    let f = TradeField::parse(&s.field)
        .ok_or_else(|| AppError::Internal(format!("section {}: bad field", s.id)))?;
    let m = TradeMethod::parse(&s.method)
        .ok_or_else(|| AppError::Internal(format!("section {}: bad method", s.id)))?;
    Ok((f, m))
}

/// Create a project and its sections (tenderee's or agency's people); the sections wait for the
/// centre's 进场登记.
pub async fn create_project(
    app: &App,
    actor: &Actor,
    input: NewProject,
) -> AppResult<(TradingProject, Vec<TradingSection>)> {
    let name = input.name.trim().to_string();
    let code = input.code.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 || code.is_empty() || code.len() > 64 {
        return Err(bad(
            "project",
            "项目名称与编号不能为空，名称不超过200个字符。",
            "A project needs a code and a name of at most 200 characters.",
        ));
    }
    if input.sections.is_empty() || input.sections.len() > 999 {
        return Err(bad(
            "sections",
            "项目至少包含一个标段。",
            "A project has at least one section.",
        ));
    }
    let mut tx = app.store.write().await?;
    let tenderee = party_of_kind(&mut *tx, &input.tenderee_party_id, "tenderee").await?;
    if let Some(a) = &input.agency_party_id {
        party_of_kind(&mut *tx, a, "agency").await?;
    }
    let centre = tx
        .get_organisation(&input.centre_org_id)
        .await?
        .ok_or_else(|| Problem::not_found("交易中心", "Trading centre"))?;
    if OrgKind::parse(&centre.kind) != Some(OrgKind::TradingCentre) {
        return Err(bad(
            "centre",
            "所选机构不是公共资源交易中心。",
            "The organisation chosen is not a trading centre.",
        ));
    }
    let now = now_micros();
    let project = TradingProject {
        id: new_id(),
        code,
        name,
        tenderee_id: tenderee.id.clone(),
        agency_id: input.agency_party_id.clone(),
        centre_org_id: centre.id.clone(),
        created_by: Some(actor.user_id.clone()),
        created_at: now,
        updated_at: now,
    };
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    tx.insert_project(&project).await?;
    let mut rows = vec![digest(TradingProject::TABLE, &project.id, project.digest())];
    let mut sections = Vec::new();
    for (i, s) in input.sections.iter().enumerate() {
        let field = TradeField::parse(&s.field)
            .ok_or_else(|| bad("field", "交易领域无效。", "Unknown field of trade."))?;
        let method = TradeMethod::parse(&s.method)
            .ok_or_else(|| bad("method", "交易方式无效。", "Unknown trading method."))?;
        if !field.allows(method) {
            rules_for(field, method)?;
            return Err(bad(
                "method",
                format!("“{}”不适用于“{}”。", method.label_zh(), field.label_zh()),
                format!(
                    "{} is not a method of {}.",
                    method.label_en(),
                    field.label_en()
                ),
            ));
        }
        let rules = rules_for(field, method)?;
        if !(1..=99).contains(&s.sub_category) {
            return Err(bad(
                "sub_category",
                "交易类别子码应为01至99。",
                "The sub-category must be 01 to 99.",
            ));
        }
        let estimated = money(&s.estimated_price, "估算价")?;
        let deposit = match &s.deposit {
            Some(d) => {
                let d = money(d, "投标保证金")?;
                let v = check_deposit(&rules, estimated, d);
                if !v.is_empty() {
                    return Err(violations_problem(&v).into());
                }
                Some(d.to_string())
            }
            None => None,
        };
        let section_name = s.name.trim().to_string();
        if section_name.is_empty() || section_name.chars().count() > 200 {
            return Err(bad(
                "section_name",
                "标段名称不能为空且不超过200个字符。",
                "A section name must be 1 to 200 characters.",
            ));
        }
        let mut row = TradingSection {
            id: new_id(),
            project_id: project.id.clone(),
            number: i as i64 + 1,
            name: section_name,
            transaction_code: None,
            field: field.as_str().into(),
            sub_category: i64::from(s.sub_category),
            method: method.as_str().into(),
            estimated_price: estimated.to_string(),
            deposit,
            state: String::new(),
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
            created_at: now,
            updated_at: now,
            custodian_key: None,
        };
        set_status(&mut row, SectionStatus::REGISTERED);
        tx.insert_section(&row).await?;
        rows.push(digest(TradingSection::TABLE, &row.id, row.digest()));
        sections.push(row);
    }
    record(
        &mut *tx,
        &by,
        "trading.project.create",
        ("trading_project", &project.id),
        rows,
        serde_json::json!({ "code": project.code, "sections": sections.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok((project, sections))
}

async fn party_of_kind(tx: &mut dyn ReadTx, id: &str, kind: &str) -> AppResult<TradingParty> {
    let p = tx
        .get_party(id)
        .await?
        .ok_or_else(|| Problem::not_found("市场主体", "Party"))?;
    let want = yiwang_core::trading::parties::PartyKind::parse(kind);
    if yiwang_core::trading::parties::PartyKind::parse(&p.kind) != want {
        return Err(bad(
            "party.kind",
            "市场主体类型不符。",
            "The party is not of the kind required.",
        ));
    }
    Ok(p)
}

/// The platform's code in transaction codes: the centre's 统一社会信用代码, or a fixed platform
/// code when the centre has none (choice; configurable later).
fn platform_code(centre_credit_code: Option<&str>) -> AppResult<CreditCode> {
    if let Some(c) = centre_credit_code.and_then(|c| CreditCode::parse(c).ok()) {
        return Ok(c);
    }
    let first17 = "12321300MB0000001";
    let check = credit_code_check_char(first17)
        .ok_or_else(|| AppError::Internal("platform code".into()))?;
    Ok(CreditCode::parse(&format!("{first17}{check}"))?)
}

/// 进场登记: the trading centre's staff accept a section; its 统一交易标识码 is issued.
pub async fn accept_entry(app: &App, actor: &Actor, section_id: &str) -> AppResult<TradingSection> {
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = centre_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    if s.accepted_at.is_some() || status_of(&s)?.state != SectionState::Registered {
        return Err(Problem::conflict(
            "trading.entry.done",
            "该标段已完成进场登记。",
            "The section has already been accepted.",
        )
        .into());
    }
    let (field, _) = parse_section(&s)?;
    let centre = tx.get_organisation(&project.centre_org_id).await?;
    let platform = platform_code(centre.as_ref().and_then(|c| c.credit_code.as_deref()))?;
    let now = now_micros();
    let day = local_date(utc(now));
    let seq = tx
        .next_code_sequence(&day.format("%Y%m%d").to_string())
        .await?;
    let sub = u8::try_from(s.sub_category)
        .map_err(|_| AppError::Internal("sub-category out of range".into()))?;
    let code = TransactionCode::new(field, sub, &platform, day, seq as u32)?;
    s.transaction_code = Some(code.as_str().into());
    s.accepted_at = Some(now);
    s.accepted_by = Some(actor.user_id.clone());
    s.updated_at = now;
    tx.update_section(&s).await?;
    record(
        &mut *tx,
        &by,
        "trading.entry.accept",
        ("trading_section", &s.id),
        vec![digest(TradingSection::TABLE, &s.id, s.digest())],
        serde_json::json!({ "transaction_code": code.as_str() }),
    )
    .await?;
    if let Some(t) = tx.get_party(&project.tenderee_id).await? {
        notify_org(
            &mut *tx,
            &t.org_id,
            "trading.entry.accepted",
            serde_json::json!({ "section": s.name, "code": code.as_str() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(s)
}

/// Upload a version of the tender documents with its clauses; the 量体裁衣 checker flags clauses
/// that restrict bidders (by region, ownership, brand, named firm, local presence).
pub async fn upload_documents(
    app: &App,
    actor: &Actor,
    section_id: &str,
    filename: &str,
    content: Vec<u8>,
    clauses: Vec<String>,
) -> AppResult<TenderDocument> {
    let filename = crate::blobs::sanitize_filename(filename)
        .ok_or_else(|| bad("filename", "文件名无效。", "The file name is not valid."))?;
    if content.is_empty() {
        return Err(bad(
            "document.empty",
            "招标文件为空。",
            "The document is empty.",
        ));
    }
    {
        let mut tx = app.store.read().await?;
        let (_, project) = section_ctx(&mut *tx, section_id).await?;
        tender_grant(&mut *tx, actor, &project).await?;
    }
    let stored = app.blobs().put_bytes(content).await?;
    let mut tx = app.store.write().await?;
    let (s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    if status_of(&s)?.state != SectionState::Registered {
        return Err(Problem::conflict(
            "trading.document.published",
            "招标公告发布后不能更换招标文件，请发布澄清或修改。",
            "After publication the documents change only by clarification.",
        )
        .into());
    }
    let firms: Vec<String> = tx
        .list_parties()
        .await?
        .into_iter()
        .filter(|p| {
            yiwang_core::trading::parties::PartyKind::parse(&p.kind)
                == Some(yiwang_core::trading::parties::PartyKind::Bidder)
        })
        .map(|p| p.name)
        .collect();
    let firm_refs: Vec<&str> = firms.iter().map(String::as_str).collect();
    let clause_refs: Vec<&str> = clauses.iter().map(String::as_str).collect();
    let findings: Vec<ClauseFinding> = check_clauses(&clause_refs, &firm_refs);
    let version = tx.list_documents(Some(section_id)).await?.len() as i64 + 1;
    let doc = TenderDocument {
        id: new_id(),
        section_id: s.id.clone(),
        version,
        filename,
        blob_digest: stored.digest,
        size: stored.size as i64,
        clauses: json(&clauses)?,
        findings: json(&findings)?,
        justifications: "[]".into(),
        created_by: Some(actor.user_id.clone()),
        created_at: now_micros(),
        published_at: None,
    };
    tx.insert_document(&doc).await?;
    record(
        &mut *tx,
        &by,
        "trading.document.upload",
        ("trading_section", &s.id),
        vec![digest(TenderDocument::TABLE, &doc.id, doc.digest())],
        serde_json::json!({ "version": version, "findings": findings.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

/// The clause findings of a document.
pub fn findings_of(doc: &TenderDocument) -> AppResult<Vec<ClauseFinding>> {
    serde_json::from_str(&doc.findings).map_err(|e| AppError::Internal(e.to_string()))
}

/// Record the justifications of flagged clauses (replacing earlier ones) before publication.
pub async fn justify_clauses(
    app: &App,
    actor: &Actor,
    document_id: &str,
    justifications: Vec<Justification>,
) -> AppResult<TenderDocument> {
    let mut tx = app.store.write().await?;
    let mut doc = tx
        .get_document(document_id)
        .await?
        .ok_or_else(|| Problem::not_found("招标文件", "Tender documents"))?;
    let (s, project) = section_ctx(&mut *tx, &doc.section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    if doc.published_at.is_some() || status_of(&s)?.state != SectionState::Registered {
        return Err(Problem::conflict(
            "trading.document.published",
            "招标文件已发布。",
            "The documents are already published.",
        )
        .into());
    }
    doc.justifications = json(&justifications)?;
    tx.update_document(&doc).await?;
    record(
        &mut *tx,
        &by,
        "trading.document.justify",
        ("trading_section", &s.id),
        vec![digest(TenderDocument::TABLE, &doc.id, doc.digest())],
        serde_json::json!({ "justifications": justifications }),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

/// A schedule as the tenderee enters it (instants in micros since the epoch).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    pub notice_at: i64,
    pub documents_from: i64,
    pub documents_until: i64,
    pub bid_deadline: i64,
}

/// Publish the tender of an accepted section with `document_id`: the schedule is checked against
/// the legal minimums on the server's clock (every violation listed), every flagged clause needs
/// its justification; the notice is published and the documents issued.
pub async fn publish_tender(
    app: &App,
    actor: &Actor,
    section_id: &str,
    document_id: &str,
    schedule: ScheduleInput,
) -> AppResult<TradingSection> {
    publish_tender_at(app, actor, section_id, document_id, schedule, now_micros()).await
}

/// [`publish_tender`] at the server instant `now` (jobs and tests).
pub async fn publish_tender_at(
    app: &App,
    actor: &Actor,
    section_id: &str,
    document_id: &str,
    schedule: ScheduleInput,
    now: i64,
) -> AppResult<TradingSection> {
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    performs(grant, SectionEvent::Announce)?;
    performs(grant, SectionEvent::IssueDocuments)?;
    let by = Acting::as_grant(actor, grant);
    let code = s.transaction_code.clone().ok_or_else(|| {
        AppError::from(Problem::conflict(
            "trading.entry.pending",
            "标段尚未完成进场登记。",
            "The section has not been accepted by the trading centre yet.",
        ))
    })?;
    let status = next_state(
        next_state(status_of(&s)?, SectionEvent::Announce)?,
        SectionEvent::IssueDocuments,
    )?;
    let mut doc = tx
        .get_document(document_id)
        .await?
        .filter(|d| d.section_id == s.id)
        .ok_or_else(|| Problem::not_found("招标文件", "Tender documents"))?;
    let justifications: Vec<Justification> =
        serde_json::from_str(&doc.justifications).map_err(|e| AppError::Internal(e.to_string()))?;
    check_publishable(&findings_of(&doc)?, &justifications)?;
    let (field, method) = parse_section(&s)?;
    let rules = rules_for(field, method)?;
    let proposed = ProposedSchedule {
        notice_at: utc(schedule.notice_at),
        documents_from: utc(schedule.documents_from),
        documents_until: utc(schedule.documents_until),
        bid_deadline: utc(schedule.bid_deadline),
        listing_from: None,
        estimated_price: money(&s.estimated_price, "估算价")?,
        deposit: s
            .deposit
            .as_deref()
            .map(|d| money(d, "投标保证金"))
            .transpose()?,
    };
    let cal = app.calendar();
    let mut violations = check_schedule(&rules, &proposed, utc(now), &cal.calendar);
    if schedule.notice_at < now - 60_000_000 {
        // A backdated notice would fake the legal periods.
        violations.push(yiwang_core::trading::Violation {
            code: "trading.period.notice_past",
            message: "公告发布时间不能早于当前时间。".into(),
            message_en: "The notice cannot be published in the past.".into(),
            earliest: Some(utc(now)),
        });
    }
    if !violations.is_empty() {
        return Err(violations_problem(&violations).into());
    }
    set_status(&mut s, status);
    s.notice_at = Some(schedule.notice_at);
    s.documents_from = Some(schedule.documents_from);
    s.documents_until = Some(schedule.documents_until);
    s.bid_deadline = Some(schedule.bid_deadline);
    s.opening_at = Some(schedule.bid_deadline);
    s.updated_at = now;
    doc.published_at = Some(now);
    tx.update_section(&s).await?;
    tx.update_document(&doc).await?;
    super::opening::schedule_opening(&mut *tx, &s).await?;
    record(
        &mut *tx,
        &by,
        "trading.tender.publish",
        ("trading_section", &s.id),
        vec![
            digest(TradingSection::TABLE, &s.id, s.digest()),
            digest(TenderDocument::TABLE, &doc.id, doc.digest()),
        ],
        serde_json::json!({ "transaction_code": code, "schedule": schedule, "document": doc.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// A bidder downloads the issued documents: recorded (who, when, from which address). Returns the
/// document row; the caller streams its blob.
pub async fn download_documents(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    address: &str,
) -> AppResult<TenderDocument> {
    download_documents_at(app, actor, party_id, section_id, address, now_micros()).await
}

/// [`download_documents`] at the server instant `now`.
pub async fn download_documents_at(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    address: &str,
    now: i64,
) -> AppResult<TenderDocument> {
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, _) = section_ctx(&mut *tx, section_id).await?;
    let open = status_of(&s)?.state == SectionState::Tendering
        && s.documents_from.is_some_and(|f| f <= now)
        && s.documents_until.is_some_and(|u| now < u);
    if !open {
        return Err(Problem::conflict(
            "trading.document.not_available",
            "当前不在招标文件发售（提供）期内。",
            "The documents are not available now.",
        )
        .into());
    }
    let doc = tx
        .list_documents(Some(section_id))
        .await?
        .into_iter()
        .rfind(|d| d.published_at.is_some())
        .ok_or_else(|| Problem::not_found("招标文件", "Tender documents"))?;
    let address = address.trim().chars().take(100).collect::<String>();
    let row = DocumentDownload {
        id: new_id(),
        section_id: s.id.clone(),
        document_id: doc.id.clone(),
        party_id: party.id.clone(),
        at: now,
        address,
    };
    tx.insert_download(&row).await?;
    record(
        &mut *tx,
        &by,
        "trading.document.download",
        ("trading_section", &s.id),
        vec![digest(DocumentDownload::TABLE, &row.id, row.digest())],
        serde_json::json!({ "party": party.id, "document": doc.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(doc)
}

/// 澄清或修改: a substantive clarification less than the legal period (15 days for tenders) before
/// the deadline moves the deadline (招标投标法实施条例 Art. 21); the opening follows it.
pub async fn clarify(
    app: &App,
    actor: &Actor,
    section_id: &str,
    body: &str,
    substantive: bool,
) -> AppResult<Clarification> {
    clarify_at(app, actor, section_id, body, substantive, now_micros()).await
}

/// [`clarify`] at the server instant `now`.
pub async fn clarify_at(
    app: &App,
    actor: &Actor,
    section_id: &str,
    body: &str,
    substantive: bool,
    now: i64,
) -> AppResult<Clarification> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        return Err(bad(
            "clarification.body",
            "澄清内容不能为空且不超过20000个字符。",
            "A clarification must be 1 to 20000 characters.",
        ));
    }
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    let deadline = s.bid_deadline.unwrap_or(0);
    if status_of(&s)?.state != SectionState::Tendering || now >= deadline {
        return Err(Problem::conflict(
            "trading.clarification.closed",
            "标段不在招标期内，不能澄清或修改招标文件。",
            "The section is not tendering; no clarification now.",
        )
        .into());
    }
    let after = if substantive {
        let (field, method) = parse_section(&s)?;
        let rules = rules_for(field, method)?;
        deadline_after_clarification(&rules, utc(deadline), utc(now), &app.calendar().calendar)
            .timestamp_micros()
    } else {
        deadline
    };
    let c = Clarification {
        id: new_id(),
        section_id: s.id.clone(),
        substantive,
        body: body.into(),
        issued_at: now,
        deadline_before: deadline,
        deadline_after: after,
        created_by: Some(actor.user_id.clone()),
    };
    tx.insert_clarification(&c).await?;
    let mut rows = vec![digest(Clarification::TABLE, &c.id, c.digest())];
    if after != deadline {
        s.bid_deadline = Some(after);
        s.opening_at = Some(after);
        s.updated_at = now;
        tx.update_section(&s).await?;
        super::opening::schedule_opening(&mut *tx, &s).await?;
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &by,
        "trading.clarification",
        ("trading_section", &s.id),
        rows,
        serde_json::json!({ "substantive": substantive, "deadline_before": deadline, "deadline_after": after }),
    )
    .await?;
    let mut told = Vec::new();
    for d in tx.list_downloads(Some(&s.id)).await? {
        if told.contains(&d.party_id) {
            continue;
        }
        if let Some(p) = tx.get_party(&d.party_id).await? {
            notify_org(
                &mut *tx,
                &p.org_id,
                "trading.clarification",
                serde_json::json!({
                    "section": s.name,
                    "deadline": yiwang_core::time::display_local(after),
                }),
            )
            .await?;
        }
        told.push(d.party_id);
    }
    tx.commit().await?;
    Ok(c)
}

/// 重新招标: a failed section starts again from registration, in a new round (its bids, deposits
/// and opening of the failed round stay on record); new documents and a new publication follow.
pub async fn retender(app: &App, actor: &Actor, section_id: &str) -> AppResult<TradingSection> {
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    performs(grant, SectionEvent::Retender)?;
    let by = Acting::as_grant(actor, grant);
    let st = next_state(status_of(&s)?, SectionEvent::Retender)?;
    set_status(&mut s, st);
    s.round += 1;
    s.notice_at = None;
    s.documents_from = None;
    s.documents_until = None;
    s.bid_deadline = None;
    s.opening_at = None;
    s.updated_at = now_micros();
    tx.update_section(&s).await?;
    record(
        &mut *tx,
        &by,
        "trading.section.retender",
        ("trading_section", &s.id),
        vec![digest(TradingSection::TABLE, &s.id, s.digest())],
        serde_json::json!({ "round": s.round }),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}
