//! 专家入库与管理 (管用分离): an expert applies for themself; the managing industry department
//! admits or rejects, suspends, reinstates, renews, dismisses and confirms an exit, each with a
//! reason ([`yiwang_core::experts::next_state`]); a trading centre does none of it. The expert
//! declares employment, conflicts and unavailable days; the department records penalties.

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Grant, Permission, Scope};
use yiwang_core::experts::expert::{
    AdmissionRules, DeclaredConflict, PenaltyKind, Term, TieKind, Title, admission_problems,
    check_term,
};
use yiwang_core::experts::request::violations_problem;
use yiwang_core::experts::{ExpertEvent, ExpertStatus, Performer, SpecialtyCode, next_state};
use yiwang_core::ids::{CreditCode, IdNumber, RegionCode};
use yiwang_store::prelude::*;
use yiwang_store::{
    ExpertConflict, ExpertEmployment, ExpertPenalty, ExpertRow, ExpertUnavailability,
};

use super::{
    Children, children, date, expert_of, json, local_date, not_found_expert, status_of, tree,
};
use crate::notify::{self, Channel};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// An employer (or directorship) in an application.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EmploymentInput {
    /// The employer's 统一社会信用代码.
    pub org_code: String,
    pub org_name: String,
    /// `employee`, `director` or `controller`.
    #[serde(default = "employee")]
    pub kind: String,
    /// YYYY-MM-DD
    pub start: String,
    /// YYYY-MM-DD; none while it lasts.
    pub end: Option<String>,
}

fn employee() -> String {
    TieKind::Employee.as_str().into()
}

/// 入库申请: what an expert enters about themself.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Application {
    /// The managing department (专家管理部门) applied to.
    pub managing_org_id: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    /// Region code where the expert works.
    pub region: String,
    /// YYYY-MM-DD: since when in the field.
    pub field_since: String,
    #[schema(value_type = Vec<Object>)]
    pub titles: Vec<Title>,
    /// Specialty codes of the national classification.
    pub specialties: Vec<String>,
    pub can_evaluate_electronically: bool,
    pub fit_for_duty: bool,
    #[serde(default)]
    pub employments: Vec<EmploymentInput>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<DeclaredConflict>,
}

/// A decision of the managing department on an expert.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Decision {
    /// `admit`, `reject`, `suspend`, `reinstate`, `renew`, `dismiss` or `confirm_exit`.
    pub event: String,
    pub reason: String,
    /// The term of appointment (YYYY-MM-DD), required to admit or renew.
    pub term_start: Option<String>,
    pub term_end: Option<String>,
}

/// A penalty recorded by the managing department.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PenaltyInput {
    /// `talk`, `draw_ban`, `misconduct` or `debarment`.
    pub kind: String,
    pub start: String,
    pub end: Option<String>,
    pub reason: String,
}

/// Days the expert cannot evaluate.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UnavailableInput {
    pub start: String,
    pub end: Option<String>,
    pub note: String,
}

/// An expert with everything the managing department (or the expert) may read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpertDetail {
    pub expert: ExpertRow,
    pub employments: Vec<ExpertEmployment>,
    pub conflicts: Vec<ExpertConflict>,
    pub unavailable: Vec<ExpertUnavailability>,
    pub penalties: Vec<ExpertPenalty>,
}

fn bad(code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    Problem::invalid(format!("experts.{code}"), zh, en).into()
}

fn text(v: &str, field: &str, max: usize) -> AppResult<String> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(bad(
            "text",
            format!("“{field}”不能为空且不超过{max}个字符。"),
            format!("{field} must be 1 to {max} characters."),
        ));
    }
    Ok(t.to_string())
}

fn employment_row(expert_id: &str, e: &EmploymentInput, now: i64) -> AppResult<ExpertEmployment> {
    let code = CreditCode::parse(e.org_code.trim()).map_err(Problem::from)?;
    let kind = TieKind::parse(&e.kind).ok_or_else(|| {
        bad(
            "employment_kind",
            "任职类型应为任职、董事监事或控股股东。",
            "The kind must be employee, director or controller.",
        )
    })?;
    let start = date(&e.start, "start")?;
    let end = e.end.as_deref().map(|d| date(d, "end")).transpose()?;
    if end.is_some_and(|end| end < start) {
        return Err(bad(
            "employment_dates",
            "任职结束日期不能早于开始日期。",
            "An employment cannot end before it starts.",
        ));
    }
    Ok(ExpertEmployment {
        id: new_id(),
        expert_id: expert_id.into(),
        org_code: code.as_str().into(),
        org_name: text(&e.org_name, "单位名称", 100)?,
        kind: kind.as_str().into(),
        start_date: start.to_string(),
        end_date: end.map(|d| d.to_string()),
        created_at: now,
    })
}

