//! API tokens that end, revocations that reach tokens and are in the ledger, failed sign-ins on
//! record.

use yiwang_app::demo::DEMO_PASSWORD;
use yiwang_app::identity::{
    self, LEGACY_TOKEN_DAYS, TokenPolicy, TokenRequest, create_api_token_with_password,
    revoke_sessions, sign_in, sign_in_failures, token_actor,
};
use yiwang_app::{new_id, now_micros};
use yiwang_core::ProblemKind;
use yiwang_store::ApiToken;
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{actor, demo_app, finish, problem, verify};

const DAY: i64 = 86_400_000_000;

fn request(days: Option<u32>) -> TokenRequest<'static> {
    TokenRequest {
        name: "数据交换接口",
        expires_in_days: days,
    }
}

backend_test!(tokens_expire_within_the_policy);
async fn tokens_expire_within_the_policy(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let policy = app.token_policy();
    assert_eq!(policy, TokenPolicy::default(), "[{b}] default policy");

    // No lifetime asked: the default; one asked: that one.
    let (secret, t) =
        create_api_token_with_password(&app, "window", DEMO_PASSWORD, request(None), "t")
            .await
            .unwrap_or_else(|e| panic!("[{b}] default token: {e}"));
    assert_eq!(
        t.expires_at,
        Some(t.created_at + i64::from(policy.default_days) * DAY),
        "[{b}] default lifetime"
    );
    assert!(
        token_actor(&app.store, &secret).await.unwrap().is_some(),
        "[{b}] a fresh token works"
    );
    let (_, t1) =
        create_api_token_with_password(&app, "window", DEMO_PASSWORD, request(Some(1)), "t")
            .await
            .expect("one day");
    assert_eq!(t1.expires_at, Some(t1.created_at + DAY), "[{b}] one day");

    // Beyond the maximum, or zero: refused before any password is checked.
    for days in [0, policy.max_days + 1] {
        let p = problem(
            create_api_token_with_password(
                &app,
                "window",
                "not-the-password",
                request(Some(days)),
                "t",
            )
            .await,
            "lifetime out of range",
        );
        assert_eq!(p.code, "token.expires_in_days", "[{b}] {days} days: {p:?}");
        assert_eq!(p.kind, ProblemKind::Invalid, "[{b}] {days}");
    }

    // An expired token and a legacy token (no expiry) past its lapse stop working; a legacy
    // token within it still works.
    let (user, _) = actor(&app, "window").await;
    let now = now_micros();
    let cases = [
        ("expired", Some(now - 1), now - DAY, false),
        (
            "legacy, old",
            None,
            now - (LEGACY_TOKEN_DAYS + 1) * DAY,
            false,
        ),
        ("legacy, recent", None, now - DAY, true),
    ];
    for (what, expires_at, created_at, live) in cases {
        let secret = format!("yw_test_{}", new_id());
        let t = ApiToken {
            id: new_id(),
            user_id: user.id.clone(),
            name: what.into(),
            token_hash: identity::token_hash(&secret),
            created_at,
            revoked_at: None,
            expires_at,
        };
        let mut tx = app.store.write().await.expect("write");
        tx.insert_api_token(&t).await.expect("insert token");
        tx.commit().await.expect("commit");
        assert_eq!(
            token_actor(&app.store, &secret).await.unwrap().is_some(),
            live,
            "[{b}] {what}"
        );
    }
    finish(app, db).await;
}

