//! The catalogue API on both backends: import (all or nothing), search, guide, lifecycle,
//! files, consultation, bundles, export, statistics, reindex.

use yiwang_core::catalog::table::{
    BUNDLE_COLUMNS, COLUMNS, format_bundle, format_item, grid_to_csv,
};
use yiwang_core::catalog::*;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{expect_error, get_as, send_json};

/// The shared sample item with a fee, a special procedure and fully-online handling, so that
/// every element shows up in the API.
fn item(code: &str, name: &str, aliases: &[&str]) -> ItemBody {
    let mut b = yiwang_testkit::sample_item(code, name, aliases);
    b.special_procedures = vec![SpecialProcedure {
        name: "现场核查".into(),
        limit_days: 10,
    }];
    b.fees = vec![Fee {
        name: "工本费".into(),
        amount: "20.00".parse().unwrap(),
        basis: "价格主管部门文件".into(),
    }];
    b.fully_online = true;
    b.tongban = vec![TongBan {
        scope: TongBanScope::City,
        mode: TongBanMode::FullyOnline,
    }];
    b.delivery_modes = vec![DeliveryMode::Window, DeliveryMode::ELicence];
    b.result_name = "许可证".into();
    b.description = "说明".into();
    b
}

fn csv(rows: &[(ItemBody, bool)]) -> Vec<u8> {
    let mut g = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for (b, publish) in rows {
        g.push(format_item(b, "宿迁市市场监督管理局", *publish));
    }
    grid_to_csv(&g)
}

fn catalogue() -> Vec<(ItemBody, bool)> {
    vec![
        (
            item("011000201000", "食品经营许可(新办)", &["开饭店", "开餐馆"]),
            true,
        ),
        (
            item("011000101000", "企业设立登记", &["营业执照", "开公司"]),
            true,
        ),
        (
            item("011000301000", "个体工商户设立登记", &["个体户"]),
            true,
        ),
    ]
}

