use yiwang_app::demo::DEMO_PASSWORD;
use yiwang_app::identity::{
    NewGrant, NewUser, create_user, revoke_sessions, session_actor, sign_in, sign_out,
};
use yiwang_core::ProblemKind;
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{actor, demo_app, finish, org_en, problem, staff, verify};

/// The client address the sign-ins below come from (a documentation address).
const ADDR: &str = "192.0.2.1";

async fn head_and_pending(app: &yiwang_app::App) -> (i64, i64) {
    let mut tx = app.store.probe().await.expect("read");
    let (head, _) = tx.ledger_head().await.expect("head");
    (head, tx.count_outbox("pending").await.expect("count"))
}

backend_test!(sign_in_sign_out_and_revoking_sessions);
async fn sign_in_sign_out_and_revoking_sessions(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let store = &app.store;

    // A correct sign-in works, so the failures below fail for their stated reason.
    let ok = sign_in(store, "window", DEMO_PASSWORD, ADDR)
        .await
        .unwrap_or_else(|e| panic!("[{b}] window signs in: {e}"));
    assert_eq!(ok.user.username, "window", "[{b}] signed-in user");
    for (user, pw, what) in [
        ("window", "wrong-password", "wrong password"),
        ("nobody", DEMO_PASSWORD, "unknown user"),
    ] {
        let p = problem(sign_in(store, user, pw, ADDR).await.map(|_| ()), what);
        assert_eq!(p.code, "auth.invalid_credentials", "[{b}] {what}: {p:?}");
        assert_eq!(p.kind, ProblemKind::Unauthenticated, "[{b}] {what}");
    }
    // Disable an account (as an operator would, through the store).
    let (mut approver, _) = actor(&app, "approver").await;
    approver.status = "disabled".into();
    let mut tx = store.write().await.expect("write");
    tx.update_user(&approver).await.expect("disable");
    tx.commit().await.expect("commit");
    let p = problem(
        sign_in(store, "approver", DEMO_PASSWORD, ADDR)
            .await
            .map(|_| ()),
        "disabled",
    );
    assert_eq!(
        p.code, "auth.invalid_credentials",
        "[{b}] disabled user: {p:?}"
    );

    // A live session, then sign-out ends it.
    let (actor_now, user_now, _) = session_actor(store, &ok.token)
        .await
        .expect("session_actor")
        .unwrap_or_else(|| panic!("[{b}] the new session is live"));
    assert_eq!(user_now.username, "window", "[{b}] session user");
    assert_eq!(actor_now.grants.len(), 1, "[{b}] window's one grant");
    sign_out(store, &ok.token).await.expect("sign out");
    assert!(
        session_actor(store, &ok.token)
            .await
            .expect("session_actor")
            .is_none(),
        "[{b}] no session after sign-out"
    );
    sign_out(store, &ok.token)
        .await
        .expect("signing out twice is harmless");

    // The platform administrator ends every session of another user.
    let t1 = sign_in(store, "window", DEMO_PASSWORD, ADDR)
        .await
        .expect("t1")
        .token;
    let t2 = sign_in(store, "window", DEMO_PASSWORD, ADDR)
        .await
        .expect("t2")
        .token;
    let (window, _) = actor(&app, "window").await;
    let (_, admin) = actor(&app, "admin").await;
    let n = revoke_sessions(store, &admin, &window.id)
        .await
        .unwrap_or_else(|e| panic!("[{b}] admin revokes: {e}"))
        .sessions;
    assert_eq!(
        n, 2,
        "[{b}] both live sessions revoked (the signed-out one was not live)"
    );
    for t in [&t1, &t2] {
        assert!(
            session_actor(store, t)
                .await
                .expect("session_actor")
                .is_none(),
            "[{b}] revoked session is dead"
        );
    }

    // An administrator of Hohhot may not touch a Suqian user's sessions, only Hohhot's.
    let hohhot = org_en(&app, "Hohhot People's Government").await;
    create_user(
        store,
        &admin,
        staff("hh-admin", &[("administrator", &hohhot.id)]),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] create hh-admin: {e}"));
    let (_, hh_admin) = actor(&app, "hh-admin").await;
    let suqian_token = sign_in(store, "depthead", DEMO_PASSWORD, ADDR)
        .await
        .expect("sq")
        .token;
    let (depthead, _) = actor(&app, "depthead").await;
    let p = problem(
        revoke_sessions(store, &hh_admin, &depthead.id).await,
        "unrelated administrator revokes",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] unrelated admin: {p:?}"
    );
    assert!(
        session_actor(store, &suqian_token)
            .await
            .expect("session_actor")
            .is_some(),
        "[{b}] the Suqian session survives"
    );
    let (zhangwei, _) = actor(&app, "zhangwei").await;
    let p = problem(
        revoke_sessions(store, &hh_admin, &zhangwei.id).await,
        "city admin revokes an applicant without grants",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}] applicant: {p:?}");
    let hh_token = sign_in(store, "hhht-supervisor", DEMO_PASSWORD, ADDR)
        .await
        .expect("hh")
        .token;
    let (hh_sup, _) = actor(&app, "hhht-supervisor").await;
    assert_eq!(
        revoke_sessions(store, &hh_admin, &hh_sup.id)
            .await
            .expect("own city")
            .sessions,
        1,
        "[{b}] the Hohhot admin revokes a Hohhot user's session"
    );
    assert!(
        session_actor(store, &hh_token)
            .await
            .expect("session_actor")
            .is_none(),
        "[{b}] that session is dead"
    );
    finish(app, db).await;
}

