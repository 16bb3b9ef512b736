use std::time::Duration;

use yiwang_app::identity::{NewUser, insert_user};
use yiwang_app::jobs::{PROBE, Runner, RunnerConfig, enqueue};
use yiwang_app::notify::{self, Channel};
use yiwang_app::{Acting, now_micros};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{finish, texts};

fn config(node: &str) -> RunnerConfig {
    RunnerConfig {
        node_id: node.into(),
        poll: Duration::from_millis(10),
        checkpoint_every: Duration::from_secs(3600),
    }
}

backend_test!(
    four_runners_run_each_job_exactly_once,
    flavor = "multi_thread",
    worker_threads = 4
);
async fn four_runners_run_each_job_exactly_once(db: TestDb) {
    const JOBS: usize = 100;
    let b = db.backend;
    let app = db.app().await;
    let mut tx = app.store.write().await.expect("write");
    for i in 0..JOBS {
        let queued = enqueue(
            &mut *tx,
            PROBE,
            serde_json::json!({ "i": i }),
            now_micros() - 1_000_000,
            Some(format!("probe-{i}")),
        )
        .await
        .expect("enqueue");
        assert!(queued, "[{b}] job {i} queued");
    }
    tx.commit().await.expect("commit");

    let mut handles = Vec::new();
    for i in 0..4 {
        let runner = Runner::new(app.clone(), config(&format!("n{i}")));
        handles.push(tokio::spawn(async move {
            let mut ran = 0usize;
            while runner.run_one().await.expect("run_one") {
                ran += 1;
            }
            ran
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap_or_else(|e| panic!("[{b}] runner task: {e}"));
    }
    assert_eq!(total, JOBS, "[{b}] runners together claimed each job once");

    let ids = texts(&db, format!("SELECT id FROM jobs WHERE kind = '{PROBE}'")).await;
    assert_eq!(ids.len(), JOBS, "[{b}] all jobs still listed");
    let mut tx = app.store.probe().await.expect("read");
    for id in &ids {
        let job = tx.get_job(id).await.expect("get").expect("job");
        assert_eq!(job.status, "done", "[{b}] job {id} done");
        assert_eq!(job.attempts, 1, "[{b}] job {id} attempted once");
        assert_eq!(
            tx.count_job_runs(id).await.expect("runs"),
            1,
            "[{b}] job {id} ran once"
        );
    }
    drop(tx);
    let mut tx = app.store.write().await.expect("write");
    assert_eq!(
        tx.claim_due_job(now_micros()).await.expect("claim"),
        None,
        "[{b}] none due"
    );
    drop(tx);
    let runs = texts(&db, "SELECT job_id FROM job_runs".into()).await;
    assert_eq!(runs.len(), JOBS, "[{b}] exactly {JOBS} run records");
    finish(app, db).await;
}

backend_test!(
    pass_delivers_in_app_messages_once_and_keeps_sms_pending,
    flavor = "multi_thread",
    worker_threads = 4
);
async fn pass_delivers_in_app_messages_once_and_keeps_sms_pending(db: TestDb) {
    let b = db.backend;
    let app = db.app().await;
    let mut tx = app.store.write().await.expect("write");
    // Creating an account queues its in-app welcome message.
    let alice = insert_user(
        &mut *tx,
        &Acting::system(),
        NewUser {
            username: "alice".into(),
            display_name: "艾丽丝".into(),
            kind: "staff".into(),
            password: "a-long-enough-password".into(),
            id_number: None,
            credit_code: None,
            phone: Some("13900000000".into()),
            email: None,
            grants: vec![],
        },
    )
    .await
    .expect("insert user");
    notify::queue(
        &mut *tx,
        Channel::Sms,
        &alice.id,
        "session.revoked",
        serde_json::json!({}),
    )
    .await
    .expect("queue sms");
    tx.commit().await.expect("commit");
    let count = |status: &'static str| {
        let app = app.clone();
        async move {
            app.store
                .probe()
                .await
                .expect("read")
                .count_outbox(status)
                .await
                .expect("count")
        }
    };
    assert_eq!(count("pending").await, 2, "[{b}] two messages pending");

    let runner = Runner::new(app.clone(), config("n1"));
    let pass = runner
        .pass()
        .await
        .unwrap_or_else(|e| panic!("[{b}] pass: {e}"));
    assert_eq!(pass.messages, 2, "[{b}] both messages handled");
    let inbox = app
        .store
        .read()
        .await
        .expect("read")
        .inbox_of_user(&alice.id, 10)
        .await
        .expect("inbox");
    assert_eq!(inbox.len(), 1, "[{b}] one inbox item");
    assert_eq!(inbox[0].title, "账户已开通", "[{b}] rendered title");
    assert!(
        inbox[0].body.contains("alice"),
        "[{b}] rendered body: {}",
        inbox[0].body
    );
    assert_eq!(count("delivered").await, 1, "[{b}] in-app delivered");
    assert_eq!(count("pending").await, 1, "[{b}] sms still pending");

    let again = runner.pass().await.expect("second pass");
    assert_eq!(again.messages, 0, "[{b}] nothing due on the second pass");
    let sms = texts(
        &db,
        "SELECT status || '|' || CAST(attempts AS TEXT) || '|' || COALESCE(last_error, '') FROM outbox WHERE channel = 'sms'"
            .into(),
    )
    .await;
    assert_eq!(sms.len(), 1, "[{b}] one sms row");
    let parts: Vec<&str> = sms[0].splitn(3, '|').collect();
    assert_eq!(parts[0], "pending", "[{b}] sms stays pending: {}", sms[0]);
    assert_eq!(parts[1], "1", "[{b}] one attempt so far: {}", sms[0]);
    assert!(
        parts[2].contains("sms"),
        "[{b}] last_error names the channel: {}",
        sms[0]
    );

    // Many messages and three concurrent passes: each delivered exactly once.
    let mut tx = app.store.write().await.expect("write");
    for i in 0..30 {
        notify::queue(
            &mut *tx,
            Channel::InApp,
            &alice.id,
            "calendar.amended",
            serde_json::json!({ "version": i.to_string(), "note": "测试" }),
        )
        .await
        .expect("queue");
    }
    tx.commit().await.expect("commit");
    let mut handles = Vec::new();
    for i in 0..3 {
        let runner = Runner::new(app.clone(), config(&format!("p{i}")));
        handles.push(tokio::spawn(async move {
            runner.pass().await.expect("pass").messages
        }));
    }
    let mut handled = 0;
    for h in handles {
        handled += h.await.expect("pass task");
    }
    assert_eq!(
        handled, 30,
        "[{b}] the 30 new messages were handled once in total"
    );
    let inbox = app
        .store
        .read()
        .await
        .expect("read")
        .inbox_of_user(&alice.id, 100)
        .await
        .expect("inbox");
    assert_eq!(inbox.len(), 31, "[{b}] 31 inbox items, no duplicates");
    assert_eq!(count("delivered").await, 31, "[{b}] delivered");
    assert_eq!(count("pending").await, 1, "[{b}] only the sms pending");
    finish(app, db).await;
}
