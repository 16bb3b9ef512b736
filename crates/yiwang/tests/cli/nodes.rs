//! Two `yiwang serve` nodes on one PostgreSQL database never run the same job twice.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;
use yiwang_testkit::TestDb;

use crate::durability::wait_ready;
use crate::{free_port, yiwang};

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_node(db: &TestDb, name: &str, port: u16) -> Node {
    Node(
        yiwang()
            .args([
                "serve",
                "--db",
                &db.url,
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .env("RUST_LOG", "warn")
            .env("HOSTNAME", name)
            .env("YIWANG_JOB_POLL_MS", "20")
            .env("YIWANG_CHECKPOINT_SECS", "1")
            // Both nodes sign with the demo key kept in the database.
            .env("YIWANG_DEMO_KEY", "1")
            // The probe jobs below belong to the diagnostic capability.
            .env("YIWANG_DIAGNOSTICS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn node"),
    )
}

#[tokio::test]
async fn two_nodes_on_one_postgres_run_each_job_exactly_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    const JOBS: i64 = 200;
    {
        let app = db.app().await;
        let mut tx = app.store.write().await.unwrap();
        for i in 0..JOBS {
            yiwang_app::jobs::enqueue(
                &mut *tx,
                yiwang_app::jobs::PROBE,
                serde_json::json!({ "sleep_ms": 10, "n": i }),
                0,
                None,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        app.store.close().await;
    }
    let (pa, pb) = (free_port(), free_port());
    let mut a = start_node(&db, "node-a", pa);
    let mut b = start_node(&db, "node-b", pb);
    wait_ready(&format!("http://127.0.0.1:{pa}"), &mut a.0).await;
    wait_ready(&format!("http://127.0.0.1:{pb}"), &mut b.0).await;

    let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let start = Instant::now();
    loop {
        let (done,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'diag.probe' AND status = 'done'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        if done == JOBS {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "only {done} of {JOBS} jobs done"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let the periodic checkpoint jobs of a few slots run on both nodes too.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    drop(a);
    drop(b);

    let twice: Vec<(String, i64)> =
        sqlx::query_as("SELECT job_id, COUNT(*) FROM job_runs GROUP BY job_id HAVING COUNT(*) > 1")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
    let (runs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'diag.probe'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(runs, JOBS, "one run per job");
    let nodes: Vec<(String, i64)> =
        sqlx::query_as("SELECT node_id, COUNT(*) FROM job_runs GROUP BY node_id ORDER BY node_id")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert!(
        nodes.iter().any(|(n, _)| n.starts_with("node-a"))
            && nodes.iter().any(|(n, _)| n.starts_with("node-b")),
        "both nodes took part: {nodes:?}"
    );
    // Both nodes schedule the same periodic slots; each slot is one job, run once.
    let (slots, distinct): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM jobs WHERE kind = 'ledger.checkpoint'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert!(slots >= 2, "checkpoint slots were scheduled: {slots}");
    assert_eq!(slots, distinct, "one job per checkpoint slot");
    c.close().await.unwrap();
    db.cleanup().await;
}
