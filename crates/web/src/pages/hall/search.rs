//! 查: the search page with its facets, filter chips and pages.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yiwang_app::catalog::search;
use yiwang_search::{DocKind, Filters};

use super::{Badge, FLAG_KEYS, badges, enc, flag_label, level_label, type_label};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, problem_of, render};

/// Results per search page.
const PAGE_SIZE: usize = 20;

#[derive(Debug, Clone, Default)]
struct SearchParams {
    q: String,
    department: String,
    level: String,
    item_type: String,
    flags: Vec<String>,
    event: String,
    kind: String,
    page: usize,
}

fn short(v: &str) -> String {
    v.trim().chars().take(100).collect()
}

impl SearchParams {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut p = SearchParams {
            page: 1,
            ..Default::default()
        };
        for (k, v) in pairs {
            match k.as_str() {
                // The query is passed on untrimmed in length: the search decides what is too long.
                "q" => p.q = v.trim().to_string(),
                "department" => p.department = short(&v),
                "level" => p.level = short(&v),
                "type" => p.item_type = short(&v),
                "flag" if FLAG_KEYS.contains(&v.as_str()) && !p.flags.contains(&v) => {
                    p.flags.push(v)
                }
                "event" => p.event = short(&v),
                "kind" => p.kind = short(&v),
                "page" => p.page = v.trim().parse::<u32>().map_or(1, |n| n.max(1) as usize),
                _ => {}
            }
        }
        p
    }

    fn href(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", enc(v)));
            }
        };
        add("q", &self.q);
        add("department", &self.department);
        add("level", &self.level);
        add("type", &self.item_type);
        for f in &self.flags {
            add("flag", f);
        }
        add("event", &self.event);
        add("kind", &self.kind);
        if self.page > 1 {
            add("page", &self.page.to_string());
        }
        if parts.is_empty() {
            "/hall/search".into()
        } else {
            format!("/hall/search?{}", parts.join("&"))
        }
    }

    /// The link to the first page with one change applied.
    fn with(&self, f: impl FnOnce(&mut SearchParams)) -> String {
        let mut p = self.clone();
        p.page = 1;
        f(&mut p);
        p.href()
    }

    fn filters(&self) -> Filters {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Filters {
            department_id: opt(&self.department),
            level: opt(&self.level),
            item_type: opt(&self.item_type),
            flags: self.flags.clone(),
            life_event: opt(&self.event),
            kind: DocKind::parse(&self.kind),
        }
    }
}

pub struct HitLine {
    pub href: String,
    pub name: String,
    pub code: String,
    pub department: String,
    pub item_type: String,
    pub bundle: bool,
    pub flags: Vec<Badge>,
    pub days: u32,
}

pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

pub struct Chip {
    pub label: String,
    pub href: String,
}

pub struct PageLink {
    pub n: usize,
    pub href: String,
    pub current: bool,
}

