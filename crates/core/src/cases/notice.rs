//! 一次性告知: when materials are incomplete or defective the applicant gets ONE notice listing
//! EVERY missing or defective material, on the spot or within 5 working days of receipt; otherwise
//! the application counts as accepted from the day it was received (行政许可法 第三十二条,
//! DOMAIN.md §1.3). Also 容缺受理 (accepting with minor materials pending against a commitment).
//!
//! Further notices. DOMAIN.md: "Further notices for things that could have been listed the first
//! time are a supervision violation"; issue #11: such a notice is refused unless the officer gives
//! a reason, and is then recorded as a supervision event. A further notice is legitimate for a
//! material the applicant changed or first supplied after the first notice (a new upload can have
//! a new defect) and for one the earlier notice already named. It "could have been listed the
//! first time" when the material is unchanged since the first notice (same files, or missing both
//! times) and no earlier notice named it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use crate::calendar::WorkingCalendar;
use crate::catalog::Material;
use crate::enums::string_enum;

/// What the applicant handed in for one listed material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedMaterial {
    /// The name of the item version's material (`Material::name`).
    pub name: String,
    /// The blob digests of its files, in upload order.
    #[serde(default)]
    pub files: Vec<String>,
    /// 免提交/网络核验: the applicant asked for it to be verified online, and the check succeeded.
    #[serde(default)]
    pub verified_online: bool,
}

/// An officer's finding on a submitted material: what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Defect {
    pub material: String,
    pub reason: String,
}

string_enum! {
    /// 告知事项类别
    NoticeProblem {
        /// 缺少材料
        Missing = "missing", "缺少材料", "Missing";
        /// 材料不符合要求
        Defective = "defective", "材料不符合要求", "Defective";
    }
}

/// One line of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItem {
    pub material: String,
    pub problem: NoticeProblem,
    /// The reason in Chinese (the officer's words for a defect).
    pub reason: String,
}

/// 一次性告知书: every missing or defective material, in the order of the item's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionNotice {
    pub items: Vec<NoticeItem>,
}

/// A notice as issued, with the materials as they stood then (needed to judge later notices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRecord {
    pub notice: CorrectionNotice,
    pub materials_at_issue: Vec<SubmittedMaterial>,
}

string_enum! {
    /// 监察事件: what electronic supervision records against a department and officer.
    Violation {
        /// 多次告知: a further notice naming what could have been listed the first time.
        RepeatedNotice = "repeated_notice", "多次告知", "Repeated notice";
        /// 逾期未告知: no notice within 5 working days (the case was deemed accepted).
        LateNotice = "late_notice", "逾期未告知", "Notice not given in time";
        /// 超期办理: the promised deadline passed before the decision.
        Overdue = "overdue", "超期办理", "Overdue";
        /// 容缺逾期: committed materials not supplied by the committed date.
        CommitmentOverdue = "commitment_overdue", "容缺材料逾期未补齐", "Pending materials overdue";
    }
}

fn supplied(m: &Material, s: Option<&SubmittedMaterial>) -> bool {
    match s {
        Some(s) => !s.files.is_empty() || (m.verified_online && s.verified_online),
        None => false,
    }
}

fn find<'a>(submitted: &'a [SubmittedMaterial], name: &str) -> Option<&'a SubmittedMaterial> {
    submitted.iter().find(|s| s.name == name)
}

/// The required materials not supplied (no file, and not verified online where the item allows
/// it), in the item's order.
pub fn missing_materials<'a>(
    materials: &'a [Material],
    submitted: &[SubmittedMaterial],
) -> Vec<&'a Material> {
    materials
        .iter()
        .filter(|m| m.required && !supplied(m, find(submitted, &m.name)))
        .collect()
}

