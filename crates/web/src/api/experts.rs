//! 专家库与随机抽取: the JSON API of the experts capability — applications and the managing
//! department's decisions under `/api/v1/experts`, draws, answers, check-in, the need-to-know
//! committee list and the public verification under `/api/v1/draws`. Every handler calls a use
//! case of `yiwang_app::experts` on the server's clock.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yiwang_app::experts::answers::{self, CommitteeView, MyInvitation};
use yiwang_app::experts::draws::{self, DrawInput, DrawOutcome, DrawSummary, PublicRecord};
use yiwang_app::experts::register::{
    self, Application, Decision, Declaration, ExpertDetail, PenaltyInput,
};
use yiwang_app::experts::{DrawRequestRow, ExpertPenalty, ExpertRow};
use yiwang_core::experts::roster::SeatChange;

use super::extract::{Json, Path, Query};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

/// 入库申请: the signed-in person applies for themself (again after a rejection or an exit).
#[utoipa::path(post, path = "/api/v1/experts/applications", tag = "experts", request_body = Application,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 201, body = ExpertRow),
        (status = 404, description = "No such managing department", body = ErrorBody),
        (status = 409, description = "Already applied or admitted (`expert.transition`, `duplicate`)", body = ErrorBody),
        (status = 422, description = "A bad field, or not the applicant's own identity (`experts.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<Application>,
) -> Result<(StatusCode, Json<ExpertRow>), ApiError> {
    let row = register::apply(&state.app, &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A status filter.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `applied`, `admitted`, `suspended`, …
    pub status: Option<String>,
}

/// The experts of the departments the caller manages (专家管理人员 only).
#[utoipa::path(get, path = "/api/v1/experts", tag = "experts", params(ListQuery),
    responses((status = 200, body = Vec<ExpertRow>),
        (status = 403, description = "Not the managing department's staff", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ExpertRow>>, ApiError> {
    Ok(Json(
        register::list(&state.app, &caller.actor, q.status.as_deref()).await?,
    ))
}

/// The signed-in expert's own record.
#[utoipa::path(get, path = "/api/v1/experts/me", tag = "experts",
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = ExpertDetail),
        (status = 404, description = "The caller is not an expert", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ExpertDetail>, ApiError> {
    Ok(Json(register::mine(&state.app, &caller.actor).await?))
}

/// 申报: the expert adds employment, declared conflicts and unavailable days.
#[utoipa::path(post, path = "/api/v1/experts/me/declarations", tag = "experts", request_body = Declaration,
    responses((status = 409, description = "Not in a state that allows this", body = ErrorBody),
        (status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = ExpertDetail),
        (status = 404, description = "The caller is not an expert", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn declare(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<Declaration>,
) -> Result<Json<ExpertDetail>, ApiError> {
    Ok(Json(
        register::declare(&state.app, &caller.actor, req).await?,
    ))
}

/// A reason.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Reason {
    pub reason: String,
}

/// 申请退出: draws stop at once; the managing department confirms the exit.
#[utoipa::path(post, path = "/api/v1/experts/me/exit", tag = "experts", request_body = Reason,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = ExpertRow),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not in a state to leave (`expert.transition`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn request_exit(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<Reason>,
) -> Result<Json<ExpertRow>, ApiError> {
    Ok(Json(
        register::request_exit(&state.app, &caller.actor, &req.reason).await?,
    ))
}

/// 我的邀请: time, place and state of the caller's invitations — never the tenderee or bidders.
#[utoipa::path(get, path = "/api/v1/experts/me/invitations", tag = "experts",
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = Vec<MyInvitation>)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_invitations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MyInvitation>>, ApiError> {
    Ok(Json(
        answers::my_invitations(&state.app, &caller.actor).await?,
    ))
}

/// One expert: for the managing department and the expert themself (管用分离: never the centre).
#[utoipa::path(get, path = "/api/v1/experts/{id}", tag = "experts",
    params(("id" = String, Path, description = "expert id")),
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = ExpertDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_expert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ExpertDetail>, ApiError> {
    Ok(Json(register::get(&state.app, &caller.actor, &id).await?))
}

/// 审核入库、暂停、恢复、续聘、解聘、办结退出: by the managing department only, with a reason.
#[utoipa::path(post, path = "/api/v1/experts/{id}/decisions", tag = "experts",
    params(("id" = String, Path, description = "expert id")), request_body = Decision,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = ExpertRow),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The expert's status does not allow it (`expert.transition`)", body = ErrorBody),
        (status = 422, description = "No reason, no term, not eligible (`expert.*`, `experts.*`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Decision>,
) -> Result<Json<ExpertRow>, ApiError> {
    Ok(Json(
        register::decide(&state.app, &caller.actor, &id, req).await?,
    ))
}

/// 处罚记录: a talk, a draw ban, a misconduct penalty or a debarment.
#[utoipa::path(post, path = "/api/v1/experts/{id}/penalties", tag = "experts",
    params(("id" = String, Path, description = "expert id")), request_body = PenaltyInput,
    responses((status = 409, description = "Not in a state that allows this", body = ErrorBody),
        (status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 201, body = ExpertPenalty),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_penalty(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<PenaltyInput>,
) -> Result<(StatusCode, Json<ExpertPenalty>), ApiError> {
    let p = register::add_penalty(&state.app, &caller.actor, &id, req).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// 抽取申请: the platform commits to its secret in the ledger, then the request is recorded.
#[utoipa::path(post, path = "/api/v1/draws", tag = "experts", request_body = DrawInput,
    responses((status = 409, description = "Not in a state that allows this", body = ErrorBody),
        (status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 201, body = DrawRequestRow),
        (status = 404, description = "No such section", body = ErrorBody),
        (status = 422, description = "The committee rules, lines or times are not met (`draw.*`, with every violation)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn request_draw(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<DrawInput>,
) -> Result<(StatusCode, Json<DrawRequestRow>), ApiError> {
    let d = draws::request_draw(&state.app, &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A section filter.
#[derive(Deserialize, IntoParams)]
pub struct SectionQuery {
    pub section_id: String,
}

/// The draws of a section (the trading centre's staff).
#[utoipa::path(get, path = "/api/v1/draws", tag = "experts", params(SectionQuery),
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = Vec<DrawSummary>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_draws(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SectionQuery>,
) -> Result<Json<Vec<DrawSummary>>, ApiError> {
    Ok(Json(
        draws::list_for_section(&state.app, &caller.actor, &q.section_id).await?,
    ))
}

/// Optional late entropy typed by the operator (or read out by the supervising regulator).
#[derive(Deserialize, Serialize, ToSchema, Default)]
pub struct RunInput {
    pub contribution: Option<String>,
}

/// 抽取: the one attempt of a request, by its operator. Unfilled: 409 `draw.unfilled` naming the
/// rule that emptied the pool (recorded in the ledger all the same).
#[utoipa::path(post, path = "/api/v1/draws/{id}/run", tag = "experts",
    params(("id" = String, Path, description = "draw id")), request_body = RunInput,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = DrawOutcome),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already drawn (`draw.already_run`) or not filled (`draw.unfilled`, details list each line's cause)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn run_draw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<RunInput>,
) -> Result<Json<DrawOutcome>, ApiError> {
    Ok(Json(
        draws::run_draw(&state.app, &caller.actor, &id, req.contribution).await?,
    ))
}

/// The expert's answer.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Answer {
    /// true: 确认参加; false: 拒绝参加 (the next reserve is invited at once).
    pub confirm: bool,
}

/// 确认 / 拒绝: the invited expert answers.
#[utoipa::path(post, path = "/api/v1/draws/{id}/answer", tag = "experts",
    params(("id" = String, Path, description = "draw id")), request_body = Answer,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = SeatChange),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already answered (`draw.seat_transition`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<Answer>,
) -> Result<Json<SeatChange>, ApiError> {
    Ok(Json(
        answers::respond(&state.app, &caller.actor, &id, req.confirm).await?,
    ))
}

/// A check-in at the evaluation site.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct CheckIn {
    pub expert_id: String,
    /// 评标地点 (the member's site when the committee spans several).
    pub site: String,
}

/// 签到: the operator checks a member in after the identity check; the evaluation starts.
#[utoipa::path(post, path = "/api/v1/draws/{id}/check-in", tag = "experts",
    params(("id" = String, Path, description = "draw id")), request_body = CheckIn,
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = SeatChange),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CheckIn>,
) -> Result<Json<SeatChange>, ApiError> {
    Ok(Json(
        answers::check_in(&state.app, &caller.actor, &id, &req.expert_id, &req.site).await?,
    ))
}

