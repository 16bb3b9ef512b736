//! The case lifecycle (办件状态, DOMAIN.md §1.3): states, events, who performs each event, and
//! the one rule [`next_state`] (plus [`transition`], which adds the rules of the six case kinds).
//!
//! ```text
//! draft ─submit→ submitted ─start_pre_review→ pre_review
//! submitted|pre_review ─accept|accept_with_deficiency|deem_accepted→ accepted
//!                      ─not_accept→ not_accepted            (terminal, reason required)
//!                      ─request_correction→ correction_requested ─supply_correction→ pre_review
//!                      ─transfer_to_centre→ transferred     (terminal)
//! accepted ─start_review→ in_review ⇄ suspended (special procedure or 补正 after acceptance)
//! in_review ─approve|approve_on_commitment|refuse→ decided ─complete→ completed ─deliver→ delivered
//! in_review ─escalate→ transferred
//! any state before decided ─withdraw→ withdrawn
//! ```
//!
//! Choices where DOMAIN.md leaves room (documented so the wiring follows them):
//! - `correction_requested` is the 补正 *before* acceptance (行政许可法 第三十二条): it returns to
//!   pre-review. A request for more material *after* acceptance stops the clock exactly like a
//!   special procedure, so it is a `suspended` case of kind [`SuspensionKind::Supplement`]; the
//!   state machine then needs no memory of where a correction came from.
//! - A walk-in application registered at a window starts in `submitted` ([`CaseState::initial`]);
//!   the officer checks it on the spot and may accept straight from `submitted`.
//! - `transferred` is terminal for this case: the receiving centre (跨区转办) or the upper level
//!   (上报) continues in a new case linked to this one, with its own number in its own region.
//! - `delivered` is terminal for refusals too: a 不予许可决定书 must be served like a licence.

use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use crate::access::Role;
use crate::catalog::{HandlingKind, ItemBody};
use crate::enums::string_enum;

string_enum! {
    /// 办件状态: a case is always in exactly one.
    CaseState {
        /// 暂存: saved, not yet submitted.
        Draft = "draft", "暂存", "Draft";
        /// 已申报: submitted online, or registered at a window (收件).
        Submitted = "submitted", "已申报", "Submitted";
        /// 预审: the window officer is checking the materials.
        PreReview = "pre_review", "预审", "Pre-review";
        /// 已受理: the legal clock runs from here.
        Accepted = "accepted", "已受理", "Accepted";
        /// 不予受理: refused at the door, with a reason.
        NotAccepted = "not_accepted", "不予受理", "Not accepted";
        /// 补正: waiting for the applicant after a 一次性告知.
        CorrectionRequested = "correction_requested", "补正", "Correction requested";
        /// 审查中: one or more review steps, possibly in parallel.
        InReview = "in_review", "审查中", "In review";
        /// 特别程序: hearing, expert review, site inspection, testing, or 补正 after acceptance;
        /// the clock is stopped.
        Suspended = "suspended", "特别程序", "Special procedure (clock stopped)";
        /// 已决定: 准予 or 不予, with a decision document.
        Decided = "decided", "已决定", "Decided";
        /// 办结: the result (licence, document) is ready.
        Completed = "completed", "办结", "Completed";
        /// 已送达: handed out, mailed, or issued as an e-licence.
        Delivered = "delivered", "已送达", "Delivered";
        /// 已撤回: withdrawn by the applicant before the decision.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        /// 已转办: moved to another centre or up a level; continued in a linked case.
        Transferred = "transferred", "已转办", "Transferred";
    }
}

string_enum! {
    /// 申请渠道: where the application came in.
    Channel {
        /// 网上申报 (the hall or a mobile app).
        Online = "online", "网上申报", "Online";
        /// 窗口收件: a walk-in registered by a window officer (一窗受理).
        Window = "window", "窗口收件", "At a window";
    }
}

