//! Trading use-case tests on every backend `yiwang_testkit::backends()` yields (SQLite always,
//! PostgreSQL when reachable — mandatory when `YIWANG_TEST_PG` is set).

mod archive;
mod common;
mod ocds;
mod sealing;

use yiwang_app::trading::opening::{Decrypted, close_due, decrypt_bid_at, open_due};
use yiwang_app::trading::tenders::{ScheduleInput, create_project, publish_tender_at};
use yiwang_app::{now_micros, trading};
use yiwang_core::ProblemKind;
use yiwang_core::ledger::verify_signature;
use yiwang_core::trading::{BidAction, SectionState};
use yiwang_testkit::{TestDb, backend_test};

use common::*;

backend_test!(an_unlawful_schedule_is_refused_with_every_violation_and_a_lawful_one_published);
async fn an_unlawful_schedule_is_refused_with_every_violation_and_a_lawful_one_published(
    db: TestDb,
) {
    let b = db.backend;
    let w = world(&db, 0).await;
    let (s, doc) = accepted_section(&w, "P-SCHED").await;
    let t0 = now_micros();
    let head = ledger_head(&w.app).await;
    // 10 days from documents to deadline, and the sale running past the deadline.
    let bad = ScheduleInput {
        notice_at: t0,
        documents_from: t0,
        documents_until: t0 + 12 * DAY,
        bid_deadline: t0 + 10 * DAY,
    };
    let p = problem(
        publish_tender_at(&w.app, &w.tenderee, &s.id, &doc, bad, t0).await,
        "unlawful schedule",
    );
    assert_eq!(p.code, "trading.schedule", "[{b}] {p:?}");
    let codes: Vec<String> = p.details.as_ref().expect("details")["violations"]
        .as_array()
        .expect("violations listed")
        .iter()
        .map(|v| v["code"].as_str().unwrap_or("").to_string())
        .collect();
    for want in [
        "trading.period.bid_period",
        "trading.period.documents_after_deadline",
    ] {
        assert!(codes.iter().any(|c| c == want), "[{b}] {want} in {codes:?}");
    }
    // A backdated notice is refused too.
    let mut back = lawful(&w.app, t0 - 30 * DAY);
    back.bid_deadline = lawful(&w.app, t0).bid_deadline;
    let p = problem(
        publish_tender_at(&w.app, &w.tenderee, &s.id, &doc, back, t0).await,
        "backdated",
    );
    assert!(
        p.details
            .as_ref()
            .expect("details")
            .to_string()
            .contains("trading.period.notice_past"),
        "[{b}] {p:?}"
    );
    assert_eq!(ledger_head(&w.app).await, head, "[{b}] nothing recorded");
    assert_eq!(section(&w.app, &s.id).await.state, "registered");

    let ok = publish_tender_at(&w.app, &w.tenderee, &s.id, &doc, lawful(&w.app, t0), t0)
        .await
        .unwrap_or_else(|e| panic!("[{b}] lawful schedule: {e}"));
    assert_eq!(
        SectionState::parse(&ok.state),
        Some(SectionState::Tendering)
    );
    // 20 days as the law counts them (the day of issue not counted; the deadline at 09:30).
    assert!(
        ok.bid_deadline.expect("deadline") - t0 >= 19 * DAY,
        "[{b}] ≥ 20 days"
    );
    let jobs = dump(&db, "SELECT kind FROM jobs WHERE kind = 'trading.open'").await;
    assert_eq!(jobs.len(), 1, "[{b}] the opening is scheduled");
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}

