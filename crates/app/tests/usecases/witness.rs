//! A history nobody can rewrite: four rewrites of the ledger by someone with write access to the
//! database pass `audit verify` on their own, and each is found against a witness's history.

use std::sync::Arc;

use yiwang_app::App;
use yiwang_app::audit::{
    WitnessCheck, checkpoint, latest_checkpoint, prove_consistency, verify_against,
};
use yiwang_app::witness::{PublishedCheckpoint, Witnessed, check_next, cosign};
use yiwang_core::ledger::{PlatformKey, entry_hash};
use yiwang_store::entry_content;
use yiwang_testkit::{TestDb, backend_test, backends};

use crate::common::{add_orgs, exec, finish, verify};

/// The witness's round: the platform's newest checkpoint, checked and cosigned.
async fn witness_round(app: &App, key: &PlatformKey, history: &mut Vec<Witnessed>) {
    let c = latest_checkpoint(app).await.unwrap().expect("a checkpoint");
    let published = PublishedCheckpoint {
        tree_size: c.tree_size as u64,
        root: c.root.clone(),
        at: c.at.clone(),
        signature: c.signature.clone(),
    };
    let proof = match history.last() {
        Some(l) if (l.tree_size as i64) < c.tree_size => {
            prove_consistency(app, l.tree_size as i64, Some(c.tree_size))
                .await
                .unwrap()
                .proof
        }
        _ => vec![],
    };
    let pk = app.platform_key().public_key_hex();
    assert_eq!(
        check_next(history.last(), &published, &proof, &pk),
        Ok(true)
    );
    history.push(cosign(key, &published, "2026-12-03T09:00:00Z"));
}

/// A ledger with two witnessed checkpoints and a few entries after them.
async fn witnessed_ledger(db: &TestDb) -> (Arc<App>, Vec<Witnessed>) {
    let app = db.app().await;
    let key = PlatformKey::generate();
    let mut history = Vec::new();
    add_orgs(&app, 6, "a").await;
    checkpoint(&app).await.unwrap().expect("c1");
    witness_round(&app, &key, &mut history).await;
    add_orgs(&app, 6, "b").await;
    checkpoint(&app).await.unwrap().expect("c2");
    witness_round(&app, &key, &mut history).await;
    (app, history)
}

async fn head(app: &App) -> (i64, String) {
    app.store.read().await.unwrap().ledger_head().await.unwrap()
}

/// Recompute the chain from entry `from` on and the head, as an attacker with the database would.
async fn rechain(db: &TestDb, app: &App, from: i64) {
    let rows = app
        .store
        .read()
        .await
        .unwrap()
        .ledger_entries(0, 1_000_000)
        .await
        .unwrap();
    let mut prev = rows[(from - 2) as usize].hash.clone();
    for mut row in rows.into_iter().skip((from - 1) as usize) {
        row.prev_hash = prev.clone();
        let hash = entry_hash(&prev, &entry_content(&row).unwrap());
        exec(
            db,
            format!(
                "UPDATE ledger_entries SET prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}",
                row.seq
            ),
        )
        .await;
        prev = hash;
    }
    exec(db, format!("UPDATE ledger_head SET hash = '{prev}'")).await;
}

/// The covering records an attacker removes with a rewrite: checkpoints from `size` on and the
/// stored tree (which `audit verify` would otherwise find inconsistent).
async fn drop_covering(db: &TestDb, size: i64) {
    exec(
        db,
        format!("DELETE FROM ledger_checkpoints WHERE tree_size >= {size}"),
    )
    .await;
    exec(db, "DELETE FROM ledger_merkle".into()).await;
}