/// Builds the one notice: every missing required material, plus every defect the officer found.
/// Refused when a defect names a material that is not on the list or was not submitted, has no
/// reason, is given twice, or when there is nothing to correct (then accept instead).
pub fn build_notice(
    materials: &[Material],
    submitted: &[SubmittedMaterial],
    defects: &[Defect],
) -> Result<CorrectionNotice, CaseRuleError> {
    for (i, d) in defects.iter().enumerate() {
        let Some(m) = materials.iter().find(|m| m.name == d.material) else {
            return Err(CaseRuleError::invalid(
                "case.notice_unknown_material",
                format!("“{}”不在该事项的材料清单中。", d.material),
                format!("\"{}\" is not on the item's material list.", d.material),
            ));
        };
        if !supplied(m, find(submitted, &m.name)) {
            return Err(CaseRuleError::invalid(
                "case.notice_defect_not_submitted",
                format!("“{}”尚未提交，应列为缺少材料。", d.material),
                format!(
                    "\"{}\" was not submitted; it is listed as missing.",
                    d.material
                ),
            ));
        }
        let n = d.reason.trim().chars().count();
        if !(2..=500).contains(&n) {
            return Err(CaseRuleError::invalid(
                "case.notice_reason",
                format!("须写明“{}”不符合要求的具体原因（2至500字）。", d.material),
                format!(
                    "Say what is wrong with \"{}\" (2 to 500 characters).",
                    d.material
                ),
            ));
        }
        if defects[..i].iter().any(|x| x.material == d.material) {
            return Err(CaseRuleError::invalid(
                "case.notice_duplicate",
                format!("“{}”重复列出，请合并为一条。", d.material),
                format!("\"{}\" is listed twice; merge the reasons.", d.material),
            ));
        }
    }
    let mut items = Vec::new();
    for m in materials {
        if let Some(d) = defects.iter().find(|d| d.material == m.name) {
            items.push(NoticeItem {
                material: m.name.clone(),
                problem: NoticeProblem::Defective,
                reason: d.reason.trim().to_string(),
            });
        } else if m.required && !supplied(m, find(submitted, &m.name)) {
            items.push(NoticeItem {
                material: m.name.clone(),
                problem: NoticeProblem::Missing,
                reason: format!("未提交（{}，{}份）", m.form.label_zh(), m.count),
            });
        }
    }
    if items.is_empty() {
        return Err(CaseRuleError::conflict(
            "case.notice_empty",
            "材料齐全且无不符合要求的情形，应予受理，无需告知。",
            "The materials are complete and in order; accept the application instead.",
        ));
    }
    Ok(CorrectionNotice { items })
}

impl CorrectionNotice {
    /// The notice's text for the document, the SMS and the page (Chinese first).
    pub fn text_zh(&self) -> String {
        let mut s = String::from("您的申请材料需补正以下全部内容：");
        for (i, it) in self.items.iter().enumerate() {
            s.push_str(&format!(
                "{}.《{}》：{}，{}；",
                i + 1,
                it.material,
                it.problem.label_zh(),
                it.reason
            ));
        }
        if s.ends_with('；') {
            s.pop();
        }
        s.push('。');
        s
    }

    pub fn text_en(&self) -> String {
        let lines: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                format!(
                    "{}. {}: {} ({})",
                    i + 1,
                    it.material,
                    it.problem.label_en().to_lowercase(),
                    it.reason
                )
            })
            .collect();
        format!("Please correct all of the following: {}.", lines.join("; "))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.material.as_str())
    }
}

/// A material's files as they stood, or `None` when it was not supplied.
fn files_of<'a>(submitted: &'a [SubmittedMaterial], name: &str) -> Option<&'a [String]> {
    find(submitted, name)
        .filter(|s| !s.files.is_empty() || s.verified_online)
        .map(|s| s.files.as_slice())
}