backend_test!(bids_until_the_deadline_then_refused_by_the_server_clock);
async fn bids_until_the_deadline_then_refused_by_the_server_clock(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 1).await;
    let s = published_section(&w, "P-LATE").await;
    let deadline = s.bid_deadline.expect("deadline");
    let bidder = &w.bidders[0];
    let r1 = bid(
        &w,
        bidder,
        &s,
        BidAction::Submit,
        b"price=1",
        deadline - DAY,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] submit: {e}"));
    assert_eq!(r1.receipt.version, 1);
    assert!(
        verify_signature(
            &w.app.platform_key().public_key_hex(),
            r1.text.as_bytes(),
            &r1.signature
        ),
        "[{b}] the receipt is signed by the platform"
    );
    assert!(
        r1.text
            .ends_with(&format!("ledger_seq={}\n", r1.ledger_seq))
    );
    let again = problem(
        bid(
            &w,
            bidder,
            &s,
            BidAction::Submit,
            b"price=1",
            deadline - DAY,
        )
        .await,
        "second submit",
    );
    assert_eq!(again.code, "trading.bid.exists", "[{b}]");
    let r2 = bid(&w, bidder, &s, BidAction::Replace, b"price=2", deadline - 1)
        .await
        .unwrap_or_else(|e| panic!("[{b}] replace: {e}"));
    assert_eq!(r2.receipt.version, 2);
    assert_eq!(
        r2.receipt.replaces.as_ref(),
        Some(&r1.receipt.ciphertext_digest)
    );
    let head = ledger_head(&w.app).await;
    for (action, at) in [
        (BidAction::Replace, deadline),
        (BidAction::Replace, deadline + DAY),
    ] {
        let p = problem(bid(&w, bidder, &s, action, b"price=3", at).await, "late");
        assert_eq!(p.code, "trading.bid.late", "[{b}] {p:?}");
    }
    // A late first submission from another angle: a wrong signature is refused as well.
    let mut tampered = bidder.key.sign(b"something else");
    tampered.replace_range(0..2, "00");
    let p = problem(
        yiwang_app::trading::bids::submit_bid_at(
            &w.app,
            &bidder.actor,
            yiwang_app::trading::bids::SealedInput {
                party_id: &bidder.party_id,
                section_id: &s.id,
                action: BidAction::Replace,
                ciphertext: seal(b"x"),
                signature: &tampered,
            },
            deadline - 10,
        )
        .await,
        "bad signature",
    );
    assert_eq!(p.code, "trading.bid.signature", "[{b}]");
    assert_eq!(
        ledger_head(&w.app).await,
        head,
        "[{b}] refusals record nothing"
    );
    let bids = dump(&db, "SELECT status FROM trading_bids ORDER BY version").await;
    assert_eq!(bids, vec!["superseded", "sealed"], "[{b}]");
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}

backend_test!(two_bids_fail_three_bids_open_and_the_record_is_signed);
async fn two_bids_fail_three_bids_open_and_the_record_is_signed(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 3).await;
    let two = published_section(&w, "P-TWO").await;
    let three = published_section(&w, "P-THREE").await;
    let deadline = three.bid_deadline.expect("deadline");
    assert_eq!(two.bid_deadline, Some(deadline));
    for (i, bidder) in w.bidders.iter().enumerate() {
        if i < 2 {
            bid(&w, bidder, &two, BidAction::Submit, b"two", deadline - DAY)
                .await
                .expect("bid two");
        }
        bid(
            &w,
            bidder,
            &three,
            BidAction::Submit,
            format!("bid {i}").as_bytes(),
            deadline - DAY,
        )
        .await
        .expect("bid three");
    }
    let mut tx = w.app.store.write().await.expect("write");
    assert_eq!(
        open_due(&w.app, &mut *tx, deadline - 1)
            .await
            .expect("early"),
        "opened 0, failed 0",
        "[{b}] nothing opens before the deadline"
    );
    let out = open_due(&w.app, &mut *tx, deadline).await.expect("open");
    tx.commit().await.expect("commit");
    assert_eq!(out, "opened 1, failed 1", "[{b}]");
    assert_eq!(section(&w.app, &two.id).await.state, "failed", "[{b}] 流标");
    let p = problem(
        trading::tenders::retender(&w.app, &w.staff, &two.id).await,
        "the centre re-tenders",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let again = trading::tenders::retender(&w.app, &w.tenderee, &two.id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] re-tender: {e}"));
    assert_eq!(
        (again.state.as_str(), again.round),
        ("registered", 2),
        "[{b}]"
    );
    assert!(again.bid_deadline.is_none());
    assert_eq!(section(&w.app, &three.id).await.state, "opened", "[{b}]");

    // Two bidders decrypt; the third does not within the window.
    for (i, bidder) in w.bidders.iter().take(2).enumerate() {
        decrypt_bid_at(
            &w.app,
            &bidder.actor,
            &bidder.party_id,
            &three.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "ab".repeat(32)),
                price: format!("{}.50", 9_000_000 + i),
                duration_days: Some(300),
            },
            deadline + 60_000_000,
        )
        .await
        .unwrap_or_else(|e| panic!("[{b}] decrypt: {e}"));
    }
    let window_end = deadline + trading::opening::DECRYPTION_WINDOW_MICROS;
    let late = problem(
        decrypt_bid_at(
            &w.app,
            &w.bidders[2].actor,
            &w.bidders[2].party_id,
            &three.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "cd".repeat(32)),
                price: "1.00".into(),
                duration_days: None,
            },
            window_end,
        )
        .await,
        "after the window",
    );
    assert_eq!(late.code, "trading.bid.window_closed", "[{b}]");
    let mut tx = w.app.store.write().await.expect("write");
    close_due(&w.app, &mut *tx, window_end)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let mut tx = w.app.store.read().await.expect("read");
    let o = tx
        .get_opening(&three.id, 1)
        .await
        .expect("get")
        .expect("opening");
    let record = o.record.clone().expect("record");
    assert!(
        record.contains("9000000.50") && record.contains("revoked"),
        "[{b}] {record}"
    );
    assert!(
        verify_signature(
            &w.app.platform_key().public_key_hex(),
            trading::opening::opening_record_text(
                three.transaction_code.as_deref().expect("code"),
                1,
                &record
            )
            .as_bytes(),
            o.record_signature.as_deref().expect("signature"),
        ),
        "[{b}] the opening record is signed"
    );
    drop(tx);
    // Two decrypted of three: the minimum is not met after decryption either.
    assert_eq!(section(&w.app, &three.id).await.state, "failed", "[{b}]");
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}

