//! Errors of the search (查) crate, each with a stable code and bilingual messages.

use std::path::PathBuf;

/// Longest accepted query, in characters (Unicode scalar values) after trimming.
pub const MAX_QUERY_CHARS: usize = 100;

/// Deepest result page reachable: `offset + limit` must not exceed this.
pub const MAX_WINDOW: usize = 10_000;

/// Everything that can go wrong in the search crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The user's query is longer than [`MAX_QUERY_CHARS`].
    #[error("query too long: {len} characters (at most {max})")]
    QueryTooLong { len: usize, max: usize },
    /// `offset + limit` is beyond [`MAX_WINDOW`].
    #[error("result window too deep: offset {offset} + limit {limit} exceeds {max}")]
    PageOutOfRange {
        offset: usize,
        limit: usize,
        max: usize,
    },
    /// Another writer (this process or another one) holds the index directory's writer lock.
    #[error("search index at {} is locked by another writer", path.display())]
    Locked { path: PathBuf },
    /// The directory holds an index built with a different schema; delete it and reindex.
    #[error("search index at {} has an incompatible schema; delete it and reindex", path.display())]
    SchemaMismatch { path: PathBuf },
    /// Any other (internal) failure of the index: I/O, corruption, tantivy errors.
    #[error("search index error: {0}")]
    Index(String),
}

impl SearchError {
    /// Stable machine-readable code, e.g. `search.query_too_long`.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::QueryTooLong { .. } => "search.query_too_long",
            SearchError::PageOutOfRange { .. } => "search.page_out_of_range",
            SearchError::Locked { .. } => "search.index_locked",
            SearchError::SchemaMismatch { .. } => "search.schema_mismatch",
            SearchError::Index(_) => "search.index",
        }
    }

    /// Message for citizens and staff, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            SearchError::QueryTooLong { max, .. } => {
                format!("搜索内容过长，请不要超过{max}个字。")
            }
            SearchError::PageOutOfRange { .. } => "翻页过深，请缩小搜索范围后再试。".to_string(),
            SearchError::Locked { .. } => "搜索索引正被另一个进程使用，请稍后再试。".to_string(),
            SearchError::SchemaMismatch { .. } => "搜索索引版本不兼容，需要重建索引。".to_string(),
            SearchError::Index(_) => "搜索服务暂时不可用，请稍后再试。".to_string(),
        }
    }

    /// Message for citizens and staff, in English.
    pub fn message_en(&self) -> String {
        match self {
            SearchError::QueryTooLong { max, .. } => {
                format!("The search text is too long; use at most {max} characters.")
            }
            SearchError::PageOutOfRange { .. } => {
                "That page is too deep; narrow the search and try again.".to_string()
            }
            SearchError::Locked { .. } => {
                "The search index is in use by another process; try again later.".to_string()
            }
            SearchError::SchemaMismatch { .. } => {
                "The search index is incompatible and must be rebuilt.".to_string()
            }
            SearchError::Index(_) => {
                "Search is temporarily unavailable; try again later.".to_string()
            }
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(err: tantivy::TantivyError) -> Self {
        SearchError::Index(err.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(err: std::io::Error) -> Self {
        SearchError::Index(err.to_string())
    }
}
