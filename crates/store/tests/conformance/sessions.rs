use yiwang_store::{ApiToken, Session, StoreError};
use yiwang_testkit::backends;

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

#[tokio::test]
async fn sessions_insert_get_and_revoke_counts() {
    for db in backends().await {
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
}

#[tokio::test]
async fn api_tokens_insert_find_and_revoke() {
    for db in backends().await {
        let b = db.backend;
        let store = db.store().await;
        let t1 = ApiToken {
            id: "t1".into(),
            user_id: "ua".into(),
            name: "报表同步".into(),
            token_hash: "hash-1".into(),
            created_at: 77,
            revoked_at: None,
        };
        let t2 = ApiToken {
            id: "t2".into(),
            name: "second".into(),
            token_hash: "hash-2".into(),
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
}
