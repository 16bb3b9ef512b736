//! 办件: the pure rules of case processing (DOMAIN.md §1.3) — who applies and who may act for
//! them, the case lifecycle, working-day time limits and warnings, 一次性告知, form and upload
//! checks, parallel and staged approval, case numbers and the fan-out of 一件事 bundles.
//!
//! Everything here is deterministic: the clock (`now`) and any randomness are arguments. The
//! store keeps the state and the history; the app's use cases call these rules inside their
//! transaction and record each transition in the ledger.

pub mod applicant;
pub mod fanout;
pub mod form;
pub mod lifecycle;
pub mod limits;
pub mod notice;
pub mod number;
pub mod steps;

pub use applicant::{
    AgentAct, Applicant, LegalPerson, Mandate, MandateScope, MobileNumber, NaturalPerson,
    RealNameLevel, check_agent,
};
pub use fanout::{LinkedCase, fan_out};
pub use form::{FieldKind, FormMode, UploadLimits, UploadRequest, check_upload, validate_form};
pub use lifecycle::{
    CaseEvent, CaseKind, CaseState, Channel, Performer, SuspensionKind, next_state, transition,
};
pub use limits::{
    CaseClock, CaseLimits, LimitKind, Pause, WarningLevel, WarningSchedule, WarningThresholds,
};
pub use notice::{
    CorrectionNotice, Defect, NoticeItem, NoticeProblem, NoticeRecord, SubmittedMaterial, Violation,
};
pub use number::{CaseNumber, QueryCode};
pub use steps::{
    ConstructionStage, Opinion, Participant, ReviewPlan, ReviewTask, StagePlan, Verdict,
};

use serde::Serialize;

use crate::problem::{Problem, ProblemKind};

/// Why a case rule refused something: a stable machine code plus Chinese and English messages,
/// and whether it is bad input (`Invalid`) or a conflict with the case's current state
/// (`Conflict`). Converts into [`Problem`] for the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRuleError {
    #[serde(skip)]
    pub kind: ProblemKind,
    /// Stable, part of the API contract (e.g. `case.transition`).
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
}

impl CaseRuleError {
    pub(crate) fn conflict(
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        CaseRuleError {
            kind: ProblemKind::Conflict,
            code,
            message: zh.into(),
            message_en: en.into(),
        }
    }

    pub(crate) fn invalid(
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        CaseRuleError {
            kind: ProblemKind::Invalid,
            code,
            message: zh.into(),
            message_en: en.into(),
        }
    }

    pub(crate) fn forbidden(
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        CaseRuleError {
            kind: ProblemKind::Forbidden,
            code,
            message: zh.into(),
            message_en: en.into(),
        }
    }
}

impl std::fmt::Display for CaseRuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message_en, self.message)
    }
}

impl std::error::Error for CaseRuleError {}

impl From<CaseRuleError> for Problem {
    fn from(e: CaseRuleError) -> Self {
        Problem::new(e.kind, e.code, e.message, e.message_en)
    }
}
