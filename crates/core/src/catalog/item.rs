//! 政务服务事项: a service item's national basic elements (GB/T 39554.1, 国办函〔2016〕108号) and the
//! rules a version must satisfy before it can be saved.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 事项类型: the power-list types (权力清单) plus public services.
    ItemType {
        /// 行政许可
        Licence = "licence", "行政许可", "Administrative licence";
        /// 行政处罚
        Penalty = "penalty", "行政处罚", "Administrative penalty";
        /// 行政强制措施
        CoerciveMeasure = "coercive_measure", "行政强制措施", "Administrative coercive measure";
        /// 行政强制执行
        CoerciveEnforcement = "coercive_enforcement", "行政强制执行", "Administrative enforcement";
        /// 行政征收
        Levy = "levy", "行政征收", "Administrative levy";
        /// 行政给付
        Benefit = "benefit", "行政给付", "Administrative benefit";
        /// 行政检查(监督检查)
        Inspection = "inspection", "行政检查", "Administrative inspection";
        /// 行政确认
        Confirmation = "confirmation", "行政确认", "Administrative confirmation";
        /// 行政奖励
        Reward = "reward", "行政奖励", "Administrative reward";
        /// 行政裁决
        Adjudication = "adjudication", "行政裁决", "Administrative adjudication";
        /// 其他行政权力
        OtherPower = "other_power", "其他行政权力", "Other administrative power";
        /// 公共服务
        PublicService = "public_service", "公共服务", "Public service";
    }
}

impl ItemType {
    /// The two-digit type code that starts an item code (docs/catalog-csv.md).
    pub fn code(self) -> &'static str {
        match self {
            ItemType::Licence => "01",
            ItemType::Penalty => "02",
            ItemType::CoerciveMeasure => "03",
            ItemType::CoerciveEnforcement => "04",
            ItemType::Levy => "05",
            ItemType::Benefit => "06",
            ItemType::Inspection => "07",
            ItemType::Confirmation => "08",
            ItemType::Reward => "09",
            ItemType::Adjudication => "10",
            ItemType::OtherPower => "11",
            ItemType::PublicService => "12",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ItemType::ALL.iter().copied().find(|t| t.code() == code)
    }
}

string_enum! {
    /// 行使层级: the level that exercises the item.
    Level {
        Province = "province", "省级", "Province";
        City = "city", "市级", "City";
        County = "county", "县级", "County";
        Township = "township", "乡镇级", "Township";
        Village = "village", "村级", "Village";
    }
}

string_enum! {
    /// 材料形式
    MaterialForm {
        Original = "original", "原件", "Original";
        Copy = "copy", "复印件", "Copy";
        OriginalAndCopy = "original_and_copy", "原件和复印件", "Original and copy";
        ELicence = "e_licence", "电子证照", "Electronic licence";
    }
}

string_enum! {
    /// 办件类型: decided on the spot, or within the promised limit.
    HandlingKind {
        /// 即办件
        Immediate = "immediate", "即办件", "Decided on the spot";
        /// 承诺件
        Promised = "promised", "承诺件", "Decided within the promised limit";
    }
}

string_enum! {
    /// 通办范围
    TongBanScope {
        /// 同城通办
        City = "city", "同城通办", "Any hall in the city";
        /// 省内通办
        Province = "province", "省内通办", "Anywhere in the province";
        /// 跨省通办
        CrossProvince = "cross_province", "跨省通办", "Across provinces";
    }
}

string_enum! {
    /// 通办方式
    TongBanMode {
        /// 全程网办
        FullyOnline = "fully_online", "全程网办", "Fully online";
        /// 异地代收代办
        ProxyAcceptance = "proxy_acceptance", "异地代收代办", "Accepted elsewhere on behalf";
        /// 多地联办
        JointHandling = "joint_handling", "多地联办", "Handled jointly by several places";
    }
}

string_enum! {
    /// 结果类型
    ResultType {
        Licence = "licence", "证照", "Licence or certificate";
        ApprovalDocument = "approval_document", "批准文书", "Approval document";
        FilingReceipt = "filing_receipt", "备案回执", "Filing receipt";
        Other = "other", "其他", "Other";
    }
}

string_enum! {
    /// 送达方式
    DeliveryMode {
        Window = "window", "窗口领取", "Collect at the window";
        Post = "post", "邮政寄递", "By post";
        ELicence = "e_licence", "电子证照", "Electronic licence";
        SelfPrint = "self_print", "自助打印", "Self-service printing";
    }
}

/// 设定/实施依据: one legal basis (law and article).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Basis {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub title: String,
    pub article: String,
}

