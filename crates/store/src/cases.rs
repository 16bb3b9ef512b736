//! Cases (办件, DOMAIN.md §1.3): the case rows, their materials, history, notices (一次性告知),
//! opinions (并联审批), warnings and violations (电子监察), and the case-number counters.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;

/// The case tables the audit ledger covers (the case-number counters and the inbox index are
/// derived, operational data).
pub const CASES_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: CaseRow::TABLE,
        id_sql: "id",
        edit_sql: Some("item_name = item_name || '改'"),
        forge_sql: "id = id || '-forged', number = number || '-forged'",
    },
    crate::CoveredTable {
        table: CaseMaterialRow::TABLE,
        id_sql: "id",
        edit_sql: Some("filename = filename || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: CaseEventRow::TABLE,
        id_sql: "id",
        edit_sql: Some("detail = detail || ' '"),
        forge_sql: "id = id || '-forged', seq = seq + 1000",
    },
    crate::CoveredTable {
        table: CaseNoticeRow::TABLE,
        id_sql: "id",
        edit_sql: Some("notice = notice || '改'"),
        forge_sql: "id = id || '-forged', round = round + 1000",
    },
    crate::CoveredTable {
        table: CaseOpinionRow::TABLE,
        id_sql: "id",
        edit_sql: Some("comment = comment || '改'"),
        forge_sql: "id = id || '-forged', task = task || '-forged'",
    },
    crate::CoveredTable {
        table: CasePartyRow::TABLE,
        id_sql: "case_id || '/' || org_id",
        edit_sql: None,
        forge_sql: "org_id = (SELECT MIN(id) FROM organisations WHERE id <> tamper_forged.org_id)",
    },
    crate::CoveredTable {
        table: CaseWarningRow::TABLE,
        id_sql: "id",
        edit_sql: Some("deadline = deadline + 1"),
        forge_sql: "id = id || '-forged', level = level || '-forged'",
    },
    crate::CoveredTable {
        table: CaseViolationRow::TABLE,
        id_sql: "id",
        edit_sql: Some("detail = detail || ' '"),
        forge_sql: "id = id || '-forged'",
    },
];

fn opt_i(v: Option<i64>) -> String {
    opt(&v.map(|v| v.to_string()))
}

/// The columns of `cases`, in the order of [`CaseRow`].
macro_rules! case_cols {
    () => {
        "id, number, item_id, item_version, item_name, channel, kind, status, applicant_user_id, applicant, applicant_name, agent_user_id, mandate, org_id, centre_id, registered_by, form, query_hash, received_at, accepted_at, decided_at, completed_at, delivered_at, outcome, decision_note, delivery, legal_days, promised_days, clock, extended, plan, participants, pending, committed_by, due_at, warning_level, next_warn_at, created_at, updated_at"
    };
}
pub(crate) use case_cols;

