//! 公共资源交易 rows, queries and SQL: parties, projects, sections, tender documents, downloads,
//! clarifications, objections, deposits, sealed bids and openings (DOMAIN Part 2).
//!
//! Money is exact decimal text (written and read with `rust_decimal` by the use cases). A bid row
//! holds the digest, size and signature of the sealed file, never its content.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::row_digest;
use yiwang_core::time::Micros;

use crate::Result;

/// The trading tables the audit ledger covers (the day's code counter is operational).
pub const TRADING_TABLES: &[crate::CoveredTable] = &[
    crate::CoveredTable {
        table: TradingParty::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', kind = kind || '-forged'",
    },
    crate::CoveredTable {
        table: TradingProject::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', code = code || '-forged'",
    },
    crate::CoveredTable {
        table: TradingSection::TABLE,
        id_sql: "id",
        edit_sql: Some("name = name || '改'"),
        forge_sql: "id = id || '-forged', number = number + 1000, transaction_code = NULL",
    },
    crate::CoveredTable {
        table: TenderDocument::TABLE,
        id_sql: "id",
        edit_sql: Some("filename = filename || '改'"),
        forge_sql: "id = id || '-forged', version = version + 1000",
    },
    crate::CoveredTable {
        table: DocumentDownload::TABLE,
        id_sql: "id",
        edit_sql: Some("address = address || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: Clarification::TABLE,
        id_sql: "id",
        edit_sql: Some("body = body || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: Objection::TABLE,
        id_sql: "id",
        edit_sql: Some("body = body || '改'"),
        forge_sql: "id = id || '-forged'",
    },
    crate::CoveredTable {
        table: Deposit::TABLE,
        id_sql: "id",
        edit_sql: Some("updated_at = updated_at + 1"),
        forge_sql: "id = id || '-forged', virtual_account = virtual_account || '-forged', party_id = party_id || '-forged'",
    },
    crate::CoveredTable {
        table: SealedBid::TABLE,
        id_sql: "id",
        edit_sql: Some("signature = signature || '0'"),
        forge_sql: "id = id || '-forged', receipt_no = receipt_no || '-forged'",
    },
    crate::CoveredTable {
        table: Opening::TABLE,
        id_sql: "id",
        edit_sql: Some("decided_at = decided_at + 1"),
        forge_sql: "id = id || '-forged', round = round + 1000",
    },
];

fn o<T: ToString>(v: &Option<T>) -> String {
    yiwang_core::ledger::opt(&v.as_ref().map(ToString::to_string))
}

/// 市场主体: a tenderee, agency or bidder, with the SM2 public key of its signing key pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TradingParty {
    pub id: String,
    /// The enterprise organisation whose people act for the party.
    pub org_id: String,
    pub credit_code: String,
    /// `yiwang_core::trading::parties::PartyKind` text.
    pub kind: String,
    pub name: String,
    pub legal_representative: String,
    /// 基本账户 (deposits must come from it).
    pub basic_account: Option<String>,
    /// JSON array of `yiwang_core::trading::parties::Qualification`.
    pub qualifications: String,
    /// 临时会员: the section it covers and when it ends; both `None` for a full member.
    pub temporary_section: Option<String>,
    pub temporary_until: Option<Micros>,
    pub key_algorithm: String,
    /// SEC1 uncompressed SM2 public key, hex.
    pub public_key: String,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl TradingParty {
    pub const TABLE: &'static str = "trading_parties";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("org_id", self.org_id.clone()),
                ("credit_code", self.credit_code.clone()),
                ("kind", self.kind.clone()),
                ("name", self.name.clone()),
                ("legal_representative", self.legal_representative.clone()),
                ("basic_account", o(&self.basic_account)),
                ("qualifications", self.qualifications.clone()),
                ("temporary_section", o(&self.temporary_section)),
                ("temporary_until", o(&self.temporary_until)),
                ("key_algorithm", self.key_algorithm.clone()),
                ("public_key", self.public_key.clone()),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 招标项目
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TradingProject {
    pub id: String,
    pub code: String,
    pub name: String,
    pub tenderee_id: String,
    pub agency_id: Option<String>,
    /// The trading centre (公共资源交易中心) the project enters.
    pub centre_org_id: String,
    pub created_by: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl TradingProject {
    pub const TABLE: &'static str = "trading_projects";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("code", self.code.clone()),
                ("name", self.name.clone()),
                ("tenderee_id", self.tenderee_id.clone()),
                ("agency_id", o(&self.agency_id)),
                ("centre_org_id", self.centre_org_id.clone()),
                ("created_by", o(&self.created_by)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 标段（包）
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TradingSection {
    pub id: String,
    pub project_id: String,
    pub number: i64,
    pub name: String,
    /// 统一交易标识码, issued at 进场登记 acceptance.
    pub transaction_code: Option<String>,
    pub field: String,
    pub sub_category: i64,
    pub method: String,
    /// 估算价/预算, yuan, decimal text.
    pub estimated_price: String,
    /// 投标保证金 asked, yuan, decimal text.
    pub deposit: Option<String>,
    /// `SectionState` text, and the state to resume to while suspended.
    pub state: String,
    pub resume_to: Option<String>,
    /// 1, +1 per re-tender.
    pub round: i64,
    pub notice_at: Option<Micros>,
    pub documents_from: Option<Micros>,
    pub documents_until: Option<Micros>,
    pub bid_deadline: Option<Micros>,
    pub opening_at: Option<Micros>,
    /// When the section was suspended (暂停), while it is.
    pub suspended_at: Option<Micros>,
    pub accepted_at: Option<Micros>,
    pub accepted_by: Option<String>,
    pub created_at: Micros,
    pub updated_at: Micros,
    /// 托管公钥: hex of the custodian public key bids are wrapped to (k-of-n shares held by
    /// custodians; the private key is never stored).
    #[sqlx(default)]
    pub custodian_key: Option<String>,
}

impl TradingSection {
    pub const TABLE: &'static str = "trading_sections";
    /// The custodian key (migration 0010) is covered only when set, so rows written before it
    /// keep their digests.
    pub fn digest(&self) -> String {
        let mut fields = self.digest_fields();
        if let Some(k) = &self.custodian_key {
            fields.push(("custodian_key", k.clone()));
        }
        row_digest(Self::TABLE, &fields)
    }

    fn digest_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", self.id.clone()),
            ("project_id", self.project_id.clone()),
            ("number", self.number.to_string()),
            ("name", self.name.clone()),
            ("transaction_code", o(&self.transaction_code)),
            ("field", self.field.clone()),
            ("sub_category", self.sub_category.to_string()),
            ("method", self.method.clone()),
            ("estimated_price", self.estimated_price.clone()),
            ("deposit", o(&self.deposit)),
            ("state", self.state.clone()),
            ("resume_to", o(&self.resume_to)),
            ("round", self.round.to_string()),
            ("notice_at", o(&self.notice_at)),
            ("documents_from", o(&self.documents_from)),
            ("documents_until", o(&self.documents_until)),
            ("bid_deadline", o(&self.bid_deadline)),
            ("opening_at", o(&self.opening_at)),
            ("suspended_at", o(&self.suspended_at)),
            ("accepted_at", o(&self.accepted_at)),
            ("accepted_by", o(&self.accepted_by)),
            ("created_at", self.created_at.to_string()),
            ("updated_at", self.updated_at.to_string()),
        ]
    }
}

/// 招标文件: one version; content in the blob store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TenderDocument {
    pub id: String,
    pub section_id: String,
    pub version: i64,
    pub filename: String,
    pub blob_digest: String,
    pub size: i64,
    /// JSON array of the clause texts the checker read.
    pub clauses: String,
    /// JSON array of `ClauseFinding` (量体裁衣 flags).
    pub findings: String,
    /// JSON array of `Justification`.
    pub justifications: String,
    pub created_by: Option<String>,
    pub created_at: Micros,
    pub published_at: Option<Micros>,
}

impl TenderDocument {
    pub const TABLE: &'static str = "trading_documents";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("version", self.version.to_string()),
                ("filename", self.filename.clone()),
                ("blob_digest", self.blob_digest.clone()),
                ("size", self.size.to_string()),
                ("clauses", self.clauses.clone()),
                ("findings", self.findings.clone()),
                ("justifications", self.justifications.clone()),
                ("created_by", o(&self.created_by)),
                ("created_at", self.created_at.to_string()),
                ("published_at", o(&self.published_at)),
            ],
        )
    }
}

