//! An acknowledged write survives `kill -9` of the server (SQLite, WAL, synchronous=FULL).

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;
use yiwang_testkit::TestDb;

use crate::{free_port, run, yiwang};

pub async fn wait_ready(base: &str, child: &mut Child) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited early: {status}");
        }
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "server not ready in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn demo");
    wait_ready(&base, &mut child).await;
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&serde_json::json!({"username": "admin", "password": yiwang_app::demo::DEMO_PASSWORD, "name": "t"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let orgs: Vec<serde_json::Value> = client
        .get(format!("{base}/api/v1/organisations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let parent = orgs
        .iter()
        .find(|o| o["name"] == "宿迁市人民政府")
        .expect("Suqian")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..20 {
        let r = client
            .post(format!("{base}/api/v1/organisations"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("宿迁市测试局{i}"), "kind": "department", "region_code": "321300", "parent_id": parent}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    // SIGKILL right after the last acknowledgement: no chance to flush or close.
    child.kill().unwrap();
    child.wait().unwrap();
    let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM organisations WHERE name LIKE '宿迁市测试局%'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    c.close().await.unwrap();
    assert_eq!(n, 20, "every acknowledged write is there after kill -9");
    let o = run(&["audit", "verify", "--db", &db.url]);
    assert!(
        o.status.success(),
        "ledger intact after the crash: {}",
        crate::stdout(&o)
    );
}
