//! Chinese full-text search (查) over the government service catalogue.
//!
//! Callers map their service items (事项) and life-event bundles (一件事) to
//! [`SearchDoc`] and keep a [`CatalogIndex`] up to date with
//! [`CatalogIndex::upsert`] / [`CatalogIndex::remove`], or rebuild it with
//! [`CatalogIndex::replace_all`]. Text is segmented with jieba (分词),
//! lowercased, and full-width ASCII is folded to half-width.
//!
//! # Query handling
//!
//! No query syntax is exposed: the citizen's text (at most 100 characters) is
//! normalised and segmented with jieba in search mode; punctuation-only tokens
//! are dropped and each remaining word becomes plain term clauses. Any word may
//! match (OR); documents matching more, rarer words rank higher (BM25).
//! An empty query browses: every document matching the filters, ordered by name.
//!
//! # Ranking rules
//!
//! A document's score is the sum of:
//! 1. for every query word, its best field score plus 0.2 × the other fields'
//!    (a disjunction-max over the fields), where a field score is BM25 times the
//!    field weight: aliases (俗称) ×4, name ×3, materials ×1, description ×1,
//!    department name ×0.5. Taking the best field keeps a word repeated across
//!    name, aliases and description from outweighing the rules below.
//!    Single-character words count ×0.3 when the query also has longer words
//!    (so 开 in 开饭店 does not drag in every item whose alias starts with 开);
//! 2. +100 when the whole normalised query equals one of its aliases or its
//!    name: such documents form a tier of their own above plain word matches;
//! 3. +20 when the whole query (2–16 characters) is a substring of its name
//!    (施工许可 → 建设工程施工许可, 出生登记 → 出生登记(户口));
//! 4. +15 more for a bundle whose alias or name equals the whole query, so
//!    生孩子 shows the 新生儿出生一件事 bundle before the single items that
//!    share the alias.
//!
//! Any word may match (OR semantics), so `total` counts every document sharing
//! at least one word with the query; the ranking puts the close matches first.
//! Browsing (empty query) orders by name in code-point order (stable, not pinyin).
//!
//! Filters (department, level, item type, flags — all must match —, life event,
//! kind) restrict the match set without changing scores. `total` and the
//! item-type / level facets count the whole match set, not just the page.

mod error;
mod facets;
mod index;
mod model;
mod query;
mod schema;

pub use error::{MAX_QUERY_CHARS, MAX_WINDOW, SearchError};
pub use index::CatalogIndex;
pub use model::{DocKind, Facets, Filters, Hit, SearchDoc, SearchResult};
