//! The public, verifiable audit ledger.

use yiwang_core::ledger::{checkpoint_message, verify_inclusion, verify_signature};
use yiwang_testkit::{TestDb, TestServer, backend_test};

use crate::{demo, demo_token, expect_error, get_as, send_json};

fn hash32(b: &str, hex_text: &str) -> [u8; 32] {
    let bytes = hex::decode(hex_text).unwrap_or_else(|e| panic!("[{b}] bad hex {hex_text}: {e}"));
    bytes
        .try_into()
        .unwrap_or_else(|v: Vec<u8>| panic!("[{b}] hash of {} bytes", v.len()))
}

backend_test!(checkpoints_and_inclusion_proofs_verify);
async fn checkpoints_and_inclusion_proofs_verify(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let anon = s.new_client();

    let (st, cp) = send_json(b, anon.get(s.url("/api/v1/ledger/checkpoints/latest"))).await;
    assert_eq!(st, 200, "[{b}] checkpoint: {cp}");
    assert_eq!(cp["algorithm"], "SM2-with-SM3", "[{b}] {cp}");
    let size = cp["tree_size"].as_i64().expect("tree_size");
    assert!(size > 100, "[{b}] demo ledger too small: {size}");
    let root = cp["root"].as_str().unwrap().to_string();
    let at = cp["at"].as_str().unwrap().to_string();
    let pk = cp["public_key"].as_str().unwrap().to_string();
    let sig = cp["signature"].as_str().unwrap().to_string();
    let msg = checkpoint_message(size as u64, &root, &at);
    assert!(
        verify_signature(&pk, &msg, &sig),
        "[{b}] checkpoint signature does not verify"
    );
    // And it is a real check: a different size or root does not verify.
    assert!(
        !verify_signature(&pk, &checkpoint_message(size as u64 + 1, &root, &at), &sig),
        "[{b}] signature verifies for the wrong size"
    );

    for seq in [1, size / 2, size] {
        let (st, p) = send_json(
            b,
            anon.get(s.url(&format!(
                "/api/v1/ledger/entries/{seq}/proof?tree_size={size}"
            ))),
        )
        .await;
        assert_eq!(st, 200, "[{b}] proof of {seq}: {p}");
        assert_eq!(p["seq"], seq, "[{b}]");
        assert_eq!(p["checkpoint"]["tree_size"], size, "[{b}]");
        assert_eq!(p["checkpoint"]["root"], root.as_str(), "[{b}]");
        let leaf = hash32(b, p["entry_hash"].as_str().unwrap());
        let path: Vec<[u8; 32]> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| hash32(b, h.as_str().unwrap()))
            .collect();
        let index = p["leaf_index"].as_u64().unwrap();
        assert_eq!(index as i64, seq - 1, "[{b}]");
        let root32 = hash32(b, &root);
        assert!(
            verify_inclusion(&leaf, index, size as u64, &path, &root32),
            "[{b}] inclusion proof of {seq} does not verify"
        );
        let mut forged = leaf;
        forged[0] ^= 1;
        assert!(
            !verify_inclusion(&forged, index, size as u64, &path, &root32),
            "[{b}] proof verifies a forged leaf"
        );
    }
    // Without tree_size: the newest checkpoint.
    let (st, p) = send_json(b, anon.get(s.url("/api/v1/ledger/entries/1/proof"))).await;
    assert_eq!(st, 200, "[{b}] {p}");
    assert_eq!(p["checkpoint"]["tree_size"], size, "[{b}]");

    for seq in [0, size + 1] {
        expect_error(
            b,
            anon.get(s.url(&format!(
                "/api/v1/ledger/entries/{seq}/proof?tree_size={size}"
            ))),
            422,
            "ledger.not_in_checkpoint",
        )
        .await;
    }
    expect_error(
        b,
        anon.get(s.url(&format!("/api/v1/ledger/entries/{}/proof", size + 1))),
        422,
        "ledger.not_in_checkpoint",
    )
    .await;
    expect_error(
        b,
        anon.get(s.url("/api/v1/ledger/entries/1/proof?tree_size=3")),
        404,
        "not_found",
    )
    .await;

    // Receipts: administrators read the platform's entries; others do not see them.
    let admin = demo_token(&s, "admin").await;
    let (st, e) = send_json(b, get_as(&s, "/api/v1/ledger/entries/1", &admin)).await;
    assert_eq!(st, 200, "[{b}] entry 1 as admin: {e}");
    assert_eq!(e["seq"], 1, "[{b}]");
    let (_, p) = send_json(b, anon.get(s.url("/api/v1/ledger/entries/1/proof"))).await;
    assert_eq!(
        e["hash"], p["entry_hash"],
        "[{b}] receipt hash differs from the proof's"
    );
    assert_eq!(e["hash"].as_str().unwrap().len(), 64, "[{b}] {e}");

    let window = demo_token(&s, "window").await;
    expect_error(
        b,
        get_as(&s, "/api/v1/ledger/entries/1", &window),
        404,
        "not_found",
    )
    .await;
    expect_error(
        b,
        anon.get(s.url("/api/v1/ledger/entries/1")),
        401,
        "unauthenticated",
    )
    .await;
    expect_error(
        b,
        get_as(
            &s,
            &format!("/api/v1/ledger/entries/{}", size + 1000),
            &admin,
        ),
        404,
        "not_found",
    )
    .await;

    s.stop().await;
    db.cleanup().await;
}

backend_test!(consistency_proofs_are_public_and_verify);
async fn consistency_proofs_are_public_and_verify(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    let first = yiwang_app::audit::latest_checkpoint(&s.app)
        .await
        .unwrap()
        .expect("demo checkpoint")
        .tree_size;
    yiwang_app::demo::build_catalog(&s.app)
        .await
        .expect("catalogue");
    yiwang_app::audit::checkpoint(&s.app).await.unwrap();
    let anon = s.new_client();
    let (st, v) = send_json(
        b,
        anon.get(s.url(&format!("/api/v1/ledger/consistency?from={first}"))),
    )
    .await;
    assert_eq!(st, 200, "[{b}] {v}");
    let h = |x: &serde_json::Value| -> [u8; 32] {
        hex::decode(x.as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    let proof: Vec<[u8; 32]> = v["proof"].as_array().unwrap().iter().map(h).collect();
    assert_eq!(v["from_checkpoint"]["tree_size"], first, "[{b}] {v}");
    assert!(
        yiwang_core::merkle::verify_consistency(
            first as u64,
            v["to"]["tree_size"].as_u64().unwrap(),
            &proof,
            &h(&v["from_root"]),
            &h(&v["to"]["root"]),
        ),
        "[{b}] verifies: {v}"
    );
    expect_error(
        b,
        anon.get(s.url("/api/v1/ledger/consistency?from=0")),
        422,
        "ledger.consistency_range",
    )
    .await;
    let (st, _) = send_json(b, anon.get(s.url("/api/v1/ledger/consistency"))).await;
    assert_eq!(st, 400, "[{b}] from is required");
    expect_error(
        b,
        anon.get(s.url(&format!(
            "/api/v1/ledger/consistency?from=1&to={}",
            first + 1
        ))),
        404,
        "not_found",
    )
    .await;
    s.stop().await;
    db.cleanup().await;
}
