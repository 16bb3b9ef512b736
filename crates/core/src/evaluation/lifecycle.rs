//! 评标至履约的生命周期: the states of one section's evaluation, award and contract, the events
//! that move it, who performs each, and how each event moves the section
//! ([`crate::trading::lifecycle`]).
//!
//! ```text
//! convened → reviewing → scoring → reporting → report_signed → candidates_published
//!          → awarded → contract_signed → contract_filed → performed
//! reviewing/scoring --reject_all--> failed
//! reviewing/scoring --extend_time--> the same state                  (条例 Art. 48)
//! candidates_published --raise_objection--> objection_pending        (Art. 54: the award pauses)
//! objection_pending --raise_objection--> objection_pending (one more pending)
//! objection_pending --dismiss_objection--> objection_pending | candidates_published (last one)
//! objection_pending --uphold_objection--> scoring                    (re-evaluation)
//! candidates_published/objection_pending --retender--> failed        (Art. 55)
//! ```
//!
//! Time rules are not in the states: before `raise_objection` the use case applies
//! [`super::award::objection_in_time`] (an objection after the publicity is refused), before
//! `award` [`super::award::may_award`], before `sign_contract` [`super::contract::check_signing`].

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;
use crate::trading::lifecycle::{SectionEvent, SectionState};

string_enum! {
    /// 评标状态
    EvaluationState {
        /// 已组建: the committee is drawn and checked in.
        Convened = "convened", "评标委员会已组建", "Committee convened";
        /// 初步评审: the pass/fail review.
        Reviewing = "reviewing", "初步评审", "Pass/fail review";
        /// 详细评审: experts scoring independently.
        Scoring = "scoring", "详细评审", "Scoring";
        /// 编制评标报告: the leader compiles, members sign.
        Reporting = "reporting", "编制评标报告", "Compiling the report";
        /// 评标报告已签署
        ReportSigned = "report_signed", "评标报告已签署", "Report signed";
        /// 中标候选人公示: the objection period.
        CandidatesPublished = "candidates_published", "中标候选人公示", "Candidates published";
        /// 异议处理中: the award is paused until every objection is answered.
        ObjectionPending = "objection_pending", "异议处理中", "Objection pending";
        /// 已定标: 中标结果公告 and 中标通知书 issued.
        Awarded = "awarded", "已定标", "Awarded";
        /// 合同已签订
        ContractSigned = "contract_signed", "合同已签订", "Contract signed";
        /// 合同已备案
        ContractFiled = "contract_filed", "合同已备案", "Contract filed";
        /// 履约完成（已验收）
        Performed = "performed", "履约完成", "Performed";
        /// 否决全部投标或重新招标
        Failed = "failed", "否决全部投标或重新招标", "Failed";
    }
}

string_enum! {
    /// What happens in the evaluation.
    EvaluationEvent {
        /// 开始初步评审 (after check-in and the briefing).
        StartReview = "start_review", "开始初步评审", "Start the pass/fail review";
        /// 完成初步评审 (exclusions recorded).
        FinishReview = "finish_review", "完成初步评审", "Finish the pass/fail review";
        /// 否决全部投标 (评标委员会和评标方法暂行规定 Art. 27).
        RejectAll = "reject_all", "否决全部投标", "Reject all bids";
        /// 延长评标时间 (条例 Art. 48).
        ExtendTime = "extend_time", "延长评标时间", "Extend the evaluation";
        /// 结束评分: every sheet submitted and every outlier explained.
        CloseScoring = "close_scoring", "结束评分", "Close the scoring";
        /// 评标报告签署完成
        SignReport = "sign_report", "签署评标报告", "Sign the report";
        /// 公示中标候选人
        PublishCandidates = "publish_candidates", "公示中标候选人", "Publish the candidates";
        /// 提出异议
        RaiseObjection = "raise_objection", "提出异议", "Raise an objection";
        /// 异议不成立
        DismissObjection = "dismiss_objection", "答复异议（不成立）", "Dismiss an objection";
        /// 异议成立，重新评审
        UpholdObjection = "uphold_objection", "答复异议（成立）", "Uphold an objection";
        /// 定标
        Award = "award", "定标", "Award";
        /// 重新招标 (条例 Art. 55)
        Retender = "retender", "重新招标", "Re-tender";
        /// 签订合同
        SignContract = "sign_contract", "签订合同", "Sign the contract";
        /// 合同备案
        FileContract = "file_contract", "合同备案", "File the contract";
        /// 履约验收
        Accept = "accept", "履约验收", "Accept the performance";
    }
}

