//! The applicant's side: drafts, materials, submission, window registration (一窗受理),
//! supplying corrections, withdrawal.

use std::collections::BTreeMap;

use rand::Rng;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, AccountKind, Actor, OrgKind, Permission, Scope};
use yiwang_core::cases::form::check_materials_for_submit;
use yiwang_core::cases::lifecycle::check_resume;
use yiwang_core::cases::{
    Applicant, CaseEvent, CaseKind, CaseLimits, CaseNumber, CaseState, Channel, FormMode,
    LegalPerson, NaturalPerson, QueryCode, SuspensionKind, UploadLimits, UploadRequest,
    WarningLevel, check_upload, validate_form,
};
use yiwang_core::catalog::ItemBody;
use yiwang_core::ids::RegionCode;
use yiwang_core::ledger::sm3_hex;
use yiwang_store::prelude::*;
use yiwang_store::{CaseMaterialRow, CaseNoticeRow, CaseRow};

use super::{
    CaseView, Written, check_event, clock_of, item_body, lock, now_utc, organisation, own_case,
    rule, set_clock, state_of, to_json, write_event,
};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// Who applies: a natural person, or a legal person with its handler.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApplicantInput {
    Natural {
        name: String,
        id_number: String,
        mobile: String,
    },
    Legal {
        name: String,
        credit_code: String,
        handler_name: String,
        handler_id_number: String,
        handler_mobile: String,
    },
}

impl ApplicantInput {
    fn build(&self) -> AppResult<Applicant> {
        Ok(match self {
            ApplicantInput::Natural {
                name,
                id_number,
                mobile,
            } => Applicant::Natural(NaturalPerson::new(name, id_number, mobile).map_err(rule)?),
            ApplicantInput::Legal {
                name,
                credit_code,
                handler_name,
                handler_id_number,
                handler_mobile,
            } => {
                let handler = NaturalPerson::new(handler_name, handler_id_number, handler_mobile)
                    .map_err(rule)?;
                Applicant::Legal(LegalPerson::new(name, credit_code, handler).map_err(rule)?)
            }
        })
    }
}

/// An application form: the item, the applicant, the form's values.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DraftInput {
    pub item_id: String,
    pub applicant: ApplicantInput,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
}

/// A file already in the blob store, handed in for one material of the item version.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaterialInput {
    pub material: String,
    pub filename: String,
    pub content_type: String,
    /// SM3 of the content (its blob key), as `Blobs::put_file` returned it.
    pub digest: String,
}

/// A walk-in application registered at a window.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WindowInput {
    pub item_id: String,
    pub applicant: ApplicantInput,
    /// The applicant's account, when they have one (for "my cases" and notifications).
    #[serde(default)]
    pub applicant_user_id: Option<String>,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    #[serde(default)]
    pub materials: Vec<MaterialInput>,
}

/// A submitted case and its query code (查询码), shown to the applicant once: only its hash is
/// kept.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Submitted {
    pub case: CaseView,
    pub query_code: String,
}

fn form_error(errors: Vec<yiwang_core::catalog::item::FieldError>) -> AppError {
    AppError::Problem(
        Problem::invalid(
            "case.form_invalid",
            "申请表或材料有误，请按提示修改。",
            "The form or the materials need corrections.",
        )
        .with_details(serde_json::json!({ "fields": errors })),
    )
}

/// The SM3 of a query code as typed (upper-cased, spaces removed).
pub(crate) fn query_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sm3_hex(format!("yiwang-case-query\u{1f}{norm}").as_bytes())
}

fn new_query_code() -> QueryCode {
    QueryCode::from_random(rand::rng().random::<u64>())
}

/// The published item (the version in force) and its body.
async fn published_item(
    tx: &mut dyn ReadTx,
    item_id: &str,
) -> AppResult<(yiwang_store::CatalogItem, i64, ItemBody)> {
    let item = tx
        .get_item(item_id)
        .await?
        .ok_or_else(|| AppError::Problem(Problem::not_found("事项", "item")))?;
    let Some(version) = item.published_version else {
        return Err(Problem::conflict(
            "case.item_not_published",
            "该事项尚未发布，不能申请。",
            "The item is not published; it cannot be applied for.",
        )
        .into());
    };
    if item.status == yiwang_core::catalog::ItemStatus::Cancelled.as_str() {
        return Err(Problem::conflict(
            "case.item_cancelled",
            "该事项已取消，不能申请。",
            "The item is cancelled; it cannot be applied for.",
        )
        .into());
    }
    let body = item_body(tx, item_id, version).await?;
    Ok((item, version, body))
}

