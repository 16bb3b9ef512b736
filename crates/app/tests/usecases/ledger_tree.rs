//! The stored Merkle tree: consistency proofs between checkpoints that verify with the core
//! verifier and fail on a changed byte, proofs that read stored nodes rather than every entry,
//! and tampered nodes found by `audit verify`.

use yiwang_app::audit::{checkpoint, prove, prove_consistency};
use yiwang_core::ledger::verify_inclusion;
use yiwang_core::merkle::verify_consistency;
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{add_orgs, assert_finding, exec, finish, h32, problem, verify};

backend_test!(consistency_proofs_between_checkpoints_verify_offline);
async fn consistency_proofs_between_checkpoints_verify_offline(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    let mut sizes = Vec::new();
    for (round, n) in [(0, 3), (1, 9), (2, 1), (3, 20)] {
        add_orgs(&app, n, &round.to_string()).await;
        let c = checkpoint(&app).await.expect("checkpoint").expect("new");
        sizes.push((c.tree_size, c.root));
    }
    for (i, (old, old_root)) in sizes.iter().enumerate() {
        for (new, new_root) in &sizes[i..] {
            let p = prove_consistency(&app, *old, Some(*new))
                .await
                .unwrap_or_else(|e| panic!("[{b}] {old}→{new}: {e}"));
            assert_eq!(&p.from_root, old_root, "[{b}] old root from stored nodes");
            assert_eq!(&p.to.root, new_root, "[{b}]");
            assert!(p.from_checkpoint.is_some(), "[{b}] {old} was signed");
            let mut proof: Vec<[u8; 32]> = p.proof.iter().map(|h| h32(h)).collect();
            assert!(
                verify_consistency(
                    *old as u64,
                    *new as u64,
                    &proof,
                    &h32(old_root),
                    &h32(new_root)
                ),
                "[{b}] {old}→{new} verifies"
            );
            if let Some(first) = proof.first_mut() {
                first[7] ^= 0x20;
                assert!(
                    !verify_consistency(
                        *old as u64,
                        *new as u64,
                        &proof,
                        &h32(old_root),
                        &h32(new_root)
                    ),
                    "[{b}] {old}→{new}: a changed byte fails"
                );
            }
        }
    }
    // Any earlier size may be proven, not only checkpoint sizes; bad ranges are refused.
    let newest = sizes.last().unwrap().0;
    let unsigned = sizes[0].0 + 1;
    let p = prove_consistency(&app, unsigned, None)
        .await
        .expect("from an unsigned size");
    assert!(
        p.from_checkpoint.is_none(),
        "[{b}] {unsigned} was not signed"
    );
    assert_eq!(p.to.tree_size, newest, "[{b}] newest by default");
    for from in [0, newest + 1] {
        let e = problem(prove_consistency(&app, from, None).await, "bad from");
        assert_eq!(e.code, "ledger.consistency_range", "[{b}] {from}");
    }
    let e = problem(
        prove_consistency(&app, 1, Some(unsigned)).await,
        "no checkpoint of that size",
    );
    assert_eq!(e.code, "not_found", "[{b}]");
    let r = verify(&app).await;
    assert!(r.intact(), "[{b}] {:#?}", r.findings);
    finish(app, db).await;
}

backend_test!(proofs_read_stored_nodes_not_every_entry);
async fn proofs_read_stored_nodes_not_every_entry(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    add_orgs(&app, 300, "n").await;
    let c = checkpoint(&app).await.expect("checkpoint").expect("new");
    let target = 137;
    let before = prove(&app, target, None).await.expect("prove");
    let cons_before = prove_consistency(&app, 100, None)
        .await
        .expect("consistency");
    // Every other entry's stored hash is replaced: answers that read every entry would
    // change or fail; answers from the stored tree do not.
    exec(
        &db,
        format!("UPDATE ledger_entries SET hash = 'x' WHERE seq <> {target}"),
    )
    .await;
    let after = prove(&app, target, None).await.expect("prove after");
    assert_eq!(after.proof, before.proof, "[{b}] same proof");
    let cons_after = prove_consistency(&app, 100, None).await.expect("after");
    assert_eq!(cons_after.proof, cons_before.proof, "[{b}]");
    assert_eq!(cons_after.from_root, cons_before.from_root, "[{b}]");
    let leaf = h32(&after.entry_hash);
    assert!(
        verify_inclusion(
            &leaf,
            (target - 1) as u64,
            c.tree_size as u64,
            &after.proof.iter().map(|h| h32(h)).collect::<Vec<_>>(),
            &h32(&c.root)
        ),
        "[{b}] verifies"
    );
    // Stored nodes are O(log n) per answer: a proof has at most ⌈log2 n⌉ nodes.
    assert!(after.proof.len() <= 9, "[{b}] {} nodes", after.proof.len());
    finish(app, db).await;
}

backend_test!(altered_missing_or_stray_tree_nodes_are_found);
async fn altered_missing_or_stray_tree_nodes_are_found(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    add_orgs(&app, 12, "t").await;
    checkpoint(&app).await.expect("checkpoint").expect("new");
    let r = verify(&app).await;
    assert!(r.intact(), "[{b}] {:#?}", r.findings);

    exec(
        &db,
        "UPDATE ledger_merkle SET hash = '00' || substr(hash, 3) WHERE level = 1 AND idx = 2"
            .into(),
    )
    .await;
    let r = verify(&app).await;
    assert_finding(&r, b, "merkle.node_mismatch", |f| {
        f.message.contains("(1, 2)")
    });
    exec(
        &db,
        "DELETE FROM ledger_merkle WHERE level = 2 AND idx = 0".into(),
    )
    .await;
    exec(
        &db,
        "INSERT INTO ledger_merkle (level, idx, hash) VALUES (5, 9, 'ab')".into(),
    )
    .await;
    let r = verify(&app).await;
    assert_finding(&r, b, "merkle.node_missing", |f| {
        f.message.contains("(2, 0)")
    });
    assert_finding(&r, b, "merkle.stray_node", |f| f.message.contains("(5, 9)"));
    finish(app, db).await;
}
