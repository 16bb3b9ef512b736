//! 一项目一档案 over HTTP: the archive of a demo section downloads as a ZIP for the centre's
//! staff, a regulator of its region and the tenderee, verifies offline against the published
//! key, and is refused without credentials (401), to a bidder (403) and for an unknown section
//! (404); the operation and its statuses are in the OpenAPI document.

use std::io::Cursor;

use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, send_json};

backend_test!(a_section_archive_over_http);
async fn a_section_archive_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    yiwang_app::demo::trading::build(&s.app)
        .await
        .expect("trading demo");
    let section = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.list_sections(None)
            .await
            .expect("sections")
            .into_iter()
            .find(|x| x.name == "第四标段（照明工程）")
            .expect("the opened demo section")
            .id
    };
    let path = format!("/api/v1/tenders/sections/{section}/archive");
    let (_, cp) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/ledger/checkpoints/latest")),
    )
    .await;
    let key = cp["public_key"]
        .as_str()
        .expect("published key")
        .to_string();
    for user in ["trading", "regulator", "tenderee"] {
        let token = demo_token(&s, user).await;
        let r = get_as(&s, &path, &token).send().await.expect("request");
        assert_eq!(r.status(), 200, "[{b}] {user}");
        assert_eq!(
            r.headers()["content-type"].to_str().unwrap_or(""),
            "application/zip",
            "[{b}] {user}"
        );
        let bytes = r.bytes().await.expect("body").to_vec();
        let v = yiwang_app::trading::archive::verify(Cursor::new(bytes), Some(&key))
            .unwrap_or_else(|e| panic!("[{b}] {user}'s archive verifies: {e}"));
        assert_eq!(v.section_id, section);
    }
    expect_error(b, s.new_client().get(s.url(&path)), 401, "unauthenticated").await;
    let bidder = demo_token(&s, "bidder").await;
    expect_error(b, get_as(&s, &path, &bidder), 403, "forbidden").await;
    let staff = demo_token(&s, "trading").await;
    expect_error(
        b,
        get_as(&s, "/api/v1/tenders/sections/nope/archive", &staff),
        404,
        "not_found",
    )
    .await;

    let (_, doc) = send_json(b, s.new_client().get(s.url("/api/v1/openapi.json"))).await;
    let op = &doc["paths"]["/api/v1/tenders/sections/{id}/archive"]["get"];
    for st in ["200", "401", "403", "404", "409", "503"] {
        assert!(op["responses"][st].is_object(), "[{b}] documents {st}");
    }
    s.stop().await;
    db.cleanup().await;
}
