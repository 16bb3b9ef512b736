//! The signed-in home page per role, the inbox and the organisations list.

use axum::extract::State;
use axum::response::Response;
use yiwang_core::access::{self, AccountKind, Role};
use yiwang_core::time::display_local;

use super::{Nav, PageError, SignedPage, render};
use crate::AppState;
use crate::i18n::I18n;

pub struct RoleLine {
    pub role: String,
    pub org: String,
}

pub struct Link {
    pub label: String,
    pub href: &'static str,
}

pub struct Duty {
    pub title: String,
    pub duty: String,
    pub links: Vec<Link>,
}

#[derive(askama::Template)]
#[template(path = "home.html")]
struct Home {
    i: I18n,
    nav: Nav,
    name: String,
    kind: String,
    roles: Vec<RoleLine>,
    duties: Vec<Duty>,
    /// For calendar administrators: a year whose official holiday arrangement is missing.
    calendar_missing_year: Option<i32>,
}

/// What each role does on the platform (DOMAIN.md "Who uses it") and where its pages are.
fn duty(i: I18n, role: Role) -> Duty {
    let (zh, en): (&str, &str) = match role {
        Role::Applicant => (
            "查询事项、在线申报、上传材料、跟踪进度、评价服务。",
            "Search the catalogue, apply, upload materials, track progress, rate the service.",
        ),
        Role::WindowOfficer => (
            "在综合窗口一窗受理申请,出具一次性告知,统一窗口出件。",
            "Accept applications at the hall, issue the single notice of missing materials, hand out results.",
        ),
        Role::ApprovingOfficer => (
            "按部门、按环节审查申请,提出审查意见并作出决定。",
            "Review applications per department and step, give opinions and decide.",
        ),
        Role::DepartmentHead => (
            "审批延期、特别程序及需要签发的决定;查看本部门及下级机构。",
            "Approve extensions, special procedures and decisions needing sign-off; see your department and those below.",
        ),
        Role::CentreManager => (
            "管理窗口、事项认领、预约和本中心的效能监督。",
            "Manage windows, catalogue claiming, appointments and supervision of your centre.",
        ),
        Role::Supervisor => (
            "监察办理时限、预警、评价和投诉;查看下级机构与审计留痕。",
            "Watch time limits, warnings, ratings and complaints; see organisations below and the audit ledger.",
        ),
        Role::CatalogueManager => (
            "维护政务服务事项及其版本。",
            "Maintain service items and their versions.",
        ),
        Role::Tenderee => (
            "登记项目、发布招标公告、签订合同。",
            "Register projects, publish tenders, sign contracts.",
        ),
        Role::Agency => (
            "受招标人委托组织招标。",
            "Run tenders on behalf of a tenderee.",
        ),
        Role::Bidder => (
            "下载招标文件、缴纳保证金、递交加密投标文件、开标时解密。",
            "Download documents, pay deposits, submit sealed bids, decrypt at opening.",
        ),
        Role::Expert => (
            "被随机抽取、确认参加、签到、评审打分、签署评标报告。",
            "Get drawn at random, confirm, check in, score bids, sign the report.",
        ),
        Role::ExpertManager => (
            "专家入库、暂停、续聘、解聘(管用分离中的“管”)。",
            "Admit, suspend, renew and dismiss experts (management, separate from use).",
        ),
        Role::TradingStaff => (
            "受理项目进场、组织专家抽取、开标、评标场地与归档。",
            "Accept projects, run expert draws, openings, evaluation rooms, archives.",
        ),
        Role::Regulator => (
            "远程实时监督交易,处理投诉,处罚违规,记录信用;查看审计留痕。",
            "Supervise trading remotely in real time, handle complaints, penalise, keep credit records; read the audit ledger.",
        ),
        Role::Administrator => (
            "管理机构、用户、角色、工作日历和密钥。",
            "Manage organisations, users, roles, the working-day calendar and keys.",
        ),
    };
    let links = crate::registry::home_links(role)
        .map(|l| Link {
            label: i.t(l.zh, l.en).into(),
            href: l.href,
        })
        .collect();
    Duty {
        title: i.t(role.label_zh(), role.label_en()).into(),
        duty: i.t(zh, en).into(),
        links,
    }
}