/// 办件: one application for one item version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseRow {
    pub id: String,
    /// 办件编号 (`yiwang_core::cases::CaseNumber`).
    pub number: String,
    pub item_id: String,
    /// The item version the case was filed under (it keeps it).
    pub item_version: i64,
    pub item_name: String,
    pub channel: String,
    pub kind: String,
    pub status: String,
    pub applicant_user_id: String,
    /// JSON of `yiwang_core::cases::Applicant`.
    pub applicant: String,
    pub applicant_name: String,
    pub agent_user_id: Option<String>,
    /// JSON of `yiwang_core::cases::Mandate` when an agent acts.
    pub mandate: Option<String>,
    /// The reviewing (implementing) department.
    pub org_id: String,
    /// The receiving centre (一窗受理).
    pub centre_id: String,
    pub registered_by: Option<String>,
    /// The form's values (JSON object).
    pub form: String,
    /// SM3 of the query code (查询码), set at submission.
    pub query_hash: Option<String>,
    pub received_at: Option<Micros>,
    pub accepted_at: Option<Micros>,
    pub decided_at: Option<Micros>,
    pub completed_at: Option<Micros>,
    pub delivered_at: Option<Micros>,
    pub outcome: Option<String>,
    pub decision_note: Option<String>,
    /// JSON of how the result was delivered.
    pub delivery: Option<String>,
    pub legal_days: i64,
    pub promised_days: i64,
    /// JSON of `yiwang_core::cases::CaseClock`, from acceptance.
    pub clock: Option<String>,
    pub extended: i64,
    /// JSON of `yiwang_core::cases::ReviewPlan`, from dispatch.
    pub plan: Option<String>,
    /// JSON list of `yiwang_core::cases::Participant` (joint items).
    pub participants: String,
    /// JSON list of the pending materials of 容缺受理.
    pub pending: String,
    pub committed_by: Option<String>,
    /// The supervised deadline (exclusive end), for the inbox order.
    pub due_at: Option<Micros>,
    pub warning_level: String,
    /// When the next warning not yet raised falls due (`None`: none, or the clock is stopped).
    pub next_warn_at: Option<Micros>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl CaseRow {
    pub const TABLE: &'static str = "cases";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("number", self.number.clone()),
                ("item_id", self.item_id.clone()),
                ("item_version", self.item_version.to_string()),
                ("item_name", self.item_name.clone()),
                ("channel", self.channel.clone()),
                ("kind", self.kind.clone()),
                ("status", self.status.clone()),
                ("applicant_user_id", self.applicant_user_id.clone()),
                ("applicant", self.applicant.clone()),
                ("applicant_name", self.applicant_name.clone()),
                ("agent_user_id", opt(&self.agent_user_id)),
                ("mandate", opt(&self.mandate)),
                ("org_id", self.org_id.clone()),
                ("centre_id", self.centre_id.clone()),
                ("registered_by", opt(&self.registered_by)),
                ("form", self.form.clone()),
                ("query_hash", opt(&self.query_hash)),
                ("received_at", opt_i(self.received_at)),
                ("accepted_at", opt_i(self.accepted_at)),
                ("decided_at", opt_i(self.decided_at)),
                ("completed_at", opt_i(self.completed_at)),
                ("delivered_at", opt_i(self.delivered_at)),
                ("outcome", opt(&self.outcome)),
                ("decision_note", opt(&self.decision_note)),
                ("delivery", opt(&self.delivery)),
                ("legal_days", self.legal_days.to_string()),
                ("promised_days", self.promised_days.to_string()),
                ("clock", opt(&self.clock)),
                ("extended", self.extended.to_string()),
                ("plan", opt(&self.plan)),
                ("participants", self.participants.clone()),
                ("pending", self.pending.clone()),
                ("committed_by", opt(&self.committed_by)),
                ("due_at", opt_i(self.due_at)),
                ("warning_level", self.warning_level.clone()),
                ("next_warn_at", opt_i(self.next_warn_at)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// A file handed in for one of the item version's materials (content in the blob store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseMaterialRow {
    pub id: String,
    pub case_id: String,
    /// The material's name in the item version's list.
    pub material: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// SM3 of the content: its key in the blob store.
    pub digest: String,
    pub uploaded_by: String,
    pub uploaded_at: Micros,
}

impl CaseMaterialRow {
    pub const TABLE: &'static str = "case_materials";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("material", self.material.clone()),
                ("filename", self.filename.clone()),
                ("content_type", self.content_type.clone()),
                ("size", self.size.to_string()),
                ("digest", self.digest.clone()),
                ("uploaded_by", self.uploaded_by.clone()),
                ("uploaded_at", self.uploaded_at.to_string()),
            ],
        )
    }
}

/// One transition in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseEventRow {
    pub id: String,
    pub case_id: String,
    pub seq: i64,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<String>,
    pub role: Option<String>,
    pub org_id: Option<String>,
    pub reason: Option<String>,
    /// JSON detail (notice, opinion, delivery, …).
    pub detail: String,
    pub at: Micros,
}

impl CaseEventRow {
    pub const TABLE: &'static str = "case_events";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("seq", self.seq.to_string()),
                ("event", self.event.clone()),
                ("from_status", opt(&self.from_status)),
                ("to_status", self.to_status.clone()),
                ("actor_id", opt(&self.actor_id)),
                ("role", opt(&self.role)),
                ("org_id", opt(&self.org_id)),
                ("reason", opt(&self.reason)),
                ("detail", self.detail.clone()),
                ("at", self.at.to_string()),
            ],
        )
    }
}