/// A download of the tender documents by a bidder: who, when, from which address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DocumentDownload {
    pub id: String,
    pub section_id: String,
    pub document_id: String,
    pub party_id: String,
    pub at: Micros,
    pub address: String,
}

impl DocumentDownload {
    pub const TABLE: &'static str = "trading_downloads";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("document_id", self.document_id.clone()),
                ("party_id", self.party_id.clone()),
                ("at", self.at.to_string()),
                ("address", self.address.clone()),
            ],
        )
    }
}

/// 澄清或修改 of the tender documents, with the deadline before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Clarification {
    pub id: String,
    pub section_id: String,
    pub substantive: bool,
    pub body: String,
    pub issued_at: Micros,
    pub deadline_before: Micros,
    pub deadline_after: Micros,
    pub created_by: Option<String>,
}

impl Clarification {
    pub const TABLE: &'static str = "trading_clarifications";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("substantive", self.substantive.to_string()),
                ("body", self.body.clone()),
                ("issued_at", self.issued_at.to_string()),
                ("deadline_before", self.deadline_before.to_string()),
                ("deadline_after", self.deadline_after.to_string()),
                ("created_by", o(&self.created_by)),
            ],
        )
    }
}

/// 异议 to the tender documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Objection {
    pub id: String,
    pub section_id: String,
    pub party_id: String,
    pub body: String,
    pub raised_at: Micros,
    pub answer_due: Option<Micros>,
    pub answer: Option<String>,
    pub answered_at: Option<Micros>,
}

