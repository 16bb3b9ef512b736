//! Users, role grants, sessions, API tokens and failed sign-ins: their rows, queries and SQL.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;

/// The identity tables the audit ledger covers (sessions and sign-in failures are operational).
pub const IDENTITY_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: User::TABLE,
        id_sql: "id",
        edit_sql: Some("display_name = display_name || '改'"),
        forge_sql: "id = id || '-forged', username = username || '-forged', id_number = NULL",
    },
    crate::CoveredTable {
        table: RoleGrant::TABLE,
        id_sql: "id",
        edit_sql: Some("created_at = created_at + 1"),
        forge_sql: "id = id || '-forged', role = role || '-forged'",
    },
    crate::CoveredTable {
        table: ApiToken::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', token_hash = token_hash || '-forged'",
    },
];

/// 用户: an account — staff, a natural person or a legal person's agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub kind: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub status: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl User {
    pub const TABLE: &'static str = "users";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("username", self.username.clone()),
                ("display_name", self.display_name.clone()),
                ("kind", self.kind.clone()),
                ("id_number", opt(&self.id_number)),
                ("credit_code", opt(&self.credit_code)),
                ("phone", opt(&self.phone)),
                ("email", opt(&self.email)),
                ("password_hash", self.password_hash.clone()),
                ("status", self.status.clone()),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// A role held by a user in an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RoleGrant {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub org_id: String,
    pub created_at: Micros,
}

impl RoleGrant {
    pub const TABLE: &'static str = "role_grants";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("user_id", self.user_id.clone()),
                ("role", self.role.clone()),
                ("org_id", self.org_id.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// A role grant joined with its organisation, as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct GrantView {
    pub role: String,
    pub org_id: String,
    pub org_path: String,
    pub org_name: String,
    pub org_name_en: String,
}

/// A server-side session; the cookie holds a random token whose SM3 hash is the key.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, utoipa::ToSchema)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Micros,
    pub expires_at: Micros,
    pub revoked_at: Option<Micros>,
}

/// An API token for machine clients; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip_serializing)]
    pub token_hash: String,
    pub created_at: Micros,
    pub revoked_at: Option<Micros>,
    /// When the token stops working. `None` only on tokens issued before expiry existed, which
    /// lapse a fixed time after their issue (`identity::LEGACY_TOKEN_DAYS`).
    pub expires_at: Option<Micros>,
}

/// A failed sign-in (wrong password, unknown or disabled account), by page or token grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SignInFailure {
    pub id: String,
    pub at: Micros,
    /// The username as typed (trimmed, lower-cased, at most 64 characters).
    pub username: String,
    /// The account, when the username names one.
    pub user_id: Option<String>,
    /// The client's address as the node saw it.
    pub address: String,
    /// `page` (the sign-in form) or `token` (the API token grant).
    pub channel: String,
    /// `unknown_user`, `wrong_password` or `inactive`.
    pub reason: String,
}

impl ApiToken {
    pub const TABLE: &'static str = "api_tokens";
    pub fn digest(&self) -> String {
        let mut fields = vec![
            ("id", self.id.clone()),
            ("user_id", self.user_id.clone()),
            ("name", self.name.clone()),
            ("token_hash", self.token_hash.clone()),
            ("created_at", self.created_at.to_string()),
            ("revoked_at", opt(&self.revoked_at.map(|v| v.to_string()))),
        ];
        // Expiry joined the row later: a token without one keeps the digest it was recorded
        // with; a token with one is covered by it.
        if let Some(at) = self.expires_at {
            fields.push(("expires_at", at.to_string()));
        }
        row_digest(Self::TABLE, &fields)
    }
}

/// Identity queries any transaction may run.
#[async_trait::async_trait]
pub trait IdentityRead: Send {
    async fn get_user(&mut self, id: &str) -> Result<Option<User>>;
    async fn find_user_by_username(&mut self, username: &str) -> Result<Option<User>>;
    async fn list_users(&mut self) -> Result<Vec<User>>;
    async fn list_grants(&mut self) -> Result<Vec<RoleGrant>>;
    async fn grants_of_user(&mut self, user_id: &str) -> Result<Vec<GrantView>>;
    async fn get_session(&mut self, token_hash: &str) -> Result<Option<Session>>;
    async fn get_api_token(&mut self, id: &str) -> Result<Option<ApiToken>>;
    async fn find_api_token(&mut self, token_hash: &str) -> Result<Option<ApiToken>>;
    async fn list_api_tokens(&mut self) -> Result<Vec<ApiToken>>;
    /// A user's tokens that are not revoked (expired ones included), ordered by id.
    async fn unrevoked_api_tokens_of_user(&mut self, user_id: &str) -> Result<Vec<ApiToken>>;
    /// The newest failures at or after `since`, newest first, at most `limit`.
    async fn recent_sign_in_failures(
        &mut self,
        since: Micros,
        limit: i64,
    ) -> Result<Vec<SignInFailure>>;
    /// How many failures for this username (lower-cased) since an instant.
    async fn count_sign_in_failures_of_username(
        &mut self,
        username: &str,
        since: Micros,
    ) -> Result<i64>;
}

