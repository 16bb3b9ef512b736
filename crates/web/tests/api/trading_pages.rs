//! The trading pages (公共资源交易) through real HTTP: the public portal — announcements, search,
//! a section with its opening record, the e-ID with its QR code, no personal data — a tender
//! published through the pages (tenderee creates, centre accepts, documents, publication), and
//! refusals (a bidder sees only its own bids; only centre staff accept an entry).

use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, location, sign_in};

async fn trading(s: &TestServer) {
    demo(s).await;
    yiwang_app::demo::trading::build(&s.app)
        .await
        .expect("trading demo");
}

async fn page(c: &reqwest::Client, s: &TestServer, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

async fn section_id(s: &TestServer, name: &str) -> String {
    let mut tx = s.app.store.read().await.expect("read");
    tx.list_sections(None)
        .await
        .expect("sections")
        .into_iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("section {name}"))
        .id
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn the_public_portal(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    trading(&s).await;
    let c = s.new_client();

    let (st, html) = page(&c, &s, "/trading").await;
    assert_eq!(st, 200, "[{b}] /trading");
    for name in [
        "第三标段（排水工程）",
        "第四标段（照明工程）",
        "第五标段（绿化工程）",
    ] {
        assert!(html.contains(name), "[{b}] {name} listed");
    }
    for name in ["第一标段（道路工程）", "第二标段（桥梁工程）"] {
        assert!(
            !html.contains(name),
            "[{b}] unpublished {name} is not listed"
        );
    }

    let (st, html) = page(&c, &s, &format!("/trading?q={}", enc("排水"))).await;
    assert_eq!(st, 200, "[{b}] search");
    assert!(
        html.contains("第三标段（排水工程）"),
        "[{b}] 排水 finds the drainage"
    );
    assert!(
        !html.contains("第四标段（照明工程）"),
        "[{b}] 排水 leaves out lighting"
    );
    let (_, html) = page(
        &c,
        &s,
        &format!("/trading?q={}&state=tendering", enc("照明")),
    )
    .await;
    assert!(
        html.contains("no-sections"),
        "[{b}] lighting is not tendering"
    );
    let (_, html) = page(
        &c,
        &s,
        &format!("/trading?q={}&state=failed", enc("古黄河")),
    )
    .await;
    assert!(
        html.contains("第五标段（绿化工程）"),
        "[{b}] the failed one by project name"
    );
    let (_, html) = page(&c, &s, "/trading?field=government_procurement").await;
    assert!(
        html.contains("no-sections"),
        "[{b}] no procurement in the demo"
    );
    let (st, _) = page(&c, &s, "/trading?field=%FF&state=nonsense&q=").await;
    assert_eq!(st, 200, "[{b}] bad filters are ignored");

    // The opened section: the opening record with firms and prices, no people.
    let opened = section_id(&s, "第四标段（照明工程）").await;
    let (st, html) = page(&c, &s, &format!("/trading/sections/{opened}")).await;
    assert_eq!(st, 200, "[{b}] section page");
    assert!(
        html.contains("opening-record"),
        "[{b}] opening record shown"
    );
    assert!(
        html.contains("宿迁宏远建设工程有限公司"),
        "[{b}] the bidder firm"
    );
    assert!(html.contains("9,650,000.00"), "[{b}] its price");
    for personal in [
        "钱立新",
        "13800000000",
        "陶明",
        "许丽",
        "3213 1100 0000 0001",
    ] {
        assert!(
            !html.contains(personal),
            "[{b}] no personal data ({personal})"
        );
    }
    // Before its deadline nobody learns who bid.
    let tendering = section_id(&s, "第三标段（排水工程）").await;
    let (_, html) = page(&c, &s, &format!("/trading/sections/{tendering}")).await;
    assert!(
        !html.contains("宿迁宏远建设工程有限公司"),
        "[{b}] bidders secret before the opening"
    );
    assert!(
        html.contains("更正为90日历天"),
        "[{b}] the clarification is public"
    );

    // The e-ID with its QR code pointing at itself.
    let (st, html) = page(&c, &s, &format!("/trading/eid/{opened}")).await;
    assert_eq!(st, 200, "[{b}] e-ID");
    assert!(html.contains("招投标电子身份证"), "[{b}] e-ID title");
    assert!(html.contains("<svg"), "[{b}] the QR code is inline SVG");
    assert!(
        html.contains(&format!("/trading/eid/{opened}")),
        "[{b}] the QR's address"
    );
    assert!(html.contains("eid-steps"), "[{b}] the milestones");
    assert_eq!(
        html.matches("class=\"done\"").count(),
        3,
        "[{b}] approval, notice, opening done"
    );
    let r = c
        .get(s.url(&format!("/trading/eid/{opened}/qr.svg")))
        .send()
        .await
        .expect("qr");
    assert_eq!(r.status(), 200, "[{b}] QR svg");
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/svg+xml"),
        "[{b}] QR content type"
    );
    assert!(
        r.text().await.expect("svg").contains("<svg"),
        "[{b}] an SVG"
    );

    // Not published, or unknown: not found.
    let pending = section_id(&s, "第二标段（桥梁工程）").await;
    for path in [
        format!("/trading/sections/{pending}"),
        format!("/trading/eid/{pending}"),
        "/trading/sections/nope".to_string(),
    ] {
        let (st, _) = page(&c, &s, &path).await;
        assert_eq!(st, 404, "[{b}] {path}");
    }
}
backend_test!(the_public_portal);

