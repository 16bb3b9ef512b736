//! A life event (一件事): its items, the materials they share and the one form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use yiwang_app::catalog::bundles;

use super::field_kind_label;
use super::guide::GuideMaterial;
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, problem_of, render};

pub struct BundleItem {
    pub href: String,
    pub name: String,
    pub code: String,
    pub department: String,
    pub days: u32,
}

pub struct BundleMaterial {
    pub m: GuideMaterial,
    pub required_by: Vec<String>,
}

pub struct BundleField {
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub used_by: usize,
}

#[derive(askama::Template)]
#[template(path = "hall_bundle.html")]
struct BundleTpl {
    i: I18n,
    nav: Nav,
    name: String,
    code: String,
    aliases: String,
    description: String,
    days: u32,
    items: Vec<BundleItem>,
    materials: Vec<BundleMaterial>,
    fields: Vec<BundleField>,
}

pub async fn bundle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: Page,
) -> Result<Response, PageError> {
    let i = page.i;
    let v = match bundles::public_bundle(&state.app.store, &id).await {
        Ok(v) => v,
        Err(e) => {
            let p = problem_of(e)?;
            return Err(if p.kind == yiwang_core::ProblemKind::NotFound {
                PageError::new(
                    StatusCode::NOT_FOUND,
                    ("一件事不存在", "未找到该一件事,它可能尚未发布。"),
                    ("Not found", "No such life event; it may not be published."),
                )
            } else {
                p.into()
            });
        }
    };
    let name_of = |code: &str| {
        v.items
            .iter()
            .find(|x| x.body.code.as_str() == code)
            .map(|x| x.body.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let materials = v
        .materials
        .iter()
        .map(|m| BundleMaterial {
            m: GuideMaterial::of(i, &m.material),
            required_by: m.required_by.iter().map(|c| name_of(c)).collect(),
        })
        .collect();
    let fields = v
        .form
        .iter()
        .map(|f| BundleField {
            label: f.label.clone(),
            kind: field_kind_label(i, &f.kind),
            required: f.required,
            used_by: f.used_by.len(),
        })
        .collect();
    let items = v
        .items
        .iter()
        .map(|x| BundleItem {
            href: format!("/hall/items/{}", x.item.id),
            name: x.body.name.clone(),
            code: x.body.code.to_string(),
            department: x.organisation.name.clone(),
            days: x.body.promised_limit_days,
        })
        .collect();
    Ok(render(&BundleTpl {
        i,
        nav: page.nav,
        name: v.body.name.clone(),
        code: v.body.code.clone(),
        aliases: v.body.aliases.join("、"),
        description: v.body.description.clone(),
        days: v.body.promised_limit_days,
        items,
        materials,
        fields,
    }))
}