string_enum! {
    /// 办件事件: what happens to a case. Stored in the case history and the ledger.
    CaseEvent {
        /// 暂存
        SaveDraft = "save_draft", "暂存", "Save draft";
        /// 提交申报
        Submit = "submit", "提交申报", "Submit";
        /// 开始预审 (认领)
        StartPreReview = "start_pre_review", "开始预审", "Start pre-review";
        /// 受理
        Accept = "accept", "受理", "Accept";
        /// 容缺受理: accepted with minor materials missing against a dated written commitment.
        AcceptWithDeficiency = "accept_with_deficiency", "容缺受理", "Accept with materials pending";
        /// 视为受理: no 一次性告知 within 5 working days of receipt (行政许可法 第三十二条).
        DeemAccepted = "deem_accepted", "逾期未告知视为受理", "Deemed accepted";
        /// 不予受理
        NotAccept = "not_accept", "不予受理", "Not accept";
        /// 一次性告知 (补正告知)
        RequestCorrection = "request_correction", "一次性告知补正", "Request correction";
        /// 提交补正材料
        SupplyCorrection = "supply_correction", "提交补正材料", "Supply correction";
        /// 跨区转办 (before acceptance)
        TransferToCentre = "transfer_to_centre", "跨区转办", "Transfer to another centre";
        /// 分送审查 (派件)
        StartReview = "start_review", "分送审查", "Dispatch for review";
        /// 环节意见
        RecordOpinion = "record_opinion", "提出审查意见", "Record an opinion";
        /// 审查中补正
        RequestSupplement = "request_supplement", "审查中补正", "Request a supplement in review";
        /// 启动特别程序
        StartSpecialProcedure = "start_special_procedure", "启动特别程序", "Start a special procedure";
        /// 恢复计时
        Resume = "resume", "特别程序结束", "End the special procedure";
        /// 延期 (行政许可法 第四十二条)
        ExtendLimit = "extend_limit", "延长审批期限", "Extend the limit";
        /// 补齐容缺材料
        SupplyDeficiency = "supply_deficiency", "补齐容缺材料", "Supply pending materials";
        /// 上报审批
        Escalate = "escalate", "上报审批", "Escalate to the upper level";
        /// 准予
        Approve = "approve", "准予", "Approve";
        /// 告知承诺: approved on the applicant's commitment, verified later.
        ApproveOnCommitment = "approve_on_commitment", "告知承诺准予", "Approve on commitment";
        /// 不予许可
        Refuse = "refuse", "不予许可", "Refuse";
        /// 办结
        Complete = "complete", "办结", "Complete";
        /// 送达 (出件)
        Deliver = "deliver", "送达", "Deliver";
        /// 撤回
        Withdraw = "withdraw", "撤回", "Withdraw";
    }
}

string_enum! {
    /// 执行者: the kind of actor that performs an event.
    Performer {
        /// 申请人 (or an agent holding a mandate, see `applicant::check_agent`).
        Applicant = "applicant", "申请人", "Applicant";
        /// 综合窗口人员 (front desk, 前台综合受理).
        WindowOfficer = "window_officer", "综合窗口人员", "Window officer";
        /// 审批人员 (back office, 后台分类审批).
        ApprovingOfficer = "approving_officer", "审批人员", "Approving officer";
        /// 部门负责人
        DepartmentHead = "department_head", "部门负责人", "Department head";
        /// 系统 (the job runner; no person).
        System = "system", "系统", "System";
    }
}

string_enum! {
    /// 执行机构: in which organisation the performer's role must be held.
    OrgScope {
        /// The applicant's own case (the applicant or their agent).
        OwnCase = "own_case", "本人办件", "The applicant's own case";
        /// The centre that received the case (一窗受理 / 统一出件).
        ReceivingCentre = "receiving_centre", "收件中心", "The receiving centre";
        /// The department that implements the item or owns the current step.
        ReviewingDepartment = "reviewing_department", "审查部门", "The reviewing department";
        /// Nobody's: the platform itself.
        Platform = "platform", "平台", "The platform";
    }
}

string_enum! {
    /// 六件管理 (DOMAIN.md §1.3, source \[002\]).
    CaseKind {
        /// 即办件: decided on acceptance.
        Immediate = "immediate", "即办件", "Decided on acceptance";
        /// 补办件: needed supplements before it could be handled.
        Supplement = "supplement", "补办件", "Needs supplement";
        /// 承诺件: decided within the promised limit.
        Promised = "promised", "承诺件", "Decided within the promised limit";
        /// 答复件: answered with a reply.
        Reply = "reply", "答复件", "Answered with a reply";
        /// 联办件: several departments, parallel approval.
        Joint = "joint", "联办件", "Joint (parallel approval)";
        /// 上报件: decided by the upper level.
        Escalated = "escalated", "上报件", "Decided by the upper level";
    }
}

