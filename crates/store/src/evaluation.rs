//! 评标、定标与合同 rows, queries and SQL: the evaluation of a section's round (template,
//! committee, state, results, the compiled report), the pass/fail review of each bid, the
//! members' score sheets and their other acts (outlier reasons, time votes, report signatures)
//! (DOMAIN §2.2, §2.5).
//!
//! Templates, member lists, results and score entries are JSON text written and read by the use
//! cases with the `yiwang_core::evaluation` types.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::row_digest;
use yiwang_core::time::Micros;

use crate::Result;

/// The evaluation tables the audit ledger covers (every one of them).
pub const EVALUATION_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: EvaluationRow::TABLE,
        id_sql: "id",
        edit_sql: Some("state = state || '改'"),
        forge_sql: "id = id || '-forged', round = round + 1000",
    },
    crate::CoveredTable {
        table: EvaluationReview::TABLE,
        id_sql: "id",
        edit_sql: Some("note = note || '改'"),
        forge_sql: "id = id || '-forged', bid_id = bid_id || '-forged'",
    },
    crate::CoveredTable {
        table: EvaluationSheet::TABLE,
        id_sql: "id",
        edit_sql: Some("entries = entries || ' '"),
        forge_sql: "id = id || '-forged', bid_id = bid_id || '-forged'",
    },
    crate::CoveredTable {
        table: EvaluationAct::TABLE,
        id_sql: "id",
        edit_sql: Some("body = body || ' '"),
        forge_sql: "id = id || '-forged', subject = subject || '-forged'",
    },
];

fn o<T: ToString>(v: &Option<T>) -> String {
    yiwang_core::ledger::opt(&v.as_ref().map(ToString::to_string))
}

/// 评标: one per section and round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EvaluationRow {
    pub id: String,
    pub section_id: String,
    pub round: i64,
    /// The draw whose checked-in committee evaluates.
    pub draw_id: String,
    /// JSON of `yiwang_core::evaluation::ScoringTemplate`.
    pub template: String,
    /// JSON array of the members (expert or tenderee representative, with their accounts).
    pub members: String,
    /// The member id of the committee leader (评标委员会负责人).
    pub leader: String,
    /// `yiwang_core::evaluation::EvaluationState` text.
    pub state: String,
    pub pending_objections: i64,
    /// How many times the time was extended (条例 Art. 48).
    pub extensions: i64,
    /// When the evaluation is planned to end (moved by an extension).
    pub ends_at: Micros,
    /// JSON of the aggregated scores and the ranking, once the scoring is closed.
    pub results: Option<String>,
    /// The report's canonical text, once the leader compiled it.
    pub report: Option<String>,
    pub created_by: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl EvaluationRow {
    pub const TABLE: &'static str = "evaluations";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("round", self.round.to_string()),
                ("draw_id", self.draw_id.clone()),
                ("template", self.template.clone()),
                ("members", self.members.clone()),
                ("leader", self.leader.clone()),
                ("state", self.state.clone()),
                ("pending_objections", self.pending_objections.to_string()),
                ("extensions", self.extensions.to_string()),
                ("ends_at", self.ends_at.to_string()),
                ("results", o(&self.results)),
                ("report", o(&self.report)),
                ("created_by", self.created_by.clone()),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 初步评审结果: one bid passed or rejected, with the reason and the facts found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EvaluationReview {
    pub id: String,
    pub evaluation_id: String,
    pub bid_id: String,
    pub passed: i64,
    /// `yiwang_core::evaluation::ExclusionReason` text of a rejection.
    pub reason: Option<String>,
    pub note: String,
    pub created_at: Micros,
}

impl EvaluationReview {
    pub const TABLE: &'static str = "evaluation_reviews";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("evaluation_id", self.evaluation_id.clone()),
                ("bid_id", self.bid_id.clone()),
                ("passed", self.passed.to_string()),
                ("reason", o(&self.reason)),
                ("note", self.note.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 评分表: one member's sheet for one bid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EvaluationSheet {
    pub id: String,
    pub evaluation_id: String,
    pub member_id: String,
    pub bid_id: String,
    /// JSON array of `yiwang_core::evaluation::ScoreEntry`.
    pub entries: String,
    pub submitted_at: Micros,
}

impl EvaluationSheet {
    pub const TABLE: &'static str = "evaluation_sheets";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("evaluation_id", self.evaluation_id.clone()),
                ("member_id", self.member_id.clone()),
                ("bid_id", self.bid_id.clone()),
                ("entries", self.entries.clone()),
                ("submitted_at", self.submitted_at.to_string()),
            ],
        )
    }
}

/// A member's act besides scoring: an outlier reason (`subject` = bid and criterion), a time
/// vote (`subject` = the extension round) or a report signature (`subject` = the report digest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EvaluationAct {
    pub id: String,
    pub evaluation_id: String,
    pub member_id: String,
    /// `outlier_reason`, `time_vote` or `signature`.
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created_at: Micros,
}

