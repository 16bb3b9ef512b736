//! Each edit made behind the platform's back (raw SQL) is found by `audit::verify`.
//! Every case starts from a fresh demo database.

use yiwang_testkit::{TestDb, backend_test};

use crate::common::{actor, assert_finding, demo_app, exec, finish, org_en, verify};

backend_test!(an_edited_ledger_entry_is_a_hash_mismatch_at_its_seq);
async fn an_edited_ledger_entry_is_a_hash_mismatch_at_its_seq(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let n = exec(
        &db,
        "UPDATE ledger_entries SET action = 'user.delete' WHERE seq = 7".into(),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one row edited");
    let r = verify(&app).await;
    assert_finding(&r, b, "ledger.hash_mismatch", |f| f.seq == Some(7));
    assert_eq!(r.entries, 6, "[{b}] the chain is trusted up to entry 6");
    finish(app, db).await;
}

backend_test!(a_deleted_middle_entry_is_a_sequence_gap);
async fn a_deleted_middle_entry_is_a_sequence_gap(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let n = exec(&db, "DELETE FROM ledger_entries WHERE seq = 9".into()).await;
    assert_eq!(n, 1, "[{b}] one row deleted");
    let r = verify(&app).await;
    assert_finding(&r, b, "ledger.sequence_gap", |f| f.seq == Some(9));
    finish(app, db).await;
}

backend_test!(a_deleted_last_entry_is_a_head_mismatch);
async fn a_deleted_last_entry_is_a_head_mismatch(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let (head, _) = app
        .store
        .read()
        .await
        .expect("read")
        .ledger_head()
        .await
        .expect("head");
    let n = exec(
        &db,
        format!("DELETE FROM ledger_entries WHERE seq = {head}"),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one row deleted");
    let r = verify(&app).await;
    assert_finding(&r, b, "ledger.head_mismatch", |f| f.seq == Some(head));
    assert_eq!(r.entries, head - 1, "[{b}] the remaining chain is whole");
    finish(app, db).await;
}

backend_test!(an_edited_user_row_is_a_digest_mismatch);
async fn an_edited_user_row_is_a_digest_mismatch(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let (window, _) = actor(&app, "window").await;
    let n = exec(
        &db,
        format!(
            "UPDATE users SET display_name = '李娜娜' WHERE id = '{}'",
            window.id
        ),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one row edited");
    let r = verify(&app).await;
    assert_finding(&r, b, "row.digest_mismatch", |f| {
        f.table.as_deref() == Some("users") && f.id.as_deref() == Some(window.id.as_str())
    });
    assert_eq!(
        r.findings.len(),
        1,
        "[{b}] only that row: {:#?}",
        r.findings
    );
    finish(app, db).await;
}

backend_test!(an_edited_organisation_row_is_a_digest_mismatch);
async fn an_edited_organisation_row_is_a_digest_mismatch(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let gov = org_en(&app, "Suqian People's Government").await;
    let n = exec(
        &db,
        format!(
            "UPDATE organisations SET name = '宿迁市人民政府(改)' WHERE id = '{}'",
            gov.id
        ),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one row edited");
    let r = verify(&app).await;
    assert_finding(&r, b, "row.digest_mismatch", |f| {
        f.table.as_deref() == Some("organisations") && f.id.as_deref() == Some(gov.id.as_str())
    });
    assert_eq!(
        r.findings.len(),
        1,
        "[{b}] only that row: {:#?}",
        r.findings
    );
    finish(app, db).await;
}

backend_test!(a_deleted_role_grant_is_missing);
async fn a_deleted_role_grant_is_missing(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let (window, _) = actor(&app, "window").await;
    let grant = app
        .store
        .read()
        .await
        .expect("read")
        .list_grants()
        .await
        .expect("grants")
        .into_iter()
        .find(|g| g.user_id == window.id)
        .unwrap_or_else(|| panic!("[{b}] window has a grant"));
    let n = exec(
        &db,
        format!("DELETE FROM role_grants WHERE id = '{}'", grant.id),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one row deleted");
    let r = verify(&app).await;
    assert_finding(&r, b, "row.missing", |f| {
        f.table.as_deref() == Some("role_grants") && f.id.as_deref() == Some(grant.id.as_str())
    });
    assert_eq!(
        r.findings.len(),
        1,
        "[{b}] only that row: {:#?}",
        r.findings
    );
    finish(app, db).await;
}

backend_test!(an_organisation_inserted_directly_is_not_in_the_ledger);
async fn an_organisation_inserted_directly_is_not_in_the_ledger(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    exec(
        &db,
        "INSERT INTO organisations (id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at) \
         VALUES ('rogue-org', '幽灵机构', 'Ghost', 'department', '321300', NULL, '/rogue-org/', NULL, 1, 1)"
            .into(),
    )
    .await;
    let r = verify(&app).await;
    assert_finding(&r, b, "row.not_in_ledger", |f| {
        f.table.as_deref() == Some("organisations") && f.id.as_deref() == Some("rogue-org")
    });
    assert_eq!(
        r.findings.len(),
        1,
        "[{b}] only that row: {:#?}",
        r.findings
    );
    finish(app, db).await;
}

backend_test!(a_changed_checkpoint_root_is_a_root_mismatch);
async fn a_changed_checkpoint_root_is_a_root_mismatch(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let size = app
        .store
        .read()
        .await
        .expect("read")
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("demo checkpoint")
        .tree_size;
    let n = exec(
        &db,
        format!(
            "UPDATE ledger_checkpoints SET root = '{}' WHERE tree_size = {size}",
            "ab".repeat(32)
        ),
    )
    .await;
    assert_eq!(n, 1, "[{b}] one checkpoint edited");
    let r = verify(&app).await;
    assert_finding(&r, b, "checkpoint.root_mismatch", |f| f.seq == Some(size));
    finish(app, db).await;
}

backend_test!(a_signing_key_swapped_in_the_database_was_never_registered);
/// The key that signs checkpoints is registered in the ledger at first start: a key swapped into
/// `platform_keys` afterwards (checkpoints re-signed with it would verify) is found.
async fn a_signing_key_swapped_in_the_database_was_never_registered(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let genuine = verify(&app).await;
    assert!(genuine.intact(), "[{b}] {:#?}", genuine.findings);
    assert_eq!(
        genuine.registered_keys,
        vec![genuine.key_id.clone()],
        "[{b}] the demo's key is registered"
    );
    let evil = yiwang_core::ledger::PlatformKey::generate();
    let n = exec(
        &db,
        format!(
            "UPDATE platform_keys SET public_key = '{}', secret_key = '{}'",
            evil.public_key_hex(),
            evil.secret_hex()
        ),
    )
    .await;
    assert_eq!(n, 1, "[{b}] the key row swapped");
    let named = yiwang_app::audit::platform_public_key(&app.store)
        .await
        .expect("read key")
        .expect("a key");
    assert_eq!(
        named,
        evil.public_key_hex(),
        "[{b}] the database names the new key"
    );
    let r = yiwang_app::audit::verify(&app.store, &named)
        .await
        .expect("verify runs");
    assert_finding(&r, b, "key.not_registered", |_| true);
    finish(app, db).await;
}
