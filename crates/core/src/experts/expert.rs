//! 评标专家: an expert's record as the managing industry department keeps it — profile, titles,
//! employment history, declared conflicts, availability, term of appointment, penalties — and
//! the admission check (入库条件) of 《评标专家和评标专家库管理办法》 (NDRC Order No. 26).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::lifecycle::ExpertStatus;
use super::specialty::{SpecialtyCode, SpecialtyTree};
use crate::Problem;
use crate::enums::string_enum;
use crate::ids::{CreditCode, IdNumber, RegionCode};

/// An inclusive range of local (Asia/Shanghai) dates; `end: None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl DateRange {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && self.end.is_none_or(|e| d <= e)
    }
}

string_enum! {
    /// 职称级别: the level of a professional title.
    TitleLevel {
        /// 初级
        Junior = "junior", "初级", "Junior";
        /// 中级
        Intermediate = "intermediate", "中级", "Intermediate";
        /// 副高级
        DeputySenior = "deputy_senior", "副高级", "Deputy senior";
        /// 正高级
        Senior = "senior", "正高级", "Senior";
        /// 具有同等专业水平 (recognised as equivalent to a senior title, Order 26)
        Equivalent = "equivalent", "同等专业水平", "Equivalent level";
    }
}

impl TitleLevel {
    /// Order 26 asks for a senior title (高级职称, deputy or full) or an equivalent level.
    pub fn qualifies(self) -> bool {
        matches!(
            self,
            TitleLevel::DeputySenior | TitleLevel::Senior | TitleLevel::Equivalent
        )
    }
}

/// 职称: a professional title, e.g. 高级工程师 (副高级).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Title {
    pub name: String,
    pub level: TitleLevel,
    pub awarded_on: NaiveDate,
}

string_enum! {
    /// 任职关系: how an expert is or was tied to an organisation. 财库〔2016〕198号 makes all three
    /// grounds for avoidance within three years.
    TieKind {
        /// 在职/劳动关系
        Employee = "employee", "任职", "Employee";
        /// 董事、监事
        DirectorOrSupervisor = "director", "董事、监事", "Director or supervisor";
        /// 控股股东或实际控制人
        ControllingShareholder = "controller", "控股股东或实际控制人", "Controlling shareholder";
    }
}

/// 工作经历: one tie to an organisation, identified by its unified social credit code (government
/// departments have one too, starting with 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Employment {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: CreditCode,
    pub org_name: String,
    pub kind: TieKind,
    pub start: NaiveDate,
    /// `None` while it lasts.
    pub end: Option<NaiveDate>,
}

string_enum! {
    /// 亲属关系: the relations 财库〔2016〕198号 names for avoidance.
    Relation {
        /// 配偶
        Spouse = "spouse", "配偶", "Spouse";
        /// 直系血亲
        Direct = "direct", "直系血亲", "Direct relative";
        /// 三代以内旁系血亲
        Collateral = "collateral", "三代以内旁系血亲", "Collateral relative within three generations";
        /// 近姻亲
        InLaw = "in_law", "近姻亲", "Close in-law";
    }
}

/// 申报的利害关系: a conflict the expert declared, matched against the parties of a section by
/// identifier (never by name, which is ambiguous).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeclaredConflict {
    /// A close relative, identified by resident ID number; avoided when the relative is a
    /// principal (法定代表人、主要负责人) of the tenderee, the agency or a bidder.
    Relative {
        relation: Relation,
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        person: IdNumber,
    },
    /// 经济利益关系: any economic interest in an organisation (shares, loans, contracts).
    Interest {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        org: CreditCode,
        note: String,
    },
}

string_enum! {
    /// 处理处罚: what the managing department or a regulator imposed on an expert.
    PenaltyKind {
        /// 约谈: a talk; recorded, does not bar draws.
        Talk = "talk", "约谈", "Talk";
        /// 暂停抽取: barred from draws for the period (the status may stay admitted).
        DrawBan = "draw_ban", "暂停抽取", "Barred from draws";
        /// 违法违规行为处罚 (e.g. under 条例 Art. 72): bars draws for the period.
        Misconduct = "misconduct", "违法违规处罚", "Penalty for bidding misconduct";
        /// 失信联合惩戒: "一处失信、处处受限"; bars draws for the period.
        Debarment = "debarment", "失信联合惩戒", "Joint debarment";
    }
}

