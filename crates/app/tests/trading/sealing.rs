//! HPKE-sealed bids end to end: nothing readable in a database dump or a blob copy before the
//! deadline, the bidder's key opens its bid at the opening, a wrong key or a changed ciphertext
//! fails and is classified, and a custodian quorum opens what bidders did not (k − 1 shares do not).

use rust_decimal::Decimal;
use yiwang_app::trading;
use yiwang_app::trading::bids::{SealedInput, SignedReceipt, submission_text, submit_bid_at};
use yiwang_app::trading::opening::{Decrypted, close_due, decrypt_bid_at, open_due};
use yiwang_app::trading::sealing::{CustodianKey, generate_custodian_key, seal};
use yiwang_app::trading::unsealing::{
    open_with_bid_key_at, open_with_custodians_at, register_custodian_key,
};
use yiwang_app::{AppResult, now_micros};
use yiwang_core::ProblemKind;
use yiwang_core::ledger::sm3_hex;
use yiwang_core::trading::BidAction;
use yiwang_core::trading::sealing::{BidKeyFile, encode_plaintext, sha256_hex};
use yiwang_store::TradingSection;
use yiwang_testkit::{TestDb, backend_test};

use super::common::*;

/// A marker no stored byte may contain before the opening.
const MARKER: &str = "MARKER-绝密投标内容-7f3a";

fn bid_file(n: usize) -> Vec<u8> {
    format!("%PDF-1.7 {MARKER} 投标人{n}的技术标与商务标。").into_bytes()
}

fn price(n: usize) -> Decimal {
    Decimal::new(987_654_321 + n as i64 * 100, 2)
}

/// A custodian ceremony and the key registered for the section.
async fn custodians(w: &World, s: &TradingSection) -> (TradingSection, CustodianKey) {
    let key = generate_custodian_key(3, 5).expect("ceremony");
    let s = register_custodian_key(&w.app, &w.staff, &s.id, &key.public_key)
        .await
        .expect("register the custodian key");
    (s, key)
}

/// Signs and submits an already sealed file.
async fn submit(
    w: &World,
    b: &Bidder,
    s: &TradingSection,
    file: Vec<u8>,
    now: i64,
) -> AppResult<SignedReceipt> {
    let text = submission_text(
        BidAction::Submit,
        s.transaction_code.as_deref().expect("code"),
        &b.credit_code,
        &format!("sm3:{}", sm3_hex(&file)),
        file.len() as u64,
    );
    let signature = b.key.sign(text.as_bytes());
    submit_bid_at(
        &w.app,
        &b.actor,
        SealedInput {
            party_id: &b.party_id,
            section_id: &s.id,
            action: BidAction::Submit,
            ciphertext: file,
            signature: &signature,
        },
        now,
    )
    .await
}

/// Seals bidder `n`'s bid for the section, as `yiwang bid seal` or the page does.
fn seal_for(s: &TradingSection, n: usize) -> (Vec<u8>, BidKeyFile) {
    let plaintext = encode_plaintext(price(n), Some(300 + n as u32), "投标文件.pdf", &bid_file(n));
    let sealed = seal(
        s.transaction_code.as_deref().expect("code"),
        s.custodian_key.as_deref().expect("custodian key"),
        &plaintext,
    )
    .expect("seal");
    (sealed.file, sealed.key)
}

/// Every stored byte a database administrator could copy: the SQLite file and its WAL, or every
/// row of every table of the PostgreSQL database as JSON.
async fn database_dump(db: &TestDb) -> Vec<u8> {
    if db.backend == "postgres" {
        let tables = dump(
            db,
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .await;
        assert!(tables.len() > 10, "the schema is listed: {tables:?}");
        let mut out = Vec::new();
        for t in tables {
            for row in dump(
                db,
                &format!("SELECT CAST(row_to_json(t) AS TEXT) FROM {t} t"),
            )
            .await
            {
                out.extend(row.into_bytes());
            }
        }
        out
    } else {
        let path = db.url.trim_start_matches("sqlite://").to_string();
        let mut out = std::fs::read(&path).expect("the database file");
        if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
            out.extend(wal);
        }
        out
    }
}