async fn refusals(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    trading(&s).await;
    let tendering = section_id(&s, "第三标段（排水工程）").await;

    // Each bidder sees its own receipt only, on the same section.
    let mut receipts = Vec::new();
    for user in ["bidder", "xinhe"] {
        let (c, _) = sign_in(&s, b, user).await;
        let (st, html) = page(&c, &s, &format!("/trading/bidding/{tendering}")).await;
        assert_eq!(st, 200, "[{b}] {user}'s bid page");
        let no: Vec<String> = {
            let mut tx = s.app.store.read().await.expect("read");
            tx.list_bids(Some(&tendering))
                .await
                .expect("bids")
                .into_iter()
                .map(|x| x.receipt_no)
                .collect()
        };
        let shown: Vec<&String> = no.iter().filter(|r| html.contains(r.as_str())).collect();
        assert_eq!(shown.len(), 1, "[{b}] {user} sees exactly one receipt");
        receipts.push(shown[0].clone());
    }
    assert_ne!(receipts[0], receipts[1], "[{b}] not the other's receipt");

    // Someone who is not a bidder has no bid page; a bidder has no centre desk.
    let (c, csrf) = sign_in(&s, b, "tenderee").await;
    let (st, _) = page(&c, &s, &format!("/trading/bidding/{tendering}")).await;
    assert_eq!(st, 403, "[{b}] the tenderee has no bid page");
    let pending = section_id(&s, "第一标段（道路工程）").await;
    let r = c
        .post(s.url(&format!("/trading/centre/{pending}/accept")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), 403, "[{b}] the tenderee cannot accept an entry");
    let (bc, _) = sign_in(&s, b, "bidder").await;
    let (st, _) = page(&bc, &s, "/trading/centre").await;
    assert_eq!(st, 403, "[{b}] a bidder has no centre desk");
    let (c, csrf) = sign_in(&s, b, "trading").await;
    let r = c
        .post(s.url(&format!("/trading/centre/{pending}/accept")))
        .form(&[("_csrf", "wrong")])
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), 403, "[{b}] a wrong CSRF token");
    let still = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.get_section(&pending)
            .await
            .expect("get")
            .expect("section")
    };
    assert!(still.transaction_code.is_none(), "[{b}] nothing accepted");
    let r = c
        .post(s.url(&format!("/trading/centre/{pending}/accept")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), 303, "[{b}] the centre accepts");
    let (st, html) = page(&c, &s, "/trading/centre").await;
    assert_eq!(st, 200, "[{b}] centre desk");
    assert!(html.contains("centre-accepted"), "[{b}] accepted list");
}
backend_test!(refusals);