impl Objection {
    pub const TABLE: &'static str = "trading_objections";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("party_id", self.party_id.clone()),
                ("body", self.body.clone()),
                ("raised_at", self.raised_at.to_string()),
                ("answer_due", o(&self.answer_due)),
                ("answer", o(&self.answer)),
                ("answered_at", o(&self.answered_at)),
            ],
        )
    }
}

/// 投标保证金 of one bidder in one section (its virtual account, the payment, the refund).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Deposit {
    pub id: String,
    pub section_id: String,
    pub party_id: String,
    pub virtual_account: String,
    /// Amount asked, decimal text.
    pub required: String,
    pub payer_account: Option<String>,
    /// Amount received, decimal text.
    pub amount: Option<String>,
    pub received_at: Option<Micros>,
    /// `withdrawn` / `contract_signed` / `section_ended`.
    pub refund_trigger: Option<String>,
    pub refund_due_at: Option<Micros>,
    pub refunded_at: Option<Micros>,
    pub created_at: Micros,
    pub updated_at: Micros,
}

impl Deposit {
    pub const TABLE: &'static str = "trading_deposits";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("party_id", self.party_id.clone()),
                ("virtual_account", self.virtual_account.clone()),
                ("required", self.required.clone()),
                ("payer_account", o(&self.payer_account)),
                ("amount", o(&self.amount)),
                ("received_at", o(&self.received_at)),
                ("refund_trigger", o(&self.refund_trigger)),
                ("refund_due_at", o(&self.refund_due_at)),
                ("refunded_at", o(&self.refunded_at)),
                ("created_at", self.created_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
            ],
        )
    }
}

