//! 申请表 and 申请材料上传: validating an applicant's form values against the item version's
//! `form_fields` by kind, and checking uploads (declared size, media type, count) against the
//! material list before the blob store takes them.
//!
//! Every error names the field (the form key, or `materials`), a stable code and a Chinese and
//! English message, in the catalogue's [`FieldError`] shape, so a page can show each next to its
//! field and the API returns them all at once.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use super::applicant::MobileNumber;
use super::notice::SubmittedMaterial;
use crate::catalog::item::FieldError;
use crate::catalog::{FormField, Material};
use crate::enums::string_enum;
use crate::ids::{CreditCode, IdNumber};
use crate::problem::ProblemKind;

string_enum! {
    /// 字段类型: the kinds a catalogue form field may have (`FormField::kind`).
    FieldKind {
        /// 文本: 1 to 500 characters.
        Text = "text", "文本", "Text";
        /// 日期: `YYYY-MM-DD`, years 1900 to 2100.
        Date = "date", "日期", "Date";
        /// 数字: a decimal number, e.g. `12`, `-3.5`.
        Number = "number", "数字", "Number";
        /// 居民身份证号码 (GB 11643).
        IdNumber = "id_number", "身份证号码", "Resident ID number";
        /// 统一社会信用代码 (GB 32100).
        CreditCode = "credit_code", "统一社会信用代码", "Unified social credit code";
        /// 联系电话: a mainland mobile number or a landline with area code.
        Phone = "phone", "联系电话", "Phone number";
        /// 地址: 5 to 200 characters.
        Address = "address", "地址", "Address";
    }
}

impl FieldKind {
    /// A documented sample value that passes this kind's check: what the sample forms, the
    /// demo and the tests fill in (a fictitious person and firm, not real ones).
    pub fn sample_value(self) -> &'static str {
        match self {
            FieldKind::Text => "示例内容",
            FieldKind::Date => "2026-12-01",
            FieldKind::Number => "1",
            // GB 11643 example number (check digit valid), region 110101, born 1990-03-07.
            FieldKind::IdNumber => "110101199003074477",
            // GB 32100 example code (check character valid).
            FieldKind::CreditCode => "91350100M000100Y43",
            FieldKind::Phone => "13800000000",
            FieldKind::Address => "江苏省宿迁市宿城区洪泽湖路1号",
        }
    }

    /// The kind of a catalogue field. The catalogue does not restrict the text, so an unknown
    /// kind is validated as free text rather than blocking every application for the item.
    pub fn of(field: &FormField) -> Self {
        FieldKind::parse(field.kind.trim()).unwrap_or(FieldKind::Text)
    }
}

string_enum! {
    /// 校验模式: a draft (暂存) is checked only for unknown fields and size, so a half-filled
    /// form can always be saved; a submission gets every check.
    FormMode {
        Draft = "draft", "暂存", "Draft";
        Submit = "submit", "提交", "Submit";
    }
}

/// The longest value kept for any field.
pub const MAX_VALUE_CHARS: usize = 500;

fn err(field: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: zh,
        message_en: en,
    }
}

fn landline_ok(s: &str) -> bool {
    // 0 + 2-3 digit area code, optional hyphen, 7-8 digit number, optional "-extension"; or a
    // 400/800 service number.
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"^(0[1-9][0-9]{1,2}-?[0-9]{7,8}(-[0-9]{1,6})?|[48]00-?[0-9]{3}-?[0-9]{4})$",
        )
        .expect("valid regex")
    })
    .is_match(s)
}

