//! 评标报告: the leader compiles it, every member signs it (or dissents with reasons, or refuses),
//! and it is final once every member has a position (条例 Art. 53).
//!
//! Keys: the experts capability issues no signing keys to experts, so each member signs with an
//! SM2 key the platform derives from its own key for that evaluation and member
//! ([`member_key`]: HMAC-SM3 of the platform secret over `yiwang-evaluation-v1/member-key`, the
//! evaluation and the member id). The signature and the public key are stored with the member's
//! position; anyone verifies the signature over the stored canonical text with the public key.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sm3::Sm3;
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::evaluation::committee::finalize_signing;
use yiwang_core::evaluation::{
    EvaluationEvent, EvaluationReport, EvaluationState, MemberPosition, lifecycle,
};
use yiwang_core::ledger::{PlatformKey, sm3_hex, verify_signature};
use yiwang_store::{EvaluationAct, EvaluationRow};

use super::start::member_ctx;
use super::{Ctx, Results, SIGNATURE, as_member, exclusions, notify_members, parse_json};
use crate::{App, AppResult, digest, new_id, now_micros, record};

type HmacSm3 = Hmac<Sm3>;

/// The SM2 key the platform holds for `member_id` in `evaluation_id` (see the module doc).
pub fn member_key(app: &App, evaluation_id: &str, member_id: &str) -> PlatformKey {
    let mut counter: u32 = 0;
    loop {
        let mut mac = HmacSm3::new_from_slice(app.platform_key().secret_hex().as_bytes())
            .expect("any key length");
        mac.update(b"yiwang-evaluation-v1/member-key\x1f");
        mac.update(evaluation_id.as_bytes());
        mac.update(b"\x1f");
        mac.update(member_id.as_bytes());
        mac.update(&counter.to_be_bytes());
        let bytes = mac.finalize().into_bytes();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // A 256-bit value is a valid SM2 secret except with negligible probability; try the
        // next counter then.
        if let Ok(k) = PlatformKey::from_secret_hex(&hex) {
            return k;
        }
        counter += 1;
    }
}

/// [`compile_at`] on the server's clock.
pub async fn compile(app: &App, actor: &Actor, evaluation_id: &str) -> AppResult<EvaluationRow> {
    compile_at(app, actor, evaluation_id, now_micros()).await
}

/// The leader compiles the report from the records (review, scores, ranking, the first three
/// as candidates); its canonical text is what every member signs.
pub async fn compile_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    now: i64,
) -> AppResult<EvaluationRow> {
    let mut tx = app.store.write().await?;
    let (mut c, _) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    c.leader_of(actor)?;
    if c.status.state != EvaluationState::Reporting || c.row.report.is_some() {
        return Err(Problem::conflict(
            "evaluation.report.not_now",
            "当前阶段不能编制评标报告（评分未结束或报告已编制）。",
            "The report cannot be compiled now (scoring not closed, or already compiled).",
        )
        .into());
    }
    let results: Results = parse_json(c.row.results.as_deref().unwrap_or("null"), "results")?;
    let (s, _) = crate::trading::section_ctx(&mut *tx, &c.row.section_id).await?;
    let reviews = tx.list_reviews(Some(evaluation_id)).await?;
    let report = EvaluationReport {
        transaction_code: s.transaction_code.clone().unwrap_or_default(),
        method: c.template.method,
        template_name: c.template.name.clone(),
        members: c.member_ids(),
        leader: c.row.leader.clone(),
        exclusions: exclusions(&reviews)?,
        scores: results.scores.clone(),
        ranking: results.ranking.clone(),
        candidates: results
            .ranking
            .iter()
            .take(yiwang_core::evaluation::award::MAX_CANDIDATES)
            .map(|r| r.bid.clone())
            .collect(),
        extended: c.row.extensions > 0,
        compiled_at: yiwang_core::time::from_micros(now),
    };
    report.check()?;
    c.row.report = Some(report.canonical_text());
    c.row.updated_at = now;
    tx.update_evaluation(&c.row).await?;
    record(
        &mut *tx,
        &as_member(actor),
        "evaluation.report.compile",
        ("evaluation", &c.row.id),
        vec![digest(EvaluationRow::TABLE, &c.row.id, c.row.digest())],
        serde_json::json!({ "report_sm3": sm3_hex(c.row.report.as_deref().unwrap_or("").as_bytes()) }),
    )
    .await?;
    notify_members(
        &mut *tx,
        &c.members,
        "evaluation.report.ready",
        serde_json::json!({ "section": s.name, "evaluation_id": c.row.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(c.row)
}

/// A member's stored position with its signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Signed {
    position: MemberPosition,
    public_key: String,
    signature: Option<String>,
}

/// One member's position as shown, with the signature checked.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignatureView {
    pub member_id: String,
    /// `signed`, `signed_with_dissent`, `refused_with_reason` or `refused_without_reason`.
    pub position: String,
    pub reason: Option<String>,
    pub public_key: String,
    pub signature: Option<String>,
    /// The signature verifies over the stored report text with the public key.
    pub valid: bool,
}

fn position_parts(p: &MemberPosition) -> (&'static str, Option<String>) {
    match p {
        MemberPosition::Signed => ("signed", None),
        MemberPosition::SignedWithDissent { reason } => {
            ("signed_with_dissent", Some(reason.clone()))
        }
        MemberPosition::RefusedWithReason { reason } => {
            ("refused_with_reason", Some(reason.clone()))
        }
        MemberPosition::RefusedWithoutReason => ("refused_without_reason", None),
    }
}

fn positions(acts: &[EvaluationAct]) -> AppResult<BTreeMap<String, Signed>> {
    acts.iter()
        .filter(|a| a.kind == SIGNATURE)
        .map(|a| {
            Ok((
                a.member_id.clone(),
                parse_json::<Signed>(&a.body, "signature")?,
            ))
        })
        .collect()
}

pub(crate) fn signatures(c: &Ctx, acts: &[EvaluationAct]) -> AppResult<Vec<SignatureView>> {
    let text = c.row.report.clone().unwrap_or_default();
    Ok(positions(acts)?
        .into_iter()
        .map(|(m, s)| {
            let (kind, reason) = position_parts(&s.position);
            SignatureView {
                valid: s
                    .signature
                    .as_deref()
                    .is_some_and(|sig| verify_signature(&s.public_key, text.as_bytes(), sig)),
                member_id: m,
                position: kind.into(),
                reason,
                public_key: s.public_key,
                signature: s.signature,
            }
        })
        .collect())
}

/// 签署: the member's position on the report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignInput {
    /// `signed`, `signed_with_dissent`, `refused_with_reason` or `refused_without_reason`.
    pub position: String,
    /// The written reasons of a dissent or a refusal.
    pub reason: Option<String>,
}

