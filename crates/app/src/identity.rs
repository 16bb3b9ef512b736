//! Identity and access: accounts (staff, natural persons, legal persons), role grants, sign-in
//! with server-side sessions that can be revoked, and API tokens for machine clients.

use std::sync::Arc;

use base64::Engine;
use rand::Rng;
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{
    self, AccountKind, AccountStatus, Actor, Grant, Permission, Role, Scope,
};
use yiwang_core::ids::{CreditCode, IdNumber};
use yiwang_core::ledger::sm3_hex;
use yiwang_store::prelude::*;
use yiwang_store::{ApiToken, RoleGrant, Session, SignInFailure, Store, User};

use crate::notify::{self, Channel};
use crate::{Acting, App, AppResult, digest, new_id, now_micros, password, record};

/// How long a sign-in lasts (absolute; sign-out or an administrator ends it sooner).
pub const SESSION_HOURS: i64 = 12;

const DAY_MICROS: i64 = 86_400_000_000;

/// Tokens issued before tokens carried an expiry lapse this many days after their issue.
pub const LEGACY_TOKEN_DAYS: i64 = 90;

/// How long failed sign-ins are kept (for throttling and for supervisors).
pub const SIGN_IN_FAILURE_RETENTION_DAYS: i64 = 90;

/// How long API tokens live: the default when a client names no lifetime, and the most it may
/// ask for. Set by `YIWANG_TOKEN_DAYS` and `YIWANG_TOKEN_MAX_DAYS` on a serving node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPolicy {
    pub default_days: u32,
    pub max_days: u32,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            default_days: 90,
            max_days: 365,
        }
    }
}

impl TokenPolicy {
    /// A policy from the two settings (`None`: the default); the default may not exceed the
    /// maximum and neither may be zero.
    pub fn new(default_days: Option<u32>, max_days: Option<u32>) -> Result<Self, String> {
        let d = TokenPolicy::default();
        let max_days = max_days.unwrap_or(d.max_days);
        let default_days = default_days.unwrap_or(d.default_days.min(max_days));
        if default_days == 0 || max_days == 0 || default_days > max_days {
            return Err(format!(
                "token lifetimes must be at least one day and the default ({default_days}) at most the maximum ({max_days})"
            ));
        }
        Ok(TokenPolicy {
            default_days,
            max_days,
        })
    }

    /// The lifetime of a new token: what the client asked for, within the maximum.
    pub fn lifetime_days(&self, requested: Option<u32>) -> Result<u32, Problem> {
        match requested {
            None => Ok(self.default_days),
            Some(n) if n >= 1 && n <= self.max_days => Ok(n),
            Some(_) => Err(Problem::invalid(
                "token.expires_in_days",
                format!("令牌有效期须为1至{}天", self.max_days),
                format!("A token's lifetime must be 1 to {} days", self.max_days),
            )
            .with_details(serde_json::json!({ "max_days": self.max_days }))),
        }
    }
}

/// When a token stops working (tokens from before expiry existed: a fixed time after issue).
pub fn token_expiry(token: &ApiToken) -> i64 {
    token
        .expires_at
        .unwrap_or(token.created_at + LEGACY_TOKEN_DAYS * DAY_MICROS)
}

/// How a sign-in was attempted, for the record of failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInChannel {
    /// The sign-in form.
    Page,
    /// The API token grant (username and password).
    Token,
}

impl SignInChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInChannel::Page => "page",
            SignInChannel::Token => "token",
        }
    }
}

/// Where a sign-in attempt came from.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The client's address as the node saw it.
    pub address: &'a str,
    pub channel: SignInChannel,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are 256-bit random values, so one SM3 hash suffices to store them safely.
pub fn token_hash(token: &str) -> String {
    sm3_hex(token.as_bytes())
}

