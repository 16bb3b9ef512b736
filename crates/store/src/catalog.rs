//! Catalogue rows and queries (service items, versions, bundles, files, questions).

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;

/// The catalogue tables the audit ledger covers.
pub const CATALOG_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: CatalogItem::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', code = code || '-forged'",
    },
    crate::CoveredTable {
        table: ItemVersionRow::TABLE,
        id_sql: "item_id || '#' || CAST(version AS TEXT)",
        edit_sql: Some("created_at = created_at + 1"),
        forge_sql: "version = version + 1000",
    },
    crate::CoveredTable {
        table: BundleRowData::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', code = code || '-forged'",
    },
    crate::CoveredTable {
        table: CatalogFile::TABLE,
        id_sql: "id",
        edit_sql: Some("filename = filename || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: Question::TABLE,
        id_sql: "id",
        edit_sql: Some("question = question || '改'"),
        forge_sql: "id = id || '-forged'",
    },
];

/// 政务服务事项 as implemented by one organisation (its versions hold the content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CatalogItem {
    pub id: String,
    pub code: String,
    /// The implementing organisation (实施主体).
    pub org_id: String,
    /// The base-catalogue item this one was claimed from (认领).
    pub base_item_id: Option<String>,
    pub name: String,
    pub item_type: String,
    pub status: String,
    pub latest_version: i64,
    pub published_version: Option<i64>,
    /// Catalogue revision of the last change: search indexes follow it.
    pub revision: i64,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl CatalogItem {
    pub const TABLE: &'static str = "catalog_items";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("code", self.code.clone()),
                ("org_id", self.org_id.clone()),
                ("base_item_id", opt(&self.base_item_id)),
                ("name", self.name.clone()),
                ("item_type", self.item_type.clone()),
                ("status", self.status.clone()),
                ("latest_version", self.latest_version.to_string()),
                (
                    "published_version",
                    opt(&self.published_version.map(|v| v.to_string())),
                ),
                ("revision", self.revision.to_string()),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// One version of an item; `body` is the JSON of `yiwang_core::catalog::ItemBody`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ItemVersionRow {
    pub item_id: String,
    pub version: i64,
    pub body: String,
    /// 1 once published: the version is then immutable.
    pub frozen: i64,
    pub created_at: Micros,
    pub created_by: Option<String>,
    pub published_at: Option<Micros>,
}

impl ItemVersionRow {
    pub const TABLE: &'static str = "catalog_item_versions";
    pub fn key(&self) -> String {
        format!("{}#{}", self.item_id, self.version)
    }
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("item_id", self.item_id.clone()),
                ("version", self.version.to_string()),
                ("body", self.body.clone()),
                ("frozen", self.frozen.to_string()),
                ("created_at", self.created_at.to_string()),
                ("created_by", opt(&self.created_by)),
                (
                    "published_at",
                    opt(&self.published_at.map(|v| v.to_string())),
                ),
            ],
        )
    }
}

/// 一件事: a life-event bundle; `body` is the JSON of `yiwang_core::catalog::BundleBody`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BundleRowData {
    pub id: String,
    pub code: String,
    pub org_id: String,
    pub name: String,
    pub status: String,
    pub body: String,
    pub revision: i64,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl BundleRowData {
    pub const TABLE: &'static str = "catalog_bundles";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("code", self.code.clone()),
                ("org_id", self.org_id.clone()),
                ("name", self.name.clone()),
                ("status", self.status.clone()),
                ("body", self.body.clone()),
                ("revision", self.revision.to_string()),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// A downloadable file (blank form, filled sample). The content is in the blob store under
/// `digest`, the SM3 of the content; the database keeps only its name, media type, size and digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CatalogFile {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub digest: String,
    pub created_at: Micros,
}

