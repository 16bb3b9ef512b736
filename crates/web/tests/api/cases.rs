//! The cases API (办件): an online application through acceptance, opinion, decision,
//! completion and delivery over HTTP; wrong roles refused without a change; the public
//! progress query and the public list without a token; the OpenAPI document.

use serde_json::{Value, json};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use super::{demo, demo_token, expect_error, get_as, post_as, send_json};

const MOBILE: &str = "13912345678";
const BOUNDARY: &str = "yiwang-test-boundary-7d1f";

/// A multipart body with the `material` field and one `file` field.
fn multipart(material: &str, filename: &str, content_type: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"material\"\r\n\r\n{material}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn upload(
    s: &TestServer,
    token: &str,
    case: &str,
    material: &str,
    filename: &str,
    content: &[u8],
) -> reqwest::RequestBuilder {
    s.new_client()
        .post(s.url(&format!("/api/v1/cases/{case}/materials")))
        .bearer_auth(token)
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(material, filename, "application/pdf", content))
}

fn pdf(what: &str) -> Vec<u8> {
    format!("%PDF-1.4 {what} {}\n%%EOF", yiwang_app::new_id()).into_bytes()
}

struct Setup {
    item: String,
    centre: String,
    applicant: Value,
    id_number: String,
}

/// A published item of the Suqian market regulator (through the catalogue API) and zhangwei's
/// applicant data.
async fn setup(s: &TestServer, b: &str) -> Setup {
    let (orgs, user) = {
        let mut tx = s.app.store.read().await.expect("read");
        let orgs = tx.list_organisations("").await.expect("orgs");
        let user = tx
            .find_user_by_username("zhangwei")
            .await
            .expect("find")
            .expect("zhangwei");
        (orgs, user)
    };
    let named = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("[{b}] no organisation {name}"))
            .id
            .clone()
    };
    let cat = demo_token(s, "catalog").await;
    let body = serde_json::to_value(yiwang_testkit::sample_item(
        "011000201000",
        "食品经营许可",
        &[],
    ))
    .expect("item json");
    let (st, v) = send_json(
        b,
        post_as(
            s,
            "/api/v1/catalog/items",
            &cat,
            &json!({"org_id": named("宿迁市市场监督管理局"), "body": body}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] item: {v}");
    let item = v["item"]["id"].as_str().expect("item id").to_string();
    let (st, v) = send_json(
        b,
        post_as(
            s,
            &format!("/api/v1/catalog/items/{item}/publish"),
            &cat,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] publish: {v}");
    let id_number = user.id_number.clone().expect("id number");
    Setup {
        item,
        centre: named("宿迁市政务服务中心"),
        applicant: json!({
            "kind": "natural",
            "name": user.display_name,
            "id_number": id_number,
            "mobile": MOBILE,
        }),
        id_number,
    }
}

/// The case as its applicant sees it: (status, number of history events).
async fn state_of(s: &TestServer, b: &str, token: &str, id: &str) -> (String, usize) {
    let (st, v) = send_json(b, get_as(s, &format!("/api/v1/cases/{id}"), token)).await;
    assert_eq!(st, 200, "[{b}] detail: {v}");
    (
        v["case"]["state"].as_str().unwrap_or("").to_string(),
        v["events"].as_array().map_or(0, Vec::len),
    )
}

backend_test!(an_online_case_goes_from_draft_to_delivery_over_http);
async fn an_online_case_goes_from_draft_to_delivery_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let w = setup(&s, b).await;
    let zw = demo_token(&s, "zhangwei").await;
    let window = demo_token(&s, "window").await;
    let approver = demo_token(&s, "approver").await;

    // 暂存, then saved again.
    let draft = json!({"item_id": w.item, "applicant": w.applicant, "form": {}});
    let (st, v) = send_json(b, post_as(&s, "/api/v1/cases", &zw, &draft)).await;
    assert_eq!(st, 201, "[{b}] draft: {v}");
    assert_eq!(v["state"], "draft", "[{b}] {v}");
    let id = v["case"]["id"].as_str().expect("case id").to_string();
    let full = json!({"item_id": w.item, "applicant": w.applicant,
        "form": {"applicant_name": w.applicant["name"]}});
    let (st, v) = send_json(
        b,
        s.new_client()
            .put(s.url(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&zw)
            .json(&full),
    )
    .await;
    assert_eq!(st, 200, "[{b}] save draft: {v}");

    // Materials: wrong content and an unknown material are refused; then both are handed in.
    expect_error(
        b,
        upload(
            &s,
            &zw,
            &id,
            "食品经营许可申请书",
            "申请书.pdf",
            b"not a pdf",
        ),
        422,
        "file.content_mismatch",
    )
    .await;
    expect_error(
        b,
        upload(&s, &zw, &id, "不存在的材料", "x.pdf", &pdf("x")),
        422,
        "upload.unknown_material",
    )
    .await;
    expect_error(
        b,
        s.new_client()
            .post(s.url(&format!("/api/v1/cases/{id}/materials")))
            .bearer_auth(&zw)
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body("hello"),
        400,
        "upload.form",
    )
    .await;
    // Submission names what is missing.
    expect_error(
        b,
        post_as(&s, &format!("/api/v1/cases/{id}/submit"), &zw, &json!({})),
        422,
        "case.form_invalid",
    )
    .await;
    for m in ["食品经营许可申请书", "居民身份证"] {
        let (st, v) = send_json(b, upload(&s, &zw, &id, m, "材料.pdf", &pdf(m))).await;
        assert_eq!(st, 201, "[{b}] upload {m}: {v}");
        assert_eq!(v["material"], m, "[{b}] {v}");
        assert_eq!(v["content_type"], "application/pdf", "[{b}] {v}");
    }
    let (st, v) = send_json(
        b,
        post_as(&s, &format!("/api/v1/cases/{id}/submit"), &zw, &json!({})),
    )
    .await;
    assert_eq!(st, 200, "[{b}] submit: {v}");
    assert_eq!(v["case"]["state"], "submitted", "[{b}] {v}");
    let code = v["query_code"].as_str().expect("query code").to_string();
    assert_eq!(code.len(), 8, "[{b}] {v}");
    let number = v["case"]["case"]["number"]
        .as_str()
        .expect("number")
        .to_string();

    // The centre's inbox shows it; the applicant may not read the centre's inbox.
    let inbox = format!("/api/v1/cases/inbox?org_id={}&page=1&size=100", w.centre);
    let (st, v) = send_json(b, get_as(&s, &inbox, &window)).await;
    assert_eq!(st, 200, "[{b}] inbox: {v}");
    assert!(
        v.as_array()
            .expect("inbox list")
            .iter()
            .any(|c| c["case"]["id"] == id.as_str()),
        "[{b}] the case is in the centre's inbox"
    );
    expect_error(b, get_as(&s, &inbox, &zw), 403, "forbidden").await;

    // Acceptance by the applicant or the approving officer is refused and changes nothing.
    let before = state_of(&s, b, &zw, &id).await;
    for token in [&zw, &approver] {
        let (st, v) = send_json(
            b,
            post_as(&s, &format!("/api/v1/cases/{id}/accept"), token, &json!({})),
        )
        .await;
        assert_eq!(st, 403, "[{b}] accept by the wrong role: {v}");
    }
    assert_eq!(state_of(&s, b, &zw, &id).await, before, "[{b}] unchanged");

    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/accept"),
            &window,
            &json!({"participants": []}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] accept: {v}");
    assert_eq!(v["state"], "in_review", "[{b}] {v}");
    assert!(v["case"]["due_at"].is_i64(), "[{b}] a deadline: {v}");

    // A decision before the opinion is a conflict; the window may not decide.
    let decision = json!({"approve": true, "note": "准予许可"});
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/decision"),
            &approver,
            &decision,
        ),
        409,
        "case.opinions_pending",
    )
    .await;
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/opinions"),
            &approver,
            &json!({"task": "step1", "verdict": "agree", "comment": "同意"}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] opinion: {v}");
    let before = state_of(&s, b, &zw, &id).await;
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/decision"),
            &window,
            &decision,
        ),
    )
    .await;
    assert_eq!(st, 403, "[{b}] decision by the window: {v}");
    assert_eq!(state_of(&s, b, &zw, &id).await, before, "[{b}] unchanged");
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/decision"),
            &approver,
            &decision,
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] decide: {v}");
    assert_eq!(v["state"], "decided", "[{b}] {v}");
    // Withdrawal after the decision is refused.
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/withdraw"),
            &zw,
            &json!({"reason": "不需要了"}),
        ),
    )
    .await;
    assert_eq!(st, 409, "[{b}] withdraw after the decision: {v}");

    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/complete"),
            &approver,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] complete: {v}");
    assert_eq!(v["state"], "completed", "[{b}] {v}");
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/deliver"),
            &window,
            &json!({"mode": "post", "tracking_number": "x"}),
        ),
        422,
        "case.tracking_number",
    )
    .await;
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/deliver"),
            &window,
            &json!({"mode": "post", "tracking_number": "SF1234567890"}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] deliver: {v}");
    assert_eq!(v["state"], "delivered", "[{b}] {v}");

    // My cases; the detail with its history and materials.
    let (st, v) = send_json(b, get_as(&s, "/api/v1/cases/mine", &zw)).await;
    assert_eq!(st, 200, "[{b}] mine: {v}");
    assert!(
        v.as_array()
            .expect("mine")
            .iter()
            .any(|c| c["case"]["id"] == id.as_str()),
        "[{b}] my cases: {v}"
    );
    let (st, v) = send_json(b, get_as(&s, &format!("/api/v1/cases/{id}"), &window)).await;
    assert_eq!(st, 200, "[{b}] detail for the window: {v}");
    assert_eq!(v["materials"].as_array().map(Vec::len), Some(2), "[{b}]");
    assert_eq!(v["opinions"].as_array().map(Vec::len), Some(1), "[{b}]");

    // The public progress, without a token, shows every step.
    let client = s.new_client();
    let (st, v) = send_json(
        b,
        client.get(s.url(&format!(
            "/api/v1/cases/progress?number={number}&code={code}"
        ))),
    )
    .await;
    assert_eq!(st, 200, "[{b}] progress: {v}");
    assert_eq!(v["state"], "delivered", "[{b}] {v}");
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["event"].as_str())
        .collect();
    for e in [
        "submit",
        "accept",
        "record_opinion",
        "approve",
        "complete",
        "deliver",
    ] {
        assert!(steps.contains(&e), "[{b}] {e} in {steps:?}");
    }
    let text = v.to_string();
    assert!(
        !text.contains(&w.id_number) && !text.contains(MOBILE),
        "[{b}] personal data in the progress: {text}"
    );
    expect_error(
        b,
        client.get(s.url(&format!(
            "/api/v1/cases/progress?number={number}&code=WRONG123"
        ))),
        404,
        "not_found",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}

