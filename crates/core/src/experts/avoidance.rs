//! 回避: who may not be drawn for a section, decided from recorded data only, and the screening
//! of a request's pools that says how many candidates each rule removed — so a draw that cannot
//! be filled names the rule that emptied the pool.
//!
//! Sources: 招标投标法实施条例 Art. 46 (interested persons step aside); 评标委员会和评标方法暂行
//! 规定 Art. 12 (relatives of bidders' principals, officials of the project or supervising
//! department, anyone with an economic interest, anyone penalised for bidding misconduct);
//! 财库〔2016〕198号 (three-year look-back on employment, directorships and control; spouses,
//! direct and collateral relatives within three generations, close in-laws); Order 26 (suspended,
//! expired or dismissed experts; assessment may set a minimum gap between draws).
//!
//! Organisations compare by unified social credit code and people by resident ID number, never
//! by name. The parties are those known at draw time (the tenderee, the agency, the bidders who
//! have submitted or obtained documents); a conflict found later is handled at check-in by
//! recusal and replacement ([`super::roster`]).

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::expert::{DateRange, DeclaredConflict, Employment, Expert, Penalty, Term, whole_years};
use super::lifecycle::ExpertStatus;
use super::request::{DrawRequest, PoolScope};
use super::specialty::SpecialtyCode;
use crate::enums::string_enum;
use crate::ids::{CreditCode, IdNumber, RegionCode};

/// One engagement of an expert: a committee they sit or sat on, with its tenderee and date.
/// The list given for a candidate holds past and already-accepted future engagements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Engagement {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tenderee: CreditCode,
    pub evaluation_date: NaiveDate,
}

/// What a draw needs to know of an expert — no name, no ID number, no telephone (管用分离:
/// the draw terminal sees only this). Built by [`Expert::candidate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub expert_id: String,
    pub status: ExpertStatus,
    pub region: RegionCode,
    pub specialties: Vec<SpecialtyCode>,
    pub birth_date: NaiveDate,
    pub term: Option<Term>,
    pub employments: Vec<Employment>,
    pub conflicts: Vec<DeclaredConflict>,
    pub penalties: Vec<Penalty>,
    pub unavailable: Vec<DateRange>,
    pub engagements: Vec<Engagement>,
    pub assessed_min_gap_days: Option<u32>,
}

impl Expert {
    /// The draw's view of this expert, with their engagements from the draw records.
    pub fn candidate(&self, engagements: Vec<Engagement>) -> Candidate {
        Candidate {
            expert_id: self.id.clone(),
            status: self.status,
            region: self.region.clone(),
            specialties: self.specialties.clone(),
            birth_date: self.profile.id_number.birth_date(),
            term: self.term,
            employments: self.employments.clone(),
            conflicts: self.conflicts.clone(),
            penalties: self.penalties.clone(),
            unavailable: self.unavailable.clone(),
            engagements,
            assessed_min_gap_days: self.assessed_min_gap_days,
        }
    }
}

/// The parties of the section a draw is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionParties {
    /// 招标人/采购人
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tenderee: CreditCode,
    /// 招标代理机构
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub agency: Option<CreditCode>,
    /// 投标人 known at draw time.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub bidders: Vec<CreditCode>,
    /// 项目主管部门和行政监督部门: their current staff may not sit.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub supervisors: Vec<CreditCode>,
    /// 主要负责人 (legal representatives and principals) of the tenderee, agency and bidders.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub principals: Vec<IdNumber>,
}

/// The configurable figures of avoidance (region-wide defaults; an expert's assessment may set a
/// larger gap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvoidanceConfig {
    /// Look-back on ties to the tenderee, agency and bidders, in months (198号文: 3 years).
    pub lookback_months: u32,
    /// Not drawn again for the same tenderee within this many days (0: off). "Within N days" means
    /// fewer than N days apart, before or after.
    pub same_tenderee_days: u32,
    /// Minimum days between two engagements of one expert (0: off).
    pub min_gap_days: u32,
    /// Age limit at the evaluation date (the national text has none; local rules use 65 or 70).
    pub max_age: Option<u32>,
}

