//! File contents in the blob store, on both databases and both blob backends (a directory and a
//! real S3-compatible server): byte-for-byte round trips across a restart, ranges, tampering and
//! deletion found by `audit verify`, clean-up of unreferenced blobs, limits and type checks, and
//! the conversion of a database that still holds file contents.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::ObjectStoreExt;
use yiwang_app::App;
use yiwang_app::blobs::{self, Blobs, Location};
use yiwang_app::catalog::files::{self, FileRole, Upload};
use yiwang_core::ledger::sm3_hex;
use yiwang_testkit::s3::S3Server;
use yiwang_testkit::{TempDir, TestDb, backend_test, backends};

use super::{actor, import_sample, page_id};

/// A blob backend under test.
enum Backend {
    Dir,
    Bucket {
        server: Arc<S3Server>,
        bucket: String,
    },
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Dir => "dir",
            Backend::Bucket { .. } => "s3",
        }
    }

    /// A fresh handle on the same blobs (as a restarted node would open).
    fn open(&self, db: &TestDb) -> Arc<Blobs> {
        match self {
            Backend::Dir => db.blob_store(),
            Backend::Bucket { server, bucket } => server.blobs(bucket, &prefix(db)),
        }
    }

    /// Change or remove a blob behind the platform's back.
    async fn tamper(&self, db: &TestDb, blobs: &Blobs, digest: &str, content: Option<&[u8]>) {
        match self {
            Backend::Dir => {
                let path = blobs.file_of(digest).expect("a file");
                match content {
                    Some(c) => std::fs::write(path, c).unwrap(),
                    None => std::fs::remove_file(path).unwrap(),
                }
            }
            Backend::Bucket { server, bucket } => {
                let raw = server.raw(bucket);
                let key = object_store::path::Path::from(format!(
                    "{}/sm3/{}/{digest}",
                    prefix(db),
                    &digest[..2]
                ));
                match content {
                    Some(c) => {
                        raw.put(&key, c.to_vec().into()).await.unwrap();
                    }
                    None => raw.delete(&key).await.unwrap(),
                }
            }
        }
    }
}

/// One key prefix per test database, so that databases sharing the bucket do not see each
/// other's blobs (a deployment has one database per bucket prefix).
fn prefix(db: &TestDb) -> String {
    format!(
        "files-{}",
        db.blobs.0.file_name().unwrap().to_string_lossy()
    )
}