/// What a refused creation must answer.
type Expect = Box<dyn Fn(&yiwang_core::Problem) -> bool>;

fn person(username: &str, id_number: Option<&str>) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: "张三".into(),
        kind: "natural_person".into(),
        password: "a-long-enough-password".into(),
        id_number: id_number.map(Into::into),
        credit_code: None,
        phone: None,
        email: None,
        grants: vec![],
    }
}

backend_test!(create_user_validates_and_writes_user_ledger_and_outbox_together);
async fn create_user_validates_and_writes_user_ledger_and_outbox_together(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let store = &app.store;
    let (_, admin) = actor(&app, "admin").await;
    let centre = org_en(&app, "Suqian Government Service Centre").await;
    let valid_id = yiwang_app::demo::demo_id_number("321302", "19900101", 7);

    // The valid number with a wrong check character.
    let bad_check = format!(
        "{}{}",
        &valid_id[..17],
        if valid_id.ends_with('0') { '1' } else { '0' }
    );
    let start = head_and_pending(&app).await;
    let mut short_pw = staff("shortpw", &[]);
    short_pw.password = "1234567".into();
    let mut dup_grant = staff("halfway", &[]);
    dup_grant.grants = vec![
        NewGrant {
            role: "window_officer".into(),
            org_id: centre.id.clone(),
        };
        2
    ];
    let cases: Vec<(&str, NewUser, Expect)> = vec![
        (
            "bad ID number",
            person("badid", Some(&bad_check)),
            Box::new(|p| p.code.starts_with("id_number.")),
        ),
        (
            "malformed ID number",
            person("badid2", Some("12345")),
            Box::new(|p| p.code.starts_with("id_number.")),
        ),
        (
            "natural person without ID",
            person("noid", None),
            Box::new(|p| p.code == "user.id_number_required"),
        ),
        (
            "bad username",
            staff("a b", &[]),
            Box::new(|p| p.code == "user.username"),
        ),
        (
            "short username",
            staff("ab", &[]),
            Box::new(|p| p.code == "user.username"),
        ),
        (
            "short password",
            short_pw,
            Box::new(|p| p.code == "password.policy"),
        ),
        (
            "duplicate username",
            staff("Window", &[]),
            Box::new(|p| p.kind == ProblemKind::Conflict),
        ),
        (
            "grant to a missing organisation",
            staff("ghostgrant", &[("window_officer", "no-such-org")]),
            Box::new(|p| p.kind == ProblemKind::NotFound),
        ),
        // Fails after the user row was written: the second grant repeats the first.
        (
            "duplicate grant half-way",
            dup_grant,
            Box::new(|p| p.kind == ProblemKind::Conflict),
        ),
    ];
    for (what, input, expect) in cases {
        let username = input.username.clone();
        let p = problem(create_user(store, &admin, input).await, what);
        assert!(expect(&p), "[{b}] {what}: unexpected problem {p:?}");
        if username != "Window" {
            assert_eq!(
                store
                    .read()
                    .await
                    .expect("read")
                    .find_user_by_username(&username.trim().to_lowercase())
                    .await
                    .expect("find"),
                None,
                "[{b}] {what}: no user row left"
            );
        }
    }
    assert_eq!(
        head_and_pending(&app).await,
        start,
        "[{b}] failed creations wrote no ledger entry and no outbox message"
    );

    // Successes: each writes the user, one `user.create` entry and one outbox message.
    let inputs = vec![
        staff("newclerk", &[("window_officer", &centre.id)]),
        person("lisi", Some(&valid_id)),
    ];
    let mut expected = start;
    for input in inputs {
        let user = create_user(store, &admin, input.clone())
            .await
            .unwrap_or_else(|e| panic!("[{b}] create {}: {e}", input.username));
        expected = (expected.0 + 1, expected.1 + 1);
        assert_eq!(
            head_and_pending(&app).await,
            expected,
            "[{b}] {}: one ledger entry and one pending message",
            user.username
        );
        let mut tx = store.read().await.expect("read");
        let entry = tx
            .ledger_entry(expected.0)
            .await
            .expect("entry")
            .expect("the new entry");
        assert_eq!(entry.action, "user.create", "[{b}] ledger action");
        assert_eq!(entry.subject_id, user.id, "[{b}] ledger subject");
        assert_eq!(
            entry.actor_id.as_deref(),
            Some(admin.user_id.as_str()),
            "[{b}] actor"
        );
        assert!(
            entry.rows_json.contains(&user.digest()),
            "[{b}] the row digest is in the entry"
        );
        assert_eq!(
            tx.get_user(&user.id).await.expect("get"),
            Some(user.clone()),
            "[{b}] stored user"
        );
        assert_eq!(
            tx.grants_of_user(&user.id).await.expect("grants").len(),
            input.grants.len(),
            "[{b}] grants written"
        );
    }
    let r = verify(&app).await;
    assert!(r.intact(), "[{b}] still intact: {:#?}", r.findings);
    finish(app, db).await;
}
