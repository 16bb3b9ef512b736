//! The trading demo: parties registered with their signing keys and one construction project of
//! Suqian whose sections stand in the states a trading centre sees every day — waiting for
//! 进场登记, accepted with documents, tendering with downloads, a clarification, an objection,
//! deposits and sealed bids, opened with a signed opening record, and failed (流标).
//!
//! Everything goes through the real use cases; the past is reached with their `_at(now)` forms,
//! as the job runner would have run them on those days. Bids are sealed through the real HPKE
//! sealing ([`crate::trading::sealing::seal`]) to each section's custodian key, and opened at the
//! opening with the bidders' own keys ([`crate::trading::unsealing::open_with_bid_key_at`]). The
//! demo's custodian shares are not kept anywhere (a real ceremony hands them to custodians).

use std::sync::Arc;

use yiwang_core::access::{Actor, Role};
use yiwang_core::ledger::{PlatformKey, sm3_hex};
use yiwang_core::trading::schedule::earliest_deadline;
use yiwang_core::trading::{BidAction, PeriodRules, TradeField, TradeMethod};
use yiwang_store::prelude::*;
use yiwang_store::{Organisation, TradingSection};

use crate::identity::{NewGrant, NewUser, actor_of, insert_user};
use crate::organisations::{NewOrganisation, insert_organisation};
use crate::trading::bids::{SealedInput, submission_text, submit_bid_at};
use crate::trading::opening::{close_due, open_due};
use crate::trading::parties::{NewParty, register_party};
use crate::trading::sealing::{generate_custodian_key, seal};
use crate::trading::tenders::{
    NewProject, NewSection, ScheduleInput, accept_entry, clarify_at, create_project,
    download_documents_at, publish_tender_at, upload_documents,
};
use crate::trading::unsealing::{open_with_bid_key_at, register_custodian_key_at};
use crate::trading::{deposits, objections};
use crate::{Acting, App, AppError, AppResult, now_micros};
use yiwang_core::trading::sealing::{BidKeyFile, encode_plaintext};

const DAY: i64 = 86_400_000_000;

/// How long after the trading demo is built the 第六标段's bid deadline falls. After this point
/// the experts and cases demos still run, the server starts, and tests/browser/trading.mjs walks
/// the centre, tenderee and public pages before the bidder seals and submits: measured about
/// 60 s on a loaded two-core machine (debug build). Four minutes leaves three times that as
/// margin for a slower CI run; the test then waits for the job runner to open the section, so
/// a larger value only makes it slower.
pub const OPENS_IN: i64 = 4 * 60_000_000;

/// What the trading demo made.
#[derive(Debug, Clone, Default)]
pub struct TradingDemo {
    pub parties: usize,
    pub sections: usize,
    pub bids: usize,
}

struct Bidder {
    party_id: String,
    actor: Actor,
    key: PlatformKey,
    credit_code: String,
}

fn demo_error(what: &str) -> AppError {
    AppError::Internal(format!(
        "trading demo: {what} missing (run the base demo first)"
    ))
}

async fn user_actor(app: &App, username: &str) -> AppResult<Actor> {
    let mut tx = app.store.read().await?;
    let user = tx
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| demo_error(username))?;
    actor_of(&mut *tx, &user).await
}

/// A bidder enterprise and its legal person's account, for the demo's third bidder.
async fn enterprise_with_account(
    app: &App,
    name: &str,
    credit_code: &str,
    username: &str,
    person: &str,
) -> AppResult<(Organisation, Actor)> {
    let mut tx = app.store.write().await?;
    let by = Acting::system();
    let org = insert_organisation(
        &mut *tx,
        &by,
        NewOrganisation {
            name: name.into(),
            name_en: String::new(),
            kind: "enterprise".into(),
            region_code: "321311".into(),
            parent_id: None,
            credit_code: Some(credit_code.into()),
        },
        None,
    )
    .await?;
    let user = insert_user(
        &mut *tx,
        &by,
        NewUser {
            username: username.into(),
            display_name: person.into(),
            kind: "legal_person".into(),
            password: super::DEMO_PASSWORD.into(),
            id_number: None,
            credit_code: Some(credit_code.into()),
            phone: Some("13800000000".into()),
            email: None,
            grants: vec![NewGrant {
                role: Role::Bidder.as_str().into(),
                org_id: org.id.clone(),
            }],
        },
    )
    .await?;
    let actor = actor_of(&mut *tx, &user).await?;
    tx.commit().await?;
    Ok((org, actor))
}

