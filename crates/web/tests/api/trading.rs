//! 公共资源交易 over HTTP: parties, a project, 进场登记, documents, publication (an unlawful
//! schedule listed, then a lawful one), a signed sealed bid with its receipt, the refusals
//! (a non-bidder, a read before the opening, a late bid, bad input) and the public view.

use serde_json::{Value, json};
use yiwang_app::trading::bids::submission_text;
use yiwang_core::ledger::{PlatformKey, sm3_hex};
use yiwang_core::trading::schedule::earliest_deadline;
use yiwang_core::trading::{BidAction, PeriodRules, TradeField, TradeMethod};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, post_as, send_json};

const BOUNDARY: &str = "yiwang-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body: text fields, then at most one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, filename, bytes)) = file {
        out.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend(bytes);
        out.extend(b"\r\n");
    }
    out.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn post_form(s: &TestServer, path: &str, token: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    s.new_client()
        .post(s.url(path))
        .bearer_auth(token)
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
}

async fn org_by_name(s: &TestServer, name: &str) -> String {
    let mut tx = s.app.store.read().await.expect("read");
    tx.list_organisations("")
        .await
        .expect("organisations")
        .into_iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("demo organisation {name}"))
        .id
}

/// A lawful schedule for documents issued now: the earliest lawful deadline at 09:30.
fn lawful(s: &TestServer, t0: i64) -> Value {
    let rules =
        PeriodRules::for_trade(TradeField::Construction, TradeMethod::OpenTender).expect("rules");
    let at = yiwang_core::time::from_micros(t0);
    let deadline = earliest_deadline(
        &rules,
        at,
        at,
        chrono::NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
        &s.app.calendar().calendar,
    )
    .timestamp_micros();
    json!({
        "notice_at": t0,
        "documents_from": t0,
        "documents_until": deadline - 3_600_000_000i64,
        "bid_deadline": deadline,
    })
}

/// The sealed bid file (a stand-in cipher: the stored bytes are not the plaintext).
fn seal(plaintext: &[u8]) -> Vec<u8> {
    let mut out = b"YWSEALv1".to_vec();
    out.extend(plaintext.iter().map(|b| b ^ 0xA5));
    out
}

fn signed(key: &PlatformKey, action: BidAction, code: &str, credit: &str, file: &[u8]) -> String {
    let text = submission_text(
        action,
        code,
        credit,
        &format!("sm3:{}", sm3_hex(file)),
        file.len() as u64,
    );
    key.sign(text.as_bytes())
}