impl EvaluationAct {
    pub const TABLE: &'static str = "evaluation_acts";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("evaluation_id", self.evaluation_id.clone()),
                ("member_id", self.member_id.clone()),
                ("kind", self.kind.clone()),
                ("subject", self.subject.clone()),
                ("body", self.body.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// Evaluation queries: any transaction may run them.
#[async_trait::async_trait]
pub trait EvaluationRead: Send {
    async fn get_evaluation(&mut self, id: &str) -> Result<Option<EvaluationRow>>;
    /// The evaluations of a section (`None`: all), by round.
    async fn list_evaluations(&mut self, section_id: Option<&str>) -> Result<Vec<EvaluationRow>>;
    /// Of one evaluation (`None`: all), by evaluation and bid.
    async fn list_reviews(&mut self, evaluation_id: Option<&str>) -> Result<Vec<EvaluationReview>>;
    /// Of one evaluation (`None`: all), by evaluation, member and bid.
    async fn list_sheets(&mut self, evaluation_id: Option<&str>) -> Result<Vec<EvaluationSheet>>;
    /// Of one evaluation (`None`: all), by evaluation, time and id.
    async fn list_acts(&mut self, evaluation_id: Option<&str>) -> Result<Vec<EvaluationAct>>;
}

/// Evaluation changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait EvaluationWrite: EvaluationRead {
    async fn insert_evaluation(&mut self, e: &EvaluationRow) -> Result<()>;
    async fn update_evaluation(&mut self, e: &EvaluationRow) -> Result<()>;
    async fn insert_review(&mut self, r: &EvaluationReview) -> Result<()>;
    async fn insert_sheet(&mut self, s: &EvaluationSheet) -> Result<()>;
    async fn insert_act(&mut self, a: &EvaluationAct) -> Result<()>;
}

macro_rules! impl_evaluation {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::evaluation::EvaluationRead for $crate::SqlTx<$db, M> {
            async fn get_evaluation(&mut self, id: &str) -> $crate::Result<Option<$crate::EvaluationRow>> {
                sqlx::query_as("SELECT * FROM evaluations WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_evaluations(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::EvaluationRow>> {
                sqlx::query_as("SELECT * FROM evaluations WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, round, id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_reviews(&mut self, evaluation_id: Option<&str>) -> $crate::Result<Vec<$crate::EvaluationReview>> {
                sqlx::query_as("SELECT * FROM evaluation_reviews WHERE ($1 IS NULL OR evaluation_id = $1) ORDER BY evaluation_id, bid_id")
                    .bind(evaluation_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_sheets(&mut self, evaluation_id: Option<&str>) -> $crate::Result<Vec<$crate::EvaluationSheet>> {
                sqlx::query_as("SELECT * FROM evaluation_sheets WHERE ($1 IS NULL OR evaluation_id = $1) ORDER BY evaluation_id, member_id, bid_id")
                    .bind(evaluation_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_acts(&mut self, evaluation_id: Option<&str>) -> $crate::Result<Vec<$crate::EvaluationAct>> {
                sqlx::query_as("SELECT * FROM evaluation_acts WHERE ($1 IS NULL OR evaluation_id = $1) ORDER BY evaluation_id, created_at, id")
                    .bind(evaluation_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::evaluation::EvaluationWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_evaluation(&mut self, e: &$crate::EvaluationRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO evaluations (id, section_id, round, draw_id, template, members, leader, state, pending_objections, extensions, ends_at, results, report, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
                    .bind(&e.id).bind(&e.section_id).bind(e.round).bind(&e.draw_id).bind(&e.template)
                    .bind(&e.members).bind(&e.leader).bind(&e.state).bind(e.pending_objections)
                    .bind(e.extensions).bind(e.ends_at).bind(&e.results).bind(&e.report)
                    .bind(&e.created_by).bind(e.created_at).bind(e.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_evaluation(&mut self, e: &$crate::EvaluationRow) -> $crate::Result<()> {
                sqlx::query("UPDATE evaluations SET leader = $2, state = $3, pending_objections = $4, extensions = $5, ends_at = $6, results = $7, report = $8, updated_at = $9 WHERE id = $1")
                    .bind(&e.id).bind(&e.leader).bind(&e.state).bind(e.pending_objections)
                    .bind(e.extensions).bind(e.ends_at).bind(&e.results).bind(&e.report).bind(e.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_review(&mut self, r: &$crate::EvaluationReview) -> $crate::Result<()> {
                sqlx::query("INSERT INTO evaluation_reviews (id, evaluation_id, bid_id, passed, reason, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&r.id).bind(&r.evaluation_id).bind(&r.bid_id).bind(r.passed)
                    .bind(&r.reason).bind(&r.note).bind(r.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_sheet(&mut self, s: &$crate::EvaluationSheet) -> $crate::Result<()> {
                sqlx::query("INSERT INTO evaluation_sheets (id, evaluation_id, member_id, bid_id, entries, submitted_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&s.id).bind(&s.evaluation_id).bind(&s.member_id).bind(&s.bid_id)
                    .bind(&s.entries).bind(s.submitted_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_act(&mut self, a: &$crate::EvaluationAct) -> $crate::Result<()> {
                sqlx::query("INSERT INTO evaluation_acts (id, evaluation_id, member_id, kind, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&a.id).bind(&a.evaluation_id).bind(&a.member_id).bind(&a.kind)
                    .bind(&a.subject).bind(&a.body).bind(a.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_evaluation;