/// Input of [`create_user`].
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewUser {
    /// 3 to 64 letters, digits or `. _ -` (stored in lower case).
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 50)]
    pub display_name: String,
    /// `staff`, `natural_person` or `legal_person`.
    #[schema(pattern = "^(staff|natural_person|legal_person)$")]
    pub kind: String,
    /// 8 to 256 characters (at most 256 bytes in UTF-8).
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    /// 居民身份证号码, required for natural persons.
    pub id_number: Option<String>,
    /// 统一社会信用代码, required for legal persons.
    pub credit_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Roles to grant, each in an organisation.
    #[serde(default)]
    pub grants: Vec<NewGrant>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewGrant {
    pub role: String,
    pub org_id: String,
}

fn bad(code: &str, zh: &str, en: &str) -> Problem {
    Problem::invalid(code, zh, en)
}

/// Create an account with its grants; the administrator must cover every granted organisation.
pub async fn create_user(store: &Arc<dyn Store>, actor: &Actor, input: NewUser) -> AppResult<User> {
    let mut tx = store.write().await?;
    let mut acting = None;
    for g in &input.grants {
        let org = tx
            .get_organisation(&g.org_id)
            .await?
            .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
        let grant = access::authorize(actor, Permission::ManageUsers, Scope::Org(&org.path))?;
        acting.get_or_insert_with(|| Acting::as_grant(actor, grant));
    }
    let acting = match acting {
        Some(a) => a,
        // An account without grants (an applicant) may be opened by any administrator.
        None => {
            let grant = actor
                .grants
                .iter()
                .find(|g| g.role == Role::Administrator)
                .ok_or_else(Problem::forbidden)?;
            Acting::as_grant(actor, grant)
        }
    };
    let user = insert_user(&mut *tx, &acting, input).await?;
    tx.commit().await?;
    Ok(user)
}

/// Validate and write an account, its grants, their ledger entry and a welcome notification.
pub async fn insert_user(tx: &mut dyn WriteTx, by: &Acting, input: NewUser) -> AppResult<User> {
    let username = input.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(bad(
            "user.username",
            "用户名须为3至64位字母、数字或 . _ -",
            "A username must be 3 to 64 letters, digits or . _ -",
        )
        .into());
    }
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(bad(
            "user.display_name",
            "姓名不能为空且不超过50个字符",
            "A display name must be 1 to 50 characters",
        )
        .into());
    }
    let kind = AccountKind::parse(&input.kind).ok_or_else(|| {
        bad(
            "user.kind",
            "账户类型须为 staff、natural_person 或 legal_person",
            "Account kind must be staff, natural_person or legal_person",
        )
    })?;
    let id_number = match input.id_number.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(IdNumber::parse(s)?.as_str().to_string()),
        _ => None,
    };
    let credit_code = match input.credit_code.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(CreditCode::parse(s)?.as_str().to_string()),
        _ => None,
    };
    if kind == AccountKind::NaturalPerson && id_number.is_none() {
        return Err(bad(
            "user.id_number_required",
            "自然人账户须填写居民身份证号码",
            "A natural person's account needs a resident ID number",
        )
        .into());
    }
    if kind == AccountKind::LegalPerson && credit_code.is_none() {
        return Err(bad(
            "user.credit_code_required",
            "法人账户须填写统一社会信用代码",
            "A legal person's account needs a unified social credit code",
        )
        .into());
    }
    password::check_policy(&input.password)?;
    let mut roles = Vec::new();
    for g in &input.grants {
        let role = Role::parse(&g.role).ok_or_else(|| {
            Problem::invalid(
                "user.role",
                format!("未知角色:{}", g.role),
                format!("Unknown role: {}", g.role),
            )
        })?;
        roles.push((role, g.org_id.clone()));
    }
    let now = now_micros();
    let user = User {
        id: new_id(),
        username,
        display_name,
        kind: kind.as_str().into(),
        id_number,
        credit_code,
        phone: input.phone.filter(|s| !s.trim().is_empty()),
        email: input.email.filter(|s| !s.trim().is_empty()),
        password_hash: password::hash(&input.password),
        status: AccountStatus::Active.as_str().into(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_user(&user).await?;
    let mut rows = vec![digest(User::TABLE, &user.id, user.digest())];
    for (role, org_id) in &roles {
        if tx.get_organisation(org_id).await?.is_none() {
            return Err(Problem::not_found("机构", "Organisation").into());
        }
        let g = RoleGrant {
            id: new_id(),
            user_id: user.id.clone(),
            role: role.as_str().into(),
            org_id: org_id.clone(),
            created_at: now,
        };
        tx.insert_grant(&g).await?;
        rows.push(digest(RoleGrant::TABLE, &g.id, g.digest()));
    }
    record(
        tx,
        by,
        "user.create",
        ("user", &user.id),
        rows,
        serde_json::json!({
            "username": user.username,
            "kind": user.kind,
            "roles": roles.iter().map(|(r, o)| format!("{}@{}", r.as_str(), o)).collect::<Vec<_>>(),
        }),
    )
    .await?;
    let role_names: Vec<&str> = roles.iter().map(|(r, _)| r.label_zh()).collect();
    notify::queue(
        tx,
        Channel::InApp,
        &user.id,
        "account.created",
        serde_json::json!({
            "display_name": user.display_name,
            "username": user.username,
            "roles": if role_names.is_empty() { "申请人".to_string() } else { role_names.join("、") },
        }),
    )
    .await?;
    Ok(user)
}

fn invalid_credentials() -> Problem {
    Problem::new(
        yiwang_core::ProblemKind::Unauthenticated,
        "auth.invalid_credentials",
        "用户名或密码错误",
        "Wrong username or password",
    )
}

/// A successful sign-in: the cookie token (shown once) and the session.
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub user: User,
}