backend_test!(
    the_opening_runs_exactly_once_with_two_runners,
    flavor = "multi_thread",
    worker_threads = 4
);
async fn the_opening_runs_exactly_once_with_two_runners(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 3).await;
    let s = published_section(&w, "P-ONCE").await;
    let deadline = s.bid_deadline.expect("deadline");
    for bidder in &w.bidders {
        bid(&w, bidder, &s, BidAction::Submit, b"x", deadline - DAY)
            .await
            .expect("bid");
    }
    let second = db.app().await;
    let mut handles = Vec::new();
    for app in [w.app.clone(), second.clone(), w.app.clone(), second.clone()] {
        handles.push(tokio::spawn(async move {
            loop {
                let mut tx = match app.store.write().await {
                    Ok(tx) => tx,
                    Err(_) => continue,
                };
                match open_due(&app, &mut *tx, deadline).await {
                    Ok(out) => match tx.commit().await {
                        Ok(()) => return out,
                        Err(_) => continue,
                    },
                    Err(yiwang_app::AppError::Problem(p)) if p.kind == ProblemKind::Unavailable => {
                        continue;
                    }
                    Err(e) => panic!("open_due: {e}"),
                }
            }
        }));
    }
    let mut outs = Vec::new();
    for h in handles {
        outs.push(h.await.expect("runner"));
    }
    assert_eq!(
        outs.iter().filter(|o| *o == "opened 1, failed 0").count(),
        1,
        "[{b}] one runner opened: {outs:?}"
    );
    let opens = dump(
        &db,
        "SELECT action FROM ledger_entries WHERE action = 'trading.section.open'",
    )
    .await;
    assert_eq!(opens.len(), 1, "[{b}] one ledger entry");
    let rows = dump(&db, "SELECT id FROM trading_openings").await;
    assert_eq!(rows.len(), 1, "[{b}] one opening row");
    let closes = dump(
        &db,
        "SELECT kind FROM jobs WHERE kind = 'trading.opening.close'",
    )
    .await;
    assert_eq!(closes.len(), 1, "[{b}] one close job");
    verify_intact(&w.app, b).await;
    second.store.close().await;
    finish(w.app, db).await;
}

backend_test!(a_deposit_over_two_percent_is_refused);
async fn a_deposit_over_two_percent_is_refused(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 0).await;
    let head = ledger_head(&w.app).await;
    let p = problem(
        create_project(
            &w.app,
            &w.tenderee,
            project_input(
                &w,
                "P-DEP",
                vec![section_input("1000000.00", Some("20000.01"))],
            ),
        )
        .await,
        "deposit over 2%",
    );
    assert!(
        p.details
            .as_ref()
            .expect("details")
            .to_string()
            .contains("trading.deposit.rate"),
        "[{b}] {p:?}"
    );
    assert_eq!(ledger_head(&w.app).await, head, "[{b}] nothing recorded");
    assert!(
        dump(&db, "SELECT id FROM trading_sections")
            .await
            .is_empty()
    );
    let (_, s) = create_project(
        &w.app,
        &w.tenderee,
        project_input(
            &w,
            "P-DEP",
            vec![section_input("1000000.00", Some("20000.00"))],
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] exactly 2%: {e}"));
    assert_eq!(
        s[0].deposit.as_deref(),
        Some("20000.00"),
        "[{b}] money kept exact"
    );
    finish(w.app, db).await;
}

