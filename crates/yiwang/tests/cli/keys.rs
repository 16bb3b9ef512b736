//! The signing key outside the database: `yiwang serve` refuses to keep one in the database,
//! `yiwang keys init` makes a key file, and a node signing with it stores no secret.

use std::process::Stdio;

use sqlx::Connection;
use yiwang_testkit::TestDb;

use crate::durability::wait_ready;
use crate::{free_port, run, stdout, yiwang};

#[tokio::test]
async fn serve_signs_with_a_key_file_and_keeps_no_secret_in_the_database() {
    let db = TestDb::sqlite().await;
    // No key configured: refused, with what to do.
    let o = yiwang()
        .args(["serve", "--db", &db.url, "--addr", "127.0.0.1:1"])
        .env_remove("YIWANG_SIGNING_KEY")
        .env_remove("YIWANG_SIGNING_KEY_FILE")
        .env_remove("YIWANG_DEMO_KEY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("keys init"),
        "serve without a key: {err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signing.key");
    let o = run(&["keys", "init", "--out", key_file.to_str().unwrap()]);
    assert!(o.status.success(), "keys init: {}", stdout(&o));
    let out = stdout(&o);
    let public = out
        .lines()
        .find_map(|l| l.strip_prefix("public key (publish it): "))
        .expect("public key printed")
        .to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the key: {mode:o}");
    }
    let o = run(&["keys", "init", "--out", key_file.to_str().unwrap()]);
    assert!(
        !o.status.success(),
        "an existing key file is never overwritten"
    );

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = yiwang()
        .args([
            "serve",
            "--db",
            &db.url,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .env("YIWANG_SIGNING_KEY_FILE", &key_file)
        .env("YIWANG_CHECKPOINT_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(&base, &mut child).await;
    // The start-up entries get a checkpoint signed with the file's key.
    let client = reqwest::Client::new();
    let start = std::time::Instant::now();
    let c = loop {
        let r = client
            .get(format!("{base}/api/v1/ledger/checkpoints/latest"))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            break r.json::<serde_json::Value>().await.unwrap();
        }
        assert!(start.elapsed().as_secs() < 60, "no checkpoint in 60 s");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(
        c["public_key"],
        public.as_str(),
        "signed with the file's key"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM platform_keys")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(n, 0, "no key kept in the database");
    // The published key verifies the database's checkpoints.
    let o = run(&["audit", "verify", "--db", &db.url, "--public-key", &public]);
    assert!(o.status.success(), "{}", stdout(&o));
    db.cleanup().await;
}
