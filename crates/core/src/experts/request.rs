//! 抽取申请: what trading-centre staff ask a draw for, and the committee composition rules it must
//! satisfy before anything is drawn.
//!
//! Composition (DOMAIN §2.4):
//! - 评标委员会 (tendering): ≥ 5 members, odd, experts ≥ 2/3, the tenderee's representatives the
//!   rest [招标投标法 Art. 37; 评标委员会和评标方法暂行规定 Art. 9];
//! - 政府采购评标委员会: the same, and ≥ 7 when the budget is at least the large-procurement
//!   threshold (default 10 million yuan; "以上" includes the figure) or the purchase is complex
//!   or of wide social impact [政府采购货物和服务招标投标管理办法 (财政部令第87号) Art. 47];
//! - 竞争性谈判小组 / 磋商小组 / 询价小组: ≥ 3 members, odd, experts ≥ 2/3 [政府采购非招标采购方式
//!   管理办法 (财政部令第74号) Art. 7; 政府采购竞争性磋商采购方式管理暂行办法 Art. 14]. The
//!   minimum is configurable because those texts raise it to 5 above the tender thresholds.
//!
//! A request is a list of lines, each one specialty in one pool (local or remote) with its count
//! and its own reserve list: replacing a member from the reserve of the same line keeps both the
//! specialty mix and the local/remote quota, which is what real draw terminals do (备选专家按专业、
//! 按地区分别抽取).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::specialty::{SpecialtyCode, SpecialtyTree};
use crate::Problem;
use crate::enums::string_enum;
use crate::ids::RegionCode;

string_enum! {
    /// 评审组织: the kind of committee a draw is for.
    CommitteeKind {
        /// 评标委员会 (招标投标法)
        TenderEvaluation = "tender_evaluation", "评标委员会", "Bid evaluation committee";
        /// 政府采购评标委员会 (财政部令第87号)
        ProcurementEvaluation = "procurement_evaluation", "政府采购评标委员会", "Procurement evaluation committee";
        /// 竞争性谈判小组
        NegotiationGroup = "negotiation_group", "竞争性谈判小组", "Competitive negotiation group";
        /// 竞争性磋商小组
        ConsultationGroup = "consultation_group", "竞争性磋商小组", "Competitive consultation group";
        /// 询价小组
        EnquiryGroup = "enquiry_group", "询价小组", "Enquiry group";
    }
}

string_enum! {
    /// 抽取状态: a request has exactly one attempt (a re-draw is a new, recorded request).
    DrawStatus {
        Requested = "requested", "已申请", "Requested";
        Drawn = "drawn", "已抽取", "Drawn";
        Failed = "failed", "抽取不足", "Not filled";
        Revealed = "revealed", "已公开验证数据", "Revealed";
    }
}

/// The pool a line draws from. Regions compare by GB/T 2260 prefix: a prefecture code covers its
/// counties, a province code its prefectures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PoolScope {
    /// 本地: experts within the request's local area.
    Local,
    /// 异地: experts outside the local area; within `regions` when any are listed.
    Remote {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
        regions: Vec<RegionCode>,
    },
}

/// The significant prefix of a region code: `15` for a province, `1503` for a prefecture.
fn region_prefix(r: &RegionCode) -> &str {
    let s = r.as_str();
    if s.ends_with("0000") {
        &s[..2]
    } else if s.ends_with("00") {
        &s[..4]
    } else {
        s
    }
}

/// Whether `region` lies in `area` (or is it).
pub fn region_within(region: &RegionCode, area: &RegionCode) -> bool {
    region.as_str().starts_with(region_prefix(area))
}

impl PoolScope {
    /// Whether an expert registered in `region` belongs to this pool for a request whose local
    /// area is `local`.
    pub fn admits(&self, region: &RegionCode, local: &RegionCode) -> bool {
        match self {
            PoolScope::Local => region_within(region, local),
            PoolScope::Remote { regions } => {
                !region_within(region, local)
                    && (regions.is_empty() || regions.iter().any(|a| region_within(region, a)))
            }
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            PoolScope::Local => "本地",
            PoolScope::Remote { .. } => "异地",
        }
    }
}

