//! Message gateways for tests: a real SMTP server (`aiosmtpd`, installed by `scripts/setup` into
//! `/var/tmp/yiwang-smtp`, or the Python named by `YIWANG_SMTP_PYTHON`) that stores every mail in
//! a maildir, and a stub HTTP SMS/voice gateway that records what it is sent and can be told to
//! fail. Like the S3 server, SMTP is mandatory when `YIWANG_TEST_PG` is set (CI).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use crate::TempDir;

/// A running `aiosmtpd`, stopped on drop; every mail it accepts is a file in its maildir.
pub struct SmtpServer {
    pub port: u16,
    child: Child,
    maildir: TempDir,
}

fn smtp_python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("YIWANG_SMTP_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from("/var/tmp/yiwang-smtp/bin/python");
    venv.exists().then_some(venv)
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl SmtpServer {
    /// Start a server, or `None` (with a message) when none is installed and it is optional.
    pub async fn start() -> Option<SmtpServer> {
        let mandatory = std::env::var("YIWANG_TEST_PG").is_ok_and(|v| !v.is_empty());
        let Some(python) = smtp_python() else {
            if mandatory {
                panic!(
                    "YIWANG_TEST_PG is set but aiosmtpd is missing: run scripts/setup (or set YIWANG_SMTP_PYTHON)"
                );
            }
            eprintln!("SKIPPED SMTP test: aiosmtpd not installed (scripts/setup installs it)");
            return None;
        };
        for _ in 0..5 {
            if let Some(s) = Self::start_on(&python, free_port()).await {
                return Some(s);
            }
        }
        panic!("aiosmtpd did not start")
    }

    /// Start on `port` (to bring a server back on the port a gateway was configured with).
    pub async fn start_on(python: &std::path::Path, port: u16) -> Option<SmtpServer> {
        let maildir = TempDir::new();
        let mut child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // Python's Maildir creates its folders only when the top one does not exist yet.
            .arg(maildir.0.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return None; // the port was taken
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(SmtpServer {
                    port,
                    child,
                    maildir,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// The Python that runs the server (to start another on a chosen port).
    pub fn python() -> Option<PathBuf> {
        smtp_python()
    }

    /// Every mail received so far, as raw RFC 5322 text.
    pub fn mails(&self) -> Vec<String> {
        let dir = self.maildir.0.join("mail").join("new");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// Stop the server now (the port is closed until another starts on it).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the stub gateway has been sent, and how it answers.
#[derive(Default)]
struct StubState {
    received: Vec<serde_json::Value>,
    /// Answer this many requests with 503 before accepting.
    fail_next: usize,
    /// Answer every request with this status instead (a refusal).
    refuse_with: Option<u16>,
}

/// A stub HTTP SMS/voice gateway on a random loopback port: `POST /send` accepts the platform's
/// JSON; a repeated `message_id` is accepted again but recorded once, as a real gateway would.
#[derive(Clone)]
pub struct StubGateway {
    pub url: String,
    state: Arc<Mutex<StubState>>,
    requests: Arc<Mutex<usize>>,
}

impl StubGateway {
    pub async fn start() -> StubGateway {
        let state = Arc::new(Mutex::new(StubState::default()));
        let requests = Arc::new(Mutex::new(0usize));
        let app = Router::new()
            .route("/send", post(receive))
            .with_state((state.clone(), requests.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StubGateway {
            url: format!("http://{addr}/send"),
            state,
            requests,
        }
    }

    /// Answer the next `n` requests with 503 (an outage).
    pub fn fail_next(&self, n: usize) {
        self.state.lock().expect("stub").fail_next = n;
    }

    /// Refuse every request with `status` (e.g. 400: a bad number).
    pub fn refuse_with(&self, status: Option<u16>) {
        self.state.lock().expect("stub").refuse_with = status;
    }

    /// The messages accepted, one per `message_id`.
    pub fn received(&self) -> Vec<serde_json::Value> {
        self.state.lock().expect("stub").received.clone()
    }

    /// How many requests arrived, accepted or not.
    pub fn requests(&self) -> usize {
        *self.requests.lock().expect("stub")
    }
}

type Shared = (Arc<Mutex<StubState>>, Arc<Mutex<usize>>);

async fn receive(
    State((state, requests)): State<Shared>,
    Json(body): Json<serde_json::Value>,
) -> StatusCode {
    *requests.lock().expect("stub") += 1;
    let mut s = state.lock().expect("stub");
    if let Some(code) = s.refuse_with {
        return StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    }
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let id = body.get("message_id").cloned();
    if !s
        .received
        .iter()
        .any(|m| m.get("message_id") == id.as_ref())
    {
        s.received.push(body);
    }
    StatusCode::OK
}