/// Every file of the blob store directory.
fn blob_copy(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(std::fs::read(&p).expect("read blob"));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

backend_test!(sealed_bids_are_unreadable_before_the_deadline_and_open_with_the_bidders_key);
async fn sealed_bids_are_unreadable_before_the_deadline_and_open_with_the_bidders_key(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 4).await;
    let s = published_section(&w, "P-HPKE").await;
    let (s, _custody) = custodians(&w, &s).await;
    let t0 = now_micros();
    let deadline = s.bid_deadline.expect("deadline");

    // Unsealed files, and files sealed to another key or section, are refused.
    let p = problem(
        submit(&w, &w.bidders[0], &s, seal_stand_in(), t0).await,
        "opaque bytes",
    );
    assert_eq!(p.code, "trading.bid.unsealed", "[{b}]");
    let other = generate_custodian_key(2, 3).expect("other ceremony");
    let stray = seal(
        s.transaction_code.as_deref().expect("code"),
        &other.public_key,
        b"x",
    )
    .expect("seal");
    let p = problem(
        submit(&w, &w.bidders[0], &s, stray.file, t0).await,
        "another custodian key",
    );
    assert_eq!(p.code, "trading.bid.wrong_custodian_key", "[{b}]");

    // Four bids: bidder 3 sealed a file whose ciphertext it damaged before signing (its fault).
    let mut keys = Vec::new();
    let mut receipts = Vec::new();
    for n in 0..4 {
        let (mut file, key) = seal_for(&s, n);
        if n == 3 {
            let last = file.len() - 1;
            file[last] ^= 0x01;
        }
        let r = submit(&w, &w.bidders[n], &s, file, t0 + n as i64)
            .await
            .unwrap_or_else(|e| panic!("[{b}] bid {n}: {e}"));
        receipts.push(r);
        keys.push(key);
    }
    let p = problem(
        register_custodian_key(&w.app, &w.staff, &s.id, &other.public_key).await,
        "replace the custodian key after bids",
    );
    assert_eq!(p.code, "trading.custody.locked", "[{b}]");

    // Before the deadline: a dump of the database and a copy of the blob store hold no readable
    // bid — neither the marker nor any price.
    let dumped = database_dump(&db).await;
    assert!(dumped.len() > 1000, "[{b}] the dump has content");
    let blobs = blob_copy(&db.blobs.0);
    assert!(blobs.len() >= 5, "[{b}] the bids and documents are stored");
    for n in 0..4 {
        let p = price(n).to_string();
        assert!(
            !contains(&dumped, p.as_bytes()),
            "[{b}] price {p} in the database"
        );
        for blob in &blobs {
            assert!(!contains(blob, p.as_bytes()), "[{b}] price {p} in a blob");
        }
    }
    assert!(
        !contains(&dumped, MARKER.as_bytes()),
        "[{b}] marker in the database"
    );
    for blob in &blobs {
        assert!(!contains(blob, MARKER.as_bytes()), "[{b}] marker in a blob");
    }
    // And the bidder's own key does not help before the opening.
    let p = problem(
        open_with_bid_key_at(
            &w.app,
            &w.bidders[0].actor,
            &w.bidders[0].party_id,
            &s.id,
            &keys[0].to_text(),
            deadline - 1,
        )
        .await,
        "decrypt before the deadline",
    );
    assert_eq!(p.code, "trading.bid.sealed", "[{b}]");
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");

    // The opening.
    let mut tx = w.app.store.write().await.expect("write");
    assert_eq!(
        open_due(&w.app, &mut *tx, deadline).await.expect("open"),
        "opened 1, failed 0",
        "[{b}]"
    );
    tx.commit().await.expect("commit");
    let at = deadline + 60_000_000;

    // The bidder's key opens its bid; price and duration come from the plaintext.
    let out = open_with_bid_key_at(
        &w.app,
        &w.bidders[0].actor,
        &w.bidders[0].party_id,
        &s.id,
        &keys[0].to_text(),
        at,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] open with the bidder's key: {e}"));
    assert_eq!(out.status, "decrypted", "[{b}]");
    assert_eq!(out.price.as_deref(), Some(price(0).to_string().as_str()));
    assert_eq!(out.duration_days, Some(300));
    assert_eq!(
        out.plaintext_digest,
        Some(format!("sha256:{}", sha256_hex(&bid_file(0))))
    );
    // Once opened, no second time.
    let p = problem(
        open_with_bid_key_at(
            &w.app,
            &w.bidders[0].actor,
            &w.bidders[0].party_id,
            &s.id,
            &keys[0].private_key,
            at,
        )
        .await,
        "open twice",
    );
    assert_eq!(p.code, "trading.bid.none", "[{b}]");

    // A wrong key changes nothing (the bidder may try again within the window).
    let p = problem(
        open_with_bid_key_at(
            &w.app,
            &w.bidders[1].actor,
            &w.bidders[1].party_id,
            &s.id,
            &keys[0].to_text(),
            at,
        )
        .await,
        "a wrong key",
    );
    assert_eq!(p.code, "trading.bid.wrong_key", "[{b}]");
    let p = problem(
        open_with_bid_key_at(
            &w.app,
            &w.bidders[1].actor,
            &w.bidders[1].party_id,
            &s.id,
            "not a key",
            at,
        )
        .await,
        "garbage",
    );
    assert_eq!(p.code, "trading.bid.key_format", "[{b}]");
    // The self-declared decryption of older sections is refused: the platform reads the bid.
    let p = problem(
        decrypt_bid_at(
            &w.app,
            &w.bidders[1].actor,
            &w.bidders[1].party_id,
            &s.id,
            Decrypted {
                plaintext_digest: format!("sm3:{}", "a".repeat(64)),
                price: "1.00".into(),
                duration_days: None,
            },
            at,
        )
        .await,
        "a self-declared price",
    );
    assert_eq!(p.code, "trading.bid.needs_key", "[{b}]");
    let out = open_with_bid_key_at(
        &w.app,
        &w.bidders[1].actor,
        &w.bidders[1].party_id,
        &s.id,
        &keys[1].private_key,
        at,
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] the right key after a wrong one: {e}"));
    assert_eq!(out.status, "decrypted", "[{b}]");

    // Bidder 2's stored ciphertext was changed after it was received: not its fault → 撤回.
    let path = w
        .app
        .blobs()
        .file_of(&receipts[2].receipt.ciphertext_digest.hex)
        .expect("a directory store");
    let mut stored = std::fs::read(&path).expect("read");
    let last = stored.len() - 1;
    stored[last] ^= 0x80;
    std::fs::write(&path, &stored).expect("alter the stored ciphertext");
    let out = open_with_bid_key_at(
        &w.app,
        &w.bidders[2].actor,
        &w.bidders[2].party_id,
        &s.id,
        &keys[2].to_text(),
        at,
    )
    .await
    .expect("classified");
    assert_eq!(out.status, "withdrawn", "[{b}] 视为撤回");
    assert_eq!(out.failure.as_deref(), Some("trading.bid.storage"));
    // Bidder 3 sealed a file its own key cannot open: its fault → 撤销.
    let out = open_with_bid_key_at(
        &w.app,
        &w.bidders[3].actor,
        &w.bidders[3].party_id,
        &s.id,
        &keys[3].to_text(),
        at,
    )
    .await
    .expect("classified");
    assert_eq!(out.status, "revoked", "[{b}] 视为撤销");
    assert_eq!(out.failure.as_deref(), Some("trading.bid.undecryptable"));

    // The record: two prices, two classified bids; two valid bids are too few → 流标.
    let window_end = s.opening_at.expect("opening") + trading::opening::DECRYPTION_WINDOW_MICROS;
    let mut tx = w.app.store.write().await.expect("write");
    close_due(&w.app, &mut *tx, window_end)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let mut tx = w.app.store.read().await.expect("read");
    let o = tx
        .get_opening(&s.id, 1)
        .await
        .expect("get")
        .expect("opening");
    drop(tx);
    let record: serde_json::Value =
        serde_json::from_str(o.record.as_deref().expect("record")).expect("json");
    let statuses: Vec<&str> = record
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "decrypted").count(),
        2,
        "[{b}] {statuses:?}"
    );
    assert!(statuses.contains(&"withdrawn") && statuses.contains(&"revoked"));
    assert_eq!(section(&w.app, &s.id).await.state, "failed", "[{b}]");
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}