/// 投标文件 (one version of a bidder's sealed bid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SealedBid {
    pub id: String,
    pub section_id: String,
    pub round: i64,
    pub party_id: String,
    pub version: i64,
    /// The blob store's key of the ciphertext.
    pub blob_digest: String,
    /// `sm3:…` digest of the ciphertext as the bidder declared and signed it.
    pub ciphertext_digest: String,
    pub size: i64,
    /// The bidder's SM2 signature (hex) over the submission text.
    pub signature: String,
    /// `BidStatus` text.
    pub status: String,
    pub receipt_no: String,
    pub submitted_at: Micros,
    pub updated_at: Micros,
    /// After decryption: digest of the plaintext, 投标报价 (decimal text) and 工期 (days).
    pub plaintext_digest: Option<String>,
    pub price: Option<String>,
    pub duration_days: Option<i64>,
    /// The ledger entry of the submission and the platform's receipt signature (which covers the
    /// receipt text and that entry's seq). Not part of [`SealedBid::digest`]: they are written
    /// after the entry that covers the row, and the signature verifies on its own.
    pub ledger_seq: Option<i64>,
    pub receipt_signature: Option<String>,
}

impl SealedBid {
    pub const TABLE: &'static str = "trading_bids";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("round", self.round.to_string()),
                ("party_id", self.party_id.clone()),
                ("version", self.version.to_string()),
                ("blob_digest", self.blob_digest.clone()),
                ("ciphertext_digest", self.ciphertext_digest.clone()),
                ("size", self.size.to_string()),
                ("signature", self.signature.clone()),
                ("status", self.status.clone()),
                ("receipt_no", self.receipt_no.clone()),
                ("submitted_at", self.submitted_at.to_string()),
                ("updated_at", self.updated_at.to_string()),
                ("plaintext_digest", o(&self.plaintext_digest)),
                ("price", o(&self.price)),
                ("duration_days", o(&self.duration_days)),
            ],
        )
    }
}

/// 开标: the decision at the deadline of one round and, once closed, the signed opening record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opening {
    pub id: String,
    pub section_id: String,
    pub round: i64,
    pub decided_at: Micros,
    /// `open` or `fail` (流标).
    pub outcome: String,
    pub sealed_bids: i64,
    pub needed: i64,
    /// End of the decryption window.
    pub window_until: Micros,
    /// JSON array of `OpeningLine`, once the session is closed.
    pub record: Option<String>,
    /// The platform's SM2 signature over `record`.
    pub record_signature: Option<String>,
    pub closed_at: Option<Micros>,
}

impl Opening {
    pub const TABLE: &'static str = "trading_openings";
    pub fn digest(&self) -> String {
        row_digest(
            Self::TABLE,
            &[
                ("id", self.id.clone()),
                ("section_id", self.section_id.clone()),
                ("round", self.round.to_string()),
                ("decided_at", self.decided_at.to_string()),
                ("outcome", self.outcome.clone()),
                ("sealed_bids", self.sealed_bids.to_string()),
                ("needed", self.needed.to_string()),
                ("window_until", self.window_until.to_string()),
                ("record", o(&self.record)),
                ("record_signature", o(&self.record_signature)),
                ("closed_at", o(&self.closed_at)),
            ],
        )
    }
}