async fn import_csv(s: &TestServer, token: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    s.new_client()
        .post(s.url("/api/v1/catalog/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
}

backend_test!(import_search_guide_lifecycle_and_export);
async fn import_search_guide_lifecycle_and_export(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    yiwang_app::demo::build(&s.app).await.unwrap();
    let cat = s.token("catalog", yiwang_app::demo::DEMO_PASSWORD).await;
    let window = s.token("window", yiwang_app::demo::DEMO_PASSWORD).await;

    // One bad row: nothing imported, every bad row named.
    let mut rows = catalogue();
    rows[1].0.promised_limit_days = 50;
    let v = expect_error(
        b,
        import_csv(&s, &cat, csv(&rows)).await,
        422,
        "import.rows",
    )
    .await;
    assert_eq!(v["details"]["errors"][0]["line"], 3, "[{b}] {v}");
    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭店")),
    )
    .await;
    assert_eq!(page["total"], 0, "[{b}] nothing was imported");
    // Only catalogue managers import.
    expect_error(
        b,
        import_csv(&s, &window, csv(&catalogue())).await,
        403,
        "forbidden",
    )
    .await;
    let (st, report) = send_json(b, import_csv(&s, &cat, csv(&catalogue())).await).await;
    assert_eq!(st, 200, "[{b}] {report}");
    assert_eq!(report["published"], 3, "[{b}]");

    // Search finds the obvious item first; too long a query is a clear error.
    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭店")),
    )
    .await;
    assert_eq!(
        page["hits"][0]["name"], "食品经营许可(新办)",
        "[{b}] {page}"
    );
    let id = page["hits"][0]["id"].as_str().unwrap().to_string();
    let long = "办".repeat(101);
    expect_error(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/search?q={long}"))),
        422,
        "search.query_too_long",
    )
    .await;
    let (_, page) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/catalog/search?type=行政许可&flag=fully_online")),
    )
    .await;
    assert_eq!(page["total"], 3, "[{b}] filters: {page}");

    // The guide: every element of the item.
    let (st, guide) = send_json(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/items/{id}"))),
    )
    .await;
    assert_eq!(st, 200, "[{b}]");
    for field in [
        "conditions",
        "steps",
        "legal_basis",
        "materials",
        "promised_limit_days",
        "fees",
    ] {
        assert!(!guide["body"][field].is_null(), "[{b}] guide has {field}");
    }
    assert_eq!(
        guide["body"]["fees"][0]["amount"], "20.00",
        "[{b}] money as a decimal string"
    );
    expect_error(
        b,
        s.new_client().get(s.url("/api/v1/catalog/items/nope")),
        404,
        "not_found",
    )
    .await;

    // Suspend: out of search at once, guide still readable; resume.
    let post = |path: String, token: &str| s.new_client().post(s.url(&path)).bearer_auth(token);
    expect_error(
        b,
        post(format!("/api/v1/catalog/items/{id}/suspend"), &window),
        403,
        "forbidden",
    )
    .await;
    let (st, _) = send_json(b, post(format!("/api/v1/catalog/items/{id}/suspend"), &cat)).await;
    assert_eq!(st, 200, "[{b}]");
    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭店")),
    )
    .await;
    assert!(
        page["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != id.as_str()),
        "[{b}] {page}"
    );
    let (_, guide) = send_json(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/items/{id}"))),
    )
    .await;
    assert_eq!(guide["item"]["status"], "suspended", "[{b}]");
    expect_error(
        b,
        post(format!("/api/v1/catalog/items/{id}/publish"), &cat),
        409,
        "item.transition",
    )
    .await;
    send_json(b, post(format!("/api/v1/catalog/items/{id}/resume"), &cat)).await;

    // A new version: the draft is private until published.
    let mut body = serde_json::from_value::<ItemBody>(guide["body"].clone()).unwrap();
    body.promised_limit_days = 3;
    let (st, draft) = send_json(
        b,
        s.new_client()
            .put(s.url(&format!("/api/v1/catalog/items/{id}")))
            .bearer_auth(&cat)
            .json(&serde_json::json!({ "body": body })),
    )
    .await;
    assert_eq!(
        (st.as_u16(), draft["version"].as_i64()),
        (200, Some(2)),
        "[{b}] {draft}"
    );
    expect_error(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/items/{id}/versions/2"))),
        404,
        "not_found",
    )
    .await;
    let (st, _) = send_json(
        b,
        get_as(&s, &format!("/api/v1/catalog/items/{id}/versions/2"), &cat),
    )
    .await;
    assert_eq!(st, 200, "[{b}] managers read drafts");
    body.promised_limit_days = 99;
    let v = expect_error(
        b,
        s.new_client()
            .put(s.url(&format!("/api/v1/catalog/items/{id}")))
            .bearer_auth(&cat)
            .json(&serde_json::json!({ "body": body })),
        422,
        "catalog.invalid",
    )
    .await;
    assert!(
        v["details"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "promised_limit_days"),
        "[{b}] {v}"
    );

    // Files: upload a blank form, download it with safe headers.
    let material = format!("{}申请书", "食品经营许可(新办)");
    let url = format!(
        "/api/v1/catalog/items/{id}/files?material={material}&role=blank&filename=申请书.pdf"
    );
    let (st, view) = send_json(
        b,
        s.new_client()
            .post(s.url(&url))
            .bearer_auth(&cat)
            .body(b"%PDF-1.4 test".to_vec()),
    )
    .await;
    assert_eq!(st, 201, "[{b}] {view}");
    let file_id = view["body"]["materials"][0]["blank_form"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .new_client()
        .get(s.url(&format!("/api/v1/catalog/files/{file_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename*=UTF-8''"),
        "[{b}]"
    );
    assert_eq!(r.headers()["accept-ranges"], "bytes", "[{b}]");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test", "[{b}]");
    // Range requests: a part (206), past the end (416).
    let r = s
        .new_client()
        .get(s.url(&format!("/api/v1/catalog/files/{file_id}")))
        .header("range", "bytes=5-7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206, "[{b}]");
    assert_eq!(r.headers()["content-range"], "bytes 5-7/13", "[{b}]");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff", "[{b}]");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"1.4", "[{b}]");
    let r = s
        .new_client()
        .get(s.url(&format!("/api/v1/catalog/files/{file_id}")))
        .header("range", "bytes=13-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416, "[{b}]");
    assert_eq!(r.headers()["content-range"], "bytes */13", "[{b}]");
    // The content must be what the name says, and so must a declared type.
    expect_error(
        b,
        s.new_client()
            .post(s.url(&url))
            .bearer_auth(&cat)
            .body(b"<html><script>".to_vec()),
        422,
        "file.content_mismatch",
    )
    .await;
    expect_error(
        b,
        s.new_client()
            .post(s.url(&url))
            .bearer_auth(&cat)
            .header("content-type", "text/html")
            .body(b"%PDF-1.4 test".to_vec()),
        422,
        "file.type_mismatch",
    )
    .await;
    let bad =
        format!("/api/v1/catalog/items/{id}/files?material={material}&role=blank&filename=x.exe");
    expect_error(
        b,
        s.new_client()
            .post(s.url(&bad))
            .bearer_auth(&cat)
            .body(b"MZ".to_vec()),
        422,
        "file.type",
    )
    .await;

    // Export in the same layout, CSV and XLSX.
    let r = get_as(&s, "/api/v1/catalog/export", &cat)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "[{b}]");
    let text = r.text().await.unwrap();
    assert!(
        text.contains("011000201000") && text.contains("code,name,aliases"),
        "[{b}]"
    );
    let r = get_as(&s, "/api/v1/catalog/export?format=xlsx", &cat)
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "[{b}]");
    expect_error(
        b,
        get_as(&s, "/api/v1/catalog/export", &window),
        403,
        "forbidden",
    )
    .await;

    // Statistics and the OpenAPI document.
    let (_, st) = send_json(b, s.new_client().get(s.url("/api/v1/catalog/stats"))).await;
    assert_eq!(st["published_items"], 3, "[{b}] {st}");
    let (_, doc) = send_json(b, s.new_client().get(s.url("/api/v1/openapi.json"))).await;
    assert!(doc["paths"]["/api/v1/catalog/search"].is_object(), "[{b}]");
    assert!(doc["paths"]["/api/v1/catalog/import"].is_object(), "[{b}]");

    // Reindex is for platform administrators.
    expect_error(
        b,
        post("/api/v1/catalog/search/reindex".into(), &cat),
        403,
        "forbidden",
    )
    .await;
    let admin = s.token("admin", yiwang_app::demo::DEMO_PASSWORD).await;
    let (st, r) = send_json(b, post("/api/v1/catalog/search/reindex".into(), &admin)).await;
    assert_eq!(
        (st.as_u16(), r["documents"].as_u64()),
        (200, Some(3)),
        "[{b}] {r}"
    );
    s.stop().await;
    db.cleanup().await;
}

backend_test!(consultation_and_bundles);
async fn consultation_and_bundles(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    yiwang_app::demo::build(&s.app).await.unwrap();
    let cat = s.token("catalog", yiwang_app::demo::DEMO_PASSWORD).await;
    let citizen = s.token("zhangwei", yiwang_app::demo::DEMO_PASSWORD).await;
    let approver = s.token("approver", yiwang_app::demo::DEMO_PASSWORD).await;
    let mut g = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for (body, _) in catalogue() {
        g.push(format_item(&body, "宿迁市市场监督管理局", true));
    }
    let bundle = BundleBody {
        code: "LE004".into(),
        name: "开办餐饮店一件事".into(),
        aliases: vec!["开饭馆".into()],
        description: "营业执照和食品经营许可一次办".into(),
        item_codes: vec!["011000301000".into(), "011000201000".into()],
        promised_limit_days: 5,
    };
    let xlsx = yiwang_app::catalog::import::write_grid(
        yiwang_app::catalog::import::Format::Xlsx,
        &g,
        &vec![
            BUNDLE_COLUMNS.iter().map(|c| c.to_string()).collect(),
            format_bundle(&bundle),
        ],
    );
    let (st, report) = send_json(
        b,
        s.new_client()
            .post(s.url("/api/v1/catalog/import?format=xlsx"))
            .bearer_auth(&cat)
            .body(xlsx),
    )
    .await;
    assert_eq!(
        (st.as_u16(), report["bundles"].as_u64()),
        (200, Some(1)),
        "[{b}] {report}"
    );

    let (_, list) = send_json(b, s.new_client().get(s.url("/api/v1/catalog/bundles"))).await;
    assert_eq!(list[0]["code"], "LE004", "[{b}] {list}");
    let (st, view) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/bundles/LE004")),
    )
    .await;
    assert_eq!(st, 200, "[{b}]");
    let ids = view["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["material"]["name"] == "居民身份证")
        .count();
    assert_eq!(ids, 1, "[{b}] one de-duplicated material list");
    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭馆")),
    )
    .await;
    assert_eq!(page["hits"][0]["kind"], "bundle", "[{b}] {page}");

    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭店")),
    )
    .await;
    let id = page["hits"][0]["id"].as_str().unwrap().to_string();
    let ask = |token: Option<&str>, text: &str| {
        let r = s
            .new_client()
            .post(s.url(&format!("/api/v1/catalog/items/{id}/questions")))
            .json(&serde_json::json!({ "question": text }));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    };
    expect_error(b, ask(None, "需要什么材料?"), 401, "unauthenticated").await;
    expect_error(b, ask(Some(&citizen), "  "), 422, "question.question").await;
    let (st, q) = send_json(b, ask(Some(&citizen), "小吃店需要办理吗?")).await;
    assert_eq!(st, 201, "[{b}] {q}");
    let (_, queue) = send_json(b, get_as(&s, "/api/v1/catalog/questions", &approver)).await;
    assert_eq!(queue[0]["question"]["id"], q["id"], "[{b}] {queue}");
    let qid = q["id"].as_str().unwrap();
    let answer = |token: &str| {
        s.new_client()
            .post(s.url(&format!("/api/v1/catalog/questions/{qid}/answer")))
            .bearer_auth(token)
            .json(&serde_json::json!({"answer": "需要。", "publish_faq": true}))
    };
    expect_error(b, answer(&citizen), 404, "not_found").await;
    let (st, _) = send_json(b, answer(&approver)).await;
    assert_eq!(st, 200, "[{b}]");
    let (_, faqs) = send_json(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/catalog/items/{id}/faqs"))),
    )
    .await;
    assert_eq!(faqs[0]["answer"], "需要。", "[{b}]");
    assert_eq!(
        faqs[0]["asker_id"], "",
        "[{b}] no personal data in public FAQs"
    );
    s.stop().await;
    db.cleanup().await;
}

