//! 交易主体: parties (tenderee, agency, bidder), their qualifications with expiry, temporary
//! membership for a first-time bidder, and whether a party may bid on a section at an instant
//! (DOMAIN §2.1, §2.2, §2.5).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;
use crate::ids::CreditCode;

string_enum! {
    /// 主体角色
    PartyKind {
        /// 招标人/采购人 (for land and assets: 出让人/转让方).
        Tenderee = "tenderee", "招标人", "Tenderee";
        /// 招标代理机构
        Agency = "agency", "招标代理机构", "Tendering agency";
        /// 投标人/供应商 (for land and assets: 竞买人/受让方).
        Bidder = "bidder", "投标人", "Bidder";
    }
}

/// 会员资格: full membership after 会员注册, or temporary membership for a first-time bidder [002].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Membership {
    /// 正式会员
    Full,
    /// 临时会员: lets a first-time bidder take part in one section without completing the full
    /// registration first; it covers that section only and ends at `expires_at`.
    Temporary {
        section: String,
        expires_at: DateTime<Utc>,
    },
}

/// How long a temporary membership lasts after the deadline of the section it was granted for.
///
/// Choice (DOMAIN names temporary membership without a term): 90 days covers evaluation,
/// publication of candidates, the award and the signing of the contract (30 days after the award
/// notice, 招标投标法 Art. 46) with margin; after it the bidder must complete 会员注册 to bid again.
pub const TEMPORARY_MEMBERSHIP_AFTER_DEADLINE: TimeDelta = TimeDelta::days(90);

/// Grants a temporary membership for `section` whose bid deadline is `deadline`.
pub fn temporary_membership(section: &str, deadline: DateTime<Utc>) -> Membership {
    Membership::Temporary {
        section: section.to_string(),
        expires_at: deadline + TEMPORARY_MEMBERSHIP_AFTER_DEADLINE,
    }
}

/// 资质: a qualification certificate with its grade and validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    /// 资质名称, e.g. "建筑工程施工总承包".
    pub name: String,
    /// 资质等级: 0 = 特级, 1 = 一级, 2 = 二级, 3 = 三级; `None` for a qualification without grades.
    /// A lower number is a higher grade.
    pub grade: Option<u8>,
    pub certificate_no: String,
    pub valid_from: DateTime<Utc>,
    /// `None`: no expiry.
    pub valid_until: Option<DateTime<Utc>>,
}

impl Qualification {
    /// Valid at `at`: from `valid_from` (inclusive) to `valid_until` (exclusive).
    pub fn is_valid_at(&self, at: DateTime<Utc>) -> bool {
        at >= self.valid_from && self.valid_until.is_none_or(|u| at < u)
    }

    fn satisfies(&self, req: &QualificationRequirement) -> bool {
        self.name == req.name
            && match (req.min_grade, self.grade) {
                (None, _) => true,
                (Some(min), Some(g)) => g <= min,
                (Some(_), None) => false,
            }
    }
}

/// 资格条件: a qualification the section demands, with the lowest acceptable grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationRequirement {
    pub name: String,
    pub min_grade: Option<u8>,
}

/// A registered party as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub credit_code: CreditCode,
    pub name: String,
    pub kinds: Vec<PartyKind>,
    pub membership: Membership,
    pub qualifications: Vec<Qualification>,
    /// 联合惩戒: debarred until this instant (exclusive); "一处失信、处处受限" — a debarred party
    /// cannot register, bid or be drawn (DOMAIN §2.5).
    pub debarred_until: Option<DateTime<Utc>>,
}

/// The section as the eligibility rule needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionParties {
    /// The section's key (the one a temporary membership names).
    pub section: String,
    pub tenderee: CreditCode,
    pub agency: Option<CreditCode>,
    pub requirements: Vec<QualificationRequirement>,
}

/// One reason a party may not bid; every reason is reported at once (一次性告知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ineligibility {
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
}

fn reason(code: &'static str, zh: String, en: String) -> Ineligibility {
    Ineligibility {
        code,
        message: zh,
        message_en: en,
    }
}