impl Default for AvoidanceConfig {
    fn default() -> Self {
        AvoidanceConfig {
            lookback_months: 36,
            same_tenderee_days: 0,
            min_gap_days: 0,
            max_age: None,
        }
    }
}

string_enum! {
    /// 回避/排除规则, in the order they are applied: a removed candidate is counted against the
    /// first rule that removes it, so the counts of a screening add up to the removed total.
    AvoidanceRule {
        /// 未在库 (applied, rejected, exit requested, exited)
        NotInService = "not_in_service", "未在库", "Not in service";
        /// 暂停
        Suspended = "suspended", "已暂停", "Suspended";
        /// 解聘
        Dismissed = "dismissed", "已解聘", "Dismissed";
        /// 聘期届满或未开始
        TermExpired = "term_expired", "聘期届满", "Term of appointment expired";
        /// 处罚期内 (misconduct penalty, draw ban, joint debarment)
        Penalised = "penalised", "处罚期内", "Under a penalty";
        /// 超过年龄上限
        AgeLimit = "age_limit", "超过年龄上限", "Over the age limit";
        /// 申报不能参加
        Unavailable = "unavailable", "申报不能参加", "Declared unavailable";
        /// 当日已有评标任务
        EngagedThatDay = "engaged_that_day", "当日已有评标任务", "Already engaged that day";
        /// 项目主管或行政监督部门人员
        SupervisingOfficial = "supervising_official", "主管或监督部门人员", "Official of a supervising department";
        /// 招标人的现任或三年内任职人员
        TendereeTie = "tenderee_tie", "与招标人有任职关系", "Tie to the tenderee";
        /// 招标代理机构的现任或三年内任职人员
        AgencyTie = "agency_tie", "与代理机构有任职关系", "Tie to the agency";
        /// 投标人的现任或三年内任职人员
        BidderTie = "bidder_tie", "与投标人有任职关系", "Tie to a bidder";
        /// 主要负责人的近亲属
        Relative = "relative", "近亲属关系", "Relative of a principal";
        /// 经济利益关系
        Interest = "interest", "经济利益关系", "Economic interest";
        /// 近期已为同一招标人评标
        SameTenderee = "same_tenderee", "近期已为同一招标人评标", "Recently drawn for the same tenderee";
        /// 抽取间隔不足
        MinimumGap = "minimum_gap", "抽取间隔不足", "Too soon after another engagement";
    }
}

fn days_apart(a: NaiveDate, b: NaiveDate) -> u64 {
    (a - b).num_days().unsigned_abs()
}

/// A tie counts when it lasts or ended on or after `cutoff`.
fn tie_since(e: &Employment, org: &CreditCode, cutoff: NaiveDate) -> bool {
    &e.org == org && e.end.is_none_or(|end| end >= cutoff)
}

impl AvoidanceRule {
    /// Whether this rule keeps `c` off a committee for `parties` on `date`.
    pub fn applies(
        self,
        c: &Candidate,
        parties: &SectionParties,
        cfg: &AvoidanceConfig,
        date: NaiveDate,
    ) -> bool {
        Screener::new(parties, cfg, date).applies(self, c)
    }
}

/// The avoidance rules bound to one section and evaluation date (the look-back cutoff computed
/// once, since a pool may hold a million candidates).
#[derive(Debug, Clone, Copy)]
pub struct Screener<'a> {
    parties: &'a SectionParties,
    cfg: &'a AvoidanceConfig,
    date: NaiveDate,
    cutoff: NaiveDate,
}

impl<'a> Screener<'a> {
    pub fn new(parties: &'a SectionParties, cfg: &'a AvoidanceConfig, date: NaiveDate) -> Self {
        let cutoff = date
            .checked_sub_months(Months::new(cfg.lookback_months))
            .unwrap_or(NaiveDate::MIN);
        Screener {
            parties,
            cfg,
            date,
            cutoff,
        }
    }

