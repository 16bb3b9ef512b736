//! The lifecycle of an expert in the database, and who may move it (管用分离).
//!
//! `applied` (申请入库) → `admitted` (在库) ⇄ `suspended` (暂停); `admitted` → `exit_requested`
//! (申请退出) → `exited` (已退出); `applied` → `rejected` (不予入库); `admitted`/`suspended`/
//! `exit_requested` → `dismissed` (解聘). Renewal (续聘) keeps `admitted` and sets a new term.
//!
//! Choices where Order 26 leaves room, as real expert databases do:
//! - voluntary exit "ends draws at once and the appointment within 10 days": `exit_requested` is
//!   a state that draws skip, and the department confirms the exit (deadline for the app layer);
//! - a rejected or exited expert may apply again (a new review); a dismissed expert may not;
//! - the term's end is data, not a state: an expert past the term is skipped by the draw
//!   (`TermExpired`) until renewed.
//!
//! Only the managing industry department (行业主管部门) takes management decisions, the expert
//! only applies and asks to leave, and a trading centre (交易中心) performs no event at all: it
//! only uses the database through draws.

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 专家状态
    ExpertStatus {
        /// 申请入库: self-application awaiting the department's review.
        Applied = "applied", "申请入库", "Applied";
        /// 在库: admitted and drawable (while the term runs and no penalty bars it).
        Admitted = "admitted", "在库", "Admitted";
        /// 不予入库
        Rejected = "rejected", "不予入库", "Rejected";
        /// 暂停: not drawable until reinstated.
        Suspended = "suspended", "暂停", "Suspended";
        /// 申请退出: no longer drawn; the department ends the appointment (≤ 10 days).
        ExitRequested = "exit_requested", "申请退出", "Exit requested";
        /// 已退出
        Exited = "exited", "已退出", "Exited";
        /// 解聘: removed by the department (misconduct, failed assessment, lost eligibility).
        Dismissed = "dismissed", "解聘", "Dismissed";
    }
}

impl ExpertStatus {
    /// Whether a draw may take an expert in this status (term and penalties are checked apart).
    pub fn drawable(self) -> bool {
        self == ExpertStatus::Admitted
    }

    /// No event leaves a terminal status.
    pub fn is_terminal(self) -> bool {
        self == ExpertStatus::Dismissed
    }
}

string_enum! {
    /// 专家管理事项: what happens to an expert's record.
    ExpertEvent {
        /// 申请入库 (again, after a rejection or an exit)
        Apply = "apply", "申请入库", "Apply";
        /// 入库 (审核通过)
        Admit = "admit", "审核入库", "Admit";
        /// 不予入库
        Reject = "reject", "不予入库", "Reject";
        /// 暂停
        Suspend = "suspend", "暂停", "Suspend";
        /// 恢复
        Reinstate = "reinstate", "恢复", "Reinstate";
        /// 续聘: a new term
        Renew = "renew", "续聘", "Renew";
        /// 解聘
        Dismiss = "dismiss", "解聘", "Dismiss";
        /// 申请退出
        RequestExit = "request_exit", "申请退出", "Request exit";
        /// 办结退出
        ConfirmExit = "confirm_exit", "办结退出", "Confirm exit";
    }
}

string_enum! {
    /// Who acts on expert records.
    Performer {
        /// 评标专家本人
        Expert = "expert", "专家本人", "The expert";
        /// 行业主管部门 (专家管理)
        ManagingDepartment = "managing_department", "行业主管部门", "Managing industry department";
        /// 交易中心: uses experts through draws, manages nothing (管用分离).
        TradingCentre = "trading_centre", "交易中心", "Trading centre";
    }
}

impl ExpertEvent {
    /// The one performer allowed to do this event.
    pub fn performer(self) -> Performer {
        match self {
            ExpertEvent::Apply | ExpertEvent::RequestExit => Performer::Expert,
            _ => Performer::ManagingDepartment,
        }
    }

    /// Every event needs a stated reason except the application itself (whose content is the
    /// application form).
    pub fn needs_reason(self) -> bool {
        self != ExpertEvent::Apply
    }
}

/// Days the department has to end the appointment after a voluntary exit request (Order 26).
pub const EXIT_CONFIRM_DAYS: u64 = 10;
/// Days the department has to remove an expert who lost eligibility (Order 26).
pub const REMOVAL_DAYS: u64 = 30;
/// Days the department has to answer an expert's request to review an assessment (Order 26).
pub const REVIEW_ANSWER_DAYS: u64 = 30;

/// The last local date to act on something that happened on `on`, `days` calendar days later
/// (the start day not counted). Order 26 speaks of days, not working days; a region that counts
/// working days uses `calendar::WorkingCalendar::add_working_days` instead.
pub fn deadline(on: chrono::NaiveDate, days: u64) -> chrono::NaiveDate {
    on + chrono::Days::new(days)
}

