//! 一项目一档案: the download of a section's archive (`yiwang_app::trading::archive`), a ZIP of
//! every record and file of the section with a signed manifest of digests and ledger proofs,
//! checked offline by `yiwang archive verify FILE`.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::trading::archive;

use super::doc::Binary;
use super::extract::Path;
use crate::AppState;
use crate::auth::Caller;
use crate::download::{Cache, streamed_attachment};
use crate::error::{ApiError, ErrorBody};

/// The archive of a section (ZIP): records, files, `manifest.json` (sizes, SHA-256, row digests,
/// ledger inclusion proofs, the signed checkpoint, the platform key) and `manifest.sig`. For the
/// trading centre's staff, the regulators of its region and the tenderee's (or agency's) people.
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}/archive", tag = "tenders",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, description = "The archive", content((Binary = "application/zip"))),
        (status = 403, description = "Not the centre, a regulator of its region or the tenderee (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such section (`not_found`)", body = ErrorBody),
        (status = 409, description = "A record or file no longer matches the audit ledger (`archive.unrecorded`, `archive.blob_missing`, `archive.blob_altered`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn section_archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let file = archive::build(&state.app, &caller.actor, &id).await?;
    let name = file.filename.clone();
    let read = file.read().await?;
    Ok(streamed_attachment(
        &name,
        "application/zip",
        read,
        false,
        Cache::NoStore,
    ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(section_archive))
}