backend_test!(the_wrong_role_is_forbidden_and_changes_nothing);
async fn the_wrong_role_is_forbidden_and_changes_nothing(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 1).await;
    let (_, sections) = create_project(
        &w.app,
        &w.tenderee,
        project_input(&w, "P-ROLE", vec![section_input("5000000", None)]),
    )
    .await
    .expect("project");
    let sid = sections[0].id.clone();
    let head = ledger_head(&w.app).await;
    let bidder = &w.bidders[0];
    // The tenderee cannot accept its own entry; a bidder cannot create a project.
    let p = problem(
        trading::tenders::accept_entry(&w.app, &w.tenderee, &sid).await,
        "tenderee accepts",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let p = problem(
        create_project(
            &w.app,
            &bidder.actor,
            project_input(&w, "P-X", vec![section_input("1", None)]),
        )
        .await,
        "bidder creates",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    assert_eq!(ledger_head(&w.app).await, head, "[{b}] nothing recorded");
    let s = trading::tenders::accept_entry(&w.app, &w.staff, &sid)
        .await
        .expect("accept");
    assert!(s.transaction_code.is_some());
    let doc = trading::tenders::upload_documents(
        &w.app,
        &w.tenderee,
        &sid,
        "招标文件.pdf",
        b"doc".to_vec(),
        vec!["投标人须为本市注册企业。".into()],
    )
    .await
    .expect("upload");
    let t0 = now_micros();
    let head = ledger_head(&w.app).await;
    for who in [&bidder.actor, &w.staff] {
        let p = problem(
            publish_tender_at(&w.app, who, &sid, &doc.id, lawful(&w.app, t0), t0).await,
            "publish by the wrong role",
        );
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    }
    // The 量体裁衣 flag needs a recorded justification first.
    let p = problem(
        publish_tender_at(&w.app, &w.tenderee, &sid, &doc.id, lawful(&w.app, t0), t0).await,
        "unjustified clause",
    );
    assert_eq!(p.code, "trading.clauses.unjustified", "[{b}]");
    assert_eq!(ledger_head(&w.app).await, head, "[{b}] nothing recorded");
    assert_eq!(
        section(&w.app, &sid).await,
        s,
        "[{b}] the section is unchanged"
    );
    let findings = trading::tenders::findings_of(&doc).expect("findings");
    assert!(!findings.is_empty(), "[{b}] the region clause is flagged");
    let just = findings
        .iter()
        .map(|f| yiwang_core::trading::clauses::Justification {
            clause: f.clause,
            restriction: f.restriction,
            reason: "本项目为应急抢险工程，须两小时内到场，经主管部门批准。".into(),
        })
        .collect();
    trading::tenders::justify_clauses(&w.app, &w.tenderee, &doc.id, just)
        .await
        .expect("justify");
    let s = publish_tender_at(&w.app, &w.tenderee, &sid, &doc.id, lawful(&w.app, t0), t0)
        .await
        .unwrap_or_else(|e| panic!("[{b}] justified: {e}"));
    // Staff cannot bid; a bidder cannot act for another bidder.
    let p = problem(
        trading::bids::submit_bid_at(
            &w.app,
            &w.staff,
            trading::bids::SealedInput {
                party_id: &bidder.party_id,
                section_id: &s.id,
                action: BidAction::Submit,
                ciphertext: seal(b"x"),
                signature: "00",
            },
            t0,
        )
        .await,
        "staff bids",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    assert!(dump(&db, "SELECT id FROM trading_bids").await.is_empty());
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}

backend_test!(
    before_the_deadline_the_database_and_blobs_hold_only_ciphertext_and_no_api_reads_a_bid
);
async fn before_the_deadline_the_database_and_blobs_hold_only_ciphertext_and_no_api_reads_a_bid(
    db: TestDb,
) {
    let b = db.backend;
    let w = world(&db, 1).await;
    let s = published_section(&w, "P-SEAL").await;
    let bidder = &w.bidders[0];
    let plaintext = "投标报价：人民币玖佰捌拾万元整（9800000.00元），工期300日历天。".as_bytes();
    let r = bid(&w, bidder, &s, BidAction::Submit, plaintext, now_micros())
        .await
        .expect("bid");
    // The database: no plaintext, no price, only the digest of the ciphertext.
    for sql in [
        "SELECT COALESCE(price, '') FROM trading_bids",
        "SELECT ciphertext_digest FROM trading_bids",
        "SELECT detail_json FROM ledger_entries",
    ] {
        for v in dump(&db, sql).await {
            assert!(
                !v.contains("9800000") && !v.contains("投标报价"),
                "[{b}] {sql}: {v}"
            );
        }
    }
    let digest = r.receipt.ciphertext_digest.hex.clone();
    // The blob store: the stored file is the ciphertext, not the plaintext.
    let file = w.app.blobs().file_of(&digest).expect("a directory store");
    let stored = std::fs::read(&file).expect("read blob");
    assert_eq!(
        stored,
        seal(plaintext),
        "[{b}] the ciphertext is stored as sent"
    );
    assert!(
        !stored.windows(plaintext.len()).any(|x| x == plaintext),
        "[{b}] the blob is not the plaintext"
    );
    // No API returns the bid or who bid before the opening.
    let bid_id = dump(&db, "SELECT id FROM trading_bids").await.remove(0);
    let p = problem(
        trading::bids::section_bids(&w.app, &w.tenderee, &s.id).await,
        "tenderee lists bids",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let p = problem(
        trading::bids::section_bids(&w.app, &w.staff, &s.id).await,
        "centre lists bids",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    for who in [&bidder.actor, &w.staff] {
        let p = problem(
            trading::bids::bid_ciphertext(&w.app, who, &bid_id).await,
            "read the sealed file",
        );
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    }
    let mine = trading::bids::my_bids(&w.app, &bidder.actor, &bidder.party_id)
        .await
        .expect("own receipts");
    assert_eq!(mine.len(), 1);
    assert!(
        mine[0].price.is_none(),
        "[{b}] no content in the bidder's own view"
    );
    finish(w.app, db).await;
}

backend_test!(downloads_clarifications_deposits_and_a_full_opening);
async fn downloads_clarifications_deposits_and_a_full_opening(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 3).await;
    let s = published_section(&w, "P-FULL").await;
    let deadline = s.bid_deadline.expect("deadline");
    let t0 = s.documents_from.expect("documents from");
    // Every download is recorded per bidder, with its address.
    for bidder in &w.bidders {
        trading::tenders::download_documents_at(
            &w.app,
            &bidder.actor,
            &bidder.party_id,
            &s.id,
            "203.0.113.9",
            t0 + 1,
        )
        .await
        .unwrap_or_else(|e| panic!("[{b}] download: {e}"));
    }
    let dl = dump(&db, "SELECT address FROM trading_downloads").await;
    assert_eq!(dl.len(), 3, "[{b}]");
    let p = problem(
        trading::tenders::download_documents_at(
            &w.app,
            &w.bidders[0].actor,
            &w.bidders[0].party_id,
            &s.id,
            "x",
            deadline,
        )
        .await,
        "download after the sale",
    );
    assert_eq!(p.code, "trading.document.not_available", "[{b}]");

    // A substantive clarification 5 days before the deadline moves it; a minor one does not.
    let c = trading::tenders::clarify_at(
        &w.app,
        &w.tenderee,
        &s.id,
        "第3.2条修改为……",
        false,
        deadline - 5 * DAY,
    )
    .await
    .expect("minor clarification");
    assert_eq!(c.deadline_after, deadline, "[{b}]");
    let c = trading::tenders::clarify_at(
        &w.app,
        &w.tenderee,
        &s.id,
        "工程量清单修改。",
        true,
        deadline - 5 * DAY,
    )
    .await
    .expect("substantive clarification");
    assert!(
        c.deadline_after >= deadline + 9 * DAY,
        "[{b}] the deadline moved"
    );
    let s = section(&w.app, &s.id).await;
    let deadline = s.bid_deadline.expect("deadline");
    assert_eq!(deadline, c.deadline_after);
    assert_eq!(s.opening_at, Some(deadline));
    let inbox = dump(
        &db,
        "SELECT template FROM outbox WHERE template = 'trading.clarification'",
    )
    .await;
    assert!(
        !inbox.is_empty(),
        "[{b}] the bidders who downloaded are told"
    );

    // Deposits: a virtual account per bidder, the payment as the bank reports it.
    let mut accounts = Vec::new();
    for bidder in &w.bidders {
        let d = trading::deposits::open_account(&w.app, &bidder.actor, &bidder.party_id, &s.id)
            .await
            .unwrap_or_else(|e| panic!("[{b}] open account: {e}"));
        assert_eq!(d.required, "200000.00");
        accounts.push(d);
    }
    let paid = trading::deposits::record_payment(
        &w.app,
        &w.staff,
        &accounts[0].virtual_account,
        "6222 0210 0000 0000",
        "200000.00",
        t0 + DAY,
    )
    .await
    .expect("payment");
    assert!(paid.violations.is_empty(), "[{b}] {:?}", paid.violations);
    let odd = trading::deposits::record_payment(
        &w.app,
        &w.staff,
        &accounts[1].virtual_account,
        "6222 9999 9999 9999",
        "100000.00",
        t0 + DAY,
    )
    .await
    .expect("payment from elsewhere");
    let codes: Vec<&str> = odd.violations.iter().map(|v| v.code).collect();
    assert!(
        codes.contains(&"trading.deposit.not_basic_account")
            && codes.contains(&"trading.deposit.short"),
        "[{b}] {codes:?}"
    );
    let p = problem(
        trading::deposits::record_payment(
            &w.app,
            &w.bidders[0].actor,
            &accounts[0].virtual_account,
            "1",
            "1",
            t0,
        )
        .await,
        "a bidder records a payment",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");

    // Bids; bidder 0 withdraws and bids again; its deposit refund falls due on withdrawal.
    for bidder in &w.bidders {
        bid(&w, bidder, &s, BidAction::Submit, b"v1", deadline - 2 * DAY)
            .await
            .expect("bid");
    }
    let b0 = &w.bidders[0];
    let mut tx = w.app.store.read().await.expect("read");
    let v1 = tx
        .list_bids(Some(&s.id))
        .await
        .expect("bids")
        .into_iter()
        .find(|x| x.party_id == b0.party_id)
        .expect("bid of bidder 0");
    drop(tx);
    let text = trading::bids::submission_text(
        BidAction::Withdraw,
        s.transaction_code.as_deref().expect("code"),
        &b0.credit_code,
        &v1.ciphertext_digest,
        v1.size as u64,
    );
    trading::bids::withdraw_bid_at(
        &w.app,
        &b0.actor,
        &b0.party_id,
        &s.id,
        &b0.key.sign(text.as_bytes()),
        deadline - DAY,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] withdraw: {e}"));
    let due = dump(
        &db,
        "SELECT refund_trigger FROM trading_deposits WHERE refund_due_at IS NOT NULL",
    )
    .await;
    assert_eq!(due, vec!["withdrawn"], "[{b}]");
    let dep_id = dump(
        &db,
        "SELECT id FROM trading_deposits WHERE refund_due_at IS NOT NULL",
    )
    .await
    .remove(0);
    trading::deposits::mark_refund_paid(&w.app, &w.staff, &dep_id)
        .await
        .expect("refund paid");
    bid(&w, b0, &s, BidAction::Submit, b"v2", deadline - DAY + 1)
        .await
        .expect("bid again after withdrawing");

    // Opening with three sealed bids; all three decrypt; the section stays opened.
    let mut tx = w.app.store.write().await.expect("write");
    assert_eq!(
        open_due(&w.app, &mut *tx, deadline).await.expect("open"),
        "opened 1, failed 0"
    );
    tx.commit().await.expect("commit");
    let before_window = deadline - 1;
    let p = problem(
        decrypt_bid_at(
            &w.app,
            &b0.actor,
            &b0.party_id,
            &s.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "ab".repeat(32)),
                price: "1".into(),
                duration_days: None,
            },
            before_window,
        )
        .await,
        "decrypt before the opening",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    for (i, bidder) in w.bidders.iter().enumerate() {
        decrypt_bid_at(
            &w.app,
            &bidder.actor,
            &bidder.party_id,
            &s.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "ef".repeat(32)),
                price: format!("{}.00", 9_500_000 + i),
                duration_days: Some(280),
            },
            deadline + 1,
        )
        .await
        .unwrap_or_else(|e| panic!("[{b}] decrypt {i}: {e}"));
    }
    let mut tx = w.app.store.write().await.expect("write");
    close_due(
        &w.app,
        &mut *tx,
        deadline + trading::opening::DECRYPTION_WINDOW_MICROS,
    )
    .await
    .expect("close");
    tx.commit().await.expect("commit");
    assert_eq!(section(&w.app, &s.id).await.state, "opened", "[{b}]");
    // After the opening the tenderee sees the bids, and the bidder its sealed file.
    let seen = trading::bids::section_bids(&w.app, &w.tenderee, &s.id).await;
    // The real clock is still before the (future) opening instant: still sealed.
    assert_eq!(
        problem(seen, "before the real opening instant").kind,
        ProblemKind::Forbidden
    );
    verify_intact(&w.app, b).await;

    // The audit covers the trading rows: a price changed in the database is found.
    let n = dump(
        &db,
        "SELECT id FROM trading_bids WHERE price = '9500001.00'",
    )
    .await;
    assert_eq!(n.len(), 1);
    common_exec(
        &db,
        "UPDATE trading_bids SET price = '1.00' WHERE price = '9500001.00'",
    )
    .await;
    let pk = w.app.platform_key().public_key_hex();
    let r = yiwang_app::audit::verify(&w.app.store, &pk)
        .await
        .expect("verify");
    assert!(
        r.findings.iter().any(|f| f.code == "row.digest_mismatch"),
        "[{b}] tampering is found: {:#?}",
        r.findings
    );
    finish(w.app, db).await;
}

async fn common_exec(db: &yiwang_testkit::TestDb, sql: &str) {
    use sqlx::Connection;
    if db.backend == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .expect("exec");
        let _ = c.close().await;
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .expect("exec");
        let _ = c.close().await;
    }
}

