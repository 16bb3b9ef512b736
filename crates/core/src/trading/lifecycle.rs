//! 标段生命周期: the states of a section and the events that move it (DOMAIN §2.2).
//!
//! ```text
//! registered → announced → tendering → opened → evaluating → candidates_published → awarded
//!            → contracted → archived
//! tendering/opened/evaluating --fail--> failed --retender--> registered
//! any open state --suspend--> suspended --resume--> the state it was suspended in
//! any state before the award (and failed, suspended) --cancel--> cancelled --archive--> archived
//! ```
//!
//! A section's status is its state plus, while suspended, the state to resume to
//! ([`SectionStatus`]); [`next_state`] is the one rule every layer applies.

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 标段状态
    SectionState {
        /// 进场登记: accepted by the trading centre; the transaction code is issued.
        Registered = "registered", "已进场登记", "Registered";
        /// 招标公告已发布
        Announced = "announced", "已发布公告", "Announced";
        /// 招标中: documents on sale/download, clarifications, objections, deposits, sealed bids.
        Tendering = "tendering", "招标中", "Tendering";
        /// 已开标: opened at the bid deadline with enough bids.
        Opened = "opened", "已开标", "Opened";
        /// 评标中
        Evaluating = "evaluating", "评标中", "Evaluating";
        /// 中标候选人公示
        CandidatesPublished = "candidates_published", "中标候选人公示", "Candidates published";
        /// 已定标: 中标结果公告 and 中标通知书 issued.
        Awarded = "awarded", "已定标", "Awarded";
        /// 合同已备案
        Contracted = "contracted", "合同已备案", "Contract filed";
        /// 已归档: the one-project-one-archive is closed.
        Archived = "archived", "已归档", "Archived";
        /// 流标: fewer than 3 bids, or every bid rejected; may be re-tendered.
        Failed = "failed", "流标", "Failed";
        /// 已终止
        Cancelled = "cancelled", "已终止", "Cancelled";
        /// 暂停: by a blocking objection (异议) or complaint (投诉).
        Suspended = "suspended", "已暂停", "Suspended";
    }
}

string_enum! {
    /// What happens to a section.
    SectionEvent {
        /// 发布招标公告
        Announce = "announce", "发布招标公告", "Publish the tender notice";
        /// 发出招标文件: the documents become available; the bid period starts.
        IssueDocuments = "issue_documents", "发出招标文件", "Issue the tender documents";
        /// 开标: the deadline passed with at least the minimum number of bids.
        Open = "open", "开标", "Open the bids";
        /// 流标: too few bids at the deadline or after decryption, or every bid rejected.
        Fail = "fail", "流标", "Declare the tender failed";
        /// 进入评标
        StartEvaluation = "start_evaluation", "开始评标", "Start the evaluation";
        /// 公示中标候选人
        PublishCandidates = "publish_candidates", "公示中标候选人", "Publish the candidates";
        /// 重新评审: an upheld objection to the candidates sends the section back to evaluation.
        Reevaluate = "reevaluate", "重新评审", "Re-evaluate";
        /// 定标: 中标结果公告 and 中标通知书.
        Award = "award", "定标", "Award";
        /// 合同备案
        FileContract = "file_contract", "合同备案", "File the contract";
        /// 归档
        Archive = "archive", "归档", "Archive";
        /// 重新招标: a failed section starts again from registration.
        Retender = "retender", "重新招标", "Re-tender";
        /// 暂停
        Suspend = "suspend", "暂停", "Suspend";
        /// 恢复
        Resume = "resume", "恢复", "Resume";
        /// 终止
        Cancel = "cancel", "终止", "Cancel";
    }
}