backend_test!(the_public_list_needs_no_token_and_masks_personal_data);
async fn the_public_list_needs_no_token_and_masks_personal_data(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let w = setup(&s, b).await;
    let zw = demo_token(&s, "zhangwei").await;
    let window = demo_token(&s, "window").await;

    // A walk-in application at the window (一窗受理), submitted at once.
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/cases/window",
            &window,
            &json!({"item_id": w.item, "applicant": w.applicant,
                "form": {"applicant_name": w.applicant["name"]}}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] window registration: {v}");
    let number = v["case"]["case"]["number"]
        .as_str()
        .expect("number")
        .to_string();
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/cases/window",
            &zw,
            &json!({"item_id": w.item, "applicant": w.applicant, "form": {}}),
        ),
    )
    .await;
    assert_eq!(st, 403, "[{b}] a citizen may not register at a window: {v}");

    let r = s
        .new_client()
        .get(s.url("/api/v1/cases/public?page=1&size=100"))
        .send()
        .await
        .expect("public list");
    assert_eq!(r.status(), 200, "[{b}] public list without a token");
    let text = r.text().await.expect("text");
    let v: Value = serde_json::from_str(&text).expect("json");
    let line = v
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["number"] == number.as_str())
        .unwrap_or_else(|| panic!("[{b}] {number} not in the public list: {text}"));
    let name = w.applicant["name"].as_str().unwrap_or("");
    assert_ne!(line["applicant"], name, "[{b}] the name is masked: {line}");
    assert!(
        line["applicant"].as_str().unwrap_or("").contains('*'),
        "[{b}] masked: {line}"
    );
    assert!(
        !text.contains(&w.id_number),
        "[{b}] an ID number in the public list"
    );
    assert!(
        !text.contains(MOBILE),
        "[{b}] a phone number in the public list"
    );
    for line in v.as_array().expect("list") {
        let applicant = line["applicant"].as_str().unwrap_or("");
        let found = yiwang_core::privacy::detect(applicant);
        assert!(
            found.is_empty(),
            "[{b}] personal data in a public name: {line}"
        );
    }

    // Bad paging and a malformed number are 4xx, never 500.
    let (st, _) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/cases/public?page=-5&size=100000")),
    )
    .await;
    assert_eq!(st, 200, "[{b}] paging is clamped");
    expect_error(
        b,
        s.new_client().get(s.url("/api/v1/cases/public?page=abc")),
        400,
        "request.invalid_query",
    )
    .await;
    let (st, v) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/cases/progress?number=nonsense&code=x")),
    )
    .await;
    assert!(st.is_client_error(), "[{b}] malformed number: {st} {v}");
    // Signed-in operations need a token; an unknown case is 404.
    let (st, _) = send_json(b, s.new_client().get(s.url("/api/v1/cases/mine"))).await;
    assert_eq!(st, 401, "[{b}] my cases without a token");
    let (st, _) = send_json(b, get_as(&s, "/api/v1/cases/no-such-case", &zw)).await;
    assert_eq!(st, 404, "[{b}] unknown case");
    let (st, _) = send_json(
        b,
        post_as(&s, "/api/v1/cases/no-such-case/accept", &window, &json!({})),
    )
    .await;
    assert_eq!(st, 404, "[{b}] accept an unknown case");

    s.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_cases_paths() {
    let db = TestDb::sqlite().await;
    let s = TestServer::start(&db).await;
    let (st, doc) = send_json("sqlite", s.new_client().get(s.url("/api/v1/openapi.json"))).await;
    assert_eq!(st, 200);
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/materials",
        "/api/v1/cases/{id}/submit",
        "/api/v1/cases/window",
        "/api/v1/cases/{id}/accept",
        "/api/v1/cases/{id}/accept-with-deficiency",
        "/api/v1/cases/{id}/not-accept",
        "/api/v1/cases/{id}/correction-requests",
        "/api/v1/cases/{id}/correction",
        "/api/v1/cases/{id}/opinions",
        "/api/v1/cases/{id}/suspend",
        "/api/v1/cases/{id}/resume",
        "/api/v1/cases/{id}/extend",
        "/api/v1/cases/{id}/decision",
        "/api/v1/cases/{id}/complete",
        "/api/v1/cases/{id}/deliver",
        "/api/v1/cases/{id}/withdraw",
        "/api/v1/cases/mine",
        "/api/v1/cases/inbox",
        "/api/v1/cases/progress",
        "/api/v1/cases/public",
    ] {
        assert!(paths.contains_key(p), "openapi lacks {p}");
    }
    // The public ones need no token; the others name their security.
    for p in ["/api/v1/cases/progress", "/api/v1/cases/public"] {
        assert!(
            doc["paths"][p]["get"]["security"].is_null(),
            "{p} should be public"
        );
    }
    assert!(
        doc["paths"]["/api/v1/cases/{id}/accept"]["post"]["security"].is_array(),
        "accept needs a token"
    );
    assert!(
        doc["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t["name"] == "cases"),
        "the cases tag"
    );
    s.stop().await;
    db.cleanup().await;
}

