//! 量体裁衣 checker: flags clauses of tender documents that restrict or exclude bidders by
//! unreasonable conditions (招标投标法实施条例 Art. 32; DOMAIN §2.2 "Tender documents come from
//! templates … unfair clauses … are prevented and flagged" [001]). A flagged clause may still be
//! published with a recorded justification ([`check_publishable`]).
//!
//! The checker reads each clause on its own and looks for the phrasings that the Art. 32 cases take
//! in real documents. It is a screen, not a judge: it errs towards flagging, and the justification
//! step lets the tenderee explain a lawful exception (e.g. a mining right restricted by law to
//! qualified state-owned entities). Phrasings the law allows are not flagged: a service presence
//! promised *after* the award (中标后设立), and a brand named as a reference "or equivalent"
//! (或同等、或相当、或等效).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 限制、排斥潜在投标人的情形 (招标投标法实施条例 Art. 32).
    Restriction {
        /// 限定地域: only local (本地/本省) firms, or a registered seat in a named place.
        Region = "region", "限定投标人所在地域", "Restricts bidders by region";
        /// 要求在本地设立机构、纳税或缴纳社保 before bidding.
        LocalPresence = "local_presence", "要求投标前在本地设立机构", "Demands a local presence";
        /// 限定所有制形式或组织形式 (Art. 32(6)).
        Ownership = "ownership", "限定所有制或组织形式", "Restricts ownership or legal form";
        /// 限定或指定特定的专利、商标、品牌、原产地 (Art. 32(5)).
        Brand = "brand", "限定或指定品牌、商标、专利、原产地", "Names a brand, trademark, patent or origin";
        /// 限定或指定特定的供应商 (Art. 32(5)).
        NamedFirm = "named_firm", "指定特定供应商", "Names a particular firm";
        /// 以特定行政区域的业绩、奖项作为加分或中标条件 (Art. 32(3)).
        RegionalRecord = "regional_record", "以特定区域业绩、奖项加分", "Scores regional records or awards";
    }
}

/// One flagged clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseFinding {
    /// Index of the clause in the list checked.
    pub clause: usize,
    pub restriction: Restriction,
    /// The text that triggered the flag, for the reviewer.
    pub matched: String,
}

const LOCAL: &str = "(?:本地|本市|本省|本县|本区|当地|省内|市内|县内|区内|项目所在地)";

fn re(s: &str) -> Regex {
    Regex::new(&s.replace("LOCAL", LOCAL)).expect("valid pattern")
}

static PATTERNS: LazyLock<Vec<(Restriction, Regex)>> = LazyLock::new(|| {
    use Restriction as R;
    vec![
        (
            R::Region,
            re(
                r"(?:仅限|限于|只限|须为|必须为|必须是|须是|应为)[^，。；,;]{0,8}LOCAL[^，。；,;]{0,10}(?:企业|单位|供应商|投标人|公司)",
            ),
        ),
        (
            R::Region,
            re(
                r"(?:注册地|注册所在地|住所地|工商注册)[^，。；,;]{0,6}(?:须|必须|应|应当)[^，。；,;]{0,4}(?:在|位于|为)",
            ),
        ),
        (
            R::Region,
            re(r"LOCAL(?:企业|单位|供应商|投标人)(?:优先|方可)"),
        ),
        (
            R::Region,
            re(r"(?:不接受|拒绝|排除)[^，。；,;]{0,4}(?:外地|外省|省外|市外|外市|外县)"),
        ),
        (
            R::LocalPresence,
            re(
                r"(?:在|于)LOCAL[^，。；,;]{0,6}(?:设立|设有|成立|注册|拥有)[^，。；,;]{0,6}(?:分公司|分支机构|办事处|子公司|常驻机构|服务网点|办公场所|售后服务机构|固定场所)",
            ),
        ),
        (
            R::LocalPresence,
            re(r"LOCAL[^，。；,;]{0,4}(?:纳税|缴纳社保|缴纳社会保险|缴纳税收)"),
        ),
        (
            R::Ownership,
            re(
                r"(?:仅限|限于|只限|须为|必须为|必须是|须是)[^，。；,;]{0,6}(?:国有|国营|民营|私营|外资|央企|中央企业|国企|集体所有制|股份有限公司|有限责任公司)",
            ),
        ),
        (
            R::Ownership,
            re(
                r"(?:国有|民营|私营|外资|外商投资)(?:企业|控股企业)?[^，。；,;]{0,4}(?:优先|方可|不得参与|除外|不予接受|不接受)",
            ),
        ),
        (
            R::Brand,
            re(
                r"(?:指定|限定|必须使用|须使用|只能使用|仅限使用|必须采用|须采用)[^，。；,;]{0,8}(?:品牌|厂家|厂商|商标|专利|原产地|产地)",
            ),
        ),
        (R::Brand, re(r"(?:品牌|商标)(?:须为|必须为|为|：|:)")),
        (R::Brand, re(r"(?:须为|必须为|限)原装进口")),
        (
            R::NamedFirm,
            re(
                r"(?:指定|须由|必须由|只能由|仅限由?|须采购|必须采购)[^，。；,;]{0,4}[\p{Han}（）()]{2,30}(?:有限公司|有限责任公司|股份有限公司|集团|厂)",
            ),
        ),
        (
            R::RegionalRecord,
            re(
                r"LOCAL[^，。；,;]{0,8}(?:业绩|奖项|获奖|荣誉|优质工程|示范工地)[^，。；,;]{0,10}(?:加分|得分|分|优先|中标条件)",
            ),
        ),
        (
            R::RegionalRecord,
            re(
                r"(?:获得|取得)[\p{Han}]{2,6}(?:省|市|自治区|自治州|县|区)(?:级)?[^，。；,;]{0,8}(?:奖|荣誉)[^，。；,;]{0,8}(?:加|得)[^，。；,;]{0,3}分",
            ),
        ),
    ]
});

