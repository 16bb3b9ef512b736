//! The item editor's inputs: one per column of docs/catalog-csv.md, with its label, kind and
//! help; the form's values turned into one row of the table (and back).

use std::collections::HashMap;

use yiwang_core::catalog::table::{COLUMNS, format_item};
use yiwang_core::catalog::{HandlingKind, ItemType, Level, ResultType};

use crate::i18n::I18n;

/// How a column is edited.
#[derive(Clone, Copy)]
enum Input {
    Text,
    Number,
    Area,
    /// One entry per line; the help explains the `a|b|c` format.
    List(&'static str, &'static str),
    YesNo,
    /// One of the values of a core enum, by its Chinese label (the table format's value).
    Choice(fn() -> Vec<(&'static str, &'static str)>),
}

/// The (Chinese, English) labels of every value of a `string_enum!` type, in its order.
macro_rules! labels_of {
    ($t:ty) => {
        || {
            <$t>::ALL
                .iter()
                .map(|v| (v.label_zh(), v.label_en()))
                .collect()
        }
    };
}

/// The label, input and help of every editable column (docs/catalog-csv.md).
fn column(key: &str) -> Option<(&'static str, &'static str, Input)> {
    use Input::*;
    Some(match key {
        "code" => ("事项编码", "Item code", Text),
        "name" => ("事项名称", "Name", Text),
        "aliases" => (
            "俗称/关键词",
            "Aliases",
            List(
                "每行一个群众常用的说法,例如:开饭店",
                "One everyday word per line, e.g. 开饭店",
            ),
        ),
        "item_type" => ("事项类型", "Item type", Choice(labels_of!(ItemType))),
        "level" => ("行使层级", "Level", Choice(labels_of!(Level))),
        "legal_basis" => (
            "设定/实施依据",
            "Legal basis",
            List(
                "每行一条:法规名称|条款,例如:《中华人民共和国食品安全法》|第三十五条",
                "One per line: title|article, e.g. 《中华人民共和国食品安全法》|第三十五条",
            ),
        ),
        "legal_limit_days" => ("法定办结时限(工作日)", "Legal limit (working days)", Number),
        "promised_limit_days" => (
            "承诺办结时限(工作日)",
            "Promised limit (working days)",
            Number,
        ),
        "special_procedures" => (
            "特别程序",
            "Special procedures",
            List(
                "每行一条:名称|时限(工作日),例如:现场勘查|10",
                "One per line: name|limit in working days, e.g. 现场勘查|10",
            ),
        ),
        "materials" => (
            "申请材料",
            "Materials",
            List(
                "每行一项:名称|形式|份数|必要性|免提交。形式:原件、复印件、原件和复印件、电子证照;必要性:必要或非必要;免提交:是或否。例如:营业执照|电子证照|1|必要|是",
                "One per line: name|form|copies|必要 or 非必要|免提交 是 or 否; forms 原件, 复印件, 原件和复印件, 电子证照. E.g. 营业执照|电子证照|1|必要|是",
            ),
        ),
        "fees" => (
            "收费",
            "Fees",
            List(
                "每行一项:收费项目|金额(元,最多两位小数)|收费依据;不收费请留空",
                "One per line: fee|amount in yuan (2 decimals)|basis; leave empty when free",
            ),
        ),
        "online" => ("网上可办", "Available online", YesNo),
        "fully_online" => ("全程网办", "Fully online", YesNo),
        "at_most_once" => ("最多跑一次", "At most one visit", YesNo),
        "handling_kind" => ("办件类型", "Handling", Choice(labels_of!(HandlingKind))),
        "tongban" => (
            "通办范围",
            "Handled elsewhere (通办)",
            List(
                "每行一条:范围|方式。范围:同城通办、省内通办、跨省通办;方式:全程网办、异地代收代办、多地联办",
                "One per line: scope|mode; scopes 同城通办, 省内通办, 跨省通办; modes 全程网办, 异地代收代办, 多地联办",
            ),
        ),
        "steps" => (
            "办理流程",
            "Steps",
            List(
                "每行一个环节:环节名称|角色|时限(工作日)。角色:window_officer(窗口)、approving_officer(审批)、department_head(负责人)、centre_manager(中心)。例如:受理|window_officer|1",
                "One step per line: name|role|limit; roles window_officer, approving_officer, department_head, centre_manager. E.g. 受理|window_officer|1",
            ),
        ),
        "result_type" => ("结果类型", "Result type", Choice(labels_of!(ResultType))),
        "result_name" => ("结果名称", "Result name", Text),
        "delivery_modes" => (
            "送达方式",
            "Delivery",
            List(
                "每行一种:窗口领取、邮政寄递、电子证照、自助打印",
                "One per line: 窗口领取, 邮政寄递, 电子证照, 自助打印",
            ),
        ),
        "conditions" => ("受理条件", "Conditions", Area),
        "description" => ("事项说明", "Description", Area),
        "consult_phone" => ("咨询电话", "Consultation phone", Text),
        "complaint_phone" => ("投诉电话", "Complaint phone", Text),
        "form_fields" => (
            "申请表字段",
            "Application form fields",
            List(
                "每行一个字段:key|标签|类型|必填。类型:text、date、number、id_number、credit_code、phone、address;必填:是或否。例如:applicant_name|申请人姓名|text|是",
                "One per line: key|label|kind|required (是/否); kinds text, date, number, id_number, credit_code, phone, address",
            ),
        ),
        _ => return None,
    })
}