/// A walk-in application for zhangwei (no materials): its id.
async fn walk_in(s: &TestServer, b: &str, w: &Setup, window: &str) -> String {
    let user_id = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.find_user_by_username("zhangwei")
            .await
            .expect("find")
            .expect("zhangwei")
            .id
    };
    let (st, v) = send_json(
        b,
        post_as(
            s,
            "/api/v1/cases/window",
            window,
            &json!({"item_id": w.item, "applicant": w.applicant, "applicant_user_id": user_id,
                "form": {"applicant_name": w.applicant["name"]}}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] window registration: {v}");
    assert_eq!(v["case"]["state"], "submitted", "[{b}] {v}");
    v["case"]["case"]["id"]
        .as_str()
        .expect("case id")
        .to_string()
}

/// POSTs `body` to `/api/v1/cases/{id}/{action}` as each of `wrong` (expecting 403 and no
/// change), then as `right` (expecting `status`); returns the answer.
#[allow(clippy::too_many_arguments)]
async fn act(
    s: &TestServer,
    b: &str,
    applicant: &str,
    id: &str,
    action: &str,
    body: Value,
    wrong: &[&str],
    right: &str,
    status: u16,
) -> Value {
    let path = format!("/api/v1/cases/{id}/{action}");
    let before = state_of(s, b, applicant, id).await;
    for token in wrong {
        let (st, v) = send_json(b, post_as(s, &path, token, &body)).await;
        assert_eq!(st, 403, "[{b}] {action} by the wrong role: {v}");
        assert_eq!(v["code"], "forbidden", "[{b}] {v}");
    }
    assert_eq!(
        state_of(s, b, applicant, id).await,
        before,
        "[{b}] a refused {action} changes nothing"
    );
    let (st, v) = send_json(b, post_as(s, &path, right, &body)).await;
    assert_eq!(st.as_u16(), status, "[{b}] {action}: {v}");
    v
}

backend_test!(notice_deficiency_special_procedures_extension_and_withdrawal_over_http);
async fn notice_deficiency_special_procedures_extension_and_withdrawal_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let w = setup(&s, b).await;
    let zw = demo_token(&s, "zhangwei").await;
    let window = demo_token(&s, "window").await;
    let approver = demo_token(&s, "approver").await;
    let head = demo_token(&s, "depthead").await;

    // 一次性告知 for a walk-in without materials; the applicant uploads and answers.
    let id = walk_in(&s, b, &w, &window).await;
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "correction-requests",
        json!({"defects": []}),
        &[&zw, &approver],
        &window,
        201,
    )
    .await;
    assert_eq!(v["round"], 1, "[{b}] {v}");
    assert_eq!(
        state_of(&s, b, &zw, &id).await.0,
        "correction_requested",
        "[{b}]"
    );
    for m in ["食品经营许可申请书", "居民身份证"] {
        let (st, v) = send_json(b, upload(&s, &zw, &id, m, "补正.pdf", &pdf(m))).await;
        assert_eq!(st, 201, "[{b}] upload {m}: {v}");
    }
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "correction",
        json!({}),
        &[&window],
        &zw,
        200,
    )
    .await;
    assert_eq!(v["state"], "pre_review", "[{b}] {v}");
    let v = act(&s, b, &zw, &id, "accept", json!({}), &[&head], &window, 200).await;
    assert_eq!(v["state"], "in_review", "[{b}] {v}");

    // A special procedure (the head), its end (the approving officer), one extension.
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "suspend",
        json!({"kind": "hearing", "reason": "需要听证"}),
        &[&approver, &zw],
        &head,
        200,
    )
    .await;
    assert_eq!(v["state"], "suspended", "[{b}] {v}");
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "resume",
        json!({}),
        &[&zw, &window],
        &approver,
        200,
    )
    .await;
    assert_eq!(v["state"], "in_review", "[{b}] {v}");
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "extend",
        json!({"reason": "情况复杂"}),
        &[&approver],
        &head,
        200,
    )
    .await;
    assert_eq!(v["case"]["extended"], 1, "[{b}] {v}");
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/extend"),
            &head,
            &json!({"reason": "再次延期"}),
        ),
    )
    .await;
    assert!(st.is_client_error(), "[{b}] a second extension: {st} {v}");
    // Withdrawal by the applicant before the decision.
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "withdraw",
        json!({"reason": "不再需要"}),
        &[&window],
        &zw,
        200,
    )
    .await;
    assert_eq!(v["state"], "withdrawn", "[{b}] {v}");

    // 不予受理 needs a reason.
    let id = walk_in(&s, b, &w, &window).await;
    let (st, v) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/not-accept"),
            &window,
            &json!({"reason": " "}),
        ),
    )
    .await;
    assert_eq!(st, 422, "[{b}] not accepted without a reason: {v}");
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "not-accept",
        json!({"reason": "不属于本机关职权范围"}),
        &[&zw, &approver],
        &window,
        200,
    )
    .await;
    assert_eq!(v["state"], "not_accepted", "[{b}] {v}");

    // 容缺受理: the missing materials pending, with a commitment date.
    let id = walk_in(&s, b, &w, &window).await;
    let (st, v) = send_json(
        b,
        upload(&s, &zw, &id, "食品经营许可申请书", "a.pdf", &pdf("a")),
    )
    .await;
    assert_eq!(st, 409, "[{b}] no upload while submitted: {v}");
    let by = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/cases/{id}/accept-with-deficiency"),
            &window,
            &json!({"pending": ["居民身份证"], "committed_by": by}),
        ),
        422,
        "case.deficiency_mismatch",
    )
    .await;
    let v = act(
        &s,
        b,
        &zw,
        &id,
        "accept-with-deficiency",
        json!({"pending": ["食品经营许可申请书", "居民身份证"], "committed_by": by}),
        &[&zw, &approver],
        &window,
        200,
    )
    .await;
    assert_eq!(v["case"]["committed_by"], by.as_str(), "[{b}] {v}");
    // A pending material may be handed in after acceptance.
    let (st, v) = send_json(b, upload(&s, &zw, &id, "居民身份证", "id.pdf", &pdf("id"))).await;
    assert_eq!(st, 201, "[{b}] a pending material after acceptance: {v}");

    s.stop().await;
    db.cleanup().await;
}