/// Check a username and password; the same answer for unknown users, wrong passwords and
/// disabled accounts, and the same time spent, so nothing leaks. A failure is recorded (username,
/// address, channel, reason) before it is answered.
pub async fn authenticate(
    store: &Arc<dyn Store>,
    username: &str,
    pw: &str,
    attempt: Attempt<'_>,
) -> AppResult<User> {
    let username: String = username.trim().to_lowercase().chars().take(64).collect();
    let user = store.read().await?.find_user_by_username(&username).await?;
    let reason = match &user {
        None => {
            password::verify(pw, password::dummy_hash());
            "unknown_user"
        }
        Some(u) if !password::verify(pw, &u.password_hash) => "wrong_password",
        Some(u) if !is_active(u) => "inactive",
        Some(u) => return Ok(u.clone()),
    };
    let failure = SignInFailure {
        id: new_id(),
        at: now_micros(),
        username,
        user_id: user.map(|u| u.id),
        address: attempt.address.chars().take(64).collect(),
        channel: attempt.channel.as_str().into(),
        reason: reason.into(),
    };
    let mut tx = store.write().await?;
    tx.insert_sign_in_failure(&failure).await?;
    tx.commit().await?;
    metrics::counter!("yiwang_sign_in_failures_total", "channel" => attempt.channel.as_str())
        .increment(1);
    Err(invalid_credentials().into())
}

/// Check a password and open a server-side session.
pub async fn sign_in(
    store: &Arc<dyn Store>,
    username: &str,
    pw: &str,
    address: &str,
) -> AppResult<SignedIn> {
    let attempt = Attempt {
        address,
        channel: SignInChannel::Page,
    };
    let user = authenticate(store, username, pw, attempt).await?;
    let token = random_token();
    let now = now_micros();
    let session = Session {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        csrf_token: random_token(),
        created_at: now,
        expires_at: now + SESSION_HOURS * 3_600_000_000,
        revoked_at: None,
    };
    let mut tx = store.write().await?;
    tx.insert_session(&session).await?;
    let by = Acting {
        actor_id: Some(user.id.clone()),
        role: Some(user.kind.clone()),
        org_id: None,
    };
    record(
        &mut *tx,
        &by,
        "auth.sign_in",
        ("user", &user.id),
        vec![],
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(SignedIn {
        token,
        session,
        user,
    })
}

/// End a session (sign-out). Unknown tokens are ignored.
pub async fn sign_out(store: &Arc<dyn Store>, token: &str) -> AppResult<()> {
    let mut tx = store.write().await?;
    if let Some(s) = tx.get_session(&token_hash(token)).await? {
        tx.revoke_session(&s.token_hash, now_micros()).await?;
        let by = Acting {
            actor_id: Some(s.user_id.clone()),
            role: None,
            org_id: None,
        };
        record(
            &mut *tx,
            &by,
            "auth.sign_out",
            ("user", &s.user_id),
            vec![],
            serde_json::json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Build the rules' view of a user: account kind and grants with their organisation paths.
pub async fn actor_of(tx: &mut dyn ReadTx, user: &User) -> AppResult<Actor> {
    let grants = tx
        .grants_of_user(&user.id)
        .await?
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                role: Role::parse(&g.role)?,
                org_id: g.org_id,
                org_path: g.org_path,
            })
        })
        .collect();
    Ok(Actor {
        user_id: user.id.clone(),
        kind: AccountKind::parse(&user.kind).unwrap_or(AccountKind::Staff),
        grants,
    })
}

