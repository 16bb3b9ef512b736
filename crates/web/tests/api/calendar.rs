//! The working-day calendar: reading, deadlines, amendments and the admin page.

use serde_json::json;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, post_as, send_json, sign_in};

async fn last_day(s: &TestServer, b: &str, start: &str, days: u32) -> (String, i64) {
    let (st, v) = send_json(
        b,
        s.new_client().get(s.url(&format!(
            "/api/v1/calendar/deadline?start={start}&days={days}"
        ))),
    )
    .await;
    assert_eq!(st, 200, "[{b}] deadline {start}+{days}: {v}");
    (
        v["last_day"].as_str().expect("last_day").to_string(),
        v["calendar_version"].as_i64().expect("version"),
    )
}

backend_test!(calendar_reading_and_deadlines);
async fn calendar_reading_and_deadlines(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;

    let (st, cal) = send_json(b, s.new_client().get(s.url("/api/v1/calendar"))).await;
    assert_eq!(st, 200, "[{b}] {cal}");
    assert_eq!(cal["version"]["version"], 1, "[{b}] {}", cal["version"]);
    let days = cal["days"].as_array().expect("days");
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-02-17" && d["kind"] == "off"),
        "[{b}] 2026 Spring Festival missing"
    );
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-02-28" && d["kind"] == "work"),
        "[{b}] 2026 adjusted working day missing"
    );
    assert!(
        days.iter()
            .filter(|d| d["date"].as_str().unwrap().starts_with("2026-"))
            .count()
            >= 20,
        "[{b}] too few 2026 days"
    );

    // National Day week: 2025-10-01..08 off, so one working day after 30 Sep is 9 Oct.
    let (last, v) = last_day(&s, b, "2025-09-30T02:00:00Z", 1).await;
    assert_eq!((last.as_str(), v), ("2025-10-09", 1), "[{b}]");
    // 16:30 UTC on 30 Sep is already 1 Oct in Beijing; still 9 Oct.
    let (last, _) = last_day(&s, b, "2025-09-30T16:30:00Z", 1).await;
    assert_eq!(last, "2025-10-09", "[{b}] Beijing date of the start");
    // The adjusted working Saturday 11 Oct counts.
    let (last, _) = last_day(&s, b, "2025-10-09T02:00:00Z", 2).await;
    assert_eq!(last, "2025-10-11", "[{b}] adjusted working Saturday");
    let (last, _) = last_day(&s, b, "2025-09-30T02:00:00Z", 0).await;
    assert_eq!(last, "2025-09-30", "[{b}] zero days");
    // Offset syntax is accepted (URL-encoded '+').
    let (last, _) = last_day(&s, b, "2025-09-30T10:00:00%2B08:00", 1).await;
    assert_eq!(last, "2025-10-09", "[{b}] +08:00 start");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(calendar_amendments);
async fn calendar_amendments(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let admin = demo_token(&s, "admin").await;

    // 2026-02-28 is an adjusted working Saturday, so one working day after 2026-02-27 is the
    // 28th whatever happens to 2 March; one after the 28th is Monday 2 March.
    let (last, _) = last_day(&s, b, "2026-02-27T02:00:00Z", 1).await;
    assert_eq!(last, "2026-02-28", "[{b}] before the amendment");
    let (last, v) = last_day(&s, b, "2026-02-28T02:00:00Z", 1).await;
    assert_eq!(
        (last.as_str(), v),
        ("2026-03-02", 1),
        "[{b}] before the amendment"
    );

    let body = json!({
        "note": "测试调整",
        "set": [{"date": "2026-03-02", "kind": "off", "name": "测试"}],
    });
    let (st, ver) = send_json(b, post_as(&s, "/api/v1/calendar/amendments", &admin, &body)).await;
    assert_eq!(st, 201, "[{b}] amend: {ver}");
    assert_eq!(ver["version"], 2, "[{b}] {ver}");
    assert_eq!(ver["note"], "测试调整", "[{b}] {ver}");

    let (last, v) = last_day(&s, b, "2026-02-28T02:00:00Z", 1).await;
    assert_eq!(
        (last.as_str(), v),
        ("2026-03-03", 2),
        "[{b}] after the amendment"
    );
    let (last, _) = last_day(&s, b, "2026-02-27T02:00:00Z", 2).await;
    assert_eq!(last, "2026-03-03", "[{b}] after the amendment, two days");
    let (st, cal) = send_json(b, s.new_client().get(s.url("/api/v1/calendar"))).await;
    assert_eq!(st, 200, "[{b}]");
    assert_eq!(cal["version"]["version"], 2, "[{b}]");
    assert!(
        cal["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-03-02" && d["kind"] == "off" && d["name"] == "测试"),
        "[{b}] amended day missing"
    );

    let sup = demo_token(&s, "supervisor").await;
    expect_error(
        b,
        post_as(&s, "/api/v1/calendar/amendments", &sup, &body),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        s.new_client()
            .post(s.url("/api/v1/calendar/amendments"))
            .json(&body),
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        b,
        post_as(
            &s,
            "/api/v1/calendar/amendments",
            &admin,
            &json!({"note": "空", "set": []}),
        ),
        422,
        "calendar.empty_amendment",
    )
    .await;
    expect_error(
        b,
        post_as(
            &s,
            "/api/v1/calendar/amendments",
            &admin,
            &json!({"note": " ", "remove": ["2026-03-02"]}),
        ),
        422,
        "calendar.note",
    )
    .await;
    expect_error(
        b,
        post_as(
            &s,
            "/api/v1/calendar/amendments",
            &admin,
            &json!({"note": "x", "set": [{"date": "2026-03-09", "kind": "off", "name": ""}]}),
        ),
        422,
        "calendar.day_name",
    )
    .await;

    let (st, versions) = send_json(b, s.new_client().get(s.url("/api/v1/calendar/versions"))).await;
    assert_eq!(st, 200, "[{b}]");
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2, "[{b}] versions: {versions:?}");
    assert_eq!(versions[0]["version"], 1, "[{b}]");
    assert_eq!(versions[1]["version"], 2, "[{b}]");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(calendar_admin_page);