/// One line of a request: `count` members and `reserve` alternates of `specialty` (or any code
/// below it) from `scope`; when `scope` cannot fill the line, the rest comes from `fallback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub specialty: SpecialtyCode,
    pub scope: PoolScope,
    pub count: u32,
    pub reserve: u32,
    /// 另一合法专家库/异地: where to complete the line (Order 26: "draw from another lawful
    /// database" when one cannot fill a draw). `None` means a shortfall fails the draw.
    pub fallback: Option<PoolScope>,
}

/// 抽取申请 for one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawRequest {
    pub section_id: String,
    pub committee: CommitteeKind,
    /// The area whose experts count as local (usually the trading centre's prefecture).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub local_area: RegionCode,
    /// 招标人/采购人代表 sitting on the committee (not drawn).
    pub representatives: u32,
    /// Budget in yuan (government procurement), deciding the ≥ 7 rule.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub budget: Option<Decimal>,
    /// 技术复杂或社会影响较大 (87号令 Art. 47), also deciding the ≥ 7 rule.
    pub complex_or_high_impact: bool,
    /// The local date the evaluation takes place.
    pub evaluation_date: NaiveDate,
    pub lines: Vec<DrawLine>,
}

impl DrawRequest {
    /// Experts to draw (members only).
    pub fn experts(&self) -> u32 {
        self.lines.iter().map(|l| l.count).sum()
    }

    /// The whole committee: drawn experts plus representatives.
    pub fn members(&self) -> u32 {
        self.experts() + self.representatives
    }
}

/// The configurable figures of the composition rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitteeRules {
    /// Budget at and above which a procurement committee needs ≥ 7 members (87号令: 1000万元).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub large_procurement_threshold: Decimal,
    /// Minimum of a negotiation, consultation or enquiry group (74号令: 3).
    pub group_min_members: u32,
}

impl Default for CommitteeRules {
    fn default() -> Self {
        CommitteeRules {
            large_procurement_threshold: Decimal::from(10_000_000),
            group_min_members: 3,
        }
    }
}

/// The smallest committee the law allows for this request.
pub fn min_members(req: &DrawRequest, rules: &CommitteeRules) -> u32 {
    match req.committee {
        CommitteeKind::TenderEvaluation => 5,
        CommitteeKind::ProcurementEvaluation => {
            let large = req
                .budget
                .is_some_and(|b| b >= rules.large_procurement_threshold);
            if large || req.complex_or_high_impact {
                7
            } else {
                5
            }
        }
        CommitteeKind::NegotiationGroup
        | CommitteeKind::ConsultationGroup
        | CommitteeKind::EnquiryGroup => rules.group_min_members,
    }
}