fn position_of(input: &SignInput) -> Result<MemberPosition, Problem> {
    let reason = || input.reason.clone().unwrap_or_default().trim().to_string();
    let p = match input.position.as_str() {
        "signed" => MemberPosition::Signed,
        "signed_with_dissent" => MemberPosition::SignedWithDissent { reason: reason() },
        "refused_with_reason" => MemberPosition::RefusedWithReason { reason: reason() },
        "refused_without_reason" => MemberPosition::RefusedWithoutReason,
        _ => {
            return Err(Problem::invalid(
                "evaluation.signing.position",
                "签署意见应为：同意、有保留意见地签署、说明理由拒签或不说明理由拒签。",
                "The position is signed, signed_with_dissent, refused_with_reason or refused_without_reason.",
            ));
        }
    };
    if let MemberPosition::SignedWithDissent { reason }
    | MemberPosition::RefusedWithReason { reason } = &p
        && reason.is_empty()
    {
        return Err(Problem::invalid(
            "evaluation.signing.reason",
            "不同意见应当以书面形式说明理由。",
            "A dissent must give its reasons in writing.",
        ));
    }
    Ok(p)
}

/// [`sign_at`] on the server's clock.
pub async fn sign(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: SignInput,
) -> AppResult<EvaluationRow> {
    sign_at(app, actor, evaluation_id, input, now_micros()).await
}

/// A member records its position on the compiled report, signed with its key unless it
/// refuses. The last position makes the report final (`report_signed`) and tells the tenderee.
pub async fn sign_at(
    app: &App,
    actor: &Actor,
    evaluation_id: &str,
    input: SignInput,
    now: i64,
) -> AppResult<EvaluationRow> {
    let position = position_of(&input)?;
    let mut tx = app.store.write().await?;
    let (mut c, me) = member_ctx(&mut *tx, actor, evaluation_id).await?;
    let Some(text) = c
        .row
        .report
        .clone()
        .filter(|_| c.status.state == EvaluationState::Reporting)
    else {
        return Err(Problem::conflict(
            "evaluation.report.not_compiled",
            "评标报告尚未编制或已签署完毕。",
            "The report is not compiled yet, or already signed.",
        )
        .into());
    };
    let acts = tx.list_acts(Some(evaluation_id)).await?;
    let mut held = positions(&acts)?;
    if held.contains_key(&me.id) {
        return Err(Problem::conflict(
            "evaluation.signing.done",
            "您已签署评标报告。",
            "You have already signed the report.",
        )
        .into());
    }
    let key = member_key(app, &c.row.id, &me.id);
    let signature = match position {
        MemberPosition::Signed | MemberPosition::SignedWithDissent { .. } => {
            Some(key.sign(text.as_bytes()))
        }
        _ => None,
    };
    let signed = Signed {
        position: position.clone(),
        public_key: key.public_key_hex(),
        signature,
    };
    let act = EvaluationAct {
        id: new_id(),
        evaluation_id: c.row.id.clone(),
        member_id: me.id.clone(),
        kind: SIGNATURE.into(),
        subject: format!("sm3:{}", sm3_hex(text.as_bytes())),
        body: super::json(&signed)?,
        created_at: now,
    };
    tx.insert_act(&act).await?;
    held.insert(me.id.clone(), signed);
    let mut rows = vec![digest(EvaluationAct::TABLE, &act.id, act.digest())];
    let members: BTreeSet<String> = c.member_ids();
    let by_member: BTreeMap<String, MemberPosition> = held
        .iter()
        .map(|(m, s)| (m.clone(), s.position.clone()))
        .collect();
    let outcome = finalize_signing(&members, &by_member).ok();
    if outcome.is_some() {
        let st = lifecycle::next_state(c.status, EvaluationEvent::SignReport)?;
        c.set_status(st, now);
        tx.update_evaluation(&c.row).await?;
        rows.push(digest(EvaluationRow::TABLE, &c.row.id, c.row.digest()));
    }
    let (kind, _) = position_parts(&position);
    record(
        &mut *tx,
        &as_member(actor),
        "evaluation.report.sign",
        ("evaluation", &c.row.id),
        rows,
        serde_json::json!({
            "member": me.id, "position": kind,
            "final": outcome.is_some(),
            "dissents": outcome.as_ref().map(|o| o.dissents.len()),
        }),
    )
    .await?;
    if outcome.is_some() {
        let (s, project) = crate::trading::section_ctx(&mut *tx, &c.row.section_id).await?;
        if let Some(p) = tx.get_party(&project.tenderee_id).await? {
            crate::trading::notify_org(
                &mut *tx,
                &p.org_id,
                "evaluation.report.signed",
                serde_json::json!({ "section": s.name, "evaluation_id": c.row.id }),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(c.row)
}