/// The centre that receives an online application for `dept`: the government-service centre of
/// the department's region under the same government, else the department itself.
async fn receiving_centre(
    tx: &mut dyn ReadTx,
    dept: &yiwang_store::Organisation,
) -> AppResult<String> {
    let parent = access::parent_path(&dept.path);
    let centre = tx.list_organisations(&parent).await?.into_iter().find(|o| {
        OrgKind::parse(&o.kind) == Some(OrgKind::ServiceCentre) && o.region_code == dept.region_code
    });
    Ok(centre.map(|c| c.id).unwrap_or_else(|| dept.id.clone()))
}

/// 办件编号: region of the receiving centre, today's Beijing date, the next sequence.
async fn next_number(tx: &mut dyn WriteTx, centre_id: &str) -> AppResult<CaseNumber> {
    let centre = organisation(tx, centre_id).await?;
    let region = RegionCode::parse(&centre.region_code)?;
    let today = now_utc()
        .with_timezone(&yiwang_core::time::shanghai())
        .date_naive();
    let seq = tx
        .next_case_sequence(region.as_str(), &today.format("%Y%m%d").to_string())
        .await?;
    let seq = u32::try_from(seq).unwrap_or(u32::MAX);
    CaseNumber::new(&region, today, seq).map_err(rule)
}

/// Real-name check for online applications: the applicant is the account holder (their ID
/// number, or their enterprise's credit code).
async fn check_applicant_is_caller(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    applicant: &Applicant,
) -> AppResult<()> {
    let user = tx
        .get_user(&actor.user_id)
        .await?
        .ok_or_else(|| AppError::Problem(Problem::forbidden()))?;
    let ok = match (actor.kind, applicant) {
        (AccountKind::NaturalPerson, Applicant::Natural(p)) => {
            user.id_number.as_deref() == Some(p.id_number.as_str())
        }
        (AccountKind::LegalPerson, Applicant::Legal(l)) => {
            user.credit_code.as_deref() == Some(l.credit_code.as_str())
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            yiwang_core::ProblemKind::Forbidden,
            "case.applicant_not_caller",
            "申请人须为登录账户本人（或本人所属企业）。",
            "The applicant must be the signed-in account holder (or their enterprise).",
        )
        .into())
    }
}

/// What a new case row is made of.
struct NewCase<'a> {
    number: &'a CaseNumber,
    item: &'a yiwang_store::CatalogItem,
    version: i64,
    body: &'a ItemBody,
    channel: Channel,
    applicant_user_id: String,
    applicant: &'a Applicant,
    centre_id: String,
    form: &'a BTreeMap<String, String>,
}