    /// The first rule (in [`AvoidanceRule::ALL`] order) that keeps `c` out, or `None`.
    pub fn first(&self, c: &Candidate) -> Option<AvoidanceRule> {
        AvoidanceRule::ALL
            .iter()
            .copied()
            .find(|&r| self.applies(r, c))
    }

    /// Whether `rule` keeps `c` out.
    pub fn applies(&self, rule: AvoidanceRule, c: &Candidate) -> bool {
        use AvoidanceRule as R;
        use ExpertStatus as S;
        let (parties, cfg, date, cutoff) = (self.parties, self.cfg, self.date, self.cutoff);
        let tied = |org: &CreditCode| c.employments.iter().any(|e| tie_since(e, org, cutoff));
        match rule {
            R::NotInService => matches!(
                c.status,
                S::Applied | S::Rejected | S::ExitRequested | S::Exited
            ),
            R::Suspended => c.status == S::Suspended,
            R::Dismissed => c.status == S::Dismissed,
            R::TermExpired => c.term.is_none_or(|t| date < t.start || date > t.end),
            R::Penalised => c
                .penalties
                .iter()
                .any(|p| p.kind.bars_draws() && p.period.contains(date)),
            R::AgeLimit => cfg
                .max_age
                .is_some_and(|max| whole_years(c.birth_date, date) > max),
            R::Unavailable => c.unavailable.iter().any(|r| r.contains(date)),
            R::EngagedThatDay => c.engagements.iter().any(|e| e.evaluation_date == date),
            R::SupervisingOfficial => c.employments.iter().any(|e| {
                parties.supervisors.contains(&e.org)
                    && e.start <= date
                    && e.end.is_none_or(|end| end >= date)
            }),
            R::TendereeTie => tied(&parties.tenderee),
            R::AgencyTie => parties.agency.as_ref().is_some_and(tied),
            R::BidderTie => parties.bidders.iter().any(tied),
            R::Relative => c.conflicts.iter().any(|k| match k {
                DeclaredConflict::Relative { person, .. } => parties.principals.contains(person),
                DeclaredConflict::Interest { .. } => false,
            }),
            R::Interest => c.conflicts.iter().any(|k| match k {
                DeclaredConflict::Interest { org, .. } => {
                    org == &parties.tenderee
                        || parties.agency.as_ref() == Some(org)
                        || parties.bidders.contains(org)
                }
                DeclaredConflict::Relative { .. } => false,
            }),
            R::SameTenderee => {
                cfg.same_tenderee_days > 0
                    && c.engagements.iter().any(|e| {
                        e.tenderee == parties.tenderee
                            && days_apart(e.evaluation_date, date)
                                < u64::from(cfg.same_tenderee_days)
                    })
            }
            R::MinimumGap => {
                let gap = cfg.min_gap_days.max(c.assessed_min_gap_days.unwrap_or(0));
                gap > 0
                    && c.engagements
                        .iter()
                        .any(|e| days_apart(e.evaluation_date, date) < u64::from(gap))
            }
        }
    }
}

/// The first rule (in [`AvoidanceRule::ALL`] order) that keeps `c` out, or `None` if eligible.
pub fn first_avoidance(
    c: &Candidate,
    parties: &SectionParties,
    cfg: &AvoidanceConfig,
    date: NaiveDate,
) -> Option<AvoidanceRule> {
    Screener::new(parties, cfg, date).first(c)
}

/// Every rule that keeps `c` out (for an expert's own record or an audit of one decision).
pub fn all_avoidances(
    c: &Candidate,
    parties: &SectionParties,
    cfg: &AvoidanceConfig,
    date: NaiveDate,
) -> Vec<AvoidanceRule> {
    let screener = Screener::new(parties, cfg, date);
    AvoidanceRule::ALL
        .iter()
        .copied()
        .filter(|&r| screener.applies(r, c))
        .collect()
}

/// How one pool of one line narrowed: candidates of the specialty (or below) in the pool, how many
/// each rule removed (only rules that removed any, in rule order), and the eligible expert ids,
/// sorted by their bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funnel {
    pub matching: usize,
    pub removed: Vec<RuleCount>,
    pub eligible: Vec<String>,
}