string_enum! {
    /// 特别程序种类: what stopped the clock after acceptance. DOMAIN.md §1.1 names 听证, 专家评审,
    /// 现场勘查, 检验检测; 补正 after acceptance stops it too (§1.3 "stops during 补正").
    SuspensionKind {
        /// 听证 (行政许可法 第四十六至四十八条)
        Hearing = "hearing", "听证", "Hearing";
        /// 专家评审
        ExpertReview = "expert_review", "专家评审", "Expert review";
        /// 现场勘查
        SiteInspection = "site_inspection", "现场勘查", "Site inspection";
        /// 检验检测 (检验、检测、检疫、鉴定)
        Testing = "testing", "检验检测", "Testing";
        /// 审查中补正: waiting for the applicant's supplement.
        Supplement = "supplement", "补正材料", "Applicant's supplement";
        /// 其他特别程序 (公示、招标、拍卖 …)
        Other = "other", "其他特别程序", "Other special procedure";
    }
}

impl SuspensionKind {
    /// The kind of a catalogue special procedure by its name (`SpecialProcedure::name`);
    /// names outside the known four are `Other`.
    pub fn from_procedure_name(name: &str) -> Self {
        let n = name.trim();
        if n.contains("听证") {
            SuspensionKind::Hearing
        } else if n.contains("专家") {
            SuspensionKind::ExpertReview
        } else if n.contains("勘查") || n.contains("核查") || n.contains("踏勘") {
            SuspensionKind::SiteInspection
        } else if n.contains("检验")
            || n.contains("检测")
            || n.contains("检疫")
            || n.contains("鉴定")
        {
            SuspensionKind::Testing
        } else if n.contains("补正") {
            SuspensionKind::Supplement
        } else {
            SuspensionKind::Other
        }
    }

    /// The event that ends this suspension: the applicant's supplement for 补正, the reviewing
    /// officer recording the result for every other procedure.
    pub fn resumed_by(self) -> CaseEvent {
        match self {
            SuspensionKind::Supplement => CaseEvent::SupplyCorrection,
            _ => CaseEvent::Resume,
        }
    }

    /// The event that starts it.
    pub fn started_by(self) -> CaseEvent {
        match self {
            SuspensionKind::Supplement => CaseEvent::RequestSupplement,
            _ => CaseEvent::StartSpecialProcedure,
        }
    }
}

impl CaseState {
    /// Where a new case starts: online applications as a draft, walk-ins as received.
    pub fn initial(channel: Channel) -> Self {
        match channel {
            Channel::Online => CaseState::Draft,
            Channel::Window => CaseState::Submitted,
        }
    }

    /// No event leaves a terminal state.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::NotAccepted
                | CaseState::Delivered
                | CaseState::Withdrawn
                | CaseState::Transferred
        )
    }

    /// Whether the legal and promised clocks run: from acceptance to the decision, except while
    /// suspended (行政许可法 第四十五条: 听证、检验、检测、检疫、鉴定、专家评审 time is not counted).
    pub fn clock_running(self) -> bool {
        matches!(self, CaseState::Accepted | CaseState::InReview)
    }

    /// Whether the case has been accepted (including deemed or 容缺) and not left the platform.
    pub fn is_after_acceptance(self) -> bool {
        matches!(
            self,
            CaseState::Accepted
                | CaseState::InReview
                | CaseState::Suspended
                | CaseState::Decided
                | CaseState::Completed
                | CaseState::Delivered
        )
    }

    /// Whether it still waits for the applicant (shown first in "my cases").
    pub fn awaits_applicant(self) -> bool {
        matches!(self, CaseState::Draft | CaseState::CorrectionRequested)
    }

    /// A rank along the main line (0 draft … 6 closed), for sorting lists; a decided case never
    /// goes back to a lower one.
    pub fn rank(self) -> u8 {
        match self {
            CaseState::Draft => 0,
            CaseState::Submitted | CaseState::PreReview | CaseState::CorrectionRequested => 1,
            CaseState::Accepted => 2,
            CaseState::InReview | CaseState::Suspended => 3,
            CaseState::Decided => 4,
            CaseState::Completed => 5,
            CaseState::Delivered
            | CaseState::NotAccepted
            | CaseState::Withdrawn
            | CaseState::Transferred => 6,
        }
    }
}

