//! The case pages (办件): an online application through the pages — form, draft, materials,
//! submission with the query code, one 一次性告知 and its correction, acceptance, opinion,
//! decision, completion and delivery — with wrong-role clicks refused (403, nothing changes);
//! window registration; the public progress page and the public list without personal data.

use serde_json::json;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use super::{demo, demo_token, location, post_as, send_json, sign_in};

const BOUNDARY: &str = "yiwang-page-boundary-5e2a";
const MOBILE: &str = "13912345678";

/// A multipart body: text fields, then files `(field, filename, content)`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, name, content) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn pdf(what: &str) -> Vec<u8> {
    format!("%PDF-1.4 {what} {}\n%%EOF", yiwang_app::new_id()).into_bytes()
}

/// A published item of the Suqian market regulator (two required materials, one required
/// text field `applicant_name`).
async fn published_item(s: &TestServer, b: &str) -> String {
    let market = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.list_organisations("")
            .await
            .expect("orgs")
            .into_iter()
            .find(|o| o.name == "宿迁市市场监督管理局")
            .expect("market regulator")
            .id
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
            &json!({"org_id": market, "body": body}),
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
    item
}

/// The text of a `data-testid` element's content (up to the next `<`).
fn testid(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(rest[start..start + end].trim().to_string())
}

struct Who {
    client: reqwest::Client,
    csrf: String,
}

impl Who {
    async fn new(s: &TestServer, b: &str, user: &str) -> Who {
        let (client, csrf) = sign_in(s, b, user).await;
        Who { client, csrf }
    }

    async fn get(&self, s: &TestServer, path: &str) -> (u16, String) {
        let r = self.client.get(s.url(path)).send().await.expect("get");
        let st = r.status().as_u16();
        (st, r.text().await.expect("text"))
    }

    async fn post(&self, s: &TestServer, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(s.url(path))
            .form(&form)
            .send()
            .await
            .expect("post")
    }

    async fn upload(&self, s: &TestServer, case: &str, material: &str) -> reqwest::Response {
        let content = pdf(material);
        self.client
            .post(s.url(&format!("/cases/{case}/materials")))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(
                &[("_csrf", &self.csrf), ("material", material)],
                &[("file", "材料.pdf", &content)],
            ))
            .send()
            .await
            .expect("upload")
    }
}

/// The state label shown on the case page.
async fn shown_state(s: &TestServer, who: &Who, case: &str) -> (String, usize) {
    let (st, html) = who.get(s, &format!("/cases/{case}")).await;
    assert_eq!(st, 200, "case page: {html}");
    (
        testid(&html, "case-state").unwrap_or_default(),
        html.matches("<li><span class=\"t-when\">").count(),
    )
}