impl CatalogFile {
    pub const TABLE: &'static str = "catalog_files";
    /// Covers the metadata and, through `digest`, the content (verify re-hashes the blob).
    pub fn row_digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("filename", self.filename.clone()),
                ("content_type", self.content_type.clone()),
                ("size", self.size.to_string()),
                ("digest", self.digest.clone()),
                ("created_at", self.created_at.to_string()),
            ],
        )
    }
}

/// 咨询: a question on an item, its answer, and whether it is published as an FAQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Question {
    pub id: String,
    pub item_id: String,
    pub asker_id: String,
    pub question: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    /// open | answered
    pub status: String,
    /// 1 when published as an FAQ on the item page.
    pub faq: i64,
    pub created_at: Micros,
    pub answered_at: Option<Micros>,
    /// The question as published in the FAQ: edited by staff, free of personal data.
    #[serde(default)]
    pub public_question: Option<String>,
    /// The answer as published in the FAQ.
    #[serde(default)]
    pub public_answer: Option<String>,
}

impl Question {
    pub const TABLE: &'static str = "catalog_questions";
    pub fn digest(&self) -> String {
        let base = row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("item_id", self.item_id.clone()),
                ("asker_id", self.asker_id.clone()),
                ("question", self.question.clone()),
                ("answer", opt(&self.answer)),
                ("answered_by", opt(&self.answered_by)),
                ("status", self.status.clone()),
                ("faq", self.faq.to_string()),
                ("created_at", self.created_at.to_string()),
                ("answered_at", opt(&self.answered_at.map(|v| v.to_string()))),
            ],
        );
        // The public wording (migration 0005) joins the digest only when present, so rows written
        // before it keep the digest their ledger entries recorded.
        match (&self.public_question, &self.public_answer) {
            (None, None) => base,
            _ => row_digest(
                Self::TABLE,
                &[
                    ("row", base),
                    ("public_question", opt(&self.public_question)),
                    ("public_answer", opt(&self.public_answer)),
                ],
            ),
        }
    }
}

/// Catalog queries any transaction may run.
#[async_trait::async_trait]
pub trait CatalogRead: Send {
    async fn catalog_revision(&mut self) -> Result<i64>;
    async fn get_item(&mut self, id: &str) -> Result<Option<CatalogItem>>;
    async fn find_item(&mut self, code: &str, org_id: &str) -> Result<Option<CatalogItem>>;
    /// Items whose organisation path starts with `path_prefix` ("" for all), by code.
    async fn list_items(&mut self, path_prefix: &str) -> Result<Vec<CatalogItem>>;
    /// Items changed after `revision`, oldest change first, at most `limit`.
    async fn items_changed_since(&mut self, revision: i64, limit: i64) -> Result<Vec<CatalogItem>>;
    async fn items_by_code(&mut self, code: &str) -> Result<Vec<CatalogItem>>;
    async fn get_item_version(
        &mut self,
        item_id: &str,
        version: i64,
    ) -> Result<Option<ItemVersionRow>>;
    async fn list_item_versions(&mut self, item_id: &str) -> Result<Vec<ItemVersionRow>>;
    /// Every version (for audit verification), in key order, after `after` (item_id, version).
    async fn all_item_versions(
        &mut self,
        after: (&str, i64),
        limit: i64,
    ) -> Result<Vec<ItemVersionRow>>;
    async fn get_bundle(&mut self, id: &str) -> Result<Option<BundleRowData>>;
    async fn find_bundle(&mut self, code: &str, org_id: &str) -> Result<Option<BundleRowData>>;
    async fn list_bundles(&mut self) -> Result<Vec<BundleRowData>>;
    async fn bundles_changed_since(&mut self, revision: i64) -> Result<Vec<BundleRowData>>;
    async fn get_file(&mut self, id: &str) -> Result<Option<CatalogFile>>;
    /// Every file's metadata, for verification.
    async fn list_files(&mut self) -> Result<Vec<CatalogFile>>;
    /// Does any file row (catalogue file, tender document, sealed bid, case material) hold this
    /// content digest (blob clean-up asks before deleting)?
    async fn blob_referenced(&mut self, digest: &str) -> Result<bool>;
    /// Every content digest that file rows (catalogue files, tender documents, sealed bids, case
    /// materials) hold.
    async fn referenced_blobs(&mut self) -> Result<Vec<String>>;
    /// One file content still in the database from before the blob store (`id`, recorded
    /// digest, content), while the table of such contents exists.
    async fn next_legacy_content(&mut self) -> Result<Option<(String, String, Vec<u8>)>>;
    async fn get_question(&mut self, id: &str) -> Result<Option<Question>>;
    async fn questions_of_item(&mut self, item_id: &str) -> Result<Vec<Question>>;
    /// Open questions on items of organisations under `path_prefix`, oldest first.
    async fn open_questions(&mut self, path_prefix: &str, limit: i64) -> Result<Vec<Question>>;
    /// The questions of one asker, newest first.
    async fn questions_of_asker(&mut self, asker_id: &str) -> Result<Vec<Question>>;
    async fn list_questions(&mut self) -> Result<Vec<Question>>;
}