async fn calendar_admin_page(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;

    let r = s
        .new_client()
        .get(s.url("/admin/calendar"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] anonymous");
    assert_eq!(crate::location(&r), "/login", "[{b}]");

    let (admin, csrf) = sign_in(&s, b, "admin").await;
    let r = admin.get(s.url("/admin/calendar")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] admin calendar page");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("action=\"/admin/calendar\""),
        "[{b}] no amendment form"
    );
    assert!(html.contains("name=\"date\""), "[{b}] no date field");
    assert!(html.contains("v1"), "[{b}] version not shown");

    // The form works with the session's token, and refuses without it.
    let form = [
        ("date", "2026-03-09"),
        ("kind", "off"),
        ("name", "页面测试"),
        ("note", "页面调整"),
    ];
    let r = admin
        .post(s.url("/admin/calendar"))
        .form(&[form.as_slice(), &[("_csrf", "wrong")]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] amendment form with a wrong csrf");
    let r = admin
        .post(s.url("/admin/calendar"))
        .form(&[form.as_slice(), &[("_csrf", csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "[{b}] amendment form");
    let html = r.text().await.unwrap();
    assert!(html.contains("页面测试"), "[{b}] amended day not listed");
    let (_, versions) = send_json(b, s.new_client().get(s.url("/api/v1/calendar/versions"))).await;
    assert_eq!(
        versions.as_array().unwrap().len(),
        2,
        "[{b}] page amendment did not version"
    );

    let (window, _) = sign_in(&s, b, "window").await;
    let r = window.get(s.url("/admin/calendar")).send().await.unwrap();
    assert_eq!(r.status(), 403, "[{b}] window officer");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "[{b}] {ct}");
    let html = r.text().await.unwrap();
    assert!(html.contains("无权访问"), "[{b}] forbidden page: {html}");
    assert!(
        !html.contains("action=\"/admin/calendar\""),
        "[{b}] form shown to window officer"
    );

    s.stop().await;
    db.cleanup().await;
}

backend_test!(elapsed_working_days_exclude_pauses);
async fn elapsed_working_days_exclude_pauses(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    let post = |body: serde_json::Value| {
        s.new_client()
            .post(s.url("/api/v1/calendar/elapsed"))
            .json(&body)
    };
    // 2025-09-30 → 2025-10-10 (Beijing): working days after the start day are 10-09 and 10-10
    // (the National Day break is 10-01..10-08).
    let (st, v) = crate::send_json(
        b,
        post(serde_json::json!({"start": "2025-09-30T02:00:00Z", "end": "2025-10-10T02:00:00Z"})),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {v}");
    assert_eq!(v["working_days"], 2, "[{b}] {v}");
    // A pause over 10-09 stops the clock for that day.
    let (_, v) = crate::send_json(
        b,
        post(serde_json::json!({
            "start": "2025-09-30T02:00:00Z", "end": "2025-10-10T02:00:00Z",
            "paused": [{"from": "2025-10-08T02:00:00Z", "to": "2025-10-09T02:00:00Z"}]
        })),
    )
    .await;
    assert_eq!(v["working_days"], 1, "[{b}] {v}");
    crate::expect_error(
        b,
        post(serde_json::json!({
            "start": "2025-09-30T02:00:00Z", "end": "2025-10-10T02:00:00Z",
            "paused": [{"from": "2025-10-09T02:00:00Z", "to": "2025-10-08T02:00:00Z"}]
        })),
        422,
        "calendar.pause_order",
    )
    .await;
    crate::expect_error(
        b,
        post(serde_json::json!({"start": "9999-01-01T00:00:00Z", "end": "9999-01-02T00:00:00Z"})),
        422,
        "calendar.start_out_of_range",
    )
    .await;
    crate::expect_error(
        b,
        s.new_client()
            .get(s.url("/api/v1/calendar/deadline?start=9999-12-30T00:00:00Z&days=3650")),
        422,
        "calendar.start_out_of_range",
    )
    .await;
    s.stop().await;
    db.cleanup().await;
}

backend_test!(deadlines_beyond_the_official_years_are_provisional);
async fn deadlines_beyond_the_official_years_are_provisional(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let deadline = |start: &'static str, days: u32| {
        s.new_client().get(s.url(&format!(
            "/api/v1/calendar/deadline?start={start}&days={days}"
        )))
    };

    let (st, cal) = send_json(b, s.new_client().get(s.url("/api/v1/calendar"))).await;
    assert_eq!(st, 200, "[{b}]");
    assert_eq!(cal["official_years"], json!([2024, 2025, 2026]), "[{b}]");

    // Mon 2026-12-28 + 5 working days: 2027-01-01 (元旦) is not a working day.
    let (st, v) = send_json(b, deadline("2026-12-28T02:00:00Z", 5)).await;
    assert_eq!(st, 200, "[{b}] {v}");
    assert_eq!(v["last_day"], "2027-01-05", "[{b}] {v}");
    assert_eq!(v["provisional"], true, "[{b}] {v}");
    let (_, v) = send_json(b, deadline("2026-12-28T02:00:00Z", 3)).await;
    assert_eq!(v["last_day"], "2026-12-31", "[{b}] {v}");
    assert_eq!(v["provisional"], false, "[{b}] {v}");
    // The Spring Festival week of 2027 (02-05 to 02-10) is not counted.
    let (_, v) = send_json(b, deadline("2027-02-04T02:00:00Z", 1)).await;
    assert_eq!(v["last_day"], "2027-02-11", "[{b}] {v}");
    assert_eq!(v["provisional"], true, "[{b}] {v}");

    let elapsed = |start: &str, end: &str| {
        s.new_client()
            .post(s.url("/api/v1/calendar/elapsed"))
            .json(&json!({"start": start, "end": end}))
    };
    let (st, v) = send_json(b, elapsed("2026-12-28T02:00:00Z", "2027-01-06T02:00:00Z")).await;
    assert_eq!(st, 200, "[{b}] {v}");
    // 29, 30, 31 December, 4, 5, 6 January.
    assert_eq!(v["working_days"], 6, "[{b}] {v}");
    assert_eq!(v["provisional"], true, "[{b}] {v}");
    let (_, v) = send_json(b, elapsed("2026-12-01T02:00:00Z", "2026-12-31T02:00:00Z")).await;
    assert_eq!(v["provisional"], false, "[{b}] {v}");

    // Loading the 2027 notice (here: its first day) makes 2027 official.
    let admin = demo_token(&s, "admin").await;
    let body = json!({"note": "国务院办公厅关于2027年部分节假日安排的通知",
        "set": [{"date": "2027-01-01", "kind": "off", "name": "元旦"}]});
    let (st, v) = send_json(b, post_as(&s, "/api/v1/calendar/amendments", &admin, &body)).await;
    assert_eq!(st, 201, "[{b}] {v}");
    let (_, v) = send_json(b, deadline("2026-12-28T02:00:00Z", 5)).await;
    assert_eq!(v["last_day"], "2027-01-05", "[{b}] {v}");
    assert_eq!(v["provisional"], false, "[{b}] {v}");

    // The public calculator marks a provisional result.
    let html = s
        .new_client()
        .get(s.url("/?start=2027-12-28&days=5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"provisional\""), "[{b}] {html}");
    assert!(html.contains("以国务院办公厅发布的放假安排为准"), "[{b}]");
    let html = s
        .new_client()
        .get(s.url("/?start=2026-03-02&days=5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("data-testid=\"provisional\""), "[{b}]");

    // The administration page names the official years.
    let (client, _) = sign_in(&s, b, "admin").await;
    let html = client
        .get(s.url("/admin/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("2024, 2025, 2026, 2027"), "[{b}] {html}");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(administrators_are_reminded_of_a_missing_year);
async fn administrators_are_reminded_of_a_missing_year(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    // What the reminder should say today (the official data covers 2024–2026).
    let expected = yiwang_app::calendar::missing_year_of(
        &yiwang_core::calendar::WorkingCalendar::official(),
        chrono::Utc::now(),
    );
    let (admin, _) = sign_in(&s, b, "admin").await;
    for path in ["/admin/calendar", "/home"] {
        let html = admin
            .get(s.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        match expected {
            Some(y) => assert!(
                html.contains("提醒:尚未载入") && html.contains(&format!(" {y} ")),
                "[{b}] {path}: {html}"
            ),
            None => assert!(!html.contains("提醒:尚未载入"), "[{b}] {path}"),
        }
    }
    // Not on the home page of someone who does not manage the calendar.
    let (sup, _) = sign_in(&s, b, "supervisor").await;
    let html = sup
        .get(s.url("/home"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("提醒:尚未载入"), "[{b}] supervisor");

    s.stop().await;
    db.cleanup().await;
}