impl CaseEvent {
    /// Who may perform it. The first is the usual one; `System` means the job runner.
    pub fn performers(self) -> &'static [Performer] {
        use CaseEvent as E;
        use Performer as P;
        match self {
            E::SaveDraft | E::Submit | E::SupplyCorrection | E::SupplyDeficiency | E::Withdraw => {
                &[P::Applicant]
            }
            E::StartPreReview
            | E::Accept
            | E::AcceptWithDeficiency
            | E::NotAccept
            | E::RequestCorrection
            | E::TransferToCentre => &[P::WindowOfficer],
            E::DeemAccepted => &[P::System],
            // On acceptance the case goes to every department the same day (并联审批), normally
            // by the platform; an officer may dispatch by hand.
            E::StartReview => &[P::System, P::WindowOfficer],
            // A review step may name the head (决定); check_opinion matches the step's role.
            E::RecordOpinion => &[P::ApprovingOfficer, P::DepartmentHead],
            E::RequestSupplement
            | E::Resume
            | E::Escalate
            | E::ApproveOnCommitment
            | E::Complete => &[P::ApprovingOfficer],
            // Decisions that need sign-off are taken by the head.
            E::Approve | E::Refuse => &[P::ApprovingOfficer, P::DepartmentHead],
            // DOMAIN "Who uses it": the head approves extensions and special procedures.
            E::StartSpecialProcedure | E::ExtendLimit => &[P::DepartmentHead],
            // 统一窗口出件; an e-licence is issued by the platform.
            E::Deliver => &[P::WindowOfficer, P::System],
        }
    }

    /// In which organisation the performer's role must be held.
    pub fn org_scope(self) -> OrgScope {
        match self.performers()[0] {
            Performer::Applicant => OrgScope::OwnCase,
            Performer::WindowOfficer => OrgScope::ReceivingCentre,
            Performer::ApprovingOfficer | Performer::DepartmentHead => {
                OrgScope::ReviewingDepartment
            }
            Performer::System => OrgScope::Platform,
        }
    }

    /// Whether `performer` may perform it.
    pub fn performed_by(self, performer: Performer) -> bool {
        self.performers().contains(&performer)
    }

    /// Whether a written reason is required (refusing without a reason is a supervision violation).
    pub fn requires_reason(self) -> bool {
        matches!(
            self,
            CaseEvent::NotAccept
                | CaseEvent::Refuse
                | CaseEvent::TransferToCentre
                | CaseEvent::Escalate
                | CaseEvent::StartSpecialProcedure
                | CaseEvent::RequestSupplement
                | CaseEvent::ExtendLimit
        )
    }

    /// Whether the applicant is notified (acceptance, 告知, decision, completion; issue #11 §8).
    pub fn notifies_applicant(self) -> bool {
        matches!(
            self,
            CaseEvent::Accept
                | CaseEvent::AcceptWithDeficiency
                | CaseEvent::DeemAccepted
                | CaseEvent::NotAccept
                | CaseEvent::RequestCorrection
                | CaseEvent::RequestSupplement
                | CaseEvent::TransferToCentre
                | CaseEvent::Escalate
                | CaseEvent::Approve
                | CaseEvent::ApproveOnCommitment
                | CaseEvent::Refuse
                | CaseEvent::Complete
        )
    }
}

impl Performer {
    /// The role that stands for it in `access`; `None` for the platform itself.
    pub fn role(self) -> Option<Role> {
        match self {
            Performer::Applicant => Some(Role::Applicant),
            Performer::WindowOfficer => Some(Role::WindowOfficer),
            Performer::ApprovingOfficer => Some(Role::ApprovingOfficer),
            Performer::DepartmentHead => Some(Role::DepartmentHead),
            Performer::System => None,
        }
    }
}