fn multipart(boundary: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("input {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').expect("end")].to_string()
}

async fn a_tender_published_through_the_pages(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    trading(&s).await;
    let (t, tcsrf) = sign_in(&s, b, "tenderee").await;
    let (st, html) = page(&t, &s, "/trading/tenders").await;
    assert_eq!(st, 200, "[{b}] my tenders");
    let centre = option_of(&html, "宿迁市公共资源交易中心");
    let form = [
        ("_csrf", tcsrf.as_str()),
        ("code", "SQ-2026-PAGE-001"),
        ("name", "宿迁市页面测试工程"),
        ("centre", centre.as_str()),
        ("section", "唯一标段"),
        ("field", "construction"),
        ("method", "open_tender"),
        ("estimated", "1000000.00"),
        ("deposit", "20000.00"),
    ];
    let r = t
        .post(s.url("/trading/tenders"))
        .form(&form)
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 303, "[{b}] project created");
    let to = location(&r);
    let id = to.trim_start_matches("/trading/tenders/").to_string();
    // Too large a deposit is refused on the form, with the reason.
    let mut bad = form;
    bad[8] = ("deposit", "900000.00");
    bad[1] = ("code", "SQ-2026-PAGE-002");
    let r = t
        .post(s.url("/trading/tenders"))
        .form(&bad)
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 422, "[{b}] deposit over 2%");
    let html = r.text().await.expect("html");
    assert!(html.contains("role=\"alert\""), "[{b}] the reason is shown");
    assert!(
        html.contains("SQ-2026-PAGE-002"),
        "[{b}] the form keeps what was typed"
    );

    let (c, ccsrf) = sign_in(&s, b, "trading").await;
    let (_, desk) = page(&c, &s, "/trading/centre").await;
    assert!(
        desk.contains(&format!("/trading/centre/{id}/accept")),
        "[{b}] awaiting entry"
    );
    let r = c
        .post(s.url(&format!("/trading/centre/{id}/accept")))
        .form(&[("_csrf", ccsrf.as_str())])
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), 303, "[{b}] accepted");

    let boundary = "yiwang-trading-5e2a";
    let body = multipart(
        boundary,
        &[
            ("_csrf", tcsrf.as_str()),
            (
                "clauses",
                "投标人须具备市政公用工程施工总承包三级及以上资质。",
            ),
        ],
        ("招标文件.pdf", b"%PDF-1.7 page test"),
    );
    let r = t
        .post(s.url(&format!("/trading/tenders/{id}/documents")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 200, "[{b}] documents uploaded");
    let html = r.text().await.expect("html");
    assert!(
        html.contains("data-testid=\"publish\""),
        "[{b}] publish form offered"
    );
    let doc = input_value(&html, "document");
    let until = input_value(&html, "documents_until");
    let deadline = input_value(&html, "bid_deadline");
    // A deadline too early (tomorrow) is refused with the legal rule.
    let tomorrow = (chrono::Utc::now() + chrono::TimeDelta::hours(8 + 24))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = t
        .post(s.url(&format!("/trading/tenders/{id}/publish")))
        .form(&[
            ("_csrf", tcsrf.as_str()),
            ("document", doc.as_str()),
            ("documents_until", until.as_str()),
            ("bid_deadline", tomorrow.as_str()),
        ])
        .send()
        .await
        .expect("publish");
    assert_eq!(r.status(), 422, "[{b}] too early a deadline");
    let html = r.text().await.expect("html");
    assert!(html.contains("20"), "[{b}] the legal period is named");
    let r = t
        .post(s.url(&format!("/trading/tenders/{id}/publish")))
        .form(&[
            ("_csrf", tcsrf.as_str()),
            ("document", doc.as_str()),
            ("documents_until", until.as_str()),
            ("bid_deadline", deadline.as_str()),
        ])
        .send()
        .await
        .expect("publish");
    assert_eq!(r.status(), 303, "[{b}] published");
    assert_eq!(location(&r), format!("/trading/sections/{id}"));
    let (_, html) = page(
        &s.new_client(),
        &s,
        &format!("/trading?q={}", enc("页面测试")),
    )
    .await;
    assert!(html.contains("唯一标段"), "[{b}] on the portal");
}
backend_test!(a_tender_published_through_the_pages);

/// The value of the `<option value="…">` whose text is `label`.
fn option_of(html: &str, label: &str) -> String {
    let end = html.find(&format!(">{label}</option>")).expect("option");
    let head = &html[..end];
    let at = head.rfind("<option value=\"").expect("option") + 15;
    head[at..at + head[at..].find('"').expect("end")].to_string()
}