backend_test!(bundle_and_claim_endpoints_refuse_bad_input);
async fn bundle_and_claim_endpoints_refuse_bad_input(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    yiwang_app::demo::build(&s.app).await.unwrap();
    let cat = s.token("catalog", yiwang_app::demo::DEMO_PASSWORD).await;
    let window = s.token("window", yiwang_app::demo::DEMO_PASSWORD).await;
    send_json(b, import_csv(&s, &cat, csv(&catalogue())).await).await;
    let centre = {
        let mut tx = s.app.store.read().await.unwrap();
        tx.list_organisations("")
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name == "宿迁市政务服务中心")
            .unwrap()
            .id
    };
    let bundle = |items: Vec<&str>| {
        serde_json::json!({ "org_id": centre, "publish": true, "body": {
            "code": "LE009", "name": "测试一件事", "aliases": [], "description": "",
            "item_codes": items, "promised_limit_days": 5 } })
    };
    let save = |token: &str, body: serde_json::Value| {
        s.new_client()
            .post(s.url("/api/v1/catalog/bundles"))
            .bearer_auth(token)
            .json(&body)
    };
    expect_error(
        b,
        save(&cat, bundle(vec!["011000201000"])),
        422,
        "catalog.invalid",
    )
    .await;
    expect_error(
        b,
        save(&cat, bundle(vec!["011000201000", "019999999000"])),
        422,
        "bundle.items_missing",
    )
    .await;
    expect_error(
        b,
        save(&window, bundle(vec!["011000201000", "011000101000"])),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        s.new_client()
            .post(s.url("/api/v1/catalog/bundles"))
            .bearer_auth(&cat)
            .json(&serde_json::json!({"org_id": centre})),
        400,
        "request.invalid_fields",
    )
    .await;
    let (st, row) = send_json(b, save(&cat, bundle(vec!["011000201000", "011000101000"]))).await;
    assert_eq!(st, 200, "[{b}] {row}");
    let id = row["id"].as_str().unwrap().to_string();
    let status = |token: &str, v: &str| {
        s.new_client()
            .post(s.url(&format!("/api/v1/catalog/bundles/{id}/status")))
            .bearer_auth(token)
            .json(&serde_json::json!({ "status": v }))
    };
    expect_error(b, status(&cat, "gone"), 422, "bundle.status").await;
    expect_error(b, status(&window, "suspended"), 403, "forbidden").await;
    expect_error(
        b,
        s.new_client()
            .post(s.url("/api/v1/catalog/bundles/nope/status"))
            .bearer_auth(&cat)
            .json(&serde_json::json!({"status": "suspended"})),
        404,
        "not_found",
    )
    .await;
    let (st, _) = send_json(b, status(&cat, "suspended")).await;
    assert_eq!(st, 200, "[{b}]");
    // A bundle moves only along its lifecycle: suspending it twice is a conflict.
    expect_error(b, status(&cat, "suspended"), 409, "bundle.transition").await;
    expect_error(
        b,
        s.new_client().get(s.url("/api/v1/catalog/bundles/LE009")),
        404,
        "not_found",
    )
    .await;

    // Claiming: beyond the legal limit, outside the region, unknown item.
    let (_, page) = send_json(
        b,
        s.new_client().get(s.url("/api/v1/catalog/search?q=开饭店")),
    )
    .await;
    let item = page["hits"][0]["id"].as_str().unwrap().to_string();
    let orgs = {
        let mut tx = s.app.store.read().await.unwrap();
        tx.list_organisations("").await.unwrap()
    };
    let district = orgs
        .iter()
        .find(|o| o.name == "宿城区市场监督管理局")
        .unwrap()
        .id
        .clone();
    let claim = |id: &str, org: &str, days: u32| {
        s.new_client()
            .post(s.url(&format!("/api/v1/catalog/items/{id}/claim")))
            .bearer_auth(&cat)
            .json(&serde_json::json!({"org_id": org, "promised_limit_days": days}))
    };
    expect_error(b, claim(&item, &district, 99), 422, "catalog.invalid").await;
    let market = orgs
        .iter()
        .find(|o| o.name == "宿迁市市场监督管理局")
        .unwrap()
        .id
        .clone();
    expect_error(b, claim(&item, &market, 5), 422, "catalog.claim_scope").await;
    expect_error(b, claim("nope", &district, 5), 404, "not_found").await;
    let (st, v) = send_json(b, claim(&item, &district, 5)).await;
    assert_eq!(st, 201, "[{b}] {v}");
    expect_error(b, claim(&item, &district, 5), 409, "catalog.duplicate_code").await;
    s.stop().await;
    db.cleanup().await;
}
