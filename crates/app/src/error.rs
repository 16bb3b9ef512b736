//! Errors of the use cases: a [`Problem`] the caller caused, or an internal failure that is logged
//! and shown only as "internal error".

use yiwang_core::{Problem, ProblemKind};
use yiwang_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Problem(Problem),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<Problem> for AppError {
    fn from(p: Problem) -> Self {
        AppError::Problem(p)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(what) => AppError::Problem(
                Problem::conflict(
                    "duplicate",
                    "该记录已存在(编号、用户名或代码重复)",
                    "This record already exists (duplicate number, username or code)",
                )
                .with_details(serde_json::json!({ "constraint": what })),
            ),
            StoreError::UnstorableText(why) => {
                tracing::debug!(reason = %why, "text refused by the database");
                AppError::Problem(Problem::invalid(
                    "text.nul_character",
                    "文本不能包含空字符(NUL)",
                    "Text may not contain the NUL character",
                ))
            }
            StoreError::Busy(why) => {
                tracing::warn!(reason = %why, "database busy");
                AppError::Problem(Problem::busy())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<yiwang_core::ids::IdError> for AppError {
    fn from(e: yiwang_core::ids::IdError) -> Self {
        AppError::Problem(e.into())
    }
}

impl From<yiwang_core::calendar::CalendarError> for AppError {
    fn from(e: yiwang_core::calendar::CalendarError) -> Self {
        AppError::Problem(e.into())
    }
}

impl AppError {
    pub fn kind(&self) -> Option<ProblemKind> {
        match self {
            AppError::Problem(p) => Some(p.kind),
            AppError::Internal(_) => None,
        }
    }
}