/// 一次性告知: one notice round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseNoticeRow {
    pub id: String,
    pub case_id: String,
    pub round: i64,
    /// JSON of `CorrectionNotice`.
    pub notice: String,
    /// JSON of the `SubmittedMaterial`s as they stood at issue.
    pub materials: String,
    pub reason: Option<String>,
    pub issued_by: String,
    pub issued_at: Micros,
    pub answered_at: Option<Micros>,
}

impl CaseNoticeRow {
    pub const TABLE: &'static str = "case_notices";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("round", self.round.to_string()),
                ("notice", self.notice.clone()),
                ("materials", self.materials.clone()),
                ("reason", opt(&self.reason)),
                ("issued_by", self.issued_by.clone()),
                ("issued_at", self.issued_at.to_string()),
                ("answered_at", opt_i(self.answered_at)),
            ],
        )
    }
}

/// An opinion on one review task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseOpinionRow {
    pub id: String,
    pub case_id: String,
    pub task: String,
    pub department_id: String,
    pub verdict: String,
    pub comment: String,
    pub officer_id: String,
    pub at: Micros,
}

impl CaseOpinionRow {
    pub const TABLE: &'static str = "case_opinions";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("task", self.task.clone()),
                ("department_id", self.department_id.clone()),
                ("verdict", self.verdict.clone()),
                ("comment", self.comment.clone()),
                ("officer_id", self.officer_id.clone()),
                ("at", self.at.to_string()),
            ],
        )
    }
}

/// A participating department of a joint case (its inbox shows the case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CasePartyRow {
    pub case_id: String,
    pub org_id: String,
}

impl CasePartyRow {
    pub const TABLE: &'static str = "case_parties";
    /// The ledger id of the row.
    pub fn key(&self) -> String {
        format!("{}/{}", self.case_id, self.org_id)
    }
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("case_id", self.case_id.clone()),
                ("org_id", self.org_id.clone()),
            ],
        )
    }
}

/// A warning raised (黄牌/红牌): once per case, step and level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CaseWarningRow {
    pub id: String,
    pub case_id: String,
    /// `case` for the case's own deadline, else a review task key.
    pub step: String,
    pub level: String,
    pub org_id: String,
    pub deadline: Micros,
    pub fired_at: Micros,
}

impl CaseWarningRow {
    pub const TABLE: &'static str = "case_warnings";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("step", self.step.clone()),
                ("level", self.level.clone()),
                ("org_id", self.org_id.clone()),
                ("deadline", self.deadline.to_string()),
                ("fired_at", self.fired_at.to_string()),
            ],
        )
    }
}

/// 监察事件: a violation recorded against a department and officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CaseViolationRow {
    pub id: String,
    pub case_id: String,
    pub violation: String,
    pub org_id: String,
    pub officer_id: Option<String>,
    pub detail: String,
    pub at: Micros,
}

impl CaseViolationRow {
    pub const TABLE: &'static str = "case_violations";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("case_id", self.case_id.clone()),
                ("violation", self.violation.clone()),
                ("org_id", self.org_id.clone()),
                ("officer_id", opt(&self.officer_id)),
                ("detail", self.detail.clone()),
                ("at", self.at.to_string()),
            ],
        )
    }
}