async fn tender_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let tenderee = demo_token(&s, "tenderee").await;
    let bidder = demo_token(&s, "bidder").await;
    let staff = demo_token(&s, "trading").await;
    let ten_org = org_by_name(&s, "宿迁市城市建设投资(集团)有限公司").await;
    let bid_org = org_by_name(&s, "宿迁宏远建设工程有限公司").await;
    let centre = org_by_name(&s, "宿迁市公共资源交易中心").await;

    // Parties: the private key is in the answer once.
    let (st, t) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/tenders/parties",
            &tenderee,
            &json!({"org_id": ten_org, "kind": "tenderee", "legal_representative": "钱立新"}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] register tenderee: {t}");
    let tenderee_party = t["party"]["id"].as_str().expect("party id").to_string();
    let (st, p) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/tenders/parties",
            &bidder,
            &json!({"org_id": bid_org, "kind": "bidder", "legal_representative": "冯志远",
                "basic_account": "3213 1100 0000 0001"}),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] register bidder: {p}");
    let party = p["party"]["id"].as_str().expect("party id").to_string();
    let credit = p["party"]["credit_code"]
        .as_str()
        .expect("code")
        .to_string();
    let key = PlatformKey::from_secret_hex(p["private_key_hex"].as_str().expect("private key"))
        .expect("key format");
    assert_eq!(
        key.public_key_hex(),
        p["party"]["public_key"].as_str().unwrap_or(""),
        "[{b}] the key pair matches"
    );
    expect_error(
        b,
        post_as(
            &s,
            "/api/v1/tenders/parties",
            &bidder,
            &json!({"org_id": bid_org, "kind": "emperor", "legal_representative": "冯志远"}),
        ),
        422,
        "trading.party.kind",
    )
    .await;

    // A project with one section, accepted by the centre.
    let (st, created) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/tenders/projects",
            &tenderee,
            &json!({
                "code": "SQJS-API-001",
                "name": "宿迁市古黄河路改造工程",
                "tenderee_party_id": tenderee_party,
                "agency_party_id": null,
                "centre_org_id": centre,
                "sections": [{"name": "第一标段", "field": "construction", "sub_category": 1,
                    "method": "open_tender", "estimated_price": "10000000.00", "deposit": "200000.00"}],
            }),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] create project: {created}");
    let sid = created["sections"][0]["id"]
        .as_str()
        .expect("section")
        .to_string();
    // Not published: the public detail does not know it.
    let r = s
        .new_client()
        .get(s.url(&format!("/api/v1/tenders/sections/{sid}")))
        .send()
        .await
        .expect("public section");
    assert_eq!(
        r.status(),
        404,
        "[{b}] an unpublished section is not public"
    );
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/accept"),
            &bidder,
            &json!({}),
        ),
        403,
        "forbidden",
    )
    .await;
    let (st, accepted) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/accept"),
            &staff,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] accept: {accepted}");
    let code = accepted["transaction_code"]
        .as_str()
        .expect("统一交易标识码")
        .to_string();

    // Documents: multipart, with clauses; a form without a file is a 422.
    expect_error(
        b,
        post_form(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/documents"),
            &tenderee,
            multipart(&[("clause", "工期365日历天。")], None),
        ),
        422,
        "upload.missing",
    )
    .await;
    let (st, doc) = send_json(
        b,
        post_form(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/documents"),
            &tenderee,
            multipart(
                &[
                    ("clause", "投标人须具备建筑工程施工总承包三级及以上资质。"),
                    ("clause", "工期365日历天。"),
                ],
                Some(("file", "招标文件.pdf", b"%PDF-1.7 tender documents")),
            ),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] upload documents: {doc}");
    assert_eq!(doc["filename"], "招标文件.pdf", "[{b}] {doc}");
    let doc_id = doc["id"].as_str().expect("document id").to_string();

    // An unlawful schedule: every violation listed.
    let now = yiwang_app::now_micros();
    let day = 86_400_000_000i64;
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/publish"),
            &tenderee,
            &json!({"document_id": doc_id, "schedule": {"notice_at": now, "documents_from": now,
                "documents_until": now + day, "bid_deadline": i64::MAX}}),
        ),
        422,
        "trading.instant",
    )
    .await;
    let v = expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/publish"),
            &tenderee,
            &json!({"document_id": doc_id, "schedule": {"notice_at": now, "documents_from": now,
                "documents_until": now + day, "bid_deadline": now + 2 * day}}),
        ),
        422,
        "trading.schedule",
    )
    .await;
    let violations = v["details"]["violations"].as_array().expect("violations");
    assert!(
        violations.len() >= 2,
        "[{b}] every violation is listed (documents period and bid period): {v}"
    );
    assert!(
        violations.iter().all(|x| x["code"].is_string()),
        "[{b}] {v}"
    );
    let (st, published) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/publish"),
            &tenderee,
            &json!({"document_id": doc_id, "schedule": lawful(&s, yiwang_app::now_micros())}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] publish lawfully: {published}");
    assert_eq!(published["state"], "tendering", "[{b}] {published}");

    // The public view, without a token.
    let r = s
        .new_client()
        .get(s.url("/api/v1/tenders/sections"))
        .send()
        .await
        .expect("public list");
    let (st, list) = crate::body_json(b, r).await;
    assert_eq!(st, 200, "[{b}] public list: {list}");
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .any(|x| x["id"] == sid.as_str() && x["transaction_code"] == code.as_str()),
        "[{b}] the published section is listed: {list}"
    );

    // Download the documents (recorded with the caller's address).
    let r = get_as(
        &s,
        &format!("/api/v1/tenders/sections/{sid}/documents?party_id={party}"),
        &bidder,
    )
    .send()
    .await
    .expect("download");
    assert_eq!(r.status(), 200, "[{b}] download documents");
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.7 tender documents",
        "[{b}] the issued documents"
    );
    {
        let mut tx = s.app.store.read().await.expect("read");
        let downloads = tx.list_downloads(Some(&sid)).await.expect("downloads");
        assert_eq!(downloads.len(), 1, "[{b}] the download is recorded");
        assert!(
            !downloads[0].address.is_empty(),
            "[{b}] with the caller's address"
        );
    }

    // A sealed bid, signed by the bidder's key: a receipt.
    let file = seal("投标报价：9,850,000.00元；工期：360日历天。".as_bytes());
    let signature = signed(&key, BidAction::Submit, &code, &credit, &file);
    let bid_path = format!("/api/v1/tenders/sections/{sid}/bids");
    // A non-bidder acting for the bidder's party is refused, and nothing is stored.
    expect_error(
        b,
        post_form(
            &s,
            &bid_path,
            &tenderee,
            multipart(
                &[("party_id", &party), ("signature", &signature)],
                Some(("file", "bid.sealed", &file)),
            ),
        ),
        403,
        "forbidden",
    )
    .await;
    // A signature of other bytes does not verify.
    expect_error(
        b,
        post_form(
            &s,
            &bid_path,
            &bidder,
            multipart(
                &[("party_id", &party), ("signature", &signature)],
                Some(("file", "bid.sealed", b"other bytes")),
            ),
        ),
        422,
        "trading.bid.signature",
    )
    .await;
    expect_error(
        b,
        post_form(
            &s,
            &bid_path,
            &bidder,
            multipart(
                &[
                    ("party_id", &party),
                    ("signature", &signature),
                    ("action", "bribe"),
                ],
                Some(("file", "bid.sealed", &file)),
            ),
        ),
        422,
        "trading.bid.action",
    )
    .await;
    let (st, receipt) = send_json(
        b,
        post_form(
            &s,
            &bid_path,
            &bidder,
            multipart(
                &[
                    ("party_id", &party),
                    ("signature", &signature),
                    ("action", "submit"),
                ],
                Some(("file", "bid.sealed", &file)),
            ),
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] submit a sealed bid: {receipt}");
    assert!(
        receipt["receipt"]["receipt_no"]
            .as_str()
            .is_some_and(|r| r.starts_with(&code)),
        "[{b}] a receipt number: {receipt}"
    );
    let platform = s.app.platform_key().public_key_hex();
    assert!(
        yiwang_core::ledger::verify_signature(
            &platform,
            receipt["text"].as_str().unwrap_or("").as_bytes(),
            receipt["signature"].as_str().unwrap_or(""),
        ),
        "[{b}] the platform's signature of the receipt verifies: {receipt}"
    );

    // My bids: the bid without content.
    let (st, mine) = send_json(
        b,
        get_as(
            &s,
            &format!("/api/v1/tenders/parties/{party}/bids"),
            &bidder,
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] my bids: {mine}");
    let mine = mine.as_array().expect("array");
    assert_eq!(mine.len(), 1, "[{b}] one bid: {mine:?}");
    assert_eq!(mine[0]["status"], "sealed", "[{b}] {mine:?}");
    let bid_id = mine[0]["id"].as_str().expect("bid id").to_string();

    // Before the opening nobody reads a bid, nor who bid.
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/tenders/bids/{bid_id}/file"), &bidder),
        403,
        "access.time_gated",
    )
    .await;
    let (st, v) = send_json(
        b,
        get_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/bids"),
            &tenderee,
        ),
    )
    .await;
    assert_eq!(st, 403, "[{b}] the section's bids before the opening: {v}");

    // The public detail never carries bid content.
    let r = s
        .new_client()
        .get(s.url(&format!("/api/v1/tenders/sections/{sid}")))
        .send()
        .await
        .expect("public section");
    let (st, detail) = crate::body_json(b, r).await;
    assert_eq!(st, 200, "[{b}] public detail: {detail}");
    assert_eq!(detail["transaction_code"], code.as_str(), "[{b}] {detail}");
    let text = detail.to_string();
    for secret in [bid_id.as_str(), party.as_str(), "sealed", "ciphertext"] {
        assert!(
            !text.contains(secret),
            "[{b}] the public detail shows {secret}: {text}"
        );
    }

    // The deposit: a virtual account, and a payment recorded by the centre.
    let (st, dep) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/deposits"),
            &bidder,
            &json!({"party_id": party}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] open a deposit account: {dep}");
    let (st, paid) = send_json(
        b,
        post_as(
            &s,
            "/api/v1/tenders/deposits/payments",
            &staff,
            &json!({"virtual_account": dep["virtual_account"], "payer_account": "3213 1100 0000 0001",
                "amount": "200000.00", "received_at": yiwang_app::now_micros()}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] record a payment: {paid}");
    assert!(paid["violations"].is_array(), "[{b}] {paid}");
    expect_error(
        b,
        post_as(
            &s,
            "/api/v1/tenders/deposits/payments",
            &staff,
            &json!({"virtual_account": dep["virtual_account"], "payer_account": "x",
                "amount": "lots", "received_at": yiwang_app::now_micros()}),
        ),
        422,
        "trading.money",
    )
    .await;

    // An objection: the tenderee pauses, answers, and the section resumes.
    let objection = json!({"party_id": party, "body": "第一条资质要求排斥潜在投标人，请予澄清。"});
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/objections"),
            &tenderee,
            &objection,
        ),
        403,
        "forbidden",
    )
    .await;
    let (st, o) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/objections"),
            &bidder,
            &objection,
        ),
    )
    .await;
    assert_eq!(st, 201, "[{b}] raise an objection: {o}");
    let (st, paused) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/tenders/sections/{sid}/suspend"),
            &tenderee,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] suspend: {paused}");
    assert_eq!(paused["state"], "suspended", "[{b}] {paused}");
    let (st, answered) = send_json(
        b,
        post_as(
            &s,
            &format!(
                "/api/v1/tenders/objections/{}/answer",
                o["id"].as_str().unwrap_or("")
            ),
            &tenderee,
            &json!({"answer": "资质要求依据《建筑业企业资质标准》设定，不作修改。"}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] answer: {answered}");
    assert_eq!(
        answered["section"]["state"], "tendering",
        "[{b}] {answered}"
    );

    // Time passes: the deadline is behind us (moved in the store, as the clock would), and a
    // replacement is refused as late.
    {
        let mut tx = s.app.store.write().await.expect("write");
        let mut sec = tx.get_section(&sid).await.expect("get").expect("section");
        sec.bid_deadline = Some(yiwang_app::now_micros() - 1);
        tx.update_section(&sec).await.expect("update");
        tx.commit().await.expect("commit");
    }
    let late = seal(b"replacement");
    let signature = signed(&key, BidAction::Replace, &code, &credit, &late);
    expect_error(
        b,
        post_form(
            &s,
            &bid_path,
            &bidder,
            multipart(
                &[
                    ("party_id", &party),
                    ("signature", &signature),
                    ("action", "replace"),
                ],
                Some(("file", "bid.sealed", &late)),
            ),
        ),
        409,
        "trading.bid.late",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}
backend_test!(tender_over_http);

async fn tenders_in_the_openapi_document(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    let r = s
        .client
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi");
    let (st, doc) = crate::body_json(b, r).await;
    assert_eq!(st, 200, "[{b}] openapi.json");
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/tenders/parties",
        "/api/v1/tenders/projects",
        "/api/v1/tenders/sections",
        "/api/v1/tenders/sections/{id}",
        "/api/v1/tenders/sections/{id}/publish",
        "/api/v1/tenders/sections/{id}/documents",
        "/api/v1/tenders/sections/{id}/bids",
        "/api/v1/tenders/sections/{id}/opening",
        "/api/v1/tenders/bids/{id}/file",
    ] {
        assert!(paths.contains_key(p), "[{b}] openapi lacks {p}");
    }
    let tags = doc["tags"].as_array().expect("tags");
    assert!(
        tags.iter().any(|t| t["name"] == "tenders"),
        "[{b}] the tenders tag: {tags:?}"
    );
    // Without a token: the public section list answers, a write is 401.
    let r = s
        .client
        .get(s.url("/api/v1/tenders/sections"))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), 200, "[{b}] public list without a token");
    let r = s
        .client
        .post(s.url("/api/v1/tenders/projects"))
        .json(&json!({}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 401, "[{b}] a write without a token");
    s.stop().await;
    db.cleanup().await;
}
backend_test!(tenders_in_the_openapi_document);
