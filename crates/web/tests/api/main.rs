//! HTTP integration tests: the real router on a random port, against every backend
//! (SQLite always, PostgreSQL when reachable — mandatory when `YIWANG_TEST_PG` is set).

mod auth;
mod calendar;
mod cases;
mod cases_pages;
mod catalog_api;
mod consult;
mod errors;
mod evaluation;
mod experts;
mod hall;
mod hardening;
mod ledger;
mod ocds;
mod organisations;
mod pages;
mod supervision;
mod system;
mod trading;
mod trading_archive;
mod trading_pages;
mod uploads;

use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;
use yiwang_testkit::TestServer;

/// Read a JSON body; fails with the backend, status and raw text when it is not JSON.
pub async fn body_json(backend: &str, r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let ct = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = r.text().await.expect("body");
    let v = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("[{backend}] {status} ({ct}) body is not JSON ({e}): {text}"));
    assert!(
        ct.starts_with("application/json"),
        "[{backend}] {status}: content-type {ct:?} is not JSON"
    );
    (status, v)
}

/// Send and read the JSON answer.
pub async fn send_json(backend: &str, req: RequestBuilder) -> (StatusCode, Value) {
    body_json(backend, req.send().await.expect("request")).await
}

/// Assert an API error: the status, the code, a Chinese message and an English one.
pub async fn expect_error(backend: &str, req: RequestBuilder, status: u16, code: &str) -> Value {
    let (s, v) = send_json(backend, req).await;
    assert_eq!(s.as_u16(), status, "[{backend}] status for {code}: {v}");
    assert_eq!(v["code"], code, "[{backend}] error code: {v}");
    let zh = v["message"].as_str().unwrap_or("");
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "[{backend}] message should be Chinese: {v}"
    );
    assert!(
        !v["message_en"].as_str().unwrap_or("").is_empty(),
        "[{backend}] message_en missing: {v}"
    );
    v
}

/// GET with a bearer token.
pub fn get_as(s: &TestServer, path: &str, token: &str) -> RequestBuilder {
    s.new_client().get(s.url(path)).bearer_auth(token)
}

/// POST JSON with a bearer token.
pub fn post_as(s: &TestServer, path: &str, token: &str, body: &Value) -> RequestBuilder {
    s.new_client()
        .post(s.url(path))
        .bearer_auth(token)
        .json(body)
}

/// Fill the database with the demo data.
pub async fn demo(s: &TestServer) {
    yiwang_app::demo::build(&s.app).await.expect("demo data");
}

/// An API token for a demo account.
pub async fn demo_token(s: &TestServer, user: &str) -> String {
    s.token(user, yiwang_app::demo::DEMO_PASSWORD).await
}

/// The value of a hidden `_csrf` input in a page.
pub fn hidden_csrf(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    let end = rest.find('"')?;
    Some(rest[..end].to_string()).filter(|v| !v.is_empty())
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(r: &Response) -> Vec<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

/// The `Location` header of a redirect.
pub fn location(r: &Response) -> String {
    r.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Sign a fresh client in through the sign-in form; returns it with the session's CSRF token
/// (read from the sign-out form on /home).
pub async fn sign_in(s: &TestServer, backend: &str, user: &str) -> (reqwest::Client, String) {
    let client = s.new_client();
    let page = client
        .get(s.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), 200, "[{backend}] GET /login");
    let html = page.text().await.expect("login html");
    let csrf = hidden_csrf(&html).expect("login form csrf");
    let r = client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", yiwang_app::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "[{backend}] sign in as {user}");
    assert_eq!(location(&r), "/home", "[{backend}] sign in as {user}");
    let home = client.get(s.url("/home")).send().await.expect("home");
    assert_eq!(home.status(), 200, "[{backend}] /home as {user}");
    let html = home.text().await.expect("home html");
    let csrf = hidden_csrf(&html).expect("sign-out form csrf");
    (client, csrf)
}

/// The id of an organisation with exactly this name, as seen by `token`.
pub async fn org_id(s: &TestServer, backend: &str, token: &str, name: &str) -> String {
    let (st, v) = send_json(backend, get_as(s, "/api/v1/organisations", token)).await;
    assert_eq!(st, 200, "[{backend}] list organisations: {v}");
    v.as_array()
        .expect("array")
        .iter()
        .find(|o| o["name"] == name)
        .and_then(|o| o["id"].as_str())
        .unwrap_or_else(|| panic!("[{backend}] organisation {name} not visible"))
        .to_string()
}
