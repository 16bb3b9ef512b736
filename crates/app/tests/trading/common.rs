//! Fixtures of the trading tests: a trading centre, a tenderee and bidders registered with their
//! keys, sections accepted and published with a lawful schedule on a given server instant.

use std::sync::Arc;

use sqlx::Connection;
use yiwang_app::trading::bids::{SealedInput, SignedReceipt, submission_text};
use yiwang_app::trading::parties::{NewParty, register_party};
use yiwang_app::trading::tenders::{
    NewProject, NewSection, ScheduleInput, accept_entry, create_project, publish_tender_at,
    upload_documents,
};
use yiwang_app::{Acting, App, AppError, AppResult, now_micros};
use yiwang_core::Problem;
use yiwang_core::access::{Actor, Role};
use yiwang_core::ids::credit_code_check_char;
use yiwang_core::ledger::{PlatformKey, sm3_hex};
use yiwang_core::trading::schedule::earliest_deadline;
use yiwang_core::trading::{BidAction, PeriodRules, TradeField, TradeMethod};
use yiwang_store::{Organisation, TradingSection};
use yiwang_testkit::TestDb;

pub const DAY: i64 = 86_400_000_000;

pub fn credit_code(n: u32) -> String {
    let first = format!("91321300MA1N{n:05}");
    let check = credit_code_check_char(&first).expect("valid body");
    format!("{first}{check}")
}

/// A person holding `role` in `org` (a real account, so that notifications find it).
pub async fn actor(app: &App, user: &str, role: Role, org: &Organisation) -> Actor {
    let mut tx = app.store.write().await.expect("write");
    let u = yiwang_app::identity::insert_user(
        &mut *tx,
        &Acting::system(),
        yiwang_app::identity::NewUser {
            username: user.into(),
            display_name: format!("测试{user}"),
            kind: "staff".into(),
            password: "correct horse battery".into(),
            id_number: None,
            credit_code: None,
            phone: None,
            email: None,
            grants: vec![yiwang_app::identity::NewGrant {
                role: role.as_str().into(),
                org_id: org.id.clone(),
            }],
        },
    )
    .await
    .expect("insert user");
    let a = yiwang_app::identity::actor_of(&mut *tx, &u)
        .await
        .expect("actor");
    tx.commit().await.expect("commit");
    a
}

pub struct Bidder {
    pub party_id: String,
    pub actor: Actor,
    pub key: PlatformKey,
    pub credit_code: String,
}

pub struct World {
    pub app: Arc<App>,
    pub centre: Organisation,
    pub staff: Actor,
    pub tenderee: Actor,
    pub tenderee_party: String,
    pub bidders: Vec<Bidder>,
}

async fn org(
    app: &App,
    name: &str,
    kind: &str,
    parent: Option<&Organisation>,
    code: Option<String>,
) -> Organisation {
    let mut tx = app.store.write().await.expect("write");
    let o = yiwang_app::organisations::insert_organisation(
        &mut *tx,
        &Acting::system(),
        yiwang_app::organisations::NewOrganisation {
            name: name.into(),
            name_en: String::new(),
            kind: kind.into(),
            region_code: "321300".into(),
            parent_id: parent.map(|p| p.id.clone()),
            credit_code: code,
        },
        parent,
    )
    .await
    .expect("insert organisation");
    tx.commit().await.expect("commit");
    o
}

pub async fn world(db: &TestDb, bidders: u32) -> World {
    let app = db.app().await;
    let gov = org(&app, "宿迁市人民政府", "government", None, None).await;
    let centre = org(
        &app,
        "宿迁市公共资源交易中心",
        "trading_centre",
        Some(&gov),
        None,
    )
    .await;
    let staff = actor(&app, "staff-1", Role::TradingStaff, &centre).await;
    let ten_org = org(
        &app,
        "宿迁市城市建设投资有限公司",
        "enterprise",
        None,
        Some(credit_code(1)),
    )
    .await;
    let tenderee = actor(&app, "tenderee-1", Role::Tenderee, &ten_org).await;
    let t = register_party(
        &app.store,
        &tenderee,
        NewParty {
            org_id: ten_org.id.clone(),
            kind: "tenderee".into(),
            legal_representative: "钱立新".into(),
            basic_account: None,
            qualifications: vec![],
            temporary_for_section: None,
        },
    )
    .await
    .expect("register tenderee");
    let mut list = Vec::new();
    for i in 0..bidders {
        let code = credit_code(100 + i);
        let o = org(
            &app,
            &format!("宿迁宏远建设工程第{i}有限公司"),
            "enterprise",
            None,
            Some(code.clone()),
        )
        .await;
        let a = actor(&app, &format!("bidder-{i}"), Role::Bidder, &o).await;
        let r = register_party(
            &app.store,
            &a,
            NewParty {
                org_id: o.id.clone(),
                kind: "bidder".into(),
                legal_representative: format!("冯志远{i}"),
                basic_account: Some(format!("6222 0210 0000 {i:04}")),
                qualifications: vec![],
                temporary_for_section: None,
            },
        )
        .await
        .expect("register bidder");
        let key = PlatformKey::from_secret_hex(&r.private_key_hex).expect("private key format");
        assert_eq!(
            key.public_key_hex(),
            r.party.public_key,
            "the key pair matches"
        );
        list.push(Bidder {
            party_id: r.party.id,
            actor: a,
            key,
            credit_code: code,
        });
    }
    World {
        app,
        centre,
        staff,
        tenderee,
        tenderee_party: t.party.id,
        bidders: list,
    }
}