/// Judges a further notice against the earlier ones (`earlier[0]` is the first). Returns the
/// materials it names that could have been listed the first time; when there are any, a reason is
/// required and the use case records a [`Violation::RepeatedNotice`]. The first notice passes
/// with an empty list.
pub fn check_further_notice(
    earlier: &[NoticeRecord],
    now_submitted: &[SubmittedMaterial],
    notice: &CorrectionNotice,
    reason: Option<&str>,
) -> Result<Vec<String>, CaseRuleError> {
    let Some(first) = earlier.first() else {
        return Ok(Vec::new());
    };
    let repeated: Vec<String> = notice
        .names()
        .filter(|name| {
            let named_before = earlier.iter().any(|r| r.notice.names().any(|n| n == *name));
            let unchanged =
                files_of(&first.materials_at_issue, name) == files_of(now_submitted, name);
            !named_before && unchanged
        })
        .map(str::to_string)
        .collect();
    if !repeated.is_empty() && reason.map(str::trim).unwrap_or("").chars().count() < 2 {
        return Err(CaseRuleError::conflict(
            "case.notice_repeated",
            format!(
                "“{}”在首次告知时已可列明，再次告知须说明理由（将记入电子监察）。",
                repeated.join("、")
            ),
            format!(
                "{} could have been listed in the first notice; a further notice needs a reason (recorded by supervision).",
                repeated.join(", ")
            ),
        ));
    }
    Ok(repeated)
}

/// A notice (first or further) must come within 5 working days of the last receipt of materials
/// (the original submission, or the applicant's latest correction); afterwards the application
/// counts as accepted and more material can only be asked for in review (审查中补正).
pub fn check_notice_timing(
    cal: &WorkingCalendar,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), CaseRuleError> {
    if now >= super::limits::notice_deadline(cal, received_at) {
        return Err(CaseRuleError::conflict(
            "case.notice_late",
            "已超过收到材料后5个工作日的告知期限，申请视为已受理。",
            "More than 5 working days have passed since receipt; the application counts as accepted.",
        ));
    }
    Ok(())
}

/// 容缺受理: the officer names the materials left pending. They must be exactly the missing
/// required ones (anything else missing needs a 一次性告知 instead), and at least one. The item
/// version does not mark which materials are minor, so which ones may be pending is the officer's
/// call, on the record.
pub fn check_deficiency_acceptance(
    materials: &[Material],
    submitted: &[SubmittedMaterial],
    pending: &[String],
) -> Result<(), CaseRuleError> {
    let missing: Vec<&str> = missing_materials(materials, submitted)
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    if pending.is_empty() {
        return Err(CaseRuleError::invalid(
            "case.deficiency_empty",
            "容缺受理须列明容缺的材料；材料齐全时直接受理。",
            "Name the pending materials; accept normally when nothing is missing.",
        ));
    }
    let mut sorted_pending: Vec<&str> = pending.iter().map(String::as_str).collect();
    sorted_pending.sort_unstable();
    sorted_pending.dedup();
    let mut sorted_missing = missing.clone();
    sorted_missing.sort_unstable();
    if sorted_pending != sorted_missing {
        return Err(CaseRuleError::invalid(
            "case.deficiency_mismatch",
            format!(
                "容缺材料须恰为缺少的必要材料：{}。",
                if missing.is_empty() {
                    "无".to_string()
                } else {
                    missing.join("、")
                }
            ),
            format!(
                "The pending materials must be exactly the missing required ones: {}.",
                if missing.is_empty() {
                    "none".to_string()
                } else {
                    missing.join(", ")
                }
            ),
        ));
    }
    Ok(())
}

/// The pending (容缺) materials still not supplied; the result may go out only when none are.
pub fn outstanding<'a>(pending: &'a [String], submitted: &[SubmittedMaterial]) -> Vec<&'a str> {
    pending
        .iter()
        .filter(|p| files_of(submitted, p).is_none_or(<[String]>::is_empty))
        .map(String::as_str)
        .collect()
}

