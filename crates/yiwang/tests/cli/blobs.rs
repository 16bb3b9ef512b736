//! File contents in the blob store, through the real binary: the default directory beside the
//! SQLite file, `audit verify` naming altered and missing blobs, `backup` copying the database and
//! its blobs, and two nodes on one PostgreSQL database with one S3 bucket serving the same files.

use std::process::Stdio;

use sqlx::Connection;
use yiwang_testkit::s3::S3Server;
use yiwang_testkit::{TempDir, TestDb, backend_test};

use crate::durability::wait_ready;
use crate::{blob_flag, demo_db, free_port, run, stdout, yiwang};

fn blob_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(tops) = std::fs::read_dir(dir.join("sm3")) else {
        return out;
    };
    for top in tops {
        for f in std::fs::read_dir(top.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

fn verify_with(db: &str, blobs: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify", "--db", db];
    args.extend_from_slice(blobs);
    let o = run(&args);
    (o.status.success(), stdout(&o))
}

backend_test!(files_are_blobs_and_verify_names_the_altered_and_the_missing);
async fn files_are_blobs_and_verify_names_the_altered_and_the_missing(db: TestDb) {
    let Some(db) = demo_db(db.backend).await else {
        return;
    };
    let b = db.backend;
    // SQLite: the default directory beside the file; PostgreSQL: a directory given.
    let blob_dir = match db.sqlite_path() {
        Some(path) => std::path::PathBuf::from(format!("{}.blobs", path.display())),
        None => db.blobs.0.clone(),
    };
    let flag = blob_flag(&db);
    let flag: Vec<&str> = flag.iter().map(String::as_str).collect();
    let files = blob_files(&blob_dir);
    assert!(
        files.len() > 100,
        "[{b}] the demo forms are blobs: {}",
        files.len()
    );
    let (ok, out) = verify_with(&db.url, &flag);
    assert!(ok, "[{b}] {out}");
    assert!(
        out.contains("file contents match their digests"),
        "[{b}] {out}"
    );

    // No file contents in the database.
    let sql = "SELECT content FROM catalog_files";
    let failed = if b == "sqlite" {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.is_err()
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.is_err()
    };
    assert!(failed, "[{b}] catalog_files has no content column");

    let mut bytes = std::fs::read(&files[0]).unwrap();
    bytes[10] ^= 0x20;
    std::fs::write(&files[0], bytes).unwrap();
    std::fs::remove_file(&files[1]).unwrap();
    let (ok, out) = verify_with(&db.url, &flag);
    assert!(!ok, "[{b}] {out}");
    let altered = files[0].file_name().unwrap().to_string_lossy().to_string();
    let missing = files[1].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        out.contains("\"blob.altered\"") && out.contains(&altered),
        "[{b}] {out}"
    );
    assert!(
        out.contains("\"blob.missing\"") && out.contains(&missing),
        "[{b}] {out}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn backup_copies_the_database_and_its_blobs_and_the_copy_verifies_on_its_own() {
    let db = demo_db("sqlite").await.expect("SQLite");
    let dir = TempDir::new();
    let out = dir.0.join("backup.db");
    let o = run(&["backup", "--db", &db.url, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("each re-hashed"), "{}", stdout(&o));
    let copied = blob_files(&dir.0.join("backup.db.blobs"));
    let source = db.url.trim_start_matches("sqlite://").to_string();
    assert_eq!(
        copied.len(),
        blob_files(std::path::Path::new(&format!("{source}.blobs"))).len(),
        "every blob copied"
    );
    // The copy verifies with its own blobs (the default location beside it), even once the
    // original's blobs are gone.
    std::fs::remove_dir_all(format!("{source}.blobs")).unwrap();
    let copy = format!("sqlite://{}", out.display());
    let (ok, text) = verify_with(&copy, &[]);
    assert!(ok, "{text}");
    std::fs::remove_file(&copied[0]).unwrap();
    let (ok, text) = verify_with(&copy, &[]);
    assert!(!ok && text.contains("blob.missing"), "{text}");
    // A backup whose source lacks a blob says so and fails.
    let out2 = dir.0.join("second.db");
    let o = run(&["backup", "--db", &db.url, "--out", out2.to_str().unwrap()]);
    assert!(!o.status.success(), "the source's blobs are gone");
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing from"));
    db.cleanup().await;
}

struct Node(std::process::Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn node(db: &TestDb, s3: &S3Server, blobs: &str, name: &str) -> (Node, String) {
    let port = free_port();
    let mut cmd = yiwang();
    cmd.args([
        "serve",
        "--db",
        &db.url,
        "--blobs",
        blobs,
        "--addr",
        &format!("127.0.0.1:{port}"),
    ])
    .env("RUST_LOG", "warn")
    .env("HOSTNAME", name)
    // Both nodes sign with the demo key kept in the database.
    .env("YIWANG_DEMO_KEY", "1")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    for (k, v) in s3.env() {
        cmd.env(k, v);
    }
    let mut n = Node(cmd.spawn().expect("spawn node"));
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base, &mut n.0).await;
    (n, base)
}

fn with_s3(s3: &S3Server, args: &[&str]) -> std::process::Output {
    let mut cmd = yiwang();
    cmd.args(args).env("RUST_LOG", "warn");
    for (k, v) in s3.env() {
        cmd.env(k, v);
    }
    cmd.output().expect("run yiwang")
}

#[tokio::test]
async fn two_nodes_on_one_postgres_and_one_bucket_serve_the_same_files() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let Some(s3) = S3Server::start().await else {
        db.cleanup().await;
        return;
    };
    s3.bucket("yiwang-files").await;
    let blobs = "s3://yiwang-files/province";
    let o = with_s3(
        &s3,
        &["demo", "--no-serve", "--db", &db.url, "--blobs", blobs],
    );
    assert!(
        o.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let (a, base_a) = node(&db, &s3, blobs, "node-a").await;
    let (_b, base_b) = node(&db, &s3, blobs, "node-b").await;
    let c = reqwest::Client::new();
    let r = c
        .post(format!("{base_a}/api/v1/auth/tokens"))
        .json(&serde_json::json!({"username": "catalog", "password": "yiwang-demo-2026", "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let hits: serde_json::Value = c
        .get(format!("{base_a}/api/v1/catalog/search?q=开饭店"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = hits["hits"][0]["id"].as_str().expect("an item").to_string();
    let view: serde_json::Value = c
        .get(format!("{base_a}/api/v1/catalog/items/{item}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let material = view["body"]["materials"][0]["name"]
        .as_str()
        .expect("a material")
        .to_string();
    // 3 MiB of a "PDF" uploaded to node A.
    let mut content = b"%PDF-1.7\n".to_vec();
    content.extend((0..3 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
    let r = c
        .post(format!(
            "{base_a}/api/v1/catalog/items/{item}/files?material={material}&role=blank&filename=申请书.pdf"
        ))
        .bearer_auth(&token)
        .header("content-type", "application/pdf")
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: serde_json::Value = r.json().await.unwrap();
    let file = v["body"]["materials"][0]["blank_form"]
        .as_str()
        .unwrap()
        .to_string();

    // Node B serves it byte for byte, whole and in part; node A after a restart too.
    let get = |base: &str, range: Option<&str>| {
        let mut rq = c.get(format!("{base}/api/v1/catalog/files/{file}"));
        if let Some(r) = range {
            rq = rq.header("range", r);
        }
        rq.send()
    };
    let r = get(&base_b, None).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.bytes().await.unwrap() == content,
        "node B: the same bytes"
    );
    let r = get(&base_b, Some("bytes=1000-1999")).await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &content[1000..2000]);
    drop(a);
    let (_a, base_a) = node(&db, &s3, blobs, "node-a").await;
    let r = get(&base_a, None).await.unwrap();
    assert!(
        r.bytes().await.unwrap() == content,
        "node A after a restart"
    );

    // verify checks every blob in the bucket; a deleted one is named.
    let o = with_s3(&s3, &["audit", "verify", "--db", &db.url, "--blobs", blobs]);
    assert!(o.status.success(), "{}", stdout(&o));
    let digest = yiwang_core::ledger::sm3_hex(&content);
    use object_store::ObjectStoreExt;
    s3.raw("yiwang-files")
        .delete(&object_store::path::Path::from(format!(
            "province/sm3/{}/{digest}",
            &digest[..2]
        )))
        .await
        .unwrap();
    let o = with_s3(&s3, &["audit", "verify", "--db", &db.url, "--blobs", blobs]);
    assert!(!o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("blob.missing") && text.contains(&file),
        "{text}"
    );
    db.cleanup().await;
}
