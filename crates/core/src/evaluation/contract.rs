//! 合同与履约: signing within 30 days of the award notice, terms consistent with the tender and
//! the winning bid, the performance bond, contract filing, performance milestones and acceptance
//! (招标投标法 Art. 46; 招标投标法实施条例 Arts. 57–58; DOMAIN §2.5 "Contract and performance").
//!
//! After signing, the deposits of all bidders fall due for refund within 5 days:
//! [`crate::trading::deposits::refund_due`] with `RefundTrigger::ContractSigned`.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::award::contract_due;
use super::has_at_most_places;
use crate::Problem;
use crate::calendar::WorkingCalendar;
use crate::enums::string_enum;
use crate::ids::CreditCode;
use crate::trading::fields::TradeField;
use crate::trading::periods::{Period, Violation};
use crate::trading::publicity::max_performance_bond;

/// Whether a contract signed at `signed_at` is in time for a notice issued at `notice_issued_at`
/// (招标投标法 Art. 46: 自中标通知书发出之日起三十日内).
pub fn check_signing(
    notice_issued_at: DateTime<Utc>,
    signed_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Result<(), Violation> {
    if signed_at < notice_issued_at {
        return Err(Violation::new(
            "evaluation.contract.before_notice",
            "合同不得早于中标通知书发出前签订。".into(),
            "The contract cannot be signed before the award notice.".into(),
        ));
    }
    let due = contract_due(notice_issued_at, cal);
    if signed_at >= due {
        return Err(Violation::new(
            "evaluation.contract.late",
            "合同应当自中标通知书发出之日起30日内签订（招标投标法第四十六条）。".into(),
            "The contract must be signed within 30 days of the award notice.".into(),
        )
        .earliest(due));
    }
    Ok(())
}

/// The substantive terms of a contract (合同实质性内容), and the same terms as fixed by the
/// tender documents and the winning bid, so the two can be compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTerms {
    /// 标的: what is built, delivered or served (scope as text, e.g. the bill's reference).
    pub subject: String,
    /// 价款, yuan.
    pub price: Decimal,
    /// 履行期限: 工期/交货期/服务期, days.
    pub duration_days: u32,
    /// 质量标准
    pub quality: String,
    /// 项目负责人 named in the bid, where the tender required one.
    pub project_manager: Option<String>,
    /// 履约保证金, yuan.
    pub performance_bond: Decimal,
}

string_enum! {
    /// 实质性偏离: a term of the contract that departs from the tender and the bid (条例 Art. 57:
    /// 合同的标的、价款、质量、履行期限等主要条款应当与招标文件和中标人的投标文件的内容一致).
    DeviationKind {
        Subject = "subject", "标的", "Subject";
        Price = "price", "价款", "Price";
        Quality = "quality", "质量", "Quality";
        Period = "period", "履行期限", "Period";
        /// Choice: a different project manager is substantive for works (the bid was scored on
        /// that person; 注册建造师 changes need the tenderee's consent).
        ProjectManager = "project_manager", "项目负责人", "Project manager";
        /// A bond above what the tender documents asked (and never above 10%, 条例 Art. 58).
        PerformanceBond = "performance_bond", "履约保证金", "Performance bond";
    }
}

/// One deviation: what was agreed in the tender/bid and what the contract says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    pub kind: DeviationKind,
    pub expected: String,
    pub actual: String,
}

/// Every substantive deviation of `contract` from `agreed` (the tender documents and the winning
/// bid), in the order of [`DeviationKind`]; empty: the contract may be signed and filed. Text is
/// compared after trimming; amounts and days exactly. The bond deviates when it is above the
/// agreed bond or above 10% of the contract price.
pub fn deviations(agreed: &ContractTerms, contract: &ContractTerms) -> Vec<Deviation> {
    let mut out = Vec::new();
    let mut push = |kind, e: String, a: String| {
        out.push(Deviation {
            kind,
            expected: e,
            actual: a,
        })
    };
    if agreed.subject.trim() != contract.subject.trim() {
        push(
            DeviationKind::Subject,
            agreed.subject.clone(),
            contract.subject.clone(),
        );
    }
    if agreed.price != contract.price {
        push(
            DeviationKind::Price,
            agreed.price.to_string(),
            contract.price.to_string(),
        );
    }
    if agreed.quality.trim() != contract.quality.trim() {
        push(
            DeviationKind::Quality,
            agreed.quality.clone(),
            contract.quality.clone(),
        );
    }
    if agreed.duration_days != contract.duration_days {
        push(
            DeviationKind::Period,
            agreed.duration_days.to_string(),
            contract.duration_days.to_string(),
        );
    }
    let pm = |p: &Option<String>| p.as_deref().map(str::trim).unwrap_or("").to_string();
    if pm(&agreed.project_manager) != pm(&contract.project_manager) {
        push(
            DeviationKind::ProjectManager,
            pm(&agreed.project_manager),
            pm(&contract.project_manager),
        );
    }
    let cap = max_performance_bond(contract.price).min(agreed.performance_bond);
    if contract.performance_bond > cap {
        push(
            DeviationKind::PerformanceBond,
            cap.to_string(),
            contract.performance_bond.to_string(),
        );
    }
    out
}