impl PenaltyKind {
    /// Whether a penalty of this kind keeps the expert out of draws while it is in force.
    pub fn bars_draws(self) -> bool {
        !matches!(self, PenaltyKind::Talk)
    }
}

/// One penalty with the period it is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Penalty {
    pub kind: PenaltyKind,
    pub period: DateRange,
    pub reason: String,
}

/// 聘期: the term of appointment; drawing after `end` is not allowed until renewed (续聘).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Personal data only the expert, the managing department and (from check-in) the operator see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id_number: IdNumber,
    pub mobile: String,
    /// Working in the field since (Order 26 asks for ≥ 8 years).
    pub field_since: NaiveDate,
    pub titles: Vec<Title>,
    /// 能够熟练使用电子评标系统 (declared, checked at admission).
    pub can_evaluate_electronically: bool,
    /// 身体健康，能够承担评标工作 (declared).
    pub fit_for_duty: bool,
}

/// 评标专家记录: everything the expert database holds about one expert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expert {
    /// The opaque expert number (专家编号); the only identifier a draw record carries.
    pub id: String,
    pub profile: Profile,
    pub status: ExpertStatus,
    /// The managing industry department (organisation id): the only one that may change status.
    pub managing_org: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub region: RegionCode,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub specialties: Vec<SpecialtyCode>,
    pub employments: Vec<Employment>,
    pub conflicts: Vec<DeclaredConflict>,
    /// 不可参加评标的时段 declared by the expert (leave, travel, illness).
    pub unavailable: Vec<DateRange>,
    pub term: Option<Term>,
    pub penalties: Vec<Penalty>,
    /// Minimum days between two draws set by the yearly assessment (考核), if any; it overrides
    /// the region-wide gap when larger.
    pub assessed_min_gap_days: Option<u32>,
}

/// A term given on admission (入库) or renewal (续聘) must end after it starts and not in the past.
pub fn check_term(term: &Term, today: NaiveDate) -> Result<(), Problem> {
    if term.end <= term.start || term.end < today {
        return Err(Problem::invalid(
            "expert.term",
            "聘期应晚于起始日期结束，且不能早于今天。",
            "A term must end after it starts and not before today.",
        ));
    }
    Ok(())
}

/// Admission rules that vary by region (Order 26 fixes some; local rules fill in the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdmissionRules {
    /// Years in the field (Order 26: 8).
    pub min_years_in_field: u32,
    /// Age limit in years; the national text sets none, local rules use 65 or 70.
    pub max_age: Option<u32>,
}

impl Default for AdmissionRules {
    fn default() -> Self {
        AdmissionRules {
            min_years_in_field: 8,
            max_age: None,
        }
    }
}

/// Whole years from `from` to `to` (0 if `to` is earlier).
pub fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let mut y = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y.max(0) as u32
}

