//! 一件事一次办: one bundle application fans out into linked cases, one per item — one form
//! (split so each case keeps the fields its item asks for) and one material set (shared: each
//! case refers to the same blobs by digest, under its own item's material names).
//!
//! The merged form and material list are the catalogue's ([`merge_bundle`]); a material is the
//! same across items when the catalogue's merge says so. Each linked case keeps its own item
//! version, number and lifecycle; the bundle's promised limit, when shorter, caps each case's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::form::{FormMode, check_materials_for_submit, validate_form};
use super::lifecycle::{CaseEvent, CaseState, next_state};
use super::notice::SubmittedMaterial;
use crate::catalog::bundle::material_key;
use crate::catalog::item::FieldError;
use crate::catalog::{BundleBody, FormField, ItemBody, Material, merge_bundle};

/// One case of the fan-out, ready for the store to create (in one transaction with its siblings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedCase {
    pub item_code: String,
    /// The normalised values of the fields this item uses.
    pub form: BTreeMap<String, String>,
    /// The shared files under this item's material names (only the materials it lists).
    pub materials: Vec<SubmittedMaterial>,
    pub promised_limit_days: u32,
}

fn err(field: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: zh,
        message_en: en,
    }
}

/// Splits a bundle application. `items` are the published versions of the bundle's items (any
/// order); `form` and `materials` were filled against the merged form and list. In `Draft` mode
/// only the form's draft checks apply; in `Submit` mode the merged form and the merged material
/// list are checked in full. Every error is returned at once.
pub fn fan_out(
    bundle: &BundleBody,
    items: &[&ItemBody],
    form: &BTreeMap<String, String>,
    materials: &[SubmittedMaterial],
    mode: FormMode,
) -> Result<Vec<LinkedCase>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut ordered: Vec<&ItemBody> = Vec::new();
    for code in &bundle.item_codes {
        match items.iter().find(|i| i.code.as_str() == code) {
            Some(i) => ordered.push(i),
            None => errors.push(err(
                "items",
                "bundle.item_missing",
                format!("一件事包含的事项“{code}”未提供或未发布。"),
                format!("The bundle's item {code} is missing or not published."),
            )),
        }
    }
    for i in items {
        if !bundle.item_codes.iter().any(|c| c == i.code.as_str()) {
            errors.push(err(
                "items",
                "bundle.item_unexpected",
                format!("事项“{}”不属于该一件事。", i.name),
                format!("Item \"{}\" is not part of the bundle.", i.name),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (merged_materials, merged_fields) = merge_bundle(&ordered);
    let fields: Vec<FormField> = merged_fields
        .iter()
        .map(|f| FormField {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: f.kind.clone(),
            required: f.required,
        })
        .collect();
    let values = match validate_form(&fields, form, mode) {
        Ok(v) => v,
        Err(e) => {
            errors.extend(e);
            BTreeMap::new()
        }
    };
    if mode == FormMode::Submit {
        let list: Vec<Material> = merged_materials
            .iter()
            .map(|m| m.material.clone())
            .collect();
        errors.extend(check_materials_for_submit(&list, materials));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ordered
        .iter()
        .map(|item| LinkedCase {
            item_code: item.code.as_str().to_string(),
            form: values
                .iter()
                .filter(|(k, _)| item.form_fields.iter().any(|f| &f.key == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            materials: item
                .materials
                .iter()
                .filter_map(|m| {
                    let key = material_key(&m.name);
                    materials
                        .iter()
                        .find(|s| material_key(&s.name) == key)
                        .map(|s| SubmittedMaterial {
                            name: m.name.clone(),
                            files: s.files.clone(),
                            verified_online: s.verified_online && m.verified_online,
                        })
                })
                .collect(),
            promised_limit_days: if bundle.promised_limit_days > 0 {
                item.promised_limit_days.min(bundle.promised_limit_days)
            } else {
                item.promised_limit_days
            },
        })
        .collect())
}

/// Withdrawing a bundle withdraws each linked case that can still be withdrawn; returns their
/// indexes (the others are decided or closed and stay as they are).
pub fn withdrawable(states: &[CaseState]) -> Vec<usize> {
    states
        .iter()
        .enumerate()
        .filter(|(_, s)| next_state(**s, CaseEvent::Withdraw).is_ok())
        .map(|(i, _)| i)
        .collect()
}

/// The bundle is done (办结) when every linked case has been delivered, and still open while any
/// case is not terminal.
pub fn bundle_done(states: &[CaseState]) -> bool {
    !states.is_empty() && states.iter().all(|s| *s == CaseState::Delivered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::item::tests::sample;
    use crate::catalog::{ItemCode, MaterialForm};

    fn items() -> (ItemBody, ItemBody) {
        let a = sample();
        let mut b = sample();
        b.code = ItemCode::parse("012000101000").unwrap();
        b.name = "公章刻制备案".into();
        b.promised_limit_days = 1;
        b.materials.push(Material {
            name: "法定代表人身份证".into(),
            form: MaterialForm::Copy,
            count: 1,
            required: true,
            verified_online: true,
            blank_form: None,
            sample: None,
        });
        b.form_fields.push(FormField {
            key: "legal_rep_id".into(),
            label: "法定代表人身份证号".into(),
            kind: "id_number".into(),
            required: true,
        });
        (a, b)
    }

    fn bundle() -> BundleBody {
        BundleBody {
            code: "LE001".into(),
            name: "企业开办一件事".into(),
            aliases: vec![],
            description: String::new(),
            item_codes: vec!["011000101000".into(), "012000101000".into()],
            promised_limit_days: 3,
        }
    }

    fn id() -> String {
        let first = "11010519491231002";
        format!(
            "{first}{}",
            crate::ids::id_number_check_char(first).unwrap()
        )
    }

    #[test]
    fn one_application_fans_out_with_split_form_and_shared_materials() {
        let (a, b) = items();
        let form: BTreeMap<String, String> = [
            ("company_name", " 某某餐饮有限公司 "),
            ("legal_rep_id", id().as_str()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mats = vec![
            SubmittedMaterial {
                name: "食品经营许可申请书".into(),
                files: vec!["d1".into()],
                verified_online: false,
            },
            SubmittedMaterial {
                name: "法定代表人身份证".into(),
                files: vec![],
                verified_online: true,
            },
        ];
        let cases = fan_out(&bundle(), &[&b, &a], &form, &mats, FormMode::Submit).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].item_code, "011000101000");
        assert_eq!(cases[0].form.len(), 1);
        assert_eq!(cases[0].form["company_name"], "某某餐饮有限公司");
        assert_eq!(cases[1].form.len(), 2);
        assert_eq!(cases[0].materials.len(), 1);
        assert_eq!(cases[1].materials.len(), 2);
        // The same blob serves both cases.
        assert_eq!(cases[0].materials[0].files, cases[1].materials[0].files);
        assert_eq!(
            (cases[0].promised_limit_days, cases[1].promised_limit_days),
            (3, 1)
        );
    }

    #[test]
    fn errors_come_all_at_once() {
        let (a, b) = items();
        let errs = fan_out(&bundle(), &[&a], &BTreeMap::new(), &[], FormMode::Submit).unwrap_err();
        assert_eq!(errs[0].code, "bundle.item_missing");
        let mut c = b.clone();
        c.code = ItemCode::parse("013000101000").unwrap();
        let errs = fan_out(
            &bundle(),
            &[&a, &b, &c],
            &BTreeMap::new(),
            &[],
            FormMode::Submit,
        )
        .unwrap_err();
        assert_eq!(errs[0].code, "bundle.item_unexpected");
        let errs = fan_out(
            &bundle(),
            &[&a, &b],
            &BTreeMap::new(),
            &[],
            FormMode::Submit,
        )
        .unwrap_err();
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "form.required",
                "form.required",
                "form.material_required",
                "form.material_required"
            ]
        );
        // A draft saves with nothing filled in.
        let drafts = fan_out(&bundle(), &[&a, &b], &BTreeMap::new(), &[], FormMode::Draft).unwrap();
        assert!(
            drafts
                .iter()
                .all(|c| c.form.is_empty() && c.materials.is_empty())
        );
    }

    #[test]
    fn withdrawing_and_finishing_a_bundle() {
        use CaseState as S;
        assert_eq!(
            withdrawable(&[S::InReview, S::Decided, S::CorrectionRequested]),
            [0, 2]
        );
        assert!(bundle_done(&[S::Delivered, S::Delivered]));
        assert!(!bundle_done(&[S::Delivered, S::Completed]));
        assert!(!bundle_done(&[]));
    }
}
