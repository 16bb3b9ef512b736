//! Regions (行政区划) and organisations: their rows, queries and SQL.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;

/// The organisation tables the audit ledger covers.
pub const ORGANISATION_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: Region::TABLE,
        id_sql: "code",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "code = code || '9'",
    },
    crate::CoveredTable {
        table: Organisation::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', path = path || 'forged/', credit_code = NULL",
    },
];

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

/// Organisations queries any transaction may run.
#[async_trait::async_trait]
pub trait OrganisationsRead: Send {
    async fn get_region(&mut self, code: &str) -> Result<Option<Region>>;
    async fn list_regions(&mut self) -> Result<Vec<Region>>;
    async fn get_organisation(&mut self, id: &str) -> Result<Option<Organisation>>;
    /// Organisations whose path starts with `path_prefix` ("" for all), ordered by path.
    async fn list_organisations(&mut self, path_prefix: &str) -> Result<Vec<Organisation>>;
}

/// Organisations changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait OrganisationsWrite: OrganisationsRead {
    async fn insert_region(&mut self, r: &Region) -> Result<()>;
    async fn insert_organisation(&mut self, o: &Organisation) -> Result<()>;
    async fn update_organisation(&mut self, o: &Organisation) -> Result<()>;
}

/// The SQL of [`OrganisationsRead`] and [`OrganisationsWrite`] for one backend (`$db`).
macro_rules! impl_organisations {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::organisations::OrganisationsRead for $crate::SqlTx<$db, M> {
            async fn get_region(&mut self, code: &str) -> $crate::Result<Option<$crate::Region>> {
                sqlx::query_as("SELECT code, name, parent_code, level FROM regions WHERE code = $1")
                    .bind(code).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_regions(&mut self) -> $crate::Result<Vec<$crate::Region>> {
                sqlx::query_as("SELECT code, name, parent_code, level FROM regions ORDER BY code")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_organisation(&mut self, id: &str) -> $crate::Result<Option<$crate::Organisation>> {
                sqlx::query_as("SELECT id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at FROM organisations WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_organisations(&mut self, path_prefix: &str) -> $crate::Result<Vec<$crate::Organisation>> {
                // A prefix test that does not depend on the database's collation (a range
                // comparison would, and LIKE would need its wildcards escaped).
                sqlx::query_as("SELECT id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at FROM organisations WHERE substr(path, 1, length($1)) = $1 ORDER BY path")
                    .bind(path_prefix)
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::organisations::OrganisationsWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_region(&mut self, r: &$crate::Region) -> $crate::Result<()> {
                sqlx::query("INSERT INTO regions (code, name, parent_code, level) VALUES ($1, $2, $3, $4)")
                    .bind(&r.code).bind(&r.name).bind(&r.parent_code).bind(&r.level)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_organisation(&mut self, o: &$crate::Organisation) -> $crate::Result<()> {
                sqlx::query("INSERT INTO organisations (id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&o.id).bind(&o.name).bind(&o.name_en).bind(&o.kind).bind(&o.region_code)
                    .bind(&o.parent_id).bind(&o.path).bind(&o.credit_code).bind(o.created_at).bind(o.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_organisation(&mut self, o: &$crate::Organisation) -> $crate::Result<()> {
                sqlx::query("UPDATE organisations SET name = $2, name_en = $3, kind = $4, region_code = $5, credit_code = $6, updated_at = $7 WHERE id = $1")
                    .bind(&o.id).bind(&o.name).bind(&o.name_en).bind(&o.kind).bind(&o.region_code)
                    .bind(&o.credit_code).bind(o.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_organisations;
