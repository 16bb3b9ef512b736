//! The public online hall (网上办事大厅): 查 search, 看 the guide (六公开) and download forms, 问 ask a
//! question, life events (一件事) and catalogue statistics. Everything but asking is public.
//! One file per screen; their routes are listed in `pages::catalog_routes`.

mod bundle;
mod download;
mod guide;
mod home;
mod item;
mod my_questions;
mod search;
mod stats;

pub use bundle::bundle;
pub use download::download;
pub use home::home;
pub use item::{ask, item, item_version};
pub use my_questions::my_questions;
pub use search::search;
pub use stats::stats_page;

use axum::http::StatusCode;
use yiwang_core::access::Role;
use yiwang_core::cases::FieldKind;
use yiwang_core::catalog::HandlingKind;

use super::PageError;
use crate::i18n::I18n;

/// Percent-encode a URL component (everything but RFC 3986 unreserved characters).
pub(crate) use crate::download::percent_encode as enc;

pub(crate) fn not_found_page() -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        ("事项不存在", "未找到该事项,它可能尚未发布或已取消。"),
        (
            "Not found",
            "No such item: it may not be published yet, or it was cancelled.",
        ),
    )
}

/// The handling flags shown to users, in display order.
pub const FLAG_KEYS: &[&str] = &["online", "fully_online", "at_most_once", "immediate"];

pub fn flag_label(i: I18n, key: &str) -> String {
    match key {
        "online" => i.t("网上可办", "Online"),
        "fully_online" => i.t("全程网办", "Fully online"),
        "at_most_once" => i.t("最多跑一次", "At most one visit"),
        "immediate" => i.t(
            HandlingKind::Immediate.label_zh(),
            HandlingKind::Immediate.label_en(),
        ),
        other => other,
    }
    .to_string()
}

pub struct Badge {
    pub key: String,
    pub label: String,
}

fn badges(i: I18n, keys: &[String]) -> Vec<Badge> {
    keys.iter()
        .map(|k| Badge {
            key: k.clone(),
            label: flag_label(i, k),
        })
        .collect()
}

fn role_label(i: I18n, role: &str) -> String {
    Role::parse(role)
        .map(|r| i.t(r.label_zh(), r.label_en()).to_string())
        .unwrap_or_else(|| role.to_string())
}

fn field_kind_label(i: I18n, kind: &str) -> String {
    FieldKind::parse(kind)
        .map(|k| i.t(k.label_zh(), k.label_en()).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// An item-type label (Chinese, as indexed) in the viewer's language.
fn type_label(i: I18n, zh: &str) -> String {
    if !i.en {
        return zh.to_string();
    }
    yiwang_core::catalog::ItemType::from_label(zh)
        .map(|t| t.label_en().to_string())
        .unwrap_or_else(|| {
            if zh == "一件事" {
                "Life event".into()
            } else {
                zh.to_string()
            }
        })
}

fn level_label(i: I18n, zh: &str) -> String {
    if !i.en {
        return zh.to_string();
    }
    yiwang_core::catalog::Level::from_label(zh)
        .map(|t| t.label_en().to_string())
        .unwrap_or_else(|| zh.to_string())
}
