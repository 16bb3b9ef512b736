//! The working-day calendar (工作日历) as versioned master data: the State Council's arrangements
//! are loaded on first start; an administrator amends them, each amendment a new version. The
//! rules (`yiwang_core::calendar`) always use the newest version.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::calendar::{
    CalendarEntry, DayKind, OFFICIAL_HOLIDAYS_CSV, WorkingCalendar, parse_holiday_csv,
    to_holiday_csv,
};
use yiwang_core::ledger::sm3_hex;
use yiwang_store::prelude::*;
use yiwang_store::{CalendarVersion, Store};

use crate::notify::{self, Channel};
use crate::{Acting, App, AppResult, CachedCalendar, digest, now_micros, record};

fn days_digest(days: &[CalendarEntry]) -> String {
    sm3_hex(to_holiday_csv(days).as_bytes())
}

async fn write_version(
    tx: &mut dyn WriteTx,
    by: &Acting,
    version: i64,
    note: &str,
    days: &[CalendarEntry],
    detail: serde_json::Value,
) -> AppResult<CalendarVersion> {
    let v = CalendarVersion {
        version,
        created_at: now_micros(),
        created_by: by.actor_id.clone(),
        note: note.into(),
        days_digest: days_digest(days),
    };
    tx.insert_calendar_version(&v, days).await?;
    record(
        tx,
        by,
        "calendar.version",
        ("calendar", &version.to_string()),
        vec![digest(
            CalendarVersion::TABLE,
            &version.to_string(),
            v.digest(),
        )],
        detail,
    )
    .await?;
    Ok(v)
}

