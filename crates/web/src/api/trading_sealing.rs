//! 开标解密 over HTTP: the section's custodian key (centre), the bidder's decryption with its own
//! bid key, and the custodians' fallback (`yiwang_app::trading::unsealing`). Part of the trading
//! capability's routes ([`super::trading::routes`]).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::trading::unsealing::{self, OpenOutcome};

use super::extract::{Json, Path};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Deserialize, ToSchema)]
pub struct CustodianKeyRequest {
    /// hex of the custodian public key (65-byte uncompressed P-256 point), from the key ceremony
    /// (`yiwang bid custodian-keygen`).
    pub public_key: String,
}

/// The section's custodian key as registered.
#[derive(Serialize, ToSchema)]
pub struct CustodianKeyResponse {
    pub section_id: String,
    pub custodian_key: Option<String>,
}

/// The centre registers the section's custodian public key, before any bid.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/custodian-key", tag = "tenders",
    request_body = CustodianKeyRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = CustodianKeyResponse),
        (status = 403, description = "Not the centre of this section", body = ErrorBody),
        (status = 409, description = "Bids already sealed, or past the deadline (`trading.custody.locked`)", body = ErrorBody),
        (status = 422, description = "Not a P-256 public key (`trading.custody.public_key`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn register_custodian_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CustodianKeyRequest>,
) -> Result<Json<CustodianKeyResponse>, ApiError> {
    let s =
        unsealing::register_custodian_key(&state.app, &caller.actor, &id, &req.public_key).await?;
    Ok(Json(CustodianKeyResponse {
        section_id: s.id,
        custodian_key: s.custodian_key,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct KeyDecryptionRequest {
    pub party_id: String,
    /// The bid key file's text (`yiwang-bid-key/v1` …) or the bare hex private key.
    pub key: String,
}

/// The bidder decrypts its bid at the opening by handing over its bid key: the platform opens
/// the stored ciphertext and records price and duration from the plaintext, or classifies the
/// failure (视为撤销 / 视为撤回).
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/key-decryption", tag = "tenders",
    request_body = KeyDecryptionRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = OpenOutcome),
        (status = 403, description = "Before the opening (`trading.bid.sealed`)", body = ErrorBody),
        (status = 409, description = "Not opened, no sealed bid, or the window has closed", body = ErrorBody),
        (status = 422, description = "Not this bid's key (`trading.bid.wrong_key`) or not a key file", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn key_decryption(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<KeyDecryptionRequest>,
) -> Result<Json<OpenOutcome>, ApiError> {
    Ok(Json(
        unsealing::open_with_bid_key(&state.app, &caller.actor, &req.party_id, &id, &req.key)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CustodianDecryptionRequest {
    /// At least the quorum of custodian shares (`yiwang-share/v1:…`).
    pub shares: Vec<String>,
}

/// The custodians' fallback at the opening: a quorum of shares opens every bid still sealed.
#[utoipa::path(post, path = "/api/v1/tenders/sections/{id}/custodian-decryption", tag = "tenders",
    request_body = CustodianDecryptionRequest,
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = Vec<OpenOutcome>),
        (status = 403, description = "Not the centre, or before the opening", body = ErrorBody),
        (status = 409, description = "Not opened, or the window has closed", body = ErrorBody),
        (status = 422, description = "Too few shares (`trading.custody.too_few`) or not this key's (`trading.custody.mismatch`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn custodian_decryption(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CustodianDecryptionRequest>,
) -> Result<Json<Vec<OpenOutcome>>, ApiError> {
    Ok(Json(
        unsealing::open_with_custodians(&state.app, &caller.actor, &id, &req.shares).await?,
    ))
}

/// The sealing routes, merged into the trading capability's.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_custodian_key))
        .routes(routes!(key_decryption))
        .routes(routes!(custodian_decryption))
}
