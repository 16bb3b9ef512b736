//! Who may do what: roles held in organisations, and the one place where every permission is
//! decided ([`authorize`]). Use cases call it before they change anything; pages only hide what
//! it would refuse anyway.
//!
//! Organisations form a tree over administrative regions; each carries a materialised `path`
//! (`/root-id/child-id/…/own-id/`). A grant held in an organisation covers that organisation and,
//! for supervising and administering roles, every organisation below it ("a city supervisor sees
//! its districts").

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

use crate::enums::string_enum;

string_enum! {
    /// 角色: a role, always held in an organisation (DOMAIN.md "Who uses it").
    Role {
        /// 申请人: applies for services (natural persons hold it implicitly).
        Applicant = "applicant", "申请人", "Applicant";
        /// 综合窗口人员
        WindowOfficer = "window_officer", "综合窗口人员", "Window officer";
        /// 审批人员
        ApprovingOfficer = "approving_officer", "审批人员", "Approving officer";
        /// 部门负责人
        DepartmentHead = "department_head", "部门负责人", "Department head";
        /// 政务服务中心管理员
        CentreManager = "centre_manager", "政务服务中心管理员", "Service-centre manager";
        /// 电子监察/效能督查
        Supervisor = "supervisor", "电子监察人员", "Supervisor";
        /// 事项管理员
        CatalogueManager = "catalogue_manager", "事项管理员", "Catalogue manager";
        /// 招标人/采购人
        Tenderee = "tenderee", "招标人/采购人", "Tenderee / purchaser";
        /// 招标代理机构
        Agency = "agency", "招标代理机构", "Tendering agency";
        /// 投标人/供应商
        Bidder = "bidder", "投标人/供应商", "Bidder / supplier";
        /// 评标专家
        Expert = "expert", "评标专家", "Evaluation expert";
        /// 行业主管部门(专家管理)
        ExpertManager = "expert_manager", "专家管理人员", "Expert manager";
        /// 交易中心工作人员
        TradingStaff = "trading_staff", "交易中心工作人员", "Trading-centre staff";
        /// 行业监管部门/公管办
        Regulator = "regulator", "行业监管人员", "Regulator";
        /// 系统管理员
        Administrator = "administrator", "系统管理员", "Administrator";
    }
}

string_enum! {
    /// 机构类型: what an organisation is.
    OrgKind {
        /// 人民政府 (the root of a region's tree)
        Government = "government", "人民政府", "People's government";
        /// 政府部门
        Department = "department", "政府部门", "Government department";
        /// 政务服务中心
        ServiceCentre = "service_centre", "政务服务中心", "Government-service centre";
        /// 公共资源交易中心
        TradingCentre = "trading_centre", "公共资源交易中心", "Public-resource trading centre";
        /// 监管部门 (公管办, industry regulators)
        Regulator = "regulator", "监管部门", "Regulator";
        /// 专家管理部门
        ExpertAuthority = "expert_authority", "专家管理部门", "Expert-managing department";
        /// 企业/法人 (tenderees, bidders, agencies, legal-person applicants)
        Enterprise = "enterprise", "企业法人", "Enterprise (legal person)";
        /// 乡镇(街道)/村(社区) service stations
        Station = "station", "便民服务站", "Local service station";
    }
}

string_enum! {
    /// 账户类型: staff, a natural person (自然人) or a legal person's agent (法人).
    AccountKind {
        Staff = "staff", "工作人员", "Staff";
        /// 自然人
        NaturalPerson = "natural_person", "自然人", "Natural person";
        /// 法人
        LegalPerson = "legal_person", "法人", "Legal person";
    }
}

string_enum! {
    /// 账户状态: whether an account may sign in and act.
    AccountStatus {
        Active = "active", "正常", "Active";
        Disabled = "disabled", "已停用", "Disabled";
    }
}

/// One role held in one organisation, with that organisation's tree path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub org_id: String,
    pub org_path: String,
}

/// The signed-in caller as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: String,
    pub kind: AccountKind,
    pub grants: Vec<Grant>,
}

