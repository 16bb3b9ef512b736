//! Server-rendered pages: sign-in, sessions, CSRF, language, escaping.

use serde_json::json;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{
    demo, demo_token, expect_error, get_as, hidden_csrf, location, org_id, send_json, set_cookies,
    sign_in,
};

fn cookie_named<'a>(cookies: &'a [String], name: &str) -> Option<&'a String> {
    cookies.iter().find(|c| c.starts_with(&format!("{name}=")))
}

backend_test!(sign_in_with_csrf_and_sign_out);
async fn sign_in_with_csrf_and_sign_out(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let pw = yiwang_app::demo::DEMO_PASSWORD;

    // The sign-in page.
    let client = s.new_client();
    let r = client.get(s.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] GET /login");
    let cookies = set_cookies(&r);
    let login_cookie = cookie_named(&cookies, "yw_login_csrf")
        .unwrap_or_else(|| panic!("[{b}] no yw_login_csrf cookie: {cookies:?}"))
        .clone();
    assert!(login_cookie.contains("HttpOnly"), "[{b}] {login_cookie}");
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"), "[{b}] html lang");
    let csrf = hidden_csrf(&html).expect("hidden _csrf");
    assert!(
        login_cookie.starts_with(&format!("yw_login_csrf={csrf};")),
        "[{b}] cookie and form token differ: {login_cookie} vs {csrf}"
    );

    // Wrong token: refused, no session.
    let r = client
        .post(s.url("/login"))
        .form(&[("_csrf", "0000"), ("username", "window"), ("password", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] wrong csrf");
    assert!(
        cookie_named(&set_cookies(&r), "yw_session").is_none(),
        "[{b}] session set despite a wrong csrf"
    );
    // The right token but no cookie (another browser): refused.
    let r = s
        .new_client()
        .post(s.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "window"),
            ("password", pw),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] csrf without its cookie");
    assert!(
        cookie_named(&set_cookies(&r), "yw_session").is_none(),
        "[{b}]"
    );
    // No token field at all: refused, no session.
    let fresh = s.new_client();
    fresh.get(s.url("/login")).send().await.unwrap();
    let r = fresh
        .post(s.url("/login"))
        .form(&[("username", "window"), ("password", pw)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_client_error(),
        "[{b}] missing csrf: {}",
        r.status()
    );
    assert!(
        cookie_named(&set_cookies(&r), "yw_session").is_none(),
        "[{b}]"
    );
    let r = fresh.get(s.url("/home")).send().await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] no session after a missing csrf");

    // Wrong password with a good token: the form again, no session.
    let r = client.get(s.url("/login")).send().await.unwrap();
    let csrf = hidden_csrf(&r.text().await.unwrap()).unwrap();
    let r = client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "window"),
            ("password", "nope-nope-nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "[{b}] wrong password");
    assert!(
        cookie_named(&set_cookies(&r), "yw_session").is_none(),
        "[{b}]"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("用户名或密码错误"), "[{b}] error not shown");
    let csrf = hidden_csrf(&html).expect("fresh csrf on the error page");

    // The right token and credentials.
    let r = client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "window"),
            ("password", pw),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] sign in");
    assert_eq!(location(&r), "/home", "[{b}]");
    let cookies = set_cookies(&r);
    let session = cookie_named(&cookies, "yw_session")
        .unwrap_or_else(|| panic!("[{b}] no session cookie: {cookies:?}"));
    assert!(session.contains("HttpOnly"), "[{b}] {session}");
    assert!(session.contains("SameSite=Lax"), "[{b}] {session}");
    assert!(session.contains("Path=/"), "[{b}] {session}");
    assert!(
        !session.starts_with("yw_session=;"),
        "[{b}] empty session cookie"
    );

    let r = client.get(s.url("/home")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] /home");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("李娜"),
        "[{b}] display name missing from /home"
    );
    assert!(
        html.contains("宿迁市政务服务中心"),
        "[{b}] organisation missing from /home"
    );
    let csrf = hidden_csrf(&html).expect("sign-out csrf");
    // The sign-in page sends a signed-in person home.
    let r = client.get(s.url("/login")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), location(&r)),
        (303, "/home".into()),
        "[{b}]"
    );

    // The API with the session cookie: reads work, writes need X-CSRF-Token.
    let (st, me) = send_json(b, client.get(s.url("/api/v1/me"))).await;
    assert_eq!(st, 200, "[{b}] me with the session");
    assert_eq!(me["user"]["username"], "window", "[{b}]");
    let revoke_self = s.url(&format!(
        "/api/v1/users/{}/revoke-sessions",
        me["user"]["id"].as_str().unwrap()
    ));
    expect_error(b, client.post(&revoke_self), 403, "csrf.invalid").await;
    expect_error(
        b,
        client.post(&revoke_self).header("x-csrf-token", "not-it"),
        403,
        "csrf.invalid",
    )
    .await;

    // Sign out needs the token.
    let r = client.post(s.url("/logout")).send().await.unwrap();
    assert_eq!(r.status(), 403, "[{b}] logout without csrf");
    let r = client
        .post(s.url("/logout"))
        .form(&[("_csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] logout with a wrong csrf");
    let r = client.get(s.url("/home")).send().await.unwrap();
    assert_eq!(
        r.status(),
        200,
        "[{b}] still signed in after refused sign-outs"
    );
    let r = client
        .post(s.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] logout");
    let r = client.get(s.url("/home")).send().await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] /home after sign-out");
    assert_eq!(location(&r), "/login", "[{b}]");
    expect_error(b, client.get(s.url("/api/v1/me")), 401, "unauthenticated").await;

    s.stop().await;
    db.cleanup().await;
}