impl CaseKind {
    /// The kind a case of this item starts as: 即办件 or 承诺件 from the item, 联办件 when
    /// several departments take part, 上报件 when the upper level decides.
    pub fn for_item(item: &ItemBody, joint: bool, escalated: bool) -> Self {
        if escalated {
            CaseKind::Escalated
        } else if joint {
            CaseKind::Joint
        } else if item.handling_kind == HandlingKind::Immediate {
            CaseKind::Immediate
        } else {
            CaseKind::Promised
        }
    }
}

fn refuse(from: CaseState, event: CaseEvent) -> CaseRuleError {
    CaseRuleError::conflict(
        "case.transition",
        format!(
            "“{}”状态的办件不能执行“{}”。",
            from.label_zh(),
            event.label_zh()
        ),
        format!(
            "A case that is {} cannot take \"{}\".",
            from.label_en().to_lowercase(),
            event.label_en().to_lowercase()
        ),
    )
}

/// The state after `event`, or why `event` is not allowed in `from`. Kind-independent; use
/// [`transition`] when the case kind is known (it always is for a stored case).
pub fn next_state(from: CaseState, event: CaseEvent) -> Result<CaseState, CaseRuleError> {
    use CaseEvent as E;
    use CaseState as S;
    let to = match (from, event) {
        (S::Draft, E::SaveDraft) => S::Draft,
        (S::Draft, E::Submit) => S::Submitted,
        (S::Submitted, E::StartPreReview) => S::PreReview,
        (S::Submitted | S::PreReview, E::Accept | E::AcceptWithDeficiency | E::DeemAccepted) => {
            S::Accepted
        }
        (S::Submitted | S::PreReview | S::CorrectionRequested, E::NotAccept) => S::NotAccepted,
        (S::Submitted | S::PreReview, E::RequestCorrection) => S::CorrectionRequested,
        (S::CorrectionRequested, E::SupplyCorrection) => S::PreReview,
        (S::Submitted | S::PreReview, E::TransferToCentre) => S::Transferred,
        (S::Accepted, E::StartReview) => S::InReview,
        (S::InReview, E::RecordOpinion) => S::InReview,
        (S::InReview, E::RequestSupplement | E::StartSpecialProcedure) => S::Suspended,
        (S::Suspended, E::Resume | E::SupplyCorrection) => S::InReview,
        (S::Accepted | S::InReview | S::Suspended, E::ExtendLimit) => from,
        (S::Accepted | S::InReview | S::Suspended | S::Decided, E::SupplyDeficiency) => from,
        (S::InReview, E::Escalate) => S::Transferred,
        // 即办件 are decided on acceptance; `transition` allows this only for them.
        (S::Accepted | S::InReview, E::Approve | E::Refuse) => S::Decided,
        (S::InReview, E::ApproveOnCommitment) => S::Decided,
        (S::Decided, E::Complete) => S::Completed,
        (S::Completed, E::Deliver) => S::Delivered,
        (
            S::Draft
            | S::Submitted
            | S::PreReview
            | S::CorrectionRequested
            | S::Accepted
            | S::InReview
            | S::Suspended,
            E::Withdraw,
        ) => S::Withdrawn,
        _ => return Err(refuse(from, event)),
    };
    Ok(to)
}

/// [`next_state`] plus the rules of the case kind (六件管理):
/// - only a 即办件 is decided straight from `accepted` (the others go through review);
/// - a 上报件 is decided by the upper level: it may be escalated, never decided here.
pub fn transition(
    kind: CaseKind,
    from: CaseState,
    event: CaseEvent,
) -> Result<CaseState, CaseRuleError> {
    let to = next_state(from, event)?;
    let deciding = matches!(
        event,
        CaseEvent::Approve | CaseEvent::Refuse | CaseEvent::ApproveOnCommitment
    );
    if deciding && from == CaseState::Accepted && kind != CaseKind::Immediate {
        return Err(CaseRuleError::conflict(
            "case.review_required",
            "只有即办件可以在受理时当场作出决定，其他办件须经审查。",
            "Only an on-the-spot case is decided on acceptance; others are reviewed first.",
        ));
    }
    if deciding && kind == CaseKind::Escalated {
        return Err(CaseRuleError::conflict(
            "case.escalated_decision",
            "上报件由上级机关作出决定，本级只能上报。",
            "An escalated case is decided by the upper level; this level can only escalate it.",
        ));
    }
    Ok(to)
}

