//! `yiwang audit verify-proof`: a saved checkpoint, inclusion proof and consistency proof check
//! out with the published key and no database, and fail on a changed byte or another key.

use crate::{run, stdout};

fn check(path: &std::path::Path, key: &str) -> (bool, String) {
    let o = run(&[
        "audit",
        "verify-proof",
        path.to_str().unwrap(),
        "--public-key",
        key,
    ]);
    (o.status.success(), stdout(&o))
}

#[tokio::test]
async fn saved_proofs_verify_offline_and_fail_when_changed() {
    let db = crate::demo_db("sqlite").await.expect("SQLite");
    let app = db.app().await;
    let first = yiwang_app::audit::latest_checkpoint(&app)
        .await
        .unwrap()
        .expect("the demo signs a checkpoint");
    // More entries and a second checkpoint, so that there is a history to be consistent with.
    let mut tx = app.store.write().await.unwrap();
    for i in 0..5 {
        yiwang_app::organisations::insert_organisation(
            &mut *tx,
            &yiwang_app::Acting::system(),
            yiwang_app::organisations::NewOrganisation {
                name: format!("证明测试机构{i}"),
                name_en: String::new(),
                kind: "department".into(),
                region_code: "321300".into(),
                parent_id: None,
                credit_code: None,
            },
            None,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    yiwang_app::audit::checkpoint(&app).await.unwrap();
    let key = app.platform_key().public_key_hex();
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, v: &serde_json::Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        p
    };
    let latest = serde_json::to_value(
        yiwang_app::audit::latest_checkpoint(&app)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let inclusion =
        serde_json::to_value(yiwang_app::audit::prove(&app, 42, None).await.unwrap()).unwrap();
    let consistency = serde_json::to_value(
        yiwang_app::audit::prove_consistency(&app, first.tree_size, None)
            .await
            .unwrap(),
    )
    .unwrap();
    app.store.close().await;

    for (name, doc, says) in [
        ("checkpoint.json", &latest, "is signed by the given key"),
        ("inclusion.json", &inclusion, "entry 42 is included"),
        ("consistency.json", &consistency, "is a prefix"),
    ] {
        let p = save(name, doc);
        let (ok, out) = check(&p, &key);
        assert!(ok && out.contains(says), "{name}: {out}");
        // Another platform's key.
        let other = yiwang_core::ledger::PlatformKey::generate().public_key_hex();
        let (ok, out) = check(&p, &other);
        assert!(
            !ok && out.starts_with("FAILED"),
            "{name} with another key: {out}"
        );
    }
    // One changed hex digit in a proof node, in the entry hash, or in the signed root.
    let flip = |s: &str| {
        let mut c: Vec<char> = s.chars().collect();
        c[5] = if c[5] == '0' { '1' } else { '0' };
        c.into_iter().collect::<String>()
    };
    let mut bad = inclusion.clone();
    bad["proof"][0] = flip(bad["proof"][0].as_str().unwrap()).into();
    let (ok, out) = check(&save("bad-node.json", &bad), &key);
    assert!(!ok && out.contains("NOT proven"), "changed node: {out}");
    let mut bad = inclusion.clone();
    bad["entry_hash"] = flip(bad["entry_hash"].as_str().unwrap()).into();
    let (ok, _) = check(&save("bad-entry.json", &bad), &key);
    assert!(!ok, "changed entry hash");
    let mut bad = consistency.clone();
    bad["to"]["root"] = flip(bad["to"]["root"].as_str().unwrap()).into();
    let (ok, out) = check(&save("bad-root.json", &bad), &key);
    assert!(!ok && out.contains("signature"), "changed root: {out}");
    let mut bad = consistency.clone();
    bad["from_root"] = flip(bad["from_root"].as_str().unwrap()).into();
    let (ok, _) = check(&save("bad-from.json", &bad), &key);
    assert!(!ok, "changed earlier root");
    let (ok, out) = check(&save("junk.json", &serde_json::json!({"x": 1})), &key);
    assert!(!ok && out.contains("FAILED"), "junk: {out}");
    db.cleanup().await;
}