#[derive(askama::Template)]
#[template(path = "hall_search.html")]
struct SearchTpl {
    i: I18n,
    nav: Nav,
    q: String,
    searched: bool,
    total: usize,
    first: usize,
    last: usize,
    hits: Vec<HitLine>,
    types: Vec<FacetLink>,
    levels: Vec<FacetLink>,
    flags: Vec<FacetLink>,
    chips: Vec<Chip>,
    clear: String,
    pages: Vec<PageLink>,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    page: Page,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let pairs = query.map(|Query(p)| p).unwrap_or_default();
    let p = SearchParams::from_pairs(pairs);
    let offset = (p.page - 1).saturating_mul(PAGE_SIZE);
    let mut tpl = SearchTpl {
        i,
        nav: page.nav,
        q: p.q.clone(),
        searched: !p.q.is_empty() || !p.filters().is_empty(),
        total: 0,
        first: 0,
        last: 0,
        hits: Vec::new(),
        types: Vec::new(),
        levels: Vec::new(),
        flags: Vec::new(),
        chips: Vec::new(),
        clear: p.with(|x| {
            *x = SearchParams {
                q: x.q.clone(),
                page: 1,
                ..Default::default()
            }
        }),
        pages: Vec::new(),
        prev: None,
        next: None,
        error: None,
    };
    tpl.chips = chips(i, &p);
    let result = search::search(&state.app, &p.q, &p.filters(), offset, PAGE_SIZE).await;
    let page = match result {
        Ok(page) => page,
        Err(e) => {
            let problem = problem_of(e)?;
            let status = if problem.code.starts_with("search.") {
                StatusCode::BAD_REQUEST
            } else {
                crate::error::status_of(problem.kind)
            };
            tpl.error = Some(i.t(&problem.message, &problem.message_en).to_string());
            return Ok((status, render(&tpl)).into_response());
        }
    };
    tpl.total = page.total;
    tpl.first = if page.hits.is_empty() { 0 } else { offset + 1 };
    tpl.last = offset + page.hits.len();
    tpl.hits = page
        .hits
        .into_iter()
        .map(|h| {
            let bundle = h.kind == "bundle";
            HitLine {
                href: if bundle {
                    format!("/hall/bundles/{}", h.id)
                } else {
                    format!("/hall/items/{}", h.id)
                },
                name: h.name,
                code: h.code,
                department: h.department,
                item_type: type_label(i, &h.item_type),
                bundle,
                flags: badges(i, &h.flags),
                days: h.promised_limit_days,
            }
        })
        .collect();
    tpl.types = page
        .item_types
        .into_iter()
        .map(|f| FacetLink {
            label: type_label(i, &f.value),
            count: f.count,
            active: f.value == p.item_type,
            href: p.with(|x| x.item_type = f.value.clone()),
        })
        .collect();
    tpl.levels = page
        .levels
        .into_iter()
        .filter(|f| !f.value.is_empty())
        .map(|f| FacetLink {
            label: level_label(i, &f.value),
            count: f.count,
            active: f.value == p.level,
            href: p.with(|x| x.level = f.value.clone()),
        })
        .collect();
    tpl.flags = FLAG_KEYS
        .iter()
        .map(|k| FacetLink {
            label: flag_label(i, k),
            count: 0,
            active: p.flags.iter().any(|f| f == k),
            href: p.with(|x| {
                if !x.flags.iter().any(|f| f == k) {
                    x.flags.push((*k).to_string());
                }
            }),
        })
        .collect();
    let pages_total = page
        .total
        .div_ceil(PAGE_SIZE)
        .min(yiwang_search::MAX_WINDOW / PAGE_SIZE);
    if pages_total > 1 {
        let from = p.page.saturating_sub(3).max(1);
        let to = (from + 6).min(pages_total);
        for n in from..=to {
            let mut x = p.clone();
            x.page = n;
            tpl.pages.push(PageLink {
                n,
                href: x.href(),
                current: n == p.page,
            });
        }
        if p.page > 1 {
            let mut x = p.clone();
            x.page = (p.page - 1).min(pages_total);
            tpl.prev = Some(x.href());
        }
        if p.page < pages_total {
            let mut x = p.clone();
            x.page = p.page + 1;
            tpl.next = Some(x.href());
        }
    }
    Ok(render(&tpl))
}

/// The active filters, each with the link that removes it.
fn chips(i: I18n, p: &SearchParams) -> Vec<Chip> {
    let mut out = Vec::new();
    if !p.item_type.is_empty() {
        out.push(Chip {
            label: format!("{}:{}", i.t("类型", "Type"), type_label(i, &p.item_type)),
            href: p.with(|x| x.item_type.clear()),
        });
    }
    if !p.level.is_empty() {
        out.push(Chip {
            label: format!("{}:{}", i.t("层级", "Level"), level_label(i, &p.level)),
            href: p.with(|x| x.level.clear()),
        });
    }
    for f in &p.flags {
        out.push(Chip {
            label: flag_label(i, f),
            href: p.with(|x| x.flags.retain(|g| g != f)),
        });
    }
    if !p.department.is_empty() {
        out.push(Chip {
            label: i.t("指定部门", "One department").into(),
            href: p.with(|x| x.department.clear()),
        });
    }
    if !p.event.is_empty() {
        out.push(Chip {
            label: format!("{}:{}", i.t("一件事", "Life event"), p.event),
            href: p.with(|x| x.event.clear()),
        });
    }
    if let Some(k) = DocKind::parse(&p.kind) {
        out.push(Chip {
            label: match k {
                DocKind::Item => i.t("仅单个事项", "Items only"),
                DocKind::Bundle => i.t("仅一件事", "Life events only"),
            }
            .into(),
            href: p.with(|x| x.kind.clear()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_links_keep_filters_and_encode() {
        let p = SearchParams::from_pairs(vec![
            ("q".into(), "开 饭店&".into()),
            ("type".into(), "行政许可".into()),
            ("flag".into(), "online".into()),
            ("flag".into(), "bogus".into()),
            ("page".into(), "3".into()),
        ]);
        assert_eq!(p.flags, vec!["online".to_string()]);
        assert_eq!(p.page, 3);
        let h = p.href();
        assert!(h.starts_with("/hall/search?q=%E5%BC%80%20%E9%A5%AD%E5%BA%97%26&type="));
        assert!(h.ends_with("&flag=online&page=3"));
        let without = p.with(|x| x.item_type.clear());
        assert!(!without.contains("type=") && !without.contains("page="));
    }
}
