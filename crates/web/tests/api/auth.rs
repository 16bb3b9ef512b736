//! Bearer tokens and who-am-I.

use serde_json::json;
use yiwang_app::demo::DEMO_PASSWORD;
use yiwang_testkit::{TestDb, TestServer, backend_test, backends};

use crate::{demo, expect_error, get_as, send_json};

backend_test!(bearer_tokens_identify_and_can_be_revoked);
async fn bearer_tokens_identify_and_can_be_revoked(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let c = &s.client;

    expect_error(
        b,
        s.new_client().get(s.url("/api/v1/me")),
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        b,
        c.post(s.url("/api/v1/auth/tokens"))
            .json(&json!({"username": "window", "password": "wrong-password", "name": "t"})),
        401,
        "auth.invalid_credentials",
    )
    .await;
    // An unknown user answers exactly like a wrong password.
    expect_error(
        b,
        c.post(s.url("/api/v1/auth/tokens"))
            .json(&json!({"username": "nobody", "password": DEMO_PASSWORD, "name": "t"})),
        401,
        "auth.invalid_credentials",
    )
    .await;

    let (st, issued) = send_json(
        b,
        c.post(s.url("/api/v1/auth/tokens")).json(
            &json!({"username": "window", "password": DEMO_PASSWORD, "name": "数据交换接口"}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] token: {issued}");
    let token = issued["token"].as_str().expect("token").to_string();
    let token_id = issued["info"]["id"].as_str().expect("token id").to_string();
    assert!(
        issued["info"].get("token_hash").is_none(),
        "[{b}] hash leaked: {issued}"
    );

    let (st, me) = send_json(b, get_as(&s, "/api/v1/me", &token)).await;
    assert_eq!(st, 200, "[{b}] me: {me}");
    assert_eq!(me["user"]["username"], "window", "[{b}] {me}");
    assert_eq!(me["user"]["display_name"], "李娜", "[{b}] {me}");
    assert!(
        me["user"].get("password_hash").is_none(),
        "[{b}] hash leaked: {me}"
    );
    let roles = me["roles"].as_array().expect("roles");
    assert_eq!(roles.len(), 1, "[{b}] {me}");
    assert_eq!(roles[0]["role"], "window_officer", "[{b}] {me}");
    assert!(
        !roles[0]["role_zh"].as_str().unwrap().is_empty(),
        "[{b}] {me}"
    );

    // Someone else cannot revoke it.
    let other = crate::demo_token(&s, "approver").await;
    expect_error(
        b,
        crate::post_as(
            &s,
            &format!("/api/v1/auth/tokens/{token_id}/revoke"),
            &other,
            &json!({}),
        ),
        404,
        "not_found",
    )
    .await;
    let (st, _) = send_json(b, get_as(&s, "/api/v1/me", &token)).await;
    assert_eq!(st, 200, "[{b}] token still live after a stranger's revoke");

    let r = s
        .new_client()
        .post(s.url(&format!("/api/v1/auth/tokens/{token_id}/revoke")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "[{b}] revoke");
    expect_error(
        b,
        get_as(&s, "/api/v1/me", &token),
        401,
        "auth.invalid_token",
    )
    .await;

    // Garbage bearers.
    expect_error(
        b,
        get_as(&s, "/api/v1/me", "yw_not-a-token"),
        401,
        "auth.invalid_token",
    )
    .await;
    expect_error(
        b,
        s.new_client()
            .get(s.url("/api/v1/me"))
            .header("authorization", "Basic YWRtaW46eA=="),
        401,
        "auth.invalid_token",
    )
    .await;

    // The admin's roles are one per province root.
    let admin = crate::demo_token(&s, "admin").await;
    let (st, me) = send_json(b, get_as(&s, "/api/v1/me", &admin)).await;
    assert_eq!(st, 200, "[{b}]");
    let roles = me["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 4, "[{b}] admin roles: {me}");
    assert!(
        roles.iter().all(|r| r["role"] == "administrator"),
        "[{b}] {me}"
    );

    s.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn users_are_created_by_administrators_and_welcomed() {
    for db in backends().await {
        let b = db.backend;
        let s = TestServer::start(&db).await;
        demo(&s).await;
        let admin = crate::demo_token(&s, "admin").await;

        let id_number = yiwang_app::demo::demo_id_number("321302", "19900101", 7);
        let new_user = json!({
            "username": "liuxin",
            "display_name": "刘欣",
            "kind": "natural_person",
            "password": "a-good-password-1",
            "id_number": id_number,
            "phone": "13900000000",
        });
        let (st, user) = send_json(b, crate::post_as(&s, "/api/v1/users", &admin, &new_user)).await;
        assert_eq!(st, 201, "[{b}] create user: {user}");
        assert_eq!(user["username"], "liuxin", "[{b}] {user}");
        assert_eq!(user["id_number"], id_number.as_str(), "[{b}] {user}");
        assert!(
            user.get("password_hash").is_none(),
            "[{b}] hash leaked: {user}"
        );

        // Same username (even differently cased) is a conflict.
        let mut again = new_user.clone();
        again["username"] = json!("LiuXin");
        again["id_number"] = json!(yiwang_app::demo::demo_id_number("321302", "19900101", 8));
        expect_error(
            b,
            crate::post_as(&s, "/api/v1/users", &admin, &again),
            409,
            "duplicate",
        )
        .await;

        let mut bad = new_user.clone();
        bad["username"] = json!("someone-else");
        let mut wrong = id_number.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        bad["id_number"] = json!(wrong);
        expect_error(
            b,
            crate::post_as(&s, "/api/v1/users", &admin, &bad),
            422,
            "id_number.checksum",
        )
        .await;
        bad["id_number"] = json!("12345");
        expect_error(
            b,
            crate::post_as(&s, "/api/v1/users", &admin, &bad),
            422,
            "id_number.length",
        )
        .await;
        bad["id_number"] = json!(null);
        expect_error(
            b,
            crate::post_as(&s, "/api/v1/users", &admin, &bad),
            422,
            "user.id_number_required",
        )
        .await;

        // Not an administrator.
        let window = crate::demo_token(&s, "window").await;
        let mut by_window = new_user.clone();
        by_window["username"] = json!("by-window");
        expect_error(
            b,
            crate::post_as(&s, "/api/v1/users", &window, &by_window),
            403,
            "forbidden",
        )
        .await;

        // The welcome notification is delivered by the job runner.
        let token = s.token("liuxin", "a-good-password-1").await;
        let runner = yiwang_app::jobs::Runner::new(
            s.app.clone(),
            yiwang_app::jobs::RunnerConfig {
                node_id: "test".into(),
                poll: std::time::Duration::from_millis(50),
                checkpoint_every: std::time::Duration::from_secs(600),
            },
        );
        let mut found = false;
        for _ in 0..5 {
            runner.pass().await.expect("job pass");
            let (st, inbox) = send_json(b, get_as(&s, "/api/v1/me/inbox", &token)).await;
            assert_eq!(st, 200, "[{b}] inbox: {inbox}");
            if inbox
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["title"] == "账户已开通")
            {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            found,
            "[{b}] no 账户已开通 notification in the new user's inbox"
        );
        // Nobody else's inbox got it.
        let (_, inbox) = send_json(b, get_as(&s, "/api/v1/me/inbox", &window)).await;
        assert!(
            inbox
                .as_array()
                .unwrap()
                .iter()
                .all(|m| !m["body"].as_str().unwrap_or("").contains("刘欣")),
            "[{b}] window officer sees the new user's welcome: {inbox}"
        );

        s.stop().await;
        db.cleanup().await;
    }
}