pub fn section_input(estimated: &str, deposit: Option<&str>) -> NewSection {
    NewSection {
        name: "第一标段".into(),
        field: "construction".into(),
        sub_category: 1,
        method: "open_tender".into(),
        estimated_price: estimated.into(),
        deposit: deposit.map(Into::into),
    }
}

pub fn project_input(w: &World, code: &str, sections: Vec<NewSection>) -> NewProject {
    NewProject {
        code: code.into(),
        name: "宿迁市古黄河路改造工程".into(),
        tenderee_party_id: w.tenderee_party.clone(),
        agency_party_id: None,
        centre_org_id: w.centre.id.clone(),
        sections,
    }
}

/// A lawful schedule for documents issued at `t0`: the earliest lawful deadline at 09:30.
pub fn lawful(app: &App, t0: i64) -> ScheduleInput {
    let rules =
        PeriodRules::for_trade(TradeField::Construction, TradeMethod::OpenTender).expect("rules");
    let at = yiwang_core::time::from_micros(t0);
    let deadline = earliest_deadline(
        &rules,
        at,
        at,
        chrono::NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
        &app.calendar().calendar,
    )
    .timestamp_micros();
    ScheduleInput {
        notice_at: t0,
        documents_from: t0,
        documents_until: deadline - 3_600_000_000,
        bid_deadline: deadline,
    }
}

/// An accepted section with clean documents (not yet published).
pub async fn accepted_section(w: &World, code: &str) -> (TradingSection, String) {
    let (_, sections) = create_project(
        &w.app,
        &w.tenderee,
        project_input(
            w,
            code,
            vec![section_input("10000000.00", Some("200000.00"))],
        ),
    )
    .await
    .expect("create project");
    let s = accept_entry(&w.app, &w.staff, &sections[0].id)
        .await
        .expect("accept entry");
    let doc = upload_documents(
        &w.app,
        &w.tenderee,
        &s.id,
        "招标文件.pdf",
        b"%PDF-1.7 tender documents".to_vec(),
        vec![
            "投标人须具备建筑工程施工总承包三级及以上资质。".into(),
            "工期365日历天。".into(),
        ],
    )
    .await
    .expect("upload documents");
    (s, doc.id)
}

/// A published (tendering) section; returns it with its deadline.
pub async fn published_section(w: &World, code: &str) -> TradingSection {
    let (s, doc) = accepted_section(w, code).await;
    let t0 = now_micros();
    publish_tender_at(&w.app, &w.tenderee, &s.id, &doc, lawful(&w.app, t0), t0)
        .await
        .expect("publish a lawful schedule")
}

/// The bid file as a bidder's client would seal it (a stand-in cipher: the bytes stored are not
/// the plaintext).
pub fn seal(plaintext: &[u8]) -> Vec<u8> {
    let mut out = b"YWSEALv1".to_vec();
    out.extend(
        plaintext
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ (0xA5 ^ (i as u8).wrapping_mul(31))),
    );
    out
}

pub async fn bid(
    w: &World,
    b: &Bidder,
    s: &TradingSection,
    action: BidAction,
    plaintext: &[u8],
    now: i64,
) -> AppResult<SignedReceipt> {
    let ciphertext = seal(plaintext);
    let text = submission_text(
        action,
        s.transaction_code.as_deref().expect("code"),
        &b.credit_code,
        &format!("sm3:{}", sm3_hex(&ciphertext)),
        ciphertext.len() as u64,
    );
    let signature = b.key.sign(text.as_bytes());
    yiwang_app::trading::bids::submit_bid_at(
        &w.app,
        &b.actor,
        SealedInput {
            party_id: &b.party_id,
            section_id: &s.id,
            action,
            ciphertext,
            signature: &signature,
        },
        now,
    )
    .await
}

pub fn problem<T>(r: AppResult<T>, what: &str) -> Problem {
    match r {
        Err(AppError::Problem(p)) => p,
        Err(e) => panic!("{what}: expected a Problem, got internal error {e}"),
        Ok(_) => panic!("{what}: expected a Problem, but it succeeded"),
    }
}

pub async fn section(app: &App, id: &str) -> TradingSection {
    let mut tx = app.store.read().await.expect("read");
    tx.get_section(id).await.expect("get").expect("section")
}

pub async fn ledger_head(app: &App) -> i64 {
    let mut tx = app.store.read().await.expect("read");
    tx.ledger_head().await.expect("head").0
}

/// Raw SQL returning text columns joined, bypassing the store (what a database administrator
/// sees).
pub async fn dump(db: &TestDb, sql: &str) -> Vec<String> {
    if db.backend == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut c)
            .await
            .expect("query");
        let _ = c.close().await;
        rows.into_iter().map(|(s,)| s).collect()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut c)
            .await
            .expect("query");
        let _ = c.close().await;
        rows.into_iter().map(|(s,)| s).collect()
    }
}

pub async fn verify_intact(app: &App, b: &str) {
    let pk = app.platform_key().public_key_hex();
    let r = yiwang_app::audit::verify(&app.store, &pk)
        .await
        .expect("audit verify runs");
    assert!(r.intact(), "[{b}] the audit is intact: {:#?}", r.findings);
}

pub async fn finish(app: Arc<App>, db: TestDb) {
    app.store.close().await;
    db.cleanup().await;
}