/// 评标委员会名单: need-to-know — before check-in only the draw's operator (numbers), then the
/// centre and regulator (names); the tenderee, agency and bidders get 403. Every view is logged
/// in the ledger.
#[utoipa::path(get, path = "/api/v1/draws/{id}/committee", tag = "experts",
    params(("id" = String, Path, description = "draw id")),
    responses((status = 409, description = "Not in a state that allows this", body = ErrorBody),
        (status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = CommitteeView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn committee(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CommitteeView>, ApiError> {
    Ok(Json(
        answers::committee(&state.app, &caller.actor, &id).await?,
    ))
}

/// 评标结束: the operator closes the evaluation; the platform reveals the draw's secret.
#[utoipa::path(post, path = "/api/v1/draws/{id}/finish", tag = "experts",
    params(("id" = String, Path, description = "draw id")),
    responses((status = 403, description = "Not allowed for this role or organisation", body = ErrorBody),
        (status = 200, body = DrawRequestRow),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Nobody checked in yet (`draw.not_evaluated`)", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn finish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DrawRequestRow>, ApiError> {
    Ok(Json(
        draws::finish_evaluation(&state.app, &caller.actor, &id).await?,
    ))
}

/// 抽取验证数据: the public record of a revealed draw — request, pool, contributions, result,
/// revealed secret, ledger positions. Public; 409 `draw.not_revealed` before the reveal.
#[utoipa::path(get, path = "/api/v1/draws/{id}/record", tag = "experts",
    params(("id" = String, Path, description = "draw id")),
    responses((status = 200, body = PublicRecord),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not revealed yet (`draw.not_revealed`)", body = ErrorBody)))]
pub async fn public_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PublicRecord>, ApiError> {
    Ok(Json(draws::public_record(&state.app, &id).await?))
}

/// The verdict of a verification.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Verdict {
    pub valid: bool,
    /// The failed check (`draw.verify.*`), when not valid.
    pub code: Option<String>,
    pub message: Option<String>,
    pub message_en: Option<String>,
}

/// 抽取验证: recompute a draw from a public record (as `yiwang draw verify` does). Public; a
/// computation, nothing is stored.
#[utoipa::path(post, path = "/api/v1/draws/verify", tag = "experts", request_body = PublicRecord,
    responses((status = 409, description = "Not in a state that allows this", body = ErrorBody),
        (status = 200, body = Verdict)))]
pub async fn verify(Json(req): Json<PublicRecord>) -> Json<Verdict> {
    Json(match draws::verify_record(&req) {
        Ok(()) => Verdict {
            valid: true,
            code: None,
            message: None,
            message_en: None,
        },
        Err(p) => Verdict {
            valid: false,
            code: Some(p.code),
            message: Some(p.message),
            message_en: Some(p.message_en),
        },
    })
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(apply))
        .routes(routes!(list))
        .routes(routes!(mine))
        .routes(routes!(declare))
        .routes(routes!(request_exit))
        .routes(routes!(my_invitations))
        .routes(routes!(get_expert))
        .routes(routes!(decide))
        .routes(routes!(add_penalty))
        .routes(routes!(request_draw, list_draws))
        .routes(routes!(run_draw))
        .routes(routes!(answer))
        .routes(routes!(check_in))
        .routes(routes!(committee))
        .routes(routes!(finish))
        .routes(routes!(public_record))
        .routes(routes!(verify))
}