pub async fn home(State(state): State<AppState>, page: SignedPage) -> Response {
    let (i, signed) = (page.i, &page.viewer);
    let grants = match state.app.store.read().await {
        Ok(mut tx) => tx.grants_of_user(&signed.user.id).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let roles = grants
        .iter()
        .filter_map(|g| {
            let role = Role::parse(&g.role)?;
            let org = if i.en && !g.org_name_en.is_empty() {
                &g.org_name_en
            } else {
                &g.org_name
            };
            Some(RoleLine {
                role: i.t(role.label_zh(), role.label_en()).into(),
                org: org.clone(),
            })
        })
        .collect();
    let kind = AccountKind::parse(&signed.user.kind).unwrap_or(AccountKind::Staff);
    let duties = signed
        .actor
        .roles()
        .into_iter()
        .map(|r| duty(i, r))
        .collect();
    let calendar_missing_year = access::authorize(
        &signed.actor,
        access::Permission::ManageCalendar,
        access::Scope::Platform,
    )
    .ok()
    .and_then(|_| yiwang_app::calendar::missing_year(&state.app, chrono::Utc::now()));
    render(&Home {
        i,
        nav: page.nav.clone(),
        calendar_missing_year,
        name: signed.user.display_name.clone(),
        kind: i.t(kind.label_zh(), kind.label_en()).into(),
        roles,
        duties,
    })
}

pub struct InboxLine {
    pub title: String,
    pub body: String,
    /// A page of the platform the message points to (a path such as `/hall/my-questions`).
    pub link: Option<String>,
    pub at: String,
}

/// The platform page a notification's text names: the first path starting with `/` that follows
/// a non-ASCII character, a space or the start of the text (e.g. “我的咨询”中查看:/hall/my-questions).
fn internal_link(body: &str) -> Option<String> {
    let mut prev: Option<char> = None;
    for (at, c) in body.char_indices() {
        if c == '/' && prev.is_none_or(|p| !p.is_ascii() || p == ' ' || p == ':') {
            let path: String = body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
                .collect();
            if path.len() > 1 && !path.starts_with("//") {
                return Some(path);
            }
        }
        prev = Some(c);
    }
    None
}

#[derive(askama::Template)]
#[template(path = "inbox.html")]
struct Inbox {
    i: I18n,
    nav: Nav,
    items: Vec<InboxLine>,
}

pub async fn inbox(State(state): State<AppState>, page: SignedPage) -> Result<Response, PageError> {
    let items = yiwang_app::identity::inbox(&state.app.store, &page.viewer.actor).await?;
    Ok(render(&Inbox {
        i: page.i,
        nav: page.nav,
        items: items
            .into_iter()
            .map(|m| InboxLine {
                title: m.title,
                link: internal_link(&m.body),
                body: m.body,
                at: display_local(m.created_at),
            })
            .collect(),
    }))
}

pub struct OrgLine {
    pub name: String,
    pub kind: String,
    pub region: String,
    pub depth: usize,
}

#[derive(askama::Template)]
#[template(path = "orgs.html")]
struct Orgs {
    i: I18n,
    nav: Nav,
    orgs: Vec<OrgLine>,
}

pub async fn organisations(
    State(state): State<AppState>,
    page: SignedPage,
) -> Result<Response, PageError> {
    let i = page.i;
    let orgs =
        yiwang_app::organisations::visible_organisations(&state.app.store, &page.viewer.actor)
            .await?;
    let regions = yiwang_app::organisations::list_regions(&state.app.store)
        .await
        .unwrap_or_default();
    let min_depth = orgs
        .iter()
        .map(|o| o.path.matches('/').count())
        .min()
        .unwrap_or(2);
    let orgs = orgs
        .into_iter()
        .map(|o| {
            let kind = yiwang_core::access::OrgKind::parse(&o.kind)
                .map(|k| i.t(k.label_zh(), k.label_en()).to_string())
                .unwrap_or(o.kind.clone());
            let region = regions
                .iter()
                .find(|r| r.code == o.region_code)
                .map(|r| format!("{} {}", r.code, r.name))
                .unwrap_or(o.region_code.clone());
            OrgLine {
                depth: o.path.matches('/').count().saturating_sub(min_depth) * 2,
                name: if i.en && !o.name_en.is_empty() {
                    o.name_en
                } else {
                    o.name
                },
                kind,
                region,
            }
        })
        .collect();
    Ok(render(&Orgs {
        i,
        nav: page.nav,
        orgs,
    }))
}

#[cfg(test)]
mod tests {
    use super::internal_link;

    #[test]
    fn a_notification_links_to_the_page_it_names() {
        assert_eq!(
            internal_link("请在“我的咨询”中查看:/hall/my-questions").as_deref(),
            Some("/hall/my-questions")
        );
        assert_eq!(internal_link("/inbox").as_deref(), Some("/inbox"));
        assert_eq!(internal_link("1/2 份材料"), None);
        assert_eq!(internal_link("见 //evil.example"), None);
        assert_eq!(internal_link("没有链接。"), None);
    }
}