/// 特别程序: a procedure that stops the clock (听证, 专家评审, 现场勘查, 检验检测 …) with its own limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialProcedure {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub limit_days: u32,
}

/// 申请材料: one required (or optional) material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    pub form: MaterialForm,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub count: u32,
    pub required: bool,
    /// 免提交/网络核验: can be verified online instead of submitted.
    pub verified_online: bool,
    /// Blank form (空白表格) to download, a catalogue file id.
    #[serde(default)]
    pub blank_form: Option<String>,
    /// Filled sample (示例样表), a catalogue file id.
    #[serde(default)]
    pub sample: Option<String>,
}

/// 收费: one fee with its basis; no fees means free (不收费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    /// Yuan, at least 0, with at most two decimals (a JSON string, e.g. "12.50").
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, pattern = r"^[0-9]+(\.[0-9]{1,2})?$", example = "12.50")
    )]
    pub amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub basis: String,
}

/// 通办: where else the item can be handled, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TongBan {
    pub scope: TongBanScope,
    pub mode: TongBanMode,
}

/// 办理流程: one step and the role that performs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    /// A `Role` text: window_officer, approving_officer, department_head, centre_manager.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(window_officer|approving_officer|department_head|centre_manager)$")
    )]
    pub role: String,
    pub limit_days: u32,
}

/// A field of the online application form; keys are shared so bundles can merge forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// Lower-case letters, digits and `_`, 1 to 40 characters; unique within the item.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_]{1,40}$"))]
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub label: String,
    /// text, date, number, id_number, credit_code, phone, address
    pub kind: String,
    pub required: bool,
}

/// Every element of one version of a service item. A published version is frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemBody {
    pub code: ItemCode,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// 俗称: everyday names (at most 20, each 1 to 30 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_items = 20, inline, value_type = Vec<AliasText>)
    )]
    pub aliases: Vec<String>,
    /// Must match the first two digits of `code`.
    pub item_type: ItemType,
    pub level: Level,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub legal_basis: Vec<Basis>,
    /// 法定办结时限 (working days).
    #[cfg_attr(feature = "openapi", schema(maximum = 365))]
    pub legal_limit_days: u32,
    /// 承诺办结时限 (working days), ≤ the legal limit (0 for on-the-spot items); what
    /// supervision watches.
    #[cfg_attr(feature = "openapi", schema(maximum = 365))]
    pub promised_limit_days: u32,
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedure>,
    pub materials: Vec<Material>,
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// 网上可办
    pub online: bool,
    /// 全程网办
    pub fully_online: bool,
    /// 最多跑一次
    pub at_most_once: bool,
    pub handling_kind: HandlingKind,
    #[serde(default)]
    pub tongban: Vec<TongBan>,
    /// 办理流程: their limits add up to at most the item's limit.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub steps: Vec<Step>,
    pub result_type: ResultType,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub result_name: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub delivery_modes: Vec<DeliveryMode>,
    /// 受理条件
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub conditions: String,
    /// 事项说明
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub consult_phone: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub complaint_phone: String,
    #[serde(default)]
    pub form_fields: Vec<FormField>,
}

/// 事项编码: 12 digits — type code (2) + sector (4) + main item (3) + sub item (3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, pattern = "^(0[1-9]|1[0-2])[0-9]{10}$", example = "011000101000")
)]
#[serde(try_from = "String", into = "String")]
pub struct ItemCode(String);

impl ItemCode {
    pub fn parse(s: &str) -> Result<Self, Problem> {
        let s = s.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::invalid(
                "item.code_format",
                format!("事项编码应为12位数字,当前为“{s}”"),
                format!("An item code is 12 digits, found \"{s}\""),
            ));
        }
        if ItemType::from_code(&s[..2]).is_none() {
            return Err(Problem::invalid(
                "item.code_type",
                format!("事项编码前两位“{}”不是有效的事项类型代码", &s[..2]),
                format!(
                    "The first two digits \"{}\" are not an item-type code",
                    &s[..2]
                ),
            ));
        }
        Ok(ItemCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn item_type(&self) -> ItemType {
        ItemType::from_code(&self.0[..2]).expect("checked at parse")
    }
}

impl TryFrom<String> for ItemCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ItemCode::parse(&s).map_err(|p| p.message_en)
    }
}

impl From<ItemCode> for String {
    fn from(c: ItemCode) -> String {
        c.0
    }
}

impl std::fmt::Display for ItemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rule a version breaks: which field, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

fn fe(field: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: zh,
        message_en: en,
    }
}