/// The status after `event`, or why it may not happen: the wrong performer (403), a missing
/// reason (422) or a move the lifecycle does not have (409).
pub fn next_state(
    from: ExpertStatus,
    event: ExpertEvent,
    by: Performer,
    reason: &str,
) -> Result<ExpertStatus, Problem> {
    use ExpertEvent as E;
    use ExpertStatus as S;
    if by != event.performer() {
        return Err(Problem::forbidden().with_details(serde_json::json!({
            "event": event.as_str(),
            "performer": by.as_str(),
            "allowed": event.performer().as_str(),
        })));
    }
    if event.needs_reason() && reason.trim().is_empty() {
        return Err(Problem::invalid(
            "expert.reason_required",
            format!("“{}”须说明理由。", event.label_zh()),
            format!("{} needs a reason.", event.label_en()),
        ));
    }
    let to = match (from, event) {
        (S::Rejected | S::Exited, E::Apply) => S::Applied,
        (S::Applied, E::Admit) => S::Admitted,
        (S::Applied, E::Reject) => S::Rejected,
        (S::Admitted, E::Suspend) => S::Suspended,
        (S::Suspended, E::Reinstate) => S::Admitted,
        (S::Admitted, E::Renew) => S::Admitted,
        (S::Admitted | S::Suspended | S::ExitRequested, E::Dismiss) => S::Dismissed,
        (S::Admitted | S::Suspended, E::RequestExit) => S::ExitRequested,
        (S::ExitRequested, E::ConfirmExit) => S::Exited,
        _ => {
            return Err(Problem::conflict(
                "expert.transition",
                format!(
                    "“{}”状态的专家不能“{}”。",
                    from.label_zh(),
                    event.label_zh()
                ),
                format!(
                    "An expert who is {} cannot be subject to “{}”.",
                    from.label_en().to_lowercase(),
                    event.label_en().to_lowercase()
                ),
            ));
        }
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExpertEvent as E;
    use ExpertStatus as S;
    use proptest::prelude::*;

    fn go(from: S, e: E) -> Result<S, Problem> {
        next_state(from, e, e.performer(), "依据考核结果")
    }

    #[test]
    fn the_usual_path() {
        assert_eq!(go(S::Applied, E::Admit).unwrap(), S::Admitted);
        assert_eq!(go(S::Admitted, E::Suspend).unwrap(), S::Suspended);
        assert_eq!(go(S::Suspended, E::Reinstate).unwrap(), S::Admitted);
        assert_eq!(go(S::Admitted, E::Renew).unwrap(), S::Admitted);
        assert_eq!(go(S::Admitted, E::RequestExit).unwrap(), S::ExitRequested);
        assert_eq!(go(S::ExitRequested, E::ConfirmExit).unwrap(), S::Exited);
        assert_eq!(go(S::Exited, E::Apply).unwrap(), S::Applied);
        assert_eq!(go(S::Suspended, E::Dismiss).unwrap(), S::Dismissed);
        assert!(!S::ExitRequested.drawable() && !S::Suspended.drawable());
        assert!(S::Admitted.drawable());
    }

    #[test]
    fn a_trading_centre_manages_nothing() {
        for &e in E::ALL {
            for &s in S::ALL {
                let err = next_state(s, e, Performer::TradingCentre, "理由").unwrap_err();
                assert_eq!(err.code, "forbidden");
            }
        }
        // and an expert cannot admit themself
        let err = next_state(S::Applied, E::Admit, Performer::Expert, "理由").unwrap_err();
        assert_eq!(err.code, "forbidden");
    }

    #[test]
    fn management_needs_a_reason() {
        let err =
            next_state(S::Admitted, E::Suspend, Performer::ManagingDepartment, "  ").unwrap_err();
        assert_eq!(err.code, "expert.reason_required");
        assert_eq!(
            next_state(S::Exited, E::Apply, Performer::Expert, "").unwrap(),
            S::Applied
        );
    }

    #[test]
    fn deadlines_count_calendar_days() {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(
            deadline(on, EXIT_CONFIRM_DAYS),
            chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
        );
    }

    #[test]
    fn impossible_moves_are_conflicts() {
        assert_eq!(
            go(S::Applied, E::Suspend).unwrap_err().code,
            "expert.transition"
        );
        assert!(go(S::Suspended, E::Renew).is_err());
        assert!(go(S::Admitted, E::Admit).is_err());
        assert!(go(S::Dismissed, E::Apply).is_err());
    }

    proptest! {
        #[test]
        fn no_event_leaves_dismissal(events in proptest::collection::vec(0..E::ALL.len(), 0..40)) {
            let mut s = S::Applied;
            let mut dismissed = false;
            for i in events {
                let e = E::ALL[i];
                if let Ok(next) = go(s, e) {
                    prop_assert!(!dismissed, "left dismissed by {:?}", e);
                    s = next;
                }
                dismissed |= s.is_terminal();
            }
        }
    }
}