/// Catalog changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait CatalogWrite: CatalogRead {
    /// Take the next catalogue revision (serialises catalogue writers on the revision row).
    async fn next_catalog_revision(&mut self) -> Result<i64>;
    async fn insert_item(&mut self, i: &CatalogItem) -> Result<()>;
    async fn update_item(&mut self, i: &CatalogItem) -> Result<()>;
    async fn insert_item_version(&mut self, v: &ItemVersionRow) -> Result<()>;
    async fn update_item_version(&mut self, v: &ItemVersionRow) -> Result<()>;
    async fn insert_bundle(&mut self, b: &BundleRowData) -> Result<()>;
    async fn update_bundle(&mut self, b: &BundleRowData) -> Result<()>;
    async fn insert_file(&mut self, f: &CatalogFile) -> Result<()>;
    async fn delete_legacy_content(&mut self, id: &str) -> Result<()>;
    /// Drop the emptied table of contents from before the blob store.
    async fn drop_legacy_contents(&mut self) -> Result<()>;
    async fn insert_question(&mut self, q: &Question) -> Result<()>;
    /// Write `q` only if the stored row still has status `from_status` (compare-and-set, so two
    /// nodes cannot both move a question on); false when it no longer has.
    async fn update_question(&mut self, q: &Question, from_status: &str) -> Result<bool>;
}

