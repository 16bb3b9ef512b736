//! SMS and e-mail leave through real gateways: a stub HTTP SMS gateway and a real SMTP server
//! (aiosmtpd). An outage delays a message (retried with back-off), never drops or duplicates it;
//! a refusal fails it for an operator to see.

use std::sync::Arc;

use base64::Engine;
use yiwang_app::identity::{NewUser, insert_user};
use yiwang_app::notify::{self, Gateways, HttpGateway, SmtpGateway, deliver_due};
use yiwang_app::{Acting, App, AppOptions, now_micros};
use yiwang_testkit::gateways::{SmtpServer, StubGateway, free_port};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::texts;

const SECOND: i64 = 1_000_000;
const FROM: &str = "一网通办 <noreply@yiwang.test>";

async fn outbox(db: &TestDb, channel: &str) -> Vec<(String, String, String, String)> {
    texts(
        db,
        format!(
            "SELECT id || '|' || status || '|' || CAST(attempts AS TEXT) || '|' || COALESCE(last_error, '') FROM outbox WHERE channel = '{channel}' ORDER BY created_at"
        ),
    )
    .await
    .into_iter()
    .map(|row| {
        let p: Vec<&str> = row.splitn(4, '|').collect();
        (p[0].into(), p[1].into(), p[2].into(), p[3].into())
    })
    .collect()
}

async fn user_with_contacts(app: &App) -> String {
    let mut tx = app.store.write().await.expect("write");
    let u = insert_user(
        &mut *tx,
        &Acting::system(),
        NewUser {
            username: "wangfang".into(),
            display_name: "王芳".into(),
            kind: "staff".into(),
            password: "a-long-enough-password".into(),
            id_number: None,
            credit_code: None,
            phone: Some("13900000001".into()),
            email: Some("wangfang@example.test".into()),
            grants: vec![],
        },
    )
    .await
    .expect("insert user");
    tx.commit().await.expect("commit");
    u.id
}

async fn tell(app: &App, user: &str) {
    let mut tx = app.store.write().await.expect("write");
    notify::queue_person(
        &mut *tx,
        app.gateways(),
        user,
        "session.revoked",
        serde_json::json!({}),
    )
    .await
    .expect("queue");
    tx.commit().await.expect("commit");
}

