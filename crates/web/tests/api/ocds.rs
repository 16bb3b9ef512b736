//! 开放合同数据 over HTTP on the demo's trading data: the recent releases (paged, no path
//! parameter), a release package and a record per ocid, each valid against the OCDS 1.1.5
//! schemas, public without credentials; the errors (bad page size, unknown cursor or ocid); the
//! operations in the OpenAPI document.

use serde_json::Value;
use yiwang_testkit::ocds::Validator;
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, expect_error, send_json};

backend_test!(ocds_releases_packages_and_records_over_http);
async fn ocds_releases_packages_and_records_over_http(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    yiwang_app::demo::trading::build(&s.app)
        .await
        .expect("trading demo");
    let v = Validator::new();
    let anon = s.new_client();

    // Every release, page by page, newest first, without credentials.
    let mut releases: Vec<Value> = Vec::new();
    let mut url = s.url("/api/v1/ocds/releases?limit=3");
    loop {
        let (st, page) = send_json(b, anon.get(&url)).await;
        assert_eq!(st, 200, "[{b}] {page}");
        let items = page["releases"].as_array().expect("releases");
        assert!(items.len() <= 3 && !items.is_empty(), "[{b}] {page}");
        releases.extend(items.iter().cloned());
        match page["next_before"].as_str() {
            Some(n) => url = s.url(&format!("/api/v1/ocds/releases?limit=3&before={n}")),
            None => break,
        }
    }
    assert!(releases.len() >= 6, "[{b}] {} releases", releases.len());
    for r in &releases {
        v.assert_release(r);
    }
    let (_, first) = send_json(b, anon.get(s.url("/api/v1/ocds/releases"))).await;
    assert_eq!(
        first["releases"][0], releases[0],
        "[{b}] default page starts newest"
    );

    let mut ocids: Vec<String> = releases
        .iter()
        .map(|r| r["ocid"].as_str().expect("ocid").to_string())
        .collect();
    ocids.sort();
    ocids.dedup();
    assert_eq!(ocids.len(), 4, "[{b}] {ocids:?}");
    for ocid in &ocids {
        let (st, pkg) =
            send_json(b, anon.get(s.url(&format!("/api/v1/ocds/packages/{ocid}")))).await;
        assert_eq!(st, 200, "[{b}] {pkg}");
        let errs = v.release_package(&pkg);
        assert!(errs.is_empty(), "[{b}] package {ocid}: {errs:#?}");
        assert!(
            pkg["uri"]
                .as_str()
                .unwrap_or("")
                .ends_with(&format!("/api/v1/ocds/packages/{ocid}"))
        );
        let (st, rec) =
            send_json(b, anon.get(s.url(&format!("/api/v1/ocds/records/{ocid}")))).await;
        assert_eq!(st, 200, "[{b}] {rec}");
        let errs = v.record_package(&rec);
        assert!(errs.is_empty(), "[{b}] record {ocid}: {errs:#?}");
        assert_eq!(rec["records"][0]["ocid"], *ocid);
        assert_eq!(
            rec["records"][0]["releases"], pkg["releases"],
            "[{b}] the record embeds the package's releases"
        );
    }

    expect_error(
        b,
        anon.get(s.url("/api/v1/ocds/releases?limit=0")),
        422,
        "ocds.limit",
    )
    .await;
    expect_error(
        b,
        anon.get(s.url("/api/v1/ocds/releases?limit=999")),
        422,
        "ocds.limit",
    )
    .await;
    expect_error(
        b,
        anon.get(s.url("/api/v1/ocds/releases?limit=-1")),
        400,
        "request.invalid_query",
    )
    .await;
    expect_error(
        b,
        anon.get(s.url("/api/v1/ocds/releases?before=nope")),
        404,
        "not_found",
    )
    .await;
    for bad in ["ocds-yiwang-E01-x", "nothing"] {
        expect_error(
            b,
            anon.get(s.url(&format!("/api/v1/ocds/packages/{bad}"))),
            404,
            "not_found",
        )
        .await;
        expect_error(
            b,
            anon.get(s.url(&format!("/api/v1/ocds/records/{bad}"))),
            404,
            "not_found",
        )
        .await;
    }

    let (_, doc) = send_json(b, anon.get(s.url("/api/v1/openapi.json"))).await;
    for (path, statuses) in [
        (
            "/api/v1/ocds/releases",
            &["200", "400", "404", "422", "503"][..],
        ),
        (
            "/api/v1/ocds/packages/{ocid}",
            &["200", "400", "404", "503"][..],
        ),
        (
            "/api/v1/ocds/records/{ocid}",
            &["200", "400", "404", "503"][..],
        ),
    ] {
        let op = &doc["paths"][path]["get"];
        assert!(op.is_object(), "[{b}] {path} is documented");
        for st in statuses {
            assert!(
                op["responses"][*st].is_object(),
                "[{b}] {path} documents {st}"
            );
        }
        assert!(op.get("security").is_none(), "[{b}] {path} is public");
    }
    s.stop().await;
    db.cleanup().await;
}