string_enum! {
    /// Who performs an evaluation event (the role; the use case checks the person).
    Actor {
        /// 评标委员会 (through its leader for the procedural steps).
        Committee = "committee", "评标委员会", "Evaluation committee";
        /// 招标人/采购人 or its agency.
        Tenderee = "tenderee", "招标人或代理机构", "Tenderee or agency";
        /// 投标人或其他利害关系人
        Bidder = "bidder", "投标人或利害关系人", "Bidder or interested party";
        /// 中标人
        Winner = "winner", "中标人", "Winner";
        /// 交易中心
        TradingCentre = "trading_centre", "交易中心", "Trading centre";
        /// 平台自动
        System = "system", "平台自动", "Platform (automatic)";
    }
}

impl EvaluationState {
    pub const TERMINAL: &'static [EvaluationState] =
        &[EvaluationState::Performed, EvaluationState::Failed];

    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// The section state that goes with this evaluation state.
    pub fn section_state(self) -> SectionState {
        use EvaluationState as E;
        match self {
            E::Convened | E::Reviewing | E::Scoring | E::Reporting | E::ReportSigned => {
                SectionState::Evaluating
            }
            E::CandidatesPublished => SectionState::CandidatesPublished,
            E::ObjectionPending => SectionState::Suspended,
            E::Awarded | E::ContractSigned => SectionState::Awarded,
            E::ContractFiled | E::Performed => SectionState::Contracted,
            E::Failed => SectionState::Failed,
        }
    }
}

impl EvaluationEvent {
    /// Who may perform the event. Choices: scoring closes automatically once complete; the
    /// tenderee extends the time (条例 Art. 48 names it) and answers objections (Art. 54); the
    /// contract is signed by both parties (the use case records both signatures) and filed by the
    /// tenderee; acceptance is the tenderee's.
    pub fn performers(self) -> &'static [Actor] {
        use Actor as A;
        use EvaluationEvent as E;
        match self {
            E::StartReview | E::FinishReview | E::RejectAll | E::SignReport => &[A::Committee],
            E::ExtendTime => &[A::Tenderee],
            E::CloseScoring => &[A::System],
            E::PublishCandidates => &[A::Tenderee],
            E::RaiseObjection => &[A::Bidder],
            E::DismissObjection | E::UpholdObjection => &[A::Tenderee],
            E::Award | E::Retender => &[A::Tenderee],
            E::SignContract => &[A::Tenderee, A::Winner],
            E::FileContract | E::Accept => &[A::Tenderee],
        }
    }

    pub fn may_be_performed_by(self, actor: Actor) -> bool {
        self.performers().contains(&actor)
    }
}

/// The evaluation's state plus the number of objections not yet answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EvaluationStatus {
    pub state: EvaluationState,
    /// More than 0 exactly when `state` is [`EvaluationState::ObjectionPending`].
    pub pending_objections: u32,
}

impl EvaluationStatus {
    pub const CONVENED: EvaluationStatus = EvaluationStatus {
        state: EvaluationState::Convened,
        pending_objections: 0,
    };

    pub fn new(state: EvaluationState) -> Self {
        EvaluationStatus {
            state,
            pending_objections: 0,
        }
    }

    /// Builds a stored status back, refusing inconsistent pairs.
    pub fn from_parts(state: EvaluationState, pending: u32) -> Result<Self, Problem> {
        if (state == EvaluationState::ObjectionPending) == (pending > 0) {
            Ok(EvaluationStatus {
                state,
                pending_objections: pending,
            })
        } else {
            Err(Problem::invalid(
                "evaluation.status_inconsistent",
                "评标状态数据不一致。",
                "The stored evaluation status is inconsistent.",
            ))
        }
    }
}

