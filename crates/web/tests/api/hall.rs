//! The online hall (查、看、问) and the catalogue-management pages, through real HTTP.

use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, hidden_csrf, location, sign_in};

/// The demo organisations and accounts, and the demo catalogue (about 230 items, 6 bundles).
async fn hall(s: &TestServer) {
    demo(s).await;
    yiwang_app::demo::build_catalog(&s.app)
        .await
        .expect("demo catalogue");
}

async fn page(c: &reqwest::Client, s: &TestServer, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

/// The id in the first `href="{prefix}{id}"` after `after` in a page.
fn link_after(html: &str, after: &str, prefix: &str) -> Option<String> {
    let from = html.find(after)?;
    // The link that precedes the text (search hits: `<a href=…>name`).
    let head = &html[..from];
    let at = head.rfind(&format!("href=\"{prefix}"))?;
    let rest = &html[at + 6 + prefix.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The id of the first search hit whose name starts with `name`.
async fn item_id(s: &TestServer, b: &str, q: &str, name: &str) -> String {
    let (st, html) = page(&s.new_client(), s, &format!("/hall/search?q={}", enc(q))).await;
    assert_eq!(st, 200, "[{b}] search {q}");
    link_after(&html, &format!(">{name}"), "/hall/items/")
        .unwrap_or_else(|| panic!("[{b}] no hit {name} for {q}"))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A multipart/form-data body.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----yiwang-test-7d1f0a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, filename, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

backend_test!(search_guide_bundle_stats_and_downloads);
async fn search_guide_bundle_stats_and_downloads(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    hall(&s).await;
    let c = s.new_client();

    // The hall home: search box, life events, headline figures.
    let (st, html) = page(&c, &s, "/hall").await;
    assert_eq!(st, 200, "[{b}] /hall");
    assert!(html.contains("action=\"/hall/search\""), "[{b}] search box");
    assert!(html.contains("name=\"q\""), "[{b}] search input");
    assert!(html.contains("/hall/bundles/"), "[{b}] life events");
    assert!(html.contains("企业开办一件事"), "[{b}] bundle card");

    // 查: everyday words find the licence.
    let (st, html) = page(&c, &s, &format!("/hall/search?q={}", enc("开饭店"))).await;
    assert_eq!(st, 200, "[{b}] search");
    assert!(html.contains("食品经营许可"), "[{b}] 开饭店 → 食品经营许可");
    assert!(html.contains("共找到"), "[{b}] total shown");
    assert!(html.contains("网上可办"), "[{b}] flag badges");
    assert!(html.contains("承诺时限"), "[{b}] promised days");
    // Facets add filters; the active filter can be removed.
    let facet = format!("type={}", enc("行政许可"));
    assert!(html.contains(&facet), "[{b}] item-type facet link");
    let (st, filtered) = page(
        &c,
        &s,
        &format!("/hall/search?q={}&{facet}&flag=online", enc("开饭店")),
    )
    .await;
    assert_eq!(st, 200, "[{b}] filtered search");
    assert!(filtered.contains("class=\"chip\""), "[{b}] active filters");
    assert!(filtered.contains("食品经营许可"), "[{b}] filtered hit");
    // Paging past the first page of a browse.
    let (st, p2) = page(&c, &s, "/hall/search?page=2").await;
    assert_eq!(st, 200, "[{b}] page 2");
    assert!(p2.contains("aria-current=\"page\""), "[{b}] pager");
    // Too long a query: the page with the error, 400.
    let long = "长".repeat(101);
    let (st, html) = page(&c, &s, &format!("/hall/search?q={}", enc(&long))).await;
    assert_eq!(st, 400, "[{b}] over-long query");
    assert!(html.contains("role=\"alert\""), "[{b}] error shown");
    assert!(html.contains("100"), "[{b}] the limit is named");

    // 看: the guide with the six openness elements.
    let id = item_id(&s, b, "开饭店", "食品经营许可(新办)").await;
    let (st, html) = page(&c, &s, &format!("/hall/items/{id}")).await;
    assert_eq!(st, 200, "[{b}] guide page");
    for t in [
        "open-content",
        "open-procedure",
        "open-basis",
        "open-materials",
        "open-limit",
        "open-fees",
    ] {
        assert!(
            html.contains(&format!("data-testid=\"{t}\"")),
            "[{b}] section {t} missing"
        );
    }
    assert!(html.contains("011000201000"), "[{b}] code");
    assert!(html.contains("宿迁市市场监督管理局"), "[{b}] department");
    assert!(html.contains("《中华人民共和国食品安全法》"), "[{b}] basis");
    assert!(html.contains("个工作日"), "[{b}] limits in working days");
    assert!(
        !html.contains("data-testid=\"suspended\""),
        "[{b}] not suspended"
    );
    assert!(
        html.contains("href=\"/login\""),
        "[{b}] anonymous: sign in to ask"
    );
    assert!(
        !html.contains("action=\"/hall/items/"),
        "[{b}] no ask form for anonymous viewers"
    );
    // An earlier version renders the same way.
    let (st, v1) = page(&c, &s, &format!("/hall/items/{id}/versions/1")).await;
    assert_eq!(st, 200, "[{b}] version 1");
    assert!(
        v1.contains("data-testid=\"open-fees\""),
        "[{b}] version page"
    );

    // Download of the blank form: type, attachment with the UTF-8 name, nosniff.
    let marker = "data-testid=\"download-form\" href=\"/hall/files/";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("[{b}] no blank-form link"))
        + marker.len();
    let file = html[at..at + html[at..].find('"').unwrap()].to_string();
    let r = c
        .get(s.url(&format!("/hall/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "[{b}] download");
    let h = |k: &str| {
        r.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        h("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "[{b}]"
    );
    let cd = h("content-disposition");
    assert!(
        cd.starts_with("attachment; filename*=UTF-8''%E9%A3%9F"),
        "[{b}] disposition {cd}"
    );
    assert!(cd.ends_with(".xlsx"), "[{b}] {cd}");
    assert_eq!(h("x-content-type-options"), "nosniff", "[{b}]");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "[{b}] an XLSX file");
    let (st, _) = page(&c, &s, "/hall/files/no-such-file").await;
    assert_eq!(st, 404, "[{b}] unknown file");

    // Unknown item: a 404 page.
    let (st, html) = page(&c, &s, "/hall/items/no-such-item").await;
    assert_eq!(st, 404, "[{b}] unknown item");
    assert!(html.contains("<html"), "[{b}] an HTML page");
    let (st, _) = page(&c, &s, &format!("/hall/items/{id}/versions/99")).await;
    assert_eq!(st, 404, "[{b}] unknown version");

    // A life event: its items, one material list, one form.
    let (_, home) = page(&c, &s, "/hall").await;
    let bundle = link_after(&home, "企业开办一件事", "/hall/bundles/")
        .unwrap_or_else(|| panic!("[{b}] no bundle link"));
    let (st, html) = page(&c, &s, &format!("/hall/bundles/{bundle}")).await;
    assert_eq!(st, 200, "[{b}] bundle page");
    assert!(html.contains("data-testid=\"bundle-materials\""), "[{b}]");
    assert!(html.contains("data-testid=\"bundle-form\""), "[{b}]");
    assert!(html.contains("/hall/items/"), "[{b}] links to its items");
    let (st, _) = page(&c, &s, "/hall/bundles/nope").await;
    assert_eq!(st, 404, "[{b}] unknown bundle");

    // Statistics.
    let (st, html) = page(&c, &s, "/hall/stats").await;
    assert_eq!(st, 200, "[{b}] stats");
    assert!(html.contains("行政许可"), "[{b}] by type");
    assert!(html.contains('%'), "[{b}] shares");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(asking_needs_sign_in_and_csrf_and_staff_answer);
async fn asking_needs_sign_in_and_csrf_and_staff_answer(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    hall(&s).await;
    let id = item_id(&s, b, "开饭店", "食品经营许可(新办)").await;
    let ask = format!("/hall/items/{id}/ask");

    // Anonymous: sent to sign in.
    let r = s
        .new_client()
        .post(s.url(&ask))
        .form(&[("question", "需要带公章吗?")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "[{b}] anonymous ask");
    assert_eq!(location(&r), "/login", "[{b}]");

    let (c, csrf) = sign_in(&s, b, "zhangwei").await;
    let (st, html) = page(&c, &s, &format!("/hall/items/{id}")).await;
    assert_eq!(st, 200, "[{b}]");
    assert!(
        html.contains(&format!("action=\"{ask}\"")),
        "[{b}] ask form"
    );
    assert!(html.contains("name=\"question\""), "[{b}] textarea");
    // Without or with a wrong token: refused.
    for token in ["", "0000"] {
        let r = c
            .post(s.url(&ask))
            .form(&[("_csrf", token), ("question", "需要带公章吗?")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "[{b}] csrf {token:?}");
    }
    // Empty question: the page again with the error.
    let r = c
        .post(s.url(&ask))
        .form(&[("_csrf", csrf.as_str()), ("question", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "[{b}] empty question");
    assert!(r.text().await.unwrap().contains("role=\"alert\""), "[{b}]");
    // A real question: back to the item with a thank-you.
    let r = c
        .post(s.url(&ask))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("question", "个体户需要带公章吗?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] ask");
    let back = location(&r);
    assert!(
        back.starts_with(&format!("/hall/items/{id}?asked=1")),
        "[{b}] {back}"
    );
    let (_, html) = page(&c, &s, &back).await;
    assert!(html.contains("感谢您的咨询"), "[{b}] thank-you");

    // The department's approving officer answers and publishes it as an FAQ.
    let (staff, staff_csrf) = sign_in(&s, b, "approver").await;
    let (st, html) = page(&staff, &s, "/catalog/questions").await;
    assert_eq!(st, 200, "[{b}] queue");
    assert!(
        html.contains("个体户需要带公章吗?"),
        "[{b}] question queued"
    );
    let at = html.find("action=\"/catalog/questions/").unwrap();
    let rest = &html[at + "action=\"".len()..];
    let action = rest[..rest.find('"').unwrap()].to_string();
    let r = staff
        .post(s.url(&action))
        .form(&[("_csrf", "bad"), ("answer", "不需要。")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] answer csrf");
    let r = staff
        .post(s.url(&action))
        .form(&[
            ("_csrf", staff_csrf.as_str()),
            ("answer", "个体工商户无需公章,签字即可。"),
            ("publish_faq", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] answer");
    let (_, html) = page(&s.new_client(), &s, &format!("/hall/items/{id}")).await;
    assert!(html.contains("常见问题"), "[{b}] FAQ section");
    assert!(
        html.contains("个体工商户无需公章"),
        "[{b}] FAQ answer public"
    );
    // An applicant has no queue.
    let (st, _) = page(&c, &s, "/catalog/questions").await;
    assert_eq!(st, 403, "[{b}] applicant queue");

    s.stop().await;
    db.cleanup().await;
}

backend_test!(a_manager_publishes_suspends_and_edits_through_the_forms);
async fn a_manager_publishes_suspends_and_edits_through_the_forms(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    hall(&s).await;
    let id = item_id(&s, b, "开饭店", "食品经营许可(新办)").await;

    // Only catalogue managers.
    let r = s.new_client().get(s.url("/catalog")).send().await.unwrap();
    assert!(r.status().is_redirection(), "[{b}] anonymous /catalog");
    let (applicant, _) = sign_in(&s, b, "zhangwei").await;
    let (st, _) = page(&applicant, &s, "/catalog").await;
    assert_eq!(st, 403, "[{b}] applicant /catalog");

    let (c, csrf) = sign_in(&s, b, "catalog").await;
    let (st, html) = page(&c, &s, "/catalog").await;
    assert_eq!(st, 200, "[{b}] /catalog");
    assert!(
        html.contains(&format!("id=\"item-{id}\"")),
        "[{b}] item listed"
    );
    assert!(html.contains("/catalog/export.csv"), "[{b}] export link");
    assert!(hidden_csrf(&html).is_some(), "[{b}] forms carry the token");
    let status = format!("/catalog/items/{id}/status");
    assert!(
        html.contains(&format!("action=\"{status}\"")),
        "[{b}] buttons"
    );

    // A wrong token changes nothing.
    let r = c
        .post(s.url(&status))
        .form(&[("_csrf", "nope"), ("action", "suspend")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] csrf");
    // Suspend: the guide shows the banner.
    let r = c
        .post(s.url(&status))
        .form(&[("_csrf", csrf.as_str()), ("action", "suspend")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] suspend");
    assert!(location(&r).starts_with("/catalog?msg=suspend"), "[{b}]");
    let (_, html) = page(&s.new_client(), &s, &format!("/hall/items/{id}")).await;
    assert!(html.contains("data-testid=\"suspended\""), "[{b}] banner");
    assert!(html.contains("暂停办理"), "[{b}] 暂停办理");
    // Suspending twice is refused with the page and a conflict.
    let r = c
        .post(s.url(&status))
        .form(&[("_csrf", csrf.as_str()), ("action", "suspend")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "[{b}] suspend twice");
    assert!(r.text().await.unwrap().contains("role=\"alert\""), "[{b}]");
    // Resume.
    let r = c
        .post(s.url(&status))
        .form(&[("_csrf", csrf.as_str()), ("action", "resume")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] resume");
    let (_, html) = page(&s.new_client(), &s, &format!("/hall/items/{id}")).await;
    assert!(!html.contains("data-testid=\"suspended\""), "[{b}] resumed");

    // The editor: inputs named as the table columns, list fields one entry per line.
    let edit = format!("/catalog/items/{id}/edit");
    let (st, html) = page(&c, &s, &edit).await;
    assert_eq!(st, 200, "[{b}] editor");
    for col in yiwang_core::catalog::table::COLUMNS {
        if !matches!(*col, "department" | "status") {
            assert!(
                html.contains(&format!("name=\"{col}\"")),
                "[{b}] input {col}"
            );
        }
    }
    assert!(
        html.contains("开饭店\n开餐馆"),
        "[{b}] aliases one per line"
    );
    // Read the form back as the browser would send it.
    let form = form_of(&html, &edit);
    // A bad edit: the form again with the field error, 422.
    let mut bad = form.clone();
    set(&mut bad, "promised_limit_days", "99");
    let r = c.post(s.url(&edit)).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422, "[{b}] bad edit");
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"field-error\""), "[{b}] field error");
    assert!(html.contains("承诺时限"), "[{b}] the rule is named");
    // A good edit makes a draft version 2; publishing it from the list.
    let mut good = form.clone();
    set(&mut good, "promised_limit_days", "4");
    let r = c.post(s.url(&edit)).form(&good).send().await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] save");
    let (_, list) = page(&c, &s, "/catalog").await;
    assert!(list.contains("v2"), "[{b}] draft v2 listed");
    let r = c
        .post(s.url(&status))
        .form(&[("_csrf", csrf.as_str()), ("action", "publish")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] publish v2");
    let (_, html) = page(&s.new_client(), &s, &format!("/hall/items/{id}")).await;
    assert!(html.contains("v2"), "[{b}] v2 in force");
    assert!(
        html.contains(&format!("/hall/items/{id}/versions/1")),
        "[{b}] link to v1"
    );
    // The blank form survived the edit.
    assert!(
        html.contains("data-testid=\"download-form\""),
        "[{b}] files kept"
    );

    // Export for the managed subtree.
    let r = c.get(s.url("/catalog/export.csv")).send().await.unwrap();
    assert_eq!(r.status(), 200, "[{b}] export");
    let cd = r
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(cd.starts_with("attachment"), "[{b}] {cd}");
    let text = r.text().await.unwrap();
    assert!(text.contains("code,name,aliases"), "[{b}] header row");
    assert!(text.contains("011000201000"), "[{b}] items");

    s.stop().await;
    db.cleanup().await;
}

/// The named inputs of the form posting to `action` (inputs, selected options, textareas).
fn form_of(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("action=\"{action}\"")).expect("form");
    let end = start + html[start..].find("</form>").expect("form end");
    let f = &html[start..end];
    let unescape = |s: &str| {
        s.replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#38;", "&")
    };
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(unescape(&tag[at..at + tag[at..].find('"')?]))
    };
    let mut out = Vec::new();
    let mut rest = f;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if tag.starts_with("<input") {
            if let (Some(n), v) = (attr(tag, "name"), attr(tag, "value")) {
                out.push((n, v.unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let n = attr(tag, "name").unwrap_or_default();
            let body = &rest[tag_end + 1..];
            let v = &body[..body.find("</textarea>").unwrap_or(0)];
            out.push((n, unescape(v)));
        } else if tag.starts_with("<select") {
            let n = attr(tag, "name").unwrap_or_default();
            let body = &rest[tag_end..];
            let sel = &body[..body.find("</select>").unwrap_or(0)];
            let v = sel
                .split("<option")
                .find(|o| o.contains(" selected"))
                .or_else(|| sel.split("<option").nth(1))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            out.push((n, v));
        }
        rest = &rest[1..];
    }
    out
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if k == key {
            *v = value.to_string();
        }
    }
}

backend_test!(an_import_with_one_bad_row_imports_nothing_and_lists_the_row);
async fn an_import_with_one_bad_row_imports_nothing_and_lists_the_row(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let (c, csrf) = sign_in(&s, b, "catalog").await;
    let header = yiwang_core::catalog::table::COLUMNS.join(",");
    let good = "011999901001,食品经营许可(测试),开饭店,行政许可,宿迁市市场监督管理局,市级,《中华人民共和国食品安全法》|第三十五条,20,5,,食品经营许可申请书|原件|1|必要|否,,是,是,是,承诺件,,受理|window_officer|1;审查|approving_officer|3,证照,食品经营许可证,窗口领取,依法取得营业执照,,0527-84000001,12345,,published";
    let bad = "011999901002,营业执照(测试),,行政许可,宿迁市市场监督管理局,市级,《条例》|第三条,10,15,,申请书|原件|1|必要|否,,是,是,是,承诺件,,受理|window_officer|1,证照,营业执照,窗口领取,投资人,,0527-84000002,12345,,published";
    let csv = format!("{header}\n{good}\n{bad}\n");

    // Without the token: refused.
    let (ct, body) = multipart(&[("_csrf", "x")], &[("file", "items.csv", csv.as_bytes())]);
    let r = c
        .post(s.url("/catalog/import"))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] import csrf");

    let (ct, body) = multipart(
        &[("_csrf", csrf.as_str())],
        &[("file", "items.csv", csv.as_bytes())],
    );
    let r = c
        .post(s.url("/catalog/import"))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "[{b}] bad import");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"import-errors\""),
        "[{b}] error table"
    );
    assert!(html.contains("<td>3</td>"), "[{b}] line 3 listed");
    assert!(html.contains("promised_limit_days"), "[{b}] column named");
    assert!(
        !html.contains("<td>2</td>"),
        "[{b}] the good row is not an error"
    );
    {
        let mut tx = s.app.store.read().await.unwrap();
        assert!(
            tx.items_by_code("011999901001").await.unwrap().is_empty(),
            "[{b}] nothing imported"
        );
    }
    let (_, search) = page(
        &c,
        &s,
        &format!("/hall/search?q={}", enc("食品经营许可(测试)")),
    )
    .await;
    assert!(
        !search.contains(">食品经营许可(测试)</a>"),
        "[{b}] not searchable"
    );

    // No file: 400 with the message.
    let (ct, body) = multipart(&[("_csrf", csrf.as_str())], &[]);
    let r = c
        .post(s.url("/catalog/import"))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "[{b}] no file");

    // The good row alone imports and is published.
    let csv = format!("{header}\n{good}\n");
    let (ct, body) = multipart(
        &[("_csrf", csrf.as_str())],
        &[("file", "items.csv", csv.as_bytes())],
    );
    let r = c
        .post(s.url("/catalog/import"))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "[{b}] good import");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"import-report\""),
        "[{b}] report"
    );
    let (_, search) = page(&c, &s, &format!("/hall/search?q={}", enc("开饭店"))).await;
    assert!(
        search.contains(">食品经营许可(测试)</a>"),
        "[{b}] now searchable"
    );

    // A blank form uploaded through the editor is downloadable from the guide.
    let id = item_id(&s, b, "开饭店", "食品经营许可(测试)").await;
    let (ct, body) = multipart(
        &[
            ("_csrf", csrf.as_str()),
            ("material", "食品经营许可申请书"),
            ("role", "blank"),
        ],
        &[("file", "申请书.pdf", b"%PDF-1.4 test")],
    );
    let r = c
        .post(s.url(&format!("/catalog/items/{id}/files")))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] upload");
    let (ct, body) = multipart(
        &[
            ("_csrf", csrf.as_str()),
            ("material", "无此材料"),
            ("role", "blank"),
        ],
        &[("file", "x.pdf", b"%PDF-1.4")],
    );
    let r = c
        .post(s.url(&format!("/catalog/items/{id}/files")))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "[{b}] unknown material");

    // A new item through the editor: the same parser, errors beside the fields.
    let (st, html) = page(&c, &s, "/catalog/items/new").await;
    assert_eq!(st, 200, "[{b}] new item form");
    let mut form = form_of(&html, "/catalog/items/new");
    let (st, html) = page(&c, &s, "/catalog").await;
    assert_eq!(st, 200);
    assert!(html.contains("食品经营许可(测试)"), "[{b}] listed");
    let dept = {
        let (_, h) = page(&c, &s, "/catalog/items/new").await;
        let at = h.find(">宿迁市市场监督管理局<").expect("department option");
        let head = &h[..at];
        let v = head.rfind("value=\"").unwrap() + 7;
        head[v..v + head[v..].find('"').unwrap()].to_string()
    };
    set(&mut form, "department", &dept);
    set(&mut form, "code", "0119999");
    set(&mut form, "name", "测试事项");
    let r = c
        .post(s.url("/catalog/items/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "[{b}] bad new item");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"e-code\""),
        "[{b}] code error beside the input"
    );
    set(&mut form, "code", "011999901003");
    set(
        &mut form,
        "legal_basis",
        "《中华人民共和国行政许可法》|第十二条",
    );
    set(
        &mut form,
        "materials",
        "申请书|原件|1|必要|否\n身份证|复印件|1|必要|是",
    );
    set(&mut form, "result_name", "测试证");
    set(&mut form, "conditions", "测试条件");
    let r = c
        .post(s.url("/catalog/items/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}] create");
    assert!(location(&r).ends_with("/edit?msg=created"), "[{b}]");
    {
        let mut tx = s.app.store.read().await.unwrap();
        assert_eq!(
            tx.items_by_code("011999901003").await.unwrap().len(),
            1,
            "[{b}] created"
        );
    }

    s.stop().await;
    db.cleanup().await;
}

backend_test!(a_manager_suspends_and_republishes_a_life_event);
async fn a_manager_suspends_and_republishes_a_life_event(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    hall(&s).await;
    let (c, csrf) = sign_in(&s, b, "catalog").await;
    let (st, html) = page(&c, &s, "/catalog/bundles").await;
    assert_eq!(st, 200, "[{b}]");
    let id = link_after(&html, ">企业开办一件事", "/hall/bundles/").expect("LE001 listed");
    let action = format!("/catalog/bundles/{id}/status");
    assert!(
        html.contains(&format!("action=\"{action}\"")),
        "[{b}] status buttons"
    );
    let r = c
        .post(s.url(&action))
        .form(&[("_csrf", "nope"), ("status", "suspended")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "[{b}] csrf");
    let r = c
        .post(s.url(&action))
        .form(&[("_csrf", csrf.as_str()), ("status", "suspended")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}]");
    let (st, _) = page(&s.new_client(), &s, &format!("/hall/bundles/{id}")).await;
    assert_eq!(st, 404, "[{b}] a suspended life event leaves the hall");
    let (_, html) = page(&c, &s, "/catalog/bundles").await;
    assert!(html.contains("暂停办理"), "[{b}] listed as suspended");
    let r = c
        .post(s.url(&action))
        .form(&[("_csrf", csrf.as_str()), ("status", "published")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "[{b}]");
    let (st, _) = page(&s.new_client(), &s, &format!("/hall/bundles/{id}")).await;
    assert_eq!(st, 200, "[{b}] republished");
    let window = sign_in(&s, b, "window").await;
    let r = window
        .0
        .post(s.url(&action))
        .form(&[("_csrf", window.1.as_str()), ("status", "suspended")])
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == 403 || r.status() == 404,
        "[{b}] a window officer cannot: {}",
        r.status()
    );
    s.stop().await;
    db.cleanup().await;
}