fn new_case_row(c: NewCase<'_>) -> CaseRow {
    let NewCase {
        number,
        item,
        version,
        body,
        channel,
        applicant_user_id,
        applicant,
        centre_id,
        form,
    } = c;
    let limits = CaseLimits::for_item(body, false);
    let now = now_micros();
    CaseRow {
        id: new_id(),
        number: number.as_str().into(),
        item_id: item.id.clone(),
        item_version: version,
        item_name: body.name.clone(),
        channel: channel.as_str().into(),
        kind: CaseKind::for_item(body, false, false).as_str().into(),
        status: CaseState::initial(channel).as_str().into(),
        applicant_user_id,
        applicant: to_json(applicant),
        applicant_name: applicant.name().into(),
        agent_user_id: None,
        mandate: None,
        org_id: item.org_id.clone(),
        centre_id,
        registered_by: None,
        form: to_json(form),
        query_hash: None,
        received_at: None,
        accepted_at: None,
        decided_at: None,
        completed_at: None,
        delivered_at: None,
        outcome: None,
        decision_note: None,
        delivery: None,
        legal_days: i64::from(limits.legal_days),
        promised_days: i64::from(limits.promised_days),
        clock: None,
        extended: 0,
        plan: None,
        participants: "[]".into(),
        pending: "[]".into(),
        committed_by: None,
        due_at: None,
        warning_level: WarningLevel::Normal.as_str().into(),
        next_warn_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// 暂存: creates a draft (`case_id` = `None`) or saves the applicant's draft again. The form is
/// checked for length and characters only; it is checked fully at submission.
pub async fn save_draft(
    app: &App,
    actor: &Actor,
    case_id: Option<&str>,
    input: DraftInput,
) -> AppResult<CaseView> {
    let applicant = input.applicant.build()?;
    let mut tx = app.store.write().await?;
    check_applicant_is_caller(&mut *tx, actor, &applicant).await?;
    let row = match case_id {
        None => {
            let (item, version, body) = published_item(&mut *tx, &input.item_id).await?;
            let form = validate_form(&body.form_fields, &input.form, FormMode::Draft)
                .map_err(form_error)?;
            let dept = organisation(&mut *tx, &item.org_id).await?;
            let centre = receiving_centre(&mut *tx, &dept).await?;
            let number = next_number(&mut *tx, &centre).await?;
            let mut row = new_case_row(NewCase {
                number: &number,
                item: &item,
                version,
                body: &body,
                channel: Channel::Online,
                applicant_user_id: actor.user_id.clone(),
                applicant: &applicant,
                centre_id: centre,
                form: &form,
            });
            let by = Acting::as_self(actor);
            write_event(
                app,
                &mut *tx,
                &by,
                &mut row,
                Written {
                    event: CaseEvent::SaveDraft,
                    from: None,
                    to: CaseState::Draft,
                    reason: None,
                    detail: serde_json::json!({"item_version": version}),
                    rows: vec![],
                },
                true,
            )
            .await?;
            row
        }
        Some(id) => {
            let mut row = lock(&mut *tx, id).await?;
            let by = own_case(actor, &row)?;
            if row.item_id != input.item_id {
                return Err(Problem::invalid(
                    "case.item_changed",
                    "草稿的事项不能更改，请新建申请。",
                    "A draft's item cannot change; start a new application.",
                )
                .into());
            }
            let (from, to) = check_event(&row, CaseEvent::SaveDraft, None)?;
            // The case keeps the item version it was filed under.
            let body = item_body(&mut *tx, &row.item_id, row.item_version).await?;
            let form = validate_form(&body.form_fields, &input.form, FormMode::Draft)
                .map_err(form_error)?;
            row.form = to_json(&form);
            row.applicant = to_json(&applicant);
            row.applicant_name = applicant.name().into();
            write_event(
                app,
                &mut *tx,
                &by,
                &mut row,
                Written {
                    event: CaseEvent::SaveDraft,
                    from: Some(from),
                    to,
                    reason: None,
                    detail: serde_json::json!({}),
                    rows: vec![],
                },
                false,
            )
            .await?;
            row
        }
    };
    tx.commit().await?;
    CaseView::of(row)
}

/// Writes one material row after checking it against the item's list and the limits; the blob
/// must already be in the blob store.
async fn insert_material(
    app: &App,
    tx: &mut dyn WriteTx,
    row: &CaseRow,
    body: &ItemBody,
    m: &MaterialInput,
    by_user: &str,
) -> AppResult<CaseMaterialRow> {
    let Some(filename) = crate::blobs::sanitize_filename(&m.filename) else {
        return Err(Problem::invalid(
            "upload.filename",
            "文件名无效。",
            "The file name is not valid.",
        )
        .into());
    };
    let size = app.blobs().exists(&m.digest).await?.ok_or_else(|| {
        AppError::Problem(Problem::invalid(
            "upload.blob_missing",
            "未找到已上传的文件内容，请重新上传。",
            "The uploaded content was not found; upload it again.",
        ))
    })?;
    let existing = tx.list_case_materials(&row.id).await?;
    let for_material = existing.iter().filter(|e| e.material == m.material).count();
    let case_bytes: u64 = existing.iter().map(|e| e.size.max(0) as u64).sum();
    check_upload(
        &body.materials,
        &UploadRequest {
            material: m.material.clone(),
            size,
            media_type: m.content_type.clone(),
        },
        u32::try_from(for_material).unwrap_or(u32::MAX),
        case_bytes,
        &UploadLimits::default(),
    )
    .map_err(rule)?;
    let mat = CaseMaterialRow {
        id: new_id(),
        case_id: row.id.clone(),
        material: m.material.clone(),
        filename,
        content_type: m.content_type.clone(),
        size: i64::try_from(size).unwrap_or(i64::MAX),
        digest: m.digest.clone(),
        uploaded_by: by_user.into(),
        uploaded_at: now_micros(),
    };
    tx.insert_case_material(&mat).await?;
    Ok(mat)
}

/// Hands in a file for one material: while a draft, while waiting for a 补正 (before or after
/// acceptance), or for a 容缺 material still pending.
pub async fn attach_material(
    app: &App,
    actor: &Actor,
    case_id: &str,
    input: MaterialInput,
) -> AppResult<CaseMaterialRow> {
    let mut tx = app.store.write().await?;
    let row = lock(&mut *tx, case_id).await?;
    let by = own_case(actor, &row)?;
    let state = state_of(&row)?;
    let pending: Vec<String> = super::json_list(&row.pending, "pending", &row.id)?;
    let open = match state {
        CaseState::Draft | CaseState::CorrectionRequested | CaseState::Suspended => true,
        s if s.is_after_acceptance() && s != CaseState::Delivered => {
            pending.contains(&input.material)
        }
        _ => false,
    };
    if !open {
        return Err(Problem::conflict(
            "case.materials_closed",
            format!("“{}”状态的办件不能补充材料。", state.label_zh()),
            format!(
                "Materials cannot be added to a case that is {}.",
                state.label_en().to_lowercase()
            ),
        )
        .into());
    }
    let body = item_body(&mut *tx, &row.item_id, row.item_version).await?;
    let mat = insert_material(app, &mut *tx, &row, &body, &input, &actor.user_id).await?;
    record(
        &mut *tx,
        &by,
        "case.attach_material",
        ("case", &row.id),
        vec![digest(CaseMaterialRow::TABLE, &mat.id, mat.digest())],
        serde_json::json!({"number": row.number, "material": mat.material, "digest": mat.digest, "size": mat.size}),
    )
    .await?;
    tx.commit().await?;
    Ok(mat)
}

/// 提交申报: the form checked in full against the item version's fields, every required
/// material handed in; returns the query code once.
pub async fn submit(app: &App, actor: &Actor, case_id: &str) -> AppResult<Submitted> {
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let by = own_case(actor, &row)?;
    let (from, to) = check_event(&row, CaseEvent::Submit, None)?;
    let body = item_body(&mut *tx, &row.item_id, row.item_version).await?;
    let values: BTreeMap<String, String> = serde_json::from_str(&row.form)
        .map_err(|_| AppError::Internal(format!("case {case_id}: unreadable form")))?;
    let mut errors = match validate_form(&body.form_fields, &values, FormMode::Submit) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    let handed_in = super::submitted(&mut *tx, &row.id).await?;
    errors.extend(check_materials_for_submit(&body.materials, &handed_in));
    if !errors.is_empty() {
        return Err(form_error(errors));
    }
    let code = new_query_code();
    row.query_hash = Some(query_hash(code.as_str()));
    row.received_at = Some(now_micros());
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event: CaseEvent::Submit,
            from: Some(from),
            to,
            reason: None,
            detail: serde_json::json!({}),
            rows: vec![],
        },
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted {
        case: CaseView::of(row)?,
        query_code: code.as_str().into(),
    })
}