string_enum! {
    /// Who may perform an event (the role, not the person: the use case checks the person).
    Performer {
        /// 交易中心
        TradingCentre = "trading_centre", "交易中心", "Trading centre";
        /// 招标人/采购人, or its 招标代理机构 on its behalf.
        Tenderee = "tenderee", "招标人或代理机构", "Tenderee or agency";
        /// 评标委员会
        Committee = "committee", "评标委员会", "Evaluation committee";
        /// 行业监管部门
        Regulator = "regulator", "监管部门", "Regulator";
        /// The platform itself, by its job runner on its own clock (e.g. opening at the deadline).
        System = "system", "平台自动", "Platform (automatic)";
    }
}

impl SectionState {
    /// States no event leaves.
    pub const TERMINAL: &'static [SectionState] = &[SectionState::Archived];

    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// States from which a section may be suspended: trading is under way and not yet finished.
    pub fn is_suspendable(self) -> bool {
        use SectionState as S;
        matches!(
            self,
            S::Announced
                | S::Tendering
                | S::Opened
                | S::Evaluating
                | S::CandidatesPublished
                | S::Awarded
        )
    }

    /// States from which a section may be cancelled (终止, 招标投标法实施条例 Art. 31): any state
    /// before the award, plus failed and suspended. After the award the tenderee is bound by the
    /// award notice (招标投标法 Art. 45) and a cancellation is a contract matter, not a state here.
    pub fn is_cancellable(self) -> bool {
        use SectionState as S;
        matches!(
            self,
            S::Registered
                | S::Announced
                | S::Tendering
                | S::Opened
                | S::Evaluating
                | S::CandidatesPublished
                | S::Failed
                | S::Suspended
        )
    }

    /// Whether bids may be submitted, withdrawn or replaced in this state (the deadline is checked
    /// separately, see [`super::bids`]).
    pub fn accepts_bids(self) -> bool {
        self == SectionState::Tendering
    }
}

impl SectionEvent {
    /// Who may perform the event.
    ///
    /// Choices: suspension is ordered by the regulator (complaint, 条例 Art. 62) or by the tenderee
    /// (an objection it has not answered yet, 条例 Art. 22 "暂停招标投标活动"); resuming is for whoever
    /// may suspend. A failed section's re-tender is the tenderee's decision; archiving is the
    /// centre's (一项目一档案 is the centre's job [004]).
    pub fn performers(self) -> &'static [Performer] {
        use Performer as P;
        use SectionEvent as E;
        match self {
            E::Announce | E::IssueDocuments => &[P::Tenderee],
            E::Open => &[P::System],
            E::Fail => &[P::System, P::Committee],
            E::StartEvaluation => &[P::TradingCentre],
            E::PublishCandidates => &[P::Tenderee],
            E::Reevaluate => &[P::Tenderee, P::Regulator],
            E::Award => &[P::Tenderee],
            E::FileContract => &[P::Tenderee],
            E::Archive => &[P::TradingCentre],
            E::Retender => &[P::Tenderee],
            E::Suspend | E::Resume => &[P::Tenderee, P::Regulator],
            E::Cancel => &[P::Tenderee, P::Regulator],
        }
    }

    pub fn may_be_performed_by(self, performer: Performer) -> bool {
        self.performers().contains(&performer)
    }
}

/// A section's state plus, while suspended, the state it resumes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SectionStatus {
    pub state: SectionState,
    /// `Some` exactly when `state` is [`SectionState::Suspended`].
    pub resume_to: Option<SectionState>,
}

impl SectionStatus {
    /// A newly registered section.
    pub const REGISTERED: SectionStatus = SectionStatus {
        state: SectionState::Registered,
        resume_to: None,
    };

    pub fn new(state: SectionState) -> Self {
        SectionStatus {
            state,
            resume_to: None,
        }
    }

    /// Builds a stored status back, refusing inconsistent pairs.
    pub fn from_parts(
        state: SectionState,
        resume_to: Option<SectionState>,
    ) -> Result<Self, Problem> {
        let ok = match (state, resume_to) {
            (SectionState::Suspended, Some(r)) => r.is_suspendable(),
            (SectionState::Suspended, None) => false,
            (_, r) => r.is_none(),
        };
        if ok {
            Ok(SectionStatus { state, resume_to })
        } else {
            Err(Problem::invalid(
                "trading.status_inconsistent",
                "标段状态数据不一致。",
                "The stored section status is inconsistent.",
            ))
        }
    }

