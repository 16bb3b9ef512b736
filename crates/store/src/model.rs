//! Rows as the store reads and writes them. Instants are microseconds since the epoch (UTC).
//! Every table the audit ledger covers has a `digest()` here: the same function serves the write
//! (its digest goes into the ledger entry) and `audit verify` (which recomputes it from the row).

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

/// 行政区划: one administrative region (GB/T 2260).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub level: String,
}

impl Region {
    pub const TABLE: &'static str = "regions";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("code", self.code.clone()),
                ("name", self.name.clone()),
                ("parent_code", opt(&self.parent_code)),
                ("level", self.level.clone()),
            ],
        )
    }
}

/// 机构: an organisation on the region tree (or an enterprise beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub region_code: String,
    pub parent_id: Option<String>,
    /// Materialised tree path `/root/…/self/`, used for "sees everything below".
    pub path: String,
    pub credit_code: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl Organisation {
    pub const TABLE: &'static str = "organisations";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("name", self.name.clone()),
                ("name_en", self.name_en.clone()),
                ("kind", self.kind.clone()),
                ("region_code", self.region_code.clone()),
                ("parent_id", opt(&self.parent_id)),
                ("path", self.path.clone()),
                ("credit_code", opt(&self.credit_code)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

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

/// One version of the working-day calendar master data. `days_digest` covers its day rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CalendarVersion {
    pub version: i64,
    pub created_at: Micros,
    pub created_by: Option<String>,
    pub note: String,
    pub days_digest: String,
}

impl CalendarVersion {
    pub const TABLE: &'static str = "calendar_versions";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("version", self.version.to_string()),
                ("created_at", self.created_at.to_string()),
                ("created_by", opt(&self.created_by)),
                ("note", self.note.clone()),
                ("days_digest", self.days_digest.clone()),
            ],
        )
    }
}

/// A stored ledger entry: the hashed content plus its chain links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LedgerRow {
    pub seq: i64,
    pub at: Micros,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub org_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub rows_json: String,
    pub detail_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A signed statement of the ledger's Merkle root at a size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Checkpoint {
    pub tree_size: i64,
    pub root: String,
    pub at: Micros,
    pub key_id: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlatformKeyRow {
    pub id: String,
    pub algorithm: String,
    pub public_key: String,
    pub secret_key: String,
    pub created_at: Micros,
}

/// A background job; claimed by exactly one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub run_at: Micros,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Micros,
    pub finished_at: Option<Micros>,
}

/// A notification waiting in the outbox (in-app, SMS, voice, e-mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_try_at: Micros,
    pub created_at: Micros,
    pub delivered_at: Option<Micros>,
    pub last_error: Option<String>,
}

/// An in-app notification delivered to a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub body: String,
    pub outbox_id: String,
    pub created_at: Micros,
    pub read_at: Option<Micros>,
}