/// 一窗受理: a window officer registers a walk-in application for any department's item; the
/// officer's organisation is the receiving centre. The form is checked in full; missing
/// materials are left for a 一次性告知.
pub async fn register_at_window(
    app: &App,
    actor: &Actor,
    input: WindowInput,
) -> AppResult<Submitted> {
    let applicant = input.applicant.build()?;
    let mut tx = app.store.write().await?;
    let grant = actor
        .grants
        .iter()
        .find(|g| {
            access::authorize(actor, Permission::RegisterCase, Scope::Org(&g.org_path)).is_ok()
        })
        .ok_or_else(|| AppError::Problem(Problem::forbidden()))?;
    let (item, version, body) = published_item(&mut *tx, &input.item_id).await?;
    let form =
        validate_form(&body.form_fields, &input.form, FormMode::Submit).map_err(form_error)?;
    let number = next_number(&mut *tx, &grant.org_id).await?;
    let mut row = new_case_row(NewCase {
        number: &number,
        item: &item,
        version,
        body: &body,
        channel: Channel::Window,
        applicant_user_id: input.applicant_user_id.clone().unwrap_or_default(),
        applicant: &applicant,
        centre_id: grant.org_id.clone(),
        form: &form,
    });
    let code = new_query_code();
    row.query_hash = Some(query_hash(code.as_str()));
    row.received_at = Some(now_micros());
    row.registered_by = Some(actor.user_id.clone());
    // The row first (materials refer to it), then the materials and the history.
    tx.insert_case(&row).await?;
    let mut rows = Vec::new();
    for m in &input.materials {
        let mat = insert_material(app, &mut *tx, &row, &body, m, &actor.user_id).await?;
        rows.push(digest(CaseMaterialRow::TABLE, &mat.id, mat.digest()));
    }
    let by = Acting::as_grant(actor, grant);
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event: CaseEvent::Submit,
            from: None,
            to: CaseState::Submitted,
            reason: None,
            detail: serde_json::json!({"channel": "window", "item_version": version}),
            rows,
        },
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted {
        case: CaseView::of(row)?,
        query_code: code.as_str().into(),
    })
}

