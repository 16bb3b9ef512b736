//! 保密: who may see which part of a draw, and when. The one rule pages and the API ask; every
//! view of a member list is a ledger entry (the app's job).
//!
//! Sources: the list "stays secret until the experts arrive" at the evaluation room [000, 004];
//! it is "kept secret until the award is decided" (评标委员会和评标方法暂行规定 Art. 8) and its
//! leaking is punished (Order 26 Arts. 32-33); the committee list is published with the result
//! (招标公告和公示信息发布管理办法 Art. 6 lists 评标委员会成员名单 in the candidate publication).
//!
//! Choices, as draw terminals do (need-to-know):
//! - the draw operator follows the draw (pool counts, attempts, members' expert numbers and
//!   answers, reserves) but sees names only from the start of the evaluation, when the identity
//!   check at check-in needs them; nobody at the centre sees telephone numbers (the gateways
//!   call) or employers (avoidance is computed, not judged by a person);
//! - regulators supervise the process in real time (terms, counts, attempts, the commitment) and
//!   see names from the start of the evaluation (on-site or remote supervision of the room);
//! - tenderee, agency and bidders see nothing before the result is published, then what the
//!   public sees: the members' names;
//! - the verification data (revealed secret, pool snapshot of expert numbers, contributions) is
//!   public once the evaluation is over; expert numbers are opaque, so it does not reveal names
//!   before the result;
//! - an expert sees only their own invitation: time and place, never the tenderee or bidders.

use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::time::Micros;

string_enum! {
    /// Who looks at a draw.
    DrawViewer {
        /// 抽取经办人: the trading-centre staff member who runs this draw.
        Operator = "operator", "抽取经办人", "Draw operator";
        /// 交易中心其他人员 (evaluation-room and check-in staff)
        CentreStaff = "centre_staff", "交易中心其他人员", "Other trading-centre staff";
        /// 行业监管部门/公管办
        Regulator = "regulator", "监管部门", "Regulator";
        /// 专家管理部门
        ManagingDepartment = "managing_department", "专家管理部门", "Managing department";
        /// 招标人/采购人
        Tenderee = "tenderee", "招标人", "Tenderee";
        /// 招标代理机构
        Agency = "agency", "招标代理机构", "Agency";
        /// 投标人
        Bidder = "bidder", "投标人", "Bidder";
        /// 被抽中的专家本人
        Expert = "expert", "专家本人", "The expert";
        /// 社会公众
        Public = "public", "社会公众", "Public";
    }
}

string_enum! {
    /// A part of a draw's record.
    DrawField {
        /// Specialties, counts, pools, evaluation date and place.
        RequestTerms = "request_terms", "抽取条件", "Request terms";
        /// Pool sizes and how many each avoidance rule removed.
        Funnel = "funnel", "筛选统计", "Screening counts";
        /// The platform's seed commitment.
        Commitment = "commitment", "随机数承诺", "Seed commitment";
        /// Every attempt, filled or failed, with its time.
        Attempts = "attempts", "抽取记录", "Draw attempts";
        /// Members' expert numbers, lines and answers.
        MemberNumbers = "member_numbers", "专家编号及应答", "Member numbers and answers";
        /// Reserves in order.
        Reserves = "reserves", "备选专家", "Reserves";
        /// Members' names and titles.
        MemberNames = "member_names", "专家姓名", "Member names";
        /// Members' employers.
        MemberEmployers = "member_employers", "工作单位", "Member employers";
        /// Members' telephone numbers.
        MemberContacts = "member_contacts", "联系方式", "Member contacts";
        /// Revealed secret, pool snapshot and contributions: enough to recompute the draw.
        Verification = "verification", "验证数据", "Verification data";
        /// The viewer's own invitation (time and place).
        OwnInvitation = "own_invitation", "本人邀请", "Own invitation";
    }
}

/// The instants that open a draw's record step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawTimeline {
    /// Check-in opens and the evaluation starts.
    pub evaluation_starts_at: Micros,
    /// The evaluation report is signed; `None` until then.
    pub evaluation_ended_at: Option<Micros>,
    /// The result (candidates) is published; `None` until then.
    pub result_published_at: Option<Micros>,
}

string_enum! {
    /// How far a draw's record is open.
    DrawPhase {
        /// 保密期: before the evaluation.
        Sealed = "sealed", "保密期", "Sealed";
        /// 评标中
        Evaluating = "evaluating", "评标中", "Evaluating";
        /// 评标结束，结果未公示
        Evaluated = "evaluated", "评标结束", "Evaluated";
        /// 结果已公示
        Published = "published", "结果已公示", "Published";
    }
}

impl DrawTimeline {
    pub fn phase(&self, at: Micros) -> DrawPhase {
        let reached = |t: Option<Micros>| t.is_some_and(|t| at >= t);
        if reached(self.result_published_at) {
            DrawPhase::Published
        } else if reached(self.evaluation_ended_at) {
            DrawPhase::Evaluated
        } else if at >= self.evaluation_starts_at {
            DrawPhase::Evaluating
        } else {
            DrawPhase::Sealed
        }
    }
}

