//! The audit ledger, publicly verifiable: signed checkpoints, entry receipts, inclusion proofs.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use yiwang_app::audit::{self, InclusionProof, SignedCheckpoint};
use yiwang_core::Problem;
use yiwang_store::LedgerRow;

use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The newest signed checkpoint (Merkle root over all entries so far, SM2-signed). Public.
#[utoipa::path(get, path = "/api/v1/ledger/checkpoints/latest", tag = "ledger",
    responses((status = 200, body = SignedCheckpoint),
        (status = 404, description = "No checkpoint has been signed yet", body = ErrorBody)))]
pub async fn latest_checkpoint(
    State(state): State<AppState>,
) -> Result<Json<SignedCheckpoint>, ApiError> {
    audit::latest_checkpoint(&state.app)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("检查点", "Checkpoint").into())
}

/// One ledger entry (a receipt: its content and hash). Signed-in callers with audit rights, or
/// the actor of the entry.
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}", tag = "ledger",
    params(("seq" = i64, Path, description = "entry sequence number")),
    responses((status = 200, body = LedgerRow), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(seq): Path<i64>,
) -> Result<Json<LedgerRow>, ApiError> {
    Ok(Json(
        audit::entry_for(&state.app.store, &caller.actor, seq).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ProofQuery {
    /// Size of the checkpoint to prove against; the newest when omitted.
    pub tree_size: Option<i64>,
}

/// Inclusion proof of an entry in a signed checkpoint. Public: it reveals only hashes.
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}/proof", tag = "ledger",
    params(("seq" = i64, Path, description = "entry sequence number"), ProofQuery),
    responses((status = 200, body = InclusionProof),
        (status = 422, description = "The entry is not in the checkpoint of `tree_size`", body = ErrorBody)))]
pub async fn proof(
    State(state): State<AppState>,
    Path(seq): Path<i64>,
    Query(q): Query<ProofQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    Ok(Json(audit::prove(&state.app, seq, q.tree_size).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The earlier tree size (e.g. a checkpoint you saw before).
    #[param(minimum = 1)]
    pub from: i64,
    /// Size of the checkpoint to prove against; the newest when omitted.
    pub to: Option<i64>,
}

/// Consistency proof (RFC 6962 §2.1.2) that the ledger of `from` entries is a prefix of a signed
/// checkpoint: nothing before it was rewritten. Public: it reveals only hashes, and reads
/// O(log n) stored tree nodes.
#[utoipa::path(get, path = "/api/v1/ledger/consistency", tag = "ledger",
    params(ConsistencyQuery),
    responses((status = 200, body = audit::ConsistencyProof), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<audit::ConsistencyProof>, ApiError> {
    Ok(Json(
        audit::prove_consistency(&state.app, q.from, q.to).await?,
    ))
}

/// The ledger API (留痕审计): every route with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(latest_checkpoint))
        .routes(routes!(entry))
        .routes(routes!(proof))
        .routes(routes!(consistency))
}
