//! Every API failure is JSON with a stable code; pages fail as pages.

use serde_json::json;
use yiwang_testkit::{TestServer, backends};

use crate::expect_error;

#[tokio::test]
async fn api_errors_are_json_with_stable_codes() {
    for db in backends().await {
        let b = db.backend;
        let s = TestServer::start(&db).await;
        let c = &s.client;

        expect_error(b, c.get(s.url("/api/v1/nope")), 404, "not_found").await;
        expect_error(b, c.post(s.url("/api/v1/nope/deeper")), 404, "not_found").await;
        expect_error(
            b,
            c.delete(s.url("/api/v1/regions")),
            405,
            "method_not_allowed",
        )
        .await;

        let tokens = s.url("/api/v1/auth/tokens");
        let v = expect_error(
            b,
            c.post(&tokens)
                .header("content-type", "application/json")
                .body("{\"username\": "),
            400,
            "request.invalid_json",
        )
        .await;
        assert!(v["details"]["reason"].is_string(), "[{b}] reason: {v}");

        let (st, v) =
            crate::send_json(b, c.post(&tokens).json(&json!({"username": "admin"}))).await;
        assert!(st.is_client_error(), "[{b}] missing fields: {st}");
        assert_eq!(v["code"], "request.invalid_fields", "[{b}] {v}");
        // Wrong type is the same code.
        let (st, v) = crate::send_json(
            b,
            c.post(&tokens)
                .json(&json!({"username": 1, "password": "x", "name": "n"})),
        )
        .await;
        assert!(st.is_client_error(), "[{b}] mistyped field: {st}");
        assert_eq!(v["code"], "request.invalid_fields", "[{b}] {v}");

        expect_error(
            b,
            c.post(&tokens)
                .header("content-type", "text/plain")
                .body("{\"username\":\"a\",\"password\":\"b\",\"name\":\"c\"}"),
            415,
            "request.content_type",
        )
        .await;
        expect_error(b, c.post(&tokens).body("{}"), 415, "request.content_type").await;

        // Just over the 1 MiB limit.
        let big = format!(
            "{{\"username\":\"admin\",\"password\":\"{}\",\"name\":\"x\"}}",
            "a".repeat(yiwang_web::BODY_LIMIT)
        );
        expect_error(
            b,
            c.post(&tokens)
                .header("content-type", "application/json")
                .body(big),
            413,
            "request.too_large",
        )
        .await;

        expect_error(
            b,
            c.get(s.url("/api/v1/calendar/deadline?start=nope&days=1")),
            400,
            "request.invalid_query",
        )
        .await;
        expect_error(
            b,
            c.get(s.url("/api/v1/calendar/deadline?start=2025-09-30T02:00:00Z")),
            400,
            "request.invalid_query",
        )
        .await;
        expect_error(
            b,
            c.get(s.url("/api/v1/calendar/deadline?start=2025-09-30T02:00:00Z&days=-1")),
            400,
            "request.invalid_query",
        )
        .await;
        expect_error(
            b,
            c.get(s.url("/api/v1/calendar/deadline?start=2025-09-30T02:00:00Z&days=5000")),
            422,
            "calendar.too_many_days",
        )
        .await;
        // The boundary is allowed.
        let r = c
            .get(s.url("/api/v1/calendar/deadline?start=2025-09-30T02:00:00Z&days=3650"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "[{b}] 3650 days is allowed");

        expect_error(
            b,
            c.get(s.url("/api/v1/ledger/entries/abc/proof")),
            400,
            "request.invalid_path",
        )
        .await;

        s.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn unknown_pages_are_html() {
    for db in backends().await {
        let b = db.backend;
        let s = TestServer::start(&db).await;

        for path in ["/no-such-page", "/admin/nothing", "/apix"] {
            let r = s.client.get(s.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "[{b}] {path}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("text/html"), "[{b}] {path}: {ct}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains("<html lang=\"zh-CN\">"),
                "[{b}] {path}: {html}"
            );
            assert!(html.contains("页面不存在"), "[{b}] {path}: {html}");
        }
        // `/api` itself is API territory.
        let (st, v) = crate::send_json(b, s.client.get(s.url("/api"))).await;
        assert_eq!(
            (st.as_u16(), v["code"].as_str()),
            (404, Some("not_found")),
            "[{b}]"
        );

        s.stop().await;
        db.cleanup().await;
    }
}