/// 提交补正材料: the applicant answers the last notice (before acceptance: back to pre-review,
/// the 5-day notice period starts again) or a supplement in review (the clock restarts).
pub async fn supply_correction(app: &App, actor: &Actor, case_id: &str) -> AppResult<CaseView> {
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let by = own_case(actor, &row)?;
    let (from, to) = check_event(&row, CaseEvent::SupplyCorrection, None)?;
    let now = now_utc();
    let mut rows = Vec::new();
    if from == CaseState::Suspended {
        let mut clock = clock_of(&row)?.ok_or_else(|| {
            AppError::Internal(format!("case {case_id}: suspended without a clock"))
        })?;
        let open = clock
            .pauses
            .iter()
            .find(|p| p.until.is_none())
            .map(|p| p.kind)
            .unwrap_or(SuspensionKind::Other);
        check_resume(open, CaseEvent::SupplyCorrection).map_err(rule)?;
        clock.resume(now).map_err(rule)?;
        set_clock(app, &mut row, Some(&clock), now);
    }
    if let Some(mut last) = tx.list_case_notices(&row.id).await?.pop()
        && last.answered_at.is_none()
    {
        last.answered_at = Some(now_micros());
        tx.update_case_notice(&last).await?;
        rows.push(digest(CaseNoticeRow::TABLE, &last.id, last.digest()));
    }
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event: CaseEvent::SupplyCorrection,
            from: Some(from),
            to,
            reason: None,
            detail: serde_json::json!({}),
            rows,
        },
        false,
    )
    .await?;
    tx.commit().await?;
    CaseView::of(row)
}

/// 撤回: by the applicant, before the decision; the clock and its warnings stop.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    case_id: &str,
    reason: Option<&str>,
) -> AppResult<CaseView> {
    let mut tx = app.store.write().await?;
    let mut row = lock(&mut *tx, case_id).await?;
    let by = own_case(actor, &row)?;
    let (from, to) = check_event(&row, CaseEvent::Withdraw, reason)?;
    row.next_warn_at = None;
    write_event(
        app,
        &mut *tx,
        &by,
        &mut row,
        Written {
            event: CaseEvent::Withdraw,
            from: Some(from),
            to,
            reason,
            detail: serde_json::json!({}),
            rows: vec![],
        },
        false,
    )
    .await?;
    tx.commit().await?;
    CaseView::of(row)
}
