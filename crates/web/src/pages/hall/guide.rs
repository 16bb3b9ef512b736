//! 看: one version of an item as the guide shows it (办事指南, 六公开).

use yiwang_app::catalog::items;
use yiwang_core::catalog::{HandlingKind, ItemBody, ItemStatus, Material};

use super::{Badge, badges, role_label};
use crate::i18n::I18n;

pub struct GuideStep {
    pub name: String,
    pub role: String,
    pub days: u32,
}

pub struct GuideMaterial {
    pub name: String,
    pub form: String,
    pub count: u32,
    pub required: bool,
    pub verified_online: bool,
    pub blank: Option<String>,
    pub sample: Option<String>,
}

impl GuideMaterial {
    pub(super) fn of(i: I18n, m: &Material) -> Self {
        GuideMaterial {
            name: m.name.clone(),
            form: i.t(m.form.label_zh(), m.form.label_en()).into(),
            count: m.count,
            required: m.required,
            verified_online: m.verified_online,
            blank: m.blank_form.clone(),
            sample: m.sample.clone(),
        }
    }
}

pub struct GuideFee {
    pub name: String,
    pub amount: String,
    pub basis: String,
}

pub struct NamedDays {
    pub name: String,
    pub days: u32,
}

pub struct BasisLine {
    pub title: String,
    pub article: String,
}

/// One item version, ready to show.
pub struct Guide {
    pub id: String,
    pub code: String,
    pub name: String,
    pub aliases: String,
    pub department: String,
    pub level: String,
    pub item_type: String,
    pub suspended: bool,
    /// The item's status in the viewer's language.
    pub status: String,
    pub flags: Vec<Badge>,
    pub tongban: Vec<String>,
    pub consult_phone: String,
    pub complaint_phone: String,
    pub version: i64,
    pub frozen: bool,
    pub description: String,
    pub conditions: String,
    pub result_type: String,
    pub result_name: String,
    pub delivery: Vec<String>,
    pub steps: Vec<GuideStep>,
    pub handling_kind: String,
    pub immediate: bool,
    pub special: Vec<NamedDays>,
    pub basis: Vec<BasisLine>,
    pub materials: Vec<GuideMaterial>,
    pub legal_limit: u32,
    pub promised_limit: u32,
    pub fees: Vec<GuideFee>,
}

pub(super) fn guide_of(i: I18n, view: items::ItemView) -> Guide {
    let b: ItemBody = view.body;
    let flags: Vec<String> = b.flag_keys().into_iter().map(String::from).collect();
    Guide {
        id: view.item.id,
        code: b.code.to_string(),
        name: b.name.clone(),
        aliases: b.aliases.join("、"),
        department: view.organisation.name,
        level: i.t(b.level.label_zh(), b.level.label_en()).into(),
        item_type: i.t(b.item_type.label_zh(), b.item_type.label_en()).into(),
        suspended: ItemStatus::parse(&view.item.status) == Some(ItemStatus::Suspended),
        status: ItemStatus::parse(&view.item.status)
            .map(|s| i.t(s.label_zh(), s.label_en()).to_string())
            .unwrap_or_default(),
        flags: badges(i, &flags),
        tongban: b
            .tongban
            .iter()
            .map(|t| {
                format!(
                    "{}({})",
                    i.t(t.scope.label_zh(), t.scope.label_en()),
                    i.t(t.mode.label_zh(), t.mode.label_en())
                )
            })
            .collect(),
        consult_phone: b.consult_phone.clone(),
        complaint_phone: b.complaint_phone.clone(),
        version: view.version,
        frozen: view.frozen,
        description: b.description.clone(),
        conditions: b.conditions.clone(),
        result_type: i
            .t(b.result_type.label_zh(), b.result_type.label_en())
            .into(),
        result_name: b.result_name.clone(),
        delivery: b
            .delivery_modes
            .iter()
            .map(|d| i.t(d.label_zh(), d.label_en()).to_string())
            .collect(),
        steps: b
            .steps
            .iter()
            .map(|s| GuideStep {
                name: s.name.clone(),
                role: role_label(i, &s.role),
                days: s.limit_days,
            })
            .collect(),
        handling_kind: i
            .t(b.handling_kind.label_zh(), b.handling_kind.label_en())
            .into(),
        immediate: b.handling_kind == HandlingKind::Immediate,
        special: b
            .special_procedures
            .iter()
            .map(|p| NamedDays {
                name: p.name.clone(),
                days: p.limit_days,
            })
            .collect(),
        basis: b
            .legal_basis
            .iter()
            .map(|x| BasisLine {
                title: x.title.clone(),
                article: x.article.clone(),
            })
            .collect(),
        materials: b
            .materials
            .iter()
            .map(|m| GuideMaterial::of(i, m))
            .collect(),
        legal_limit: b.legal_limit_days,
        promised_limit: b.promised_limit_days,
        fees: b
            .fees
            .iter()
            .map(|f| GuideFee {
                name: f.name.clone(),
                amount: format!("{:.2}", f.amount),
                basis: f.basis.clone(),
            })
            .collect(),
    }
}
