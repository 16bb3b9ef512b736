//! 专家库与随机抽取 rows, queries and SQL: experts, their employment history, declared conflicts,
//! unavailability, penalties, draw requests (with their one attempt and roster) and invitations
//! (DOMAIN §2.4).
//!
//! Dates are ISO `YYYY-MM-DD` text; lists read whole (titles, specialties, the draw's request,
//! pool, result and roster) are JSON text written and read by the use cases with the
//! `yiwang_core::experts` types.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::row_digest;
use yiwang_core::time::Micros;

use crate::Result;

/// The expert tables the audit ledger covers (every one of them).
pub const EXPERTS_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: ExpertRow::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', id_number = id_number || '-forged', user_id = NULL",
    },
    crate::CoveredTable {
        table: ExpertEmployment::TABLE,
        id_sql: "id",
        edit_sql: Some("org_name = org_name || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: ExpertConflict::TABLE,
        id_sql: "id",
        edit_sql: Some("body = body || ' '"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: ExpertUnavailability::TABLE,
        id_sql: "id",
        edit_sql: Some("note = note || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: ExpertPenalty::TABLE,
        id_sql: "id",
        edit_sql: Some("reason = reason || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: DrawRequestRow::TABLE,
        id_sql: "id",
        edit_sql: Some("place = place || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: DrawInvitation::TABLE,
        id_sql: "id",
        edit_sql: Some("state = state || '改'"),
        forge_sql: "id = id || '-forged', draw_id = draw_id || '-forged'",
    },
];

fn o<T: ToString>(v: &Option<T>) -> String {
    yiwang_core::ledger::opt(&v.as_ref().map(ToString::to_string))
}

/// 评标专家
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ExpertRow {
    pub id: String,
    /// The expert's own account, when they have one.
    pub user_id: Option<String>,
    /// 专家管理部门: the only organisation that changes the expert's status.
    pub managing_org_id: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    /// Region code where the expert lives and works (local/remote pools).
    pub region: String,
    /// `yiwang_core::experts::ExpertStatus` text.
    pub status: String,
    /// The reason given with the last status change.
    pub status_reason: Option<String>,
    pub field_since: String,
    /// JSON array of `yiwang_core::experts::expert::Title`.
    pub titles: String,
    /// JSON array of specialty codes.
    pub specialties: String,
    pub electronic: i64,
    pub fit_for_duty: i64,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    /// A minimum gap between draws set by the yearly assessment.
    pub min_gap_days: Option<i64>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl ExpertRow {
    pub const TABLE: &'static str = "experts";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("user_id", o(&self.user_id)),
                ("managing_org_id", self.managing_org_id.clone()),
                ("name", self.name.clone()),
                ("id_number", self.id_number.clone()),
                ("mobile", self.mobile.clone()),
                ("region", self.region.clone()),
                ("status", self.status.clone()),
                ("status_reason", o(&self.status_reason)),
                ("field_since", self.field_since.clone()),
                ("titles", self.titles.clone()),
                ("specialties", self.specialties.clone()),
                ("electronic", self.electronic.to_string()),
                ("fit_for_duty", self.fit_for_duty.to_string()),
                ("term_start", o(&self.term_start)),
                ("term_end", o(&self.term_end)),
                ("min_gap_days", o(&self.min_gap_days)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 任职经历: an employer (or directorship, control) with its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ExpertEmployment {
    pub id: String,
    pub expert_id: String,
    /// The employer's 统一社会信用代码.
    pub org_code: String,
    pub org_name: String,
    /// `yiwang_core::experts::expert::TieKind` text.
    pub kind: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub created_at: Micros,
}

impl ExpertEmployment {
    pub const TABLE: &'static str = "expert_employments";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("expert_id", self.expert_id.clone()),
                ("org_code", self.org_code.clone()),
                ("org_name", self.org_name.clone()),
                ("kind", self.kind.clone()),
                ("start_date", self.start_date.clone()),
                ("end_date", o(&self.end_date)),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 申报的利害关系: JSON of `yiwang_core::experts::expert::DeclaredConflict`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ExpertConflict {
    pub id: String,
    pub expert_id: String,
    pub body: String,
    pub created_at: Micros,
}

impl ExpertConflict {
    pub const TABLE: &'static str = "expert_conflicts";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("expert_id", self.expert_id.clone()),
                ("body", self.body.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 不能参加评标的日期.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ExpertUnavailability {
    pub id: String,
    pub expert_id: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub note: String,
    pub created_at: Micros,
}

impl ExpertUnavailability {
    pub const TABLE: &'static str = "expert_unavailability";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("expert_id", self.expert_id.clone()),
                ("start_date", self.start_date.clone()),
                ("end_date", o(&self.end_date)),
                ("note", self.note.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 处罚记录 (约谈, 暂停抽取, 违法违规处罚, 失信惩戒).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ExpertPenalty {
    pub id: String,
    pub expert_id: String,
    /// `yiwang_core::experts::expert::PenaltyKind` text.
    pub kind: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub reason: String,
    pub org_id: String,
    pub created_at: Micros,
}

impl ExpertPenalty {
    pub const TABLE: &'static str = "expert_penalties";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("expert_id", self.expert_id.clone()),
                ("kind", self.kind.clone()),
                ("start_date", self.start_date.clone()),
                ("end_date", o(&self.end_date)),
                ("reason", self.reason.clone()),
                ("org_id", self.org_id.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 抽取申请 with its one attempt (see the migration for the columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DrawRequestRow {
    pub id: String,
    pub section_id: String,
    pub centre_org_id: String,
    pub operator_id: String,
    /// `requested`, `drawn`, `failed`, `revealed`.
    pub status: String,
    /// JSON of `yiwang_core::experts::DrawRequest`.
    pub request: String,
    pub request_digest: String,
    pub commitment: String,
    pub commit_seq: i64,
    pub request_seq: i64,
    /// 评标地点 (the only thing, with the time, an invitation says).
    pub place: String,
    pub starts_at: Micros,
    pub answer_secs: i64,
    pub screening: Option<String>,
    pub pool: Option<String>,
    pub pool_digest: Option<String>,
    pub pool_seq: Option<i64>,
    pub contributions: Option<String>,
    pub contribution_seq: Option<i64>,
    pub result: Option<String>,
    pub result_seq: Option<i64>,
    pub shortfalls: Option<String>,
    pub roster: Option<String>,
    pub checked_in_at: Option<Micros>,
    pub ended_at: Option<Micros>,
    /// The revealed secret (hex), after the evaluation.
    pub secret: Option<String>,
    pub reveal_seq: Option<i64>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl DrawRequestRow {
    pub const TABLE: &'static str = "draw_requests";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("centre_org_id", self.centre_org_id.clone()),
                ("operator_id", self.operator_id.clone()),
                ("status", self.status.clone()),
                ("request", self.request.clone()),
                ("request_digest", self.request_digest.clone()),
                ("commitment", self.commitment.clone()),
                ("commit_seq", self.commit_seq.to_string()),
                ("request_seq", self.request_seq.to_string()),
                ("place", self.place.clone()),
                ("starts_at", self.starts_at.to_string()),
                ("answer_secs", self.answer_secs.to_string()),
                ("screening", o(&self.screening)),
                ("pool", o(&self.pool)),
                ("pool_digest", o(&self.pool_digest)),
                ("pool_seq", o(&self.pool_seq)),
                ("contributions", o(&self.contributions)),
                ("contribution_seq", o(&self.contribution_seq)),
                ("result", o(&self.result)),
                ("result_seq", o(&self.result_seq)),
                ("shortfalls", o(&self.shortfalls)),
                ("roster", o(&self.roster)),
                ("checked_in_at", o(&self.checked_in_at)),
                ("ended_at", o(&self.ended_at)),
                ("secret", o(&self.secret)),
                ("reveal_seq", o(&self.reveal_seq)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 专家邀请: one seat of a drawn committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DrawInvitation {
    pub id: String,
    pub draw_id: String,
    pub expert_id: String,
    pub line: i64,
    /// `yiwang_core::experts::roster::SeatState` text.
    pub state: String,
    pub invited_at: Micros,
    pub replaces: Option<String>,
    pub site: Option<String>,
    pub updated_at: Micros,
}

impl DrawInvitation {
    pub const TABLE: &'static str = "draw_invitations";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("draw_id", self.draw_id.clone()),
                ("expert_id", self.expert_id.clone()),
                ("line", self.line.to_string()),
                ("state", self.state.clone()),
                ("invited_at", self.invited_at.to_string()),
                ("replaces", o(&self.replaces)),
                ("site", o(&self.site)),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// Expert queries: any transaction may run them.
#[async_trait::async_trait]
pub trait ExpertsRead: Send {
    async fn get_expert(&mut self, id: &str) -> Result<Option<ExpertRow>>;
    async fn find_expert_by_user(&mut self, user_id: &str) -> Result<Option<ExpertRow>>;
    /// Every expert (`None`) or those of one managing department, by id.
    async fn list_experts(&mut self, managing_org_id: Option<&str>) -> Result<Vec<ExpertRow>>;
    /// Of one expert (`None`: of all), by expert and id.
    async fn list_employments(&mut self, expert_id: Option<&str>) -> Result<Vec<ExpertEmployment>>;
    async fn list_conflicts(&mut self, expert_id: Option<&str>) -> Result<Vec<ExpertConflict>>;
    async fn list_unavailability(
        &mut self,
        expert_id: Option<&str>,
    ) -> Result<Vec<ExpertUnavailability>>;
    async fn list_penalties(&mut self, expert_id: Option<&str>) -> Result<Vec<ExpertPenalty>>;
    async fn get_draw(&mut self, id: &str) -> Result<Option<DrawRequestRow>>;
    /// Draws of a section (`None`: all), oldest first.
    async fn list_draws(&mut self, section_id: Option<&str>) -> Result<Vec<DrawRequestRow>>;
    /// Invitations of a draw (`None`: all), by draw, line and invitation time.
    async fn list_invitations(&mut self, draw_id: Option<&str>) -> Result<Vec<DrawInvitation>>;
    /// An expert's invitations, newest first.
    async fn invitations_of_expert(&mut self, expert_id: &str) -> Result<Vec<DrawInvitation>>;
}

/// Expert changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait ExpertsWrite: ExpertsRead {
    async fn insert_expert(&mut self, e: &ExpertRow) -> Result<()>;
    async fn update_expert(&mut self, e: &ExpertRow) -> Result<()>;
    /// Links an expert imported without an account to `user_id` (only while it has none).
    async fn link_expert_user(&mut self, id: &str, user_id: &str, updated_at: i64) -> Result<()>;
    async fn insert_employment(&mut self, e: &ExpertEmployment) -> Result<()>;
    async fn insert_conflict(&mut self, c: &ExpertConflict) -> Result<()>;
    async fn insert_unavailability(&mut self, u: &ExpertUnavailability) -> Result<()>;
    async fn insert_penalty(&mut self, p: &ExpertPenalty) -> Result<()>;
    async fn insert_draw(&mut self, d: &DrawRequestRow) -> Result<()>;
    async fn update_draw(&mut self, d: &DrawRequestRow) -> Result<()>;
    /// Insert the invitation, or update its state, site and time when its id exists.
    async fn upsert_invitation(&mut self, i: &DrawInvitation) -> Result<()>;
}

macro_rules! impl_experts {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::experts::ExpertsRead for $crate::SqlTx<$db, M> {
            async fn get_expert(&mut self, id: &str) -> $crate::Result<Option<$crate::ExpertRow>> {
                sqlx::query_as("SELECT * FROM experts WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn find_expert_by_user(&mut self, user_id: &str) -> $crate::Result<Option<$crate::ExpertRow>> {
                sqlx::query_as("SELECT * FROM experts WHERE user_id = $1")
                    .bind(user_id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_experts(&mut self, managing_org_id: Option<&str>) -> $crate::Result<Vec<$crate::ExpertRow>> {
                sqlx::query_as("SELECT * FROM experts WHERE ($1 IS NULL OR managing_org_id = $1) ORDER BY id")
                    .bind(managing_org_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_employments(&mut self, expert_id: Option<&str>) -> $crate::Result<Vec<$crate::ExpertEmployment>> {
                sqlx::query_as("SELECT * FROM expert_employments WHERE ($1 IS NULL OR expert_id = $1) ORDER BY expert_id, id")
                    .bind(expert_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_conflicts(&mut self, expert_id: Option<&str>) -> $crate::Result<Vec<$crate::ExpertConflict>> {
                sqlx::query_as("SELECT * FROM expert_conflicts WHERE ($1 IS NULL OR expert_id = $1) ORDER BY expert_id, id")
                    .bind(expert_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_unavailability(&mut self, expert_id: Option<&str>) -> $crate::Result<Vec<$crate::ExpertUnavailability>> {
                sqlx::query_as("SELECT * FROM expert_unavailability WHERE ($1 IS NULL OR expert_id = $1) ORDER BY expert_id, id")
                    .bind(expert_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_penalties(&mut self, expert_id: Option<&str>) -> $crate::Result<Vec<$crate::ExpertPenalty>> {
                sqlx::query_as("SELECT * FROM expert_penalties WHERE ($1 IS NULL OR expert_id = $1) ORDER BY expert_id, id")
                    .bind(expert_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_draw(&mut self, id: &str) -> $crate::Result<Option<$crate::DrawRequestRow>> {
                sqlx::query_as("SELECT * FROM draw_requests WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_draws(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::DrawRequestRow>> {
                sqlx::query_as("SELECT * FROM draw_requests WHERE ($1 IS NULL OR section_id = $1) ORDER BY created_at, id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_invitations(&mut self, draw_id: Option<&str>) -> $crate::Result<Vec<$crate::DrawInvitation>> {
                sqlx::query_as("SELECT * FROM draw_invitations WHERE ($1 IS NULL OR draw_id = $1) ORDER BY draw_id, line, invited_at, id")
                    .bind(draw_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn invitations_of_expert(&mut self, expert_id: &str) -> $crate::Result<Vec<$crate::DrawInvitation>> {
                sqlx::query_as("SELECT * FROM draw_invitations WHERE expert_id = $1 ORDER BY invited_at DESC, id")
                    .bind(expert_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::experts::ExpertsWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_expert(&mut self, e: &$crate::ExpertRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO experts (id, user_id, managing_org_id, name, id_number, mobile, region, status, status_reason, field_since, titles, specialties, electronic, fit_for_duty, term_start, term_end, min_gap_days, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)")
                    .bind(&e.id).bind(&e.user_id).bind(&e.managing_org_id).bind(&e.name).bind(&e.id_number)
                    .bind(&e.mobile).bind(&e.region).bind(&e.status).bind(&e.status_reason).bind(&e.field_since)
                    .bind(&e.titles).bind(&e.specialties).bind(e.electronic).bind(e.fit_for_duty)
                    .bind(&e.term_start).bind(&e.term_end).bind(e.min_gap_days).bind(e.created_at).bind(e.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_expert(&mut self, e: &$crate::ExpertRow) -> $crate::Result<()> {
                sqlx::query("UPDATE experts SET name = $2, mobile = $3, region = $4, status = $5, status_reason = $6, field_since = $7, titles = $8, specialties = $9, electronic = $10, fit_for_duty = $11, term_start = $12, term_end = $13, min_gap_days = $14, updated_at = $15 WHERE id = $1")
                    .bind(&e.id).bind(&e.name).bind(&e.mobile).bind(&e.region).bind(&e.status)
                    .bind(&e.status_reason).bind(&e.field_since).bind(&e.titles).bind(&e.specialties)
                    .bind(e.electronic).bind(e.fit_for_duty).bind(&e.term_start).bind(&e.term_end)
                    .bind(e.min_gap_days).bind(e.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn link_expert_user(&mut self, id: &str, user_id: &str, updated_at: i64) -> $crate::Result<()> {
                sqlx::query("UPDATE experts SET user_id = $2, updated_at = $3 WHERE id = $1 AND user_id IS NULL")
                    .bind(id).bind(user_id).bind(updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_employment(&mut self, e: &$crate::ExpertEmployment) -> $crate::Result<()> {
                sqlx::query("INSERT INTO expert_employments (id, expert_id, org_code, org_name, kind, start_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&e.id).bind(&e.expert_id).bind(&e.org_code).bind(&e.org_name).bind(&e.kind)
                    .bind(&e.start_date).bind(&e.end_date).bind(e.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_conflict(&mut self, c: &$crate::ExpertConflict) -> $crate::Result<()> {
                sqlx::query("INSERT INTO expert_conflicts (id, expert_id, body, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&c.id).bind(&c.expert_id).bind(&c.body).bind(c.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_unavailability(&mut self, u: &$crate::ExpertUnavailability) -> $crate::Result<()> {
                sqlx::query("INSERT INTO expert_unavailability (id, expert_id, start_date, end_date, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&u.id).bind(&u.expert_id).bind(&u.start_date).bind(&u.end_date).bind(&u.note).bind(u.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_penalty(&mut self, p: &$crate::ExpertPenalty) -> $crate::Result<()> {
                sqlx::query("INSERT INTO expert_penalties (id, expert_id, kind, start_date, end_date, reason, org_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&p.id).bind(&p.expert_id).bind(&p.kind).bind(&p.start_date).bind(&p.end_date)
                    .bind(&p.reason).bind(&p.org_id).bind(p.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_draw(&mut self, d: &$crate::DrawRequestRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO draw_requests (id, section_id, centre_org_id, operator_id, status, request, request_digest, commitment, commit_seq, request_seq, place, starts_at, answer_secs, screening, pool, pool_digest, pool_seq, contributions, contribution_seq, result, result_seq, shortfalls, roster, checked_in_at, ended_at, secret, reveal_seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)")
                    .bind(&d.id).bind(&d.section_id).bind(&d.centre_org_id).bind(&d.operator_id).bind(&d.status)
                    .bind(&d.request).bind(&d.request_digest).bind(&d.commitment).bind(d.commit_seq).bind(d.request_seq)
                    .bind(&d.place).bind(d.starts_at).bind(d.answer_secs).bind(&d.screening).bind(&d.pool)
                    .bind(&d.pool_digest).bind(d.pool_seq).bind(&d.contributions).bind(d.contribution_seq)
                    .bind(&d.result).bind(d.result_seq).bind(&d.shortfalls).bind(&d.roster).bind(d.checked_in_at)
                    .bind(d.ended_at).bind(&d.secret).bind(d.reveal_seq).bind(d.created_at).bind(d.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_draw(&mut self, d: &$crate::DrawRequestRow) -> $crate::Result<()> {
                sqlx::query("UPDATE draw_requests SET status = $2, screening = $3, pool = $4, pool_digest = $5, pool_seq = $6, contributions = $7, contribution_seq = $8, result = $9, result_seq = $10, shortfalls = $11, roster = $12, checked_in_at = $13, ended_at = $14, secret = $15, reveal_seq = $16, updated_at = $17 WHERE id = $1")
                    .bind(&d.id).bind(&d.status).bind(&d.screening).bind(&d.pool).bind(&d.pool_digest)
                    .bind(d.pool_seq).bind(&d.contributions).bind(d.contribution_seq).bind(&d.result)
                    .bind(d.result_seq).bind(&d.shortfalls).bind(&d.roster).bind(d.checked_in_at)
                    .bind(d.ended_at).bind(&d.secret).bind(d.reveal_seq).bind(d.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn upsert_invitation(&mut self, i: &$crate::DrawInvitation) -> $crate::Result<()> {
                sqlx::query("INSERT INTO draw_invitations (id, draw_id, expert_id, line, state, invited_at, replaces, site, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET state = excluded.state, site = excluded.site, updated_at = excluded.updated_at")
                    .bind(&i.id).bind(&i.draw_id).bind(&i.expert_id).bind(i.line).bind(&i.state)
                    .bind(i.invited_at).bind(&i.replaces).bind(&i.site).bind(i.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_experts;