/// Who is signed in with this session token, if the session is live and the user active.
pub async fn session_actor(
    store: &Arc<dyn Store>,
    token: &str,
) -> AppResult<Option<(Actor, User, Session)>> {
    let mut tx = store.read().await?;
    let Some(session) = tx.get_session(&token_hash(token)).await? else {
        return Ok(None);
    };
    if session.revoked_at.is_some() || session.expires_at <= now_micros() {
        return Ok(None);
    }
    let Some(user) = tx.get_user(&session.user_id).await? else {
        return Ok(None);
    };
    if !is_active(&user) {
        return Ok(None);
    }
    let actor = actor_of(&mut *tx, &user).await?;
    Ok(Some((actor, user, session)))
}

/// What [`revoke_sessions`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Revoked {
    /// Live sessions ended.
    pub sessions: u64,
    /// API tokens revoked (expired ones included, so none can be revived).
    pub tokens: u64,
}

/// End every session of a user and revoke every API token of theirs (administrators covering
/// one of the user's organisations; anyone for themselves). One ledger entry records it, with
/// the digest of every token row it revoked.
pub async fn revoke_sessions(
    store: &Arc<dyn Store>,
    actor: &Actor,
    user_id: &str,
) -> AppResult<Revoked> {
    let mut tx = store.write().await?;
    let target = tx
        .get_user(user_id)
        .await?
        .ok_or_else(|| Problem::not_found("用户", "User"))?;
    let target_actor = actor_of(&mut *tx, &target).await?;
    let grant = if actor.user_id == target.id {
        None
    } else {
        let paths: Vec<String> = target_actor
            .grants
            .iter()
            .map(|g| g.org_path.clone())
            .collect();
        let g = paths
            .iter()
            .find_map(|p| access::authorize(actor, Permission::ManageUsers, Scope::Org(p)).ok())
            .or_else(|| access::authorize(actor, Permission::ManageUsers, Scope::Platform).ok())
            .ok_or_else(Problem::forbidden)?;
        Some(g)
    };
    let by = match grant {
        Some(g) => Acting::as_grant(actor, g),
        None => Acting::as_self(actor),
    };
    let now = now_micros();
    let sessions = tx.revoke_user_sessions(&target.id, now).await?;
    let mut rows = Vec::new();
    for mut token in tx.unrevoked_api_tokens_of_user(&target.id).await? {
        token.revoked_at = Some(now);
        tx.update_api_token(&token).await?;
        rows.push(digest(ApiToken::TABLE, &token.id, token.digest()));
    }
    let tokens = rows.len() as u64;
    record(
        &mut *tx,
        &by,
        "auth.revoke_sessions",
        ("user", &target.id),
        rows,
        serde_json::json!({ "sessions": sessions, "tokens": tokens }),
    )
    .await?;
    notify::queue(
        &mut *tx,
        Channel::InApp,
        &target.id,
        "session.revoked",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Revoked { sessions, tokens })
}

/// What a client asks for when it requests an API token.
#[derive(Debug, Clone)]
pub struct TokenRequest<'a> {
    /// What the token is for.
    pub name: &'a str,
    /// Its lifetime in days; the policy's default when `None`.
    pub expires_in_days: Option<u32>,
}