/// The problem listing every deviation, for the API (422, `details.deviations`).
pub fn deviations_problem(found: &[Deviation]) -> Problem {
    let kinds: Vec<&str> = found.iter().map(|d| d.kind.label_zh()).collect();
    Problem::invalid(
        "evaluation.contract.deviation",
        format!(
            "合同的{}与招标文件和中标人的投标文件不一致（招标投标法实施条例第五十七条）。",
            kinds.join("、")
        ),
        format!(
            "The contract departs from the tender and the winning bid in {} term(s).",
            found.len()
        ),
    )
    .with_details(serde_json::json!({ "deviations": found }))
}

/// The performance bond asked of the winner: at most 10% of the contract price (条例 Art. 58),
/// zero or more, in fen.
pub fn check_performance_bond(contract_price: Decimal, bond: Decimal) -> Result<(), Violation> {
    let max = max_performance_bond(contract_price);
    if bond < Decimal::ZERO || !has_at_most_places(bond, 2) || bond > max {
        return Err(Violation::new(
            "evaluation.contract.bond",
            format!(
                "履约保证金不得超过中标合同金额的10%，即{max}元（招标投标法实施条例第五十八条）。"
            ),
            format!(
                "The performance bond may not exceed 10% of the contract price, i.e. {max} yuan."
            ),
        ));
    }
    Ok(())
}

/// When a contract signed at `signed_at` must have been filed (合同备案), exclusive end.
///
/// - 政府采购: 7 working days (政府采购法 Art. 47: 合同副本报同级政府采购监督管理部门备案).
/// - 工程建设 and the rest: 7 days (房屋建筑和市政基础设施工程施工招标投标管理办法 Art. 47: 订立书面
///   合同后7日内送建设行政主管部门备案). Not in DOMAIN; the platform default, and the filing also
///   serves the 标后履约 record [003] where a province has dropped the legal duty.
pub fn filing_due(
    field: TradeField,
    signed_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> DateTime<Utc> {
    let p = if field == TradeField::GovernmentProcurement {
        Period::working(7)
    } else {
        Period::calendar(7)
    };
    p.due(signed_at, cal)
}

/// Whether a filing at `filed_at` is in time. A late filing is still accepted (the record is
/// what matters) but carries this violation for the regulator's early warning (纠错预警).
pub fn check_filing(
    field: TradeField,
    signed_at: DateTime<Utc>,
    filed_at: DateTime<Utc>,
    cal: &WorkingCalendar,
) -> Result<(), Violation> {
    let due = filing_due(field, signed_at, cal);
    if filed_at >= due {
        let p = if field == TradeField::GovernmentProcurement {
            "7个工作日"
        } else {
            "7日"
        };
        return Err(Violation::new(
            "evaluation.contract.filing_late",
            format!("合同应当自签订之日起{p}内备案。"),
            "The contract was filed after the filing period.".into(),
        ));
    }
    Ok(())
}

/// 合同备案: the key terms filed with the regulator (and shown on the project e-ID page). Its
/// canonical text is what the tenderee signs and the ledger records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFiling {
    pub contract_no: String,
    /// 统一交易标识码
    pub transaction_code: String,
    /// The award notice the contract follows.
    pub notice_no: String,
    pub tenderee: CreditCode,
    pub winner: CreditCode,
    pub terms: ContractTerms,
    pub signed_at: DateTime<Utc>,
    pub filed_at: DateTime<Utc>,
}

impl ContractFiling {
    /// The fields, in canonical order.
    pub const FIELDS: &'static [&'static str] = &[
        "contract_no",
        "transaction_code",
        "notice_no",
        "tenderee",
        "winner",
        "subject",
        "price",
        "duration_days",
        "quality",
        "project_manager",
        "performance_bond",
        "signed_at",
        "filed_at",
    ];

    /// One `name=value` line per field, amounts with exactly 2 decimals, instants RFC 3339 UTC
    /// with microseconds, line breaks in free text replaced by spaces.
    pub fn canonical_text(&self) -> String {
        let t = |d: DateTime<Utc>| crate::time::rfc3339_micros(d.timestamp_micros());
        let clean = |s: &str| s.replace(['\n', '\r'], " ");
        let values = [
            clean(&self.contract_no),
            clean(&self.transaction_code),
            clean(&self.notice_no),
            self.tenderee.as_str().to_string(),
            self.winner.as_str().to_string(),
            clean(&self.terms.subject),
            format!("{:.2}", self.terms.price),
            self.terms.duration_days.to_string(),
            clean(&self.terms.quality),
            self.terms
                .project_manager
                .as_deref()
                .map(clean)
                .unwrap_or_default(),
            format!("{:.2}", self.terms.performance_bond),
            t(self.signed_at),
            t(self.filed_at),
        ];
        let mut out = String::new();
        for (k, v) in Self::FIELDS.iter().zip(values) {
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
            out.push('\n');
        }
        out
    }
}