async fn bidder(app: &App, actor: Actor, org: &Organisation, account: &str) -> AppResult<Bidder> {
    let r = register_party(
        &app.store,
        &actor,
        NewParty {
            org_id: org.id.clone(),
            kind: "bidder".into(),
            legal_representative: "法定代表人".into(),
            basic_account: Some(account.into()),
            qualifications: vec![],
            temporary_for_section: None,
        },
    )
    .await?;
    let key = PlatformKey::from_secret_hex(&r.private_key_hex)
        .map_err(|e| AppError::Internal(format!("demo bidder key: {e}")))?;
    Ok(Bidder {
        party_id: r.party.id,
        actor,
        key,
        credit_code: org.credit_code.clone().unwrap_or_default(),
    })
}

/// A lawful schedule for documents issued at `t0`: the earliest lawful deadline, at 09:30.
fn lawful(app: &App, t0: i64) -> AppResult<ScheduleInput> {
    let rules = PeriodRules::for_trade(TradeField::Construction, TradeMethod::OpenTender)
        .ok_or_else(|| demo_error("period rules"))?;
    let at = yiwang_core::time::from_micros(t0);
    let nine_thirty =
        chrono::NaiveTime::from_hms_opt(9, 30, 0).ok_or_else(|| demo_error("time"))?;
    let deadline =
        earliest_deadline(&rules, at, at, nine_thirty, &app.calendar().calendar).timestamp_micros();
    Ok(ScheduleInput {
        notice_at: t0,
        documents_from: t0,
        documents_until: deadline - 3_600_000_000,
        bid_deadline: deadline,
    })
}

fn section_input(name: &str, estimated: &str, deposit: &str) -> NewSection {
    NewSection {
        name: name.into(),
        field: TradeField::Construction.as_str().into(),
        sub_category: 1,
        method: TradeMethod::OpenTender.as_str().into(),
        estimated_price: estimated.into(),
        deposit: Some(deposit.into()),
    }
}

/// The centre's custodian key for a section (3 of 5; the shares are dropped in the demo).
async fn custodian_key(
    app: &App,
    staff: &Actor,
    s: &TradingSection,
    now: i64,
) -> AppResult<TradingSection> {
    let key = generate_custodian_key(3, 5)?;
    register_custodian_key_at(app, staff, &s.id, &key.public_key, now).await
}

/// Seal and submit a demo bid: the file with its price and duration, sealed through the real
/// HPKE code; returns the bid key the bidder keeps.
async fn bid(
    app: &App,
    b: &Bidder,
    s: &TradingSection,
    price: &str,
    file: &[u8],
    now: i64,
) -> AppResult<BidKeyFile> {
    let code = s
        .transaction_code
        .as_deref()
        .ok_or_else(|| demo_error("transaction code"))?;
    let custodian = s
        .custodian_key
        .as_deref()
        .ok_or_else(|| demo_error("custodian key"))?;
    let price: rust_decimal::Decimal = price.parse().map_err(|_| demo_error("price"))?;
    let plaintext = encode_plaintext(price, Some(360), "投标文件.pdf", file);
    let sealed = seal(code, custodian, &plaintext)?;
    let ciphertext = sealed.file;
    let text = submission_text(
        BidAction::Submit,
        code,
        &b.credit_code,
        &format!("sm3:{}", sm3_hex(&ciphertext)),
        ciphertext.len() as u64,
    );
    let signature = b.key.sign(text.as_bytes());
    submit_bid_at(
        app,
        &b.actor,
        SealedInput {
            party_id: &b.party_id,
            section_id: &s.id,
            action: BidAction::Submit,
            ciphertext,
            signature: &signature,
        },
        now,
    )
    .await?;
    Ok(sealed.key)
}