/// The stand-in cipher of the older tests: opaque bytes, not the platform's sealed format.
fn seal_stand_in() -> Vec<u8> {
    super::common::seal(b"opaque")
}

backend_test!(a_custodian_quorum_opens_sealed_bids_and_one_share_less_does_not);
async fn a_custodian_quorum_opens_sealed_bids_and_one_share_less_does_not(db: TestDb) {
    let b = db.backend;
    let w = world(&db, 3).await;
    let s = published_section(&w, "P-CUSTODY").await;
    let (s, custody) = custodians(&w, &s).await;
    let t0 = now_micros();
    let deadline = s.bid_deadline.expect("deadline");
    for n in 0..3 {
        let (file, _lost_key) = seal_for(&s, n);
        submit(&w, &w.bidders[n], &s, file, t0 + n as i64)
            .await
            .unwrap_or_else(|e| panic!("[{b}] bid {n}: {e}"));
    }
    let quorum: Vec<String> = vec![
        custody.shares[3].clone(),
        custody.shares[0].clone(),
        custody.shares[4].clone(),
    ];
    // Not before the deadline, even with the quorum.
    let p = problem(
        open_with_custodians_at(&w.app, &w.staff, &s.id, &quorum, deadline - 1).await,
        "custodians before the deadline",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let mut tx = w.app.store.write().await.expect("write");
    open_due(&w.app, &mut *tx, deadline).await.expect("open");
    tx.commit().await.expect("commit");
    let at = deadline + 1;
    // Two shares of three are not enough; nor are shares of another ceremony; nor is a bidder.
    let p = problem(
        open_with_custodians_at(&w.app, &w.staff, &s.id, &quorum[..2], at).await,
        "k - 1 shares",
    );
    assert_eq!(p.code, "trading.custody.too_few", "[{b}]");
    let other = generate_custodian_key(3, 5).expect("other ceremony");
    let p = problem(
        open_with_custodians_at(&w.app, &w.staff, &s.id, &other.shares[..3], at).await,
        "foreign shares",
    );
    assert_eq!(p.code, "trading.custody.mismatch", "[{b}]");
    let p = problem(
        open_with_custodians_at(&w.app, &w.bidders[0].actor, &s.id, &quorum, at).await,
        "a bidder with shares",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}]");
    let mut tx = w.app.store.read().await.expect("read");
    let sealed = tx
        .list_bids(Some(&s.id))
        .await
        .expect("bids")
        .iter()
        .filter(|x| x.status == "sealed")
        .count();
    drop(tx);
    assert_eq!(sealed, 3, "[{b}] nothing opened by the refused attempts");
    // The quorum opens every bid with the prices sealed in them.
    let out = open_with_custodians_at(&w.app, &w.staff, &s.id, &quorum, at)
        .await
        .unwrap_or_else(|e| panic!("[{b}] quorum: {e}"));
    assert_eq!(out.len(), 3, "[{b}]");
    for o in &out {
        assert_eq!(o.status, "decrypted", "[{b}] {o:?}");
        let n = w
            .bidders
            .iter()
            .position(|x| x.party_id == o.party_id)
            .expect("a bidder");
        assert_eq!(o.price.as_deref(), Some(price(n).to_string().as_str()));
    }
    verify_intact(&w.app, b).await;
    finish(w.app, db).await;
}