backend_test!(session_api_calls_need_the_csrf_header);
async fn session_api_calls_need_the_csrf_header(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let (client, csrf) = sign_in(&s, b, "admin").await;
    let admin = demo_token(&s, "admin").await;
    let parent = org_id(&s, b, &admin, "江苏省人民政府").await;
    let body = json!({"name": "会话测试机构", "kind": "department", "region_code": "320000", "parent_id": parent});

    expect_error(
        b,
        client.post(s.url("/api/v1/organisations")).json(&body),
        403,
        "csrf.invalid",
    )
    .await;
    let (st, _) = send_json(b, get_as(&s, "/api/v1/organisations", &admin)).await;
    assert_eq!(st, 200, "[{b}]");
    let (st, org) = send_json(
        b,
        client
            .post(s.url("/api/v1/organisations"))
            .header("x-csrf-token", &csrf)
            .json(&body),
    )
    .await;
    assert_eq!(st, 201, "[{b}] with the csrf header: {org}");
    // Only one was created.
    let (_, list) = send_json(b, get_as(&s, "/api/v1/organisations", &admin)).await;
    let n = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["name"] == "会话测试机构")
        .count();
    assert_eq!(n, 1, "[{b}] organisations created: {n}");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(revoked_sessions_no_longer_open_pages);
async fn revoked_sessions_no_longer_open_pages(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let (window, _) = sign_in(&s, b, "window").await;
    let (other, _) = sign_in(&s, b, "approver").await;
    let window_token = demo_token(&s, "window").await;
    let (_, me) = send_json(b, get_as(&s, "/api/v1/me", &window_token)).await;
    let id = me["user"]["id"].as_str().unwrap().to_string();

    // A peer may not end someone's sessions.
    let approver = demo_token(&s, "approver").await;
    expect_error(
        b,
        crate::post_as(
            &s,
            &format!("/api/v1/users/{id}/revoke-sessions"),
            &approver,
            &json!({}),
        ),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        window.get(s.url("/home")).send().await.unwrap().status(),
        200,
        "[{b}]"
    );

    let admin = demo_token(&s, "admin").await;
    let (st, v) = send_json(
        b,
        crate::post_as(
            &s,
            &format!("/api/v1/users/{id}/revoke-sessions"),
            &admin,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] revoke: {v}");
    assert_eq!(v["sessions"], 1, "[{b}] {v}");

    let r = window.get(s.url("/home")).send().await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] revoked session still opens /home");
    assert_eq!(location(&r), "/login", "[{b}]");
    expect_error(b, window.get(s.url("/api/v1/me")), 401, "unauthenticated").await;
    // Other people's sessions are untouched; the user's API tokens end with the sessions.
    assert_eq!(
        other.get(s.url("/home")).send().await.unwrap().status(),
        200,
        "[{b}]"
    );
    assert_eq!(v["tokens"], 1, "[{b}] {v}");
    expect_error(
        b,
        get_as(&s, "/api/v1/me", &window_token),
        401,
        "auth.invalid_token",
    )
    .await;
    expect_error(
        b,
        crate::post_as(
            &s,
            "/api/v1/users/no-such-user/revoke-sessions",
            &admin,
            &json!({}),
        ),
        404,
        "not_found",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}

backend_test!(language_switch);
async fn language_switch(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    let client = s.new_client();

    let html = client
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"zh-CN\">"),
        "[{b}] default language"
    );

    let r = client
        .get(s.url("/lang/en"))
        .header("referer", s.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] /lang/en");
    assert_eq!(location(&r), "/login", "[{b}] back to the referring page");
    let cookies = set_cookies(&r);
    assert!(
        cookie_named(&cookies, "lang").is_some_and(|c| c.starts_with("lang=en;")),
        "[{b}] lang cookie: {cookies:?}"
    );
    for path in ["/", "/login", "/no-such-page"] {
        let html = client
            .get(s.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<html lang=\"en\">"),
            "[{b}] {path} not English"
        );
    }
    let login = client
        .get(s.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("Sign in"), "[{b}] English sign-in page");

    // An off-site referer is not followed.
    let r = client
        .get(s.url("/lang/zh"))
        .header("referer", "https://evil.example/phish")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/", "[{b}] open redirect");
    // Nor is a same-host referer whose path a browser would read as another host
    // (`/\evil` is `//evil`; tabs are dropped).
    for path in ["/\\evil.example/x", "/\t/evil.example/x"] {
        let r = client
            .get(s.url("/lang/zh"))
            .header("referer", s.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "[{b}] referer {path:?}");
        assert_eq!(location(&r), "/", "[{b}] open redirect via {path:?}");
    }
    let r = client
        .get(s.url("/lang/zh"))
        .header("referer", s.url("/orgs?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&r),
        "/orgs?x=1",
        "[{b}] same-site path with a query"
    );
    let html = client
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"zh-CN\">"),
        "[{b}] back to Chinese"
    );

    s.stop().await;
    db.cleanup().await;
}