/// Checks one non-empty value; returns its normalised form.
fn check_value(f: &FormField, kind: FieldKind, v: &str) -> Result<String, FieldError> {
    let label = &f.label;
    let key = f.key.as_str();
    match kind {
        FieldKind::Text => Ok(v.to_string()),
        FieldKind::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| {
                err(
                    key,
                    "form.date",
                    format!("“{label}”应为有效日期，格式为YYYY-MM-DD。"),
                    format!("\"{label}\" must be a valid date as YYYY-MM-DD."),
                )
            }),
        FieldKind::Number => v
            .parse::<Decimal>()
            .ok()
            .filter(|_| !v.contains(['e', 'E', '_']))
            .map(|d| d.normalize().to_string())
            .ok_or_else(|| {
                err(
                    key,
                    "form.number",
                    format!("“{label}”应为数字。"),
                    format!("\"{label}\" must be a number."),
                )
            }),
        FieldKind::IdNumber => IdNumber::parse(v)
            .map(|i| i.as_str().to_string())
            .map_err(|e| {
                err(
                    key,
                    e.code(),
                    format!("“{label}”：{}", e.message_zh()),
                    format!("\"{label}\": {}", e.message_en()),
                )
            }),
        FieldKind::CreditCode => CreditCode::parse(v)
            .map(|c| c.as_str().to_string())
            .map_err(|e| {
                err(
                    key,
                    e.code(),
                    format!("“{label}”：{}", e.message_zh()),
                    format!("\"{label}\": {}", e.message_en()),
                )
            }),
        FieldKind::Phone => {
            if let Ok(m) = MobileNumber::parse(v) {
                return Ok(m.as_str().to_string());
            }
            let compact: String = v.chars().filter(|c| *c != ' ').collect();
            if landline_ok(&compact) {
                Ok(compact)
            } else {
                Err(err(
                    key,
                    "form.phone",
                    format!("“{label}”应为手机号码或带区号的固定电话。"),
                    format!(
                        "\"{label}\" must be a mobile number or a landline with its area code."
                    ),
                ))
            }
        }
        FieldKind::Address => {
            if v.chars().count() >= 5 {
                Ok(v.to_string())
            } else {
                Err(err(
                    key,
                    "form.address",
                    format!("“{label}”应为5至200个字符的详细地址。"),
                    format!("\"{label}\" must be a full address of 5 to 200 characters."),
                ))
            }
        }
    }
}

