//! Tokens that end, revocations that reach tokens, failed sign-ins on record, a sign-in form
//! that accepts only platform-issued CSRF values, claiming only below the base item's level,
//! and versions of a never-published item hidden like the item itself.

use serde_json::json;
use yiwang_app::demo::DEMO_PASSWORD;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, location, post_as, send_json, set_cookies};

backend_test!(tokens_end_and_revocations_reach_them);
async fn tokens_end_and_revocations_reach_them(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let c = &s.client;
    let ask = |days: serde_json::Value| {
        c.post(s.url("/api/v1/auth/tokens")).json(&json!({
            "username": "window", "password": DEMO_PASSWORD, "name": "接口", "expires_in_days": days
        }))
    };
    let v = expect_error(b, ask(json!(366)), 422, "token.expires_in_days").await;
    assert_eq!(v["details"]["max_days"], 365, "[{b}] {v}");
    expect_error(b, ask(json!(0)), 422, "token.expires_in_days").await;
    let (st, issued) = send_json(b, ask(json!(7))).await;
    assert_eq!(st, 201, "[{b}] {issued}");
    let info = &issued["info"];
    assert_eq!(
        info["expires_at"].as_i64().unwrap() - info["created_at"].as_i64().unwrap(),
        7 * 86_400_000_000,
        "[{b}] seven days: {info}"
    );
    let token = issued["token"].as_str().unwrap().to_string();
    let (st, me) = send_json(b, get_as(&s, "/api/v1/me", &token)).await;
    assert_eq!(st, 200, "[{b}] {me}");
    let user_id = me["user"]["id"].as_str().unwrap().to_string();

    // The administrator ends the user's sessions: the token dies with them.
    let admin = demo_token(&s, "admin").await;
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/users/{user_id}/revoke-sessions"),
            &admin,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {v}");
    assert_eq!(v["tokens"], 1, "[{b}] {v}");
    expect_error(
        b,
        get_as(&s, "/api/v1/me", &token),
        401,
        "auth.invalid_token",
    )
    .await;
    s.stop().await;
    db.cleanup().await;
}