async fn expect_found(app: &App, history: &[Witnessed], b: &str, what: &str, code: &str) {
    let alone = verify(app).await;
    assert!(
        alone.intact(),
        "[{b}] {what}: the rewrite passes without a witness (else the test shows nothing): {:#?}",
        alone.findings
    );
    let pk = app.platform_key().public_key_hex();
    let r = verify_against(
        &app.store,
        &pk,
        Some(WitnessCheck {
            history,
            pinned_key: None,
        }),
    )
    .await
    .unwrap();
    assert!(
        r.findings.iter().any(|f| f.code == code),
        "[{b}] {what}: expected {code}, got {:#?}",
        r.findings
    );
}

backend_test!(an_intact_ledger_matches_its_witness);
async fn an_intact_ledger_matches_its_witness(db: TestDb) {
    let b = db.backend;
    let (app, history) = witnessed_ledger(&db).await;
    let pk = app.platform_key().public_key_hex();
    let r = verify_against(
        &app.store,
        &pk,
        Some(WitnessCheck {
            history: &history,
            pinned_key: Some(&history[0].witness_key),
        }),
    )
    .await
    .unwrap();
    assert!(r.intact(), "[{b}] {:#?}", r.findings);
    // A forged witness record (another key than the pinned one) is not trusted.
    let mut forged = history.clone();
    forged[1].root = forged[0].root.clone();
    let r = verify_against(
        &app.store,
        &pk,
        Some(WitnessCheck {
            history: &forged,
            pinned_key: None,
        }),
    )
    .await
    .unwrap();
    assert!(
        r.findings.iter().any(|f| f.code == "witness.not_genuine"),
        "[{b}] {:#?}",
        r.findings
    );
    finish(app, db).await;
}

backend_test!(a_removed_tail_is_found_by_the_witness);
async fn a_removed_tail_is_found_by_the_witness(db: TestDb) {
    let b = db.backend;
    let (app, history) = witnessed_ledger(&db).await;
    // (a) The last entry, the row it wrote and the head removed together.
    let (n, _) = head(&app).await;
    let last = app
        .store
        .read()
        .await
        .unwrap()
        .ledger_entry(n)
        .await
        .unwrap()
        .unwrap();
    let prev = app
        .store
        .read()
        .await
        .unwrap()
        .ledger_entry(n - 1)
        .await
        .unwrap()
        .unwrap();
    exec(&db, format!("DELETE FROM ledger_entries WHERE seq = {n}")).await;
    exec(
        &db,
        format!("DELETE FROM organisations WHERE id = '{}'", last.subject_id),
    )
    .await;
    exec(
        &db,
        format!(
            "UPDATE ledger_head SET seq = {}, hash = '{}'",
            n - 1,
            prev.hash
        ),
    )
    .await;
    drop_covering(&db, n).await;
    expect_found(
        &app,
        &history,
        b,
        "(a) removed tail",
        "witness.beyond_ledger",
    )
    .await;
    finish(app, db).await;
}

#[tokio::test]
async fn rewritten_and_rechained_entries_are_found_by_the_witness() {
    for (case, what) in [
        (
            'b',
            "(b) an entry of the newest checkpoint edited, chain and head recomputed",
        ),
        (
            'c',
            "(c) an old entry edited, chain recomputed, later checkpoints deleted",
        ),
        (
            'd',
            "(d) as (c), then a fresh checkpoint signed with the key",
        ),
    ] {
        for db in backends().await {
            let b = db.backend;
            let (app, history) = witnessed_ledger(&db).await;
            let target = if case == 'b' {
                history[1].tree_size as i64 - 1
            } else {
                3
            };
            exec(
                &db,
                format!(
                    "UPDATE ledger_entries SET detail_json = '{{\"rewritten\":true}}' WHERE seq = {target}"
                ),
            )
            .await;
            rechain(&db, &app, target).await;
            drop_covering(&db, target).await;
            if case == 'd' {
                let c = checkpoint(&app).await.unwrap().expect("a fresh checkpoint");
                assert!(c.tree_size >= target, "[{b}] re-signed over the rewrite");
            }
            expect_found(&app, &history, b, what, "witness.root_mismatch").await;
            finish(app, db).await;
        }
    }
}
