//! The public online hall (网上办事大厅): 查 search, 看 the guide (六公开) and download forms, 问 ask a
//! question, life events (一件事) and catalogue statistics. Everything but asking is public.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yiwang_app::catalog::{bundles, items, questions, search, stats};
use yiwang_core::access::Role;
use yiwang_core::catalog::{HandlingKind, ItemBody, ItemStatus};
use yiwang_core::time::display_local;
use yiwang_search::{DocKind, Filters};

use super::{Nav, Page, PageError, SignedForm, problem_of, problem_page, render, see_other};
use crate::AppState;
use crate::i18n::I18n;

/// Results per search page.
const PAGE_SIZE: usize = 20;

/// Percent-encode a URL component (everything but RFC 3986 unreserved characters).
pub(super) use crate::download::percent_encode as enc;

pub(super) fn not_found_page() -> PageError {
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
        "immediate" => i.t("即办件", "Decided on the spot"),
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
    match kind {
        "text" => i.t("文本", "Text"),
        "date" => i.t("日期", "Date"),
        "number" => i.t("数字", "Number"),
        "id_number" => i.t("身份证号", "ID number"),
        "credit_code" => i.t("统一社会信用代码", "Credit code"),
        "phone" => i.t("电话", "Phone"),
        "address" => i.t("地址", "Address"),
        other => other,
    }
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// Hall home

pub struct EventCard {
    pub id: String,
    pub name: String,
    pub description: String,
    pub items: usize,
    pub days: u32,
}

pub struct QuickLink {
    pub label: String,
    pub href: String,
}

pub struct Headline {
    pub items: u64,
    pub departments: u64,
    pub bundles: u64,
    pub online_share: f64,
    pub fully_online_share: f64,
    pub at_most_once_share: f64,
}

#[derive(askama::Template)]
#[template(path = "hall_home.html")]
struct HallHome {
    i: I18n,
    nav: Nav,
    events: Vec<EventCard>,
    quick: Vec<QuickLink>,
    headline: Headline,
}

pub async fn home(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let i = page.i;
    let events = bundles::published_bundles(&state.app.store).await?;
    let st = stats::stats(&state.app).await?;
    let mut quick: Vec<QuickLink> = st
        .by_type
        .iter()
        .filter(|t| t.count > 0)
        .take(6)
        .map(|t| QuickLink {
            label: format!("{} ({})", type_label(i, &t.label), t.count),
            href: format!("/hall/search?type={}", enc(&t.label)),
        })
        .collect();
    for (key, zh, en) in [
        ("fully_online", "全程网办", "Fully online"),
        ("at_most_once", "最多跑一次", "At most one visit"),
    ] {
        quick.push(QuickLink {
            label: i.t(zh, en).into(),
            href: format!("/hall/search?flag={key}"),
        });
    }
    Ok(render(&HallHome {
        i,
        nav: page.nav,
        events: events
            .into_iter()
            .map(|(row, body)| EventCard {
                id: row.id,
                name: body.name,
                description: body.description,
                items: body.item_codes.len(),
                days: body.promised_limit_days,
            })
            .collect(),
        quick,
        headline: Headline {
            items: st.published_items,
            departments: st.departments,
            bundles: st.bundles,
            online_share: st.online_share,
            fully_online_share: st.fully_online_share,
            at_most_once_share: st.at_most_once_share,
        },
    }))
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

// ---------------------------------------------------------------------------------------------
// Search

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

// ---------------------------------------------------------------------------------------------
// The guide (办事指南)

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

fn guide_of(i: I18n, view: items::ItemView) -> Guide {
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
        suspended: view.item.status == ItemStatus::Suspended.as_str(),
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
            .map(|m| GuideMaterial {
                name: m.name.clone(),
                form: i.t(m.form.label_zh(), m.form.label_en()).into(),
                count: m.count,
                required: m.required,
                verified_online: m.verified_online,
                blank: m.blank_form.clone(),
                sample: m.sample.clone(),
            })
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

pub struct VersionLink {
    pub n: i64,
    pub href: String,
    pub at: String,
    pub current: bool,
}

pub struct Faq {
    pub question: String,
    pub answer: String,
}

#[derive(askama::Template)]
#[template(path = "hall_item.html")]
struct ItemTpl {
    i: I18n,
    nav: Nav,
    g: Guide,
    /// This page shows an older (or newer) version than the one in force.
    other_version: bool,
    current_href: String,
    versions: Vec<VersionLink>,
    faqs: Vec<Faq>,
    message: Option<String>,
    error: Option<String>,
    question: String,
}

#[derive(Deserialize)]
pub struct ItemQuery {
    #[serde(default)]
    asked: Option<String>,
}

/// Which version a guide page shows.
enum Shown {
    Published,
    Version(i64),
}

struct Notice {
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
    question: String,
}

async fn guide_page(
    state: &AppState,
    page: Page,
    id: &str,
    shown: Shown,
    notice: Notice,
) -> Result<Response, PageError> {
    let (i, store) = (page.i, &state.app.store);
    let view = match shown {
        Shown::Published => items::public_item(store, id).await,
        Shown::Version(n) => items::item_version(store, page.actor(), id, n).await,
    }
    .map_err(|e| problem_page(e, |_| not_found_page()))?;
    let published = view.item.published_version;
    let other_version = published != Some(view.version);
    let versions = items::versions(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.frozen == 1)
        .map(|v| VersionLink {
            n: v.version,
            href: format!("/hall/items/{id}/versions/{}", v.version),
            at: v.published_at.map(display_local).unwrap_or_default(),
            current: v.version == view.version,
        })
        .collect();
    let faqs = questions::faqs(store, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|q| Faq {
            question: q.question,
            answer: q.answer.unwrap_or_default(),
        })
        .collect();
    let tpl = ItemTpl {
        i,
        nav: page.nav,
        current_href: format!("/hall/items/{id}"),
        g: guide_of(i, view),
        other_version,
        versions,
        faqs,
        message: notice.message,
        error: notice.error,
        question: notice.question,
    };
    Ok((notice.status, render(&tpl)).into_response())
}

pub async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    page: Page,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let i = page.i;
    let asked = matches!(query, Ok(Query(ItemQuery { asked: Some(_) })));
    let notice = Notice {
        status: StatusCode::OK,
        message: asked.then(|| {
            i.t(
                "感谢您的咨询!部门工作人员答复后,您将在站内消息中收到通知。",
                "Thank you for your question. You will be notified in your inbox when staff answer.",
            )
            .to_string()
        }),
        error: None,
        question: String::new(),
    };
    guide_page(&state, page, &id, Shown::Published, notice).await
}

pub async fn item_version(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    page: Page,
) -> Result<Response, PageError> {
    let n = n.parse::<i64>().map_err(|_| not_found_page())?;
    let notice = Notice {
        status: StatusCode::OK,
        message: None,
        error: None,
        question: String::new(),
    };
    guide_page(&state, page, &id, Shown::Version(n), notice).await
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    question: String,
}

pub async fn ask(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm { page, form }: SignedForm<AskForm>,
) -> Result<Response, PageError> {
    // A body that is not a form carries no token.
    let form = form.ok_or_else(PageError::form_expired)?;
    let i = page.i;
    let Err(e) = questions::ask(&state.app.store, &page.viewer.actor, &id, &form.question).await
    else {
        return Ok(see_other(&format!("/hall/items/{id}?asked=1#ask")));
    };
    let p = problem_of(e)?;
    let status = crate::error::status_of(p.kind);
    if status == StatusCode::NOT_FOUND {
        return Err(not_found_page());
    }
    let notice = Notice {
        status,
        message: None,
        error: Some(i.t(&p.message, &p.message_en).to_string()),
        question: form.question.chars().take(2000).collect(),
    };
    guide_page(&state, page.into_public(), &id, Shown::Published, notice).await
}

// ---------------------------------------------------------------------------------------------
// Life-event bundles

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
            m: GuideMaterial {
                name: m.material.name.clone(),
                form: i
                    .t(m.material.form.label_zh(), m.material.form.label_en())
                    .into(),
                count: m.material.count,
                required: m.material.required,
                verified_online: m.material.verified_online,
                blank: m.material.blank_form.clone(),
                sample: m.material.sample.clone(),
            },
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

// ---------------------------------------------------------------------------------------------
// Statistics

pub struct TypeBar {
    pub label: String,
    pub count: u64,
    pub href: String,
    /// Width of the bar, 0–100 (% of the largest type).
    pub width: u64,
}

#[derive(askama::Template)]
#[template(path = "hall_stats.html")]
struct StatsTpl {
    i: I18n,
    nav: Nav,
    s: stats::CatalogStats,
    bars: Vec<TypeBar>,
}

pub async fn stats_page(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let i = page.i;
    let s = stats::stats(&state.app).await?;
    let max = s.by_type.iter().map(|t| t.count).max().unwrap_or(0).max(1);
    let bars = s
        .by_type
        .iter()
        .map(|t| TypeBar {
            label: type_label(i, &t.label),
            count: t.count,
            href: format!("/hall/search?type={}", enc(&t.label)),
            width: t.count * 100 / max,
        })
        .collect();
    Ok(render(&StatsTpl {
        i,
        nav: page.nav,
        s,
        bars,
    }))
}

// ---------------------------------------------------------------------------------------------
// Downloads

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    _header: Page,
) -> Result<Response, PageError> {
    crate::download::serve_file(&state.app, &id, &headers)
        .await
        .map_err(|e| {
            problem_page(e, |_| {
                PageError::new(
                    StatusCode::NOT_FOUND,
                    ("文件不存在", "未找到该文件。"),
                    ("File not found", "No such file."),
                )
            })
        })
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