/// 履约节点: a milestone of performance, with the payment it releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub code: String,
    pub name: String,
    pub due: NaiveDate,
    /// The payment due at this milestone, yuan (0 for none).
    pub payment: Decimal,
    /// When it was completed (confirmed by the tenderee).
    pub completed_on: Option<NaiveDate>,
}

/// Checks a performance plan: unique codes, payments of zero or more in fen, due dates within the
/// contract period (from `start` for `duration_days`), and payments not adding up to more than the
/// contract price. Every violation.
pub fn check_milestones(
    contract_price: Decimal,
    start: NaiveDate,
    duration_days: u32,
    milestones: &[Milestone],
) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut codes = BTreeSet::new();
    if milestones.iter().any(|m| !codes.insert(m.code.as_str())) {
        v.push(Violation::new(
            "evaluation.milestone.code",
            "履约节点编号不得重复。".into(),
            "Milestone codes must be unique.".into(),
        ));
    }
    if milestones
        .iter()
        .any(|m| m.payment < Decimal::ZERO || !has_at_most_places(m.payment, 2))
    {
        v.push(Violation::new(
            "evaluation.milestone.payment",
            "节点付款应为不小于0、最多两位小数的金额。".into(),
            "Milestone payments are zero or more with at most two decimals.".into(),
        ));
    }
    let end = start + chrono::TimeDelta::days(i64::from(duration_days));
    if milestones.iter().any(|m| m.due < start || m.due > end) {
        v.push(Violation::new(
            "evaluation.milestone.due",
            "履约节点应在合同履行期限内。".into(),
            "Milestones fall within the contract period.".into(),
        ));
    }
    let total: Decimal = milestones.iter().map(|m| m.payment).sum();
    if total > contract_price {
        v.push(Violation::new(
            "evaluation.milestone.total",
            format!("节点付款合计{total}元超过合同价款{contract_price}元。"),
            format!(
                "Milestone payments of {total} yuan exceed the contract price {contract_price}."
            ),
        ));
    }
    v
}

/// The milestones not completed by their due date, as of `today` (local date): what the e-ID page
/// and the regulator's warnings show.
pub fn overdue_milestones(milestones: &[Milestone], today: NaiveDate) -> Vec<&Milestone> {
    milestones
        .iter()
        .filter(|m| match m.completed_on {
            Some(done) => done > m.due,
            None => today > m.due,
        })
        .collect()
}

/// Whether the final acceptance (竣工/履约验收) may be recorded: every milestone completed.
pub fn may_accept(milestones: &[Milestone]) -> Result<(), Problem> {
    let open: Vec<&str> = milestones
        .iter()
        .filter(|m| m.completed_on.is_none())
        .map(|m| m.name.as_str())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(Problem::conflict(
            "evaluation.acceptance.open_milestones",
            format!("尚有履约节点未完成：{}。", open.join("、")),
            format!("{} milestone(s) are not completed.", open.len()),
        ))
    }
}

