//! Every API failure is JSON with a stable code; pages fail as pages.

use serde_json::json;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::expect_error;

backend_test!(api_errors_are_json_with_stable_codes);
async fn api_errors_are_json_with_stable_codes(db: TestDb) {
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

    let (st, v) = crate::send_json(b, c.post(&tokens).json(&json!({"username": "admin"}))).await;
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

backend_test!(unknown_pages_are_html);
async fn unknown_pages_are_html(db: TestDb) {
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

backend_test!(nul_characters_are_bad_requests_on_both_backends);
/// NUL cannot be stored (PostgreSQL's text refuses it): it is a malformed request wherever it
/// comes — path, query or JSON body — on both backends, never a 500. Text that only looks like the
/// escape (an escaped backslash, then `u0000`) is ordinary text.
async fn nul_characters_are_bad_requests_on_both_backends(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    crate::demo(&s).await;
    let cat = crate::demo_token(&s, "catalog").await;
    let c = &s.client;
    for path in [
        "/api/v1/catalog/items/a%00b",
        "/api/v1/catalog/bundles/LE%00",
        "/api/v1/catalog/search?q=%00",
        "/api/v1/calendar/deadline?start=2025-01-01T00:00:00Z&days=1&x=%00",
    ] {
        expect_error(b, c.get(s.url(path)), 400, "request.nul_character").await;
    }
    let body = json!({"org_id": "a\u{0}b", "publish": false, "body": {
        "code": "LE901", "name": "x", "description": "", "item_codes": ["a", "b"],
        "promised_limit_days": 1}});
    expect_error(
        b,
        crate::post_as(&s, "/api/v1/catalog/bundles", &cat, &body),
        400,
        "request.nul_character",
    )
    .await;
    // The escape's look-alike is ordinary text: this request gets as far as the password.
    let tokens = "/api/v1/auth/tokens";
    let look_alike = json!({"username": "catalog", "password": "wrong\\u0000", "name": "x"});
    expect_error(
        b,
        c.post(s.url(tokens)).json(&look_alike),
        401,
        "auth.invalid_credentials",
    )
    .await;
    let nul = json!({"username": "catalog", "password": "wrong\u{0}", "name": "x"});
    expect_error(
        b,
        c.post(s.url(tokens)).json(&nul),
        400,
        "request.nul_character",
    )
    .await;
    s.stop().await;
    db.cleanup().await;
}