const STEP_ROLES: &[&str] = &[
    "window_officer",
    "approving_officer",
    "department_head",
    "centre_manager",
];

/// The schema of one alias (俗称) in the OpenAPI document: 1 to 30 characters.
#[cfg(feature = "openapi")]
pub struct AliasText;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AliasText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(30))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AliasText {}

/// The longest legal limit accepted (a year of working days).
pub const MAX_LIMIT_DAYS: u32 = 365;

impl ItemBody {
    /// Every rule of a saveable version; empty when it is valid.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let text = |errs: &mut Vec<FieldError>, field: &str, zh: &str, v: &str, max: usize| {
            let n = v.trim().chars().count();
            if n == 0 || n > max {
                errs.push(fe(
                    field,
                    "item.text_length",
                    format!("{zh}不能为空且不超过{max}个字符"),
                    format!("{field} must be 1 to {max} characters"),
                ));
            }
        };
        text(&mut errs, "name", "事项名称", &self.name, 100);
        text(&mut errs, "result_name", "结果名称", &self.result_name, 100);
        text(&mut errs, "conditions", "受理条件", &self.conditions, 2000);
        text(
            &mut errs,
            "consult_phone",
            "咨询电话",
            &self.consult_phone,
            50,
        );
        text(
            &mut errs,
            "complaint_phone",
            "投诉电话",
            &self.complaint_phone,
            50,
        );
        if self.description.chars().count() > 4000 {
            errs.push(fe(
                "description",
                "item.text_length",
                "事项说明不超过4000个字符".into(),
                "description is at most 4000 characters".into(),
            ));
        }
        if self.aliases.len() > 20
            || self
                .aliases
                .iter()
                .any(|a| a.trim().is_empty() || a.chars().count() > 30)
        {
            errs.push(fe(
                "aliases",
                "item.aliases",
                "俗称最多20个,每个1至30个字符".into(),
                "At most 20 aliases of 1 to 30 characters".into(),
            ));
        }
        if self.code.item_type() != self.item_type {
            errs.push(fe(
                "item_type",
                "item.type_mismatch",
                format!(
                    "事项类型“{}”与编码前两位“{}”不符",
                    self.item_type.label_zh(),
                    &self.code.as_str()[..2]
                ),
                format!(
                    "Item type {} does not match code prefix {}",
                    self.item_type.label_en(),
                    &self.code.as_str()[..2]
                ),
            ));
        }
        if self.legal_basis.is_empty() || self.legal_basis.iter().any(|b| b.title.trim().is_empty())
        {
            errs.push(fe(
                "legal_basis",
                "item.legal_basis",
                "须填写设定或实施依据".into(),
                "A legal basis is required".into(),
            ));
        }
        if self.legal_limit_days > MAX_LIMIT_DAYS {
            errs.push(fe(
                "legal_limit_days",
                "item.limit_range",
                format!("法定时限不得超过{MAX_LIMIT_DAYS}个工作日"),
                format!("The legal limit is at most {MAX_LIMIT_DAYS} working days"),
            ));
        }
        if self.promised_limit_days > self.legal_limit_days {
            errs.push(fe(
                "promised_limit_days",
                "item.promised_exceeds_legal",
                format!(
                    "承诺时限({})不得超过法定时限({})",
                    self.promised_limit_days, self.legal_limit_days
                ),
                format!(
                    "The promised limit ({}) may not exceed the legal limit ({})",
                    self.promised_limit_days, self.legal_limit_days
                ),
            ));
        }
        if self.handling_kind == HandlingKind::Immediate && self.promised_limit_days != 0 {
            errs.push(fe(
                "handling_kind",
                "item.immediate_limit",
                "即办件的承诺时限应为0".into(),
                "An on-the-spot item has a promised limit of 0".into(),
            ));
        }
        for p in &self.special_procedures {
            if p.name.trim().is_empty() || p.limit_days == 0 || p.limit_days > MAX_LIMIT_DAYS {
                errs.push(fe("special_procedures", "item.special_procedure", format!("特别程序“{}”须有名称和1至{MAX_LIMIT_DAYS}个工作日的时限", p.name), format!("Special procedure \"{}\" needs a name and a limit of 1 to {MAX_LIMIT_DAYS} days", p.name)));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for m in &self.materials {
            if m.name.trim().is_empty()
                || m.name.chars().count() > 100
                || m.count == 0
                || m.count > 99
            {
                errs.push(fe(
                    "materials",
                    "item.material",
                    format!("材料“{}”须有名称且份数为1至99", m.name),
                    format!(
                        "Material \"{}\" needs a name and a count of 1 to 99",
                        m.name
                    ),
                ));
            }
            if !seen.insert(m.name.trim()) {
                errs.push(fe(
                    "materials",
                    "item.material_duplicate",
                    format!("材料“{}”重复", m.name),
                    format!("Material \"{}\" is listed twice", m.name),
                ));
            }
        }
        if self.materials.is_empty() && self.handling_kind != HandlingKind::Immediate {
            errs.push(fe(
                "materials",
                "item.materials_required",
                "承诺件须列明申请材料".into(),
                "Items decided within a limit must list their materials".into(),
            ));
        }
        for f in &self.fees {
            if f.name.trim().is_empty()
                || f.basis.trim().is_empty()
                || f.amount < Decimal::ZERO
                || f.amount.scale() > 2
            {
                errs.push(fe("fees", "item.fee", format!("收费“{}”须有名称、依据和不小于0且最多两位小数的金额", f.name), format!("Fee \"{}\" needs a name, a basis and an amount ≥ 0 with at most 2 decimals", f.name)));
            }
        }
        if self.fully_online && !self.online {
            errs.push(fe(
                "fully_online",
                "item.flags",
                "全程网办的事项必须网上可办".into(),
                "A fully-online item must be available online".into(),
            ));
        }
        if self.steps.is_empty() {
            errs.push(fe(
                "steps",
                "item.steps_required",
                "须列明办理流程".into(),
                "The process steps are required".into(),
            ));
        }
        for s in &self.steps {
            if s.name.trim().is_empty() || !STEP_ROLES.contains(&s.role.as_str()) {
                errs.push(fe(
                    "steps",
                    "item.step",
                    format!("环节“{}”须有名称和有效角色", s.name),
                    format!("Step \"{}\" needs a name and a valid role", s.name),
                ));
            }
        }
        let step_days: u32 = self.steps.iter().map(|s| s.limit_days).sum();
        if step_days > self.promised_limit_days.max(self.legal_limit_days) {
            errs.push(fe(
                "steps",
                "item.step_days",
                format!("各环节时限之和({step_days})超过办结时限"),
                format!("The steps' limits ({step_days}) exceed the item's limit"),
            ));
        }
        if self.delivery_modes.is_empty() {
            errs.push(fe(
                "delivery_modes",
                "item.delivery",
                "须至少一种送达方式".into(),
                "At least one delivery mode is required".into(),
            ));
        }
        let mut keys = std::collections::HashSet::new();
        for f in &self.form_fields {
            let ok_key = !f.key.is_empty()
                && f.key.len() <= 40
                && f.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok_key || f.label.trim().is_empty() || !keys.insert(f.key.as_str()) {
                errs.push(fe(
                    "form_fields",
                    "item.form_field",
                    format!("申请表字段“{}”无效或重复", f.key),
                    format!("Form field \"{}\" is invalid or repeated", f.key),
                ));
            }
        }
        errs
    }

    /// The flags used for filtering and display.
    pub fn flag_keys(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.online {
            v.push("online");
        }
        if self.fully_online {
            v.push("fully_online");
        }
        if self.at_most_once {
            v.push("at_most_once");
        }
        if self.handling_kind == HandlingKind::Immediate {
            v.push("immediate");
        }
        v
    }

    /// 六公开 — whether all six openness elements are present: content, procedure, basis,
    /// materials, promised time limit, fees (no fee = stated as free).
    pub fn six_openness_complete(&self) -> bool {
        !self.conditions.trim().is_empty()
            && !self.steps.is_empty()
            && !self.legal_basis.is_empty()
            && (!self.materials.is_empty() || self.handling_kind == HandlingKind::Immediate)
    }
}

