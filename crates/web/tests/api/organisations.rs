//! Regions and organisations: who sees what, who may create, what is valid.

use serde_json::{Value, json};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, org_id, post_as, send_json};

fn regions_of(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|o| o["region_code"].as_str().unwrap().to_string())
        .collect()
}

async fn ledger_size(s: &TestServer) -> i64 {
    yiwang_app::organisations::public_stats(&s.app.store)
        .await
        .expect("stats")
        .2
}

backend_test!(regions_are_public);
async fn regions_are_public(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    let (st, v) = send_json(b, s.new_client().get(s.url("/api/v1/regions"))).await;
    assert_eq!(st, 200, "[{b}] regions");
    let list = v.as_array().expect("array");
    assert!(
        list.iter()
            .any(|r| r["code"] == "321300" && r["name"] == "宿迁市"),
        "[{b}] 321300 宿迁市 missing"
    );
    assert!(
        list.iter()
            .any(|r| r["code"] == "321302" && r["parent_code"] == "321300"),
        "[{b}] Suqian's districts missing"
    );
    s.stop().await;
    db.cleanup().await;
}

backend_test!(visibility_follows_the_organisation_tree);
async fn visibility_follows_the_organisation_tree(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;

    expect_error(
        b,
        s.new_client().get(s.url("/api/v1/organisations")),
        401,
        "unauthenticated",
    )
    .await;

    let sup = demo_token(&s, "supervisor").await;
    let (st, suqian) = send_json(b, get_as(&s, "/api/v1/organisations", &sup)).await;
    assert_eq!(st, 200, "[{b}] {suqian}");
    let regions = regions_of(&suqian);
    assert!(
        suqian.as_array().unwrap().len() > 16,
        "[{b}] Suqian subtree too small: {}",
        regions.len()
    );
    assert!(
        suqian
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "宿迁市人民政府"),
        "[{b}] supervisor does not see their own organisation"
    );
    assert!(
        regions.iter().all(|r| r.starts_with("3213")),
        "[{b}] supervisor sees outside Suqian: {regions:?}"
    );
    assert!(
        regions.iter().any(|r| r != "321300"),
        "[{b}] supervisor does not see Suqian's districts: {regions:?}"
    );
    assert!(
        !suqian
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "江苏省人民政府"),
        "[{b}] supervisor sees the province above"
    );

    let hhht = demo_token(&s, "hhht-supervisor").await;
    let (st, hohhot) = send_json(b, get_as(&s, "/api/v1/organisations", &hhht)).await;
    assert_eq!(st, 200, "[{b}]");
    let hregions = regions_of(&hohhot);
    assert!(!hregions.is_empty(), "[{b}] Hohhot supervisor sees nothing");
    assert!(
        hregions.iter().all(|r| r.starts_with("1501")),
        "[{b}] Hohhot supervisor sees outside Hohhot: {hregions:?}"
    );
    let hohhot_gov = org_id(&s, b, &hhht, "呼和浩特市人民政府").await;
    let suqian_gov = org_id(&s, b, &sup, "宿迁市人民政府").await;

    // Invisible organisations do not exist for the caller.
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/organisations/{hohhot_gov}"), &sup),
        404,
        "not_found",
    )
    .await;
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/organisations/{suqian_gov}"), &hhht),
        404,
        "not_found",
    )
    .await;
    let (st, one) = send_json(
        b,
        get_as(&s, &format!("/api/v1/organisations/{suqian_gov}"), &sup),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {one}");
    assert_eq!(one["region_code"], "321300", "[{b}] {one}");
    expect_error(
        b,
        get_as(&s, "/api/v1/organisations/no-such-id", &sup),
        404,
        "not_found",
    )
    .await;

    // A window officer sees only their own organisation.
    let window = demo_token(&s, "window").await;
    let (st, own) = send_json(b, get_as(&s, "/api/v1/organisations", &window)).await;
    assert_eq!(st, 200, "[{b}]");
    let own = own.as_array().unwrap();
    assert_eq!(own.len(), 1, "[{b}] window officer sees {own:?}");
    assert_eq!(own[0]["name"], "宿迁市政务服务中心", "[{b}]");
    expect_error(
        b,
        get_as(&s, &format!("/api/v1/organisations/{suqian_gov}"), &window),
        404,
        "not_found",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}

backend_test!(creating_organisations);
async fn creating_organisations(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let admin = demo_token(&s, "admin").await;
    let suqian_gov = org_id(&s, b, &admin, "宿迁市人民政府").await;

    // Tokens first: issuing one is itself a ledger entry.
    let sup = demo_token(&s, "supervisor").await;
    let window = demo_token(&s, "window").await;
    let before = ledger_size(&s).await;
    let input = json!({
        "name": "宿迁市数据局",
        "name_en": "Suqian Data Bureau",
        "kind": "department",
        "region_code": "321300",
        "parent_id": suqian_gov,
    });
    let (st, org) = send_json(b, post_as(&s, "/api/v1/organisations", &admin, &input)).await;
    assert_eq!(st, 201, "[{b}] create: {org}");
    assert_eq!(org["name"], "宿迁市数据局", "[{b}] {org}");
    assert_eq!(org["parent_id"], suqian_gov.as_str(), "[{b}] {org}");
    let id = org["id"].as_str().unwrap().to_string();
    assert!(
        org["path"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{suqian_gov}/{id}/")),
        "[{b}] path {org}"
    );
    let after = ledger_size(&s).await;
    assert_eq!(after, before + 1, "[{b}] ledger did not grow by one entry");
    let (st, entry) = send_json(
        b,
        get_as(&s, &format!("/api/v1/ledger/entries/{after}"), &admin),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {entry}");
    assert_eq!(entry["action"], "organisation.create", "[{b}] {entry}");
    assert_eq!(entry["subject_id"], id.as_str(), "[{b}] {entry}");

    // Visible to the supervisor above, fetchable by id.
    let (st, _) = send_json(b, get_as(&s, &format!("/api/v1/organisations/{id}"), &sup)).await;
    assert_eq!(st, 200, "[{b}] supervisor cannot see the new organisation");

    // Not an administrator.
    let window_org = org_id(&s, b, &window, "宿迁市政务服务中心").await;
    let mut by_window = input.clone();
    by_window["parent_id"] = json!(window_org);
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &window, &by_window),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &sup, &input),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        ledger_size(&s).await,
        after,
        "[{b}] a refused request wrote to the ledger"
    );

    // Validation.
    for bad_region in ["12AB", "3213", "3213000"] {
        let mut bad = input.clone();
        bad["region_code"] = json!(bad_region);
        let v = crate::send_json(b, post_as(&s, "/api/v1/organisations", &admin, &bad)).await;
        assert_eq!(v.0, 422, "[{b}] region {bad_region}: {}", v.1);
        assert!(
            v.1["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("region_code."),
            "[{b}] region {bad_region}: {}",
            v.1
        );
    }
    let mut unknown = input.clone();
    unknown["region_code"] = json!("999900");
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &unknown),
        422,
        "organisation.region",
    )
    .await;

    let mut ent = input.clone();
    ent["kind"] = json!("enterprise");
    ent["name"] = json!("宿迁某某有限公司");
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &ent),
        422,
        "organisation.credit_code_required",
    )
    .await;
    let good = yiwang_app::demo::demo_credit_code("321302", 4242);
    let mut wrong = good.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    ent["credit_code"] = json!(wrong);
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &ent),
        422,
        "credit_code.checksum",
    )
    .await;
    ent["credit_code"] = json!(good);
    let (st, v) = send_json(b, post_as(&s, "/api/v1/organisations", &admin, &ent)).await;
    assert_eq!(st, 201, "[{b}] enterprise with a valid code: {v}");

    let mut kind = input.clone();
    kind["kind"] = json!("spaceship");
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &kind),
        422,
        "organisation.kind",
    )
    .await;
    let mut name = input.clone();
    name["name"] = json!("   ");
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &name),
        422,
        "organisation.name",
    )
    .await;
    let mut parent = input.clone();
    parent["parent_id"] = json!("no-such-parent");
    expect_error(
        b,
        post_as(&s, "/api/v1/organisations", &admin, &parent),
        404,
        "not_found",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}