/// How many candidates one rule removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleCount {
    pub rule: AvoidanceRule,
    pub removed: usize,
}

/// Why a pool cannot give `needed` experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "rule", rename_all = "snake_case")]
pub enum ShortfallCause {
    /// Fewer experts of the specialty in the pool than needed, before any avoidance.
    PoolTooSmall,
    /// The pool had enough until this rule removed candidates.
    Avoidance(AvoidanceRule),
    /// Enough were eligible, but other lines of the same request took them (overlapping
    /// specialties).
    TakenByOtherLines,
}

impl Funnel {
    /// Which step first left fewer than `needed` candidates, or `None` if the pool suffices.
    pub fn binding_rule(&self, needed: usize) -> Option<ShortfallCause> {
        if self.eligible.len() >= needed {
            return None;
        }
        if self.matching < needed {
            return Some(ShortfallCause::PoolTooSmall);
        }
        let mut left = self.matching;
        for &RuleCount { rule, removed } in &self.removed {
            left -= removed;
            if left < needed {
                return Some(ShortfallCause::Avoidance(rule));
            }
        }
        unreachable!("removed counts add up to matching − eligible")
    }
}

/// The screening of one request line: its own pool and, if the line has one, its fallback pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineScreening {
    pub primary: Funnel,
    pub fallback: Option<Funnel>,
}

/// Screens every candidate once against every rule for the request's evaluation date, then
/// builds each line's funnels. Candidates whose id repeats are kept once (the first).
pub fn screen(
    req: &DrawRequest,
    candidates: &[Candidate],
    parties: &SectionParties,
    cfg: &AvoidanceConfig,
) -> Vec<LineScreening> {
    let screener = Screener::new(parties, cfg, req.evaluation_date);
    // The store usually passes candidates ordered by id (a primary-key scan): then a repeated id
    // is next to its twin and no hash set is needed.
    let sorted = candidates
        .windows(2)
        .all(|w| w[0].expert_id <= w[1].expert_id);
    let mut seen = std::collections::HashSet::new();
    let fits_any = |c: &Candidate| {
        req.lines.iter().any(|l| {
            c.specialties.iter().any(|s| s.is_within(&l.specialty))
                && (l.scope.admits(&c.region, &req.local_area)
                    || l.fallback
                        .as_ref()
                        .is_some_and(|f| f.admits(&c.region, &req.local_area)))
        })
    };
    // Only candidates some line could take are screened.
    let verdicts: Vec<(&Candidate, Option<AvoidanceRule>)> = candidates
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            if sorted {
                i == 0 || candidates[i - 1].expert_id != c.expert_id
            } else {
                seen.insert(c.expert_id.as_str())
            }
        })
        .filter(|(_, c)| fits_any(c))
        .map(|(_, c)| (c, screener.first(c)))
        .collect();
    let funnel = |specialty: &SpecialtyCode, scope: &PoolScope| {
        let mut matching = 0;
        let mut removed: BTreeMap<AvoidanceRule, usize> = BTreeMap::new();
        let mut eligible = Vec::new();
        for (c, verdict) in &verdicts {
            let fits = c.specialties.iter().any(|s| s.is_within(specialty))
                && scope.admits(&c.region, &req.local_area);
            if !fits {
                continue;
            }
            matching += 1;
            match verdict {
                Some(rule) => *removed.entry(*rule).or_default() += 1,
                None => eligible.push(c.expert_id.clone()),
            }
        }
        eligible.sort();
        Funnel {
            matching,
            removed: removed
                .into_iter()
                .map(|(rule, removed)| RuleCount { rule, removed })
                .collect(),
            eligible,
        }
    };
    req.lines
        .iter()
        .map(|line| LineScreening {
            primary: funnel(&line.specialty, &line.scope),
            fallback: line.fallback.as_ref().map(|f| funnel(&line.specialty, f)),
        })
        .collect()
}

#[cfg(test)]
#[path = "avoidance_tests.rs"]
pub(crate) mod tests;