const REQUIRED_INPUTS: &[&str] = &[
    "code",
    "name",
    "legal_basis",
    "legal_limit_days",
    "promised_limit_days",
    "steps",
    "result_name",
    "delivery_modes",
    "conditions",
    "consult_phone",
    "complaint_phone",
];

pub(super) fn is_list(key: &str) -> bool {
    matches!(column(key), Some((_, _, Input::List(..))))
}

pub struct ChoiceOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct EditorField {
    pub key: &'static str,
    pub label: String,
    /// text, number, area, list, choice
    pub input: &'static str,
    pub help: String,
    pub options: Vec<ChoiceOption>,
    pub value: String,
    pub rows: usize,
    pub required: bool,
    pub readonly: bool,
    pub errors: Vec<String>,
}

/// Build the inputs from values (`key` → text) and errors (`key` → messages).
pub(super) fn editor_fields(
    i: I18n,
    values: &HashMap<String, String>,
    errors: &HashMap<String, Vec<String>>,
    code_readonly: bool,
) -> Vec<EditorField> {
    COLUMNS
        .iter()
        .filter_map(|key| {
            let (zh, en, input) = column(key)?;
            let value = values.get(*key).cloned().unwrap_or_default();
            let (kind, help, options) = match input {
                Input::Text => ("text", String::new(), Vec::new()),
                Input::Number => ("number", String::new(), Vec::new()),
                Input::Area => ("area", String::new(), Vec::new()),
                Input::List(hz, he) => ("list", i.t(hz, he).to_string(), Vec::new()),
                Input::YesNo => (
                    "choice",
                    String::new(),
                    [("是", "Yes"), ("否", "No")]
                        .iter()
                        .map(|(v, e)| ChoiceOption {
                            value: (*v).into(),
                            label: i.t(v, e).into(),
                            selected: value == *v,
                        })
                        .collect(),
                ),
                Input::Choice(opts) => (
                    "choice",
                    String::new(),
                    opts()
                        .iter()
                        .map(|(v, e)| ChoiceOption {
                            value: (*v).into(),
                            label: if i.en {
                                format!("{v} {e}")
                            } else {
                                (*v).to_string()
                            },
                            selected: value == *v,
                        })
                        .collect(),
                ),
            };
            let rows = (value.lines().count() + 1).clamp(3, 12);
            Some(EditorField {
                key,
                label: i.t(zh, en).into(),
                input: kind,
                help,
                options,
                rows,
                required: REQUIRED_INPUTS.contains(key),
                readonly: code_readonly && *key == "code",
                errors: errors.get(*key).cloned().unwrap_or_default(),
                value,
            })
        })
        .collect()
}