/// Something a caller wants to do; each names the roles that allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create and edit organisations below the grant's organisation.
    ManageOrganisations,
    /// Create staff accounts, grant roles, revoke sessions of users below.
    ManageUsers,
    /// Amend the working-day calendar (platform-wide master data).
    ManageCalendar,
    /// See an organisation and its people.
    ViewOrganisation,
    /// Read the audit ledger entries of an organisation's subtree.
    ViewAudit,
    /// Create, edit, publish, suspend and claim service items and bundles (事项管理).
    ManageCatalog,
    /// Answer consultations (问) on an organisation's items.
    AnswerQuestions,
    /// Operate the platform itself (rebuild indexes, keys).
    ManagePlatform,
    /// 市场主体注册: register the organisation as a tenderee, agency or bidder (its own people).
    RegisterParty,
    /// Run a tender for the organisation as tenderee or agency: projects, sections, documents,
    /// publication, clarifications, deposits asked, objections answered.
    ManageTender,
    /// 交易中心: accept 进场登记, record deposit payments and refunds, run the opening session.
    OperateTradingCentre,
    /// 投标: download documents, submit, replace and withdraw sealed bids, decrypt one's own.
    Bid,
    /// 办件: perform a case event as one of its staff performers (`CaseEvent::performers`), in
    /// the organisation its `org_scope` names. Applicants act on their own cases
    /// ([`authorize_own_case`]), the platform without a grant.
    CaseEvent(crate::cases::CaseEvent),
    /// 一窗受理: register a walk-in application at a window, for any department's item.
    RegisterCase,
    /// See an organisation's cases (inbox, case details and history).
    ViewCases,
    /// 电子监察: see the supervision figures and monthly bulletins of an organisation and below.
    ViewSupervision,
    /// 专家管理 (管用分离): review applications, suspend, reinstate, renew, dismiss and confirm the
    /// exit of the managing department's experts, record their penalties — the managing industry
    /// department's people only.
    ManageExperts,
    /// 抽取专家: request and run draws for the trading centre's sections and check the committee
    /// in — the centre uses experts but manages none.
    DrawExperts,
    /// 行业监管: read the records of the trading centres of one's region (一项目一档案) — the
    /// regulators; checked with [`authorize_in_region`].
    SuperviseTrading,
    /// 组织评标: start the evaluation of an opened section with the draw's checked-in committee
    /// and a scoring template — the trading centre's people. What the committee does is decided
    /// by membership ([`authorize_committee_member`]), not by a role.
    RunEvaluation,
}

/// Why a role may reach below its own organisation.
fn covers_subtree(role: Role) -> bool {
    matches!(
        role,
        Role::Administrator
            | Role::Supervisor
            | Role::Regulator
            | Role::CentreManager
            | Role::DepartmentHead
            | Role::CatalogueManager
    )
}

fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        ManageOrganisations | ManageUsers | ManageCalendar | ManagePlatform => {
            role == Role::Administrator
        }
        ViewOrganisation => true,
        ViewAudit => matches!(
            role,
            Role::Administrator | Role::Supervisor | Role::Regulator
        ),
        ManageCatalog => matches!(role, Role::CatalogueManager | Role::Administrator),
        RegisterParty => matches!(role, Role::Tenderee | Role::Agency | Role::Bidder),
        ManageTender => matches!(role, Role::Tenderee | Role::Agency),
        OperateTradingCentre => role == Role::TradingStaff,
        Bid => role == Role::Bidder,
        AnswerQuestions => matches!(
            role,
            Role::ApprovingOfficer
                | Role::DepartmentHead
                | Role::WindowOfficer
                | Role::CatalogueManager
                | Role::CentreManager
        ),
        CaseEvent(event) => {
            role != Role::Applicant && event.performers().iter().any(|p| p.role() == Some(role))
        }
        RegisterCase => role == Role::WindowOfficer,
        ManageExperts => role == Role::ExpertManager,
        DrawExperts => role == Role::TradingStaff,
        SuperviseTrading => role == Role::Regulator,
        RunEvaluation => role == Role::TradingStaff,
        ViewCases => matches!(
            role,
            Role::WindowOfficer
                | Role::ApprovingOfficer
                | Role::DepartmentHead
                | Role::CentreManager
                | Role::Supervisor
                | Role::Administrator
        ),
        ViewSupervision => matches!(
            role,
            Role::Supervisor | Role::DepartmentHead | Role::CentreManager | Role::Administrator
        ),
    }
}

/// Where an action applies.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Platform-wide master data (calendar, keys): needs a grant at a root organisation.
    Platform,
    /// An organisation, given by its tree path.
    Org(&'a str),
}

/// True when `path` is `ancestor` or lies below it.
pub fn path_within(path: &str, ancestor: &str) -> bool {
    path.starts_with(ancestor)
}

/// `/a/b/c/` → `/a/b/`: the path of the organisation above (the subtree of an organisation's
/// region — its siblings and everything below them).
pub fn parent_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".into(),
    }
}