/// Checks the written reason an event needs: at least 2 characters after trimming, at most 500.
pub fn check_reason(event: CaseEvent, reason: Option<&str>) -> Result<(), CaseRuleError> {
    let r = reason.map(str::trim).unwrap_or("");
    let n = r.chars().count();
    if event.requires_reason() && n < 2 {
        return Err(CaseRuleError::invalid(
            "case.reason_required",
            format!("“{}”须写明理由。", event.label_zh()),
            format!(
                "\"{}\" needs a written reason.",
                event.label_en().to_lowercase()
            ),
        ));
    }
    if n > 500 {
        return Err(CaseRuleError::invalid(
            "case.reason_length",
            "理由不超过500个字符。",
            "A reason is at most 500 characters.",
        ));
    }
    Ok(())
}

/// Checks that `event` is the right one to end a suspension of `kind` (an applicant cannot end a
/// hearing by uploading a file; an officer cannot end a 补正 the applicant has not answered).
pub fn check_resume(kind: SuspensionKind, event: CaseEvent) -> Result<(), CaseRuleError> {
    if kind.resumed_by() == event {
        Ok(())
    } else {
        Err(CaseRuleError::conflict(
            "case.resume_mismatch",
            format!(
                "“{}”须以“{}”结束。",
                kind.label_zh(),
                kind.resumed_by().label_zh()
            ),
            format!(
                "A {} ends with \"{}\".",
                kind.label_en().to_lowercase(),
                kind.resumed_by().label_en().to_lowercase()
            ),
        ))
    }
}

/// The outcome a deciding event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 准予
    Approved,
    /// 准予 on the applicant's commitment (告知承诺); a verification follow-up task is due.
    ApprovedOnCommitment,
    /// 不予
    Refused,
}

