use yiwang_app::App;
use yiwang_app::audit::{checkpoint, prove};
use yiwang_core::ProblemKind;
use yiwang_core::ledger::{PlatformKey, checkpoint_message, verify_inclusion, verify_signature};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{add_orgs, finish, h32, problem};

async fn head(app: &App) -> i64 {
    app.store
        .read()
        .await
        .expect("read")
        .ledger_head()
        .await
        .expect("head")
        .0
}

backend_test!(inclusion_proofs_verify_against_the_signed_checkpoint);
async fn inclusion_proofs_verify_against_the_signed_checkpoint(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    add_orgs(&app, 11, "a").await;
    let size = head(&app).await;
    assert!(size >= 12, "[{b}] ledger size {size}");
    let c = checkpoint(&app)
        .await
        .expect("checkpoint")
        .unwrap_or_else(|| panic!("[{b}] a new checkpoint"));
    assert_eq!(c.tree_size, size, "[{b}] checkpoint covers everything");
    assert!(
        checkpoint(&app).await.expect("checkpoint").is_none(),
        "[{b}] no second checkpoint without new entries"
    );
    let pk = app.platform_key().public_key_hex();
    let root = h32(&c.root);

    for seq in [1, 2, 5, size / 2 + 1, size - 1, size] {
        let p = prove(&app, seq, None)
            .await
            .unwrap_or_else(|e| panic!("[{b}] prove {seq}: {e}"));
        assert_eq!(p.checkpoint.tree_size, size, "[{b}] newest checkpoint used");
        assert_eq!(p.checkpoint.root, c.root, "[{b}] root");
        assert_eq!(p.leaf_index, seq - 1, "[{b}] leaf index");
        let stored = app
            .store
            .read()
            .await
            .expect("read")
            .ledger_entry(seq)
            .await
            .expect("entry")
            .expect("present");
        assert_eq!(p.entry_hash, stored.hash, "[{b}] entry {seq} hash");
        let proof: Vec<[u8; 32]> = p.proof.iter().map(|s| h32(s)).collect();
        assert!(
            verify_inclusion(
                &h32(&p.entry_hash),
                (seq - 1) as u64,
                size as u64,
                &proof,
                &root
            ),
            "[{b}] proof of entry {seq} verifies"
        );
        // Negative controls: the proof does not fit another leaf or another position.
        let other = app
            .store
            .read()
            .await
            .expect("read")
            .ledger_entry(if seq == 1 { 2 } else { 1 })
            .await
            .expect("entry")
            .expect("present");
        assert!(
            !verify_inclusion(
                &h32(&other.hash),
                (seq - 1) as u64,
                size as u64,
                &proof,
                &root
            ),
            "[{b}] proof of {seq} rejects another entry"
        );
        let msg = checkpoint_message(size as u64, &p.checkpoint.root, &p.checkpoint.at);
        assert!(
            verify_signature(&pk, &msg, &p.checkpoint.signature),
            "[{b}] checkpoint signature verifies"
        );
        assert_eq!(p.checkpoint.public_key, pk, "[{b}] published key");
        let stranger = PlatformKey::generate().public_key_hex();
        assert!(
            !verify_signature(&stranger, &msg, &p.checkpoint.signature),
            "[{b}] not under another key"
        );
        let forged = checkpoint_message(size as u64 + 1, &p.checkpoint.root, &p.checkpoint.at);
        assert!(
            !verify_signature(&pk, &forged, &p.checkpoint.signature),
            "[{b}] not for another size"
        );
    }

    // Entries after the checkpoint are not provable until the next one.
    add_orgs(&app, 1, "b").await;
    for seq in [size + 1, 0] {
        let p = problem(prove(&app, seq, None).await, "seq outside the checkpoint");
        assert_eq!(p.code, "ledger.not_in_checkpoint", "[{b}] seq {seq}: {p:?}");
    }
    let p = problem(prove(&app, 1, Some(size + 50)).await, "unknown checkpoint");
    assert_eq!(
        p.kind,
        ProblemKind::NotFound,
        "[{b}] unknown checkpoint: {p:?}"
    );

    let c2 = checkpoint(&app).await.expect("checkpoint").expect("second");
    assert_eq!(c2.tree_size, size + 1, "[{b}] second checkpoint");
    let p = prove(&app, size + 1, None).await.expect("prove new entry");
    let proof: Vec<[u8; 32]> = p.proof.iter().map(|s| h32(s)).collect();
    assert!(
        verify_inclusion(
            &h32(&p.entry_hash),
            size as u64,
            (size + 1) as u64,
            &proof,
            &h32(&c2.root)
        ),
        "[{b}] the new entry is in the new checkpoint"
    );
    // An older checkpoint can still be asked for explicitly.
    let p = prove(&app, 3, Some(size))
        .await
        .expect("prove against the old checkpoint");
    let proof: Vec<[u8; 32]> = p.proof.iter().map(|s| h32(s)).collect();
    assert!(
        verify_inclusion(&h32(&p.entry_hash), 2, size as u64, &proof, &root),
        "[{b}] entry 3 against the first checkpoint"
    );
    finish(app, db).await;
}