/// The rules of 四级四同 when a lower organisation claims a base item into its implementation
/// list: name, code, type and legal basis stay identical; its own limits stay within the legal one.
pub fn check_claim(base: &ItemBody, claimed: &ItemBody) -> Vec<FieldError> {
    let mut errs = claimed.check();
    let same = base.code == claimed.code
        && base.name == claimed.name
        && base.item_type == claimed.item_type
        && base.legal_basis == claimed.legal_basis;
    if !same {
        errs.push(fe(
            "code",
            "claim.identity_changed",
            "认领事项的名称、编码、类型和依据必须与基本目录一致".into(),
            "A claimed item keeps the base item's name, code, type and legal basis".into(),
        ));
    }
    if claimed.legal_limit_days != base.legal_limit_days {
        errs.push(fe(
            "legal_limit_days",
            "claim.legal_limit_changed",
            "法定时限由法律规定,认领时不得更改".into(),
            "The legal limit is set by law and cannot change when claiming".into(),
        ));
    }
    errs
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> ItemBody {
        ItemBody {
            code: ItemCode::parse("011000101000").unwrap(),
            name: "食品经营许可(新办)".into(),
            aliases: vec!["开饭店".into(), "开餐馆".into()],
            item_type: ItemType::Licence,
            level: Level::City,
            legal_basis: vec![Basis {
                title: "《中华人民共和国食品安全法》".into(),
                article: "第三十五条".into(),
            }],
            legal_limit_days: 10,
            promised_limit_days: 5,
            special_procedures: vec![SpecialProcedure {
                name: "现场核查".into(),
                limit_days: 10,
            }],
            materials: vec![Material {
                name: "食品经营许可申请书".into(),
                form: MaterialForm::Original,
                count: 1,
                required: true,
                verified_online: false,
                blank_form: None,
                sample: None,
            }],
            fees: vec![],
            online: true,
            fully_online: true,
            at_most_once: true,
            handling_kind: HandlingKind::Promised,
            tongban: vec![TongBan {
                scope: TongBanScope::City,
                mode: TongBanMode::FullyOnline,
            }],
            steps: vec![
                Step {
                    name: "受理".into(),
                    role: "window_officer".into(),
                    limit_days: 1,
                },
                Step {
                    name: "审查".into(),
                    role: "approving_officer".into(),
                    limit_days: 3,
                },
            ],
            result_type: ResultType::Licence,
            result_name: "食品经营许可证".into(),
            delivery_modes: vec![DeliveryMode::Window, DeliveryMode::ELicence],
            conditions: "依法取得营业执照的市场主体".into(),
            description: String::new(),
            consult_phone: "0527-84000000".into(),
            complaint_phone: "12345".into(),
            form_fields: vec![FormField {
                key: "company_name".into(),
                label: "企业名称".into(),
                kind: "text".into(),
                required: true,
            }],
        }
    }

    #[test]
    fn a_complete_item_is_valid() {
        assert_eq!(sample().check(), vec![]);
        assert!(sample().six_openness_complete());
    }

    #[test]
    fn the_promised_limit_may_not_exceed_the_legal_one() {
        let mut b = sample();
        b.promised_limit_days = 11;
        assert!(
            b.check()
                .iter()
                .any(|e| e.code == "item.promised_exceeds_legal")
        );
    }

    #[test]
    fn type_and_code_must_agree() {
        let mut b = sample();
        b.item_type = ItemType::PublicService;
        assert!(b.check().iter().any(|e| e.code == "item.type_mismatch"));
        assert!(ItemCode::parse("991000101000").is_err());
        assert!(ItemCode::parse("0110001010").is_err());
        assert_eq!(
            ItemCode::parse("121000101000").unwrap().item_type(),
            ItemType::PublicService
        );
    }

    #[test]
    fn flags_must_be_consistent() {
        let mut b = sample();
        b.online = false;
        assert!(b.check().iter().any(|e| e.code == "item.flags"));
        let mut b = sample();
        b.handling_kind = HandlingKind::Immediate;
        assert!(b.check().iter().any(|e| e.code == "item.immediate_limit"));
    }

    #[test]
    fn fees_need_a_basis_and_two_decimals() {
        let mut b = sample();
        b.fees.push(Fee {
            name: "工本费".into(),
            amount: Decimal::new(2000, 2),
            basis: "价格主管部门文件".into(),
        });
        assert_eq!(b.check(), vec![]);
        b.fees.push(Fee {
            name: "x".into(),
            amount: Decimal::new(1, 3),
            basis: "y".into(),
        });
        assert!(b.check().iter().any(|e| e.code == "item.fee"));
    }

    #[test]
    fn claiming_keeps_identity_and_legal_limit() {
        let base = sample();
        let mut claimed = base.clone();
        claimed.promised_limit_days = 3;
        assert_eq!(check_claim(&base, &claimed), vec![]);
        claimed.name = "别的名字".into();
        assert!(
            check_claim(&base, &claimed)
                .iter()
                .any(|e| e.code == "claim.identity_changed")
        );
        let mut c2 = base.clone();
        c2.legal_limit_days = 20;
        assert!(
            check_claim(&base, &c2)
                .iter()
                .any(|e| e.code == "claim.legal_limit_changed")
        );
    }

    #[test]
    fn every_type_has_a_distinct_code() {
        let mut codes: Vec<&str> = ItemType::ALL.iter().map(|t| t.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 12);
        for t in ItemType::ALL {
            assert_eq!(ItemType::from_code(t.code()), Some(*t));
            assert_eq!(ItemType::from_label(t.label_zh()), Some(*t));
        }
    }
}
