//! The web half of the capability registry: each capability's API routes (with their OpenAPI
//! operations and tag), its pages and its links on a role's home page, listed once in
//! [`CAPABILITIES`] under the same name as in `yiwang_app::registry`. The API router, the page
//! router, the OpenAPI document and the home page read from here; nothing else lists them.

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use yiwang_core::access::Role;

use crate::AppState;
use crate::{api, pages};

/// A link on the home page of the roles that use it.
pub struct HomeLink {
    /// The roles that see it; empty for every signed-in role.
    pub roles: &'static [Role],
    pub zh: &'static str,
    pub en: &'static str,
    pub href: &'static str,
}

/// What one capability brings to the web layer.
pub struct WebCapability {
    /// The capability's name, as in `yiwang_app::registry`.
    pub name: &'static str,
    /// Its OpenAPI tag: (name, description).
    pub tag: Option<(&'static str, &'static str)>,
    pub api: Option<fn() -> OpenApiRouter<AppState>>,
    pub pages: Option<fn() -> Router<AppState>>,
    pub home_links: &'static [HomeLink],
}

/// Every capability of the web layer: adding one is adding its entry here.
pub const CAPABILITIES: &[WebCapability] = &[
    WebCapability {
        name: "identity",
        tag: Some(("identity", "身份与权限 Identity and access")),
        api: Some(api::identity::routes),
        pages: None,
        home_links: &[],
    },
    WebCapability {
        name: "organisations",
        tag: Some(("organisations", "区划与机构 Regions and organisations")),
        api: Some(api::organisations::routes),
        pages: Some(pages::organisations_routes),
        home_links: &[
            HomeLink {
                roles: &[
                    Role::Administrator,
                    Role::DepartmentHead,
                    Role::CentreManager,
                ],
                zh: "机构",
                en: "Organisations",
                href: "/orgs",
            },
            HomeLink {
                roles: &[Role::Supervisor, Role::Regulator],
                zh: "下级机构",
                en: "Organisations below",
                href: "/orgs",
            },
        ],
    },
    WebCapability {
        name: "calendar",
        tag: Some(("calendar", "工作日历 Working-day calendar")),
        api: Some(api::calendar::routes),
        pages: Some(pages::calendar_routes),
        home_links: &[HomeLink {
            roles: &[Role::Administrator],
            zh: "工作日历管理",
            en: "Working-day calendar",
            href: "/admin/calendar",
        }],
    },
    WebCapability {
        name: "ledger",
        tag: Some(("ledger", "留痕审计 Tamper-evident audit ledger")),
        api: Some(api::ledger::routes),
        pages: Some(pages::ledger_routes),
        home_links: &[HomeLink {
            roles: &[Role::Administrator, Role::Supervisor, Role::Regulator],
            zh: "审计留痕",
            en: "Audit ledger",
            href: "/audit",
        }],
    },
    WebCapability {
        name: "catalog",
        tag: Some((
            "catalog",
            "事项目录与网上办事大厅 Service catalogue and online hall",
        )),
        api: Some(api::catalog::routes),
        pages: Some(pages::catalog_routes),
        home_links: &[],
    },
    WebCapability {
        name: "cases",
        tag: Some(("cases", "办件 Case processing")),
        api: Some(api::cases::routes),
        pages: Some(pages::cases::routes),
        home_links: &[
            HomeLink {
                roles: &[Role::Applicant],
                zh: "我的办件",
                en: "My cases",
                href: "/cases/mine",
            },
            HomeLink {
                roles: &[
                    Role::WindowOfficer,
                    Role::ApprovingOfficer,
                    Role::DepartmentHead,
                    Role::CentreManager,
                    Role::Supervisor,
                ],
                zh: "办件待办箱",
                en: "Case inbox",
                href: "/cases/inbox",
            },
            HomeLink {
                roles: &[Role::Supervisor, Role::DepartmentHead, Role::CentreManager],
                zh: "电子监察",
                en: "Supervision",
                href: "/cases/supervision",
            },
        ],
    },
    WebCapability {
        name: "trading",
        tag: Some(("tenders", "公共资源交易 Public-resource trading")),
        api: Some(api::trading::routes),
        pages: Some(pages::trading::routes),
        home_links: &[
            HomeLink {
                roles: &[Role::TradingStaff],
                zh: "交易中心工作台",
                en: "Trading centre desk",
                href: "/trading/centre",
            },
            HomeLink {
                roles: &[Role::Tenderee, Role::Agency],
                zh: "我的招标项目",
                en: "My tenders",
                href: "/trading/tenders",
            },
            HomeLink {
                roles: &[Role::Bidder],
                zh: "我的投标",
                en: "My bids",
                href: "/trading/bidding",
            },
            HomeLink {
                roles: &[
                    Role::TradingStaff,
                    Role::Tenderee,
                    Role::Agency,
                    Role::Bidder,
                    Role::Regulator,
                ],
                zh: "交易公告",
                en: "Tender announcements",
                href: "/trading",
            },
        ],
    },
    WebCapability {
        name: "ocds",
        tag: Some(("ocds", "开放合同数据 Open Contracting Data (OCDS 1.1)")),
        api: Some(api::ocds::routes),
        pages: None,
        home_links: &[],
    },
    WebCapability {
        name: "experts",
        tag: Some(("experts", "专家库与随机抽取 Expert database and draws")),
        api: Some(api::experts::routes),
        pages: Some(pages::experts::routes),
        home_links: &[
            HomeLink {
                roles: &[Role::Expert],
                zh: "我的专家页与评标邀请",
                en: "My expert page and invitations",
                href: "/experts/me",
            },
            HomeLink {
                roles: &[Role::ExpertManager],
                zh: "专家管理",
                en: "Expert management",
                href: "/experts/manage",
            },
        ],
    },
    WebCapability {
        name: "evaluation",
        tag: Some((
            "evaluation",
            "评标、定标与合同 Evaluation, award and contract",
        )),
        api: Some(api::evaluation::routes),
        pages: None,
        home_links: &[],
    },
    WebCapability {
        name: "shell",
        tag: None,
        api: None,
        pages: None,
        home_links: &[
            HomeLink {
                roles: &[Role::Administrator],
                zh: "接口文档",
                en: "API documentation",
                href: "/api/docs",
            },
            HomeLink {
                roles: &[],
                zh: "站内消息",
                en: "Notifications",
                href: "/inbox",
            },
        ],
    },
];

/// The home-page links of `role`, in registration order (a link shown once per role).
pub fn home_links(role: Role) -> impl Iterator<Item = &'static HomeLink> {
    CAPABILITIES
        .iter()
        .flat_map(|c| c.home_links.iter())
        .filter(move |l| l.roles.is_empty() || l.roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_web_capability_is_named_once_and_known_to_the_app() {
        let mut seen = std::collections::HashSet::new();
        for c in CAPABILITIES {
            assert!(seen.insert(c.name), "{} registered twice", c.name);
            assert!(
                c.name == "shell"
                    || yiwang_app::registry::CAPABILITIES
                        .iter()
                        .any(|a| a.name == c.name),
                "{} is not an app capability",
                c.name
            );
        }
    }

    #[test]
    fn the_administrator_sees_the_calendar_and_everyone_the_inbox() {
        let admin: Vec<_> = home_links(Role::Administrator).map(|l| l.href).collect();
        assert_eq!(
            admin,
            ["/orgs", "/admin/calendar", "/audit", "/api/docs", "/inbox"]
        );
        let bidder: Vec<_> = home_links(Role::Bidder).map(|l| l.href).collect();
        assert_eq!(bidder, ["/trading/bidding", "/trading", "/inbox"]);
    }
}