backend_test!(an_application_goes_through_the_case_pages);
async fn an_application_goes_through_the_case_pages(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let item = published_item(&s, b).await;
    let zw = Who::new(&s, b, "zhangwei").await;
    let window = Who::new(&s, b, "window").await;
    let approver = Who::new(&s, b, "approver").await;
    let id_number = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.find_user_by_username("zhangwei")
            .await
            .expect("find")
            .expect("zhangwei")
            .id_number
            .expect("id number")
    };

    // The hall item offers the application; the form is prefilled with the account holder.
    let (st, html) = zw.get(&s, &format!("/hall/items/{item}")).await;
    assert_eq!(st, 200, "[{b}] hall item");
    assert!(
        html.contains(&format!("/cases/apply/{item}")),
        "[{b}] apply link"
    );
    assert!(
        !html.contains("/cases/window/"),
        "[{b}] no window link for a citizen"
    );
    let (st, html) = zw.get(&s, &format!("/cases/apply/{item}")).await;
    assert_eq!(st, 200, "[{b}] apply page");
    assert!(html.contains(&id_number), "[{b}] prefilled ID number");
    assert!(
        html.contains("name=\"f_applicant_name\""),
        "[{b}] the item's field"
    );

    // Someone else's ID number is refused on the page, without a draft.
    let r = zw
        .post(
            &s,
            &format!("/cases/apply/{item}"),
            &[
                ("a_name", "张伟"),
                ("a_id", "110101199003074477"),
                ("a_mobile", MOBILE),
            ],
        )
        .await;
    assert_eq!(r.status(), 403, "[{b}] not the caller");
    // 暂存
    let r = zw
        .post(
            &s,
            &format!("/cases/apply/{item}"),
            &[
                ("a_name", "张伟"),
                ("a_id", &id_number),
                ("a_mobile", MOBILE),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] draft saved");
    let case = location(&r)
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .expect("case id")
        .to_string();
    // Submission names what is missing (the field and both materials).
    let r = zw.post(&s, &format!("/cases/{case}/do/submit"), &[]).await;
    assert_eq!(r.status(), 422, "[{b}] incomplete submission");
    let html = r.text().await.expect("text");
    assert!(
        html.contains("居民身份证"),
        "[{b}] the missing material is named"
    );
    let r = zw
        .post(
            &s,
            &format!("/cases/{case}/form"),
            &[
                ("item_id", &item),
                ("a_name", "张伟"),
                ("a_id", &id_number),
                ("a_mobile", MOBILE),
                ("f_applicant_name", "张伟"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] draft saved again");
    for m in ["食品经营许可申请书", "居民身份证"] {
        let r = zw.upload(&s, &case, m).await;
        assert_eq!(r.status(), 303, "[{b}] upload {m}");
    }
    // A wrong CSRF token on an upload changes nothing.
    let r = s
        .new_client()
        .post(s.url(&format!("/cases/{case}/materials")))
        .send()
        .await
        .expect("post");
    assert!(
        r.status() == 303 || r.status() == 403,
        "[{b}] signed out upload"
    );
    let r = zw.post(&s, &format!("/cases/{case}/do/submit"), &[]).await;
    assert_eq!(r.status(), 200, "[{b}] submitted");
    let html = r.text().await.expect("text");
    let number = testid(&html, "case-number").expect("number");
    let code = testid(&html, "query-code").expect("query code");
    assert_eq!(code.len(), 8, "[{b}] query code {code}");

    // The centre's inbox lists it; the citizen has no inbox.
    let (st, html) = window.get(&s, "/cases/inbox").await;
    assert_eq!(st, 200, "[{b}] inbox");
    assert!(
        html.contains(&number),
        "[{b}] the case is in the window's inbox"
    );
    let (st, _) = zw.get(&s, "/cases/inbox").await;
    assert_eq!(st, 403, "[{b}] no inbox for a citizen");

    // Wrong roles: the applicant and the approving officer may not accept or send a notice.
    let before = shown_state(&s, &zw, &case).await;
    for who in [&zw, &approver] {
        for action in ["accept", "notice", "not-accept", "deliver"] {
            let r = who
                .post(
                    &s,
                    &format!("/cases/{case}/do/{action}"),
                    &[("reason", "理由"), ("mode", "pickup")],
                )
                .await;
            assert_eq!(r.status(), 403, "[{b}] {action} by the wrong role");
        }
    }
    assert_eq!(
        shown_state(&s, &zw, &case).await,
        before,
        "[{b}] nothing changed"
    );
    // A form without its token changes nothing either.
    let r = window
        .client
        .post(s.url(&format!("/cases/{case}/do/accept")))
        .form(&[("_csrf", "0000")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "[{b}] wrong csrf");
    assert_eq!(
        shown_state(&s, &zw, &case).await,
        before,
        "[{b}] nothing changed"
    );

    // 一次性告知: the ID card copy is not legible.
    let r = window
        .post(
            &s,
            &format!("/cases/{case}/do/notice"),
            &[("defect", "居民身份证"), ("note", "复印件不清晰")],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] notice sent");
    let (_, html) = zw.get(&s, &format!("/cases/{case}")).await;
    assert!(
        html.contains("data-testid=\"open-notice\""),
        "[{b}] the notice is shown"
    );
    assert!(
        html.contains("复印件不清晰"),
        "[{b}] with the officer's note"
    );
    assert!(html.contains("/do/supply"), "[{b}] and a way to answer it");
    let r = zw.upload(&s, &case, "居民身份证").await;
    assert_eq!(r.status(), 303, "[{b}] corrected file");
    let (_, html) = zw.get(&s, &format!("/cases/{case}")).await;
    assert!(
        html.contains("data-testid=\"supplied\""),
        "[{b}] the notice shows the new file"
    );
    let r = zw.post(&s, &format!("/cases/{case}/do/supply"), &[]).await;
    assert_eq!(r.status(), 303, "[{b}] correction supplied");
    // A second notice naming what was already there at the first needs a reason, and is
    // recorded by electronic supervision.
    let second = [("defect", "食品经营许可申请书"), ("note", "缺少签章")];
    let r = window
        .post(&s, &format!("/cases/{case}/do/notice"), &second)
        .await;
    assert!(
        r.status().is_client_error(),
        "[{b}] second notice without a reason: {}",
        r.status()
    );
    let mut with_reason = second.to_vec();
    with_reason.push(("reason", "首次审核遗漏签章要求"));
    let r = window
        .post(&s, &format!("/cases/{case}/do/notice"), &with_reason)
        .await;
    assert_eq!(r.status(), 303, "[{b}] second notice with a reason");
    let r = zw.post(&s, &format!("/cases/{case}/do/supply"), &[]).await;
    assert_eq!(r.status(), 303, "[{b}] second correction supplied");
    let supervisor = Who::new(&s, b, "supervisor").await;
    let (st, html) = supervisor.get(&s, "/cases/supervision").await;
    assert_eq!(st, 200, "[{b}] supervision overview");
    assert!(
        html.contains("宿迁市政务服务中心"),
        "[{b}] the centre's repeated notice"
    );
    // A department's inbox from the overview.
    let at = html.find("/cases/inbox?org=").expect("a department link");
    let link: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let (st, inbox) = supervisor.get(&s, &link).await;
    assert_eq!(st, 200, "[{b}] a department's inbox for the supervisor");
    assert!(
        inbox.contains(&number),
        "[{b}] the case in the centre's inbox"
    );
    let (st, _) = zw.get(&s, &link).await;
    assert_eq!(st, 403, "[{b}] not for a citizen");

    // Acceptance, the approving officer's opinion, the decision, completion, delivery.
    let r = window
        .post(&s, &format!("/cases/{case}/do/accept"), &[])
        .await;
    assert_eq!(r.status(), 303, "[{b}] accepted");
    let (_, html) = approver.get(&s, &format!("/cases/{case}")).await;
    assert!(
        html.contains("data-testid=\"opinion-form\""),
        "[{b}] opinion form"
    );
    assert!(
        !html.contains("/do/approve"),
        "[{b}] no decision before the opinion"
    );
    let r = approver
        .post(
            &s,
            &format!("/cases/{case}/do/opinion"),
            &[
                ("task", "step1"),
                ("verdict", "agree"),
                ("comment", "同意。"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] opinion");
    let r = window
        .post(
            &s,
            &format!("/cases/{case}/do/approve"),
            &[("note", "准予。")],
        )
        .await;
    assert_eq!(r.status(), 403, "[{b}] the window may not decide");
    let r = approver
        .post(
            &s,
            &format!("/cases/{case}/do/approve"),
            &[("note", "准予。")],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] approved");
    let r = approver
        .post(&s, &format!("/cases/{case}/do/complete"), &[])
        .await;
    assert_eq!(r.status(), 303, "[{b}] completed");
    let r = window
        .post(
            &s,
            &format!("/cases/{case}/do/deliver"),
            &[("mode", "post"), ("tracking_number", "x")],
        )
        .await;
    assert_eq!(r.status(), 422, "[{b}] a bad tracking number");
    let r = window
        .post(
            &s,
            &format!("/cases/{case}/do/deliver"),
            &[("mode", "post"), ("tracking_number", "SF1234567890")],
        )
        .await;
    assert_eq!(r.status(), 303, "[{b}] delivered");
    let (state, _) = shown_state(&s, &zw, &case).await;
    assert_eq!(state, "已送达", "[{b}] delivered");
    let (_, html) = zw.get(&s, "/cases/mine").await;
    assert!(html.contains(&number), "[{b}] in my cases");

    // The public progress page, without a session: every step; a wrong code shows nothing.
    let anon = s.new_client();
    let r = anon
        .get(s.url(&format!("/cases/progress?number={number}&code={code}")))
        .send()
        .await
        .expect("progress");
    assert_eq!(r.status(), 200, "[{b}] progress");
    let html = r.text().await.expect("text");
    for step in [
        "提交申报",
        "一次性告知补正",
        "提交补正材料",
        "受理",
        "准予",
        "办结",
        "送达",
    ] {
        assert!(html.contains(step), "[{b}] progress shows {step}");
    }
    assert!(
        !html.contains(&id_number),
        "[{b}] no ID number in the progress"
    );
    let r = anon
        .get(s.url(&format!("/cases/progress?number={number}&code=AAAAAAAA")))
        .send()
        .await
        .expect("progress");
    assert_eq!(r.status(), 404, "[{b}] wrong code");
    assert!(
        !r.text()
            .await
            .expect("text")
            .contains("data-testid=\"progress\"")
    );
}

backend_test!(window_registration_and_the_public_list_page);
async fn window_registration_and_the_public_list_page(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let item = published_item(&s, b).await;
    let window = Who::new(&s, b, "window").await;
    let zw = Who::new(&s, b, "zhangwei").await;
    let walk_in_id = yiwang_app::demo::demo_id_number("321302", "19800101", 777);
    let walk_in_id = walk_in_id.as_str();
    let walk_in_mobile = "13955556666";
    let fields = |csrf: &str| {
        vec![
            ("_csrf".to_string(), csrf.to_string()),
            ("a_kind".into(), "natural".into()),
            ("a_name".into(), "王小明".into()),
            ("a_id".into(), walk_in_id.into()),
            ("a_mobile".into(), walk_in_mobile.into()),
            ("f_applicant_name".into(), "王小明".into()),
        ]
    };
    let send = |who: &Who| {
        let f = fields(&who.csrf);
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let content = pdf("申请书");
        who.client
            .post(s.url(&format!("/cases/window/{item}")))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&refs, &[("file_0", "申请书.pdf", &content)]))
    };
    // The hall shows the window officer the registration link; a citizen may not register.
    let (_, html) = window.get(&s, &format!("/hall/items/{item}")).await;
    assert!(
        html.contains(&format!("/cases/window/{item}")),
        "[{b}] window link"
    );
    let (st, _) = zw.get(&s, &format!("/cases/window/{item}")).await;
    assert_eq!(st, 403, "[{b}] a citizen may not open the window form");
    let r = send(&zw).send().await.expect("post");
    assert_eq!(r.status(), 403, "[{b}] a citizen may not register");
    let r = send(&window).send().await.expect("post");
    assert_eq!(r.status(), 200, "[{b}] registered");
    let html = r.text().await.expect("text");
    let number = testid(&html, "case-number").expect("number");
    // The ID card copy was not brought: the case page lists it for the notice.
    let (_, html) = window.get(&s, "/cases/inbox").await;
    let at = html.find(&number).expect("in the inbox");
    let href = html[..at].rfind("/cases/").expect("link");
    let case: String = html[href + 7..at]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let (st, html) = window.get(&s, &format!("/cases/{case}")).await;
    assert_eq!(st, 200, "[{b}] case page for the window");
    assert!(
        html.contains("data-testid=\"send-notice\""),
        "[{b}] notice form"
    );
    assert!(
        html.contains("缺少的必要材料将自动列入告知书"),
        "[{b}] missing listed"
    );
    // Someone else's case is not shown to a citizen.
    let (st, _) = zw.get(&s, &format!("/cases/{case}")).await;
    assert_eq!(st, 404, "[{b}] not the citizen's case");

    // The supervision overview: for supervisors, not for citizens.
    let supervisor = Who::new(&s, b, "supervisor").await;
    let (st, html) = supervisor.get(&s, "/cases/supervision").await;
    assert_eq!(st, 200, "[{b}] supervision overview");
    assert!(html.contains("电子监察"), "[{b}] supervision heading");
    let (st, _) = zw.get(&s, "/cases/supervision").await;
    assert_eq!(st, 403, "[{b}] no supervision for a citizen");

    // The public list page, signed out: the masked name, no ID or phone number.
    let r = s
        .new_client()
        .get(s.url("/cases/public"))
        .send()
        .await
        .expect("public");
    assert_eq!(r.status(), 200, "[{b}] public list page");
    let html = r.text().await.expect("text");
    assert!(html.contains(&number), "[{b}] the case is listed");
    assert!(html.contains("王*"), "[{b}] the masked name");
    assert!(!html.contains("王小明"), "[{b}] no full name");
    assert!(!html.contains(walk_in_id), "[{b}] no ID number");
    assert!(!html.contains(walk_in_mobile), "[{b}] no phone number");
    let digits = regex_like_long_digits(&html);
    assert!(digits.is_empty(), "[{b}] no long digit runs: {digits:?}");
}

/// Runs of 11 or more digits outside case numbers (which start with the region code and a
/// date and are shown in `mono` cells).
fn regex_like_long_digits(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in html.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == 'X' && run.len() == 17) {
            run.push(c);
        } else {
            if run.len() >= 11 && !html.contains(&format!("<td class=\"mono\">{run}")) {
                out.push(run.clone());
            }
            run.clear();
        }
    }
    out
}