backend_test!(an_objection_in_time_pauses_the_tender_and_the_deadline_moves);
async fn an_objection_in_time_pauses_the_tender_and_the_deadline_moves(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 1).await;
    let s = published_section(&w, "P-OBJ").await;
    let deadline = s.bid_deadline.expect("deadline");
    let bidder = &w.bidders[0];
    use trading::objections::{answer_objection_at, raise_objection_at, suspend_at};
    let late = problem(
        raise_objection_at(
            &w.app,
            &bidder.actor,
            &bidder.party_id,
            &s.id,
            "资格条件过高。",
            deadline - 5 * DAY,
        )
        .await,
        "late objection",
    );
    assert!(
        late.details
            .as_ref()
            .expect("details")
            .to_string()
            .contains("trading.objection.late"),
        "[{b}] {late:?}"
    );
    let at = deadline - 15 * DAY;
    let o = raise_objection_at(
        &w.app,
        &bidder.actor,
        &bidder.party_id,
        &s.id,
        "资格条件过高。",
        at,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] objection: {e}"));
    assert!(o.answer_due.expect("due") > at, "[{b}]");
    let p = problem(
        suspend_at(&w.app, &bidder.actor, &s.id, at).await,
        "a bidder pauses",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let paused = suspend_at(&w.app, &w.tenderee, &s.id, at)
        .await
        .expect("suspend");
    assert_eq!(paused.state, "suspended");
    // No bids while paused.
    let p = problem(
        bid(&w, bidder, &s, BidAction::Submit, b"x", at + DAY).await,
        "bid while paused",
    );
    assert_eq!(p.code, "trading.bid.not_tendering", "[{b}]");
    let (o, s2) = answer_objection_at(
        &w.app,
        &w.tenderee,
        &o.id,
        "资格条件符合行业规定，不予修改。",
        at + 2 * DAY,
    )
    .await
    .expect("answer");
    assert!(o.answered_at.is_some());
    assert_eq!(s2.state, "tendering", "[{b}] resumed");
    assert!(
        s2.bid_deadline.expect("deadline") >= deadline + 2 * DAY,
        "[{b}] the deadline moved by the pause"
    );
    assert_eq!(s2.opening_at, s2.bid_deadline);
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}
