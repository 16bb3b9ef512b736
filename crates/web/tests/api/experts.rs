//! 专家库与随机抽取 over HTTP on the demo data: the committee list refused to the tenderee before
//! check-in, the public record and verification of the demo's revealed draw (and a tampered copy
//! refused), 管用分离 (the centre neither decides nor reads a profile), the expert's own views,
//! the expert's page answering an invitation, a bad request listed, and the operations in the
//! OpenAPI document.

use serde_json::{Value, json};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, location, post_as, send_json, sign_in};

async fn section_id(s: &TestServer, name: &str) -> String {
    let mut tx = s.app.store.read().await.expect("read");
    tx.list_sections(None)
        .await
        .expect("sections")
        .into_iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("demo section {name}"))
        .id
}

backend_test!(draws_and_experts_over_http);
async fn draws_and_experts_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    yiwang_app::demo::trading::build(&s.app)
        .await
        .expect("trading demo");
    yiwang_app::demo::experts::build(&s.app)
        .await
        .expect("experts demo");
    let staff = demo_token(&s, "trading").await;
    let tenderee = demo_token(&s, "tenderee").await;
    let mgr = demo_token(&s, "expertmgr").await;
    let expert = demo_token(&s, "expert").await;

    // The sealed draw of the section tendering now.
    let tendering = section_id(&s, "第三标段（排水工程）").await;
    let (st, list) = send_json(
        b,
        get_as(&s, &format!("/api/v1/draws?section_id={tendering}"), &staff),
    )
    .await;
    assert_eq!(st, 200, "[{b}] draws of the section: {list}");
    let sealed = list[0]["id"].as_str().expect("draw id").to_string();
    assert_eq!(list[0]["status"], "drawn", "[{b}]");
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/draws/{sealed}/committee"), &tenderee),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        get_as(
            &s,
            &format!("/api/v1/draws?section_id={tendering}"),
            &tenderee,
        ),
        403,
        "forbidden",
    )
    .await;
    let (st, view) = send_json(
        b,
        get_as(&s, &format!("/api/v1/draws/{sealed}/committee"), &staff),
    )
    .await;
    assert_eq!(st, 200, "[{b}] the operator sees the list: {view}");
    assert_eq!(view["viewer"], "operator");
    assert_eq!(view["seats"].as_array().map(Vec::len), Some(5), "[{b}]");
    assert!(
        view["seats"][0]["name"].is_null(),
        "[{b}] no names before check-in"
    );
    expect_error(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/draws/{sealed}/record"))),
        409,
        "draw.not_revealed",
    )
    .await;

    // The revealed draw of the opened section: anyone recomputes it.
    let opened = section_id(&s, "第四标段（照明工程）").await;
    let (_, list) = send_json(
        b,
        get_as(&s, &format!("/api/v1/draws?section_id={opened}"), &staff),
    )
    .await;
    let revealed = list[0]["id"].as_str().expect("draw id").to_string();
    assert_eq!(list[0]["status"], "revealed", "[{b}]");
    let (st, record) = send_json(
        b,
        s.new_client()
            .get(s.url(&format!("/api/v1/draws/{revealed}/record"))),
    )
    .await;
    assert_eq!(st, 200, "[{b}] public record: {record}");
    let (st, verdict) = send_json(
        b,
        s.new_client()
            .post(s.url("/api/v1/draws/verify"))
            .json(&record),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        verdict["valid"], true,
        "[{b}] the demo draw verifies: {verdict}"
    );
    let mut tampered: Value = record.clone();
    tampered["record"]["request"]["lines"][0]["count"] = json!(4);
    let (_, verdict) = send_json(
        b,
        s.new_client()
            .post(s.url("/api/v1/draws/verify"))
            .json(&tampered),
    )
    .await;
    assert_eq!(verdict["valid"], false, "[{b}] a changed request fails");
    assert_eq!(verdict["code"], "draw.verify.result", "[{b}] {verdict}");

    // 管用分离: the centre neither decides nor reads a profile; the managing department does.
    let (st, experts) = send_json(b, get_as(&s, "/api/v1/experts?status=admitted", &mgr)).await;
    assert_eq!(st, 200, "[{b}] the managing department lists its experts");
    let one = experts[0]["id"].as_str().expect("expert id").to_string();
    let decision = json!({"event": "suspend", "reason": "年度考核不称职"});
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/experts/{one}/decisions"),
            &staff,
            &decision,
        ),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/experts/{one}"), &staff),
        403,
        "forbidden",
    )
    .await;
    expect_error(b, get_as(&s, "/api/v1/experts", &staff), 403, "forbidden").await;
    let (st, row) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/experts/{one}/decisions"),
            &mgr,
            &decision,
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] suspended: {row}");
    assert_eq!(row["status"], "suspended");
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/experts/{one}/decisions"),
            &mgr,
            &json!({"event": "dismiss", "reason": " "}),
        ),
        422,
        "expert.reason_required",
    )
    .await;

    // The same department's pages: the list, the record, a decision refused without a reason
    // and then recorded; the centre gets 403 on them.
    let (mgr_page, mgr_csrf) = sign_in(&s, b, "expertmgr").await;
    let r = mgr_page
        .get(s.url("/experts/manage?status=suspended"))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), 200, "[{b}] the managing department's list");
    let html = r.text().await.expect("html");
    assert!(
        html.contains(&format!("/experts/manage/{one}")),
        "[{b}] the suspended expert is listed"
    );
    let decide = |reason: &'static str| {
        mgr_page
            .post(s.url(&format!("/experts/manage/{one}")))
            .form(&[
                ("_csrf", mgr_csrf.as_str()),
                ("event", "reinstate"),
                ("reason", reason),
            ])
            .send()
    };
    let r = decide("  ").await.expect("post");
    assert_eq!(r.status(), 422, "[{b}] a decision needs its reason");
    let r = decide("整改完成，恢复抽取").await.expect("post");
    assert_eq!(r.status(), 303, "[{b}] reinstated");
    let (_, row) = send_json(b, get_as(&s, &format!("/api/v1/experts/{one}"), &mgr)).await;
    assert_eq!(row["expert"]["status"], "admitted", "[{b}] {row}");
    let (centre, _) = sign_in(&s, b, "trading").await;
    for path in [
        "/experts/manage".to_string(),
        format!("/experts/manage/{one}"),
    ] {
        let r = centre.get(s.url(&path)).send().await.expect("get");
        assert_eq!(
            r.status(),
            403,
            "[{b}] 管用分离: the centre may not open {path}"
        );
    }

    // The expert's own record and invitations.
    let (st, me) = send_json(b, get_as(&s, "/api/v1/experts/me", &expert)).await;
    assert_eq!(st, 200, "[{b}] {me}");
    assert_eq!(me["expert"]["status"], "admitted");
    let (st, invitations) =
        send_json(b, get_as(&s, "/api/v1/experts/me/invitations", &expert)).await;
    assert_eq!(st, 200);
    let invited = invitations
        .as_array()
        .expect("invitations")
        .iter()
        .find(|v| v["draw_id"] == sealed.as_str())
        .unwrap_or_else(|| panic!("[{b}] the sealed draw invites the demo expert: {invitations}"));
    assert_eq!(invited["state"], "invited", "[{b}]");

    // The same on the expert's page: when and where, nothing about the section; confirming it.
    let (client, csrf) = sign_in(&s, b, "expert").await;
    let html = client
        .get(s.url("/experts/me"))
        .send()
        .await
        .expect("expert page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("data-testid=\"invitation\"") && html.contains("第1评标室"),
        "[{b}] the invitation is on the page"
    );
    assert!(
        !html.contains("第三标段") && !html.contains("排水工程"),
        "[{b}] the page names no section before check-in"
    );
    let answer = |answer: &'static str, token: String| {
        client
            .post(s.url(&format!("/experts/me/invitations/{sealed}")))
            .form(&[("_csrf", token), ("answer", answer.to_string())])
            .send()
    };
    let r = answer("maybe", csrf.clone()).await.expect("post");
    assert_eq!(r.status(), 422, "[{b}] an unknown answer is refused");
    let r = answer("confirm", "forged".into()).await.expect("post");
    assert_eq!(r.status(), 403, "[{b}] a forged form token is refused");
    let r = answer("confirm", csrf.clone()).await.expect("post");
    assert_eq!(r.status(), 303, "[{b}] confirmed");
    assert_eq!(location(&r), "/experts/me?answered=confirm");
    let (_, invitations) =
        send_json(b, get_as(&s, "/api/v1/experts/me/invitations", &expert)).await;
    assert!(
        invitations
            .as_array()
            .expect("invitations")
            .iter()
            .any(|v| v["draw_id"] == sealed.as_str() && v["state"] == "confirmed"),
        "[{b}] the seat is confirmed: {invitations}"
    );
    let r = answer("confirm", csrf.clone()).await.expect("post");
    assert_eq!(r.status(), 409, "[{b}] a seat is confirmed once");
    // Someone who is no expert sees no invitation and no profile.
    let (other, _) = sign_in(&s, b, "tenderee").await;
    let html = other
        .get(s.url("/experts/me"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("您还不是库内专家"), "[{b}] not an expert");

    // A request breaking the committee rules lists every violation.
    let starts = yiwang_app::now_micros() + 10 * 86_400_000_000i64;
    let v = expect_error(
        b,
        post_as(
            &s,
            "/api/v1/draws",
            &staff,
            &json!({"section_id": tendering, "committee": "tender_evaluation", "starts_at": starts,
                "place": "第2评标室",
                "lines": [{"specialty": "A08", "scope": {"kind": "local"}, "count": 4, "reserve": 1, "fallback": null}]}),
        ),
        422,
        "draw.invalid_request",
    )
    .await;
    assert!(
        v["details"]["violations"].as_array().map(Vec::len) >= Some(2),
        "[{b}] too few and even: {v}"
    );

    let (_, doc) = send_json(b, s.new_client().get(s.url("/api/v1/openapi.json"))).await;
    for path in [
        "/api/v1/draws",
        "/api/v1/draws/{id}/committee",
        "/api/v1/draws/verify",
        "/api/v1/experts/{id}/decisions",
    ] {
        assert!(doc["paths"][path].is_object(), "[{b}] {path} is documented");
    }
    s.stop().await;
    db.cleanup().await;
}
