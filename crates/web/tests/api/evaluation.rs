//! 评标 over HTTP on the demo data: the centre starts the evaluation of 第四标段 (opened, its
//! committee checked in) — a bad template listed, a tenderee refused, a second start refused; the
//! leader reviews; a member's scores stay hidden until it submits; the report compiled and signed
//! by every member with verifying signatures; the operations in the OpenAPI document.

use serde_json::{Value, json};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, post_as, send_json};

fn template() -> Value {
    serde_json::to_value(yiwang_app::demo::evaluation::demo_template()).expect("template")
}

fn sheet(bid: &str, plan: &str) -> Value {
    json!({ "bid_id": bid, "entries": [
        { "sub_criterion": "tech.plan", "points": plan, "comment": "" },
        { "sub_criterion": "tech.quality", "points": "12", "comment": "" },
        { "sub_criterion": "biz.credit", "points": "12.5", "comment": "" },
    ]})
}

backend_test!(an_evaluation_over_http);
async fn an_evaluation_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    yiwang_app::demo::trading::build(&s.app)
        .await
        .expect("trading demo");
    yiwang_app::demo::experts::build(&s.app)
        .await
        .expect("experts demo");
    let c = yiwang_app::demo::evaluation::committee_accounts(&s.app)
        .await
        .expect("committee accounts");
    let staff = demo_token(&s, "trading").await;
    let tenderee = demo_token(&s, "tenderee").await;
    let mut members = Vec::new();
    // The members' accounts: `expert-m…`, or the demo expert's own when the draw seated him.
    for a in &c.accounts {
        let user = s
            .app
            .store
            .read()
            .await
            .expect("read")
            .get_user(&a.user_id)
            .await
            .expect("user")
            .expect("member account");
        members.push(demo_token(&s, &user.username).await);
    }
    let start = json!({
        "section_id": c.section_id, "draw_id": c.draw_id, "template": template(),
        "leader": c.expert_ids[0], "hours": 8,
    });
    // A price weight above the cap: 422 with every violation.
    let mut heavy = start.clone();
    heavy["template"]["criteria"][0]["weight"] = json!("50");
    let v = expect_error(
        b,
        post_as(&s, "/api/v1/evaluations", &staff, &heavy),
        422,
        "evaluation.template",
    )
    .await;
    assert!(
        v["details"]["violations"]
            .as_array()
            .is_some_and(|l| !l.is_empty()),
        "[{b}] {v}"
    );
    expect_error(
        b,
        post_as(&s, "/api/v1/evaluations", &tenderee, &start),
        403,
        "forbidden",
    )
    .await;
    let (st, ev) = send_json(b, post_as(&s, "/api/v1/evaluations", &staff, &start)).await;
    assert_eq!(st, 201, "[{b}] start: {ev}");
    let id = ev["id"].as_str().expect("id").to_string();
    assert_eq!(ev["state"], "convened");
    expect_error(
        b,
        post_as(&s, "/api/v1/evaluations", &staff, &start),
        409,
        "evaluation.exists",
    )
    .await;
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/evaluations/{id}"), &tenderee),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        get_as(&s, "/api/v1/evaluations/nope", &staff),
        404,
        "not_found",
    )
    .await;
    let (st, list) = send_json(
        b,
        get_as(
            &s,
            &format!("/api/v1/tenders/sections/{}/evaluations", c.section_id),
            &members[2],
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {list}");
    assert_eq!(list, json!([id]));
    let (st, view) = send_json(b, get_as(&s, &format!("/api/v1/evaluations/{id}"), &staff)).await;
    assert_eq!(st, 200, "[{b}] {view}");
    assert_eq!(
        view["members"].as_array().map(Vec::len),
        Some(c.expert_ids.len())
    );
    // The review: the leader only, every decrypted bid once.
    let bids: Vec<String> = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.list_bids(Some(&c.section_id))
            .await
            .expect("bids")
            .into_iter()
            .filter(|x| x.status == "decrypted")
            .map(|x| x.id)
            .collect()
    };
    let review = json!({ "lines": bids.iter().map(|x| json!({"bid_id": x, "passed": true})).collect::<Vec<_>>() });
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/review"),
            &members[1],
            &review,
        ),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/review"),
            &members[0],
            &json!({"lines": []}),
        ),
        422,
        "evaluation.review.bids",
    )
    .await;
    let (st, r) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/review"),
            &members[0],
            &review,
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] review: {r}");
    assert_eq!(r["state"], "scoring");
    // Hidden until submitted.
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/evaluations/{id}/scores"), &members[0]),
        403,
        "evaluation.scores.hidden",
    )
    .await;
    let (st, r) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/time-votes"),
            &members[1],
            &json!({"not_enough": true}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] vote: {r}");
    for (i, m) in members.iter().enumerate() {
        let sheets = json!({ "sheets": bids.iter().map(|x| sheet(x, &format!("{}", 22 + i))).collect::<Vec<_>>() });
        let (st, r) = send_json(
            b,
            post_as(&s, &format!("/api/v1/evaluations/{id}/sheets"), m, &sheets),
        )
        .await;
        assert_eq!(st, 200, "[{b}] sheets {i}: {r}");
        if i == 0 {
            let (st, sc) = send_json(
                b,
                get_as(&s, &format!("/api/v1/evaluations/{id}/scores"), m),
            )
            .await;
            assert_eq!(st, 200, "[{b}] {sc}");
            expect_error(
                b,
                post_as(&s, &format!("/api/v1/evaluations/{id}/sheets"), m, &sheets),
                409,
                "evaluation.sheets.submitted",
            )
            .await;
        }
    }
    let (st, r) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/report"),
            &members[0],
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] compile: {r}");
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/signatures"),
            &members[1],
            &json!({"position": "maybe"}),
        ),
        422,
        "evaluation.signing.position",
    )
    .await;
    for m in &members {
        let (st, r) = send_json(
            b,
            post_as(
                &s,
                &format!("/api/v1/evaluations/{id}/signatures"),
                m,
                &json!({"position": "signed"}),
            ),
        )
        .await;
        assert_eq!(st, 200, "[{b}] sign: {r}");
    }
    let (_, view) = send_json(b, get_as(&s, &format!("/api/v1/evaluations/{id}"), &staff)).await;
    assert_eq!(view["state"], "report_signed", "[{b}] {view}");
    let sigs = view["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), members.len());
    assert!(sigs.iter().all(|x| x["valid"] == true), "[{b}] {view}");
    // The tenderee publishes the candidates; no award while the publicity runs.
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/candidates"),
            &staff,
            &json!({}),
        ),
        403,
        "forbidden",
    )
    .await;
    let (st, r) = send_json(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/candidates"),
            &tenderee,
            &json!({}),
        ),
    )
    .await;
    assert_eq!(st, 200, "[{b}] publish: {r}");
    assert_eq!(r["state"], "candidates_published");
    expect_error(
        b,
        post_as(
            &s,
            &format!("/api/v1/evaluations/{id}/award"),
            &tenderee,
            &json!({"winner": bids[0]}),
        ),
        409,
        "evaluation.award.publicity_running",
    )
    .await;
    // Every operation is in the OpenAPI document.
    let (st, doc) = send_json(b, s.new_client().get(s.url("/api/v1/openapi.json"))).await;
    assert_eq!(st, 200);
    for p in [
        "/api/v1/evaluations",
        "/api/v1/evaluations/{id}",
        "/api/v1/evaluations/{id}/review",
        "/api/v1/evaluations/{id}/sheets",
        "/api/v1/evaluations/{id}/scores",
        "/api/v1/evaluations/{id}/outlier-reasons",
        "/api/v1/evaluations/{id}/time-votes",
        "/api/v1/evaluations/{id}/report",
        "/api/v1/evaluations/{id}/signatures",
        "/api/v1/tenders/sections/{id}/evaluations",
        "/api/v1/evaluations/{id}/candidates",
        "/api/v1/evaluations/{id}/objections",
        "/api/v1/evaluations/{id}/objection-answers",
        "/api/v1/evaluations/{id}/award",
    ] {
        assert!(doc["paths"][p].is_object(), "[{b}] {p} documented");
    }
    s.stop().await;
    db.cleanup().await;
}
