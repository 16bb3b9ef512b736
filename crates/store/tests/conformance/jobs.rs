use yiwang_store::Job;
use yiwang_testkit::{TestDb, backend_test};

use crate::common::now;

fn job(id: &str, dedupe: Option<&str>, run_at: i64) -> Job {
    Job {
        id: id.into(),
        kind: "diag.probe".into(),
        payload: r#"{"n":1}"#.into(),
        dedupe_key: dedupe.map(Into::into),
        run_at,
        status: "pending".into(),
        attempts: 0,
        last_error: None,
        created_at: run_at,
        finished_at: None,
    }
}

backend_test!(jobs_dedupe_claim_finish_runs_and_cleanup);
async fn jobs_dedupe_claim_finish_runs_and_cleanup(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let t = now();
    let hour = 3_600_000_000;
    let mut tx = store.write().await.expect("write");
    assert!(
        tx.enqueue_job(&job("a", Some("slot-1"), t - 1_000))
            .await
            .expect("a"),
        "[{b}] a"
    );
    assert!(
        !tx.enqueue_job(&job("b", Some("slot-1"), t - 5_000))
            .await
            .expect("b"),
        "[{b}] the same dedupe_key again returns false"
    );
    assert!(
        tx.enqueue_job(&job("c", None, t + hour)).await.expect("c"),
        "[{b}] c"
    );
    assert!(
        tx.enqueue_job(&job("d", None, t - 2_000)).await.expect("d"),
        "[{b}] d"
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .probe()
            .await
            .expect("read")
            .get_job("b")
            .await
            .expect("get"),
        None,
        "[{b}] the deduplicated job was not stored"
    );

    // Due jobs come oldest first; the future one is not due.
    let mut tx = store.write().await.expect("write");
    let mut first = tx
        .claim_due_job(t)
        .await
        .expect("claim")
        .expect("a due job");
    assert_eq!(first.id, "d", "[{b}] the oldest due job first");
    first.status = "done".into();
    first.attempts = 1;
    first.finished_at = Some(t + 10);
    tx.finish_job(&first).await.expect("finish d");
    tx.record_job_run("d", "n1", t, t + 10, "ok")
        .await
        .expect("run");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("write");
    let mut second = tx
        .claim_due_job(t)
        .await
        .expect("claim")
        .expect("a due job");
    assert_eq!(second.id, "a", "[{b}] then the next due job");
    second.status = "failed".into();
    second.attempts = 5;
    second.last_error = Some("boom 失败".into());
    second.finished_at = Some(t + 20);
    tx.finish_job(&second).await.expect("finish a");
    tx.record_job_run("a", "n1", t, t + 20, "error")
        .await
        .expect("run 1");
    tx.record_job_run("a", "n2", t, t + 21, "error")
        .await
        .expect("run 2");
    assert_eq!(
        tx.claim_due_job(t).await.expect("claim"),
        None,
        "[{b}] no pending job is due (c runs in an hour)"
    );
    assert_eq!(
        tx.claim_due_job(t + 2 * hour)
            .await
            .expect("claim")
            .map(|j| j.id),
        Some("c".to_string()),
        "[{b}] c is due two hours later"
    );
    tx.commit().await.expect("commit");

    let mut tx = store.probe().await.expect("read");
    assert_eq!(
        tx.get_job("d").await.expect("get"),
        Some(first.clone()),
        "[{b}] d updated"
    );
    assert_eq!(
        tx.get_job("a").await.expect("get"),
        Some(second.clone()),
        "[{b}] a updated"
    );
    assert_eq!(
        tx.count_job_runs("a").await.expect("runs"),
        2,
        "[{b}] runs of a"
    );
    assert_eq!(
        tx.count_job_runs("d").await.expect("runs"),
        1,
        "[{b}] runs of d"
    );
    assert_eq!(
        tx.count_job_runs("c").await.expect("runs"),
        0,
        "[{b}] runs of c"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    assert_eq!(
        tx.delete_finished_jobs(t + 15).await.expect("delete"),
        1,
        "[{b}] only d finished before t+15"
    );
    assert_eq!(
        tx.delete_finished_jobs(t + hour).await.expect("delete"),
        1,
        "[{b}] then a; the pending c stays"
    );
    tx.commit().await.expect("commit");
    let mut tx = store.probe().await.expect("read");
    assert_eq!(tx.get_job("a").await.expect("get"), None, "[{b}] a deleted");
    assert_eq!(tx.get_job("d").await.expect("get"), None, "[{b}] d deleted");
    assert!(
        tx.get_job("c").await.expect("get").is_some(),
        "[{b}] pending c kept"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