impl CaseEvent {
    /// The decision an event records, if it is one.
    pub fn outcome(self) -> Option<Outcome> {
        match self {
            CaseEvent::Approve => Some(Outcome::Approved),
            CaseEvent::ApproveOnCommitment => Some(Outcome::ApprovedOnCommitment),
            CaseEvent::Refuse => Some(Outcome::Refused),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    use CaseEvent as E;
    use CaseState as S;

    fn run(
        kind: CaseKind,
        from: CaseState,
        events: &[CaseEvent],
    ) -> Result<CaseState, CaseRuleError> {
        events.iter().try_fold(from, |s, e| transition(kind, s, *e))
    }

    #[test]
    fn the_main_line_online() {
        let s = run(
            CaseKind::Promised,
            CaseState::initial(Channel::Online),
            &[
                E::SaveDraft,
                E::Submit,
                E::StartPreReview,
                E::RequestCorrection,
                E::SupplyCorrection,
                E::Accept,
                E::StartReview,
                E::RecordOpinion,
                E::StartSpecialProcedure,
                E::Resume,
                E::ExtendLimit,
                E::Approve,
                E::Complete,
                E::Deliver,
            ],
        )
        .unwrap();
        assert_eq!(s, S::Delivered);
        assert!(s.is_terminal());
    }

    #[test]
    fn a_walk_in_is_accepted_on_the_spot_and_an_immediate_case_decided_at_once() {
        assert_eq!(CaseState::initial(Channel::Window), S::Submitted);
        let s = run(
            CaseKind::Immediate,
            S::Submitted,
            &[E::Accept, E::Approve, E::Complete, E::Deliver],
        )
        .unwrap();
        assert_eq!(s, S::Delivered);
    }

    #[test]
    fn only_immediate_cases_skip_review() {
        let e = transition(CaseKind::Promised, S::Accepted, E::Approve).unwrap_err();
        assert_eq!(e.code, "case.review_required");
        assert_eq!(
            transition(CaseKind::Immediate, S::Accepted, E::Refuse),
            Ok(S::Decided)
        );
        // 告知承诺 always goes through review.
        assert!(transition(CaseKind::Immediate, S::Accepted, E::ApproveOnCommitment).is_err());
    }

    #[test]
    fn an_escalated_case_is_not_decided_here() {
        let e = transition(CaseKind::Escalated, S::InReview, E::Approve).unwrap_err();
        assert_eq!(e.code, "case.escalated_decision");
        assert_eq!(
            transition(CaseKind::Escalated, S::InReview, E::Escalate),
            Ok(S::Transferred)
        );
    }

    #[test]
    fn withdrawal_only_before_the_decision() {
        for s in [
            S::Draft,
            S::Submitted,
            S::PreReview,
            S::CorrectionRequested,
            S::Accepted,
            S::InReview,
            S::Suspended,
        ] {
            assert_eq!(next_state(s, E::Withdraw), Ok(S::Withdrawn), "{s}");
        }
        for s in [
            S::Decided,
            S::Completed,
            S::Delivered,
            S::NotAccepted,
            S::Transferred,
            S::Withdrawn,
        ] {
            assert_eq!(
                next_state(s, E::Withdraw).unwrap_err().code,
                "case.transition"
            );
        }
    }

    #[test]
    fn deemed_acceptance_only_before_any_notice() {
        assert_eq!(next_state(S::Submitted, E::DeemAccepted), Ok(S::Accepted));
        assert_eq!(next_state(S::PreReview, E::DeemAccepted), Ok(S::Accepted));
        assert!(next_state(S::CorrectionRequested, E::DeemAccepted).is_err());
    }

    #[test]
    fn suspension_is_ended_by_the_right_event() {
        assert!(check_resume(SuspensionKind::Supplement, E::SupplyCorrection).is_ok());
        assert!(check_resume(SuspensionKind::Supplement, E::Resume).is_err());
        assert!(check_resume(SuspensionKind::Hearing, E::Resume).is_ok());
        assert_eq!(
            check_resume(SuspensionKind::Hearing, E::SupplyCorrection)
                .unwrap_err()
                .code,
            "case.resume_mismatch"
        );
        assert_eq!(
            SuspensionKind::from_procedure_name("现场核查"),
            SuspensionKind::SiteInspection
        );
        assert_eq!(
            SuspensionKind::from_procedure_name("听证"),
            SuspensionKind::Hearing
        );
        assert_eq!(
            SuspensionKind::from_procedure_name("专家评审"),
            SuspensionKind::ExpertReview
        );
        assert_eq!(
            SuspensionKind::from_procedure_name("检验检测"),
            SuspensionKind::Testing
        );
        assert_eq!(
            SuspensionKind::from_procedure_name("公示"),
            SuspensionKind::Other
        );
        for k in SuspensionKind::ALL {
            assert_eq!(next_state(S::InReview, k.started_by()), Ok(S::Suspended));
            assert_eq!(next_state(S::Suspended, k.resumed_by()), Ok(S::InReview));
        }
    }

    #[test]
    fn reasons_are_required_where_refusal_or_delay_happens() {
        assert_eq!(
            check_reason(E::NotAccept, None).unwrap_err().code,
            "case.reason_required"
        );
        assert_eq!(
            check_reason(E::Refuse, Some("  ")).unwrap_err().code,
            "case.reason_required"
        );
        assert!(check_reason(E::Refuse, Some("不符合法定条件")).is_ok());
        assert!(check_reason(E::Approve, None).is_ok());
        let long = "长".repeat(501);
        assert_eq!(
            check_reason(E::Withdraw, Some(&long)).unwrap_err().code,
            "case.reason_length"
        );
    }

    #[test]
    fn performers_map_to_roles_and_scopes() {
        assert_eq!(E::Accept.performers(), &[Performer::WindowOfficer]);
        assert_eq!(E::Accept.org_scope(), OrgScope::ReceivingCentre);
        assert_eq!(E::Approve.org_scope(), OrgScope::ReviewingDepartment);
        assert_eq!(E::Withdraw.org_scope(), OrgScope::OwnCase);
        assert_eq!(E::DeemAccepted.org_scope(), OrgScope::Platform);
        assert!(E::ExtendLimit.performed_by(Performer::DepartmentHead));
        assert!(!E::ExtendLimit.performed_by(Performer::ApprovingOfficer));
        assert_eq!(Performer::System.role(), None);
        assert_eq!(Performer::DepartmentHead.role(), Some(Role::DepartmentHead));
        for e in CaseEvent::ALL {
            assert!(!e.performers().is_empty());
        }
    }

    #[test]
    fn every_event_is_possible_somewhere_and_every_state_reachable() {
        for e in CaseEvent::ALL {
            assert!(
                CaseState::ALL.iter().any(|s| next_state(*s, *e).is_ok()),
                "{e}"
            );
        }
        let mut seen = BTreeSet::from([S::Draft, S::Submitted]);
        let mut frontier = vec![S::Draft, S::Submitted];
        while let Some(s) = frontier.pop() {
            for e in CaseEvent::ALL {
                if let Ok(t) = next_state(s, *e)
                    && seen.insert(t)
                {
                    frontier.push(t);
                }
            }
        }
        assert_eq!(seen.len(), CaseState::ALL.len());
    }

    #[test]
    fn every_open_state_can_still_end() {
        for s in CaseState::ALL {
            let mut seen = BTreeSet::from([*s]);
            let mut frontier = vec![*s];
            let mut ends = s.is_terminal();
            while let Some(x) = frontier.pop() {
                for e in CaseEvent::ALL {
                    if let Ok(t) = next_state(x, *e) {
                        ends |= t.is_terminal();
                        if seen.insert(t) {
                            frontier.push(t);
                        }
                    }
                }
            }
            assert!(ends, "{s} can never end");
        }
    }

    #[test]
    fn labels_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(*s));
            assert_eq!(CaseState::from_label(s.label_zh()), Some(*s));
        }
        for e in CaseEvent::ALL {
            assert_eq!(CaseEvent::parse(e.as_str()), Some(*e));
        }
    }

    fn state() -> impl Strategy<Value = CaseState> {
        proptest::sample::select(CaseState::ALL)
    }
    fn event() -> impl Strategy<Value = CaseEvent> {
        proptest::sample::select(CaseEvent::ALL)
    }
    fn kind() -> impl Strategy<Value = CaseKind> {
        proptest::sample::select(CaseKind::ALL)
    }

    proptest! {
        #[test]
        fn no_event_leaves_a_terminal_state(s in state(), e in event()) {
            if s.is_terminal() {
                prop_assert!(next_state(s, e).is_err());
            }
        }

        #[test]
        fn transition_never_allows_what_next_state_refuses(k in kind(), s in state(), e in event()) {
            if next_state(s, e).is_err() {
                prop_assert!(transition(k, s, e).is_err());
            } else if let Ok(t) = transition(k, s, e) {
                prop_assert_eq!(Ok(t), next_state(s, e));
            }
        }

        #[test]
        fn random_runs_keep_the_invariants(k in kind(), start in prop_oneof![Just(S::Draft), Just(S::Submitted)],
                                           events in proptest::collection::vec(event(), 0..60)) {
            let mut s = start;
            let mut decided = false;
            for e in events {
                match transition(k, s, e) {
                    Ok(t) => {
                        // A case never goes back along the main line once decided.
                        if decided { prop_assert!(t.rank() >= s.rank()); }
                        // Nothing but a decision event reaches `decided`.
                        if t == S::Decided && s != S::Decided { prop_assert!(e.outcome().is_some()); }
                        // Withdrawal happens only before the decision.
                        if t == S::Withdrawn { prop_assert!(!decided); }
                        decided |= t == S::Decided;
                        s = t;
                    }
                    Err(err) => prop_assert!(err.code.starts_with("case.")),
                }
                // The clock runs only after acceptance.
                if s.clock_running() { prop_assert!(s.is_after_acceptance()); }
            }
        }

        #[test]
        fn refused_transitions_change_nothing_and_speak_both_languages(s in state(), e in event()) {
            if let Err(err) = next_state(s, e) {
                prop_assert_eq!(err.code, "case.transition");
                prop_assert!(err.message.contains(s.label_zh()));
                prop_assert!(!err.message_en.is_empty());
            }
        }
    }
}