/// Every rule the request breaks (empty when it may be drawn). `today` is the local date of the
/// draw: an evaluation in the past cannot be drawn for.
pub fn validate_request(
    req: &DrawRequest,
    tree: &SpecialtyTree,
    rules: &CommitteeRules,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let experts = req.experts();
    let total = req.members();
    let min = min_members(req, rules);
    let kind_zh = req.committee.label_zh();
    let kind_en = req.committee.label_en();
    if req.lines.is_empty() {
        out.push(Problem::invalid(
            "draw.no_lines",
            "抽取申请至少包含一个专业。",
            "A draw request needs at least one specialty line.",
        ));
    }
    if total < min {
        out.push(Problem::invalid(
            "draw.too_few_members",
            format!("{kind_zh}成员应不少于{min}人，当前为{total}人。"),
            format!("A {kind_en} needs at least {min} members; this one has {total}."),
        ));
    }
    if total.is_multiple_of(2) {
        out.push(Problem::invalid(
            "draw.even_members",
            format!("{kind_zh}成员人数应为单数，当前为{total}人。"),
            format!("A {kind_en} must have an odd number of members; this one has {total}."),
        ));
    }
    // experts ≥ 2/3 of the members, in integers.
    if 3 * experts < 2 * total {
        out.push(Problem::invalid(
            "draw.experts_share",
            format!("评审专家应不少于成员总数的三分之二，当前为{experts}/{total}。"),
            format!("Experts must be at least two thirds of the members; found {experts}/{total}."),
        ));
    }
    let mut seen: Vec<(&SpecialtyCode, &PoolScope)> = Vec::new();
    for (i, line) in req.lines.iter().enumerate() {
        let n = i + 1;
        if line.count == 0 {
            out.push(Problem::invalid(
                "draw.line_empty",
                format!("第{n}个专业的抽取人数应至少为1。"),
                format!("Line {n} must draw at least one expert."),
            ));
        }
        if !tree.contains(&line.specialty) {
            out.push(Problem::invalid(
                "draw.specialty",
                format!("第{n}个专业“{}”不在专业分类标准中。", line.specialty),
                format!(
                    "Line {n}: specialty {} is not in the classification.",
                    line.specialty
                ),
            ));
        }
        if seen.contains(&(&line.specialty, &line.scope)) {
            out.push(Problem::invalid(
                "draw.duplicate_line",
                format!("第{n}个专业与前面的专业及地区重复，请合并人数。"),
                format!("Line {n} repeats the specialty and pool of an earlier line; merge them."),
            ));
        }
        seen.push((&line.specialty, &line.scope));
        for scope in std::iter::once(&line.scope).chain(line.fallback.as_ref()) {
            if let PoolScope::Remote { regions } = scope
                && regions
                    .iter()
                    .any(|r| region_within(r, &req.local_area) || region_within(&req.local_area, r))
            {
                out.push(Problem::invalid(
                    "draw.remote_overlaps_local",
                    format!("第{n}个专业的异地范围不能包含本地。"),
                    format!("Line {n}: a remote pool may not overlap the local area."),
                ));
            }
        }
        if line.fallback.as_ref() == Some(&line.scope) {
            out.push(Problem::invalid(
                "draw.fallback_same",
                format!("第{n}个专业的补充专家库与原专家库相同。"),
                format!("Line {n}: the fallback pool is the same as the pool."),
            ));
        }
    }
    if req.evaluation_date < today {
        out.push(Problem::invalid(
            "draw.evaluation_past",
            "评标日期已过，不能抽取。",
            "The evaluation date has passed.",
        ));
    }
    out
}

