//! A witness beside a real server: it cosigns each new checkpoint after checking the consistency
//! proof, `audit verify --witness` accepts the intact database and refuses one whose tail was
//! removed behind the platform's back.

use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::Connection;
use yiwang_testkit::TestDb;

use crate::durability::wait_ready;
use crate::{free_port, run, stdout, yiwang};

fn witness_once(base: &str, key: &str, dir: &std::path::Path) -> (bool, String) {
    let o = run(&[
        "witness",
        "--platform",
        base,
        "--public-key",
        key,
        "--dir",
        dir.to_str().unwrap(),
        "--once",
    ]);
    (
        o.status.success(),
        format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr)),
    )
}

/// Poll until the server has signed a checkpoint beyond `size`.
async fn checkpoint_beyond(base: &str, size: u64) -> u64 {
    let client = reqwest::Client::new();
    let start = Instant::now();
    loop {
        if let Ok(r) = client
            .get(format!("{base}/api/v1/ledger/checkpoints/latest"))
            .send()
            .await
            && r.status() == 200
        {
            let v: serde_json::Value = r.json().await.unwrap();
            let n = v["tree_size"].as_u64().unwrap();
            if n > size {
                return n;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no checkpoint beyond {size} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_witness_cosigns_checkpoints_and_catches_a_removed_tail() {
    let db = TestDb::sqlite().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = yiwang()
        .args([
            "demo",
            "--db",
            &db.url,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .env("YIWANG_CHECKPOINT_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn demo");
    wait_ready(&base, &mut child).await;
    let first = checkpoint_beyond(&base, 0).await;
    let client = reqwest::Client::new();
    let c: serde_json::Value = client
        .get(format!("{base}/api/v1/ledger/checkpoints/latest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = c["public_key"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = witness_once(&base, &key, dir.path());
    assert!(ok && out.contains("cosigned"), "first round: {out}");

    // New entries (a sign-in is one), a new checkpoint, a second round with a consistency proof.
    let r = client
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&serde_json::json!({"username": "admin", "password": yiwang_app::demo::DEMO_PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let second = checkpoint_beyond(&base, first).await;
    let (ok, out) = witness_once(&base, &key, dir.path());
    assert!(
        ok && out.contains(&format!("{second} entries")),
        "second round: {out}"
    );
    // Against another key, the witness raises an alarm and cosigns nothing.
    let other = yiwang_core::ledger::PlatformKey::generate().public_key_hex();
    let (ok, out) = witness_once(&base, &other, &tempfile::tempdir().unwrap().keep());
    assert!(!ok && out.contains("ALARM"), "wrong key: {out}");
    child.kill().unwrap();
    child.wait().unwrap();

    let history = dir.path().join("witnessed.jsonl");
    let verify = |extra: &[&str]| {
        let mut args = vec!["audit", "verify", "--db", &db.url, "--witness"];
        args.push(history.to_str().unwrap());
        args.extend_from_slice(extra);
        let o = run(&args);
        (o.status.success(), stdout(&o))
    };
    let (ok, out) = verify(&["--public-key", &key]);
    assert!(ok, "intact against the witness: {out}");

    // Remove the last entry and the head behind the platform's back, with every checkpoint and
    // tree node that would show it: the database alone verifies, the witness does not agree.
    let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let (action, subject): (String, String) =
        sqlx::query_as("SELECT action, subject_id FROM ledger_entries ORDER BY seq DESC LIMIT 1")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(
        action, "api_token.create",
        "the newest entry is the token grant"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM ledger_entries);
         DELETE FROM api_tokens WHERE id = '{subject}';
         UPDATE ledger_head SET seq = (SELECT MAX(seq) FROM ledger_entries),
                                hash = (SELECT hash FROM ledger_entries ORDER BY seq DESC LIMIT 1);
         DELETE FROM ledger_checkpoints WHERE tree_size > (SELECT MAX(seq) FROM ledger_entries);
         DELETE FROM ledger_merkle;"
    )))
    .execute(&mut c)
    .await
    .unwrap();
    c.close().await.unwrap();
    let o = run(&["audit", "verify", "--db", &db.url]);
    assert!(o.status.success(), "alone it passes: {}", stdout(&o));
    let (ok, out) = verify(&[]);
    assert!(!ok && out.contains("witness.beyond_ledger"), "{out}");
    db.cleanup().await;
}