/// Both blob backends: a directory always; a bucket when the S3 test server is installed
/// (mandatory when `YIWANG_TEST_PG` is set).
async fn blob_backends() -> Vec<Backend> {
    let mut out = vec![Backend::Dir];
    if let Some(server) = S3Server::start().await {
        let bucket = format!("yiwang-{}", uuid_like());
        server.bucket(&bucket).await;
        out.push(Backend::Bucket {
            server: Arc::new(server),
            bucket,
        });
    }
    out
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn world_on(db: &TestDb, blobs: Arc<Blobs>) -> Arc<App> {
    let app = db.app_with_blobs(blobs).await;
    yiwang_app::demo::build(&app)
        .await
        .expect("demo organisations");
    app
}

async fn read_all(app: &App, id: &str, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let (_, mut read) = files::download(app, id, range).await.expect("download");
    let mut out = Vec::new();
    while let Some(c) = read.stream.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

fn pdf(len: usize, seed: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x = seed;
    while out.len() < len {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push((x >> 56) as u8);
    }
    out
}

const MATERIAL: &str = "食品经营许可(新办)申请书";

async fn attach(
    app: &App,
    item: &str,
    name: &str,
    content: &[u8],
) -> Result<String, yiwang_app::AppError> {
    let dir = TempDir::new();
    let path = dir.0.join("upload");
    std::fs::write(&path, content).unwrap();
    let cat = actor(app, "catalog").await;
    let view = files::attach_file(
        app,
        &cat,
        item,
        MATERIAL,
        FileRole::BlankForm,
        Upload {
            filename: name,
            declared_type: Some("application/pdf"),
            path: &path,
        },
    )
    .await?;
    Ok(view.body.materials[0].blank_form.clone().expect("attached"))
}

#[tokio::test]
async fn files_round_trip_on_both_blob_backends_and_tampering_is_found() {
    let kinds = blob_backends().await;
    for kind in &kinds {
        for db in backends().await {
            let b = format!("{}+{}", db.backend, kind.name());
            let app = world_on(&db, kind.open(&db)).await;
            import_sample(&app).await;
            let item = page_id(&app, "开饭店").await;
            // 12 MiB: more than one part of a streamed write.
            let content = pdf(12 * 1024 * 1024 + 77, 7);
            let big = files::FORM_KIND.max_bytes;
            assert!((content.len() as u64) > big, "bigger than the form limit");
            let e = attach(&app, &item, "申请书.pdf", &content)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), Some(yiwang_core::ProblemKind::TooLarge), "[{b}]");
            let content = pdf(big as usize, 9);
            let id = attach(&app, &item, "../../申请书.pdf", &content)
                .await
                .unwrap();
            let info = files::file_info(&app.store, &id).await.unwrap();
            assert_eq!(info.filename, "申请书.pdf", "[{b}] name cleaned");
            assert_eq!(info.content_type, "application/pdf", "[{b}]");
            assert_eq!(info.size as usize, content.len(), "[{b}]");
            assert_eq!(info.digest, sm3_hex(&content), "[{b}]");
            app.store.close().await;

            // Another start (a restart, or another node) reads it back byte for byte.
            let blobs = kind.open(&db);
            let app = db.app_with_blobs(blobs.clone()).await;
            assert!(
                read_all(&app, &id, None).await == content,
                "[{b}] whole file"
            );
            assert_eq!(
                read_all(&app, &id, Some(1000..5000)).await,
                &content[1000..5000],
                "[{b}] a range"
            );
            let key = app.platform_key().public_key_hex();
            let r = yiwang_app::audit::verify_with_blobs(&app.store, &blobs, &key, None)
                .await
                .unwrap();
            assert!(r.intact(), "[{b}] {:?}", r.findings.first());
            assert!(r.blobs_checked > 1, "[{b}] forms and the upload checked");

            // A file larger than one part goes up in parts (multipart on S3) and reads back.
            let dir = TempDir::new();
            let large = pdf(blobs::PART_BYTES * 2 + 5, 11);
            std::fs::write(dir.0.join("large"), &large).unwrap();
            let stored = blobs
                .put_file(&dir.0.join("large"), u64::MAX)
                .await
                .unwrap();
            assert_eq!(stored.digest, sm3_hex(&large), "[{b}]");
            assert_eq!(
                blobs.check(&stored.digest, stored.size).await.unwrap(),
                blobs::BlobState::Intact,
                "[{b}]"
            );
            blobs.delete(&stored.digest).await.unwrap();

            // Altered, then deleted, behind the platform's back.
            let mut altered = content.clone();
            altered[content.len() / 2] ^= 1;
            kind.tamper(&db, &blobs, &info.digest, Some(&altered)).await;
            let r = yiwang_app::audit::verify_with_blobs(&app.store, &blobs, &key, None)
                .await
                .unwrap();
            assert_eq!(r.findings.len(), 1, "[{b}] {:?}", r.findings);
            assert_eq!(r.findings[0].code, "blob.altered", "[{b}]");
            assert_eq!(r.findings[0].id.as_deref(), Some(id.as_str()), "[{b}]");
            kind.tamper(&db, &blobs, &info.digest, None).await;
            let r = yiwang_app::audit::verify_with_blobs(&app.store, &blobs, &key, None)
                .await
                .unwrap();
            assert_eq!(r.findings.len(), 1, "[{b}] {:?}", r.findings);
            assert_eq!(r.findings[0].code, "blob.missing", "[{b}]");
            assert!(
                files::download(&app, &id, None).await.is_err(),
                "[{b}] a missing blob is an error, not an empty file"
            );
            app.store.close().await;
            db.cleanup().await;
        }
    }
}

#[tokio::test]
async fn unreferenced_blobs_are_collected_after_the_grace_period_and_referenced_ones_never() {
    let kinds = blob_backends().await;
    for kind in &kinds {
        for db in backends().await {
            let b = format!("{}+{}", db.backend, kind.name());
            let blobs = kind.open(&db);
            let app = world_on(&db, blobs.clone()).await;
            import_sample(&app).await;
            let item = page_id(&app, "开饭店").await;
            let kept = attach(&app, &item, "表.pdf", &pdf(10_000, 1))
                .await
                .unwrap();
            let kept = files::file_info(&app.store, &kept).await.unwrap().digest;
            // A blob whose use case failed after writing it.
            let orphan = blobs.put_bytes(pdf(10_000, 2)).await.unwrap().digest;
            let young = blobs
                .collect_garbage(&app.store, Duration::from_secs(3600))
                .await
                .unwrap();
            assert_eq!(
                young.deleted, 0,
                "[{b}] nothing older than the grace period"
            );
            assert!(blobs.exists(&orphan).await.unwrap().is_some(), "[{b}]");
            let done = blobs
                .collect_garbage(&app.store, Duration::ZERO)
                .await
                .unwrap();
            assert_eq!(done.deleted, 1, "[{b}] only the orphan");
            assert!(blobs.exists(&orphan).await.unwrap().is_none(), "[{b}]");
            assert!(blobs.exists(&kept).await.unwrap().is_some(), "[{b}]");
            let key = app.platform_key().public_key_hex();
            let r = yiwang_app::audit::verify_with_blobs(&app.store, &blobs, &key, None)
                .await
                .unwrap();
            assert!(r.intact(), "[{b}] {:?}", r.findings.first());
            app.store.close().await;
            db.cleanup().await;
        }
    }
}