/// The status after `event`, or a conflict explaining why the event is not possible now.
pub fn next_state(
    from: EvaluationStatus,
    event: EvaluationEvent,
) -> Result<EvaluationStatus, Problem> {
    use EvaluationEvent as E;
    use EvaluationState as S;
    let to = |s: S| Ok(EvaluationStatus::new(s));
    let n = from.pending_objections;
    match (from.state, event) {
        (S::Convened, E::StartReview) => to(S::Reviewing),
        (S::Reviewing, E::FinishReview) => to(S::Scoring),
        (S::Reviewing | S::Scoring, E::RejectAll) => to(S::Failed),
        (S::Reviewing | S::Scoring, E::ExtendTime) => to(from.state),
        (S::Scoring, E::CloseScoring) => to(S::Reporting),
        (S::Reporting, E::SignReport) => to(S::ReportSigned),
        (S::ReportSigned, E::PublishCandidates) => to(S::CandidatesPublished),
        (S::CandidatesPublished | S::ObjectionPending, E::RaiseObjection) => Ok(EvaluationStatus {
            state: S::ObjectionPending,
            pending_objections: n + 1,
        }),
        (S::ObjectionPending, E::DismissObjection) if n > 1 => Ok(EvaluationStatus {
            state: S::ObjectionPending,
            pending_objections: n - 1,
        }),
        (S::ObjectionPending, E::DismissObjection) => to(S::CandidatesPublished),
        // Re-evaluation answers every objection still pending.
        (S::ObjectionPending, E::UpholdObjection) => to(S::Scoring),
        (S::CandidatesPublished, E::Award) => to(S::Awarded),
        (S::CandidatesPublished | S::ObjectionPending, E::Retender) => to(S::Failed),
        (S::Awarded, E::SignContract) => to(S::ContractSigned),
        (S::ContractSigned, E::FileContract) => to(S::ContractFiled),
        (S::ContractFiled, E::Accept) => to(S::Performed),
        (s, e) => Err(Problem::conflict(
            "evaluation.transition",
            format!("“{}”阶段不能执行“{}”。", s.label_zh(), e.label_zh()),
            format!(
                "The evaluation is at “{}” and cannot take “{}”.",
                s.label_en().to_lowercase(),
                e.label_en().to_lowercase()
            ),
        )),
    }
}