/// Run the opening jobs as the runner would have at `now`.
async fn run_job(
    app: &App,
    job: for<'a> fn(
        &'a App,
        &'a mut dyn WriteTx,
        i64,
    ) -> crate::registry::BoxFuture<'a, AppResult<String>>,
    now: i64,
) -> AppResult<()> {
    let mut tx = app.store.write().await?;
    job(app, &mut *tx, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Build the trading demo on a database that holds the base demo ([`super::build`]).
pub async fn build(app: &Arc<App>) -> AppResult<TradingDemo> {
    let mut made = TradingDemo::default();
    let orgs = app.store.read().await?.list_organisations("").await?;
    let find = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .cloned()
            .ok_or_else(|| demo_error(name))
    };
    let centre = find("宿迁市公共资源交易中心")?;
    let tenderee_org = find("宿迁市城市建设投资(集团)有限公司")?;
    let staff = user_actor(app, "trading").await?;
    let tenderee = user_actor(app, "tenderee").await?;
    let t = register_party(
        &app.store,
        &tenderee,
        NewParty {
            org_id: tenderee_org.id.clone(),
            kind: "tenderee".into(),
            legal_representative: "钱立新".into(),
            basic_account: None,
            qualifications: vec![],
            temporary_for_section: None,
        },
    )
    .await?;
    made.parties += 1;

    let mut bidders = Vec::new();
    let hongyuan = find("宿迁宏远建设工程有限公司")?;
    let first = user_actor(app, "bidder").await?;
    bidders.push(bidder(app, first, &hongyuan, "3213 1100 0000 0001").await?);
    for (name, serial, username, person, account) in [
        (
            "宿迁鑫河路桥工程有限公司",
            2001,
            "xinhe",
            "陶明",
            "3213 1100 0000 0002",
        ),
        (
            "江苏淮安鼎盛建设有限公司",
            2002,
            "dingsheng",
            "许丽",
            "3208 0100 0000 0003",
        ),
    ] {
        let code = super::demo_credit_code("321311", serial);
        let (org, actor) = enterprise_with_account(app, name, &code, username, person).await?;
        bidders.push(bidder(app, actor, &org, account).await?);
    }
    made.parties += bidders.len();

    let names = [
        "第一标段（道路工程）",
        "第二标段（桥梁工程）",
        "第三标段（排水工程）",
        "第四标段（照明工程）",
        "第五标段（绿化工程）",
        "第六标段（交通设施工程）",
    ];
    let (_, sections) = create_project(
        app,
        &tenderee,
        NewProject {
            code: "SQ-2026-GHH-001".into(),
            name: "宿迁市古黄河路改造工程".into(),
            tenderee_party_id: t.party.id.clone(),
            agency_party_id: None,
            centre_org_id: centre.id.clone(),
            sections: vec![
                section_input(names[0], "48000000.00", "800000.00"),
                section_input(names[1], "26500000.00", "500000.00"),
                section_input(names[2], "9800000.00", "190000.00"),
                section_input(names[3], "3200000.00", "60000.00"),
                section_input(names[4], "2100000.00", "40000.00"),
                section_input(names[5], "1800000.00", "30000.00"),
            ],
        },
    )
    .await?;
    made.sections = sections.len();
    // The first section waits for 进场登记; the others are accepted with their documents.
    let mut accepted = Vec::new();
    for s in &sections[1..] {
        let s = accept_entry(app, &staff, &s.id).await?;
        let doc = upload_documents(
            app,
            &tenderee,
            &s.id,
            "招标文件.pdf",
            format!("%PDF-1.7 {} 招标文件", s.name).into_bytes(),
            vec![
                "投标人须具备市政公用工程施工总承包三级及以上资质。".into(),
                "工期365日历天。".into(),
            ],
        )
        .await?;
        accepted.push((s, doc.id));
    }
    let now = now_micros();

    // Tendering now: downloads, a clarification, an objection answered, deposits, sealed bids.
    let (s, doc) = &accepted[1];
    let schedule = lawful(app, now)?;
    let s = publish_tender_at(app, &tenderee, &s.id, doc, schedule, now).await?;
    for (i, b) in bidders.iter().enumerate() {
        download_documents_at(
            app,
            &b.actor,
            &b.party_id,
            &s.id,
            &format!("203.0.113.{}", 10 + i),
            now + 1,
        )
        .await?;
    }
    clarify_at(
        app,
        &tenderee,
        &s.id,
        "招标文件第3.2条“投标有效期”更正为90日历天。",
        false,
        now + 2,
    )
    .await?;
    let objection = objections::raise_objection_at(
        app,
        &bidders[2].actor,
        &bidders[2].party_id,
        &s.id,
        "资格条件中的业绩要求是否限定本地业绩，请予澄清。",
        now + 3,
    )
    .await?;
    objections::answer_objection_at(
        app,
        &tenderee,
        &objection.id,
        "业绩要求不限地域，全国范围内的同类业绩均可。",
        now + 4,
    )
    .await?;
    for b in &bidders {
        let account = deposits::open_account(app, &b.actor, &b.party_id, &s.id).await?;
        if b.credit_code == bidders[0].credit_code {
            deposits::record_payment(
                app,
                &staff,
                &account.virtual_account,
                "3213 1100 0000 0001",
                &account.required,
                now + 5,
            )
            .await?;
        }
    }
    let s = custodian_key(app, &staff, &s, now + 6).await?;
    for (b, price) in bidders[..2].iter().zip(["26100000.00", "25980000.00"]) {
        bid(
            app,
            b,
            &s,
            price,
            "%PDF-1.7 投标文件（商务标、技术标）".as_bytes(),
            now + 7,
        )
        .await?;
        made.bids += 1;
    }

    // Opened forty days ago, decrypted, the opening record signed.
    let (s, doc) = &accepted[2];
    let t0 = now - 40 * DAY;
    let schedule = lawful(app, t0)?;
    let deadline = schedule.bid_deadline;
    let s = publish_tender_at(app, &tenderee, &s.id, doc, schedule, t0).await?;
    let s = custodian_key(app, &staff, &s, t0).await?;
    let prices = ["9650000.00", "9712000.00", "9588000.00"];
    let mut keys = Vec::new();
    for (i, b) in bidders.iter().enumerate() {
        let file = format!("%PDF-1.7 投标文件{i}");
        keys.push(bid(app, b, &s, prices[i], file.as_bytes(), t0 + DAY).await?);
        made.bids += 1;
    }
    run_job(app, |a, tx, at| Box::pin(open_due(a, tx, at)), deadline).await?;
    for (b, key) in bidders.iter().zip(&keys) {
        open_with_bid_key_at(
            app,
            &b.actor,
            &b.party_id,
            &s.id,
            &key.to_text(),
            deadline + 600_000_000,
        )
        .await?;
    }
    let after_window = deadline + crate::trading::opening::DECRYPTION_WINDOW_MICROS + 1;
    run_job(
        app,
        |a, tx, at| Box::pin(close_due(a, tx, at)),
        after_window,
    )
    .await?;

    // Failed (流标): two bids at the deadline.
    let (s, doc) = &accepted[3];
    let t0 = now - 35 * DAY;
    let schedule = lawful(app, t0)?;
    let deadline = schedule.bid_deadline;
    let s = publish_tender_at(app, &tenderee, &s.id, doc, schedule, t0).await?;
    let s = custodian_key(app, &staff, &s, t0).await?;
    for b in &bidders[..2] {
        bid(
            app,
            b,
            &s,
            "3150000.00",
            "%PDF-1.7 投标文件".as_bytes(),
            t0 + DAY,
        )
        .await?;
        made.bids += 1;
    }
    run_job(app, |a, tx, at| Box::pin(open_due(a, tx, at)), deadline).await?;

    // Closing soon: documents issued 25 days ago (backdated, through the `_at` use cases), so
    // that the bid deadline — and the opening by the job runner — falls OPENS_IN after the demo
    // is built, with two sealed bids already in; a third bid (the browser test seals one in the
    // page as the demo bidder 宏远) makes the three an opening needs.
    let (s, doc) = &accepted[4];
    let deadline = now + OPENS_IN;
    let t0 = deadline - 25 * DAY;
    let schedule = ScheduleInput {
        notice_at: t0,
        documents_from: t0,
        documents_until: deadline - 3_600_000_000,
        bid_deadline: deadline,
    };
    let s = publish_tender_at(app, &tenderee, &s.id, doc, schedule, t0).await?;
    let s = custodian_key(app, &staff, &s, t0).await?;
    for (b, price) in bidders[1..].iter().zip(["1760000.00", "1788000.00"]) {
        bid(app, b, &s, price, "%PDF-1.7 投标文件".as_bytes(), t0 + DAY).await?;
        made.bids += 1;
    }
    crate::audit::checkpoint(app).await?;
    Ok(made)
}
