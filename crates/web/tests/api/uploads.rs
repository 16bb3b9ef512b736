//! Untrusted uploads against the real server: hostile spreadsheets get a 4xx and the node stays
//! up, permission is checked before a body is read, error reports stay small, limits answer in
//! JSON, and writes beside a large import succeed or get 503 — never 500.

use yiwang_core::catalog::table::{COLUMNS, format_item, grid_to_csv};
use yiwang_testkit::{TestDb, TestServer, backend_test, hostile};

use crate::{demo, demo_token, expect_error, send_json};

fn post_import(s: &TestServer, token: &str, query: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    s.new_client()
        .post(s.url(&format!("/api/v1/catalog/import{query}")))
        .bearer_auth(token)
        .body(body)
}

/// `n` item rows of 宿迁市市场监督管理局, with `edit` applied to each body.
fn items_csv(
    n: usize,
    publish: bool,
    edit: impl Fn(&mut yiwang_core::catalog::ItemBody),
) -> Vec<u8> {
    let mut g = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for i in 0..n {
        let mut body =
            yiwang_testkit::sample_item(&format!("011{i:06}000"), &format!("测试事项{i}"), &[]);
        edit(&mut body);
        g.push(format_item(&body, "宿迁市市场监督管理局", publish));
    }
    grid_to_csv(&g)
}

async fn healthy(b: &str, s: &TestServer) {
    let r = s
        .new_client()
        .get(s.url("/healthz"))
        .send()
        .await
        .expect("the node answers");
    assert_eq!(r.status(), 200, "[{b}] the node is up");
}

backend_test!(hostile_spreadsheets_get_4xx_and_the_node_stays_up);
async fn hostile_spreadsheets_get_4xx_and_the_node_stays_up(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let cat = demo_token(&s, "catalog").await;
    let citizen = demo_token(&s, "zhangwei").await;

    // Permission before work: garbage that would be a 422 if parsed is a 403 for an
    // applicant, and so is a decompression bomb.
    let garbage = vec![b'P'; 2 * 1024 * 1024];
    expect_error(b, post_import(&s, &citizen, "", garbage), 403, "forbidden").await;
    expect_error(
        b,
        post_import(&s, &citizen, "", hostile::bomb_xlsx(16)),
        403,
        "forbidden",
    )
    .await;

    for (what, file, code) in [
        (
            "two cells A1 and XFD1048576",
            hostile::two_cell_xlsx(),
            "sheet.too_many_rows",
        ),
        (
            "a decompression bomb",
            hostile::bomb_xlsx(16),
            "sheet.compression_ratio",
        ),
        (
            "a bomb lying about its size",
            hostile::lying_bomb_xlsx(16),
            "sheet.unreadable",
        ),
        (
            "a shared-string bomb",
            hostile::shared_strings_bomb_xlsx(),
            "sheet.too_many_cells",
        ),
        (
            "a broken archive",
            b"PK\x03\x04broken".to_vec(),
            "sheet.unreadable",
        ),
    ] {
        let started = std::time::Instant::now();
        let v = expect_error(b, post_import(&s, &cat, "?format=xlsx", file), 422, code).await;
        println!("[{b}] {what}: {} in {:?}", v["code"], started.elapsed());
        healthy(b, &s).await;
    }
    // An empty file is a 422, not a 413.
    expect_error(
        b,
        post_import(&s, &cat, "", Vec::new()),
        422,
        "upload.empty",
    )
    .await;
    // Over the limit: a JSON 413 naming it.
    let v = expect_error(
        b,
        post_import(&s, &cat, "", vec![b'a'; 64 * 1024 * 1024 + 1]),
        413,
        "too_large",
    )
    .await;
    assert_eq!(v["details"]["limit_bytes"], 64 * 1024 * 1024, "[{b}] {v}");
    healthy(b, &s).await;
    s.stop().await;
    db.cleanup().await;
}