/// A row error's message without its "第2行“x”列:" / "line 2, column x: " prefix.
pub(super) fn bare(msg: &str) -> String {
    if let Some((_, rest)) = msg.split_once("列:") {
        return rest.to_string();
    }
    if msg.starts_with("line ")
        && let Some((_, rest)) = msg.split_once(": ")
    {
        return rest.to_string();
    }
    msg.to_string()
}

/// Values of the form turned into one row of the table (list inputs: one entry per line → `;`).
pub(super) fn form_values(pairs: &[(String, String)]) -> HashMap<String, String> {
    let mut v: HashMap<String, String> = HashMap::new();
    for (k, val) in pairs {
        if COLUMNS.contains(&k.as_str()) || k == "_csrf" {
            v.insert(k.clone(), val.replace("\r\n", "\n"));
        }
    }
    v
}

pub(super) fn to_grid(values: &HashMap<String, String>, department: &str) -> Vec<Vec<String>> {
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let row = COLUMNS
        .iter()
        .map(|key| match *key {
            "department" => department.to_string(),
            "status" => String::new(),
            k if is_list(k) => values
                .get(k)
                .map(|v| {
                    v.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            k => values.get(k).cloned().unwrap_or_default(),
        })
        .collect();
    vec![header, row]
}

/// The editor's values from a version (list cells `;` → one entry per line).
pub(super) fn values_of(
    body: &yiwang_core::catalog::ItemBody,
    dept: &str,
) -> HashMap<String, String> {
    COLUMNS
        .iter()
        .zip(format_item(body, dept, false))
        .map(|(k, v)| {
            let v = if is_list(k) { v.replace(';', "\n") } else { v };
            (k.to_string(), v)
        })
        .collect()
}

pub(super) fn new_item_defaults() -> HashMap<String, String> {
    [
        ("item_type", ItemType::Licence.label_zh()),
        ("level", Level::City.label_zh()),
        ("handling_kind", HandlingKind::Promised.label_zh()),
        ("result_type", ResultType::Licence.label_zh()),
        ("online", "是"),
        ("fully_online", "否"),
        ("at_most_once", "是"),
        ("legal_limit_days", "20"),
        ("promised_limit_days", "10"),
        ("delivery_modes", "窗口领取\n电子证照"),
        (
            "steps",
            "受理|window_officer|1\n审查|approving_officer|5\n决定|department_head|2",
        ),
        ("consult_phone", "12345"),
        ("complaint_phone", "12345"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_but_department_and_status_has_an_input() {
        for c in COLUMNS {
            assert_eq!(
                column(c).is_some(),
                !matches!(*c, "department" | "status"),
                "{c}"
            );
        }
    }

    #[test]
    fn list_inputs_become_cells() {
        let mut v = HashMap::new();
        v.insert("aliases".to_string(), "开饭店\n\n 开餐馆 \n".to_string());
        v.insert("conditions".to_string(), "a\nb".to_string());
        let g = to_grid(&v, "部门");
        let at = |k: &str| COLUMNS.iter().position(|c| *c == k).unwrap();
        assert_eq!(g[1][at("aliases")], "开饭店;开餐馆");
        assert_eq!(g[1][at("conditions")], "a\nb");
        assert_eq!(g[1][at("department")], "部门");
    }

    #[test]
    fn row_prefixes_are_dropped() {
        assert_eq!(
            bare("第2行“code”列:事项编码应为12位数字"),
            "事项编码应为12位数字"
        );
        assert_eq!(bare("line 2, column code: bad"), "bad");
        assert_eq!(bare("plain"), "plain");
    }
}
