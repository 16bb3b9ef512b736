//! Tamper tests generated from the capability registry: for every table a capability declares
//! covered, a row edited, deleted or inserted behind the platform's back (raw SQL, foreign-key
//! checks off) is found by `audit::verify`, naming that table and row — and after each edit is
//! undone the ledger verifies clean again. A capability that adds a covered table is tested here
//! without writing a test; the demo data must hold a row of it.

use yiwang_testkit::TestDb;

use crate::common::{actor, demo_app, exec_unchecked, finish, texts, verify};

async fn every_covered_table_detects_edit_delete_and_insert(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    // The demo issues no API token (machine clients make their own): issue one.
    let (_, admin) = actor(&app, "admin").await;
    yiwang_app::identity::create_api_token(
        &app,
        &admin,
        yiwang_app::identity::TokenRequest {
            name: "对接测试",
            expires_in_days: None,
        },
    )
    .await
    .expect("token");
    // The demo catalogue (items, versions, forms as files, bundles) and one 咨询.
    yiwang_app::demo::build_catalog(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo catalogue: {e}"));
    let item = texts(
        &db,
        "SELECT id FROM catalog_items WHERE published_version IS NOT NULL ORDER BY id LIMIT 1"
            .into(),
    )
    .await;
    // The cases demo: cases in every state, notices, opinions, warnings, violations.
    yiwang_app::demo::cases::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo cases: {e}"));
    // The trading demo: parties, sections in every state, deposits, bids, openings.
    yiwang_app::demo::trading::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo trading: {e}"));
    // The experts demo: experts, employments, conflicts, penalties, draws and invitations.
    yiwang_app::demo::experts::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo experts: {e}"));
    // The evaluation demo: an evaluation with reviews, sheets, a time vote and signatures.
    yiwang_app::demo::evaluation::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{b}] demo evaluation: {e}"));
    let (_, citizen) = actor(&app, "zhangwei").await;
    yiwang_app::catalog::questions::ask(&app.store, &citizen, &item[0], "需要带原件吗？")
        .await
        .expect("ask");
    assert!(verify(&app).await.intact(), "[{b}] the demo verifies clean");
    let tables: Vec<_> = yiwang_app::registry::covered_tables().collect();
    assert!(
        tables.len() >= 11,
        "[{b}] the registry lists the covered tables"
    );
    for t in tables {
        let (table, key) = (t.table, t.id_sql);
        let ids = texts(&db, format!("SELECT {key} FROM {table} ORDER BY 1 LIMIT 1")).await;
        let id = ids
            .first()
            .unwrap_or_else(|| panic!("[{b}] the demo holds no row of covered table {table}"))
            .clone();
        let this = format!("{key} = '{}'", id.replace('\'', "''"));
        let restore = [
            format!("DELETE FROM {table} WHERE {this}"),
            format!("INSERT INTO {table} SELECT * FROM tamper_saved"),
        ];
        exec_unchecked(
            &db,
            &[format!(
                "CREATE TABLE tamper_saved AS SELECT * FROM {table} WHERE {this}"
            )],
        )
        .await;

        // Edited (a table whose every column is part of the id has no edit of its own).
        if let Some(edit) = t.edit_sql {
            exec_unchecked(&db, &[format!("UPDATE {table} SET {edit} WHERE {this}")]).await;
            let r = verify(&app).await;
            let only = |code: &str, id: &str| {
                r.findings.len() == 1
                    && r.findings[0].code == code
                    && r.findings[0].table.as_deref() == Some(table)
                    && r.findings[0].id.as_deref() == Some(id)
            };
            assert!(
                only("row.digest_mismatch", &id),
                "[{b}] an edited {table} row {id}: {:#?}",
                r.findings
            );
            exec_unchecked(&db, &restore).await;
        }

        // Deleted.
        exec_unchecked(&db, &[format!("DELETE FROM {table} WHERE {this}")]).await;
        let r = verify(&app).await;
        let only = |code: &str, id: &str| {
            r.findings.len() == 1
                && r.findings[0].code == code
                && r.findings[0].table.as_deref() == Some(table)
                && r.findings[0].id.as_deref() == Some(id)
        };
        assert!(
            only("row.missing", &id),
            "[{b}] a deleted {table} row {id}: {:#?}",
            r.findings
        );
        exec_unchecked(&db, &restore).await;

        // Inserted: a copy made unique.
        exec_unchecked(
            &db,
            &[
                "CREATE TABLE tamper_forged AS SELECT * FROM tamper_saved".to_string(),
                format!("UPDATE tamper_forged SET {}", t.forge_sql),
                format!("INSERT INTO {table} SELECT * FROM tamper_forged"),
            ],
        )
        .await;
        let forged = texts(&db, format!("SELECT {key} FROM tamper_forged")).await;
        let forged = forged.first().expect("the forged row").clone();
        let r = verify(&app).await;
        let only = |code: &str, id: &str| {
            r.findings.len() == 1
                && r.findings[0].code == code
                && r.findings[0].table.as_deref() == Some(table)
                && r.findings[0].id.as_deref() == Some(id)
        };
        assert!(
            only("row.not_in_ledger", &forged),
            "[{b}] a {table} row {forged} inserted directly: {:#?}",
            r.findings
        );
        exec_unchecked(
            &db,
            &[
                format!(
                    "DELETE FROM {table} WHERE {key} = '{}'",
                    forged.replace('\'', "''")
                ),
                "DROP TABLE tamper_forged".to_string(),
                "DROP TABLE tamper_saved".to_string(),
            ],
        )
        .await;
        let r = verify(&app).await;
        assert!(r.intact(), "[{b}] {table} restored: {:#?}", r.findings);
    }
    finish(app, db).await;
}

#[tokio::test]
async fn every_covered_table_detects_edit_delete_and_insert_sqlite() {
    every_covered_table_detects_edit_delete_and_insert(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn every_covered_table_detects_edit_delete_and_insert_postgres() {
    if let Some(db) = TestDb::postgres().await {
        every_covered_table_detects_edit_delete_and_insert(db).await;
    }
}