/// Validates `values` against `fields`; returns the normalised values (trimmed, empty values
/// dropped, ID numbers upper-cased, dates and numbers in canonical form) or every error, in the
/// order of the fields (unknown keys last).
pub fn validate_form(
    fields: &[FormField],
    values: &BTreeMap<String, String>,
    mode: FormMode,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for f in fields {
        let kind = FieldKind::of(f);
        let v = values.get(&f.key).map(|s| s.trim()).unwrap_or("");
        let max = if kind == FieldKind::Address {
            200
        } else {
            MAX_VALUE_CHARS
        };
        if v.chars().count() > max {
            errors.push(err(
                &f.key,
                "form.too_long",
                format!("“{}”不超过{max}个字符。", f.label),
                format!("\"{}\" is at most {max} characters.", f.label),
            ));
            continue;
        }
        if v.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(err(
                &f.key,
                "form.control_character",
                format!("“{}”含有不可见的控制字符。", f.label),
                format!("\"{}\" contains control characters.", f.label),
            ));
            continue;
        }
        if v.is_empty() {
            if f.required && mode == FormMode::Submit {
                errors.push(err(
                    &f.key,
                    "form.required",
                    format!("请填写“{}”。", f.label),
                    format!("\"{}\" is required.", f.label),
                ));
            }
            continue;
        }
        if mode == FormMode::Draft {
            out.insert(f.key.clone(), v.to_string());
            continue;
        }
        match check_value(f, kind, v) {
            Ok(n) => {
                out.insert(f.key.clone(), n);
            }
            Err(e) => errors.push(e),
        }
    }
    for k in values.keys() {
        if !fields.iter().any(|f| &f.key == k) {
            errors.push(err(
                k,
                "form.unknown_field",
                format!("申请表中没有字段“{k}”。"),
                format!("The form has no field \"{k}\"."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Limits on uploaded materials. Sizes are as the client declares them; the blob store verifies
/// the real size and digest when it stores the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files_per_material: u32,
    pub max_case_bytes: u64,
    /// Accepted media types, lower case.
    pub media_types: Vec<String>,
}

impl Default for UploadLimits {
    /// 20 MB a file, 10 files a material, 200 MB a case; PDF, OFD (GB/T 33190, the national
    /// layout format of e-documents), JPEG and PNG.
    fn default() -> Self {
        UploadLimits {
            max_file_bytes: 20 * 1024 * 1024,
            max_files_per_material: 10,
            max_case_bytes: 200 * 1024 * 1024,
            media_types: [
                "application/pdf",
                "application/ofd",
                "image/jpeg",
                "image/png",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// One upload as declared by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    /// The material it is for (`Material::name`).
    pub material: String,
    pub size: u64,
    pub media_type: String,
}

/// Checks an upload against the material list and limits, given the files already on the case
/// for that material and the bytes already on the case.
pub fn check_upload(
    materials: &[Material],
    req: &UploadRequest,
    files_for_material: u32,
    case_bytes: u64,
    limits: &UploadLimits,
) -> Result<(), CaseRuleError> {
    if !materials.iter().any(|m| m.name == req.material) {
        return Err(CaseRuleError::invalid(
            "upload.unknown_material",
            format!("“{}”不在该事项的材料清单中。", req.material),
            format!("\"{}\" is not on the item's material list.", req.material),
        ));
    }
    if req.size == 0 {
        return Err(CaseRuleError::invalid(
            "upload.empty",
            "上传的文件为空。",
            "The file is empty.",
        ));
    }
    if req.size > limits.max_file_bytes {
        let size = crate::problem::human_size(limits.max_file_bytes);
        return Err(CaseRuleError {
            kind: ProblemKind::TooLarge,
            code: "upload.too_large",
            message: format!("单个文件不超过{size}。"),
            message_en: format!("A file is at most {size}."),
        });
    }
    let media = req
        .media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !limits.media_types.contains(&media) {
        return Err(CaseRuleError::invalid(
            "upload.media_type",
            format!("不支持的文件类型“{media}”，请上传PDF、OFD、JPG或PNG文件。"),
            format!("File type \"{media}\" is not accepted; upload PDF, OFD, JPEG or PNG."),
        ));
    }
    if files_for_material >= limits.max_files_per_material {
        return Err(CaseRuleError::conflict(
            "upload.too_many_files",
            format!(
                "“{}”最多上传{}个文件。",
                req.material, limits.max_files_per_material
            ),
            format!(
                "At most {} files for \"{}\".",
                limits.max_files_per_material, req.material
            ),
        ));
    }
    if case_bytes.saturating_add(req.size) > limits.max_case_bytes {
        let size = crate::problem::human_size(limits.max_case_bytes);
        return Err(CaseRuleError {
            kind: ProblemKind::TooLarge,
            code: "upload.case_too_large",
            message: format!("一个办件的材料合计不超过{size}。"),
            message_en: format!("A case's materials total at most {size}."),
        });
    }
    Ok(())
}

/// The material checks of an online submission: every required material supplied (a file, or
/// verified online where the item allows it) and nothing submitted that is not on the list. A
/// window officer registering a walk-in skips this: what is missing goes into a 一次性告知.
pub fn check_materials_for_submit(
    materials: &[Material],
    submitted: &[SubmittedMaterial],
) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = super::notice::missing_materials(materials, submitted)
        .into_iter()
        .map(|m| {
            err(
                "materials",
                "form.material_required",
                format!("请上传“{}”。", m.name),
                format!("\"{}\" is required.", m.name),
            )
        })
        .collect();
    for s in submitted {
        match materials.iter().find(|m| m.name == s.name) {
            None => errors.push(err(
                "materials",
                "upload.unknown_material",
                format!("“{}”不在该事项的材料清单中。", s.name),
                format!("\"{}\" is not on the item's material list.", s.name),
            )),
            Some(m) if s.verified_online && !m.verified_online => errors.push(err(
                "materials",
                "form.material_not_verifiable",
                format!("“{}”不支持网络核验，请上传。", s.name),
                format!("\"{}\" cannot be verified online; upload it.", s.name),
            )),
            Some(_) => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sample_value_passes_its_own_kind() {
        for kind in FieldKind::ALL {
            let field = FormField {
                key: "f".into(),
                label: "字段".into(),
                kind: kind.as_str().into(),
                required: true,
            };
            let values: BTreeMap<String, String> =
                [("f".to_string(), kind.sample_value().to_string())].into();
            let r = validate_form(std::slice::from_ref(&field), &values, FormMode::Submit);
            assert!(r.is_ok(), "{kind:?}: {:?}", r.err());
        }
    }

    use super::*;
    use crate::catalog::MaterialForm;
    use crate::ids::id_number_check_char;
    use proptest::prelude::*;

    fn field(key: &str, kind: &str, required: bool) -> FormField {
        FormField {
            key: key.into(),
            label: format!("标签{key}"),
            kind: kind.into(),
            required,
        }
    }

    fn fields() -> Vec<FormField> {
        vec![
            field("name", "text", true),
            field("born", "date", false),
            field("area", "number", false),
            field("id", "id_number", true),
            field("code", "credit_code", false),
            field("tel", "phone", true),
            field("addr", "address", false),
            field("misc", "colour", false),
        ]
    }

    fn vals(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn id() -> String {
        let first = "11010519491231002";
        format!("{first}{}", id_number_check_char(first).unwrap())
    }

    #[test]
    fn a_good_form_is_normalised() {
        let idx = id().to_lowercase();
        let out = validate_form(
            &fields(),
            &vals(&[
                ("name", " 张三 "),
                ("born", "1949-12-31"),
                ("area", "12.50"),
                ("id", &idx),
                ("tel", "0571-87654321"),
                ("addr", "杭州市西湖区某路1号"),
                ("misc", "红"),
            ]),
            FormMode::Submit,
        )
        .unwrap();
        assert_eq!(out["name"], "张三");
        assert_eq!(out["area"], "12.5");
        assert_eq!(out["id"], id());
        assert_eq!(out["tel"], "0571-87654321");
        assert_eq!(out["misc"], "红");
        assert!(!out.contains_key("code"));
    }

    #[test]
    fn every_error_is_reported_with_its_field_and_code() {
        let errs = validate_form(
            &fields(),
            &vals(&[
                ("born", "1949-02-30"),
                ("area", "1e5"),
                ("id", "110105194912310021"),
                ("code", "abc"),
                ("tel", "12345"),
                ("addr", "杭州"),
                ("extra", "x"),
            ]),
            FormMode::Submit,
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("name", "form.required"),
                ("born", "form.date"),
                ("area", "form.number"),
                ("id", "id_number.checksum"),
                ("code", "credit_code.length"),
                ("tel", "form.phone"),
                ("addr", "form.address"),
                ("extra", "form.unknown_field"),
            ]
        );
        assert!(errs[0].message.contains("标签name"));
        assert!(errs.iter().all(|e| !e.message_en.is_empty()));
    }

    #[test]
    fn a_draft_saves_half_filled_forms_but_not_unknown_or_oversized_fields() {
        let out = validate_form(&fields(), &vals(&[("born", "not yet")]), FormMode::Draft).unwrap();
        assert_eq!(out["born"], "not yet");
        let long = "长".repeat(501);
        let errs = validate_form(
            &fields(),
            &vals(&[("name", &long), ("x", "1")]),
            FormMode::Draft,
        )
        .unwrap_err();
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["form.too_long", "form.unknown_field"]);
        let errs =
            validate_form(&fields(), &vals(&[("name", "a\u{0}b")]), FormMode::Draft).unwrap_err();
        assert_eq!(errs[0].code, "form.control_character");
    }

    #[test]
    fn phones() {
        let f = field("tel", "phone", true);
        for ok in [
            "13800138000",
            "+86 138 0013 8000",
            "010-12345678",
            "075512345678",
            "0571-8765432-801",
            "400-800-1234",
        ] {
            assert!(check_value(&f, FieldKind::Phone, ok).is_ok(), "{ok}");
        }
        for bad in ["12345", "12345678", "1-800-123", "0571-123"] {
            assert!(check_value(&f, FieldKind::Phone, bad).is_err(), "{bad}");
        }
    }

    fn mats() -> Vec<Material> {
        let m = |name: &str, required, online| Material {
            name: name.into(),
            form: MaterialForm::Original,
            count: 1,
            required,
            verified_online: online,
            blank_form: None,
            sample: None,
        };
        vec![
            m("申请书", true, false),
            m("营业执照", true, true),
            m("其他", false, false),
        ]
    }

    #[test]
    fn uploads_are_checked_against_the_limits() {
        let l = UploadLimits::default();
        let req = |m: &str, size, t: &str| UploadRequest {
            material: m.into(),
            size,
            media_type: t.into(),
        };
        assert!(check_upload(&mats(), &req("申请书", 1000, "application/pdf"), 0, 0, &l).is_ok());
        assert!(
            check_upload(
                &mats(),
                &req("申请书", 1000, "Image/JPEG; charset=binary"),
                0,
                0,
                &l
            )
            .is_ok()
        );
        let code = |r, n, b| check_upload(&mats(), &r, n, b, &l).unwrap_err().code;
        assert_eq!(
            code(req("户口本", 1, "application/pdf"), 0, 0),
            "upload.unknown_material"
        );
        assert_eq!(
            code(req("申请书", 0, "application/pdf"), 0, 0),
            "upload.empty"
        );
        assert_eq!(
            code(req("申请书", 20 * 1024 * 1024 + 1, "application/pdf"), 0, 0),
            "upload.too_large"
        );
        assert_eq!(
            code(req("申请书", 10, "application/x-msdownload"), 0, 0),
            "upload.media_type"
        );
        assert_eq!(
            code(req("申请书", 10, "application/pdf"), 10, 0),
            "upload.too_many_files"
        );
        assert_eq!(
            code(
                req("申请书", 10, "application/pdf"),
                0,
                200 * 1024 * 1024 - 5
            ),
            "upload.case_too_large"
        );
        let p: crate::Problem = check_upload(
            &mats(),
            &req("申请书", u64::MAX, "application/pdf"),
            0,
            0,
            &l,
        )
        .unwrap_err()
        .into();
        assert_eq!(p.kind, ProblemKind::TooLarge);
        assert!(p.message.contains("20 MB"));
    }

    #[test]
    fn a_submission_needs_every_required_material() {
        let s = |name: &str, files: &[&str], online| SubmittedMaterial {
            name: name.into(),
            files: files.iter().map(|f| f.to_string()).collect(),
            verified_online: online,
        };
        assert!(
            check_materials_for_submit(
                &mats(),
                &[s("申请书", &["a"], false), s("营业执照", &[], true)]
            )
            .is_empty()
        );
        let errs = check_materials_for_submit(
            &mats(),
            &[s("申请书", &[], true), s("护照", &["b"], false)],
        );
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "form.material_required",
                "form.material_required",
                "form.material_not_verifiable",
                "upload.unknown_material"
            ]
        );
    }

    proptest! {
        /// Validation is idempotent: normalised output validates to itself.
        #[test]
        fn normalising_twice_changes_nothing(name in "[a-z张三李四 ]{0,12}", num in -100000i64..100000, scale in 0u32..4, y in 1900i32..2100, m in 1u32..13, d in 1u32..29) {
            let values = vals(&[("name", &name), ("area", &Decimal::new(num, scale).to_string()), ("born", &format!("{y}-{m:02}-{d:02}")), ("id", &id()), ("tel", "13800138000")]);
            if let Ok(once) = validate_form(&fields(), &values, FormMode::Submit) {
                let twice = validate_form(&fields(), &once, FormMode::Submit).unwrap();
                prop_assert_eq!(once, twice);
            } else {
                prop_assert!(name.trim().is_empty());
            }
        }

        /// A required field left empty is always reported on submit, never on a draft.
        #[test]
        fn required_fields(blank in "[ \t]{0,3}") {
            let v = vals(&[("name", &blank)]);
            let sub = validate_form(&fields(), &v, FormMode::Submit).unwrap_err();
            prop_assert!(sub.iter().any(|e| e.field == "name" && e.code == "form.required"));
            prop_assert!(validate_form(&fields(), &v, FormMode::Draft).is_ok());
        }
    }
}