/// Trading queries any transaction may run. `section_id: None` lists every row (for the audit).
#[async_trait::async_trait]
pub trait TradingRead: Send {
    async fn get_party(&mut self, id: &str) -> Result<Option<TradingParty>>;
    async fn find_party(&mut self, credit_code: &str, kind: &str) -> Result<Option<TradingParty>>;
    async fn list_parties(&mut self) -> Result<Vec<TradingParty>>;
    async fn get_project(&mut self, id: &str) -> Result<Option<TradingProject>>;
    async fn list_projects(&mut self) -> Result<Vec<TradingProject>>;
    async fn get_section(&mut self, id: &str) -> Result<Option<TradingSection>>;
    /// Sections of a project (`None`: all), by project and number.
    async fn list_sections(&mut self, project_id: Option<&str>) -> Result<Vec<TradingSection>>;
    /// Sections in `state` whose bid deadline is at or before `now`.
    async fn sections_due(&mut self, state: &str, now: Micros) -> Result<Vec<TradingSection>>;
    async fn get_document(&mut self, id: &str) -> Result<Option<TenderDocument>>;
    async fn list_documents(&mut self, section_id: Option<&str>) -> Result<Vec<TenderDocument>>;
    async fn list_downloads(&mut self, section_id: Option<&str>) -> Result<Vec<DocumentDownload>>;
    async fn list_clarifications(&mut self, section_id: Option<&str>)
    -> Result<Vec<Clarification>>;
    async fn list_objections(&mut self, section_id: Option<&str>) -> Result<Vec<Objection>>;
    async fn get_deposit(&mut self, section_id: &str, party_id: &str) -> Result<Option<Deposit>>;
    async fn list_deposits(&mut self, section_id: Option<&str>) -> Result<Vec<Deposit>>;
    async fn get_bid(&mut self, id: &str) -> Result<Option<SealedBid>>;
    /// Every version of every bid (`None`: of every section), by section, round, party and
    /// submission time.
    async fn list_bids(&mut self, section_id: Option<&str>) -> Result<Vec<SealedBid>>;
    async fn get_opening(&mut self, section_id: &str, round: i64) -> Result<Option<Opening>>;
    async fn list_openings(&mut self, section_id: Option<&str>) -> Result<Vec<Opening>>;
}

/// Trading changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait TradingWrite: TradingRead {
    async fn insert_party(&mut self, p: &TradingParty) -> Result<()>;
    async fn update_party(&mut self, p: &TradingParty) -> Result<()>;
    async fn insert_project(&mut self, p: &TradingProject) -> Result<()>;
    async fn insert_section(&mut self, s: &TradingSection) -> Result<()>;
    async fn update_section(&mut self, s: &TradingSection) -> Result<()>;
    /// The next number of the day's transaction-code sequence (1, 2, …).
    async fn next_code_sequence(&mut self, day: &str) -> Result<i64>;
    async fn insert_document(&mut self, d: &TenderDocument) -> Result<()>;
    async fn update_document(&mut self, d: &TenderDocument) -> Result<()>;
    async fn insert_download(&mut self, d: &DocumentDownload) -> Result<()>;
    async fn insert_clarification(&mut self, c: &Clarification) -> Result<()>;
    async fn insert_objection(&mut self, o: &Objection) -> Result<()>;
    async fn update_objection(&mut self, o: &Objection) -> Result<()>;
    async fn insert_deposit(&mut self, d: &Deposit) -> Result<()>;
    async fn update_deposit(&mut self, d: &Deposit) -> Result<()>;
    async fn insert_bid(&mut self, b: &SealedBid) -> Result<()>;
    async fn update_bid(&mut self, b: &SealedBid) -> Result<()>;
    /// Inserts the opening of a round; `false` (and nothing written) if it already exists.
    async fn insert_opening(&mut self, o: &Opening) -> Result<bool>;
    async fn update_opening(&mut self, o: &Opening) -> Result<()>;
}