/// Load the official arrangements as version 1 on first start.
pub async fn seed_official(store: &Arc<dyn Store>) -> AppResult<()> {
    let mut tx = store.write().await?;
    if !tx.list_calendar_versions().await?.is_empty() {
        return Ok(());
    }
    let days = parse_holiday_csv(OFFICIAL_HOLIDAYS_CSV)?;
    write_version(
        &mut *tx,
        &Acting::system(),
        1,
        "国务院办公厅节假日安排(2024—2026)",
        &days,
        serde_json::json!({ "days": days.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn load_current(store: &Arc<dyn Store>) -> AppResult<CachedCalendar> {
    let mut tx = store.read().await?;
    let versions = tx.list_calendar_versions().await?;
    let Some(latest) = versions.last() else {
        return Ok(CachedCalendar {
            version: 0,
            calendar: WorkingCalendar::new(&[]),
        });
    };
    let days = tx.calendar_days(latest.version).await?;
    Ok(CachedCalendar {
        version: latest.version,
        calendar: WorkingCalendar::new(&days),
    })
}

/// An administrator's amendment: days to set (added or changed) and days to remove.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Amendment {
    /// Why (e.g. the notice that announced it); kept with the version. 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub note: String,
    /// Days to list; each `name` 1 to 50 characters.
    #[serde(default)]
    pub set: Vec<CalendarEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub remove: Vec<NaiveDate>,
}

/// The current version with its listed days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    pub version: CalendarVersion,
    pub days: Vec<CalendarEntry>,
    /// Years whose official arrangement is loaded (at least one listed day). Deadlines over other
    /// years are computed from the statutory holidays by rule and marked provisional.
    pub official_years: Vec<i32>,
}

pub async fn current(store: &Arc<dyn Store>) -> AppResult<Option<CalendarView>> {
    let mut tx = store.read().await?;
    let Some(version) = tx.list_calendar_versions().await?.pop() else {
        return Ok(None);
    };
    let days = tx.calendar_days(version.version).await?;
    let mut official_years: Vec<i32> = days.iter().map(|d| d.date.year()).collect();
    official_years.sort_unstable();
    official_years.dedup();
    Ok(Some(CalendarView {
        version,
        days,
        official_years,
    }))
}

pub async fn versions(store: &Arc<dyn Store>) -> AppResult<Vec<CalendarVersion>> {
    Ok(store.read().await?.list_calendar_versions().await?)
}

/// Amend the calendar: a new version with the changes applied (platform administrators only).
pub async fn amend(app: &App, actor: &Actor, a: Amendment) -> AppResult<CalendarVersion> {
    let grant = access::authorize(actor, Permission::ManageCalendar, Scope::Platform)?;
    let note = a.note.trim();
    if note.is_empty() || note.chars().count() > 200 {
        return Err(Problem::invalid(
            "calendar.note",
            "请填写调整说明(不超过200个字符)",
            "Give a note for the amendment (at most 200 characters)",
        )
        .into());
    }
    if a.set.is_empty() && a.remove.is_empty() {
        return Err(Problem::invalid(
            "calendar.empty_amendment",
            "调整内容为空",
            "The amendment changes nothing",
        )
        .into());
    }
    for e in &a.set {
        if e.name.trim().is_empty() || e.name.chars().count() > 50 {
            return Err(Problem::invalid(
                "calendar.day_name",
                format!("{} 须填写名称(不超过50个字符)", e.date),
                format!("{} needs a name (at most 50 characters)", e.date),
            )
            .into());
        }
    }
    let mut tx = app.store.write().await?;
    let latest = tx.list_calendar_versions().await?.pop();
    let (next, mut days) = match latest {
        Some(v) => (v.version + 1, tx.calendar_days(v.version).await?),
        None => (1, Vec::new()),
    };
    days.retain(|d| !a.remove.contains(&d.date) && !a.set.iter().any(|s| s.date == d.date));
    days.extend(a.set.iter().cloned());
    days.sort_by_key(|d| d.date);
    let by = Acting::as_grant(actor, grant);
    let v = write_version(
        &mut *tx,
        &by,
        next,
        note,
        &days,
        serde_json::json!({
            "set": a.set.iter().map(|d| format!("{} {}", d.date, match d.kind { DayKind::Off => "off", DayKind::Work => "work" })).collect::<Vec<_>>(),
            "remove": a.remove.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    notify::queue(
        &mut *tx,
        Channel::InApp,
        &actor.user_id,
        "calendar.amended",
        serde_json::json!({ "version": next.to_string(), "note": note }),
    )
    .await?;
    tx.commit().await?;
    app.refresh_calendar().await?;
    Ok(v)
}

/// The answer of a deadline query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub start: DateTime<Utc>,
    pub working_days: u32,
    /// The last working day of the period (Beijing date).
    pub last_day: NaiveDate,
    /// The instant the period ends (exclusive), UTC.
    pub ends_at: DateTime<Utc>,
    pub calendar_version: i64,
    /// 预计: the period passes over a year whose official arrangement is not loaded yet; its
    /// statutory holidays are computed by rule, without the State Council's 调休.
    pub provisional: bool,
}

pub fn deadline(app: &App, start: DateTime<Utc>, n: u32) -> Result<Deadline, Problem> {
    if n > 3650 {
        return Err(Problem::invalid(
            "calendar.too_many_days",
            "工作日数不得超过3650",
            "At most 3650 working days",
        ));
    }
    use chrono::Datelike;
    if !(1970..=2200).contains(&start.year()) {
        return Err(Problem::invalid(
            "calendar.start_out_of_range",
            "起算时间须在1970年至2200年之间",
            "The start must lie between 1970 and 2200",
        ));
    }
    let cal = app.calendar();
    let first_day = yiwang_core::calendar::local_date(start);
    let last_day = cal.calendar.add_working_days(first_day, n);
    Ok(Deadline {
        start,
        working_days: n,
        last_day,
        ends_at: cal.calendar.deadline_after(start, n),
        calendar_version: cal.version,
        provisional: cal.calendar.is_provisional(first_day, last_day),
    })
}

/// A pause of the clock (补正, special procedures): from `from` to `to`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// A question "how many working days have elapsed", with the clock's pauses.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ElapsedQuery {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// At most 100 pauses, each ending no earlier than it starts.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub paused: Vec<Pause>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Elapsed {
    pub working_days: u32,
    pub calendar_version: i64,
    /// 预计: the span passes over a year whose official arrangement is not loaded yet.
    pub provisional: bool,
}

/// Working days elapsed between two instants, paused intervals excluded.
pub fn elapsed(app: &App, q: &ElapsedQuery) -> Result<Elapsed, Problem> {
    if q.paused.len() > 100 {
        return Err(Problem::invalid(
            "calendar.too_many_pauses",
            "暂停区间不得超过100个",
            "At most 100 paused intervals",
        ));
    }
    if q.paused.iter().any(|p| p.to < p.from) {
        return Err(Problem::invalid(
            "calendar.pause_order",
            "暂停区间的结束时间不得早于开始时间",
            "A pause cannot end before it starts",
        ));
    }
    use chrono::Datelike;
    let in_range = |t: &DateTime<Utc>| (1970..=2200).contains(&t.year());
    if !in_range(&q.start)
        || !in_range(&q.end)
        || q.paused
            .iter()
            .any(|p| !in_range(&p.from) || !in_range(&p.to))
    {
        return Err(Problem::invalid(
            "calendar.start_out_of_range",
            "时间须在1970年至2200年之间",
            "Instants must lie between 1970 and 2200",
        ));
    }
    if (q.end - q.start).num_days().abs() > 3650 * 2 {
        return Err(Problem::invalid(
            "calendar.span_too_long",
            "起止时间跨度不得超过20年",
            "The span may not exceed 20 years",
        ));
    }
    let cal = app.calendar();
    let paused: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        q.paused.iter().map(|p| (p.from, p.to)).collect();
    Ok(Elapsed {
        working_days: cal.calendar.working_days_between(q.start, q.end, &paused),
        calendar_version: cal.version,
        provisional: cal.calendar.is_provisional(
            yiwang_core::calendar::local_date(q.start),
            yiwang_core::calendar::local_date(q.end),
        ),
    })
}

/// The year whose official arrangement administrators should load now, if it is missing: the
/// current year (Beijing date) at any time, and from 1 December also the next one — the State
/// Council usually publishes the next year's arrangement in November. Shown on the calendar
/// administration page and on administrators' home page.
pub fn missing_year(app: &App, now: DateTime<Utc>) -> Option<i32> {
    missing_year_of(&app.calendar().calendar, now)
}

/// [`missing_year`] for a given calendar.
pub fn missing_year_of(cal: &WorkingCalendar, now: DateTime<Utc>) -> Option<i32> {
    let today = yiwang_core::calendar::local_date(now);
    let year = today.year();
    if !cal.is_official_year(year) {
        Some(year)
    } else if today.month() == 12 && !cal.is_official_year(year + 1) {
        Some(year + 1)
    } else {
        None
    }
}

/// The working-day calendar in the capability registry.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "calendar",
    covered: yiwang_store::calendar::CALENDAR_TABLES,
    covered_rows: Some(covered_rows),
    templates: &[crate::registry::TemplateSpec {
        key: "calendar.amended",
        render: |p| notify::Message {
            title: "工作日历已调整".into(),
            body: format!(
                "工作日历第{}版已生效：{}",
                p.text("version"),
                p.text("note")
            ),
        },
    }],
    ..crate::registry::Capability::EMPTY
};

fn covered_rows<'a>(
    tx: &'a mut dyn ReadTx,
    out: &'a mut Vec<crate::registry::CoveredRow>,
) -> crate::registry::BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        for v in tx.list_calendar_versions().await? {
            // The version row carries the digest of its days: recompute it from the day rows.
            let days = tx.calendar_days(v.version).await?;
            let mut v2: CalendarVersion = v.clone();
            v2.days_digest = sm3_hex(yiwang_core::calendar::to_holiday_csv(&days).as_bytes());
            out.push((CalendarVersion::TABLE, v.version.to_string(), v2.digest()));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_year_is_missing_from_december() {
        let cal = WorkingCalendar::official();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(missing_year_of(&cal, at("2026-11-30T15:59:59Z")), None);
        // 2026-12-01 00:00 in Beijing.
        assert_eq!(
            missing_year_of(&cal, at("2026-11-30T16:00:00Z")),
            Some(2027)
        );
        assert_eq!(
            missing_year_of(&cal, at("2027-03-01T00:00:00Z")),
            Some(2027)
        );
        assert_eq!(missing_year_of(&cal, at("2025-12-15T00:00:00Z")), None);
    }
}