backend_test!(revoking_a_users_sessions_revokes_their_tokens_in_the_ledger);
async fn revoking_a_users_sessions_revokes_their_tokens_in_the_ledger(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let store = &app.store;
    let session = sign_in(store, "window", DEMO_PASSWORD, "192.0.2.7")
        .await
        .expect("sign in")
        .token;
    let (s1, t1) =
        create_api_token_with_password(&app, "window", DEMO_PASSWORD, request(None), "t")
            .await
            .expect("token 1");
    let (s2, _) =
        create_api_token_with_password(&app, "window", DEMO_PASSWORD, request(Some(7)), "t")
            .await
            .expect("token 2");
    // Another user's token is not touched.
    let (other, _) =
        create_api_token_with_password(&app, "approver", DEMO_PASSWORD, request(None), "t")
            .await
            .expect("approver token");

    let (window, _) = actor(&app, "window").await;
    let (_, admin) = actor(&app, "admin").await;
    let r = revoke_sessions(store, &admin, &window.id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] revoke: {e}"));
    assert_eq!((r.sessions, r.tokens), (1, 2), "[{b}] {r:?}");
    for s in [&s1, &s2] {
        assert!(
            token_actor(store, s).await.unwrap().is_none(),
            "[{b}] a revoked user's token stops working"
        );
    }
    assert!(
        identity::session_actor(store, &session)
            .await
            .unwrap()
            .is_none(),
        "[{b}] the session ended"
    );
    assert!(
        token_actor(store, &other).await.unwrap().is_some(),
        "[{b}] another user's token lives"
    );

    // The ledger entry names the user and lists the revoked token rows; the record verifies.
    let entry = store
        .read()
        .await
        .unwrap()
        .ledger_recent(1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(entry.action, "auth.revoke_sessions", "[{b}]");
    assert_eq!(entry.subject_id, window.id, "[{b}]");
    assert!(
        entry.rows_json.contains(&t1.id),
        "[{b}] token row in {}",
        entry.rows_json
    );
    let detail: serde_json::Value = serde_json::from_str(&entry.detail_json).unwrap();
    assert_eq!(detail["tokens"], 2, "[{b}] {detail}");
    let report = verify(&app).await;
    assert!(report.intact(), "[{b}] {:#?}", report.findings);

    // Revoking again finds nothing live.
    let r = revoke_sessions(store, &admin, &window.id).await.unwrap();
    assert_eq!((r.sessions, r.tokens), (0, 0), "[{b}] second time");
    finish(app, db).await;
}

backend_test!(failed_sign_ins_are_recorded_for_supervisors);
async fn failed_sign_ins_are_recorded_for_supervisors(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let store = &app.store;
    let since = now_micros() - 1;
    for (user, pw) in [("window", "wrong-password"), ("Nobody-Here", DEMO_PASSWORD)] {
        problem(
            sign_in(store, user, pw, "198.51.100.4").await,
            "bad sign-in",
        );
    }
    problem(
        create_api_token_with_password(&app, "window", "guess", request(None), "203.0.113.9").await,
        "bad token grant",
    );
    // A good sign-in is not a failure.
    sign_in(store, "window", DEMO_PASSWORD, "198.51.100.4")
        .await
        .expect("good sign-in");

    let (_, admin) = actor(&app, "admin").await;
    let list = sign_in_failures(store, &admin, since, 100)
        .await
        .unwrap_or_else(|e| panic!("[{b}] admin lists failures: {e}"));
    let seen: Vec<(&str, &str, &str, &str)> = list
        .iter()
        .map(|f| {
            (
                f.username.as_str(),
                f.reason.as_str(),
                f.channel.as_str(),
                f.address.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("window", "wrong_password", "token", "203.0.113.9"),
            ("nobody-here", "unknown_user", "page", "198.51.100.4"),
            ("window", "wrong_password", "page", "198.51.100.4"),
        ],
        "[{b}] newest first"
    );
    let (window, _) = actor(&app, "window").await;
    assert_eq!(list[0].user_id.as_deref(), Some(window.id.as_str()));
    assert_eq!(list[1].user_id, None, "[{b}] unknown user has no id");

    // Failures may name no account, so only platform scope sees them: not a window officer,
    // nor a supervisor of one city (Suqian, below the Jiangsu root).
    for who in ["window", "supervisor"] {
        let (_, a) = actor(&app, who).await;
        let p = problem(sign_in_failures(store, &a, since, 100).await, who);
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}] {who}: {p:?}");
    }
    finish(app, db).await;
}