backend_test!(failed_sign_ins_are_listed_for_the_platform);
async fn failed_sign_ins_are_listed_for_the_platform(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    expect_error(
        b,
        s.client
            .post(s.url("/api/v1/auth/tokens"))
            .json(&json!({"username": "centre", "password": "guess-1", "name": "t"})),
        401,
        "auth.invalid_credentials",
    )
    .await;
    // Through the sign-in form too.
    let client = s.new_client();
    let html = client
        .get(s.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::hidden_csrf(&html).unwrap();
    let r = client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "centre"),
            ("password", "guess-2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "[{b}] wrong password on the form");

    let admin = demo_token(&s, "admin").await;
    let (st, v) = send_json(
        b,
        get_as(&s, "/api/v1/auth/sign-in-failures?hours=1", &admin),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {v}");
    let list = v.as_array().unwrap();
    let centre: Vec<&str> = list
        .iter()
        .filter(|f| f["username"] == "centre")
        .map(|f| f["channel"].as_str().unwrap())
        .collect();
    assert_eq!(centre, ["page", "token"], "[{b}] newest first: {v}");
    assert!(
        list.iter().all(|f| f["address"] == "127.0.0.1"),
        "[{b}] the peer address: {v}"
    );
    let window = demo_token(&s, "window").await;
    expect_error(
        b,
        get_as(&s, "/api/v1/auth/sign-in-failures", &window),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        get_as(&s, "/api/v1/auth/sign-in-failures?hours=0", &admin),
        422,
        "query.range",
    )
    .await;
    s.stop().await;
    db.cleanup().await;
}

backend_test!(the_sign_in_form_takes_only_platform_issued_csrf_values);
async fn the_sign_in_form_takes_only_platform_issued_csrf_values(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    // A pair the sender chose: equal cookie and field, not issued by the platform.
    for chosen in [
        "x",
        "0000",
        "1999999999.00000000000000000000000000000000.00",
    ] {
        let client = s.new_client();
        let r = client
            .post(s.url("/login"))
            .header("cookie", format!("yw_login_csrf={chosen}"))
            .form(&[
                ("_csrf", chosen),
                ("username", "window"),
                ("password", DEMO_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "[{b}] chosen pair {chosen:?}");
        assert!(
            !set_cookies(&r)
                .iter()
                .any(|c| c.starts_with("yw_session=") && !c.starts_with("yw_session=;")),
            "[{b}] no session for a chosen pair"
        );
    }
    // An issued value, sent back by a different client with its own cookie, works: the
    // value is checked by its signature, not by a per-node memory.
    let issued = {
        let html = s
            .new_client()
            .get(s.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        crate::hidden_csrf(&html).unwrap()
    };
    let r = s
        .new_client()
        .post(s.url("/login"))
        .header("cookie", format!("yw_login_csrf={issued}"))
        .form(&[
            ("_csrf", issued.as_str()),
            ("username", "window"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] an issued value signs in");
    assert_eq!(location(&r), "/home", "[{b}]");
    s.stop().await;
    db.cleanup().await;
}

backend_test!(claims_go_only_below_and_drafts_have_no_public_versions);
async fn claims_go_only_below_and_drafts_have_no_public_versions(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let cat = demo_token(&s, "catalog").await;
    let orgs = {
        let mut tx = s.app.store.read().await.unwrap();
        tx.list_organisations("").await.unwrap()
    };
    let named = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("[{b}] no organisation {name}"))
            .id
            .clone()
    };
    let create = |code: &str, name: &str| {
        let body = serde_json::to_value(yiwang_testkit::sample_item(code, name, &[])).unwrap();
        post_as(
            &s,
            "/api/v1/catalog/items",
            &cat,
            &json!({"org_id": named("宿迁市市场监督管理局"), "body": body}),
        )
    };
    let (st, v) = send_json(b, create("011000998000", "食品经营许可(测试)")).await;
    assert_eq!(st, 201, "[{b}] base item: {v}");
    let item = v["item"]["id"].as_str().unwrap().to_string();
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/catalog/items/{item}/publish"),
            &cat,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] publish: {v}");
    let claim = |org: String| {
        post_as(
            &s,
            &format!("/api/v1/catalog/items/{item}/claim"),
            &cat,
            &json!({"org_id": org, "promised_limit_days": 5}),
        )
    };
    // The base item is the city market regulator's: a city-level centre is the same level,
    // the city's trading regulator does not implement items at all.
    expect_error(
        b,
        claim(named("宿迁市政务服务中心")),
        422,
        "catalog.claim_scope",
    )
    .await;
    expect_error(
        b,
        claim(named("宿迁市公共资源交易监督管理办公室")),
        422,
        "catalog.claim_org_kind",
    )
    .await;
    let (st, v) = send_json(b, claim(named("宿城区市场监督管理局"))).await;
    assert_eq!(st, 201, "[{b}] a district department claims: {v}");

    // A draft-only item: the item and its versions are not found, for everyone.
    let (st, v) = send_json(b, create("011000999000", "仅草稿事项")).await;
    assert_eq!(st, 201, "[{b}] draft: {v}");
    let draft = v["item"]["id"].as_str().unwrap().to_string();
    for path in [
        format!("/api/v1/catalog/items/{draft}"),
        format!("/api/v1/catalog/items/{draft}/versions"),
    ] {
        expect_error(b, s.new_client().get(s.url(&path)), 404, "not_found").await;
    }
    // A published item still lists its versions.
    let (st, v) = send_json(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/items/{item}/versions"))),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {v}");
    assert!(!v.as_array().unwrap().is_empty(), "[{b}] {v}");
    s.stop().await;
    db.cleanup().await;
}
