//! Helpers shared by the use-case tests.

use std::sync::Arc;

use sqlx::Connection;
use yiwang_app::audit::{Finding, VerifyReport};
use yiwang_app::identity::{NewGrant, NewUser};
use yiwang_app::{App, AppError, AppResult};
use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_store::{Organisation, User};
use yiwang_testkit::TestDb;

/// A started app on a fresh database filled with the demo data.
pub async fn demo_app(db: &TestDb) -> Arc<App> {
    let app = db.app().await;
    yiwang_app::demo::build(&app)
        .await
        .unwrap_or_else(|e| panic!("[{}] demo build: {e}", db.backend));
    app
}

/// A user found by username and the rules' view of them, read in a read transaction.
pub async fn actor(app: &App, username: &str) -> (User, Actor) {
    let mut tx = app.store.read().await.expect("read");
    let user = tx
        .find_user_by_username(username)
        .await
        .expect("find user")
        .unwrap_or_else(|| panic!("user {username} exists"));
    let actor = yiwang_app::identity::actor_of(&mut *tx, &user)
        .await
        .expect("actor_of");
    (user, actor)
}

/// An organisation found by its English name.
pub async fn org_en(app: &App, name_en: &str) -> Organisation {
    app.store
        .read()
        .await
        .expect("read")
        .list_organisations("")
        .await
        .expect("list organisations")
        .into_iter()
        .find(|o| o.name_en == name_en)
        .unwrap_or_else(|| panic!("organisation {name_en} exists"))
}

/// The Problem a use case answered with; panics on success or an internal error.
pub fn problem<T>(r: AppResult<T>, what: &str) -> Problem {
    match r {
        Err(AppError::Problem(p)) => p,
        Err(e) => panic!("{what}: expected a Problem, got internal error {e}"),
        Ok(_) => panic!("{what}: expected a Problem, but it succeeded"),
    }
}

pub async fn verify(app: &App) -> VerifyReport {
    let pk = app.platform_key().public_key_hex();
    yiwang_app::audit::verify(&app.store, &pk)
        .await
        .expect("audit verify runs")
}

/// Assert a finding with `code` exists and satisfies `pred`; returns it.
pub fn assert_finding<'a>(
    r: &'a VerifyReport,
    b: &str,
    code: &str,
    pred: impl Fn(&Finding) -> bool,
) -> &'a Finding {
    assert!(!r.intact(), "[{b}] the report must not be intact");
    r.findings
        .iter()
        .find(|f| f.code == code && pred(f))
        .unwrap_or_else(|| panic!("[{b}] expected a {code} finding, got {:#?}", r.findings))
}

/// Raw SQL on the test database, bypassing the store (simulates tampering).
pub async fn exec(db: &TestDb, sql: String) -> u64 {
    let b = db.backend;
    if b == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        let _ = c.close().await;
        r.rows_affected()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        let _ = c.close().await;
        r.rows_affected()
    }
}

/// Raw SQL returning one text column.
pub async fn texts(db: &TestDb, sql: String) -> Vec<String> {
    let b = db.backend;
    if b == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(&mut c)
            .await
            .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        let _ = c.close().await;
        rows.into_iter().map(|(s,)| s).collect()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(&mut c)
            .await
            .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        let _ = c.close().await;
        rows.into_iter().map(|(s,)| s).collect()
    }
}

/// Close the app's pool and drop the database.
pub async fn finish(app: Arc<App>, db: TestDb) {
    app.store.close().await;
    db.cleanup().await;
}

/// A staff account with grants `(role, org_id)`.
pub fn staff(username: &str, grants: &[(&str, &str)]) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("测试{username}"),
        kind: "staff".into(),
        password: "correct horse battery".into(),
        id_number: None,
        credit_code: None,
        phone: None,
        email: None,
        grants: grants
            .iter()
            .map(|(role, org)| NewGrant {
                role: (*role).into(),
                org_id: (*org).into(),
            })
            .collect(),
    }
}

/// A 32-byte hash from hex.
pub fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).expect("hex").try_into().expect("32 bytes")
}

/// `n` organisations written by the platform itself: `n` ledger entries, cheaply.
pub async fn add_orgs(app: &App, n: usize, tag: &str) {
    let mut tx = app.store.write().await.expect("write");
    for i in 0..n {
        yiwang_app::organisations::insert_organisation(
            &mut *tx,
            &yiwang_app::Acting::system(),
            yiwang_app::organisations::NewOrganisation {
                name: format!("测试机构{tag}{i}"),
                name_en: String::new(),
                kind: "department".into(),
                region_code: "321300".into(),
                parent_id: None,
                credit_code: None,
            },
            None,
        )
        .await
        .expect("insert organisation");
    }
    tx.commit().await.expect("commit");
}

/// Raw SQL statements run in order on one connection with foreign-key checks off — as a
/// database administrator editing behind the platform's back would.
pub async fn exec_unchecked(db: &TestDb, statements: &[String]) {
    let b = db.backend;
    if b == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let off = "SET session_replication_role = replica".to_string();
        for sql in std::iter::once(&off).chain(statements) {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        }
        let _ = c.close().await;
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        let off = "PRAGMA foreign_keys = OFF".to_string();
        for sql in std::iter::once(&off).chain(statements) {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("[{b}] {sql}: {e}"));
        }
        let _ = c.close().await;
    }
}
