use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, region, seed_regions};

backend_test!(regions_insert_get_list);
async fn regions_insert_get_list(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    // Inserted out of order; listed by code.
    tx.insert_region(&region("150000", "内蒙古自治区", None, "province"))
        .await
        .expect("province");
    tx.insert_region(&region(
        "150100",
        "呼和浩特市",
        Some("150000"),
        "prefecture",
    ))
    .await
    .expect("city");
    tx.insert_region(&region("150102", "新城区", Some("150100"), "county"))
        .await
        .expect("county");
    tx.insert_region(&region("110000", "北京市", None, "province"))
        .await
        .expect("beijing");
    seed_regions(&mut *tx).await;
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("write");
    let dup = tx
        .insert_region(&region("150000", "重复", None, "province"))
        .await;
    assert!(
        matches!(dup, Err(yiwang_store::StoreError::Duplicate(_))),
        "[{b}] a duplicate region code is Duplicate, got {dup:?}"
    );
    drop(tx);

    let mut tx = store.read().await.expect("read");
    let got = tx.get_region("150100").await.expect("get");
    assert_eq!(
        got,
        Some(region("150100", "呼和浩特市", Some("150000"), "prefecture")),
        "[{b}] get_region round-trips"
    );
    assert_eq!(
        tx.get_region("999999").await.expect("get"),
        None,
        "[{b}] missing region"
    );
    let codes: Vec<String> = tx
        .list_regions()
        .await
        .expect("list")
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(
        codes,
        ["110000", "150000", "150100", "150102", "320000", "321300"],
        "[{b}] list_regions ordered by code; the duplicate changed nothing"
    );
    drop(tx); // close() waits for every connection to come back
    store.close().await;
    db.cleanup().await;
}

backend_test!(organisations_subtree_listing_respects_segment_boundaries);
async fn organisations_subtree_listing_respects_segment_boundaries(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let a = org("a", None);
    let ab = org("b", Some(&a));
    let abc = org("c", Some(&ab));
    let abc_sibling = org("bc", Some(&a)); // path /a/bc/: shares the text prefix "/a/b"
    let z = org("z", None);
    // Parents before children (foreign key); otherwise out of path order.
    for o in [&z, &a, &abc_sibling, &ab, &abc] {
        tx.insert_organisation(o)
            .await
            .unwrap_or_else(|e| panic!("[{b}] insert {}: {e}", o.path));
    }
    tx.commit().await.expect("commit");
    assert_eq!(ab.path, "/a/b/");
    assert_eq!(abc_sibling.path, "/a/bc/");

    let mut tx = store.read().await.expect("read");
    let paths = |v: Vec<yiwang_store::Organisation>| -> Vec<String> {
        v.into_iter().map(|o| o.path).collect()
    };
    assert_eq!(
        paths(tx.list_organisations("").await.expect("all")),
        ["/a/", "/a/b/", "/a/b/c/", "/a/bc/", "/z/"],
        "[{b}] all organisations, by path"
    );
    assert_eq!(
        paths(tx.list_organisations("/a/b/").await.expect("sub")),
        ["/a/b/", "/a/b/c/"],
        "[{b}] the /a/b/ subtree excludes /a/bc/"
    );
    assert_eq!(
        paths(tx.list_organisations("/a/bc/").await.expect("sub")),
        ["/a/bc/"],
        "[{b}] the /a/bc/ subtree"
    );
    assert_eq!(
        paths(tx.list_organisations("/a/").await.expect("sub")),
        ["/a/", "/a/b/", "/a/b/c/", "/a/bc/"],
        "[{b}] the /a/ subtree excludes /z/"
    );
    assert!(
        tx.list_organisations("/nope/")
            .await
            .expect("none")
            .is_empty(),
        "[{b}] an unknown prefix lists nothing"
    );
    assert_eq!(
        tx.get_organisation("c").await.expect("get"),
        Some(abc.clone()),
        "[{b}] get_organisation round-trips"
    );
    assert_eq!(
        tx.get_organisation("nope").await.expect("get"),
        None,
        "[{b}] missing"
    );
    drop(tx);

    // update_organisation persists the editable fields (not id, parent or path).
    let mut changed = abc.clone();
    changed.name = "宿迁市市场监督管理局".into();
    changed.name_en = "Suqian AMR".into();
    changed.kind = "regulator".into();
    changed.region_code = "320000".into();
    changed.credit_code = Some("91321300MA0000001X".into());
    changed.updated_at = 9_999;
    let mut tx = store.write().await.expect("write");
    tx.update_organisation(&changed).await.expect("update");
    tx.commit().await.expect("commit");
    let got = store
        .read()
        .await
        .expect("read")
        .get_organisation("c")
        .await
        .expect("get")
        .expect("present");
    assert_eq!(
        got, changed,
        "[{b}] update_organisation persisted every field"
    );
    assert_eq!(
        got.digest(),
        changed.digest(),
        "[{b}] same digest after re-read"
    );

    // A duplicate path is refused as Duplicate.
    let mut tx = store.write().await.expect("write");
    let mut clash = org("other", None);
    clash.path = "/a/".into();
    let r = tx.insert_organisation(&clash).await;
    assert!(
        matches!(r, Err(yiwang_store::StoreError::Duplicate(_))),
        "[{b}] duplicate path is Duplicate, got {r:?}"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