/// A new expert row (status `applied`) from an application, checked field by field.
fn expert_row(input: &Application, user_id: Option<String>, now: i64) -> AppResult<ExpertRow> {
    let id_number = IdNumber::parse(input.id_number.trim()).map_err(Problem::from)?;
    let region = RegionCode::parse(input.region.trim()).map_err(Problem::from)?;
    let mobile = input.mobile.trim();
    if mobile.len() != 11 || !mobile.starts_with('1') || !mobile.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad(
            "mobile",
            "手机号码应为11位数字。",
            "A mobile number has 11 digits.",
        ));
    }
    for s in &input.specialties {
        if SpecialtyCode::parse(s).is_none_or(|c| !tree().contains(&c)) {
            return Err(bad(
                "specialty",
                format!("评标专业“{s}”不在专业分类标准中。"),
                format!("Specialty {s} is not in the classification."),
            ));
        }
    }
    Ok(ExpertRow {
        id: new_id(),
        user_id,
        managing_org_id: input.managing_org_id.clone(),
        name: text(&input.name, "姓名", 50)?,
        id_number: id_number.as_str().into(),
        mobile: mobile.into(),
        region: region.as_str().into(),
        status: ExpertStatus::Applied.as_str().into(),
        status_reason: None,
        field_since: date(&input.field_since, "field_since")?.to_string(),
        titles: json(&input.titles)?,
        specialties: json(&input.specialties)?,
        electronic: i64::from(input.can_evaluate_electronically),
        fit_for_duty: i64::from(input.fit_for_duty),
        term_start: None,
        term_end: None,
        min_gap_days: None,
        created_at: now,
        updated_at: now,
    })
}

async fn managing_org_kind_ok(tx: &mut dyn ReadTx, org_id: &str) -> AppResult<String> {
    let org = tx
        .get_organisation(org_id)
        .await?
        .ok_or_else(|| Problem::not_found("专家管理部门", "Managing department"))?;
    if access::OrgKind::parse(&org.kind) != Some(access::OrgKind::ExpertAuthority) {
        return Err(bad(
            "managing_org",
            "请选择评标专家管理部门。",
            "Choose an expert-managing department.",
        ));
    }
    Ok(org.path)
}

