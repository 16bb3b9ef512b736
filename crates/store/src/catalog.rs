//! Catalogue rows and queries (service items, versions, bundles, files, questions).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;

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

/// Catalogue queries (a part of every [`crate::Tx`]).
#[async_trait]
pub trait CatalogTx: Send {
    /// Take the next catalogue revision (serialises catalogue writers on the revision row).
    async fn next_catalog_revision(&mut self) -> Result<i64>;
    async fn catalog_revision(&mut self) -> Result<i64>;

    async fn insert_item(&mut self, i: &CatalogItem) -> Result<()>;
    async fn update_item(&mut self, i: &CatalogItem) -> Result<()>;
    async fn get_item(&mut self, id: &str) -> Result<Option<CatalogItem>>;
    async fn find_item(&mut self, code: &str, org_id: &str) -> Result<Option<CatalogItem>>;
    /// Items whose organisation path starts with `path_prefix` ("" for all), by code.
    async fn list_items(&mut self, path_prefix: &str) -> Result<Vec<CatalogItem>>;
    /// Items changed after `revision`, oldest change first, at most `limit`.
    async fn items_changed_since(&mut self, revision: i64, limit: i64) -> Result<Vec<CatalogItem>>;
    async fn items_by_code(&mut self, code: &str) -> Result<Vec<CatalogItem>>;

    async fn insert_item_version(&mut self, v: &ItemVersionRow) -> Result<()>;
    async fn update_item_version(&mut self, v: &ItemVersionRow) -> Result<()>;
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

    async fn insert_bundle(&mut self, b: &BundleRowData) -> Result<()>;
    async fn update_bundle(&mut self, b: &BundleRowData) -> Result<()>;
    async fn get_bundle(&mut self, id: &str) -> Result<Option<BundleRowData>>;
    async fn find_bundle(&mut self, code: &str, org_id: &str) -> Result<Option<BundleRowData>>;
    async fn list_bundles(&mut self) -> Result<Vec<BundleRowData>>;
    async fn bundles_changed_since(&mut self, revision: i64) -> Result<Vec<BundleRowData>>;

    async fn insert_file(&mut self, f: &CatalogFile) -> Result<()>;
    async fn get_file(&mut self, id: &str) -> Result<Option<CatalogFile>>;
    /// Every file's metadata, for verification.
    async fn list_files(&mut self) -> Result<Vec<CatalogFile>>;
    /// Does any file row hold this content digest (blob clean-up asks before deleting)?
    async fn blob_referenced(&mut self, digest: &str) -> Result<bool>;
    /// Every content digest that file rows hold.
    async fn referenced_blobs(&mut self) -> Result<Vec<String>>;
    /// One file content still in the database from before the blob store (`id`, recorded
    /// digest, content), while the table of such contents exists.
    async fn next_legacy_content(&mut self) -> Result<Option<(String, String, Vec<u8>)>>;
    async fn delete_legacy_content(&mut self, id: &str) -> Result<()>;
    /// Drop the emptied table of contents from before the blob store.
    async fn drop_legacy_contents(&mut self) -> Result<()>;

    async fn insert_question(&mut self, q: &Question) -> Result<()>;
    async fn update_question(&mut self, q: &Question) -> Result<()>;
    async fn get_question(&mut self, id: &str) -> Result<Option<Question>>;
    async fn questions_of_item(&mut self, item_id: &str) -> Result<Vec<Question>>;
    /// Open questions on items of organisations under `path_prefix`, oldest first.
    async fn open_questions(&mut self, path_prefix: &str, limit: i64) -> Result<Vec<Question>>;
    /// The questions of one asker, newest first.
    async fn questions_of_asker(&mut self, asker_id: &str) -> Result<Vec<Question>>;
    async fn list_questions(&mut self) -> Result<Vec<Question>>;
}