backend_test!(import_error_reports_stay_small_and_the_whole_list_downloads);
async fn import_error_reports_stay_small_and_the_whole_list_downloads(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let cat = demo_token(&s, "catalog").await;
    // 3,000 rows, each with a promised limit above its legal limit.
    let file = items_csv(3_000, false, |body| {
        body.promised_limit_days = body.legal_limit_days + 10
    });
    let r = post_import(&s, &cat, "", file.clone())
        .send()
        .await
        .unwrap();
    let len = r.content_length();
    let (st, v) = crate::body_json(b, r).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("import.rows")),
        "[{b}] {v}"
    );
    assert!(
        v["details"]["total"].as_u64().unwrap() >= 3_000,
        "[{b}] {}",
        v["details"]["total"]
    );
    let shown = v["details"]["errors"].as_array().unwrap().len();
    let kinds = v["details"]["summary"].as_array().unwrap();
    assert!(
        shown <= kinds.len() * 5,
        "[{b}] {shown} errors shown for {} kinds",
        kinds.len()
    );
    assert!(
        kinds.iter().any(|k| k["count"].as_u64() >= Some(3_000)),
        "[{b}] {kinds:?}"
    );
    assert_eq!(v["details"]["truncated"], true, "[{b}]");
    let text = v.to_string();
    assert!(
        text.len() < 64 * 1024,
        "[{b}] the report is {} bytes ({len:?})",
        text.len()
    );
    // The whole list, as a CSV file.
    let r = post_import(&s, &cat, "?error_report=csv", file)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "[{b}]");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/csv"), "[{b}] {ct}");
    let body = r.text().await.unwrap();
    assert!(
        body.lines().count() > 3_000,
        "[{b}] {} lines",
        body.lines().count()
    );
    s.stop().await;
    db.cleanup().await;
}

backend_test!(writes_beside_a_large_import_succeed_or_get_503);
async fn writes_beside_a_large_import_succeed_or_get_503(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let cat = demo_token(&s, "catalog").await;
    let citizen = demo_token(&s, "zhangwei").await;
    let (st, _) = send_json(b, post_import(&s, &cat, "", items_csv(1, true, |_| {}))).await;
    assert_eq!(st, 200, "[{b}]");
    let (_, page) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/catalog/managed"))
            .bearer_auth(&cat),
    )
    .await;
    let item = page[0]["id"].as_str().unwrap().to_string();
    let rows = 2_000;
    let import = tokio::spawn({
        let req = post_import(&s, &cat, "", items_csv(rows, false, |_| {}));
        async move { req.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = Vec::new();
    while !import.is_finished() && statuses.len() < 200 {
        let r = s
            .new_client()
            .post(s.url(&format!("/api/v1/catalog/items/{item}/questions")))
            .bearer_auth(&citizen)
            .json(&serde_json::json!({ "question": "请问需要带哪些材料？" }))
            .send()
            .await
            .unwrap();
        let st = r.status().as_u16();
        if st == 503 {
            assert!(
                r.headers().contains_key("retry-after"),
                "[{b}] 503 without Retry-After"
            );
        }
        statuses.push(st);
    }
    assert_eq!(import.await.unwrap(), 200, "[{b}] the import went through");
    println!("[{b}] {} writes beside the import: {:?}", statuses.len(), {
        let mut c = std::collections::BTreeMap::new();
        for s in &statuses {
            *c.entry(s).or_insert(0) += 1;
        }
        c
    });
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 503),
        "[{b}] every write succeeded or was told to retry: {statuses:?}"
    );
    // Had the import held the write lock throughout, the first write would have waited for
    // its end and the loop would have stopped after it.
    assert!(
        statuses.iter().filter(|&&s| s == 201).count() >= 3,
        "[{b}] writes interleave with the import's chunks: {statuses:?}"
    );
    s.stop().await;
    db.cleanup().await;
}