static AFTER_AWARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("中标后|成交后|签订合同后|合同签订后|中标之日起").expect("valid"));
static OR_EQUIVALENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("或同等|或相当|或等效|或与其相当|或性能相当").expect("valid"));

/// Flags every restricting clause. `known_firms` are firm names the platform knows (registered
/// parties); a clause naming one of them (4 characters or longer) is flagged as [`Restriction::
/// NamedFirm`]. Each (clause, restriction) is reported once, with the first match.
pub fn check_clauses(clauses: &[&str], known_firms: &[&str]) -> Vec<ClauseFinding> {
    let mut out: Vec<ClauseFinding> = Vec::new();
    for (i, clause) in clauses.iter().enumerate() {
        let mut push = |restriction: Restriction, matched: &str| {
            if !out
                .iter()
                .any(|f| f.clause == i && f.restriction == restriction)
            {
                out.push(ClauseFinding {
                    clause: i,
                    restriction,
                    matched: matched.to_string(),
                });
            }
        };
        for (r, pattern) in PATTERNS.iter() {
            if *r == Restriction::LocalPresence && AFTER_AWARD.is_match(clause) {
                continue;
            }
            if *r == Restriction::Brand && OR_EQUIVALENT.is_match(clause) {
                continue;
            }
            if let Some(m) = pattern.find(clause) {
                push(*r, m.as_str());
            }
        }
        for firm in known_firms {
            if firm.chars().count() >= 4 && clause.contains(firm) {
                push(Restriction::NamedFirm, firm);
            }
        }
    }
    out.sort_by_key(|f| (f.clause, f.restriction));
    out
}

/// A recorded reason to publish a flagged clause anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Justification {
    pub clause: usize,
    pub restriction: Restriction,
    pub reason: String,
}

/// The shortest reason accepted, in characters. Choice: long enough to rule out "同意" or "无",
/// short enough for a legal citation ("依据《矿产资源法》第X条…").
pub const MIN_REASON_CHARS: usize = 10;

