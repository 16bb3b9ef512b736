use chrono::NaiveDate;
use yiwang_core::calendar::{CalendarEntry, DayKind};
use yiwang_store::{CalendarVersion, StoreError};
use yiwang_testkit::{TestDb, backend_test};

fn day(y: i32, m: u32, d: u32, kind: DayKind, name: &str) -> CalendarEntry {
    CalendarEntry {
        date: NaiveDate::from_ymd_opt(y, m, d).expect("date"),
        kind,
        name: name.into(),
    }
}

fn version(v: i64, note: &str) -> CalendarVersion {
    CalendarVersion {
        version: v,
        created_at: 1_700_000_000_000_000 + v,
        created_by: if v == 1 { None } else { Some("admin".into()) },
        note: note.into(),
        days_digest: format!("{v:064}"),
    }
}

backend_test!(calendar_versions_and_days_round_trip);
async fn calendar_versions_and_days_round_trip(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    // Given out of date order; read back ordered by day.
    let v1_days = vec![
        day(2026, 10, 1, DayKind::Off, "国庆节、中秋节"),
        day(2026, 2, 14, DayKind::Work, "春节"),
        day(2026, 2, 15, DayKind::Off, "春节"),
        day(2025, 12, 31, DayKind::Work, "New Year's Eve (test)"),
    ];
    let v2_days = vec![day(2026, 3, 2, DayKind::Off, "临时调休")];
    let mut tx = store.write().await.expect("write");
    tx.insert_calendar_version(&version(2, "第二版"), &v2_days)
        .await
        .expect("v2");
    tx.insert_calendar_version(&version(1, "国务院办公厅节假日安排"), &v1_days)
        .await
        .expect("v1");
    tx.insert_calendar_version(&version(3, "空版本"), &[])
        .await
        .expect("v3");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.list_calendar_versions().await.expect("versions"),
        vec![
            version(1, "国务院办公厅节假日安排"),
            version(2, "第二版"),
            version(3, "空版本")
        ],
        "[{b}] list_calendar_versions ordered by version"
    );
    let mut sorted = v1_days.clone();
    sorted.sort_by_key(|d| d.date);
    assert_eq!(
        tx.calendar_days(1).await.expect("days 1"),
        sorted,
        "[{b}] calendar_days(1): dates, kinds and names round-trip, ordered by date"
    );
    assert_eq!(
        tx.calendar_days(2).await.expect("days 2"),
        v2_days,
        "[{b}] days of v2"
    );
    assert!(
        tx.calendar_days(3).await.expect("days 3").is_empty(),
        "[{b}] empty v3"
    );
    assert!(
        tx.calendar_days(99).await.expect("days 99").is_empty(),
        "[{b}] unknown"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    let r = tx.insert_calendar_version(&version(2, "again"), &[]).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] a duplicate version number is Duplicate, got {r:?}"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