/// The result may go out (办结) only when every pending (容缺) material has been supplied.
pub fn check_no_outstanding(
    pending: &[String],
    submitted: &[SubmittedMaterial],
) -> Result<(), CaseRuleError> {
    let open = outstanding(pending, submitted);
    if open.is_empty() {
        Ok(())
    } else {
        Err(CaseRuleError::conflict(
            "case.deficiency_outstanding",
            format!("容缺材料尚未补齐：{}。", open.join("、")),
            format!("Pending materials not yet supplied: {}.", open.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MaterialForm;
    use proptest::prelude::*;

    fn mat(name: &str, required: bool, online: bool) -> Material {
        Material {
            name: name.into(),
            form: MaterialForm::Original,
            count: 1,
            required,
            verified_online: online,
            blank_form: None,
            sample: None,
        }
    }

    fn list() -> Vec<Material> {
        vec![
            mat("申请书", true, false),
            mat("营业执照", true, true),
            mat("场所平面图", true, false),
            mat("授权委托书", false, false),
        ]
    }

    fn sub(name: &str, files: &[&str]) -> SubmittedMaterial {
        SubmittedMaterial {
            name: name.into(),
            files: files.iter().map(|f| f.to_string()).collect(),
            verified_online: false,
        }
    }

    #[test]
    fn the_notice_lists_every_missing_and_defective_material_in_order() {
        let submitted = vec![sub("场所平面图", &["d1"]), sub("授权委托书", &[])];
        let n = build_notice(
            &list(),
            &submitted,
            &[Defect {
                material: "场所平面图".into(),
                reason: "未标注面积".into(),
            }],
        )
        .unwrap();
        let names: Vec<&str> = n.names().collect();
        assert_eq!(names, ["申请书", "营业执照", "场所平面图"]);
        assert_eq!(n.items[2].problem, NoticeProblem::Defective);
        assert_eq!(n.items[0].problem, NoticeProblem::Missing);
        assert!(
            n.text_zh()
                .starts_with("您的申请材料需补正以下全部内容：1.《申请书》：缺少材料")
        );
        assert!(n.text_zh().ends_with("未标注面积。"));
        assert!(
            n.text_en()
                .contains("3. 场所平面图: defective (未标注面积)")
        );
    }

    #[test]
    fn online_verification_counts_only_where_the_item_allows_it() {
        let mut lic = sub("营业执照", &[]);
        lic.verified_online = true;
        let mut form = sub("申请书", &[]);
        form.verified_online = true;
        let ms = list();
        let missing: Vec<&str> = missing_materials(&ms, &[lic, form])
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(missing, ["申请书", "场所平面图"]);
    }

    #[test]
    fn bad_defects_are_refused() {
        let s = vec![sub("申请书", &["a"])];
        let e = |d: Vec<Defect>| build_notice(&list(), &s, &d).unwrap_err().code;
        assert_eq!(
            e(vec![Defect {
                material: "户口本".into(),
                reason: "不清晰".into()
            }]),
            "case.notice_unknown_material"
        );
        assert_eq!(
            e(vec![Defect {
                material: "场所平面图".into(),
                reason: "不清晰".into()
            }]),
            "case.notice_defect_not_submitted"
        );
        assert_eq!(
            e(vec![Defect {
                material: "申请书".into(),
                reason: " ".into()
            }]),
            "case.notice_reason"
        );
        let d = Defect {
            material: "申请书".into(),
            reason: "未签字".into(),
        };
        assert_eq!(e(vec![d.clone(), d]), "case.notice_duplicate");
    }

    #[test]
    fn a_complete_application_needs_no_notice() {
        let s = vec![
            sub("申请书", &["a"]),
            sub("营业执照", &["b"]),
            sub("场所平面图", &["c"]),
        ];
        assert_eq!(
            build_notice(&list(), &s, &[]).unwrap_err().code,
            "case.notice_empty"
        );
    }

    #[test]
    fn a_further_notice_on_an_unchanged_material_needs_a_reason() {
        let at_first = vec![sub("申请书", &["a"]), sub("场所平面图", &["c"])];
        let first = build_notice(&list(), &at_first, &[]).unwrap(); // names only 营业执照
        let earlier = vec![NoticeRecord {
            notice: first,
            materials_at_issue: at_first.clone(),
        }];
        // The applicant supplies the licence; the officer now objects to the untouched form.
        let now = vec![
            sub("申请书", &["a"]),
            sub("营业执照", &["b"]),
            sub("场所平面图", &["c"]),
        ];
        let second = build_notice(
            &list(),
            &now,
            &[Defect {
                material: "申请书".into(),
                reason: "未签字".into(),
            }],
        )
        .unwrap();
        let err = check_further_notice(&earlier, &now, &second, None).unwrap_err();
        assert_eq!(err.code, "case.notice_repeated");
        assert!(err.message.contains("申请书"));
        assert_eq!(
            check_further_notice(&earlier, &now, &second, Some("首次审查遗漏")).unwrap(),
            vec!["申请书".to_string()]
        );
        // A defect in the newly supplied licence is legitimate.
        let third = build_notice(
            &list(),
            &now,
            &[Defect {
                material: "营业执照".into(),
                reason: "已过期".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            check_further_notice(&earlier, &now, &third, None).unwrap(),
            Vec::<String>::new()
        );
        // So is one on a replaced file.
        let replaced = vec![
            sub("申请书", &["a2"]),
            sub("营业执照", &["b"]),
            sub("场所平面图", &["c"]),
        ];
        let fourth = build_notice(
            &list(),
            &replaced,
            &[Defect {
                material: "申请书".into(),
                reason: "未签字".into(),
            }],
        )
        .unwrap();
        assert!(
            check_further_notice(&earlier, &replaced, &fourth, None)
                .unwrap()
                .is_empty()
        );
        // The first notice is always fine.
        assert!(
            check_further_notice(&[], &now, &second, None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_notice_after_five_working_days_is_late() {
        let cal = WorkingCalendar::official();
        let t = |s: &str| {
            format!("{s}+08:00")
                .parse::<DateTime<chrono::FixedOffset>>()
                .unwrap()
                .with_timezone(&Utc)
        };
        assert!(
            check_notice_timing(&cal, t("2025-06-04T10:00:00"), t("2025-06-11T23:00:00")).is_ok()
        );
        assert_eq!(
            check_notice_timing(&cal, t("2025-06-04T10:00:00"), t("2025-06-12T00:00:00"))
                .unwrap_err()
                .code,
            "case.notice_late"
        );
    }

    #[test]
    fn deficiency_acceptance_names_exactly_the_missing_materials() {
        let s = vec![sub("申请书", &["a"]), sub("营业执照", &["b"])];
        assert!(check_deficiency_acceptance(&list(), &s, &["场所平面图".into()]).is_ok());
        assert_eq!(
            check_deficiency_acceptance(&list(), &s, &[])
                .unwrap_err()
                .code,
            "case.deficiency_empty"
        );
        assert_eq!(
            check_deficiency_acceptance(&list(), &s, &["申请书".into()])
                .unwrap_err()
                .code,
            "case.deficiency_mismatch"
        );
        let pending = vec!["场所平面图".to_string()];
        assert_eq!(outstanding(&pending, &s), ["场所平面图"]);
        let later = vec![sub("申请书", &["a"]), sub("场所平面图", &["c"])];
        assert!(outstanding(&pending, &later).is_empty());
        assert_eq!(
            check_no_outstanding(&pending, &s).unwrap_err().code,
            "case.deficiency_outstanding"
        );
        assert!(check_no_outstanding(&pending, &later).is_ok());
    }

    proptest! {
        /// Whatever was submitted, a notice lists every missing required material exactly once,
        /// never an optional unsubmitted one, and never a supplied material without a defect.
        #[test]
        fn the_notice_is_complete_and_exact(mask in proptest::collection::vec(any::<bool>(), 4), defect_on in 0usize..4) {
            let ms = list();
            let submitted: Vec<SubmittedMaterial> = ms.iter().zip(&mask).filter(|(_, m)| **m).map(|(x, _)| sub(&x.name, &["f"])).collect();
            let defects: Vec<Defect> = if mask[defect_on] { vec![Defect { material: ms[defect_on].name.clone(), reason: "不清晰".into() }] } else { vec![] };
            match build_notice(&ms, &submitted, &defects) {
                Ok(n) => {
                    for (m, given) in ms.iter().zip(&mask) {
                        let count = n.names().filter(|x| *x == m.name).count();
                        let defective = defects.iter().any(|d| d.material == m.name);
                        prop_assert_eq!(count, usize::from((m.required && !given) || defective));
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.code, "case.notice_empty");
                    prop_assert!(defects.is_empty() && missing_materials(&ms, &submitted).is_empty());
                }
            }
        }
    }
}
