//! 一项目一档案: the archive of a demo section verifies offline against the platform key, and
//! fails — naming the entry — after one byte of any entry is changed, an entry is removed or one
//! is added; who may download it.

use std::io::{Cursor, Read, Write};

use yiwang_app::App;
use yiwang_app::trading::archive;
use yiwang_core::ProblemKind;
use yiwang_core::access::Actor;
use yiwang_testkit::{TestDb, backend_test};

use super::ocds::trading_demo;

async fn demo_actor(app: &App, username: &str) -> Actor {
    let mut tx = app.store.read().await.expect("read");
    let user = tx
        .find_user_by_username(username)
        .await
        .expect("find user")
        .unwrap_or_else(|| panic!("demo user {username}"));
    yiwang_app::identity::actor_of(&mut *tx, &user)
        .await
        .expect("actor")
}

async fn section_named(app: &App, name: &str) -> String {
    let mut tx = app.store.read().await.expect("read");
    tx.list_sections(None)
        .await
        .expect("sections")
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("demo section {name}"))
        .id
}

/// The entries of a ZIP, in order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(Cursor::new(zip)).expect("zip");
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).expect("entry");
            let name = f.name().expect("name").to_string();
            let mut v = Vec::new();
            f.read_to_end(&mut v).expect("read");
            (name, v)
        })
        .collect()
}

fn pack(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(name.as_str(), o).expect("start");
        out.write_all(bytes).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

fn fails(zip: Vec<u8>, key: &str, naming: &str, what: &str) {
    match archive::verify(Cursor::new(zip), Some(key)) {
        Ok(v) => panic!("{what}: verified {v:?}"),
        Err(e) => assert!(e.contains(naming), "{what}: {e:?} should name {naming}"),
    }
}

backend_test!(a_section_archive_verifies_and_fails_on_any_changed_missing_or_added_byte);
async fn a_section_archive_verifies_and_fails_on_any_changed_missing_or_added_byte(db: TestDb) {
    let b = db.backend;
    let app = trading_demo(&db).await;
    let key = app.platform_key().public_key_hex();
    let staff = demo_actor(&app, "trading").await;
    let regulator = demo_actor(&app, "regulator").await;
    let tenderee = demo_actor(&app, "tenderee").await;
    let bidder = demo_actor(&app, "bidder").await;

    // The section tendering now: documents, downloads, a clarification, an objection answered,
    // deposits and sealed bids. The one opened: bids decrypted and the signed opening record.
    let tendering = section_named(&app, "第三标段（排水工程）").await;
    let opened = section_named(&app, "第四标段（照明工程）").await;
    let mut zips = Vec::new();
    for (id, who) in [
        (&tendering, &staff),
        (&opened, &regulator),
        (&opened, &tenderee),
    ] {
        let f = archive::build(&app, who, id)
            .await
            .unwrap_or_else(|e| panic!("[{b}] archive of {id}: {e}"));
        assert!(f.filename.ends_with(".zip"));
        let bytes = f.bytes().expect("bytes");
        let v = archive::verify(Cursor::new(bytes.clone()), Some(&key))
            .unwrap_or_else(|e| panic!("[{b}] the archive of {id} verifies: {e}"));
        assert_eq!(&v.section_id, id);
        assert!(v.ledger_entries > 0 && v.tree_size > 0);
        zips.push(bytes);
    }
    // Also with the key the manifest names.
    archive::verify(Cursor::new(zips[0].clone()), None).expect("embedded key");
    match archive::build(&app, &bidder, &tendering).await {
        Err(yiwang_app::AppError::Problem(p)) => assert_eq!(p.kind, ProblemKind::Forbidden),
        other => panic!(
            "[{b}] a bidder may not download the archive: {:?}",
            other.is_ok()
        ),
    }
    match archive::build(&app, &staff, "no-such-section").await {
        Err(yiwang_app::AppError::Problem(p)) => assert_eq!(p.kind, ProblemKind::NotFound),
        other => panic!("[{b}] unknown section: {:?}", other.is_ok()),
    }

    let parts = entries(&zips[0]);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "records/trading_sections/",
        "records/trading_documents/",
        "records/trading_downloads/",
        "records/trading_clarifications/",
        "records/trading_objections/",
        "records/trading_deposits/",
        "records/trading_bids/",
        "files/tender_documents/",
        "files/bids/",
        "manifest.json",
        "manifest.sig",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(want)),
            "[{b}] {want} in {names:?}"
        );
    }
    assert!(
        entries(&zips[1])
            .iter()
            .any(|(n, _)| n.starts_with("records/trading_openings/")),
        "[{b}] the opening record"
    );
    // Repacked unchanged, it still verifies (the check is of the entries, not of the packing).
    archive::verify(Cursor::new(pack(&parts)), Some(&key)).expect("repacked");

    for (i, (name, bytes)) in parts.iter().enumerate() {
        // One byte changed, in the middle of the entry.
        let mut changed = parts.clone();
        let at = bytes.len() / 2;
        changed[i].1[at] ^= 0x01;
        let naming = if name == "manifest.sig" {
            "manifest"
        } else {
            name.as_str()
        };
        fails(
            pack(&changed),
            &key,
            naming,
            &format!("[{b}] {name} changed"),
        );
        // Removed.
        let mut removed = parts.clone();
        removed.remove(i);
        let naming = if name.starts_with("manifest") {
            "manifest"
        } else {
            name.as_str()
        };
        fails(
            pack(&removed),
            &key,
            naming,
            &format!("[{b}] {name} removed"),
        );
    }
    // Added.
    let mut added = parts.clone();
    added.push(("files/extra.pdf".into(), b"%PDF-1.7 extra".to_vec()));
    fails(
        pack(&added),
        &key,
        "files/extra.pdf",
        &format!("[{b}] an entry added"),
    );
    // A byte appended to an entry.
    let mut longer = parts.clone();
    longer[0].1.push(b' ');
    fails(
        pack(&longer),
        &key,
        &parts[0].0,
        &format!("[{b}] a byte appended"),
    );
    // Another key.
    let other = yiwang_core::ledger::PlatformKey::generate().public_key_hex();
    fails(
        zips[0].clone(),
        &other,
        "manifest.json",
        &format!("[{b}] another key"),
    );
    // Not an archive at all.
    assert!(archive::verify(Cursor::new(b"not a zip".to_vec()), Some(&key)).is_err());
    app.store.close().await;
    db.cleanup().await;
}