/// Issue an API token to whoever proves the account's password (machine clients' set-up).
pub async fn create_api_token_with_password(
    app: &App,
    username: &str,
    pw: &str,
    req: TokenRequest<'_>,
    address: &str,
) -> AppResult<(String, ApiToken)> {
    // Cheap checks first, so a malformed request costs no password hash.
    check_token_name(req.name)?;
    app.token_policy().lifetime_days(req.expires_in_days)?;
    let attempt = Attempt {
        address,
        channel: SignInChannel::Token,
    };
    let user = authenticate(&app.store, username, pw, attempt).await?;
    let actor = actor_of(&mut *app.store.read().await?, &user).await?;
    create_api_token(app, &actor, req).await
}

/// Inbox of the caller (in-app notifications), newest first.
pub async fn inbox(
    store: &Arc<dyn Store>,
    actor: &Actor,
) -> AppResult<Vec<yiwang_store::InboxItem>> {
    Ok(store
        .read()
        .await?
        .inbox_of_user(&actor.user_id, 100)
        .await?)
}

fn check_token_name(name: &str) -> Result<&str, Problem> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(bad(
            "token.name",
            "令牌名称不能为空且不超过100个字符",
            "A token name must be 1 to 100 characters",
        ));
    }
    Ok(name)
}

/// Issue an API token for the caller's own account, expiring within the node's token policy;
/// the secret is returned once.
pub async fn create_api_token(
    app: &App,
    actor: &Actor,
    req: TokenRequest<'_>,
) -> AppResult<(String, ApiToken)> {
    let name = check_token_name(req.name)?;
    let days = app.token_policy().lifetime_days(req.expires_in_days)?;
    let secret = format!("yw_{}", random_token());
    let now = now_micros();
    let token = ApiToken {
        id: new_id(),
        user_id: actor.user_id.clone(),
        name: name.into(),
        token_hash: token_hash(&secret),
        created_at: now,
        revoked_at: None,
        expires_at: Some(now + i64::from(days) * DAY_MICROS),
    };
    let mut tx = app.store.write().await?;
    tx.insert_api_token(&token).await?;
    record(
        &mut *tx,
        &Acting::as_self(actor),
        "api_token.create",
        ("api_token", &token.id),
        vec![digest(ApiToken::TABLE, &token.id, token.digest())],
        serde_json::json!({ "name": token.name, "expires_in_days": days }),
    )
    .await?;
    tx.commit().await?;
    Ok((secret, token))
}