/// One problem listing every violation (in `details.violations`), or `None` when there is none.
pub fn violations_problem(violations: &[Problem]) -> Option<Problem> {
    let first = violations.first()?;
    let list: Vec<serde_json::Value> = violations
        .iter()
        .map(|p| serde_json::json!({"code": p.code, "message": p.message, "message_en": p.message_en}))
        .collect();
    let mut p = Problem::invalid(
        "draw.invalid_request",
        format!(
            "抽取申请不符合规定（共{}项）：{}",
            violations.len(),
            first.message
        ),
        format!(
            "The draw request breaks {} rule(s): {}",
            violations.len(),
            first.message_en
        ),
    );
    p.details = Some(serde_json::json!({ "violations": list }));
    Some(p)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn region(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    pub fn line(spec: &str, scope: PoolScope, count: u32, reserve: u32) -> DrawLine {
        DrawLine {
            specialty: SpecialtyCode::parse(spec).unwrap(),
            scope,
            count,
            reserve,
            fallback: None,
        }
    }

    pub fn request(lines: Vec<DrawLine>, reps: u32) -> DrawRequest {
        DrawRequest {
            section_id: "S1".into(),
            committee: CommitteeKind::TenderEvaluation,
            local_area: region("150300"),
            representatives: reps,
            budget: None,
            complex_or_high_impact: false,
            evaluation_date: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            lines,
        }
    }

    fn codes(req: &DrawRequest) -> Vec<String> {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        validate_request(
            req,
            &SpecialtyTree::national(),
            &CommitteeRules::default(),
            today,
        )
        .into_iter()
        .map(|p| p.code)
        .collect()
    }

    #[test]
    fn a_lawful_committee_passes() {
        let r = request(
            vec![
                line("A0101", PoolScope::Local, 2, 2),
                line("A01", PoolScope::Remote { regions: vec![] }, 2, 1),
            ],
            1,
        );
        assert!(codes(&r).is_empty(), "{:?}", codes(&r));
        assert_eq!((r.experts(), r.members()), (4, 5));
    }

    #[test]
    fn composition_rules() {
        // 4 members, even and too few; 2 experts of 4 is below 2/3.
        let r = request(vec![line("A0101", PoolScope::Local, 2, 0)], 2);
        assert_eq!(
            codes(&r),
            [
                "draw.too_few_members",
                "draw.even_members",
                "draw.experts_share"
            ]
        );
        // 5 with 3 experts: 3/5 < 2/3.
        let r = request(vec![line("A0101", PoolScope::Local, 3, 0)], 2);
        assert_eq!(codes(&r), ["draw.experts_share"]);
        // 7 with 5 experts: 5/7 ≥ 2/3.
        let r = request(vec![line("A0101", PoolScope::Local, 5, 0)], 2);
        assert!(codes(&r).is_empty());
    }

    #[test]
    fn large_procurement_needs_seven() {
        let mut r = request(vec![line("B", PoolScope::Local, 5, 0)], 0);
        r.committee = CommitteeKind::ProcurementEvaluation;
        r.budget = Some(Decimal::from(9_999_999));
        assert!(codes(&r).is_empty());
        r.budget = Some(Decimal::from(10_000_000));
        assert_eq!(codes(&r), ["draw.too_few_members"]);
        r.budget = None;
        r.complex_or_high_impact = true;
        assert_eq!(codes(&r), ["draw.too_few_members"]);
        r.lines[0].count = 7;
        assert!(codes(&r).is_empty());
    }

    #[test]
    fn enquiry_groups_may_have_three() {
        let mut r = request(vec![line("B", PoolScope::Local, 3, 0)], 0);
        r.committee = CommitteeKind::EnquiryGroup;
        assert!(codes(&r).is_empty());
        r.lines[0].count = 2;
        r.representatives = 1;
        assert!(codes(&r).is_empty(), "2 of 3 is two thirds");
        r.lines[0].count = 1;
        r.representatives = 2;
        assert_eq!(codes(&r), ["draw.experts_share"]);
    }

    #[test]
    fn line_rules() {
        let mut bad_fallback = line("A03", PoolScope::Local, 1, 0);
        bad_fallback.fallback = Some(PoolScope::Local);
        let r = request(
            vec![
                line("A0101", PoolScope::Local, 2, 0),
                line("A0101", PoolScope::Local, 0, 0),
                line("Z99", PoolScope::Local, 1, 0),
                line(
                    "A02",
                    PoolScope::Remote {
                        regions: vec![region("150000")],
                    },
                    1,
                    0,
                ),
                bad_fallback,
            ],
            0,
        );
        assert_eq!(
            codes(&r),
            [
                "draw.line_empty",
                "draw.duplicate_line",
                "draw.specialty",
                "draw.remote_overlaps_local",
                "draw.fallback_same",
            ]
        );
        let p = violations_problem(&validate_request(
            &r,
            &SpecialtyTree::national(),
            &CommitteeRules::default(),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        ))
        .unwrap();
        assert_eq!(
            p.details.unwrap()["violations"].as_array().unwrap().len(),
            6
        );
        assert!(violations_problem(&[]).is_none());
    }

    #[test]
    fn pools_by_region() {
        let local = region("150300");
        assert!(PoolScope::Local.admits(&region("150302"), &local));
        assert!(!PoolScope::Local.admits(&region("150102"), &local));
        let anywhere = PoolScope::Remote { regions: vec![] };
        assert!(anywhere.admits(&region("150102"), &local));
        assert!(!anywhere.admits(&region("150303"), &local));
        let jiangsu = PoolScope::Remote {
            regions: vec![region("320000")],
        };
        assert!(jiangsu.admits(&region("321302"), &local));
        assert!(!jiangsu.admits(&region("150102"), &local));
        assert!(region_within(&region("429005"), &region("420000")));
    }
}