/// 入库申请: an account applies for itself (again after a rejection or an exit).
pub async fn apply(app: &App, actor: &Actor, input: Application) -> AppResult<ExpertRow> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    managing_org_kind_ok(&mut *tx, &input.managing_org_id).await?;
    let user = tx
        .get_user(&actor.user_id)
        .await?
        .ok_or_else(|| AppError::from(Problem::unauthenticated()))?;
    let mut row = expert_row(&input, Some(actor.user_id.clone()), now)?;
    if user
        .id_number
        .as_deref()
        .is_some_and(|n| n != row.id_number)
    {
        return Err(bad(
            "not_self",
            "只能为本人申请入库（身份证号与账户不符）。",
            "One applies only for oneself (the identity number differs from the account's).",
        ));
    }
    let by = Acting::as_self(actor);
    let existing = tx.find_expert_by_user(&actor.user_id).await?;
    let mut rows = Vec::new();
    if let Some(old) = existing {
        next_state(status_of(&old)?, ExpertEvent::Apply, Performer::Expert, "")?;
        row.id = old.id.clone();
        row.created_at = old.created_at;
        tx.update_expert(&row).await?;
    } else {
        tx.insert_expert(&row).await?;
    }
    rows.push(digest(ExpertRow::TABLE, &row.id, row.digest()));
    for e in &input.employments {
        let r = employment_row(&row.id, e, now)?;
        tx.insert_employment(&r).await?;
        rows.push(digest(ExpertEmployment::TABLE, &r.id, r.digest()));
    }
    for c in &input.conflicts {
        let r = ExpertConflict {
            id: new_id(),
            expert_id: row.id.clone(),
            body: json(c)?,
            created_at: now,
        };
        tx.insert_conflict(&r).await?;
        rows.push(digest(ExpertConflict::TABLE, &r.id, r.digest()));
    }
    record(
        &mut *tx,
        &by,
        "experts.apply",
        ("expert", &row.id),
        rows,
        serde_json::json!({ "managing_org_id": row.managing_org_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The grant by which `actor` manages the experts of `managing_org_id`.
async fn manager_grant<'a>(
    tx: &mut dyn ReadTx,
    actor: &'a Actor,
    managing_org_id: &str,
) -> AppResult<&'a Grant> {
    let path = crate::trading::org_path(tx, managing_org_id).await?;
    Ok(access::authorize(
        actor,
        Permission::ManageExperts,
        Scope::Org(&path),
    )?)
}

/// 审核、暂停、恢复、续聘、解聘、办结退出: a decision of the managing department, with its reason.
pub async fn decide(
    app: &App,
    actor: &Actor,
    expert_id: &str,
    d: Decision,
) -> AppResult<ExpertRow> {
    decide_at(app, actor, expert_id, d, now_micros()).await
}

pub async fn decide_at(
    app: &App,
    actor: &Actor,
    expert_id: &str,
    d: Decision,
    now: i64,
) -> AppResult<ExpertRow> {
    let event = ExpertEvent::parse(&d.event).ok_or_else(|| {
        bad(
            "event",
            "未知的管理事项。",
            "Unknown decision (admit, reject, suspend, reinstate, renew, dismiss, confirm_exit).",
        )
    })?;
    let mut tx = app.store.write().await?;
    let mut row = tx
        .get_expert(expert_id)
        .await?
        .ok_or_else(not_found_expert)?;
    let grant = manager_grant(&mut *tx, actor, &row.managing_org_id).await?;
    let performer = access::expert_performer(grant.role).ok_or_else(Problem::forbidden)?;
    let to = next_state(status_of(&row)?, event, performer, &d.reason)?;
    let today = local_date(now);
    if matches!(event, ExpertEvent::Admit | ExpertEvent::Renew) {
        let (Some(s), Some(e)) = (&d.term_start, &d.term_end) else {
            return Err(bad(
                "term_required",
                "入库和续聘须载明聘期。",
                "Admission and renewal need a term of appointment.",
            ));
        };
        let term = Term {
            start: date(s, "term_start")?,
            end: date(e, "term_end")?,
        };
        check_term(&term, today)?;
        if event == ExpertEvent::Admit {
            let kids = children(&mut *tx, Some(&row.id)).await?;
            let expert = expert_of(&row, kids.get(&row.id))?;
            let problems = admission_problems(&expert, tree(), &AdmissionRules::default(), today);
            if let Some(p) = violations_problem(&problems) {
                let mut p = p;
                p.code = "experts.not_eligible".into();
                return Err(p.into());
            }
        }
        row.term_start = Some(term.start.to_string());
        row.term_end = Some(term.end.to_string());
    }
    row.status = to.as_str().into();
    row.status_reason = Some(d.reason.trim().to_string());
    row.updated_at = now;
    tx.update_expert(&row).await?;
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        &format!("experts.{}", event.as_str()),
        ("expert", &row.id),
        vec![digest(ExpertRow::TABLE, &row.id, row.digest())],
        serde_json::json!({ "status": row.status, "reason": row.status_reason }),
    )
    .await?;
    if let Some(user) = &row.user_id {
        notify::queue(
            &mut *tx,
            Channel::InApp,
            user,
            "experts.status",
            serde_json::json!({ "status": to.label_zh(), "reason": d.reason.trim() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// 申请退出: the expert asks to leave the database; draws stop at once.
pub async fn request_exit(app: &App, actor: &Actor, reason: &str) -> AppResult<ExpertRow> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    let mut row = tx
        .find_expert_by_user(&actor.user_id)
        .await?
        .ok_or_else(not_found_expert)?;
    let to = next_state(
        status_of(&row)?,
        ExpertEvent::RequestExit,
        Performer::Expert,
        reason,
    )?;
    row.status = to.as_str().into();
    row.status_reason = Some(reason.trim().to_string());
    row.updated_at = now;
    tx.update_expert(&row).await?;
    record(
        &mut *tx,
        &Acting::as_self(actor),
        "experts.request_exit",
        ("expert", &row.id),
        vec![digest(ExpertRow::TABLE, &row.id, row.digest())],
        serde_json::json!({ "reason": reason.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// 处罚记录: the managing department records a talk, a draw ban, a misconduct penalty or a
/// debarment; all but a talk keep the expert out of draws for the period.
pub async fn add_penalty(
    app: &App,
    actor: &Actor,
    expert_id: &str,
    input: PenaltyInput,
) -> AppResult<ExpertPenalty> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    let row = tx
        .get_expert(expert_id)
        .await?
        .ok_or_else(not_found_expert)?;
    let grant = manager_grant(&mut *tx, actor, &row.managing_org_id).await?;
    let kind = PenaltyKind::parse(&input.kind).ok_or_else(|| {
        bad(
            "penalty_kind",
            "处罚类型应为约谈、暂停抽取、违法违规处罚或失信惩戒。",
            "The kind must be talk, draw_ban, misconduct or debarment.",
        )
    })?;
    let start = date(&input.start, "start")?;
    let end = input.end.as_deref().map(|d| date(d, "end")).transpose()?;
    let p = ExpertPenalty {
        id: new_id(),
        expert_id: row.id.clone(),
        kind: kind.as_str().into(),
        start_date: start.to_string(),
        end_date: end.map(|d| d.to_string()),
        reason: text(&input.reason, "处罚理由", 500)?,
        org_id: grant.org_id.clone(),
        created_at: now,
    };
    tx.insert_penalty(&p).await?;
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "experts.penalty",
        ("expert", &row.id),
        vec![digest(ExpertPenalty::TABLE, &p.id, p.digest())],
        serde_json::json!({ "kind": p.kind }),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The expert's own declarations: an employment, a conflict, days unavailable.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Declaration {
    #[serde(default)]
    pub employments: Vec<EmploymentInput>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<DeclaredConflict>,
    #[serde(default)]
    pub unavailable: Vec<UnavailableInput>,
}

/// 申报: the expert adds employment, conflicts and unavailable days to their own record.
pub async fn declare(app: &App, actor: &Actor, d: Declaration) -> AppResult<ExpertDetail> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    let row = tx
        .find_expert_by_user(&actor.user_id)
        .await?
        .ok_or_else(not_found_expert)?;
    let mut rows = Vec::new();
    for e in &d.employments {
        let r = employment_row(&row.id, e, now)?;
        tx.insert_employment(&r).await?;
        rows.push(digest(ExpertEmployment::TABLE, &r.id, r.digest()));
    }
    for c in &d.conflicts {
        let r = ExpertConflict {
            id: new_id(),
            expert_id: row.id.clone(),
            body: json(c)?,
            created_at: now,
        };
        tx.insert_conflict(&r).await?;
        rows.push(digest(ExpertConflict::TABLE, &r.id, r.digest()));
    }
    for u in &d.unavailable {
        let start = date(&u.start, "start")?;
        let end = u.end.as_deref().map(|x| date(x, "end")).transpose()?;
        let r = ExpertUnavailability {
            id: new_id(),
            expert_id: row.id.clone(),
            start_date: start.to_string(),
            end_date: end.map(|x| x.to_string()),
            note: text(&u.note, "说明", 200)?,
            created_at: now,
        };
        tx.insert_unavailability(&r).await?;
        rows.push(digest(ExpertUnavailability::TABLE, &r.id, r.digest()));
    }
    if rows.is_empty() {
        return Err(bad(
            "empty_declaration",
            "没有要申报的内容。",
            "Nothing to declare.",
        ));
    }
    record(
        &mut *tx,
        &Acting::as_self(actor),
        "experts.declare",
        ("expert", &row.id),
        rows,
        serde_json::json!({}),
    )
    .await?;
    let detail = detail_of(&mut *tx, row).await?;
    tx.commit().await?;
    Ok(detail)
}

async fn detail_of(tx: &mut dyn ReadTx, expert: ExpertRow) -> AppResult<ExpertDetail> {
    let mut kids = children(tx, Some(&expert.id)).await?;
    let Children {
        employments,
        conflicts,
        unavailable,
        penalties,
    } = kids.remove(&expert.id).unwrap_or_default();
    Ok(ExpertDetail {
        expert,
        employments,
        conflicts,
        unavailable,
        penalties,
    })
}

/// One expert in full: for their managing department and for themself — never for a trading
/// centre (管用分离: a draw needs no profile).
pub async fn get(app: &App, actor: &Actor, expert_id: &str) -> AppResult<ExpertDetail> {
    let mut tx = app.store.read().await?;
    let row = tx
        .get_expert(expert_id)
        .await?
        .ok_or_else(not_found_expert)?;
    if row.user_id.as_deref() != Some(actor.user_id.as_str()) {
        manager_grant(&mut *tx, actor, &row.managing_org_id).await?;
    }
    detail_of(&mut *tx, row).await
}

/// 认领专家档案: the signed-in person links the expert record imported for its identity number
/// without an account (the legacy database), so that it can answer invitations and evaluate
/// online. The account's identity number must be the record's; a record already linked stays so.
pub async fn claim(app: &App, actor: &Actor) -> AppResult<ExpertRow> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    let user = tx
        .get_user(&actor.user_id)
        .await?
        .ok_or_else(|| AppError::from(Problem::unauthenticated()))?;
    if tx.find_expert_by_user(&user.id).await?.is_some() {
        return Err(Problem::conflict(
            "experts.claim.linked",
            "该账户已关联专家档案。",
            "This account is already linked to an expert record.",
        )
        .into());
    }
    let Some(number) = user.id_number.clone() else {
        return Err(not_found_expert());
    };
    let mut row = tx
        .list_experts(None)
        .await?
        .into_iter()
        .find(|e| e.id_number == number && e.user_id.is_none())
        .ok_or_else(not_found_expert)?;
    tx.link_expert_user(&row.id, &user.id, now).await?;
    row.user_id = Some(user.id.clone());
    row.updated_at = now;
    record(
        &mut *tx,
        &Acting::as_self(actor),
        "experts.claim",
        ("expert", &row.id),
        vec![digest(ExpertRow::TABLE, &row.id, row.digest())],
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The signed-in expert's own record.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<ExpertDetail> {
    let mut tx = app.store.read().await?;
    let row = tx
        .find_expert_by_user(&actor.user_id)
        .await?
        .ok_or_else(not_found_expert)?;
    detail_of(&mut *tx, row).await
}

/// The experts of every department the actor manages, optionally of one status.
pub async fn list(app: &App, actor: &Actor, status: Option<&str>) -> AppResult<Vec<ExpertRow>> {
    let wanted = match status {
        Some(s) => Some(
            ExpertStatus::parse(s)
                .ok_or_else(|| bad("status", "未知的专家状态。", "Unknown expert status."))?,
        ),
        None => None,
    };
    let orgs: Vec<String> = access::grants_allowing(actor, Permission::ManageExperts)
        .map(|g| g.org_id.clone())
        .collect();
    if orgs.is_empty() {
        return Err(Problem::forbidden().into());
    }
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for org in orgs {
        for e in tx.list_experts(Some(&org)).await? {
            if wanted.is_none_or(|w| ExpertStatus::parse(&e.status) == Some(w)) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// An admitted expert as bulk-loaded by the platform (the demo, a migration from an older
/// database): the profile, the term and the employments.
pub struct Imported {
    pub application: Application,
    pub term: Term,
    pub user_id: Option<String>,
}

/// 批量导入: admitted experts written in one transaction and one ledger entry per batch (the
/// platform acting; no account can call it).
pub async fn import_admitted(app: &App, batch: Vec<Imported>, reason: &str) -> AppResult<usize> {
    let now = now_micros();
    let mut tx = app.store.write().await?;
    let mut rows = Vec::with_capacity(batch.len() * 3);
    let n = batch.len();
    for i in batch {
        let mut row = expert_row(&i.application, i.user_id, now)?;
        row.status = ExpertStatus::Admitted.as_str().into();
        row.status_reason = Some(reason.to_string());
        row.term_start = Some(i.term.start.to_string());
        row.term_end = Some(i.term.end.to_string());
        tx.insert_expert(&row).await?;
        rows.push(digest(ExpertRow::TABLE, &row.id, row.digest()));
        for e in &i.application.employments {
            let r = employment_row(&row.id, e, now)?;
            tx.insert_employment(&r).await?;
            rows.push(digest(ExpertEmployment::TABLE, &r.id, r.digest()));
        }
        for c in &i.application.conflicts {
            let r = ExpertConflict {
                id: new_id(),
                expert_id: row.id.clone(),
                body: json(c)?,
                created_at: now,
            };
            tx.insert_conflict(&r).await?;
            rows.push(digest(ExpertConflict::TABLE, &r.id, r.digest()));
        }
    }
    record(
        &mut *tx,
        &Acting::system(),
        "experts.import",
        ("experts", "batch"),
        rows,
        serde_json::json!({ "experts": n, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