/// 项目负责人在岗考勤 (人脸识别打卡 [001]): the share of checks at which the winning project manager
/// was on site, in percent rounded half up to 2 places; `None` without checks.
pub fn attendance_rate(checks: &[bool]) -> Option<Decimal> {
    if checks.is_empty() {
        return None;
    }
    let present = checks.iter().filter(|c| **c).count();
    Some(super::round_half_up(
        Decimal::from(present) * Decimal::ONE_HUNDRED / Decimal::from(checks.len()),
        2,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;

    fn terms() -> ContractTerms {
        ContractTerms {
            subject: "某路改造工程施工一标段（工程量清单）".into(),
            price: d("9876543.20"),
            duration_days: 365,
            quality: "合格".into(),
            project_manager: Some("张三".into()),
            performance_bond: d("987654.32"),
        }
    }

    #[test]
    fn filing_text_names_every_key_term() {
        let f = ContractFiling {
            contract_no: "HT-2026-001".into(),
            transaction_code: "A3501002026000001001".into(),
            notice_no: "ZB-2026-0001".into(),
            tenderee: CreditCode::parse("123100007847653857").unwrap(),
            winner: CreditCode::parse("91350100M000100Y43").unwrap(),
            terms: terms(),
            signed_at: at(2026, 4, 1, 10, 0),
            filed_at: at(2026, 4, 3, 10, 0),
        };
        let text = f.canonical_text();
        assert_eq!(text.lines().count(), ContractFiling::FIELDS.len());
        assert!(text.contains("price=9876543.20\n"));
        assert!(text.contains("performance_bond=987654.32\n"));
        assert!(text.contains("project_manager=张三\n"));
        let mut other = f.clone();
        other.terms.duration_days = 366;
        assert_ne!(other.canonical_text(), text);
    }

    #[test]
    fn signing_within_thirty_days() {
        let issued = at(2026, 3, 20, 10, 0);
        assert!(check_signing(issued, at(2026, 4, 19, 23, 59), &cal()).is_ok());
        let late = check_signing(issued, at(2026, 4, 20, 0, 0), &cal()).unwrap_err();
        assert_eq!(late.code, "evaluation.contract.late");
        assert_eq!(late.earliest, Some(at(2026, 4, 20, 0, 0)));
        assert_eq!(
            check_signing(issued, at(2026, 3, 19, 0, 0), &cal())
                .unwrap_err()
                .code,
            "evaluation.contract.before_notice"
        );
    }

    #[test]
    fn every_substantive_deviation_is_listed() {
        let a = terms();
        assert!(deviations(&a, &a).is_empty());
        let mut c = a.clone();
        c.subject = format!(" {} ", a.subject); // whitespace is not a deviation
        assert!(deviations(&a, &c).is_empty());
        c.price = d("9876543.21");
        c.duration_days = 400;
        c.quality = "优良".into();
        c.project_manager = None;
        c.performance_bond = d("987654.33");
        let found = deviations(&a, &c);
        let kinds: Vec<DeviationKind> = found.iter().map(|d| d.kind).collect();
        use DeviationKind as K;
        assert_eq!(
            kinds,
            [
                K::Price,
                K::Quality,
                K::Period,
                K::ProjectManager,
                K::PerformanceBond
            ]
        );
        assert_eq!(found[0].expected, "9876543.20");
        let p = deviations_problem(&found);
        assert!(p.message.contains("价款、质量、履行期限"));
        // A bond within the agreed one but over 10% of a lower contract price also deviates.
        let mut low = a.clone();
        low.price = d("1000000");
        assert!(
            deviations(&a, &low)
                .iter()
                .any(|d| d.kind == K::PerformanceBond)
        );
    }

    #[test]
    fn bond_filing_milestones_acceptance() {
        assert!(check_performance_bond(d("1000000"), d("100000")).is_ok());
        assert!(check_performance_bond(d("1000000"), d("100000.01")).is_err());
        assert!(check_performance_bond(d("1000000"), d("-1")).is_err());
        let signed = at(2026, 9, 28, 10, 0);
        // 7 days: 10-05 ends; procurement: 7 working days skip the National Day break.
        assert_eq!(
            filing_due(TradeField::Construction, signed, &cal()),
            at(2026, 10, 6, 0, 0)
        );
        assert!(
            filing_due(TradeField::GovernmentProcurement, signed, &cal()) > at(2026, 10, 9, 0, 0)
        );
        assert_eq!(
            check_filing(
                TradeField::Construction,
                signed,
                at(2026, 10, 6, 0, 0),
                &cal()
            )
            .unwrap_err()
            .code,
            "evaluation.contract.filing_late"
        );
        assert!(
            check_filing(
                TradeField::GovernmentProcurement,
                signed,
                at(2026, 10, 8, 9, 0),
                &cal()
            )
            .is_ok()
        );

        let day = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd).unwrap();
        let ms = vec![
            Milestone {
                code: "m1".into(),
                name: "基础完工".into(),
                due: day(6, 30),
                payment: d("3000000"),
                completed_on: Some(day(7, 2)),
            },
            Milestone {
                code: "m2".into(),
                name: "主体封顶".into(),
                due: day(12, 31),
                payment: d("5000000"),
                completed_on: None,
            },
        ];
        assert!(check_milestones(d("9876543.20"), day(4, 1), 365, &ms).is_empty());
        assert_eq!(
            codes(&check_milestones(d("7000000"), day(7, 1), 100, &ms)),
            ["evaluation.milestone.due", "evaluation.milestone.total"]
        );
        let late: Vec<&str> = overdue_milestones(&ms, day(8, 1))
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        assert_eq!(late, ["m1"]);
        assert_eq!(overdue_milestones(&ms, day(12, 31)).len(), 1);
        assert_eq!(
            overdue_milestones(&ms, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).len(),
            2
        );
        assert_eq!(
            may_accept(&ms).unwrap_err().code,
            "evaluation.acceptance.open_milestones"
        );
        assert!(may_accept(&ms[..1]).is_ok());
        assert_eq!(attendance_rate(&[true, true, false]), Some(d("66.67")));
        assert_eq!(attendance_rate(&[]), None);
    }
}