/// Every reason `party` may not bid on `section` at `at`; empty if it may.
///
/// Rules: the party is registered as a bidder; its membership covers the section at `at`; it is
/// not debarred; it is neither the tenderee nor the section's agency (招标投标法实施条例 Art. 13:
/// an agency may not bid in a tender it runs, nor advise a bidder in it); and for each requirement
/// it holds a qualification of that name and at least that grade valid at `at` — an expired
/// certificate is reported as expired, not as missing.
pub fn bid_eligibility(
    party: &Party,
    section: &SectionParties,
    at: DateTime<Utc>,
) -> Vec<Ineligibility> {
    let mut v = Vec::new();
    if !party.kinds.contains(&PartyKind::Bidder) {
        v.push(reason(
            "trading.party.not_bidder",
            "该主体未注册为投标人。".into(),
            "The party is not registered as a bidder.".into(),
        ));
    }
    match &party.membership {
        Membership::Full => {}
        Membership::Temporary { section: s, .. } if s != &section.section => v.push(reason(
            "trading.party.temporary_other_section",
            "临时会员只能参与办理临时会员时的标段，请完成会员注册。".into(),
            "A temporary member may bid only on the section it was admitted for; complete the registration.".into(),
        )),
        Membership::Temporary { expires_at, .. } if at >= *expires_at => v.push(reason(
            "trading.party.temporary_expired",
            "临时会员资格已过期，请完成会员注册。".into(),
            "The temporary membership has expired; complete the registration.".into(),
        )),
        Membership::Temporary { .. } => {}
    }
    if party.debarred_until.is_some_and(|u| at < u) {
        v.push(reason(
            "trading.party.debarred",
            "该主体处于失信惩戒期内，不得参与投标。".into(),
            "The party is debarred and may not bid.".into(),
        ));
    }
    if party.credit_code == section.tenderee {
        v.push(reason(
            "trading.party.is_tenderee",
            "招标人不得参与本标段投标。".into(),
            "The tenderee may not bid on its own section.".into(),
        ));
    }
    if section.agency.as_ref() == Some(&party.credit_code) {
        v.push(reason(
            "trading.party.is_agency",
            "招标代理机构不得在所代理的招标项目中投标（招标投标法实施条例第十三条）。".into(),
            "An agency may not bid in a tender it runs.".into(),
        ));
    }
    for req in &section.requirements {
        let matching: Vec<&Qualification> = party
            .qualifications
            .iter()
            .filter(|q| q.satisfies(req))
            .collect();
        if matching.iter().any(|q| q.is_valid_at(at)) {
            continue;
        }
        if matching.is_empty() {
            v.push(reason(
                "trading.party.qualification_missing",
                format!("缺少资质：{}{}。", req.name, grade_zh(req.min_grade)),
                format!(
                    "Missing qualification: {}{}.",
                    req.name,
                    grade_en(req.min_grade)
                ),
            ));
        } else {
            v.push(reason(
                "trading.party.qualification_expired",
                format!("资质已过期或尚未生效：{}。", req.name),
                format!(
                    "The qualification is expired or not yet valid: {}.",
                    req.name
                ),
            ));
        }
    }
    v
}

fn grade_zh(g: Option<u8>) -> String {
    match g {
        None => String::new(),
        Some(0) => "（特级）".into(),
        Some(1) => "（一级及以上）".into(),
        Some(2) => "（二级及以上）".into(),
        Some(n) => format!("（{n}级及以上）"),
    }
}

fn grade_en(g: Option<u8>) -> String {
    match g {
        None => String::new(),
        Some(0) => " (premier grade)".into(),
        Some(n) => format!(" (grade {n} or higher)"),
    }
}

/// The eligibility reasons as one 403-style problem for the API (`details.reasons`).
pub fn ineligibility_problem(reasons: &[Ineligibility]) -> Problem {
    Problem::new(
        crate::ProblemKind::Forbidden,
        "trading.party.ineligible",
        format!("不符合投标条件，共{}项。", reasons.len()),
        format!("Not eligible to bid: {} reason(s).", reasons.len()),
    )
    .with_details(serde_json::json!({ "reasons": reasons }))
}

