//! 市场主体注册: tenderees, agencies and bidders, and their signing keys.
//!
//! Signing keys: the platform acts as the CA of an equivalent documented format (no X.509 yet).
//! Each party gets an SM2 key pair (GM/T 0003, the curve and code the ledger uses): the platform
//! keeps the PUBLIC key (SEC1 uncompressed point `04‖x‖y`, 130 hex characters) in
//! `trading_parties.public_key` and returns the PRIVATE key once, as 64 lower-case hex characters
//! (the big-endian secret scalar). It is never stored. The party signs the UTF-8 bytes of what it
//! submits (e.g. [`super::bids::submission_text`]) with SM2 over SM3 and the default
//! distinguishing ID `1234567812345678`; the signature is the 64-byte `r‖s`, hex (what
//! `yiwang_core::ledger::PlatformKey::sign` produces and `verify_signature` checks).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor};
use yiwang_core::ids::CreditCode;
use yiwang_core::ledger::PlatformKey;
use yiwang_core::trading::parties::{PartyKind, Qualification, temporary_membership};
use yiwang_store::{Store, TradingParty};

use crate::{Acting, AppResult, digest, new_id, now_micros, record};

/// The key algorithm recorded with every party key.
pub const KEY_ALGORITHM: &str = "SM2-with-SM3";

/// Input of [`register_party`].
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewParty {
    /// The enterprise organisation registering (its 统一社会信用代码 is the party's).
    pub org_id: String,
    /// `tenderee`, `agency` or `bidder`.
    pub kind: String,
    pub legal_representative: String,
    /// 基本账户 number (deposits must come from it).
    pub basic_account: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub qualifications: Vec<Qualification>,
    /// 临时会员 for one section (first-time bidder): that section's id.
    pub temporary_for_section: Option<String>,
}

/// A registered party and its private key, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegisteredParty {
    pub party: TradingParty,
    /// 64 hex characters, the SM2 secret scalar; the platform does not keep it.
    pub private_key_hex: String,
}

fn bad(code: &str, zh: &str, en: &str) -> Problem {
    Problem::invalid(format!("trading.party.{code}"), zh, en)
}

/// Register the actor's organisation as a party of `kind` and issue its signing key pair.
pub async fn register_party(
    store: &Arc<dyn Store>,
    actor: &Actor,
    input: NewParty,
) -> AppResult<RegisteredParty> {
    let kind = PartyKind::parse(&input.kind).ok_or_else(|| {
        bad(
            "kind",
            "主体类型应为招标人、招标代理机构或投标人。",
            "The kind must be tenderee, agency or bidder.",
        )
    })?;
    let mut tx = store.write().await?;
    let org = tx
        .get_organisation(&input.org_id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
    let grant = access::authorize_party(actor, kind, &org.path)?;
    let by = Acting::as_grant(actor, grant);
    let code = CreditCode::parse(org.credit_code.as_deref().unwrap_or(""))?;
    let legal = input.legal_representative.trim().to_string();
    if legal.is_empty() || legal.chars().count() > 50 {
        return Err(bad(
            "legal_representative",
            "法定代表人姓名不能为空且不超过50个字符。",
            "The legal representative's name must be 1 to 50 characters.",
        )
        .into());
    }
    for q in &input.qualifications {
        if q.name.trim().is_empty() || q.certificate_no.trim().is_empty() {
            return Err(bad(
                "qualification",
                "资质须填写名称和证书编号。",
                "A qualification needs its name and certificate number.",
            )
            .into());
        }
    }
    let (temporary_section, temporary_until) = match &input.temporary_for_section {
        Some(sid) => {
            let s = tx
                .get_section(sid)
                .await?
                .ok_or_else(super::not_found_section)?;
            let deadline = s.bid_deadline.ok_or_else(|| {
                bad(
                    "temporary",
                    "该标段尚未发布，不能办理临时会员。",
                    "The section is not published; no temporary membership yet.",
                )
            })?;
            match temporary_membership(sid, super::utc(deadline)) {
                yiwang_core::trading::parties::Membership::Temporary {
                    section,
                    expires_at,
                } => (Some(section), Some(expires_at.timestamp_micros())),
                yiwang_core::trading::parties::Membership::Full => (None, None),
            }
        }
        None => (None, None),
    };
    let key = PlatformKey::generate();
    let now = now_micros();
    let party = TradingParty {
        id: new_id(),
        org_id: org.id.clone(),
        credit_code: code.as_str().into(),
        kind: kind.as_str().into(),
        name: org.name.clone(),
        legal_representative: legal,
        basic_account: input
            .basic_account
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        qualifications: serde_json::to_string(&input.qualifications)
            .map_err(|e| crate::AppError::Internal(e.to_string()))?,
        temporary_section,
        temporary_until,
        key_algorithm: KEY_ALGORITHM.into(),
        public_key: key.public_key_hex(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_party(&party).await?;
    record(
        &mut *tx,
        &by,
        "trading.party.register",
        ("trading_party", &party.id),
        vec![digest(TradingParty::TABLE, &party.id, party.digest())],
        serde_json::json!({ "credit_code": party.credit_code, "kind": party.kind }),
    )
    .await?;
    tx.commit().await?;
    Ok(RegisteredParty {
        party,
        private_key_hex: key.secret_hex(),
    })
}

/// 密钥更新: issue a new signing key pair to a party (a lost or expiring key, as a CA renews a
/// certificate). The new public key replaces the old one from now on (signatures already
/// verified stay in the ledger); the private key is returned once and not kept.
pub async fn reissue_key(
    store: &Arc<dyn Store>,
    actor: &Actor,
    party_id: &str,
) -> AppResult<RegisteredParty> {
    let mut tx = store.write().await?;
    let mut party = tx
        .get_party(party_id)
        .await?
        .ok_or_else(|| Problem::not_found("市场主体", "Party"))?;
    let kind = PartyKind::parse(&party.kind)
        .ok_or_else(|| crate::AppError::Internal(format!("party {}: bad kind", party.id)))?;
    let org = tx
        .get_organisation(&party.org_id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
    let grant = access::authorize_party(actor, kind, &org.path)?;
    let by = Acting::as_grant(actor, grant);
    let key = PlatformKey::generate();
    party.public_key = key.public_key_hex();
    party.updated_at = now_micros();
    tx.update_party(&party).await?;
    record(
        &mut *tx,
        &by,
        "trading.party.reissue_key",
        ("trading_party", &party.id),
        vec![digest(TradingParty::TABLE, &party.id, party.digest())],
        serde_json::json!({ "credit_code": party.credit_code, "public_key": party.public_key }),
    )
    .await?;
    tx.commit().await?;
    Ok(RegisteredParty {
        party,
        private_key_hex: key.secret_hex(),
    })
}