/// The SQL of [`CatalogRead`] and [`CatalogWrite`] for one backend (`$db`).
macro_rules! impl_catalog {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::catalog::CatalogRead for $crate::SqlTx<$db, M> {
            async fn catalog_revision(&mut self) -> $crate::Result<i64> {
                let (rev,): (i64,) = sqlx::query_as("SELECT revision FROM catalog_revision WHERE id = 1")
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rev)
            }

            async fn get_item(&mut self, id: &str) -> $crate::Result<Option<$crate::catalog::CatalogItem>> {
                sqlx::query_as("SELECT id, code, org_id, base_item_id, name, item_type, status, latest_version, published_version, revision, created_at, updated_at FROM catalog_items WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_item(&mut self, code: &str, org_id: &str) -> $crate::Result<Option<$crate::catalog::CatalogItem>> {
                sqlx::query_as("SELECT id, code, org_id, base_item_id, name, item_type, status, latest_version, published_version, revision, created_at, updated_at FROM catalog_items WHERE code = $1 AND org_id = $2")
                    .bind(code).bind(org_id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_items(&mut self, path_prefix: &str) -> $crate::Result<Vec<$crate::catalog::CatalogItem>> {
                sqlx::query_as("SELECT i.id, i.code, i.org_id, i.base_item_id, i.name, i.item_type, i.status, i.latest_version, i.published_version, i.revision, i.created_at, i.updated_at FROM catalog_items i JOIN organisations o ON o.id = i.org_id WHERE substr(o.path, 1, length($1)) = $1 ORDER BY i.code, o.path")
                    .bind(path_prefix).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn items_changed_since(&mut self, revision: i64, limit: i64) -> $crate::Result<Vec<$crate::catalog::CatalogItem>> {
                sqlx::query_as("SELECT id, code, org_id, base_item_id, name, item_type, status, latest_version, published_version, revision, created_at, updated_at FROM catalog_items WHERE revision > $1 ORDER BY revision, id LIMIT $2")
                    .bind(revision).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn items_by_code(&mut self, code: &str) -> $crate::Result<Vec<$crate::catalog::CatalogItem>> {
                sqlx::query_as("SELECT id, code, org_id, base_item_id, name, item_type, status, latest_version, published_version, revision, created_at, updated_at FROM catalog_items WHERE code = $1 ORDER BY id")
                    .bind(code).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_item_version(&mut self, item_id: &str, version: i64) -> $crate::Result<Option<$crate::catalog::ItemVersionRow>> {
                sqlx::query_as("SELECT item_id, version, body, frozen, created_at, created_by, published_at FROM catalog_item_versions WHERE item_id = $1 AND version = $2")
                    .bind(item_id).bind(version).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_item_versions(&mut self, item_id: &str) -> $crate::Result<Vec<$crate::catalog::ItemVersionRow>> {
                sqlx::query_as("SELECT item_id, version, body, frozen, created_at, created_by, published_at FROM catalog_item_versions WHERE item_id = $1 ORDER BY version")
                    .bind(item_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn all_item_versions(&mut self, after: (&str, i64), limit: i64) -> $crate::Result<Vec<$crate::catalog::ItemVersionRow>> {
                sqlx::query_as("SELECT item_id, version, body, frozen, created_at, created_by, published_at FROM catalog_item_versions WHERE item_id > $1 OR (item_id = $1 AND version > $2) ORDER BY item_id, version LIMIT $3")
                    .bind(after.0).bind(after.1).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_bundle(&mut self, id: &str) -> $crate::Result<Option<$crate::catalog::BundleRowData>> {
                sqlx::query_as("SELECT id, code, org_id, name, status, body, revision, created_at, updated_at FROM catalog_bundles WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_bundle(&mut self, code: &str, org_id: &str) -> $crate::Result<Option<$crate::catalog::BundleRowData>> {
                sqlx::query_as("SELECT id, code, org_id, name, status, body, revision, created_at, updated_at FROM catalog_bundles WHERE code = $1 AND org_id = $2")
                    .bind(code).bind(org_id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_bundles(&mut self) -> $crate::Result<Vec<$crate::catalog::BundleRowData>> {
                sqlx::query_as("SELECT id, code, org_id, name, status, body, revision, created_at, updated_at FROM catalog_bundles ORDER BY code, id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn bundles_changed_since(&mut self, revision: i64) -> $crate::Result<Vec<$crate::catalog::BundleRowData>> {
                sqlx::query_as("SELECT id, code, org_id, name, status, body, revision, created_at, updated_at FROM catalog_bundles WHERE revision > $1 ORDER BY revision, id")
                    .bind(revision).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_file(&mut self, id: &str) -> $crate::Result<Option<$crate::catalog::CatalogFile>> {
                sqlx::query_as("SELECT id, filename, content_type, size, digest, created_at FROM catalog_files WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_files(&mut self) -> $crate::Result<Vec<$crate::catalog::CatalogFile>> {
                sqlx::query_as("SELECT id, filename, content_type, size, digest, created_at FROM catalog_files ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn blob_referenced(&mut self, digest: &str) -> $crate::Result<bool> {
                // Trading documents, sealed bids and case materials keep their contents in the blob
                // store too.
                let found: Option<(String,)> = sqlx::query_as("SELECT id FROM catalog_files WHERE digest = $1 UNION ALL SELECT id FROM trading_documents WHERE blob_digest = $1 UNION ALL SELECT id FROM trading_bids WHERE blob_digest = $1 UNION ALL SELECT id FROM case_materials WHERE digest = $1 LIMIT 1")
                    .bind(digest).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(found.is_some())
            }

            async fn referenced_blobs(&mut self) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT digest FROM catalog_files UNION SELECT blob_digest FROM trading_documents UNION SELECT blob_digest FROM trading_bids UNION SELECT digest FROM case_materials")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rows.into_iter().map(|(d,)| d).collect())
            }

            async fn next_legacy_content(&mut self) -> $crate::Result<Option<(String, String, Vec<u8>)>> {
                sqlx::query_as("SELECT c.id, COALESCE(f.digest, ''), c.content FROM catalog_file_contents c LEFT JOIN catalog_files f ON f.id = c.id ORDER BY c.id LIMIT 1")
                    .fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_question(&mut self, id: &str) -> $crate::Result<Option<$crate::catalog::Question>> {
                sqlx::query_as("SELECT id, item_id, asker_id, question, answer, answered_by, status, faq, created_at, answered_at, public_question, public_answer FROM catalog_questions WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn questions_of_item(&mut self, item_id: &str) -> $crate::Result<Vec<$crate::catalog::Question>> {
                sqlx::query_as("SELECT id, item_id, asker_id, question, answer, answered_by, status, faq, created_at, answered_at, public_question, public_answer FROM catalog_questions WHERE item_id = $1 ORDER BY created_at")
                    .bind(item_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn open_questions(&mut self, path_prefix: &str, limit: i64) -> $crate::Result<Vec<$crate::catalog::Question>> {
                sqlx::query_as("SELECT q.id, q.item_id, q.asker_id, q.question, q.answer, q.answered_by, q.status, q.faq, q.created_at, q.answered_at, q.public_question, q.public_answer FROM catalog_questions q JOIN catalog_items i ON i.id = q.item_id JOIN organisations o ON o.id = i.org_id WHERE q.status = 'open' AND substr(o.path, 1, length($1)) = $1 ORDER BY q.created_at LIMIT $2")
                    .bind(path_prefix).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn questions_of_asker(&mut self, asker_id: &str) -> $crate::Result<Vec<$crate::catalog::Question>> {
                sqlx::query_as("SELECT id, item_id, asker_id, question, answer, answered_by, status, faq, created_at, answered_at, public_question, public_answer FROM catalog_questions WHERE asker_id = $1 ORDER BY created_at DESC, id")
                    .bind(asker_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_questions(&mut self) -> $crate::Result<Vec<$crate::catalog::Question>> {
                sqlx::query_as("SELECT id, item_id, asker_id, question, answer, answered_by, status, faq, created_at, answered_at, public_question, public_answer FROM catalog_questions ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::catalog::CatalogWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn next_catalog_revision(&mut self) -> $crate::Result<i64> {
                let (rev,): (i64,) = sqlx::query_as(<$db as $crate::dialect::Dialect>::CATALOG_REVISION_FOR_UPDATE)
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                sqlx::query("UPDATE catalog_revision SET revision = $1 WHERE id = 1")
                    .bind(rev + 1).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rev + 1)
            }

            async fn insert_item(&mut self, i: &$crate::catalog::CatalogItem) -> $crate::Result<()> {
                sqlx::query("INSERT INTO catalog_items (id, code, org_id, base_item_id, name, item_type, status, latest_version, published_version, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&i.id).bind(&i.code).bind(&i.org_id).bind(&i.base_item_id).bind(&i.name).bind(&i.item_type)
                    .bind(&i.status).bind(i.latest_version).bind(i.published_version).bind(i.revision).bind(i.created_at).bind(i.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_item(&mut self, i: &$crate::catalog::CatalogItem) -> $crate::Result<()> {
                sqlx::query("UPDATE catalog_items SET name = $2, item_type = $3, status = $4, latest_version = $5, published_version = $6, revision = $7, updated_at = $8 WHERE id = $1")
                    .bind(&i.id).bind(&i.name).bind(&i.item_type).bind(&i.status).bind(i.latest_version)
                    .bind(i.published_version).bind(i.revision).bind(i.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_item_version(&mut self, v: &$crate::catalog::ItemVersionRow) -> $crate::Result<()> {
                sqlx::query("INSERT INTO catalog_item_versions (item_id, version, body, frozen, created_at, created_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&v.item_id).bind(v.version).bind(&v.body).bind(v.frozen).bind(v.created_at).bind(&v.created_by).bind(v.published_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_item_version(&mut self, v: &$crate::catalog::ItemVersionRow) -> $crate::Result<()> {
                // Frozen (published) versions never change: the WHERE clause refuses them.
                let r = sqlx::query("UPDATE catalog_item_versions SET body = $3, frozen = $4, published_at = $5 WHERE item_id = $1 AND version = $2 AND frozen = 0")
                    .bind(&v.item_id).bind(v.version).bind(&v.body).bind(v.frozen).bind(v.published_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                if r.rows_affected() != 1 {
                    return Err($crate::StoreError::Other(format!("version {} of item {} is frozen or missing", v.version, v.item_id)));
                }
                Ok(())
            }

            async fn insert_bundle(&mut self, b: &$crate::catalog::BundleRowData) -> $crate::Result<()> {
                sqlx::query("INSERT INTO catalog_bundles (id, code, org_id, name, status, body, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&b.id).bind(&b.code).bind(&b.org_id).bind(&b.name).bind(&b.status).bind(&b.body).bind(b.revision).bind(b.created_at).bind(b.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_bundle(&mut self, b: &$crate::catalog::BundleRowData) -> $crate::Result<()> {
                sqlx::query("UPDATE catalog_bundles SET name = $2, status = $3, body = $4, revision = $5, updated_at = $6 WHERE id = $1")
                    .bind(&b.id).bind(&b.name).bind(&b.status).bind(&b.body).bind(b.revision).bind(b.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_file(&mut self, f: &$crate::catalog::CatalogFile) -> $crate::Result<()> {
                sqlx::query("INSERT INTO catalog_files (id, filename, content_type, size, digest, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&f.id).bind(&f.filename).bind(&f.content_type).bind(f.size).bind(&f.digest).bind(f.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn delete_legacy_content(&mut self, id: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM catalog_file_contents WHERE id = $1")
                    .bind(id).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn drop_legacy_contents(&mut self) -> $crate::Result<()> {
                sqlx::query("DROP TABLE IF EXISTS catalog_file_contents")
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_question(&mut self, q: &$crate::catalog::Question) -> $crate::Result<()> {
                sqlx::query("INSERT INTO catalog_questions (id, item_id, asker_id, question, answer, answered_by, status, faq, created_at, answered_at, public_question, public_answer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&q.id).bind(&q.item_id).bind(&q.asker_id).bind(&q.question).bind(&q.answer).bind(&q.answered_by)
                    .bind(&q.status).bind(q.faq).bind(q.created_at).bind(q.answered_at).bind(&q.public_question).bind(&q.public_answer)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_question(&mut self, q: &$crate::catalog::Question, from_status: &str) -> $crate::Result<bool> {
                let r = sqlx::query("UPDATE catalog_questions SET answer = $2, answered_by = $3, status = $4, faq = $5, answered_at = $6, public_question = $7, public_answer = $8 WHERE id = $1 AND status = $9")
                    .bind(&q.id).bind(&q.answer).bind(&q.answered_by).bind(&q.status).bind(q.faq).bind(q.answered_at).bind(&q.public_question).bind(&q.public_answer).bind(from_status)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use impl_catalog;
