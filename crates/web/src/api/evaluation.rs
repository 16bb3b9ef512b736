//! 评标: the JSON API of the evaluation capability under `/api/v1/evaluations` — the centre
//! starts an evaluation, the leader records the review and compiles the report, members submit
//! their sheets, see the others' after submitting, explain flagged scores, vote on the time and
//! sign the report. Every handler calls a use case of `yiwang_app::evaluation` on the server's
//! clock.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::evaluation::EvaluationAct;
use yiwang_app::evaluation::award::{self, AnswerInput, AwardInput};
use yiwang_app::evaluation::report::{self, SignInput};
use yiwang_app::evaluation::scoring::{self, ExplainInput, ScoresView, SubmitInput};
use yiwang_app::evaluation::start::{self, ReviewInput, StartInput};
use yiwang_app::evaluation::{self, EvaluationRow, EvaluationView};

use super::extract::{Json, Path};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

/// 开始评标: the trading centre, for an opened section whose committee has checked in.
#[utoipa::path(post, path = "/api/v1/evaluations", tag = "evaluation", request_body = StartInput,
    responses((status = 201, body = EvaluationRow),
        (status = 403, description = "Not the section's trading centre", body = ErrorBody),
        (status = 404, description = "No such section, draw or representative", body = ErrorBody),
        (status = 409, description = "Section not opened, committee not checked in, no decrypted bid, or already started", body = ErrorBody),
        (status = 422, description = "Template, committee make-up, leader or hours break the rules (`details.violations`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn start_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<StartInput>,
) -> Result<(StatusCode, Json<EvaluationRow>), ApiError> {
    let row = start::start(&state.app, &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// 评标详情: members and the section's trading centre.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")),
    responses((status = 200, body = EvaluationView),
        (status = 403, description = "Neither a member nor the centre", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EvaluationView>, ApiError> {
    Ok(Json(
        evaluation::view(&state.app, &caller.actor, &id).await?,
    ))
}

/// The ids of a section's evaluations the caller may see (members, the centre), by round.
#[utoipa::path(get, path = "/api/v1/tenders/sections/{id}/evaluations", tag = "evaluation",
    params(("id" = String, Path, description = "section id")),
    responses((status = 200, body = Vec<String>),
        (status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 404, description = "No such section", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn section_evaluations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(
        evaluation::of_section(&state.app, &caller.actor, &id).await?,
    ))
}

/// 初步评审: the leader records every decrypted bid's result (a rejection with its reason and facts).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/review", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = ReviewInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not the committee leader", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not at the review (`evaluation.transition`), or all bids may not be rejected", body = ErrorBody),
        (status = 422, description = "A bid missing or repeated, a rejection without reason or facts", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ReviewInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        start::review(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 提交评分: a member's sheets for every valid bid, at once and final.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/sheets", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = SubmitInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not scoring, or already submitted", body = ErrorBody),
        (status = 422, description = "Sheets that break the template (`details.violations`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn submit_sheets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<SubmitInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        scoring::submit(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 查看评分: every sheet, for a member who has submitted its own (403 `evaluation.scores.hidden` before).
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/scores", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")),
    responses((status = 200, body = ScoresView),
        (status = 403, description = "Not a member, or own scores not submitted yet", body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn scores(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ScoresView>, ApiError> {
    Ok(Json(scoring::scores(&state.app, &caller.actor, &id).await?))
}

/// 偏离说明: the written reason for one of the member's flagged scores.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/outlier-reasons", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = ExplainInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not scoring, not flagged, or already explained", body = ErrorBody),
        (status = 422, description = "An empty reason", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ExplainInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        scoring::explain(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// A member's view on the time.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct TimeVote {
    /// The time is not enough (more than a third of the members extends it).
    pub not_enough: bool,
}

/// 评标时间表态: more than a third of the members saying "not enough" extends the evaluation.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/time-votes", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = TimeVote,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not reviewing or scoring, or already voted this period", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn vote_time(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<TimeVote>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        scoring::vote_time(&state.app, &caller.actor, &id, req.not_enough).await?,
    ))
}

/// 编制评标报告: the leader, once the scoring is closed.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/report", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")),
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not the committee leader", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Scoring not closed, or already compiled", body = ErrorBody),
        (status = 422, description = "The report is incoherent (`evaluation.report`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn compile_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(report::compile(&state.app, &caller.actor, &id).await?))
}

/// 签署评标报告: sign, sign with dissent, or refuse (with or without reasons).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/signatures", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = SignInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "No compiled report to sign, or already signed", body = ErrorBody),
        (status = 422, description = "Unknown position, or a dissent without reasons", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn sign_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<SignInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        report::sign(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 公示中标候选人: the tenderee, for 3 days, after the report is signed.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/candidates", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")),
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not the tenderee or its agency", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The report is not signed (`evaluation.transition`)", body = ErrorBody),
        (status = 422, description = "No candidate to publish", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish_candidates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        award::publish_candidates(&state.app, &caller.actor, &id).await?,
    ))
}

/// An objection to the result.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct ObjectionInput {
    /// The bidder party objecting.
    pub party_id: String,
    pub text: String,
}

/// 异议: a bidder, during the publicity only (after it: 409 `evaluation.objection.late`); the award pauses.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/objections", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = ObjectionInput,
    responses((status = 201, body = EvaluationAct),
        (status = 403, description = "Not the party's bidder", body = ErrorBody),
        (status = 404, description = "No such evaluation or party", body = ErrorBody),
        (status = 409, description = "Before or after the publicity (`evaluation.objection.early`, `.late`)", body = ErrorBody),
        (status = 422, description = "No facts and reasons, or not a bidder party", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn raise_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ObjectionInput>,
) -> Result<(StatusCode, Json<EvaluationAct>), ApiError> {
    let act =
        award::raise_objection(&state.app, &caller.actor, &id, &req.party_id, &req.text).await?;
    Ok((StatusCode::CREATED, Json(act)))
}

/// 答复异议: the tenderee; dismissed resumes, upheld re-evaluates.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/objection-answers", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = AnswerInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not the tenderee or its agency", body = ErrorBody),
        (status = 404, description = "No such evaluation or objection", body = ErrorBody),
        (status = 409, description = "Already answered, or no objection pending", body = ErrorBody),
        (status = 422, description = "No reasons", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn answer_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AnswerInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        award::answer_objection(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 定标: after the publicity, no objection pending; rank 1 unless passed over with reasons.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/award", tag = "evaluation",
    params(("id" = String, Path, description = "evaluation id")), request_body = AwardInput,
    responses((status = 200, body = EvaluationRow),
        (status = 403, description = "Not the tenderee or its agency", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not published, publicity running, objection pending or upheld, or not rank 1", body = ErrorBody),
        (status = 422, description = "Not a candidate, or a reason not of 条例 Art. 55", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn award_winner(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AwardInput>,
) -> Result<Json<EvaluationRow>, ApiError> {
    Ok(Json(
        award::award(&state.app, &caller.actor, &id, req).await?,
    ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_evaluation))
        .routes(routes!(get_evaluation))
        .routes(routes!(section_evaluations))
        .routes(routes!(review))
        .routes(routes!(submit_sheets))
        .routes(routes!(scores))
        .routes(routes!(explain))
        .routes(routes!(vote_time))
        .routes(routes!(compile_report))
        .routes(routes!(sign_report))
        .routes(routes!(publish_candidates))
        .routes(routes!(raise_objection))
        .routes(routes!(answer_objection))
        .routes(routes!(award_winner))
}
