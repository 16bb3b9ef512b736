//! The working-day calendar's versions and days: rows, queries and SQL.

use serde::{Deserialize, Serialize};
use yiwang_core::ledger::{opt, row_digest};
use yiwang_core::time::Micros;

use crate::Result;
use yiwang_core::calendar::{CalendarEntry, DayKind};

/// The calendar table the audit ledger covers (a version's row carries the digest of its days).
pub const CALENDAR_TABLES: &[crate::CoveredTable] = &[crate::CoveredTable {
    table: CalendarVersion::TABLE,
    id_sql: "CAST(version AS TEXT)",
    edit_sql: Some("note = note || '改'"),
    forge_sql: "version = version + 1000",
}];

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

/// Calendar queries any transaction may run.
#[async_trait::async_trait]
pub trait CalendarRead: Send {
    async fn list_calendar_versions(&mut self) -> Result<Vec<CalendarVersion>>;
    async fn calendar_days(&mut self, version: i64) -> Result<Vec<CalendarEntry>>;
}

/// Calendar changes: only a write transaction has them.
#[async_trait::async_trait]
pub trait CalendarWrite: CalendarRead {
    async fn insert_calendar_version(
        &mut self,
        v: &CalendarVersion,
        days: &[CalendarEntry],
    ) -> Result<()>;
}

/// The SQL of [`CalendarRead`] and [`CalendarWrite`] for one backend (`$db`).
macro_rules! impl_calendar {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl<M: $crate::Mode> $crate::calendar::CalendarRead for $crate::SqlTx<$db, M> {
            async fn list_calendar_versions(&mut self) -> $crate::Result<Vec<$crate::CalendarVersion>> {
                sqlx::query_as("SELECT version, created_at, created_by, note, days_digest FROM calendar_versions ORDER BY version")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn calendar_days(&mut self, version: i64) -> $crate::Result<Vec<yiwang_core::calendar::CalendarEntry>> {
                let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT day, kind, name FROM calendar_days WHERE version = $1 ORDER BY day")
                    .bind(version).fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                rows.into_iter().map($crate::calendar::calendar_entry).collect()
            }
        }

        #[async_trait::async_trait]
        impl $crate::calendar::CalendarWrite for $crate::SqlTx<$db, $crate::Write> {
            async fn insert_calendar_version(
                &mut self,
                v: &$crate::CalendarVersion,
                days: &[yiwang_core::calendar::CalendarEntry],
            ) -> $crate::Result<()> {
                sqlx::query("INSERT INTO calendar_versions (version, created_at, created_by, note, days_digest) VALUES ($1, $2, $3, $4, $5)")
                    .bind(v.version).bind(v.created_at).bind(&v.created_by).bind(&v.note).bind(&v.days_digest)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                for d in days {
                    sqlx::query("INSERT INTO calendar_days (version, day, kind, name) VALUES ($1, $2, $3, $4)")
                        .bind(v.version).bind(d.date.format("%Y-%m-%d").to_string())
                        .bind($crate::calendar::day_kind_text(d.kind)).bind(&d.name)
                        .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use impl_calendar;

pub(crate) fn day_kind_text(k: DayKind) -> &'static str {
    match k {
        DayKind::Off => "off",
        DayKind::Work => "work",
    }
}

pub(crate) fn calendar_entry(
    (day, kind, name): (String, String, String),
) -> crate::Result<CalendarEntry> {
    let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|e| crate::StoreError::Other(format!("bad calendar day {day}: {e}")))?;
    let kind = match kind.as_str() {
        "off" => DayKind::Off,
        "work" => DayKind::Work,
        other => {
            return Err(crate::StoreError::Other(format!(
                "bad calendar kind {other}"
            )));
        }
    };
    Ok(CalendarEntry { date, kind, name })
}