/// Whether `viewer` may see `field` in `phase`. The expert's own invitation is only ever shown to
/// that expert (the caller checks it is theirs).
pub fn may_see(viewer: DrawViewer, field: DrawField, phase: DrawPhase) -> bool {
    use DrawField as F;
    use DrawPhase as P;
    use DrawViewer as V;
    let started = phase != P::Sealed;
    let over = matches!(phase, P::Evaluated | P::Published);
    let published = phase == P::Published;
    match field {
        F::MemberContacts => false,
        F::OwnInvitation => viewer == V::Expert,
        F::Commitment => viewer != V::Expert || over,
        F::Verification => over,
        F::RequestTerms => match viewer {
            V::Operator | V::CentreStaff | V::Regulator => true,
            V::Expert => false,
            _ => published,
        },
        F::Funnel | F::Attempts => matches!(viewer, V::Operator | V::Regulator),
        F::MemberNumbers | F::Reserves => viewer == V::Operator || (viewer == V::Regulator && over),
        F::MemberNames => match viewer {
            V::Operator | V::CentreStaff | V::Regulator => started,
            V::ManagingDepartment => over,
            V::Expert => false,
            V::Tenderee | V::Agency | V::Bidder | V::Public => published,
        },
        F::MemberEmployers => viewer == V::Regulator && published,
    }
}

/// Every field `viewer` may see at `at`.
pub fn visible_fields(viewer: DrawViewer, timeline: &DrawTimeline, at: Micros) -> Vec<DrawField> {
    let phase = timeline.phase(at);
    DrawField::ALL
        .iter()
        .copied()
        .filter(|&f| may_see(viewer, f, phase))
        .collect()
}

/// 专家通知: the text of an invitation (SMS and the voice call's script). It says when and where
/// and how to answer — never the project, the tenderee or the bidders (DOMAIN §2.4).
pub fn invitation_text(local_start: &str, place: &str, answer_by: &str) -> String {
    format!(
        "【一网】您已被随机抽取为评标专家，请于{local_start}到{place}参加评标。\
         请于{answer_by}前回复：1 确认参加，2 不能参加。本信息请勿外传。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use DrawField as F;
    use DrawViewer as V;

    const T: DrawTimeline = DrawTimeline {
        evaluation_starts_at: 1_000,
        evaluation_ended_at: Some(2_000),
        result_published_at: Some(3_000),
    };

    #[test]
    fn phases_follow_the_timeline() {
        assert_eq!(T.phase(999), DrawPhase::Sealed);
        assert_eq!(T.phase(1_000), DrawPhase::Evaluating);
        assert_eq!(T.phase(2_500), DrawPhase::Evaluated);
        assert_eq!(T.phase(3_000), DrawPhase::Published);
        let open = DrawTimeline {
            evaluation_ended_at: None,
            result_published_at: None,
            ..T
        };
        assert_eq!(open.phase(i64::MAX), DrawPhase::Evaluating);
    }

    #[test]
    fn before_the_evaluation_only_the_operator_sees_the_list() {
        for &v in V::ALL {
            let fields = visible_fields(v, &T, 999);
            assert!(!fields.contains(&F::MemberNames), "{v:?}");
            assert!(!fields.contains(&F::MemberContacts), "{v:?}");
            assert!(!fields.contains(&F::Verification), "{v:?}");
            assert_eq!(
                fields.contains(&F::MemberNumbers),
                v == V::Operator,
                "{v:?}"
            );
        }
        for v in [V::Tenderee, V::Agency, V::Bidder] {
            assert_eq!(visible_fields(v, &T, 999), [F::Commitment], "{v:?}");
        }
        assert_eq!(visible_fields(V::Expert, &T, 999), [F::OwnInvitation]);
    }

    #[test]
    fn the_list_opens_step_by_step() {
        assert!(visible_fields(V::Operator, &T, 1_000).contains(&F::MemberNames));
        assert!(visible_fields(V::Regulator, &T, 1_000).contains(&F::MemberNames));
        assert!(!visible_fields(V::Tenderee, &T, 2_999).contains(&F::MemberNames));
        assert!(visible_fields(V::Public, &T, 2_000).contains(&F::Verification));
        let public = visible_fields(V::Public, &T, 3_000);
        assert!(public.contains(&F::MemberNames) && !public.contains(&F::MemberEmployers));
        assert!(!public.contains(&F::MemberNumbers));
        assert!(visible_fields(V::Regulator, &T, 3_000).contains(&F::MemberEmployers));
        assert!(
            !DrawViewer::ALL
                .iter()
                .any(|&v| visible_fields(v, &T, i64::MAX).contains(&F::MemberContacts))
        );
    }

    #[test]
    fn the_invitation_names_no_party() {
        let t = invitation_text(
            "2026年12月10日 09:00",
            "乌海市公共资源交易中心3号评标室",
            "12月8日 18:00",
        );
        assert!(t.contains("3号评标室") && t.contains("09:00"));
        for word in ["招标人", "投标人", "项目"] {
            assert!(!t.contains(word), "{word}");
        }
    }
}