/// Case queries any transaction may run.
#[async_trait::async_trait]
pub trait CasesRead: Send {
    async fn get_case(&mut self, id: &str) -> Result<Option<CaseRow>>;
    async fn get_case_by_number(&mut self, number: &str) -> Result<Option<CaseRow>>;
    /// The applicant's cases (as applicant or agent), newest first.
    async fn list_cases_of_user(
        &mut self,
        user_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CaseRow>>;
    /// An organisation's open cases (reviewing department, receiving centre or participating
    /// department), the nearest deadline first (as kept by [`CasesWrite::set_case_inbox`]).
    async fn list_case_inbox(
        &mut self,
        org_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CaseRow>>;
    /// Submitted cases for the public list (办件公示), newest first.
    async fn list_public_cases(&mut self, limit: i64, offset: i64) -> Result<Vec<CaseRow>>;
    /// Cases with a warning due at `now`, the earliest first.
    async fn list_cases_due_warning(&mut self, now: Micros, limit: i64) -> Result<Vec<CaseRow>>;
    async fn list_case_materials(&mut self, case_id: &str) -> Result<Vec<CaseMaterialRow>>;
    async fn list_case_events(&mut self, case_id: &str) -> Result<Vec<CaseEventRow>>;
    async fn list_case_notices(&mut self, case_id: &str) -> Result<Vec<CaseNoticeRow>>;
    async fn list_case_opinions(&mut self, case_id: &str) -> Result<Vec<CaseOpinionRow>>;
    async fn list_case_parties(&mut self, case_id: &str) -> Result<Vec<CasePartyRow>>;
    async fn list_case_warnings(&mut self, case_id: &str) -> Result<Vec<CaseWarningRow>>;
    async fn list_case_violations(&mut self, case_id: &str) -> Result<Vec<CaseViolationRow>>;
    /// 电子监察: the cases decided in `[from, to)` (a bulletin's month), oldest first.
    async fn list_cases_decided_between(
        &mut self,
        from: Micros,
        to: Micros,
    ) -> Result<Vec<CaseRow>>;
    /// 电子监察: the violations recorded in `[from, to)`.
    async fn list_case_violations_between(
        &mut self,
        from: Micros,
        to: Micros,
    ) -> Result<Vec<CaseViolationRow>>;
    /// The role grants held in one organisation (who is told about a case's warnings).
    async fn list_grants_in_org(&mut self, org_id: &str) -> Result<Vec<crate::RoleGrant>>;
    /// Every row of the covered tables (audit verification).
    async fn all_cases(&mut self) -> Result<Vec<CaseRow>>;
    async fn all_case_materials(&mut self) -> Result<Vec<CaseMaterialRow>>;
    async fn all_case_events(&mut self) -> Result<Vec<CaseEventRow>>;
    async fn all_case_notices(&mut self) -> Result<Vec<CaseNoticeRow>>;
    async fn all_case_opinions(&mut self) -> Result<Vec<CaseOpinionRow>>;
    async fn all_case_parties(&mut self) -> Result<Vec<CasePartyRow>>;
    async fn all_case_warnings(&mut self) -> Result<Vec<CaseWarningRow>>;
    async fn all_case_violations(&mut self) -> Result<Vec<CaseViolationRow>>;
}

/// Case changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait CasesWrite: CasesRead {
    /// The next sequence number of `day` (YYYYMMDD) in `region`: 1, 2, … (a counter row updated
    /// in this transaction, so concurrent writers get distinct numbers).
    async fn next_case_sequence(&mut self, region: &str, day: &str) -> Result<i64>;
    /// Reads a case and locks it until the transaction ends (PostgreSQL `FOR UPDATE`).
    async fn lock_case(&mut self, id: &str) -> Result<Option<CaseRow>>;
    async fn insert_case(&mut self, c: &CaseRow) -> Result<()>;
    async fn update_case(&mut self, c: &CaseRow) -> Result<()>;
    async fn insert_case_material(&mut self, m: &CaseMaterialRow) -> Result<()>;
    async fn insert_case_event(&mut self, e: &CaseEventRow) -> Result<()>;
    async fn insert_case_notice(&mut self, n: &CaseNoticeRow) -> Result<()>;
    async fn update_case_notice(&mut self, n: &CaseNoticeRow) -> Result<()>;
    async fn insert_case_opinion(&mut self, o: &CaseOpinionRow) -> Result<()>;
    async fn insert_case_party(&mut self, p: &CasePartyRow) -> Result<()>;
    /// Puts the case in the inboxes of `org_ids` under `due_key` (its deadline, `i64::MAX` for
    /// none), replacing where it was; with `org_ids` empty it leaves every inbox.
    async fn set_case_inbox(
        &mut self,
        case_id: &str,
        org_ids: &[String],
        due_key: i64,
    ) -> Result<()>;
    /// Inserts the warning unless this case, step and level already has one; `false` then.
    async fn insert_case_warning(&mut self, w: &CaseWarningRow) -> Result<bool>;
    async fn insert_case_violation(&mut self, v: &CaseViolationRow) -> Result<()>;
}

/// The SQL of [`CasesRead`] and [`CasesWrite`] for one backend (`$db`).
macro_rules! impl_cases {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::cases::CasesRead for $crate::SqlTx<$db, M> {
            async fn get_case(&mut self, id: &str) -> $crate::Result<Option<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE id = $1"))
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_case_by_number(&mut self, number: &str) -> $crate::Result<Option<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE number = $1"))
                    .bind(number).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_cases_of_user(&mut self, user_id: &str, limit: i64, offset: i64) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE applicant_user_id = $1 OR agent_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"))
                    .bind(user_id).bind(limit).bind(offset).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_inbox(&mut self, org_id: &str, limit: i64, offset: i64) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE id IN (SELECT case_id FROM case_inbox WHERE org_id = $1 ORDER BY due_key, case_id LIMIT $2 OFFSET $3) ORDER BY COALESCE(due_at, 9223372036854775807), id"))
                    .bind(org_id).bind(limit).bind(offset).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_public_cases(&mut self, limit: i64, offset: i64) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE status <> 'draft' ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"))
                    .bind(limit).bind(offset).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_cases_due_warning(&mut self, now: i64, limit: i64) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE next_warn_at IS NOT NULL AND next_warn_at <= $1 ORDER BY next_warn_at, id LIMIT $2"))
                    .bind(now).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_cases_decided_between(&mut self, from: i64, to: i64) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases WHERE decided_at >= $1 AND decided_at < $2 ORDER BY decided_at, id"))
                    .bind(from).bind(to).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_violations_between(&mut self, from: i64, to: i64) -> $crate::Result<Vec<$crate::cases::CaseViolationRow>> {
                sqlx::query_as("SELECT id, case_id, violation, org_id, officer_id, detail, at FROM case_violations WHERE at >= $1 AND at < $2 ORDER BY at, id")
                    .bind(from).bind(to).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_materials(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseMaterialRow>> {
                sqlx::query_as("SELECT id, case_id, material, filename, content_type, size, digest, uploaded_by, uploaded_at FROM case_materials WHERE case_id = $1 ORDER BY uploaded_at, id")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_events(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseEventRow>> {
                sqlx::query_as("SELECT id, case_id, seq, event, from_status, to_status, actor_id, role, org_id, reason, detail, at FROM case_events WHERE case_id = $1 ORDER BY seq")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_notices(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseNoticeRow>> {
                sqlx::query_as("SELECT id, case_id, round, notice, materials, reason, issued_by, issued_at, answered_at FROM case_notices WHERE case_id = $1 ORDER BY round")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_opinions(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseOpinionRow>> {
                sqlx::query_as("SELECT id, case_id, task, department_id, verdict, comment, officer_id, at FROM case_opinions WHERE case_id = $1 ORDER BY at, id")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_parties(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CasePartyRow>> {
                sqlx::query_as("SELECT case_id, org_id FROM case_parties WHERE case_id = $1 ORDER BY org_id")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_warnings(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseWarningRow>> {
                sqlx::query_as("SELECT id, case_id, step, level, org_id, deadline, fired_at FROM case_warnings WHERE case_id = $1 ORDER BY fired_at, id")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_case_violations(&mut self, case_id: &str) -> $crate::Result<Vec<$crate::cases::CaseViolationRow>> {
                sqlx::query_as("SELECT id, case_id, violation, org_id, officer_id, detail, at FROM case_violations WHERE case_id = $1 ORDER BY at, id")
                    .bind(case_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_grants_in_org(&mut self, org_id: &str) -> $crate::Result<Vec<$crate::RoleGrant>> {
                sqlx::query_as("SELECT id, user_id, role, org_id, created_at FROM role_grants WHERE org_id = $1 ORDER BY id")
                    .bind(org_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_cases(&mut self) -> $crate::Result<Vec<$crate::cases::CaseRow>> {
                sqlx::query_as(concat!("SELECT ", $crate::cases::case_cols!(), " FROM cases ORDER BY id"))
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_materials(&mut self) -> $crate::Result<Vec<$crate::cases::CaseMaterialRow>> {
                sqlx::query_as("SELECT id, case_id, material, filename, content_type, size, digest, uploaded_by, uploaded_at FROM case_materials ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_events(&mut self) -> $crate::Result<Vec<$crate::cases::CaseEventRow>> {
                sqlx::query_as("SELECT id, case_id, seq, event, from_status, to_status, actor_id, role, org_id, reason, detail, at FROM case_events ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_notices(&mut self) -> $crate::Result<Vec<$crate::cases::CaseNoticeRow>> {
                sqlx::query_as("SELECT id, case_id, round, notice, materials, reason, issued_by, issued_at, answered_at FROM case_notices ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_opinions(&mut self) -> $crate::Result<Vec<$crate::cases::CaseOpinionRow>> {
                sqlx::query_as("SELECT id, case_id, task, department_id, verdict, comment, officer_id, at FROM case_opinions ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_parties(&mut self) -> $crate::Result<Vec<$crate::cases::CasePartyRow>> {
                sqlx::query_as("SELECT case_id, org_id FROM case_parties ORDER BY case_id, org_id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_warnings(&mut self) -> $crate::Result<Vec<$crate::cases::CaseWarningRow>> {
                sqlx::query_as("SELECT id, case_id, step, level, org_id, deadline, fired_at FROM case_warnings ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_case_violations(&mut self) -> $crate::Result<Vec<$crate::cases::CaseViolationRow>> {
                sqlx::query_as("SELECT id, case_id, violation, org_id, officer_id, detail, at FROM case_violations ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::cases::CasesWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn next_case_sequence(&mut self, region: &str, day: &str) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("INSERT INTO case_number_seq (region_code, day, last) VALUES ($1, $2, 1) ON CONFLICT (region_code, day) DO UPDATE SET last = case_number_seq.last + 1 RETURNING last")
                    .bind(region).bind(day).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn lock_case(&mut self, id: &str) -> $crate::Result<Option<$crate::cases::CaseRow>> {
                sqlx::query_as(<$db as $crate::dialect::Dialect>::LOCK_CASE)
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_case(&mut self, c: &$crate::cases::CaseRow) -> $crate::Result<()> {
                sqlx::query(concat!("INSERT INTO cases (", $crate::cases::case_cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)"))
                    .bind(&c.id).bind(&c.number).bind(&c.item_id).bind(c.item_version).bind(&c.item_name)
                    .bind(&c.channel).bind(&c.kind).bind(&c.status).bind(&c.applicant_user_id).bind(&c.applicant)
                    .bind(&c.applicant_name).bind(&c.agent_user_id).bind(&c.mandate).bind(&c.org_id).bind(&c.centre_id)
                    .bind(&c.registered_by).bind(&c.form).bind(&c.query_hash).bind(c.received_at).bind(c.accepted_at)
                    .bind(c.decided_at).bind(c.completed_at).bind(c.delivered_at).bind(&c.outcome).bind(&c.decision_note)
                    .bind(&c.delivery).bind(c.legal_days).bind(c.promised_days).bind(&c.clock).bind(c.extended)
                    .bind(&c.plan).bind(&c.participants).bind(&c.pending).bind(&c.committed_by).bind(c.due_at)
                    .bind(&c.warning_level).bind(c.next_warn_at).bind(c.created_at).bind(c.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_case(&mut self, c: &$crate::cases::CaseRow) -> $crate::Result<()> {
                // The number, item, version, channel and applicant never change.
                sqlx::query("UPDATE cases SET kind = $2, status = $3, agent_user_id = $4, mandate = $5, org_id = $6, centre_id = $7, form = $8, query_hash = $9, received_at = $10, accepted_at = $11, decided_at = $12, completed_at = $13, delivered_at = $14, outcome = $15, decision_note = $16, delivery = $17, legal_days = $18, promised_days = $19, clock = $20, extended = $21, plan = $22, participants = $23, pending = $24, committed_by = $25, due_at = $26, warning_level = $27, next_warn_at = $28, updated_at = $29 WHERE id = $1")
                    .bind(&c.id).bind(&c.kind).bind(&c.status).bind(&c.agent_user_id).bind(&c.mandate)
                    .bind(&c.org_id).bind(&c.centre_id).bind(&c.form).bind(&c.query_hash).bind(c.received_at)
                    .bind(c.accepted_at).bind(c.decided_at).bind(c.completed_at).bind(c.delivered_at).bind(&c.outcome)
                    .bind(&c.decision_note).bind(&c.delivery).bind(c.legal_days).bind(c.promised_days).bind(&c.clock)
                    .bind(c.extended).bind(&c.plan).bind(&c.participants).bind(&c.pending).bind(&c.committed_by)
                    .bind(c.due_at).bind(&c.warning_level).bind(c.next_warn_at).bind(c.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_case_material(&mut self, m: &$crate::cases::CaseMaterialRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_materials (id, case_id, material, filename, content_type, size, digest, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&m.id).bind(&m.case_id).bind(&m.material).bind(&m.filename).bind(&m.content_type)
                    .bind(m.size).bind(&m.digest).bind(&m.uploaded_by).bind(m.uploaded_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_case_event(&mut self, e: &$crate::cases::CaseEventRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_events (id, case_id, seq, event, from_status, to_status, actor_id, role, org_id, reason, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&e.id).bind(&e.case_id).bind(e.seq).bind(&e.event).bind(&e.from_status).bind(&e.to_status)
                    .bind(&e.actor_id).bind(&e.role).bind(&e.org_id).bind(&e.reason).bind(&e.detail).bind(e.at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_case_notice(&mut self, n: &$crate::cases::CaseNoticeRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_notices (id, case_id, round, notice, materials, reason, issued_by, issued_at, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&n.id).bind(&n.case_id).bind(n.round).bind(&n.notice).bind(&n.materials)
                    .bind(&n.reason).bind(&n.issued_by).bind(n.issued_at).bind(n.answered_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_case_notice(&mut self, n: &$crate::cases::CaseNoticeRow) -> $crate::Result<()> {
                sqlx::query("UPDATE case_notices SET answered_at = $2 WHERE id = $1")
                    .bind(&n.id).bind(n.answered_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_case_opinion(&mut self, o: &$crate::cases::CaseOpinionRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_opinions (id, case_id, task, department_id, verdict, comment, officer_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&o.id).bind(&o.case_id).bind(&o.task).bind(&o.department_id).bind(&o.verdict)
                    .bind(&o.comment).bind(&o.officer_id).bind(o.at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_case_party(&mut self, p: &$crate::cases::CasePartyRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_parties (case_id, org_id) VALUES ($1, $2)")
                    .bind(&p.case_id).bind(&p.org_id)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn set_case_inbox(&mut self, case_id: &str, org_ids: &[String], due_key: i64) -> $crate::Result<()> {
                sqlx::query("DELETE FROM case_inbox WHERE case_id = $1")
                    .bind(case_id).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                for org in org_ids {
                    sqlx::query("INSERT INTO case_inbox (org_id, due_key, case_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(org).bind(due_key).bind(case_id)
                        .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                }
                Ok(())
            }

            async fn insert_case_warning(&mut self, w: &$crate::cases::CaseWarningRow) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO case_warnings (id, case_id, step, level, org_id, deadline, fired_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, step, level) DO NOTHING")
                    .bind(&w.id).bind(&w.case_id).bind(&w.step).bind(&w.level).bind(&w.org_id)
                    .bind(w.deadline).bind(w.fired_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn insert_case_violation(&mut self, v: &$crate::cases::CaseViolationRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO case_violations (id, case_id, violation, org_id, officer_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&v.id).bind(&v.case_id).bind(&v.violation).bind(&v.org_id).bind(&v.officer_id)
                    .bind(&v.detail).bind(v.at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_cases;
