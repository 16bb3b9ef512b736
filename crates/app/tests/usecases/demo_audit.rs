use yiwang_core::ledger::PlatformKey;
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{assert_finding, finish, verify};

backend_test!(the_demo_ledger_verifies_intact_with_a_checkpoint);
async fn the_demo_ledger_verifies_intact_with_a_checkpoint(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    let accounts = yiwang_app::demo::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo: {e}"));
    let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
    for u in ["admin", "window", "supervisor", "zhangwei"] {
        assert!(names.contains(&u), "[{b}] demo account {u} in {names:?}");
    }

    let report = verify(&app).await;
    assert!(
        report.intact(),
        "[{b}] the demo ledger is intact: {:#?}",
        report.findings
    );
    let (head, _) = app
        .store
        .read()
        .await
        .expect("read")
        .ledger_head()
        .await
        .expect("head");
    assert!(report.entries > 10, "[{b}] entries: {}", report.entries);
    assert_eq!(
        report.entries, head,
        "[{b}] every entry up to the head chained"
    );
    assert!(
        report.rows_checked > 100,
        "[{b}] rows checked: {}",
        report.rows_checked
    );
    assert!(report.checkpoints >= 1, "[{b}] a checkpoint exists");
    let latest = app
        .store
        .read()
        .await
        .expect("read")
        .latest_checkpoint()
        .await
        .expect("latest")
        .unwrap_or_else(|| panic!("[{b}] the demo signs a checkpoint"));
    assert_eq!(
        latest.tree_size, head,
        "[{b}] the checkpoint covers the whole demo"
    );
    assert_eq!(
        latest.key_id,
        app.platform_key_id(),
        "[{b}] signed with the app's key"
    );

    // The same ledger checked against another key: every checkpoint's signature fails.
    let other = PlatformKey::generate().public_key_hex();
    let r = yiwang_app::audit::verify(&app.store, &other)
        .await
        .expect("verify");
    let f = assert_finding(&r, b, "checkpoint.bad_signature", |f| {
        f.seq == Some(latest.tree_size)
    });
    assert!(
        f.message.contains(&latest.tree_size.to_string()),
        "[{b}] {f:?}"
    );
    // … and the key is not the one the ledger registered.
    assert_finding(&r, b, "key.not_registered", |_| true);
    assert!(
        r.findings
            .iter()
            .all(|f| f.code == "checkpoint.bad_signature" || f.code == "key.not_registered"),
        "[{b}] nothing else is wrong: {:#?}",
        r.findings
    );
    finish(app, db).await;
}