/// The name, HTML-escaped (askama writes numeric references; named ones are as good).
fn escaped(html: &str) -> bool {
    html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        || html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
}

backend_test!(organisation_names_are_escaped);
async fn organisation_names_are_escaped(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let admin = demo_token(&s, "admin").await;
    let parent = org_id(&s, b, &admin, "宿迁市人民政府").await;
    let (st, v) = send_json(
        b,
        crate::post_as(
            &s,
            "/api/v1/organisations",
            &admin,
            &json!({"name": "<script>alert(1)</script>", "kind": "department", "region_code": "321300", "parent_id": parent}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] {v}");
    // Stored as typed; the API returns it verbatim.
    assert_eq!(v["name"], "<script>alert(1)</script>", "[{b}]");

    let (client, _) = sign_in(&s, b, "admin").await;
    let r = client.get(s.url("/orgs")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] /orgs");
    let html = r.text().await.unwrap();
    assert!(
        escaped(&html),
        "[{b}] escaped name missing: {}",
        html.lines()
            .filter(|l| l.contains("alert"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "[{b}] raw script tag in /orgs"
    );
    assert!(
        !html.to_lowercase().contains("<script"),
        "[{b}] a script tag in /orgs"
    );

    // The supervisor above sees it too, escaped.
    let (sup, _) = sign_in(&s, b, "supervisor").await;
    let html = sup
        .get(s.url("/orgs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(escaped(&html), "[{b}] supervisor /orgs");
    assert!(
        !html.contains("<script>alert(1)"),
        "[{b}] raw script tag for supervisor"
    );

    s.stop().await;
    db.cleanup().await;
}

backend_test!(error_pages_speak_the_viewers_language_with_the_viewers_header);
async fn error_pages_speak_the_viewers_language_with_the_viewers_header(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let (client, csrf) = sign_in(&s, b, "zhangwei").await;

    // Chinese first: a refused page and an expired form, each with the sign-out form.
    let r = client.get(s.url("/catalog")).send().await.unwrap();
    assert_eq!(r.status(), 403, "[{b}] /catalog as an applicant");
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"), "[{b}] {html}");
    assert!(html.contains("无权访问"), "[{b}] {html}");
    assert_eq!(hidden_csrf(&html).as_deref(), Some(csrf.as_str()), "[{b}]");
    let r = client
        .post(s.url("/catalog/bundles/x/status"))
        .form(&[("_csrf", "wrong"), ("status", "published")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] wrong token");
    assert!(r.text().await.unwrap().contains("表单已过期"), "[{b}]");

    // In English, the same pages in English, still with the viewer's header.
    let r = client.get(s.url("/lang/en")).send().await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] /lang/en");
    let r = client.get(s.url("/catalog")).send().await.unwrap();
    assert_eq!(r.status(), 403, "[{b}] /catalog in English");
    let html = r.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "[{b}] {html}");
    assert!(html.contains("Not allowed"), "[{b}] {html}");
    assert_eq!(hidden_csrf(&html).as_deref(), Some(csrf.as_str()), "[{b}]");
    let r = client.get(s.url("/hall/items/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404, "[{b}] unknown item");
    assert!(r.text().await.unwrap().contains("Not found"), "[{b}]");

    s.stop().await;
    db.cleanup().await;
}