/// The decoded `Subject:` of a raw mail (RFC 2047 base64 words, as lettre writes them).
fn subject(mail: &str) -> String {
    let line = mail
        .lines()
        .find(|l| l.starts_with("Subject: "))
        .unwrap_or_else(|| panic!("no subject in {mail}"));
    let mut out = String::new();
    for word in line["Subject: ".len()..].split_whitespace() {
        let inner = word
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="))
            .unwrap_or_else(|| panic!("not an encoded word: {word}"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(inner)
            .expect("base64");
        out.push_str(std::str::from_utf8(&bytes).expect("utf-8"));
    }
    out
}

backend_test!(an_outage_delays_messages_and_never_duplicates_them);
async fn an_outage_delays_messages_and_never_duplicates_them(db: TestDb) {
    let b = db.backend;
    let stub = StubGateway::start().await;
    stub.fail_next(2);
    // The mail server is down at first: nothing listens on its port.
    let smtp_port = free_port();
    let gateways = Gateways {
        sms: Some(Arc::new(
            HttpGateway::new(&stub.url, Some("secret".into()), vec![]).expect("sms gateway"),
        )),
        email: Some(Arc::new(
            SmtpGateway::new(&format!("smtp://127.0.0.1:{smtp_port}"), FROM).expect("smtp"),
        )),
        voice: None,
    };
    let app = db
        .app_with(AppOptions {
            gateways,
            ..Default::default()
        })
        .await;
    let user = user_with_contacts(&app).await;
    tell(&app, &user).await;
    let t0 = now_micros();

    let handled = deliver_due(&app, t0, 50).await.expect("first pass");
    // The welcome message of the account (in-app) and the three of the notice.
    assert_eq!(handled, 4, "[{b}] every due message handled");
    let sms = outbox(&db, "sms").await;
    assert_eq!(sms.len(), 1, "[{b}] one SMS");
    assert_eq!(
        (sms[0].1.as_str(), sms[0].2.as_str()),
        ("pending", "1"),
        "[{b}] the outage keeps the SMS: {sms:?}"
    );
    assert!(sms[0].3.contains("503"), "[{b}] the reason: {sms:?}");
    let mail = outbox(&db, "email").await;
    assert_eq!(
        (mail[0].1.as_str(), mail[0].2.as_str()),
        ("pending", "1"),
        "[{b}] the mail is kept while the server is down: {mail:?}"
    );
    assert_eq!(stub.requests(), 1, "[{b}] one try so far");

    // In flight or waiting: nothing is taken again before its retry time.
    assert_eq!(
        deliver_due(&app, t0 + SECOND, 50).await.expect("pass"),
        0,
        "[{b}] nothing due a second later"
    );
    // The second try meets the outage again.
    assert_eq!(
        deliver_due(&app, t0 + 31 * SECOND, 50).await.expect("pass"),
        2
    );
    assert_eq!(stub.requests(), 2, "[{b}] retried once");
    assert!(stub.received().is_empty(), "[{b}] nothing accepted yet");

    // Both gateways are back.
    let server = match SmtpServer::python() {
        Some(py) => Some(
            SmtpServer::start_on(&py, smtp_port)
                .await
                .expect("start aiosmtpd on the configured port"),
        ),
        None => None,
    };
    let t2 = t0 + 31 * SECOND + 61 * SECOND;
    assert!(deliver_due(&app, t2, 50).await.expect("pass") >= 1);
    let got = stub.received();
    assert_eq!(got.len(), 1, "[{b}] the SMS arrived once: {got:?}");
    assert_eq!(got[0]["to"], "13900000001", "[{b}] to the user's phone");
    assert_eq!(
        got[0]["message_id"],
        sms[0].0.as_str(),
        "[{b}] idempotency key"
    );
    assert_eq!(got[0]["template_id"], "session.revoked");
    assert_eq!(got[0]["title"], "登录已被注销");
    let sms = outbox(&db, "sms").await;
    assert_eq!(sms[0].1, "delivered", "[{b}] {sms:?}");
    assert_eq!(sms[0].2, "3", "[{b}] after three tries");

    if let Some(server) = &server {
        let mails = server.mails();
        let row = outbox(&db, "email").await;
        assert_eq!(mails.len(), 1, "[{b}] one mail: {row:?}");
        assert!(
            mails[0].contains("To: wangfang@example.test"),
            "[{b}] {}",
            mails[0]
        );
        assert!(
            mails[0].contains(&format!("Message-ID: <{}@yiwang.test>", mail[0].0)),
            "[{b}] the Message-ID names the outbox message: {}",
            mails[0]
        );
        assert_eq!(subject(&mails[0]), "登录已被注销", "[{b}] Chinese subject");
        assert_eq!(outbox(&db, "email").await[0].1, "delivered");
    }

    // Days later nothing is sent again.
    assert_eq!(
        deliver_due(&app, t0 + 86_400 * SECOND, 50)
            .await
            .expect("pass"),
        0
    );
    assert_eq!(stub.requests(), 3, "[{b}] no duplicate send");
    if let Some(server) = &server {
        assert_eq!(server.mails().len(), 1, "[{b}] no duplicate mail");
    }

    // A refusal (a bad number) fails the message at once, for an operator.
    stub.refuse_with(Some(400));
    tell(&app, &user).await;
    let t3 = now_micros().max(t2) + SECOND;
    deliver_due(&app, t3, 50).await.expect("pass");
    let sms = outbox(&db, "sms").await;
    assert_eq!(sms[1].1, "failed", "[{b}] a refusal is final: {sms:?}");
    assert!(sms[1].3.contains("400"), "[{b}] {sms:?}");
    db.cleanup().await;
}

backend_test!(without_gateways_only_the_inbox_is_used);
async fn without_gateways_only_the_inbox_is_used(db: TestDb) {
    let app = db.app().await;
    let user = user_with_contacts(&app).await;
    tell(&app, &user).await;
    assert!(outbox(&db, "sms").await.is_empty(), "no SMS queued");
    assert!(outbox(&db, "email").await.is_empty(), "no mail queued");
    db.cleanup().await;
}
