//! OCDS publication of the demo's trading data: every release, release package and record the
//! demo produces validates against the official OCDS 1.1.5 schemas (the shared validator of
//! `yiwang_testkit::ocds`), ids are stable, and the recent list pages through all of them.

use std::collections::BTreeSet;
use std::sync::Arc;

use yiwang_app::App;
use yiwang_app::trading::ocds::{self, OcdsOptions};
use yiwang_core::ProblemKind;
use yiwang_testkit::ocds::Validator;
use yiwang_testkit::{TestDb, backend_test};

/// The base demo and the trading demo (sections in every state, real sealed bids).
pub async fn trading_demo(db: &TestDb) -> Arc<App> {
    let b = db.backend;
    let app = db.app().await;
    yiwang_app::demo::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo: {e}"));
    yiwang_app::demo::trading::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] trading demo: {e}"));
    app
}

backend_test!(every_release_package_and_record_of_the_demo_validates);
async fn every_release_package_and_record_of_the_demo_validates(db: TestDb) {
    let b = db.backend;
    let app = trading_demo(&db).await;
    let v = Validator::new();
    let all = ocds::all_releases(&app).await.expect("releases");
    // Published: tendering, opened, failed and the one opening minutes after the demo starts
    // (the first two sections are not published).
    assert_eq!(
        all.len(),
        4,
        "[{b}] {:?}",
        all.iter().map(|r| &r.ocid).collect::<Vec<_>>()
    );
    let mut tags = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut total = 0;
    for r in &all {
        assert!(r.ocid.starts_with("ocds-yiwang-"), "[{b}] {}", r.ocid);
        for rel in &r.releases {
            v.assert_release(rel);
            assert_eq!(rel["ocid"], serde_json::json!(r.ocid));
            tags.insert(rel["tag"][0].as_str().expect("tag").to_string());
            assert!(
                ids.insert(rel["id"].as_str().expect("id").to_string()),
                "[{b}] unique ids"
            );
            total += 1;
        }
        let pkg = ocds::package(&app, r);
        let errs = v.release_package(&pkg);
        assert!(errs.is_empty(), "[{b}] package {}: {errs:#?}", r.ocid);
        let rec = ocds::record(&app, r);
        let errs = v.record_package(&rec);
        assert!(errs.is_empty(), "[{b}] record {}: {errs:#?}", r.ocid);
        let compiled = &rec["records"][0]["compiledRelease"];
        v.assert_release(compiled);
        let last = r.releases.last().expect("a release");
        assert_eq!(compiled["date"], last["date"], "[{b}] latest date");
        assert_eq!(compiled["tender"]["status"], last["tender"]["status"]);
        // Who bid is published only once the bids are opened.
        for rel in &r.releases {
            let status = rel["tender"]["status"].as_str().unwrap_or("");
            if rel["tender"].get("tenderers").is_some() {
                assert_eq!(status, "active", "[{b}] tenderers only after the opening");
                assert_eq!(rel["tag"][0], "tenderUpdate");
            }
        }
        // The package per ocid is the same data.
        let again = ocds::releases_of(&app, &r.ocid).await.expect("by ocid");
        assert_eq!(again.releases, r.releases, "[{b}] stable");
    }
    for want in ["tender", "tenderAmendment", "tenderUpdate"] {
        assert!(tags.contains(want), "[{b}] a {want} release in {tags:?}");
    }
    let unsuccessful = all
        .iter()
        .flat_map(|r| &r.releases)
        .any(|r| r["tender"]["status"] == "unsuccessful");
    assert!(unsuccessful, "[{b}] the failed section publishes 流标");
    let opened = all.iter().flat_map(|r| &r.releases).any(|r| {
        r["tender"]["numberOfTenderers"] == 3
            && r["parties"].as_array().is_some_and(|p| p.len() >= 4)
    });
    assert!(opened, "[{b}] the opened section names its three tenderers");
    // Recomputed: the same ids and dates.
    let again = ocds::all_releases(&app).await.expect("again");
    assert_eq!(
        again.iter().map(|r| &r.releases).collect::<Vec<_>>(),
        all.iter().map(|r| &r.releases).collect::<Vec<_>>(),
        "[{b}] releases are derived from recorded rows only"
    );

    // The recent list pages through every release, newest first.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let page = ocds::recent(&app, 4, before.as_deref())
            .await
            .expect("page");
        assert!(page.releases.len() <= 4);
        seen.extend(page.releases.iter().map(|r| {
            (
                r["date"].as_str().unwrap_or("").to_string(),
                r["id"].as_str().unwrap_or("").to_string(),
            )
        }));
        match page.next_before {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), total, "[{b}] every release once");
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "[{b}] newest first");
    let p = ocds::recent(&app, 0, None).await.expect_err("limit 0");
    assert!(
        matches!(p, yiwang_app::AppError::Problem(ref p) if p.code == "ocds.limit"),
        "{p:?}"
    );
    for bad in ["ocds-yiwang-nonsense", "ocds-other1-E01-123"] {
        match ocds::releases_of(&app, bad).await {
            Err(yiwang_app::AppError::Problem(p)) => assert_eq!(p.kind, ProblemKind::NotFound),
            other => panic!("[{b}] {bad}: {other:?}"),
        }
    }
    app.store.close().await;
    db.cleanup().await;
}

#[test]
fn the_ocid_prefix_and_public_address_are_checked() {
    let o = OcdsOptions::from_settings(Some("ocds-abc123"), Some("https://ggzy.example.cn/"), None)
        .expect("valid");
    assert_eq!(o.config.ocid_prefix(), "ocds-abc123");
    assert_eq!(o.public_url, "https://ggzy.example.cn");
    assert_eq!(
        OcdsOptions::default().config.ocid_prefix(),
        ocds::DEFAULT_PREFIX
    );
    for bad in ["ocds-ABC123", "abc123", "ocds-abc12", "ocds-abc1234"] {
        let p = OcdsOptions::from_settings(Some(bad), None, None).expect_err(bad);
        assert_eq!(p.code, "trading.ocds.prefix");
    }
    for bad in ["ftp://x", "https://", "example.cn"] {
        let p = OcdsOptions::from_settings(None, Some(bad), None).expect_err(bad);
        assert_eq!(p.code, "config.public_url");
    }
}