/// The single permission decision. Returns the grant that allowed the action (recorded in the
/// ledger as the acting role and organisation) or `forbidden`.
pub fn authorize<'a>(
    actor: &'a Actor,
    permission: Permission,
    scope: Scope<'_>,
) -> Result<&'a Grant, Problem> {
    actor
        .grants
        .iter()
        .filter(|g| allows(g.role, permission))
        .find(|g| match scope {
            // A root organisation's path has exactly one segment: "/id/".
            Scope::Platform => g.org_path.matches('/').count() == 2,
            Scope::Org(path) => {
                path == g.org_path || (covers_subtree(g.role) && path_within(path, &g.org_path))
            }
        })
        .ok_or_else(Problem::forbidden)
}

/// The grant by which `actor` may act on what happens at the organisation `org_path` from within
/// its region — the organisation's siblings and everything below them (a city's regulator for
/// the city's trading centre).
pub fn authorize_in_region<'a>(
    actor: &'a Actor,
    permission: Permission,
    org_path: &str,
) -> Result<&'a Grant, Problem> {
    let region = parent_path(org_path);
    actor
        .grants
        .iter()
        .find(|g| allows(g.role, permission) && path_within(&g.org_path, &region))
        .ok_or_else(Problem::forbidden)
}

/// 本人办件: the applicant's own case — the account that applied. (An agent's mandate is checked
/// with `cases::check_agent` on top of this.)
pub fn authorize_own_case(actor: &Actor, applicant_user_id: &str) -> Result<(), Problem> {
    if actor.user_id == applicant_user_id {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// 评标委员会成员: a member of one evaluation's committee acts for itself — the account the
/// member was seated with (the expert's own account, or the tenderee's representative). A member
/// without an account (`None`) cannot act online.
pub fn authorize_committee_member(
    actor: &Actor,
    member_user_id: Option<&str>,
) -> Result<(), Problem> {
    match member_user_id {
        Some(u) if u == actor.user_id => Ok(()),
        _ => Err(Problem::forbidden()),
    }
}

/// The actor's grants that allow `permission` in their own organisation (e.g. "the
/// organisations whose catalogue this person manages").
pub fn grants_allowing(actor: &Actor, permission: Permission) -> impl Iterator<Item = &Grant> {
    actor
        .grants
        .iter()
        .filter(move |g| authorize(actor, permission, Scope::Org(&g.org_path)).is_ok())
}

/// The organisation paths whose subtrees the actor may see (for listing queries).
pub fn visible_roots(actor: &Actor) -> Vec<(String, bool)> {
    actor
        .grants
        .iter()
        .map(|g| (g.org_path.clone(), covers_subtree(g.role)))
        .collect()
}

/// The performer of a section event (`trading::lifecycle::Performer`) a role acts as, if any:
/// who may move a section is decided here, like every other permission.
pub fn trading_performer(role: Role) -> Option<crate::trading::Performer> {
    use crate::trading::Performer as P;
    match role {
        Role::Tenderee | Role::Agency => Some(P::Tenderee),
        Role::TradingStaff => Some(P::TradingCentre),
        Role::Regulator => Some(P::Regulator),
        Role::Expert => Some(P::Committee),
        _ => None,
    }
}

/// The performer of an expert-lifecycle event (`experts::lifecycle::Performer`) a role acts
/// as, if any (管用分离: a trading centre performs none).
pub fn expert_performer(role: Role) -> Option<crate::experts::Performer> {
    use crate::experts::Performer as P;
    match role {
        Role::ExpertManager => Some(P::ManagingDepartment),
        Role::TradingStaff => Some(P::TradingCentre),
        Role::Expert => Some(P::Expert),
        _ => None,
    }
}

/// Who a role is when looking at a draw (`experts::visibility::DrawViewer`); the draw's own
/// operator is told apart by the caller (need-to-know: the operator is one person).
pub fn draw_viewer(role: Role) -> Option<crate::experts::DrawViewer> {
    use crate::experts::DrawViewer as V;
    match role {
        Role::TradingStaff => Some(V::CentreStaff),
        Role::Regulator => Some(V::Regulator),
        Role::ExpertManager => Some(V::ManagingDepartment),
        Role::Tenderee => Some(V::Tenderee),
        Role::Agency => Some(V::Agency),
        Role::Bidder => Some(V::Bidder),
        Role::Expert => Some(V::Expert),
        _ => None,
    }
}

/// The grant that lets `actor` register its organisation (path `org_path`) as a party of `kind`:
/// a tenderee's people register it as tenderee, an agency's as agency, a bidder's as bidder.
pub fn authorize_party<'a>(
    actor: &'a Actor,
    kind: crate::trading::parties::PartyKind,
    org_path: &str,
) -> Result<&'a Grant, Problem> {
    use crate::trading::parties::PartyKind as K;
    let role = match kind {
        K::Tenderee => Role::Tenderee,
        K::Agency => Role::Agency,
        K::Bidder => Role::Bidder,
    };
    actor
        .grants
        .iter()
        .filter(|g| g.role == role && allows(g.role, Permission::RegisterParty))
        .find(|g| g.org_path == org_path)
        .ok_or_else(Problem::forbidden)
}