    pub fn is_terminal(self) -> bool {
        self.state.is_terminal()
    }
}

/// The status after `event`, or a conflict explaining why the event is not possible now.
pub fn next_state(from: SectionStatus, event: SectionEvent) -> Result<SectionStatus, Problem> {
    use SectionEvent as E;
    use SectionState as S;
    let to = |s: S| Ok(SectionStatus::new(s));
    match (from.state, event) {
        (S::Registered, E::Announce) => to(S::Announced),
        (S::Announced, E::IssueDocuments) => to(S::Tendering),
        (S::Tendering, E::Open) => to(S::Opened),
        (S::Tendering | S::Opened | S::Evaluating, E::Fail) => to(S::Failed),
        (S::Opened, E::StartEvaluation) => to(S::Evaluating),
        (S::Evaluating, E::PublishCandidates) => to(S::CandidatesPublished),
        (S::CandidatesPublished, E::Reevaluate) => to(S::Evaluating),
        (S::CandidatesPublished, E::Award) => to(S::Awarded),
        (S::Awarded, E::FileContract) => to(S::Contracted),
        (S::Contracted | S::Cancelled, E::Archive) => to(S::Archived),
        (S::Failed, E::Retender) => to(S::Registered),
        (s, E::Suspend) if s.is_suspendable() => Ok(SectionStatus {
            state: S::Suspended,
            resume_to: Some(s),
        }),
        (S::Suspended, E::Resume) => match from.resume_to {
            Some(r) => to(r),
            None => Err(Problem::invalid(
                "trading.status_inconsistent",
                "标段状态数据不一致：暂停前的状态未知。",
                "The section is suspended but the state to resume to is unknown.",
            )),
        },
        (s, E::Cancel) if s.is_cancellable() => to(S::Cancelled),
        (s, e) => Err(Problem::conflict(
            "trading.transition",
            format!("“{}”状态的标段不能执行“{}”。", s.label_zh(), e.label_zh()),
            format!(
                "A section that is {} cannot take the event “{}”.",
                s.label_en().to_lowercase(),
                e.label_en().to_lowercase()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionEvent as E;
    use SectionState as S;
    use proptest::prelude::*;

    fn run(events: &[SectionEvent]) -> Result<SectionStatus, Problem> {
        events
            .iter()
            .try_fold(SectionStatus::REGISTERED, |st, &e| next_state(st, e))
    }

    #[test]
    fn the_happy_path_reaches_the_archive() {
        let st = run(&[
            E::Announce,
            E::IssueDocuments,
            E::Open,
            E::StartEvaluation,
            E::PublishCandidates,
            E::Award,
            E::FileContract,
            E::Archive,
        ])
        .unwrap();
        assert_eq!(st, SectionStatus::new(S::Archived));
        assert!(st.is_terminal());
    }

    #[test]
    fn a_failed_tender_can_start_again() {
        let st = run(&[E::Announce, E::IssueDocuments, E::Fail]).unwrap();
        assert_eq!(st.state, S::Failed);
        assert_eq!(next_state(st, E::Retender).unwrap().state, S::Registered);
        assert_eq!(next_state(st, E::Cancel).unwrap().state, S::Cancelled);
        assert!(next_state(st, E::Open).is_err());
    }

    #[test]
    fn suspension_resumes_where_it_stopped() {
        let st = run(&[E::Announce, E::IssueDocuments, E::Suspend]).unwrap();
        assert_eq!(st.state, S::Suspended);
        assert_eq!(st.resume_to, Some(S::Tendering));
        // No bids, no opening while suspended.
        assert!(next_state(st, E::Open).is_err());
        assert!(!st.state.accepts_bids());
        assert!(next_state(st, E::Suspend).is_err());
        assert_eq!(
            next_state(st, E::Resume).unwrap(),
            SectionStatus::new(S::Tendering)
        );
        assert_eq!(next_state(st, E::Cancel).unwrap().state, S::Cancelled);
    }

    #[test]
    fn forbidden_moves_are_conflicts_with_both_languages() {
        let e = next_state(SectionStatus::REGISTERED, E::Open).unwrap_err();
        assert_eq!(e.code, "trading.transition");
        assert!(e.message.contains("已进场登记"));
        assert!(e.message_en.contains("registered"));
        assert!(next_state(SectionStatus::new(S::Awarded), E::Cancel).is_err());
        assert!(next_state(SectionStatus::new(S::Registered), E::Suspend).is_err());
        assert!(next_state(SectionStatus::new(S::Contracted), E::Suspend).is_err());
    }

    #[test]
    fn stored_statuses_are_checked() {
        assert!(SectionStatus::from_parts(S::Suspended, Some(S::Evaluating)).is_ok());
        assert!(SectionStatus::from_parts(S::Suspended, None).is_err());
        assert!(SectionStatus::from_parts(S::Suspended, Some(S::Archived)).is_err());
        assert!(SectionStatus::from_parts(S::Tendering, Some(S::Tendering)).is_err());
        let broken = SectionStatus {
            state: S::Suspended,
            resume_to: None,
        };
        assert!(next_state(broken, E::Resume).is_err());
    }

    #[test]
    fn every_event_has_a_performer_and_opening_is_automatic() {
        for e in SectionEvent::ALL {
            assert!(!e.performers().is_empty(), "{e}");
        }
        assert_eq!(E::Open.performers(), &[Performer::System]);
        assert!(!E::Open.may_be_performed_by(Performer::Tenderee));
        assert!(!E::Open.may_be_performed_by(Performer::TradingCentre));
        assert!(E::Suspend.may_be_performed_by(Performer::Regulator));
    }

    #[test]
    fn every_non_terminal_state_has_a_way_out() {
        for s in SectionState::ALL {
            let st = if *s == S::Suspended {
                SectionStatus::from_parts(*s, Some(S::Tendering)).unwrap()
            } else {
                SectionStatus::new(*s)
            };
            let outs = SectionEvent::ALL
                .iter()
                .filter(|e| next_state(st, **e).is_ok())
                .count();
            assert_eq!(outs == 0, s.is_terminal(), "{s}");
        }
    }

    fn event() -> impl Strategy<Value = SectionEvent> {
        (0..SectionEvent::ALL.len()).prop_map(|i| SectionEvent::ALL[i])
    }

    proptest! {
        #[test]
        fn no_sequence_leaves_the_archive_or_breaks_the_status(events in proptest::collection::vec(event(), 0..60)) {
            let mut st = SectionStatus::REGISTERED;
            for e in events {
                let was_terminal = st.is_terminal();
                match next_state(st, e) {
                    Ok(next) => {
                        prop_assert!(!was_terminal, "left {st:?} by {e}");
                        // The status stays consistent.
                        prop_assert!(SectionStatus::from_parts(next.state, next.resume_to).is_ok());
                        // Never straight from suspended to anything but its resume state or cancelled.
                        if st.state == S::Suspended {
                            prop_assert!(next.state == S::Cancelled || Some(next.state) == st.resume_to);
                        }
                        st = next;
                    }
                    Err(p) => prop_assert_eq!(p.code, "trading.transition"),
                }
            }
        }

        #[test]
        fn awarded_is_reached_only_through_opening_and_candidates(events in proptest::collection::vec(event(), 0..60)) {
            let mut st = SectionStatus::REGISTERED;
            let mut opened = false;
            let mut published = false;
            for e in events {
                if let Ok(next) = next_state(st, e) {
                    if next.state == S::Registered { opened = false; published = false; }
                    if next.state == S::Opened { opened = true; }
                    if next.state == S::CandidatesPublished { published = true; }
                    if next.state == S::Awarded {
                        prop_assert!(opened && published);
                    }
                    st = next;
                }
            }
        }
    }
}
