use yiwang_store::{ApiToken, Session, SignInFailure, StoreError};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::user;

fn session(hash: &str, user_id: &str, revoked_at: Option<i64>) -> Session {
    Session {
        token_hash: hash.into(),
        user_id: user_id.into(),
        csrf_token: format!("csrf-{hash}"),
        created_at: 10,
        expires_at: 10_000_000,
        revoked_at,
    }
}

backend_test!(sessions_insert_get_and_revoke_counts);
async fn sessions_insert_get_and_revoke_counts(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    tx.insert_user(&user("ua", "alice")).await.expect("ua");
    tx.insert_user(&user("ub", "bob")).await.expect("ub");
    for s in [
        session("a1", "ua", None),
        session("a2", "ua", None),
        session("a3", "ua", None),
        session("a4", "ua", Some(50)),
        session("b1", "ub", None),
    ] {
        tx.insert_session(&s).await.expect("insert session");
    }
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.get_session("a1").await.expect("get"),
        Some(session("a1", "ua", None)),
        "[{b}] get_session round-trips"
    );
    assert_eq!(
        tx.get_session("zz").await.expect("get"),
        None,
        "[{b}] unknown token"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    tx.revoke_session("a1", 100).await.expect("revoke one");
    // Revoking again keeps the first revocation time.
    tx.revoke_session("a1", 200).await.expect("revoke again");
    tx.commit().await.expect("commit");
    let s = store
        .read()
        .await
        .expect("read")
        .get_session("a1")
        .await
        .expect("get");
    assert_eq!(
        s.and_then(|s| s.revoked_at),
        Some(100),
        "[{b}] revoke_session set revoked_at once"
    );

    let mut tx = store.write().await.expect("write");
    let n = tx
        .revoke_user_sessions("ua", 300)
        .await
        .expect("revoke all");
    assert_eq!(n, 2, "[{b}] only a2 and a3 were still live");
    let n = tx
        .revoke_user_sessions("ua", 400)
        .await
        .expect("revoke all again");
    assert_eq!(n, 0, "[{b}] nothing left to revoke");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    for (hash, want) in [
        ("a1", Some(100)),
        ("a2", Some(300)),
        ("a3", Some(300)),
        ("a4", Some(50)),
        ("b1", None),
    ] {
        let got = tx
            .get_session(hash)
            .await
            .expect("get")
            .expect("present")
            .revoked_at;
        assert_eq!(got, want, "[{b}] revoked_at of session {hash}");
    }
    drop(tx);
    store.close().await;
    db.cleanup().await;
}

backend_test!(api_tokens_insert_find_and_revoke);
async fn api_tokens_insert_find_and_revoke(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let t1 = ApiToken {
        id: "t1".into(),
        user_id: "ua".into(),
        name: "报表同步".into(),
        token_hash: "hash-1".into(),
        created_at: 77,
        revoked_at: None,
        expires_at: Some(1_000),
    };
    // A token from before expiry existed keeps NULL.
    let t2 = ApiToken {
        id: "t2".into(),
        name: "second".into(),
        token_hash: "hash-2".into(),
        expires_at: None,
        ..t1.clone()
    };
    let mut tx = store.write().await.expect("write");
    tx.insert_user(&user("ua", "alice")).await.expect("ua");
    tx.insert_api_token(&t2).await.expect("t2");
    tx.insert_api_token(&t1).await.expect("t1");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.find_api_token("hash-1").await.expect("find"),
        Some(t1.clone()),
        "[{b}] find_api_token by hash"
    );
    assert_eq!(
        tx.find_api_token("nope").await.expect("find"),
        None,
        "[{b}] unknown hash"
    );
    assert_eq!(
        tx.get_api_token("t2").await.expect("get"),
        Some(t2.clone()),
        "[{b}] get"
    );
    let ids: Vec<String> = tx
        .list_api_tokens()
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, ["t1", "t2"], "[{b}] list_api_tokens by id");
    drop(tx);

    let mut revoked = t1.clone();
    revoked.revoked_at = Some(999);
    revoked.name = "renamed".into();
    let mut tx = store.write().await.expect("write");
    tx.update_api_token(&revoked).await.expect("update");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.find_api_token("hash-1").await.expect("find"),
        Some(revoked.clone()),
        "[{b}] update_api_token persisted name and revoked_at"
    );
    assert_eq!(
        tx.get_api_token("t2").await.expect("get"),
        Some(t2.clone()),
        "[{b}] the other token is untouched"
    );
    let live: Vec<String> = tx
        .unrevoked_api_tokens_of_user("ua")
        .await
        .expect("unrevoked")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(live, ["t2"], "[{b}] unrevoked tokens of the user");
    assert!(
        tx.unrevoked_api_tokens_of_user("nobody")
            .await
            .expect("unrevoked")
            .is_empty(),
        "[{b}] another user has none"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    let clash = ApiToken {
        id: "t3".into(),
        ..t2.clone()
    };
    let r = tx.insert_api_token(&clash).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] a duplicate token hash is Duplicate, got {r:?}"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}

backend_test!(sign_in_failures_are_kept_counted_and_forgotten);
async fn sign_in_failures_are_kept_counted_and_forgotten(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let f = |id: &str, at: i64, username: &str| SignInFailure {
        id: id.into(),
        at,
        username: username.into(),
        user_id: None,
        address: "192.0.2.1".into(),
        channel: "page".into(),
        reason: "unknown_user".into(),
    };
    let mut tx = store.write().await.expect("write");
    for x in [
        f("f1", 100, "alice"),
        f("f2", 200, "alice"),
        f("f3", 300, "bob"),
    ] {
        tx.insert_sign_in_failure(&x).await.expect("insert");
    }
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    let ids = |v: Vec<SignInFailure>| v.into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(
        ids(tx.recent_sign_in_failures(0, 10).await.expect("recent")),
        ["f3", "f2", "f1"],
        "[{b}] newest first"
    );
    assert_eq!(
        ids(tx.recent_sign_in_failures(150, 1).await.expect("recent")),
        ["f3"],
        "[{b}] since and limit"
    );
    assert_eq!(
        tx.count_sign_in_failures_of_username("alice", 150)
            .await
            .expect("count"),
        1,
        "[{b}] count since"
    );
    drop(tx);
    let mut tx = store.write().await.expect("write");
    assert_eq!(
        tx.delete_sign_in_failures(250).await.expect("delete"),
        2,
        "[{b}] forget older"
    );
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(
        ids(tx.recent_sign_in_failures(0, 10).await.expect("recent")),
        ["f3"],
        "[{b}] one left"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