backend_test!(uploads_are_checked_by_name_declared_type_and_content_before_they_are_stored);
async fn uploads_are_checked_by_name_declared_type_and_content_before_they_are_stored(db: TestDb) {
    let b = db.backend;
    let blobs = db.blob_store();
    let app = world_on(&db, blobs.clone()).await;
    import_sample(&app).await;
    let item = page_id(&app, "开饭店").await;
    let before = blobs.list().await.unwrap().len();
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
    let code = |e: yiwang_app::AppError| match e {
        yiwang_app::AppError::Problem(p) => p.code,
        other => panic!("[{b}] {other}"),
    };
    let e = attach(&app, &item, "表.pdf", &png).await.unwrap_err();
    assert_eq!(code(e), "file.content_mismatch", "[{b}]");
    let e = attach(&app, &item, "表.png", &png).await.unwrap_err();
    assert_eq!(
        code(e),
        "file.type_mismatch",
        "[{b}] declared PDF, named PNG"
    );
    let e = attach(&app, &item, "表.html", b"<html>").await.unwrap_err();
    assert_eq!(code(e), "file.type", "[{b}]");
    let e = attach(&app, &item, "表.pdf", b"").await.unwrap_err();
    assert_eq!(code(e), "upload.empty", "[{b}]");
    assert_eq!(
        blobs.list().await.unwrap().len(),
        before,
        "[{b}] nothing stored"
    );
    assert!(
        exec(&db, "SELECT content FROM catalog_files")
            .await
            .is_err(),
        "[{b}] a fresh database has no content column"
    );
    app.store.close().await;
    db.cleanup().await;
}

/// Run raw SQL on a test database.
async fn exec(db: &TestDb, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    if db.backend == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await;
        let _ = c.close().await;
        Ok(r?.rows_affected())
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await;
        let _ = c.close().await;
        Ok(r?.rows_affected())
    }
}

/// Apply only the migrations before the blob store, as a database made by an older release.
async fn migrate_before_blobs(db: &TestDb) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(db.backend);
    let mut m = sqlx::migrate::Migrator::new(dir).await.expect("migrations");
    m.migrations = m
        .migrations
        .iter()
        .filter(|m| m.version < 4)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    if db.backend == "postgres" {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        m.run(&pool).await.expect("old migrations");
        pool.close().await;
    } else {
        let opts: sqlx::sqlite::SqliteConnectOptions = db.url.parse().unwrap();
        let pool = sqlx::SqlitePool::connect_with(opts.create_if_missing(true))
            .await
            .unwrap();
        m.run(&pool).await.expect("old migrations");
        pool.close().await;
    }
}

backend_test!(a_database_with_file_contents_is_converted_at_start);
async fn a_database_with_file_contents_is_converted_at_start(db: TestDb) {
    let b = db.backend;
    migrate_before_blobs(&db).await;
    let content = pdf(300_000, 3);
    let hex: String = content.iter().map(|x| format!("{x:02x}")).collect();
    let literal = if b == "postgres" {
        format!("'\\x{hex}'::bytea")
    } else {
        format!("X'{hex}'")
    };
    exec(
        &db,
        &format!(
            "INSERT INTO catalog_files (id, filename, content_type, size, digest, content, created_at) VALUES ('old-1', '旧表.pdf', 'application/pdf', {}, '{}', {literal}, 1)",
            content.len(),
            sm3_hex(&content)
        ),
    )
    .await
    .unwrap();
    let blobs = db.blob_store();
    let app = db.app_with_blobs(blobs.clone()).await;
    assert_eq!(read_all(&app, "old-1", None).await, content, "[{b}] moved");
    assert!(
        exec(&db, "SELECT content FROM catalog_files")
            .await
            .is_err(),
        "[{b}] no content column"
    );
    assert!(
        exec(&db, "SELECT id FROM catalog_file_contents")
            .await
            .is_err(),
        "[{b}] the waiting table is gone"
    );
    assert!(!app.store.has_legacy_contents().await.unwrap(), "[{b}]");
    assert_eq!(
        blobs.location(),
        &Location::Dir(db.blobs.0.canonicalize().unwrap())
    );
    // A second start has nothing to move.
    app.store.close().await;
    let again = db.app_with_blobs(blobs).await;
    assert_eq!(read_all(&again, "old-1", None).await, content, "[{b}]");
    again.store.close().await;
    db.cleanup().await;
}
