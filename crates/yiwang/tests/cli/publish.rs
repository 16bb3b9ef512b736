//! `yiwang ocds export DIR` writes every release package and record of the demo (valid OCDS
//! 1.1.5) with an index; `yiwang archive verify FILE` accepts a section archive with the
//! published key and refuses it, naming the entry, after one byte changed.

use yiwang_testkit::ocds::Validator;

use crate::{run, stdout, yiwang};

#[tokio::test]
async fn ocds_export_and_archive_verify() {
    let db = crate::demo_db("sqlite").await.expect("SQLite");
    // The demo's files are also in this database's blob directory, where `db.app()` reads them.
    let blobs = db.blobs.0.display().to_string();

    // Export, with a configured prefix; a bad prefix does not start.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ocds");
    let o = yiwang()
        .args(["ocds", "export", "--db", &db.url, out.to_str().unwrap()])
        .args(["--blobs", &blobs])
        .env("YIWANG_OCDS_PREFIX", "ocds-sq2026")
        .env("YIWANG_PUBLIC_URL", "https://ggzy.example.cn")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout(&o).contains("exported 4 contracting processes"),
        "{}",
        stdout(&o)
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["ocid_prefix"], "ocds-sq2026");
    let processes = index["processes"].as_array().expect("processes");
    assert_eq!(processes.len(), 4);
    let v = Validator::new();
    for p in processes {
        assert!(p["ocid"].as_str().unwrap().starts_with("ocds-sq2026-"));
        let read = |k: &str| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(out.join(p[k].as_str().unwrap())).unwrap())
                .unwrap()
        };
        let pkg = read("package");
        assert!(
            v.release_package(&pkg).is_empty(),
            "{:#?}",
            v.release_package(&pkg)
        );
        assert!(
            pkg["uri"]
                .as_str()
                .unwrap()
                .starts_with("https://ggzy.example.cn/api/v1/ocds/")
        );
        let rec = read("record");
        assert!(
            v.record_package(&rec).is_empty(),
            "{:#?}",
            v.record_package(&rec)
        );
    }
    let o = yiwang()
        .args(["ocds", "export", "--db", &db.url, out.to_str().unwrap()])
        .env("YIWANG_OCDS_PREFIX", "not-a-prefix")
        .output()
        .unwrap();
    assert!(!o.status.success(), "a bad prefix is a start-up error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("YIWANG_OCDS_PREFIX"));

    // The archive of the section opened in the demo, checked offline.
    let app = db.app().await;
    let staff = {
        let mut tx = app.store.read().await.unwrap();
        let u = tx.find_user_by_username("trading").await.unwrap().unwrap();
        yiwang_app::identity::actor_of(&mut *tx, &u).await.unwrap()
    };
    let section = {
        let mut tx = app.store.read().await.unwrap();
        tx.list_sections(None)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.name == "第四标段（照明工程）")
            .unwrap()
            .id
    };
    let zip = yiwang_app::trading::archive::build(&app, &staff, &section)
        .await
        .unwrap()
        .bytes()
        .unwrap();
    let key = app.platform_key().public_key_hex();
    app.store.close().await;
    let file = dir.path().join("archive.zip");
    std::fs::write(&file, &zip).unwrap();
    let o = run(&[
        "archive",
        "verify",
        file.to_str().unwrap(),
        "--public-key",
        &key,
    ]);
    assert!(
        o.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("verifies"), "{}", stdout(&o));
    let mut target = String::new();
    let changed = yiwang_testkit::hostile::repack(&zip, |name, mut bytes| {
        if target.is_empty() && name.starts_with("files/bids/") {
            target = name.to_string();
            bytes[10] ^= 0x20;
        }
        bytes
    });
    assert!(!target.is_empty(), "the archive holds sealed bids");
    std::fs::write(&file, &changed).unwrap();
    let o = run(&[
        "archive",
        "verify",
        file.to_str().unwrap(),
        "--public-key",
        &key,
    ]);
    assert_eq!(o.status.code(), Some(1), "a changed byte fails");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&target), "names the entry: {err}");
    db.cleanup().await;
}
