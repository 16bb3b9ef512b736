//! The one error shape every layer speaks: a stable machine-readable code, a Chinese message and
//! its English counterpart. The HTTP layer maps [`ProblemKind`] to a status code.

use serde::Serialize;

/// What sort of failure a [`Problem`] is; decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Malformed or rule-breaking input (400/422).
    Invalid,
    /// Not signed in, or bad credentials (401).
    Unauthenticated,
    /// Signed in but not allowed (403).
    Forbidden,
    /// The thing does not exist or is not visible to the caller (404).
    NotFound,
    /// The request conflicts with the current state (409).
    Conflict,
    /// Too large a request (413).
    TooLarge,
    /// The service is momentarily too busy (the database's write lock is taken by others); the
    /// same request may succeed a moment later (503 with `Retry-After`).
    Unavailable,
}

/// A failure explained to a person: `code` is stable for machines, the messages are for people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub code: String,
    pub message: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(
        kind: ProblemKind,
        code: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            code: code.into(),
            message: zh.into(),
            message_en: en.into(),
            details: None,
        }
    }

    pub fn invalid(code: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ProblemKind::Invalid, code, zh, en)
    }

    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        Self::new(
            ProblemKind::NotFound,
            "not_found",
            format!("{what_zh}不存在或无权查看"),
            format!("{what_en} not found or not visible to you"),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            ProblemKind::Forbidden,
            "forbidden",
            "您没有执行此操作的权限",
            "You are not allowed to do this",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ProblemKind::Unauthenticated,
            "unauthenticated",
            "请先登录",
            "Please sign in first",
        )
    }

    pub fn conflict(code: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ProblemKind::Conflict, code, zh, en)
    }

    /// 413: a body or file over the limit it names.
    pub fn too_large(limit_bytes: u64) -> Self {
        let size = human_size(limit_bytes);
        Self::new(
            ProblemKind::TooLarge,
            "too_large",
            format!("上传内容过大，上限为{size}。"),
            format!("The upload is too large; the limit is {size}."),
        )
        .with_details(serde_json::json!({ "limit_bytes": limit_bytes }))
    }

    /// 503: the database is busy; retry after a moment.
    pub fn busy() -> Self {
        Self::new(
            ProblemKind::Unavailable,
            "db.busy",
            "系统繁忙，请稍后重试。",
            "The service is busy; please retry in a moment.",
        )
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// A byte count as people read it (`5 MB`, `1.5 MB`, `56 KB`).
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    const KB: u64 = 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} B")
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message_en, self.message)
    }
}

impl std::error::Error for Problem {}

impl From<crate::ids::IdError> for Problem {
    fn from(e: crate::ids::IdError) -> Self {
        Problem::invalid(e.code(), e.message_zh(), e.message_en())
    }
}

impl From<crate::calendar::CalendarError> for Problem {
    fn from(e: crate::calendar::CalendarError) -> Self {
        Problem::invalid(e.code(), e.message_zh(), e.message_en())
    }
}
