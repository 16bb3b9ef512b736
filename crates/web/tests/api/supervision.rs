//! 电子监察 over HTTP: the monthly bulletin as JSON, XLSX and PDF for a supervisor; 403 for an
//! applicant; 422 for a bad month.

use yiwang_testkit::{TestDb, TestServer, backend_test};

use super::{demo, demo_token, expect_error, get_as, send_json};

backend_test!(the_bulletin_downloads_for_supervisors_only);
async fn the_bulletin_downloads_for_supervisors_only(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let gov = {
        let mut tx = s.app.store.read().await.expect("read");
        tx.list_organisations("")
            .await
            .expect("orgs")
            .into_iter()
            .find(|o| o.name.contains("宿迁") && o.name.ends_with("人民政府"))
            .expect("Suqian government")
    };
    let sup = demo_token(&s, "supervisor").await;
    let zw = demo_token(&s, "zhangwei").await;
    let month = yiwang_core::cases::supervision::bulletin_month(chrono::Utc::now());
    let base = format!("/api/v1/cases/supervision/{}/{month}", gov.id);

    let (st, v) = send_json(b, get_as(&s, &base, &sup)).await;
    assert_eq!(st.as_u16(), 200, "[{b}] {v}");
    assert_eq!(v["month"], month.as_str(), "[{b}]");
    assert_eq!(v["org_name"], gov.name.as_str(), "[{b}]");

    let r = get_as(&s, &format!("{base}/bulletin.xlsx"), &sup)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200, "[{b}]");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .contains("spreadsheetml"),
        "[{b}]"
    );
    let bytes = r.bytes().await.expect("body");
    assert!(bytes.starts_with(b"PK"), "[{b}] an XLSX (zip) file");

    let r = get_as(&s, &format!("{base}/bulletin.pdf"), &sup)
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.status(), 200, "[{b}]");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .contains(".pdf"),
        "[{b}]"
    );
    let bytes = r.bytes().await.expect("body");
    assert!(bytes.starts_with(b"%PDF-"), "[{b}] a PDF");

    expect_error(b, get_as(&s, &base, &zw), 403, "forbidden").await;
    expect_error(
        b,
        get_as(&s, &format!("{base}/bulletin.pdf"), &zw),
        403,
        "forbidden",
    )
    .await;
    expect_error(
        b,
        get_as(
            &s,
            &format!("/api/v1/cases/supervision/{}/2026-13", gov.id),
            &sup,
        ),
        422,
        "cases.bulletin.month",
    )
    .await;
    db.cleanup().await;
}
