//! Health, readiness, metrics, request ids and the API description.

use yiwang_testkit::{TestDb, TestServer, backend_test, backends};

use crate::{body_json, send_json};

backend_test!(health_readiness_and_metrics);
async fn health_readiness_and_metrics(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;

    let (st, v) = send_json(b, s.client.get(s.url("/healthz"))).await;
    assert_eq!(st, 200, "[{b}] healthz");
    assert_eq!(v["status"], "ok", "[{b}] healthz body");

    let (st, v) = send_json(b, s.client.get(s.url("/readyz"))).await;
    assert_eq!(st, 200, "[{b}] readyz");
    assert_eq!(v["status"], "ready", "[{b}] readyz body");

    // Some traffic so the request counter exists.
    for path in ["/healthz", "/api/v1/regions", "/api/v1/calendar"] {
        let r = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "[{b}] {path}");
    }
    let r = s.client.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] metrics");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        ct.starts_with("text/plain"),
        "[{b}] metrics content-type {ct}"
    );
    let text = r.text().await.unwrap();
    assert!(
        text.lines().any(|l| l == "yiwang_up 1"),
        "[{b}] metrics lack yiwang_up 1:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("yiwang_http_requests_total{")
                && l.contains("route=\"/api/v1/regions\"")
                && l.contains("status=\"200\"")),
        "[{b}] metrics lack the request counter for /api/v1/regions:\n{text}"
    );

    s.stop().await;
    db.cleanup().await;
}

backend_test!(every_response_carries_a_request_id);
async fn every_response_carries_a_request_id(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;

    let mut seen = std::collections::HashSet::new();
    for path in [
        "/healthz",
        "/",
        "/login",
        "/api/v1/me",
        "/api/v1/nope",
        "/no-such-page",
        "/metrics",
    ] {
        let r = s.client.get(s.url(path)).send().await.unwrap();
        let id = r
            .headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("[{b}] {path} ({}) has no x-request-id", r.status()))
            .to_str()
            .unwrap()
            .to_string();
        assert!(!id.is_empty(), "[{b}] {path}: empty request id");
        assert!(
            seen.insert(id.clone()),
            "[{b}] {path}: request id {id} reused"
        );
    }
    // A POST rejected early (bad JSON) still carries one.
    let r = s
        .client
        .post(s.url("/api/v1/auth/tokens"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().contains_key("x-request-id"),
        "[{b}] 400 lacks request id"
    );

    // A request id sent by a proxy is kept and echoed.
    let r = s
        .client
        .get(s.url("/healthz"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers().get("x-request-id").map(|v| v.to_str().unwrap()),
        Some("trace-abc-123"),
        "[{b}] sent request id not propagated"
    );

    s.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn openapi_document_and_offline_docs() {
    for db in backends().await {
        let b = db.backend;
        let s = TestServer::start(&db).await;

        let r = s
            .client
            .get(s.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "[{b}] openapi.json");
        let (_, doc) = body_json(b, r).await;
        assert!(
            doc["openapi"].as_str().unwrap_or("").starts_with("3."),
            "[{b}] openapi version: {}",
            doc["openapi"]
        );
        let paths = doc["paths"].as_object().expect("paths");
        for p in [
            "/api/v1/me",
            "/api/v1/organisations",
            "/api/v1/calendar/deadline",
            "/api/v1/ledger/checkpoints/latest",
            "/api/v1/ledger/entries/{seq}/proof",
        ] {
            assert!(paths.contains_key(p), "[{b}] openapi lacks {p}");
        }
        assert!(
            doc["components"]["securitySchemes"]["bearer"].is_object(),
            "[{b}] bearer security scheme missing"
        );

        // The interactive page and its assets come from this server, not a CDN.
        let r = s.client.get(s.url("/api/docs/")).send().await.unwrap();
        assert_eq!(r.status(), 200, "[{b}] /api/docs/");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/html"), "[{b}] docs content-type {ct}");
        let html = r.text().await.unwrap();
        let lower = html.to_lowercase();
        assert!(
            lower.contains("swagger"),
            "[{b}] docs page is not Swagger UI"
        );
        for tag in [
            "src=\"http",
            "src='http",
            "href=\"http",
            "href='http",
            "src=\"//",
        ] {
            assert!(
                !lower.contains(tag),
                "[{b}] docs page loads an off-site asset ({tag}):\n{html}"
            );
        }
        let mut assets = 0;
        for asset in [
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-initializer.js",
        ] {
            if !html.contains(asset) {
                continue;
            }
            assets += 1;
            let r = s
                .client
                .get(s.url(&format!("/api/docs/{asset}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "[{b}] /api/docs/{asset}");
            assert!(!r.bytes().await.unwrap().is_empty(), "[{b}] {asset} empty");
        }
        assert!(
            assets >= 2,
            "[{b}] docs page references no local assets:\n{html}"
        );
        // The initializer points at our own document.
        let init = s
            .client
            .get(s.url("/api/docs/swagger-initializer.js"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            init.contains("/api/v1/openapi.json"),
            "[{b}] initializer does not load /api/v1/openapi.json:\n{init}"
        );
        assert!(
            !init.contains("petstore"),
            "[{b}] initializer points at the pet store"
        );

        s.stop().await;
        db.cleanup().await;
    }
}
