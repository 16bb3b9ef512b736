//! 一件事一次办: a life-event bundle presents items of several departments as one — one merged
//! application form and one de-duplicated material list.

use serde::{Deserialize, Serialize};

use super::item::{ItemBody, Material};

/// What a bundle is (its items are referenced by code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleBody {
    /// `LE` + 3 digits.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^LE[0-9]{3}$", example = "LE001")
    )]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub description: String,
    /// The codes of its items (at least two, each once), published in the owner's region.
    #[cfg_attr(feature = "openapi", schema(min_items = 2))]
    pub item_codes: Vec<String>,
    pub promised_limit_days: u32,
}

/// A material of the merged list, with the items that ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedMaterial {
    pub material: Material,
    pub required_by: Vec<String>,
}

/// A field of the merged form, with the items that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergedField {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub used_by: Vec<String>,
}

/// Materials are the same when their names are, ignoring spaces and brackets' width.
pub(crate) fn material_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '(',
            ')' => ')',
            c => c,
        })
        .collect()
}

/// Merge the items' materials and form fields: one entry per distinct material (required if any
/// item requires it; the most demanding form and count kept) and one field per key.
pub fn merge_bundle(items: &[&ItemBody]) -> (Vec<MergedMaterial>, Vec<MergedField>) {
    let mut materials: Vec<MergedMaterial> = Vec::new();
    let mut fields: Vec<MergedField> = Vec::new();
    for item in items {
        let code = item.code.as_str().to_string();
        for m in &item.materials {
            let key = material_key(&m.name);
            match materials
                .iter_mut()
                .find(|x| material_key(&x.material.name) == key)
            {
                Some(x) => {
                    x.material.required |= m.required;
                    x.material.count = x.material.count.max(m.count);
                    // Online verification only helps if every item accepts it.
                    x.material.verified_online &= m.verified_online;
                    if x.material.blank_form.is_none() {
                        x.material.blank_form = m.blank_form.clone();
                        x.material.sample = m.sample.clone();
                    }
                    if !x.required_by.contains(&code) {
                        x.required_by.push(code.clone());
                    }
                }
                None => materials.push(MergedMaterial {
                    material: m.clone(),
                    required_by: vec![code.clone()],
                }),
            }
        }
        for f in &item.form_fields {
            match fields.iter_mut().find(|x| x.key == f.key) {
                Some(x) => {
                    x.required |= f.required;
                    if !x.used_by.contains(&code) {
                        x.used_by.push(code.clone());
                    }
                }
                None => fields.push(MergedField {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind: f.kind.clone(),
                    required: f.required,
                    used_by: vec![code.clone()],
                }),
            }
        }
    }
    (materials, fields)
}

/// Checks of a bundle's own fields (its items are checked by the use case).
pub fn check_bundle(b: &BundleBody) -> Vec<super::item::FieldError> {
    let mut errs = Vec::new();
    let bad = |field: &str, code: &str, zh: &str, en: &str| super::item::FieldError {
        field: field.into(),
        code: code.into(),
        message: zh.into(),
        message_en: en.into(),
    };
    let code_ok = b.code.len() == 5
        && b.code.starts_with("LE")
        && b.code[2..].bytes().all(|c| c.is_ascii_digit());
    if !code_ok {
        errs.push(bad(
            "code",
            "bundle.code",
            "一件事编码应为LE加3位数字",
            "A bundle code is LE followed by 3 digits",
        ));
    }
    if b.name.trim().is_empty() || b.name.chars().count() > 100 {
        errs.push(bad(
            "name",
            "bundle.name",
            "名称不能为空且不超过100个字符",
            "A name of 1 to 100 characters is required",
        ));
    }
    if b.item_codes.len() < 2 {
        errs.push(bad(
            "items",
            "bundle.too_few_items",
            "一件事至少包含两个事项",
            "A bundle holds at least two items",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if b.item_codes.iter().any(|c| !seen.insert(c)) {
        errs.push(bad(
            "items",
            "bundle.duplicate_item",
            "包含的事项重复",
            "An item is listed twice",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::item::{FormField, ItemCode, MaterialForm};

    #[test]
    fn shared_materials_and_fields_appear_once() {
        let a = crate::catalog::item::tests::sample();
        let mut b = a.clone();
        b.code = ItemCode::parse("012000101000").unwrap();
        b.materials[0].required = false;
        b.materials.push(Material {
            name: "居民身份证".into(),
            form: MaterialForm::Original,
            count: 1,
            required: true,
            verified_online: true,
            blank_form: None,
            sample: None,
        });
        b.form_fields.push(FormField {
            key: "phone".into(),
            label: "联系电话".into(),
            kind: "phone".into(),
            required: false,
        });
        let (materials, fields) = merge_bundle(&[&a, &b]);
        assert_eq!(materials.len(), 2);
        assert!(
            materials[0].material.required,
            "required if any item requires it"
        );
        assert_eq!(materials[0].required_by.len(), 2);
        assert_eq!(fields.len(), 2);
        assert_eq!(
            fields
                .iter()
                .find(|f| f.key == "company_name")
                .unwrap()
                .used_by
                .len(),
            2
        );
    }

    #[test]
    fn bundle_checks() {
        let b = BundleBody {
            code: "LE001".into(),
            name: "企业开办一件事".into(),
            aliases: vec![],
            description: String::new(),
            item_codes: vec!["011000101000".into(), "011000101000".into()],
            promised_limit_days: 3,
        };
        assert!(
            check_bundle(&b)
                .iter()
                .any(|e| e.code == "bundle.duplicate_item")
        );
        let mut c = b.clone();
        c.code = "X1".into();
        assert!(check_bundle(&c).iter().any(|e| e.code == "bundle.code"));
    }
}
