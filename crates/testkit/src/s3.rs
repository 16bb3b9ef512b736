//! A real S3-compatible server for blob-store tests: `moto_server` (installed by `scripts/setup`
//! into `/var/tmp/yiwang-moto`, or named by `YIWANG_MOTO_SERVER`) on a random loopback port.
//! Mandatory, like PostgreSQL, when `YIWANG_TEST_PG` is set (CI); otherwise a missing server
//! skips the S3 half with a message.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use yiwang_app::blobs::Blobs;

/// Credentials the test server accepts.
pub const KEY: &str = "testing";

/// A running `moto_server`, stopped on drop.
pub struct S3Server {
    pub endpoint: String,
    child: Child,
}

fn moto_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("YIWANG_MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from("/var/tmp/yiwang-moto/bin/moto_server");
    if venv.exists() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("moto_server"))
            .find(|p| p.exists())
    })
}

impl S3Server {
    /// Start a server, or `None` (with a message) when none is installed and S3 is optional.
    pub async fn start() -> Option<S3Server> {
        yiwang_app::blobs::install_tls_provider();
        let mandatory = std::env::var("YIWANG_TEST_PG").is_ok_and(|v| !v.is_empty());
        let Some(exe) = moto_path() else {
            if mandatory {
                panic!(
                    "YIWANG_TEST_PG is set but moto_server is missing: run scripts/setup (or set YIWANG_MOTO_SERVER)"
                );
            }
            eprintln!("SKIPPED S3 half: moto_server not installed (scripts/setup installs it)");
            return None;
        };
        for _ in 0..5 {
            let port = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
                l.local_addr().expect("addr").port()
            };
            let mut child = Command::new(&exe)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
            let endpoint = format!("http://127.0.0.1:{port}");
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port was taken: try another
                }
                if client
                    .get(format!("{endpoint}/moto-api/"))
                    .send()
                    .await
                    .is_ok()
                {
                    return Some(S3Server { endpoint, child });
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto_server at {} did not start", exe.display());
    }

    /// Create a bucket (an unsigned PUT, as moto allows).
    pub async fn bucket(&self, name: &str) {
        let r = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(
            r.status().is_success(),
            "create bucket {name}: {}",
            r.status()
        );
    }

    /// A blob store on a bucket of this server (the bucket must exist).
    pub fn blobs(&self, bucket: &str, prefix: &str) -> Arc<Blobs> {
        Arc::new(Blobs::s3(self.builder(), bucket, prefix).expect("S3 blob store"))
    }

    /// Environment for a `yiwang` process using `--blobs s3://bucket/prefix` on this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", KEY.into()),
        ]
    }

    fn builder(&self) -> object_store::aws::AmazonS3Builder {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id(KEY)
            .with_secret_access_key(KEY)
            .with_virtual_hosted_style_request(false)
    }

    /// Raw access to a bucket (tests tamper with objects behind the platform's back).
    pub fn raw(&self, bucket: &str) -> Arc<dyn object_store::ObjectStore> {
        Arc::new(
            self.builder()
                .with_bucket_name(bucket)
                .build()
                .expect("raw S3 client"),
        )
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