/// 时间门控 (the time-gated scope): what is sealed until `opens_at` (micros) is readable by
/// nobody before that instant on the server's clock, whatever their roles — not the tenderee,
/// the centre, a regulator or an administrator (sealed bids before the opening).
pub fn time_gate(opens_at: Option<i64>, now: i64) -> Result<(), Problem> {
    match opens_at {
        Some(t) if now >= t => Ok(()),
        _ => Err(Problem::new(
            crate::ProblemKind::Forbidden,
            "access.time_gated",
            "开启时间未到，任何人不得读取。",
            "Sealed until its opening time; nobody may read it before.",
        )),
    }
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The roles of this actor, applicants included (natural persons apply without a grant).
    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        if self.kind == AccountKind::NaturalPerson && !roles.contains(&Role::Applicant) {
            roles.insert(0, Role::Applicant);
        }
        roles.sort();
        roles.dedup();
        roles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(Role, &str)]) -> Actor {
        Actor {
            user_id: "u".into(),
            kind: AccountKind::Staff,
            grants: grants
                .iter()
                .map(|(role, path)| Grant {
                    role: *role,
                    org_id: path
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .into(),
                    org_path: (*path).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_regulator_supervises_the_trading_centre_of_its_region_only() {
        let centre = "/p/city/centre/";
        let reg = actor(&[(Role::Regulator, "/p/city/office/")]);
        assert!(authorize_in_region(&reg, Permission::SuperviseTrading, centre).is_ok());
        let elsewhere = actor(&[(Role::Regulator, "/p/other/office/")]);
        assert!(authorize_in_region(&elsewhere, Permission::SuperviseTrading, centre).is_err());
        let staff = actor(&[(Role::TradingStaff, "/p/city/centre/")]);
        assert!(authorize_in_region(&staff, Permission::SuperviseTrading, centre).is_err());
        let bidder = actor(&[(Role::Bidder, "/p/city/firm/")]);
        assert!(authorize_in_region(&bidder, Permission::SuperviseTrading, centre).is_err());
    }

    #[test]
    fn supervisor_sees_organisations_below_but_not_beside() {
        let a = actor(&[(Role::Supervisor, "/p/city/")]);
        assert!(
            authorize(
                &a,
                Permission::ViewOrganisation,
                Scope::Org("/p/city/district/")
            )
            .is_ok()
        );
        assert!(authorize(&a, Permission::ViewAudit, Scope::Org("/p/city/")).is_ok());
        assert!(authorize(&a, Permission::ViewOrganisation, Scope::Org("/p/other/")).is_err());
        assert!(authorize(&a, Permission::ViewOrganisation, Scope::Org("/p/")).is_err());
    }

    #[test]
    fn a_window_officer_sees_only_its_own_organisation() {
        let a = actor(&[(Role::WindowOfficer, "/p/city/centre/")]);
        assert!(
            authorize(
                &a,
                Permission::ViewOrganisation,
                Scope::Org("/p/city/centre/")
            )
            .is_ok()
        );
        assert!(
            authorize(
                &a,
                Permission::ViewOrganisation,
                Scope::Org("/p/city/centre/x/")
            )
            .is_err()
        );
        assert!(authorize(&a, Permission::ViewAudit, Scope::Org("/p/city/centre/")).is_err());
    }

    #[test]
    fn only_root_administrators_change_platform_data() {
        let root = actor(&[(Role::Administrator, "/p/")]);
        let city = actor(&[(Role::Administrator, "/p/city/")]);
        let sup = actor(&[(Role::Supervisor, "/p/")]);
        assert!(authorize(&root, Permission::ManageCalendar, Scope::Platform).is_ok());
        assert!(authorize(&city, Permission::ManageCalendar, Scope::Platform).is_err());
        assert!(authorize(&sup, Permission::ManageCalendar, Scope::Platform).is_err());
        assert!(
            authorize(
                &city,
                Permission::ManageOrganisations,
                Scope::Org("/p/city/d/")
            )
            .is_ok()
        );
        assert!(authorize(&city, Permission::ManageUsers, Scope::Org("/p/")).is_err());
    }

    #[test]
    fn a_path_prefix_must_end_at_a_segment_boundary() {
        // Paths always end in '/', so "/p/city/" is not a prefix of "/p/city2/".
        let a = actor(&[(Role::Supervisor, "/p/city/")]);
        assert!(authorize(&a, Permission::ViewOrganisation, Scope::Org("/p/city2/")).is_err());
    }

    #[test]
    fn catalogue_managers_manage_their_subtree_only() {
        let a = actor(&[(Role::CatalogueManager, "/p/city/")]);
        assert!(authorize(&a, Permission::ManageCatalog, Scope::Org("/p/city/dept/")).is_ok());
        assert!(authorize(&a, Permission::ManageCatalog, Scope::Org("/p/other/")).is_err());
        let w = actor(&[(Role::WindowOfficer, "/p/city/centre/")]);
        assert!(authorize(&w, Permission::ManageCatalog, Scope::Org("/p/city/centre/")).is_err());
        assert!(
            authorize(
                &w,
                Permission::AnswerQuestions,
                Scope::Org("/p/city/centre/")
            )
            .is_ok()
        );
    }

    #[test]
    fn trading_roles_and_the_time_gate() {
        let b = actor(&[(Role::Bidder, "/e/")]);
        assert!(authorize(&b, Permission::Bid, Scope::Org("/e/")).is_ok());
        assert!(authorize(&b, Permission::ManageTender, Scope::Org("/e/")).is_err());
        assert!(authorize(&b, Permission::Bid, Scope::Org("/other/")).is_err());
        let staff = actor(&[(Role::TradingStaff, "/p/c/")]);
        assert!(
            authorize(
                &staff,
                Permission::OperateTradingCentre,
                Scope::Org("/p/c/")
            )
            .is_ok()
        );
        assert!(
            authorize(
                &staff,
                Permission::OperateTradingCentre,
                Scope::Org("/p/c/x/")
            )
            .is_err()
        );
        let admin = actor(&[(Role::Administrator, "/p/")]);
        assert!(authorize(&admin, Permission::Bid, Scope::Org("/p/e/")).is_err());
        assert_eq!(
            trading_performer(Role::Agency),
            Some(crate::trading::Performer::Tenderee)
        );
        assert_eq!(trading_performer(Role::Bidder), None);
        use crate::trading::parties::PartyKind;
        assert!(authorize_party(&b, PartyKind::Bidder, "/e/").is_ok());
        assert!(authorize_party(&b, PartyKind::Tenderee, "/e/").is_err());
        assert!(authorize_party(&b, PartyKind::Bidder, "/f/").is_err());
        assert!(time_gate(Some(10), 9).is_err());
        assert!(time_gate(None, i64::MAX).is_err());
        assert!(time_gate(Some(10), 10).is_ok());
    }

    #[test]
    fn parent_paths() {
        assert_eq!(parent_path("/a/b/c/"), "/a/b/");
        assert_eq!(parent_path("/a/"), "/");
    }

    #[test]
    fn enum_texts_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn natural_persons_are_applicants() {
        let mut a = actor(&[]);
        a.kind = AccountKind::NaturalPerson;
        assert_eq!(a.roles(), vec![Role::Applicant]);
    }

    #[test]
    fn case_events_go_to_their_performers_in_their_organisation() {
        use crate::cases::CaseEvent as E;
        let window = actor(&[(Role::WindowOfficer, "/p/city/centre/")]);
        let officer = actor(&[(Role::ApprovingOfficer, "/p/city/market/")]);
        let head = actor(&[(Role::DepartmentHead, "/p/city/market/")]);
        let centre = Scope::Org("/p/city/centre/");
        let market = Scope::Org("/p/city/market/");
        assert!(authorize(&window, Permission::CaseEvent(E::Accept), centre).is_ok());
        assert!(authorize(&window, Permission::CaseEvent(E::Accept), market).is_err());
        assert!(authorize(&officer, Permission::CaseEvent(E::Accept), centre).is_err());
        assert!(authorize(&officer, Permission::CaseEvent(E::RecordOpinion), market).is_ok());
        assert!(authorize(&officer, Permission::CaseEvent(E::ExtendLimit), market).is_err());
        assert!(authorize(&head, Permission::CaseEvent(E::ExtendLimit), market).is_ok());
        assert!(authorize(&window, Permission::CaseEvent(E::Submit), centre).is_err());
        assert!(authorize(&window, Permission::RegisterCase, centre).is_ok());
        assert!(authorize(&officer, Permission::RegisterCase, market).is_err());
        assert!(authorize_own_case(&window, "u").is_ok());
        assert!(authorize_own_case(&window, "someone else").is_err());
    }
}