/// The section events ([`crate::trading::lifecycle::next_state`]) that go with an accepted
/// evaluation event from `from`, in order. An objection suspends the section (条例 Art. 54
/// "暂停招标投标活动"; the tenderee suspends) and the last answer resumes it; an upheld objection
/// sends it back to evaluation; a re-tender passes through evaluation to 流标 so that the section's
/// own `retender` starts it again.
pub fn section_events(from: EvaluationStatus, event: EvaluationEvent) -> &'static [SectionEvent] {
    use EvaluationEvent as E;
    use EvaluationState as S;
    use SectionEvent as X;
    match (from.state, event) {
        (_, E::RejectAll) => &[X::Fail],
        (_, E::PublishCandidates) => &[X::PublishCandidates],
        (S::CandidatesPublished, E::RaiseObjection) => &[X::Suspend],
        (S::ObjectionPending, E::DismissObjection) if from.pending_objections == 1 => &[X::Resume],
        (S::ObjectionPending, E::UpholdObjection) => &[X::Resume, X::Reevaluate],
        (S::CandidatesPublished, E::Retender) => &[X::Reevaluate, X::Fail],
        (S::ObjectionPending, E::Retender) => &[X::Resume, X::Reevaluate, X::Fail],
        (_, E::Award) => &[X::Award],
        (_, E::FileContract) => &[X::FileContract],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trading::lifecycle::{self as section, SectionStatus};
    use EvaluationEvent as E;
    use EvaluationState as S;
    use proptest::prelude::*;

    fn run(events: &[EvaluationEvent]) -> Result<EvaluationStatus, Problem> {
        events
            .iter()
            .try_fold(EvaluationStatus::CONVENED, |st, &e| next_state(st, e))
    }

    const HAPPY: &[EvaluationEvent] = &[
        E::StartReview,
        E::FinishReview,
        E::ExtendTime,
        E::CloseScoring,
        E::SignReport,
        E::PublishCandidates,
        E::Award,
        E::SignContract,
        E::FileContract,
        E::Accept,
    ];

    #[test]
    fn the_happy_path_is_performed() {
        let st = run(HAPPY).unwrap();
        assert_eq!(st, EvaluationStatus::new(S::Performed));
        assert!(st.state.is_terminal());
    }

    #[test]
    fn objections_pause_the_award() {
        let published = run(&HAPPY[..6]).unwrap();
        let one = next_state(published, E::RaiseObjection).unwrap();
        let two = next_state(one, E::RaiseObjection).unwrap();
        assert_eq!(two.pending_objections, 2);
        assert!(next_state(two, E::Award).is_err());
        let back_to_one = next_state(two, E::DismissObjection).unwrap();
        assert_eq!(back_to_one.state, S::ObjectionPending);
        assert!(next_state(back_to_one, E::Award).is_err());
        let clear = next_state(back_to_one, E::DismissObjection).unwrap();
        assert_eq!(clear, EvaluationStatus::new(S::CandidatesPublished));
        assert_eq!(next_state(clear, E::Award).unwrap().state, S::Awarded);
        assert_eq!(
            next_state(one, E::UpholdObjection).unwrap().state,
            S::Scoring
        );
        assert_eq!(next_state(one, E::Retender).unwrap().state, S::Failed);
    }

    #[test]
    fn performers_and_errors() {
        for e in EvaluationEvent::ALL {
            assert!(!e.performers().is_empty(), "{e}");
        }
        assert!(E::RaiseObjection.may_be_performed_by(Actor::Bidder));
        assert!(!E::Award.may_be_performed_by(Actor::Committee));
        assert!(!E::SignReport.may_be_performed_by(Actor::Tenderee));
        let err = next_state(EvaluationStatus::CONVENED, E::Award).unwrap_err();
        assert_eq!(err.code, "evaluation.transition");
        assert!(err.message.contains("评标委员会已组建"));
        assert!(EvaluationStatus::from_parts(S::ObjectionPending, 0).is_err());
        assert!(EvaluationStatus::from_parts(S::Scoring, 1).is_err());
        assert!(EvaluationStatus::from_parts(S::ObjectionPending, 2).is_ok());
    }

    fn event() -> impl Strategy<Value = EvaluationEvent> {
        (0..EvaluationEvent::ALL.len()).prop_map(|i| EvaluationEvent::ALL[i])
    }

    proptest! {
        #[test]
        fn no_sequence_leaves_a_terminal_state_and_the_section_follows(events in proptest::collection::vec(event(), 0..80)) {
            let mut st = EvaluationStatus::CONVENED;
            let mut sec = SectionStatus::new(SectionState::Evaluating);
            let mut signed = false;
            for e in events {
                match next_state(st, e) {
                    Ok(next) => {
                        prop_assert!(!st.state.is_terminal(), "left {:?} by {}", st, e);
                        prop_assert!(EvaluationStatus::from_parts(next.state, next.pending_objections).is_ok());
                        // The section takes the mapped events without complaint and agrees.
                        for x in section_events(st, e) {
                            sec = section::next_state(sec, *x).map_err(|p| TestCaseError::fail(format!("{st:?} {e}: {p}")))?;
                        }
                        prop_assert_eq!(sec.state, next.state.section_state(), "{:?} --{}--> {:?}", st, e, next);
                        if next.state == S::ReportSigned { signed = true; }
                        if next.state == S::Scoring { signed = false; }
                        // No award without a signed report, the publicity and no pending objection.
                        if next.state == S::Awarded {
                            prop_assert!(signed && st.state == S::CandidatesPublished);
                        }
                        st = next;
                    }
                    Err(p) => prop_assert_eq!(p.code, "evaluation.transition"),
                }
            }
        }
    }
}