/// Identity changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait IdentityWrite: IdentityRead {
    async fn insert_user(&mut self, u: &User) -> Result<()>;
    async fn update_user(&mut self, u: &User) -> Result<()>;
    async fn insert_grant(&mut self, g: &RoleGrant) -> Result<()>;
    async fn insert_session(&mut self, s: &Session) -> Result<()>;
    async fn revoke_session(&mut self, token_hash: &str, at: Micros) -> Result<()>;
    async fn revoke_user_sessions(&mut self, user_id: &str, at: Micros) -> Result<u64>;
    async fn insert_api_token(&mut self, t: &ApiToken) -> Result<()>;
    async fn update_api_token(&mut self, t: &ApiToken) -> Result<()>;
    async fn insert_sign_in_failure(&mut self, f: &SignInFailure) -> Result<()>;
    async fn delete_sign_in_failures(&mut self, before: Micros) -> Result<u64>;
}

/// The SQL of [`IdentityRead`] and [`IdentityWrite`] for one backend (`$db`).
macro_rules! impl_identity {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::identity::IdentityRead for $crate::SqlTx<$db, M> {
            async fn get_user(&mut self, id: &str) -> $crate::Result<Option<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_user_by_username(&mut self, username: &str) -> $crate::Result<Option<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users WHERE username = $1")
                    .bind(username).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_users(&mut self) -> $crate::Result<Vec<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users ORDER BY username")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_grants(&mut self) -> $crate::Result<Vec<$crate::RoleGrant>> {
                sqlx::query_as("SELECT id, user_id, role, org_id, created_at FROM role_grants ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn grants_of_user(&mut self, user_id: &str) -> $crate::Result<Vec<$crate::GrantView>> {
                sqlx::query_as("SELECT g.role AS role, o.id AS org_id, o.path AS org_path, o.name AS org_name, o.name_en AS org_name_en FROM role_grants g JOIN organisations o ON o.id = g.org_id WHERE g.user_id = $1 ORDER BY o.path, g.role")
                    .bind(user_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_session(&mut self, token_hash: &str) -> $crate::Result<Option<$crate::Session>> {
                sqlx::query_as("SELECT token_hash, user_id, csrf_token, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_api_token(&mut self, id: &str) -> $crate::Result<Option<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_api_token(&mut self, token_hash: &str) -> $crate::Result<Option<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_api_tokens(&mut self) -> $crate::Result<Vec<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn unrevoked_api_tokens_of_user(&mut self, user_id: &str) -> $crate::Result<Vec<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id")
                    .bind(user_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn recent_sign_in_failures(&mut self, since: i64, limit: i64) -> $crate::Result<Vec<$crate::SignInFailure>> {
                sqlx::query_as("SELECT id, at, username, user_id, address, channel, reason FROM sign_in_failures WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2")
                    .bind(since).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn count_sign_in_failures_of_username(&mut self, username: &str, since: i64) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_failures WHERE username = $1 AND at >= $2")
                    .bind(username).bind(since).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }
        }

        #[async_trait::async_trait]
        impl $crate::identity::IdentityWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_user(&mut self, u: &$crate::User) -> $crate::Result<()> {
                sqlx::query("INSERT INTO users (id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&u.id).bind(&u.username).bind(&u.display_name).bind(&u.kind).bind(&u.id_number)
                    .bind(&u.credit_code).bind(&u.phone).bind(&u.email).bind(&u.password_hash).bind(&u.status)
                    .bind(u.created_at).bind(u.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_user(&mut self, u: &$crate::User) -> $crate::Result<()> {
                sqlx::query("UPDATE users SET display_name = $2, phone = $3, email = $4, password_hash = $5, status = $6, updated_at = $7 WHERE id = $1")
                    .bind(&u.id).bind(&u.display_name).bind(&u.phone).bind(&u.email).bind(&u.password_hash)
                    .bind(&u.status).bind(u.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_grant(&mut self, g: &$crate::RoleGrant) -> $crate::Result<()> {
                sqlx::query("INSERT INTO role_grants (id, user_id, role, org_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&g.id).bind(&g.user_id).bind(&g.role).bind(&g.org_id).bind(g.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_session(&mut self, s: &$crate::Session) -> $crate::Result<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&s.token_hash).bind(&s.user_id).bind(&s.csrf_token).bind(s.created_at).bind(s.expires_at).bind(s.revoked_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn revoke_session(&mut self, token_hash: &str, at: i64) -> $crate::Result<()> {
                sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
                    .bind(token_hash).bind(at).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn revoke_user_sessions(&mut self, user_id: &str, at: i64) -> $crate::Result<u64> {
                let r = sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(user_id).bind(at).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }

            async fn insert_api_token(&mut self, t: &$crate::ApiToken) -> $crate::Result<()> {
                sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, revoked_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&t.id).bind(&t.user_id).bind(&t.name).bind(&t.token_hash).bind(t.created_at).bind(t.revoked_at).bind(t.expires_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_api_token(&mut self, t: &$crate::ApiToken) -> $crate::Result<()> {
                sqlx::query("UPDATE api_tokens SET name = $2, revoked_at = $3 WHERE id = $1")
                    .bind(&t.id).bind(&t.name).bind(t.revoked_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_sign_in_failure(&mut self, f: &$crate::SignInFailure) -> $crate::Result<()> {
                sqlx::query("INSERT INTO sign_in_failures (id, at, username, user_id, address, channel, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&f.id).bind(f.at).bind(&f.username).bind(&f.user_id).bind(&f.address).bind(&f.channel).bind(&f.reason)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn delete_sign_in_failures(&mut self, before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
                    .bind(before).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }
        }
    };
}

pub(crate) use impl_identity;
