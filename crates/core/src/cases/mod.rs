//! 办件: the pure rules of case processing (DOMAIN.md §1.3) — who applies and who may act for
//! them, the case lifecycle, working-day time limits and warnings, 一次性告知, form and upload
//! checks, parallel and staged approval, case numbers and the fan-out of 一件事 bundles.
//!
//! Everything here is deterministic: the clock (`now`) and any randomness are arguments. The
//! store keeps the state and the history; the app's use cases call these rules inside their
//! transaction and record each transition in the ledger.
//!
//! # How a use case applies an event
//! 1. **Who**: the caller must act as one of `event.performers()`, holding its role
//!    (`Performer::role`) in the organisation `event.org_scope()` names; an agent acting for the
//!    applicant also passes [`applicant::check_agent`]. `Performer::System` events come only from
//!    the job runner.
//! 2. **Whether now**: [`lifecycle::transition`]`(kind, state, event)` (never write a state it
//!    did not return), and [`lifecycle::check_reason`] for events that need one.
//! 3. **The event's own guard**, before writing:
//!
//! | event | guard |
//! |---|---|
//! | `save_draft` / `submit` | [`form::validate_form`] (`Draft` / `Submit`), [`form::check_materials_for_submit`] on submit; [`fanout::fan_out`] for a bundle |
//! | `request_correction` | [`notice::build_notice`], [`notice::check_notice_timing`], [`notice::check_further_notice`] (a `Violation::RepeatedNotice` when it returns names) |
//! | `accept_with_deficiency` | [`notice::check_deficiency_acceptance`], [`limits::check_commitment`] |
//! | `deem_accepted` | [`limits::deemed_accepted`]; the clock then starts at receipt |
//! | `start_review` | build the [`steps::ReviewPlan`] (serial or joint) and dispatch the open tasks |
//! | `record_opinion` | [`steps::ReviewPlan::check_opinion`] |
//! | `request_supplement` / `start_special_procedure` | [`limits::CaseClock::pause`] |
//! | `resume` / `supply_correction` from `suspended` | [`lifecycle::check_resume`], [`limits::CaseClock::resume`] |
//! | `extend_limit` | [`limits::CaseLimits::check_extension`], then add to `CaseClock::extension_days` |
//! | `approve` / `refuse` / `approve_on_commitment` | [`steps::ReviewPlan::check_decision`] |
//! | `complete` | [`notice::check_no_outstanding`] (容缺 materials all in) |
//! | upload | [`form::check_upload`] |
//!
//! 4. **After**: recompute [`limits::CaseClock::schedule`] and store `yellow_at`/`red_at`, so the
//!    warning pass only reads cases that fall due; raise with [`limits::warning_to_raise`].

pub mod applicant;
pub mod fanout;
pub mod form;
pub mod lifecycle;
pub mod limits;
pub mod notice;
pub mod number;
pub mod steps;
pub mod supervision;

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

#[cfg(test)]
mod tests {
    //! The lifecycle and the clock together, as a use case drives them.
    use super::*;
    use crate::calendar::WorkingCalendar;
    use chrono::{DateTime, TimeDelta, Utc};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Driving a case with random events at increasing times: the clock is stopped exactly
        /// while the case is suspended, the deadline never moves earlier, and the counted days
        /// never exceed the working days since acceptance.
        #[test]
        fn the_clock_follows_the_lifecycle(
            steps in proptest::collection::vec(
                (
                    // Half the draws from the paths through review, so suspensions happen often.
                    prop_oneof![
                        proptest::sample::select(CaseEvent::ALL),
                        proptest::sample::select(&[
                            CaseEvent::Accept,
                            CaseEvent::StartReview,
                            CaseEvent::StartSpecialProcedure,
                            CaseEvent::Resume,
                            CaseEvent::SupplyCorrection,
                            CaseEvent::ExtendLimit,
                        ][..]),
                    ],
                    proptest::sample::select(SuspensionKind::ALL),
                    1i64..72,
                ),
                0..50,
            ),
            limit in 0u32..25,
        ) {
            let cal = WorkingCalendar::official();
            let mut now: DateTime<Utc> = "2025-03-03T01:00:00Z".parse().unwrap();
            let mut state = CaseState::Submitted;
            let mut suspension: Option<SuspensionKind> = None;
            let mut clock: Option<CaseClock> = None;
            let mut last_deadline: Option<DateTime<Utc>> = None;
            for (event, kind, hours) in steps {
                now += TimeDelta::hours(hours);
                let event = if state == CaseState::InReview && event == CaseEvent::StartSpecialProcedure {
                    kind.started_by()
                } else {
                    event
                };
                let Ok(next) = transition(CaseKind::Promised, state, event) else { continue };
                if state == CaseState::Suspended
                    && next == CaseState::InReview
                    && lifecycle::check_resume(suspension.unwrap(), event).is_err()
                {
                    continue;
                }
                if next == CaseState::Accepted && state != CaseState::Accepted {
                    clock = Some(CaseClock::new(now, limit));
                }
                if let Some(c) = clock.as_mut() {
                    if next == CaseState::Suspended && state != CaseState::Suspended {
                        c.pause(kind, now).unwrap();
                        suspension = Some(kind);
                    }
                    if state == CaseState::Suspended && next != CaseState::Suspended && next != CaseState::Withdrawn {
                        c.resume(now).unwrap();
                        suspension = None;
                    }
                }
                state = next;
                if let Some(c) = &clock {
                    if state != CaseState::Withdrawn {
                        prop_assert_eq!(c.is_paused(now), state == CaseState::Suspended);
                    }
                    let d = c.deadline(&cal, now);
                    if let Some(prev) = last_deadline {
                        prop_assert!(d >= prev);
                    }
                    last_deadline = Some(d);
                    prop_assert!(c.elapsed(&cal, now) <= cal.working_days_between(c.started_at, now, &[]));
                }
            }
        }
    }
}
