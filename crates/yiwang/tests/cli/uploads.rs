//! A serving node reads uploaded spreadsheets in a child process: hostile files are refused, a
//! real export imports again through the child, and a reader starved of memory fails inside the
//! child with a 422 while the node stays up. (A child killed outright — an abort, a hang — is
//! tested in `yiwang-app`'s `sheets` tests.)

use std::process::{Child, Stdio};

use crate::durability::wait_ready;
use crate::{free_port, yiwang};

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(url: &str, memory_mb: Option<&str>) -> (Node, String) {
    let port = free_port();
    let mut cmd = yiwang();
    cmd.args(["serve", "--db", url, "--addr", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .env("YIWANG_DEMO_KEY", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(mb) = memory_mb {
        cmd.env("YIWANG_SHEET_MEMORY_MB", mb);
    }
    let mut node = Node(cmd.spawn().expect("spawn node"));
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base, &mut node.0).await;
    (node, base)
}

async fn token(c: &reqwest::Client, base: &str) -> String {
    let r = c
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&serde_json::json!({"username": "catalog", "password": "yiwang-demo-2026", "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn import(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let r = c
        .post(format!("{base}/api/v1/catalog/import?format=xlsx"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("the node answers");
    let status = r.status().as_u16();
    (status, r.json().await.expect("a JSON answer"))
}

async fn healthy(node: &mut Node, c: &reqwest::Client, base: &str) {
    assert!(
        node.0.try_wait().unwrap().is_none(),
        "the node is still running"
    );
    let r = c.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn spreadsheets_are_read_in_a_child_the_node_survives() {
    let db = crate::demo_db("sqlite").await.expect("SQLite");
    let url = db.url.clone();
    let c = reqwest::Client::new();

    let (mut node, base) = start(&url, None).await;
    let tok = token(&c, &base).await;
    for (file, code) in [
        (
            yiwang_testkit::hostile::two_cell_xlsx(),
            "sheet.too_many_rows",
        ),
        (
            yiwang_testkit::hostile::bomb_xlsx(16),
            "sheet.compression_ratio",
        ),
        (
            yiwang_testkit::hostile::lying_bomb_xlsx(16),
            "sheet.unreadable",
        ),
        (
            yiwang_testkit::hostile::shared_strings_bomb_xlsx(),
            "sheet.too_many_cells",
        ),
    ] {
        let (st, v) = import(&c, &base, &tok, file).await;
        assert_eq!((st, v["code"].as_str()), (422, Some(code)), "{v}");
        healthy(&mut node, &c, &base).await;
    }
    // The demo catalogue's export imports again through the child.
    let export = c
        .get(format!("{base}/api/v1/catalog/export?format=xlsx"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (st, v) = import(&c, &base, &tok, export.clone()).await;
    assert_eq!(st, 200, "{v}");
    assert!(v["rows"].as_u64().unwrap() > 100, "{v}");
    drop(node);

    // A reader child with (almost) no memory fails; the node answers 422 and stays up.
    let (mut node, base) = start(&url, Some("1")).await;
    let tok = token(&c, &base).await;
    let (st, v) = import(&c, &base, &tok, export).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (422, Some("sheet.unreadable")),
        "{v}"
    );
    healthy(&mut node, &c, &base).await;
}