/// 入库条件: every reason the expert cannot be admitted on `today` (empty when they can).
/// Order 26: ≥ 8 years in the field, a senior title or equivalent, able to evaluate electronically,
/// fit; the specialties must be in the classification and at least one given.
pub fn admission_problems(
    expert: &Expert,
    tree: &SpecialtyTree,
    rules: &AdmissionRules,
    today: NaiveDate,
) -> Vec<Problem> {
    let p = &expert.profile;
    let mut out = Vec::new();
    let years = whole_years(p.field_since, today);
    if years < rules.min_years_in_field {
        let min = rules.min_years_in_field;
        out.push(Problem::invalid(
            "expert.years_in_field",
            format!("从事相关专业领域工作满{min}年方可入库，当前为{years}年。"),
            format!("At least {min} years in the field are required; found {years}."),
        ));
    }
    if !p.titles.iter().any(|t| t.level.qualifies()) {
        out.push(Problem::invalid(
            "expert.title",
            "须具有高级职称或者同等专业水平。",
            "A senior professional title or an equivalent level is required.",
        ));
    }
    if !p.can_evaluate_electronically {
        out.push(Problem::invalid(
            "expert.electronic",
            "须能够熟练使用电子评标系统。",
            "The expert must be able to evaluate electronically.",
        ));
    }
    if !p.fit_for_duty {
        out.push(Problem::invalid(
            "expert.fitness",
            "须身体健康，能够承担评标工作。",
            "The expert must be fit for evaluation work.",
        ));
    }
    if let Some(max) = rules.max_age {
        let age = whole_years(p.id_number.birth_date(), today);
        if age > max {
            out.push(Problem::invalid(
                "expert.age",
                format!("年龄超过{max}周岁，不能入库。"),
                format!("The expert is older than {max}."),
            ));
        }
    }
    if expert.specialties.is_empty() {
        out.push(Problem::invalid(
            "expert.no_specialty",
            "至少填写一个评标专业。",
            "At least one specialty is required.",
        ));
    }
    for s in &expert.specialties {
        if !tree.contains(s) {
            out.push(Problem::invalid(
                "expert.specialty",
                format!("评标专业“{s}”不在专业分类标准中。"),
                format!("Specialty {s} is not in the classification."),
            ));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn sample_expert(id: &str) -> Expert {
        Expert {
            id: id.to_string(),
            profile: Profile {
                name: "张三".into(),
                id_number: IdNumber::parse("110101199003074477").unwrap(),
                mobile: "13800000000".into(),
                field_since: d("2012-07-01"),
                titles: vec![Title {
                    name: "高级工程师".into(),
                    level: TitleLevel::DeputySenior,
                    awarded_on: d("2018-01-01"),
                }],
                can_evaluate_electronically: true,
                fit_for_duty: true,
            },
            status: ExpertStatus::Admitted,
            managing_org: "dept-1".into(),
            region: RegionCode::parse("150302").unwrap(),
            specialties: vec![SpecialtyCode::parse("A0101").unwrap()],
            employments: vec![],
            conflicts: vec![],
            unavailable: vec![],
            term: Some(Term {
                start: d("2024-01-01"),
                end: d("2028-12-31"),
            }),
            penalties: vec![],
            assessed_min_gap_days: None,
        }
    }

    #[test]
    fn an_eligible_expert_has_no_problems() {
        let e = sample_expert("E1");
        let tree = SpecialtyTree::national();
        assert!(
            admission_problems(&e, &tree, &AdmissionRules::default(), d("2026-12-03")).is_empty()
        );
    }

    #[test]
    fn every_admission_problem_is_listed() {
        let mut e = sample_expert("E1");
        e.profile.field_since = d("2020-01-01");
        e.profile.titles[0].level = TitleLevel::Intermediate;
        e.profile.can_evaluate_electronically = false;
        e.profile.fit_for_duty = false;
        e.specialties = vec![SpecialtyCode::parse("Z99").unwrap()];
        let rules = AdmissionRules {
            min_years_in_field: 8,
            max_age: Some(30),
        };
        let codes: Vec<String> =
            admission_problems(&e, &SpecialtyTree::national(), &rules, d("2026-12-03"))
                .into_iter()
                .map(|p| p.code)
                .collect();
        assert_eq!(
            codes,
            [
                "expert.years_in_field",
                "expert.title",
                "expert.electronic",
                "expert.fitness",
                "expert.age",
                "expert.specialty"
            ]
        );
    }

    #[test]
    fn terms_run_forward() {
        let t = |a: &str, b: &str| Term {
            start: d(a),
            end: d(b),
        };
        let today = d("2026-12-03");
        assert!(check_term(&t("2026-12-03", "2030-12-02"), today).is_ok());
        assert!(check_term(&t("2026-12-03", "2026-12-03"), today).is_err());
        assert!(check_term(&t("2020-01-01", "2026-12-02"), today).is_err());
    }

    #[test]
    fn years_are_whole_and_ranges_inclusive() {
        assert_eq!(whole_years(d("2018-12-04"), d("2026-12-03")), 7);
        assert_eq!(whole_years(d("2018-12-03"), d("2026-12-03")), 8);
        assert_eq!(whole_years(d("2027-01-01"), d("2026-12-03")), 0);
        let r = DateRange {
            start: d("2026-01-01"),
            end: Some(d("2026-01-31")),
        };
        assert!(r.contains(d("2026-01-01")) && r.contains(d("2026-01-31")));
        assert!(!r.contains(d("2026-02-01")));
        let open = DateRange {
            start: d("2026-01-01"),
            end: None,
        };
        assert!(open.contains(d("2099-01-01")));
    }
}