/// The SQL of [`TradingRead`] and [`TradingWrite`] for one backend (`$db`).
macro_rules! impl_trading {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::trading::TradingRead for $crate::SqlTx<$db, M> {
            async fn get_party(&mut self, id: &str) -> $crate::Result<Option<$crate::TradingParty>> {
                sqlx::query_as("SELECT * FROM trading_parties WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn find_party(&mut self, credit_code: &str, kind: &str) -> $crate::Result<Option<$crate::TradingParty>> {
                sqlx::query_as("SELECT * FROM trading_parties WHERE credit_code = $1 AND kind = $2")
                    .bind(credit_code).bind(kind).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_parties(&mut self) -> $crate::Result<Vec<$crate::TradingParty>> {
                sqlx::query_as("SELECT * FROM trading_parties ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_project(&mut self, id: &str) -> $crate::Result<Option<$crate::TradingProject>> {
                sqlx::query_as("SELECT * FROM trading_projects WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_projects(&mut self) -> $crate::Result<Vec<$crate::TradingProject>> {
                sqlx::query_as("SELECT * FROM trading_projects ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_section(&mut self, id: &str) -> $crate::Result<Option<$crate::TradingSection>> {
                sqlx::query_as("SELECT * FROM trading_sections WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_sections(&mut self, project_id: Option<&str>) -> $crate::Result<Vec<$crate::TradingSection>> {
                sqlx::query_as("SELECT * FROM trading_sections WHERE ($1 IS NULL OR project_id = $1) ORDER BY project_id, number")
                    .bind(project_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn sections_due(&mut self, state: &str, now: i64) -> $crate::Result<Vec<$crate::TradingSection>> {
                sqlx::query_as("SELECT * FROM trading_sections WHERE state = $1 AND bid_deadline <= $2 ORDER BY bid_deadline, id")
                    .bind(state).bind(now).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_document(&mut self, id: &str) -> $crate::Result<Option<$crate::TenderDocument>> {
                sqlx::query_as("SELECT * FROM trading_documents WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_documents(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::TenderDocument>> {
                sqlx::query_as("SELECT * FROM trading_documents WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, version")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_downloads(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::DocumentDownload>> {
                sqlx::query_as("SELECT * FROM trading_downloads WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, at, id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_clarifications(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::Clarification>> {
                sqlx::query_as("SELECT * FROM trading_clarifications WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, issued_at, id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_objections(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::Objection>> {
                sqlx::query_as("SELECT * FROM trading_objections WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, raised_at, id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_deposit(&mut self, section_id: &str, party_id: &str) -> $crate::Result<Option<$crate::Deposit>> {
                sqlx::query_as("SELECT * FROM trading_deposits WHERE section_id = $1 AND party_id = $2")
                    .bind(section_id).bind(party_id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_deposits(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::Deposit>> {
                sqlx::query_as("SELECT * FROM trading_deposits WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, party_id")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_bid(&mut self, id: &str) -> $crate::Result<Option<$crate::SealedBid>> {
                sqlx::query_as("SELECT * FROM trading_bids WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_bids(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::SealedBid>> {
                sqlx::query_as("SELECT * FROM trading_bids WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, round, party_id, submitted_at, version")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn get_opening(&mut self, section_id: &str, round: i64) -> $crate::Result<Option<$crate::Opening>> {
                sqlx::query_as("SELECT * FROM trading_openings WHERE section_id = $1 AND round = $2")
                    .bind(section_id).bind(round).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }
            async fn list_openings(&mut self, section_id: Option<&str>) -> $crate::Result<Vec<$crate::Opening>> {
                sqlx::query_as("SELECT * FROM trading_openings WHERE ($1 IS NULL OR section_id = $1) ORDER BY section_id, round")
                    .bind(section_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }
        }

        #[async_trait::async_trait]
        impl $crate::trading::TradingWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_party(&mut self, p: &$crate::TradingParty) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_parties (id, org_id, credit_code, kind, name, legal_representative, basic_account, qualifications, temporary_section, temporary_until, key_algorithm, public_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
                    .bind(&p.id).bind(&p.org_id).bind(&p.credit_code).bind(&p.kind).bind(&p.name)
                    .bind(&p.legal_representative).bind(&p.basic_account).bind(&p.qualifications)
                    .bind(&p.temporary_section).bind(p.temporary_until).bind(&p.key_algorithm)
                    .bind(&p.public_key).bind(p.created_at).bind(p.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_party(&mut self, p: &$crate::TradingParty) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_parties SET name = $2, legal_representative = $3, basic_account = $4, qualifications = $5, temporary_section = $6, temporary_until = $7, key_algorithm = $8, public_key = $9, updated_at = $10 WHERE id = $1")
                    .bind(&p.id).bind(&p.name).bind(&p.legal_representative).bind(&p.basic_account)
                    .bind(&p.qualifications).bind(&p.temporary_section).bind(p.temporary_until)
                    .bind(&p.key_algorithm).bind(&p.public_key).bind(p.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_project(&mut self, p: &$crate::TradingProject) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_projects (id, code, name, tenderee_id, agency_id, centre_org_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&p.id).bind(&p.code).bind(&p.name).bind(&p.tenderee_id).bind(&p.agency_id)
                    .bind(&p.centre_org_id).bind(&p.created_by).bind(p.created_at).bind(p.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_section(&mut self, s: &$crate::TradingSection) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_sections (id, project_id, number, name, transaction_code, field, sub_category, method, estimated_price, deposit, state, resume_to, round, notice_at, documents_from, documents_until, bid_deadline, opening_at, accepted_at, accepted_by, created_at, updated_at, suspended_at, custodian_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)")
                    .bind(&s.id).bind(&s.project_id).bind(s.number).bind(&s.name).bind(&s.transaction_code)
                    .bind(&s.field).bind(s.sub_category).bind(&s.method).bind(&s.estimated_price).bind(&s.deposit)
                    .bind(&s.state).bind(&s.resume_to).bind(s.round).bind(s.notice_at).bind(s.documents_from)
                    .bind(s.documents_until).bind(s.bid_deadline).bind(s.opening_at).bind(s.accepted_at)
                    .bind(&s.accepted_by).bind(s.created_at).bind(s.updated_at).bind(s.suspended_at).bind(&s.custodian_key)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_section(&mut self, s: &$crate::TradingSection) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_sections SET name = $2, transaction_code = $3, estimated_price = $4, deposit = $5, state = $6, resume_to = $7, round = $8, notice_at = $9, documents_from = $10, documents_until = $11, bid_deadline = $12, opening_at = $13, accepted_at = $14, accepted_by = $15, updated_at = $16, suspended_at = $17, custodian_key = $18 WHERE id = $1")
                    .bind(&s.id).bind(&s.name).bind(&s.transaction_code).bind(&s.estimated_price).bind(&s.deposit)
                    .bind(&s.state).bind(&s.resume_to).bind(s.round).bind(s.notice_at).bind(s.documents_from)
                    .bind(s.documents_until).bind(s.bid_deadline).bind(s.opening_at).bind(s.accepted_at)
                    .bind(&s.accepted_by).bind(s.updated_at).bind(s.suspended_at).bind(&s.custodian_key)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn next_code_sequence(&mut self, day: &str) -> $crate::Result<i64> {
                sqlx::query("INSERT INTO trading_code_sequences (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = trading_code_sequences.last + 1")
                    .bind(day).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                let (n,): (i64,) = sqlx::query_as("SELECT last FROM trading_code_sequences WHERE day = $1")
                    .bind(day).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }
            async fn insert_document(&mut self, d: &$crate::TenderDocument) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_documents (id, section_id, version, filename, blob_digest, size, clauses, findings, justifications, created_by, created_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&d.id).bind(&d.section_id).bind(d.version).bind(&d.filename).bind(&d.blob_digest)
                    .bind(d.size).bind(&d.clauses).bind(&d.findings).bind(&d.justifications)
                    .bind(&d.created_by).bind(d.created_at).bind(d.published_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_document(&mut self, d: &$crate::TenderDocument) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_documents SET justifications = $2, published_at = $3 WHERE id = $1")
                    .bind(&d.id).bind(&d.justifications).bind(d.published_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_download(&mut self, d: &$crate::DocumentDownload) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_downloads (id, section_id, document_id, party_id, at, address) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&d.id).bind(&d.section_id).bind(&d.document_id).bind(&d.party_id).bind(d.at).bind(&d.address)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_clarification(&mut self, c: &$crate::Clarification) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_clarifications (id, section_id, substantive, body, issued_at, deadline_before, deadline_after, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&c.id).bind(&c.section_id).bind(c.substantive).bind(&c.body).bind(c.issued_at)
                    .bind(c.deadline_before).bind(c.deadline_after).bind(&c.created_by)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_objection(&mut self, o: &$crate::Objection) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_objections (id, section_id, party_id, body, raised_at, answer_due, answer, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&o.id).bind(&o.section_id).bind(&o.party_id).bind(&o.body).bind(o.raised_at)
                    .bind(o.answer_due).bind(&o.answer).bind(o.answered_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_objection(&mut self, o: &$crate::Objection) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_objections SET answer_due = $2, answer = $3, answered_at = $4 WHERE id = $1")
                    .bind(&o.id).bind(o.answer_due).bind(&o.answer).bind(o.answered_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_deposit(&mut self, d: &$crate::Deposit) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_deposits (id, section_id, party_id, virtual_account, required, payer_account, amount, received_at, refund_trigger, refund_due_at, refunded_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                    .bind(&d.id).bind(&d.section_id).bind(&d.party_id).bind(&d.virtual_account).bind(&d.required)
                    .bind(&d.payer_account).bind(&d.amount).bind(d.received_at).bind(&d.refund_trigger)
                    .bind(d.refund_due_at).bind(d.refunded_at).bind(d.created_at).bind(d.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_deposit(&mut self, d: &$crate::Deposit) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_deposits SET required = $2, payer_account = $3, amount = $4, received_at = $5, refund_trigger = $6, refund_due_at = $7, refunded_at = $8, updated_at = $9 WHERE id = $1")
                    .bind(&d.id).bind(&d.required).bind(&d.payer_account).bind(&d.amount).bind(d.received_at)
                    .bind(&d.refund_trigger).bind(d.refund_due_at).bind(d.refunded_at).bind(d.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_bid(&mut self, b: &$crate::SealedBid) -> $crate::Result<()> {
                sqlx::query("INSERT INTO trading_bids (id, section_id, round, party_id, version, blob_digest, ciphertext_digest, size, signature, status, receipt_no, submitted_at, updated_at, plaintext_digest, price, duration_days, ledger_seq, receipt_signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")
                    .bind(&b.id).bind(&b.section_id).bind(b.round).bind(&b.party_id).bind(b.version)
                    .bind(&b.blob_digest).bind(&b.ciphertext_digest).bind(b.size).bind(&b.signature)
                    .bind(&b.status).bind(&b.receipt_no).bind(b.submitted_at).bind(b.updated_at)
                    .bind(&b.plaintext_digest).bind(&b.price).bind(b.duration_days).bind(b.ledger_seq)
                    .bind(&b.receipt_signature)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn update_bid(&mut self, b: &$crate::SealedBid) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_bids SET status = $2, updated_at = $3, plaintext_digest = $4, price = $5, duration_days = $6, ledger_seq = $7, receipt_signature = $8 WHERE id = $1")
                    .bind(&b.id).bind(&b.status).bind(b.updated_at).bind(&b.plaintext_digest).bind(&b.price)
                    .bind(b.duration_days).bind(b.ledger_seq).bind(&b.receipt_signature)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
            async fn insert_opening(&mut self, o: &$crate::Opening) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO trading_openings (id, section_id, round, decided_at, outcome, sealed_bids, needed, window_until, record, record_signature, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (section_id, round) DO NOTHING")
                    .bind(&o.id).bind(&o.section_id).bind(o.round).bind(o.decided_at).bind(&o.outcome)
                    .bind(o.sealed_bids).bind(o.needed).bind(o.window_until).bind(&o.record)
                    .bind(&o.record_signature).bind(o.closed_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }
            async fn update_opening(&mut self, o: &$crate::Opening) -> $crate::Result<()> {
                sqlx::query("UPDATE trading_openings SET outcome = $2, record = $3, record_signature = $4, closed_at = $5 WHERE id = $1")
                    .bind(&o.id).bind(&o.outcome).bind(&o.record).bind(&o.record_signature).bind(o.closed_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_trading;