/// Whether documents with these findings may be published: every finding needs a justification
/// for the same clause and restriction with a reason of at least [`MIN_REASON_CHARS`] characters.
/// Lists every unjustified finding in `details.unjustified`.
pub fn check_publishable(
    findings: &[ClauseFinding],
    justifications: &[Justification],
) -> Result<(), Problem> {
    let unjustified: Vec<&ClauseFinding> = findings
        .iter()
        .filter(|f| {
            !justifications.iter().any(|j| {
                j.clause == f.clause
                    && j.restriction == f.restriction
                    && j.reason.trim().chars().count() >= MIN_REASON_CHARS
            })
        })
        .collect();
    if unjustified.is_empty() {
        return Ok(());
    }
    let zh: Vec<String> = unjustified
        .iter()
        .map(|f| format!("第{}条（{}）", f.clause + 1, f.restriction.label_zh()))
        .collect();
    Err(Problem::conflict(
        "trading.clauses.unjustified",
        format!("招标文件存在可能限制、排斥潜在投标人的条款，须说明理由后方可发布：{}。", zh.join("、")),
        format!(
            "The documents contain {} clause(s) that may restrict bidders; record a justification before publishing.",
            unjustified.len()
        ),
    )
    .with_details(serde_json::json!({ "unjustified": unjustified })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Restriction as R;

    fn kinds(clause: &str) -> Vec<Restriction> {
        check_clauses(&[clause], &[])
            .into_iter()
            .map(|f| f.restriction)
            .collect()
    }

    #[test]
    fn restricting_clauses_are_flagged() {
        let cases: &[(&str, Restriction)] = &[
            ("投标人须为本市注册的建筑施工企业。", R::Region),
            ("投标人注册地必须在乌海市。", R::Region),
            ("本地企业优先。", R::Region),
            ("不接受外地企业投标。", R::Region),
            ("投标人须在本市设立分公司或办事处。", R::LocalPresence),
            (
                "投标人应提供近6个月在本地缴纳社保的证明。",
                R::LocalPresence,
            ),
            ("投标人须为国有企业。", R::Ownership),
            ("民营企业不得参与。", R::Ownership),
            ("电梯必须使用指定品牌。", R::Brand),
            ("空调品牌须为格力。", R::Brand),
            ("设备须为原装进口。", R::Brand),
            ("钢材须由某某钢铁集团有限公司供应。", R::NamedFirm),
            ("获得本省优质工程奖的加3分。", R::RegionalRecord),
            ("获得内蒙古自治区级奖项另加2分", R::RegionalRecord),
        ];
        let misses: Vec<_> = cases
            .iter()
            .filter(|(clause, kind)| !kinds(clause).contains(kind))
            .map(|(clause, _)| (clause, kinds(clause)))
            .collect();
        assert!(misses.is_empty(), "{misses:?}");
    }

    #[test]
    fn lawful_clauses_are_not_flagged() {
        let flagged = [
            "投标人须具备建筑工程施工总承包二级及以上资质。",
            "投标人应具有良好的商业信誉和健全的财务会计制度。",
            "中标后须在项目所在地设立售后服务机构。",
            "参考品牌：某某，或同等档次产品。",
            "本项目不接受联合体投标。",
            "投标截止时间为2026年3月23日9时30分。",
        ]
        .iter()
        .filter(|c| !kinds(c).is_empty())
        .collect::<Vec<_>>();
        assert!(flagged.is_empty(), "{flagged:?}");
    }

    #[test]
    fn known_firms_and_positions_are_reported() {
        let f = check_clauses(
            &["一般条款", "主要材料采用甲乙丙建材有限公司产品"],
            &["甲乙丙建材有限公司", "丁"],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].clause, 1);
        assert_eq!(f[0].restriction, R::NamedFirm);
        assert_eq!(f[0].matched, "甲乙丙建材有限公司");
        // One finding per clause and kind even when several patterns match.
        let f = check_clauses(&["投标人须为本市企业，本地企业优先，不接受外地企业。"], &[]);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn flagged_clauses_need_a_reason_to_publish() {
        let f = check_clauses(&["投标人须为国有企业。", "投标人须在本市设立分公司。"], &[]);
        assert_eq!(f.len(), 2);
        let e = check_publishable(&f, &[]).unwrap_err();
        assert_eq!(e.code, "trading.clauses.unjustified");
        assert!(e.message.contains("第1条（限定所有制或组织形式）"));
        let short = Justification {
            clause: 0,
            restriction: R::Ownership,
            reason: "同意".into(),
        };
        let good0 = Justification {
            clause: 0,
            restriction: R::Ownership,
            reason: "依据相关法律，该矿业权仅可出让给具备资格的国有单位。".into(),
        };
        let wrong_kind = Justification {
            clause: 1,
            restriction: R::Region,
            reason: good0.reason.clone(),
        };
        assert!(check_publishable(&f, &[short, good0.clone(), wrong_kind]).is_err());
        let good1 = Justification {
            clause: 1,
            restriction: R::LocalPresence,
            reason: good0.reason.clone(),
        };
        assert!(check_publishable(&f, &[good0, good1]).is_ok());
        assert!(check_publishable(&[], &[]).is_ok());
    }
}