/// Revoke one of the caller's API tokens.
pub async fn revoke_api_token(store: &Arc<dyn Store>, actor: &Actor, id: &str) -> AppResult<()> {
    let mut tx = store.write().await?;
    let mut token = tx
        .get_api_token(id)
        .await?
        .filter(|t| t.user_id == actor.user_id)
        .ok_or_else(|| Problem::not_found("令牌", "Token"))?;
    if token.revoked_at.is_some() {
        return Ok(());
    }
    token.revoked_at = Some(now_micros());
    tx.update_api_token(&token).await?;
    record(
        &mut *tx,
        &Acting::as_self(actor),
        "api_token.revoke",
        ("api_token", &token.id),
        vec![digest(ApiToken::TABLE, &token.id, token.digest())],
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who a bearer token belongs to, if it is live.
pub async fn token_actor(store: &Arc<dyn Store>, secret: &str) -> AppResult<Option<(Actor, User)>> {
    let mut tx = store.read().await?;
    let Some(token) = tx.find_api_token(&token_hash(secret)).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || token_expiry(&token) <= now_micros() {
        return Ok(None);
    }
    let Some(user) = tx.get_user(&token.user_id).await? else {
        return Ok(None);
    };
    if !is_active(&user) {
        return Ok(None);
    }
    let actor = actor_of(&mut *tx, &user).await?;
    Ok(Some((actor, user)))
}

/// What `yiwang bootstrap` needs to open a new deployment.
pub struct Bootstrap {
    /// Region of the root organisation (e.g. 320000 for a province).
    pub region_code: String,
    /// Name of the root organisation, e.g. 江苏省人民政府.
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// Open a deployment: the root organisation of a region (created when missing) and an
/// administrator holding the role there. Only someone with direct access to the database (the
/// operator running the CLI) can do this, so it acts as the platform itself; it is in the ledger.
pub async fn bootstrap(
    store: &Arc<dyn Store>,
    b: Bootstrap,
) -> AppResult<(yiwang_store::Organisation, User)> {
    let by = Acting::system();
    let mut tx = store.write().await?;
    let existing = tx.list_organisations("").await?.into_iter().find(|o| {
        o.parent_id.is_none() && o.region_code == b.region_code && o.name == b.org_name.trim()
    });
    let root = match existing {
        Some(o) => o,
        None => {
            crate::organisations::insert_organisation(
                &mut *tx,
                &by,
                crate::organisations::NewOrganisation {
                    name: b.org_name,
                    name_en: String::new(),
                    kind: yiwang_core::access::OrgKind::Government.as_str().into(),
                    region_code: b.region_code,
                    parent_id: None,
                    credit_code: None,
                },
                None,
            )
            .await?
        }
    };
    let user = insert_user(
        &mut *tx,
        &by,
        NewUser {
            username: b.username,
            display_name: b.display_name,
            kind: AccountKind::Staff.as_str().into(),
            password: b.password,
            id_number: None,
            credit_code: None,
            phone: None,
            email: None,
            grants: vec![NewGrant {
                role: Role::Administrator.as_str().into(),
                org_id: root.id.clone(),
            }],
        },
    )
    .await?;
    tx.commit().await?;
    Ok((root, user))
}

/// The most failed sign-ins one listing returns.
pub const MAX_FAILURE_LISTING: i64 = 500;

/// Recent failed sign-ins, newest first, for platform administrators, supervisors and
/// regulators (a failure may name no account, so only platform scope sees them).
pub async fn sign_in_failures(
    store: &Arc<dyn Store>,
    actor: &Actor,
    since: i64,
    limit: i64,
) -> AppResult<Vec<SignInFailure>> {
    access::authorize(actor, Permission::ViewAudit, Scope::Platform)?;
    let limit = limit.clamp(1, MAX_FAILURE_LISTING);
    Ok(store
        .read()
        .await?
        .recent_sign_in_failures(since, limit)
        .await?)
}

/// Forget failed sign-ins older than the retention (the daily clean-up job).
pub async fn forget_old_sign_in_failures(tx: &mut dyn WriteTx, now: i64) -> AppResult<u64> {
    Ok(tx
        .delete_sign_in_failures(now - SIGN_IN_FAILURE_RETENTION_DAYS * DAY_MICROS)
        .await?)
}

/// Whether the account may sign in and act (an unknown status stored in the row may not).
fn is_active(user: &User) -> bool {
    AccountStatus::parse(&user.status) == Some(AccountStatus::Active)
}

/// Users, grants and tokens in the capability registry.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "identity",
    covered: yiwang_store::identity::IDENTITY_TABLES,
    covered_rows: Some(covered_rows),
    templates: &[
        crate::registry::TemplateSpec {
            key: "account.created",
            render: |p| notify::Message {
                title: "账户已开通".into(),
                body: format!(
                    "{}：您的一网账户（{}）已开通，角色：{}。",
                    p.text("display_name"),
                    p.text("username"),
                    p.text("roles")
                ),
            },
        },
        crate::registry::TemplateSpec {
            key: "session.revoked",
            render: |_| notify::Message {
                title: "登录已被注销".into(),
                body: "管理员已注销您的全部登录会话，请重新登录。".into(),
            },
        },
    ],
    ..crate::registry::Capability::EMPTY
};

fn covered_rows<'a>(
    tx: &'a mut dyn ReadTx,
    out: &'a mut Vec<crate::registry::CoveredRow>,
) -> crate::registry::BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        for u in tx.list_users().await? {
            out.push((User::TABLE, u.id.clone(), u.digest()));
        }
        for g in tx.list_grants().await? {
            out.push((RoleGrant::TABLE, g.id.clone(), g.digest()));
        }
        for t in tx.list_api_tokens().await? {
            out.push((ApiToken::TABLE, t.id.clone(), t.digest()));
        }
        Ok(())
    })
}