/// What links two bidders for 条例 Art. 34.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidderLinks {
    pub credit_code: CreditCode,
    /// A stable key of the legal representative (e.g. a keyed hash of the ID number; never the
    /// number itself).
    pub legal_representative_key: String,
    /// Parties that control this one (controlling shareholders, parent companies).
    pub controlled_by: Vec<CreditCode>,
}

/// Why two bidders may not both bid on a section (招标投标法实施条例 Art. 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// 单位负责人为同一人
    SameLegalRepresentative,
    /// 存在控股、管理关系
    Control,
}

/// Every pair of bidders on one section that Art. 34 forbids, with the reason; indices into
/// `bidders`, each pair once with the lower index first.
pub fn linked_bidders(bidders: &[BidderLinks]) -> Vec<(usize, usize, LinkKind)> {
    let mut out = Vec::new();
    for i in 0..bidders.len() {
        for j in i + 1..bidders.len() {
            let (a, b) = (&bidders[i], &bidders[j]);
            if a.legal_representative_key == b.legal_representative_key {
                out.push((i, j, LinkKind::SameLegalRepresentative));
            } else if a.controlled_by.contains(&b.credit_code)
                || b.controlled_by.contains(&a.credit_code)
            {
                out.push((i, j, LinkKind::Control));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cc(s: &str) -> CreditCode {
        CreditCode::parse(s).unwrap()
    }

    const BIDDER: &str = "91350100M000100Y43";
    const TENDEREE: &str = "123100007847653857";

    fn qual(grade: Option<u8>, until: Option<&str>) -> Qualification {
        Qualification {
            name: "建筑工程施工总承包".into(),
            grade,
            certificate_no: "D1350000001".into(),
            valid_from: t("2020-01-01T00:00:00Z"),
            valid_until: until.map(t),
        }
    }

    fn bidder() -> Party {
        Party {
            credit_code: cc(BIDDER),
            name: "甲建设有限公司".into(),
            kinds: vec![PartyKind::Bidder],
            membership: Membership::Full,
            qualifications: vec![qual(Some(1), Some("2027-01-01T00:00:00Z"))],
            debarred_until: None,
        }
    }

    fn section() -> SectionParties {
        SectionParties {
            section: "S1".into(),
            tenderee: cc(TENDEREE),
            agency: None,
            requirements: vec![QualificationRequirement {
                name: "建筑工程施工总承包".into(),
                min_grade: Some(2),
            }],
        }
    }

    fn codes(v: &[Ineligibility]) -> Vec<&'static str> {
        v.iter().map(|x| x.code).collect()
    }

    #[test]
    fn a_qualified_bidder_may_bid() {
        assert!(bid_eligibility(&bidder(), &section(), t("2026-03-10T00:00:00Z")).is_empty());
    }

    #[test]
    fn qualifications_expire_and_grades_matter() {
        let at = t("2027-01-01T00:00:00Z");
        assert_eq!(
            codes(&bid_eligibility(&bidder(), &section(), at)),
            ["trading.party.qualification_expired"]
        );
        let mut p = bidder();
        p.qualifications = vec![qual(Some(3), None)];
        let v = bid_eligibility(&p, &section(), at);
        assert_eq!(codes(&v), ["trading.party.qualification_missing"]);
        assert!(v[0].message.contains("二级及以上"));
        // A higher grade satisfies a lower requirement; a renewed certificate beside the expired one counts.
        p.qualifications = vec![
            qual(Some(1), Some("2026-01-01T00:00:00Z")),
            qual(Some(0), None),
        ];
        assert!(bid_eligibility(&p, &section(), at).is_empty());
        // Not yet valid.
        let mut q = qual(Some(1), None);
        q.valid_from = t("2026-06-01T00:00:00Z");
        p.qualifications = vec![q];
        assert_eq!(
            codes(&bid_eligibility(&p, &section(), t("2026-05-31T23:59:59Z"))),
            ["trading.party.qualification_expired"]
        );
    }

    #[test]
    fn every_reason_is_reported() {
        let mut p = bidder();
        p.kinds = vec![PartyKind::Agency];
        p.debarred_until = Some(t("2027-01-01T00:00:00Z"));
        p.qualifications.clear();
        let mut s = section();
        s.agency = Some(cc(BIDDER));
        let v = bid_eligibility(&p, &s, t("2026-03-10T00:00:00Z"));
        assert_eq!(
            codes(&v),
            [
                "trading.party.not_bidder",
                "trading.party.debarred",
                "trading.party.is_agency",
                "trading.party.qualification_missing"
            ]
        );
        let prob = ineligibility_problem(&v);
        assert_eq!(prob.kind, crate::ProblemKind::Forbidden);
        assert_eq!(
            prob.details.unwrap()["reasons"].as_array().unwrap().len(),
            4
        );
        // Debarment ends.
        let mut p = bidder();
        p.debarred_until = Some(t("2026-03-10T00:00:00Z"));
        assert!(bid_eligibility(&p, &section(), t("2026-03-10T00:00:00Z")).is_empty());
        let mut s = section();
        s.tenderee = cc(BIDDER);
        assert_eq!(
            codes(&bid_eligibility(&bidder(), &s, t("2026-03-10T00:00:00Z"))),
            ["trading.party.is_tenderee"]
        );
    }

    #[test]
    fn temporary_members_bid_once_until_expiry() {
        let deadline = t("2026-03-23T01:30:00Z");
        let mut p = bidder();
        p.membership = temporary_membership("S1", deadline);
        assert!(bid_eligibility(&p, &section(), deadline - TimeDelta::hours(1)).is_empty());
        let mut other = section();
        other.section = "S2".into();
        assert_eq!(
            codes(&bid_eligibility(&p, &other, deadline)),
            ["trading.party.temporary_other_section"]
        );
        assert_eq!(
            codes(&bid_eligibility(
                &p,
                &section(),
                deadline + TimeDelta::days(90)
            )),
            ["trading.party.temporary_expired"]
        );
        assert!(bid_eligibility(&p, &section(), deadline + TimeDelta::days(89)).is_empty());
    }

    #[test]
    fn linked_bidders_are_found() {
        let link = |code: &str, rep: &str, by: &[&str]| BidderLinks {
            credit_code: cc(code),
            legal_representative_key: rep.into(),
            controlled_by: by.iter().map(|c| cc(c)).collect(),
        };
        let list = [
            link(BIDDER, "rep-a", &[]),
            link(TENDEREE, "rep-b", &[BIDDER]),
            link("91350100M000100Y43", "rep-c", &[]),
            link("123100007847653857", "rep-a", &[]),
        ];
        let pairs = linked_bidders(&list);
        assert!(pairs.contains(&(0, 1, LinkKind::Control)));
        assert!(pairs.contains(&(0, 3, LinkKind::SameLegalRepresentative)));
        assert!(pairs.iter().all(|(i, j, _)| i < j));
        assert!(linked_bidders(&list[..1]).is_empty());
    }

    proptest! {
        #[test]
        fn a_qualification_is_valid_exactly_inside_its_window(from in 0i64..1_000_000, len in 1i64..1_000_000, probe in -100i64..2_100_000) {
            let base = t("2020-01-01T00:00:00Z");
            let q = Qualification {
                valid_from: base + TimeDelta::seconds(from),
                valid_until: Some(base + TimeDelta::seconds(from + len)),
                ..qual(None, None)
            };
            let at = base + TimeDelta::seconds(probe);
            prop_assert_eq!(q.is_valid_at(at), probe >= from && probe < from + len);
            // Eligibility agrees with validity for a section demanding exactly this qualification.
            let p = Party { qualifications: vec![q.clone()], ..bidder() };
            let s = SectionParties { requirements: vec![QualificationRequirement { name: q.name.clone(), min_grade: None }], ..section() };
            prop_assert_eq!(bid_eligibility(&p, &s, at).is_empty(), q.is_valid_at(at));
        }
    }
}
