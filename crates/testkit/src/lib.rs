//! Test support shared by every crate's integration tests.
//!
//! [`backends`] yields a fresh, empty database for each backend: a SQLite file in a temporary
//! directory, and a new PostgreSQL database created for the test. PostgreSQL is mandatory when
//! `YIWANG_TEST_PG` names a server (CI sets it); without it the default local server is tried and,
//! if unreachable, the PostgreSQL half is skipped with a message.
//!
//! [`TestServer`] starts the real router on `127.0.0.1:0` against such a database, like `main`.

pub mod gateways;
pub mod hostile;
pub mod ocds;
pub mod s3;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection;
use yiwang_app::App;
use yiwang_store::Store;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh database; dropped (PostgreSQL) or deleted (SQLite) by [`TestDb::cleanup`] or when it
/// goes out of scope, even after a panic.
pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<TempDir>,
    /// The blob store directory of this database (removed with it).
    pub blobs: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("yiwang-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        yiwang_app::blobs::install_tls_provider();
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("test.db").display());
        TestDb {
            backend: "sqlite",
            url,
            admin_url: None,
            name: None,
            _dir: Some(dir),
            blobs: TempDir::new(),
        }
    }

    /// A new PostgreSQL database, or `None` when PostgreSQL is optional and unreachable.
    pub async fn postgres() -> Option<TestDb> {
        yiwang_app::blobs::install_tls_provider();
        let (admin_url, mandatory) = match std::env::var("YIWANG_TEST_PG") {
            Ok(url) if !url.is_empty() => (url, true),
            _ => (DEFAULT_PG.to_string(), false),
        };
        let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) if !mandatory => {
                eprintln!(
                    "SKIPPED PostgreSQL half: no server at {DEFAULT_PG} ({e}); set YIWANG_TEST_PG to make it mandatory"
                );
                return None;
            }
            Err(e) => panic!("YIWANG_TEST_PG is set but PostgreSQL is unreachable: {e}"),
        };
        sweep_old(&mut conn).await;
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let name = format!("yiwang_t_{secs}_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        Some(TestDb {
            backend: "postgres",
            url: format!("{base}/{name}"),
            admin_url: Some(admin_url.clone()),
            name: Some(name),
            _dir: None,
            blobs: TempDir::new(),
        })
    }

    /// Open the store and apply migrations.
    pub async fn store(&self) -> Arc<dyn Store> {
        let store = yiwang_store::open(&self.url).await.expect("open store");
        store.migrate().await.expect("migrate");
        store
    }

    /// Open, migrate and start the application (seeds regions, calendar, key) with this
    /// database's blob directory.
    pub async fn app(&self) -> Arc<App> {
        self.app_with_blobs(self.blob_store()).await
    }

    /// This database's blob directory as a blob store.
    pub fn blob_store(&self) -> Arc<yiwang_app::blobs::Blobs> {
        Arc::new(yiwang_app::blobs::Blobs::dir(&self.blobs.0).expect("blob directory"))
    }

    /// Start the application with another blob store (e.g. a bucket).
    pub async fn app_with_blobs(&self, blobs: Arc<yiwang_app::blobs::Blobs>) -> Arc<App> {
        self.app_with(yiwang_app::AppOptions {
            blobs: Some(blobs),
            ..Default::default()
        })
        .await
    }

    /// Start the application with these options (diagnostics on; this database's blob
    /// directory unless `opts` names a blob store).
    pub async fn app_with(&self, mut opts: yiwang_app::AppOptions) -> Arc<App> {
        opts.diagnostics = true;
        if opts.blobs.is_none() {
            opts.blobs = Some(self.blob_store());
        }
        App::start_with(self.store().await, opts)
            .await
            .expect("start app")
    }

    /// A fresh database of the same backend holding a copy of `source`: its data and its blob
    /// directories (the [`TestDb::blobs`] one and, for SQLite, the default `FILE.blobs` beside the
    /// file, whose files are also put in the copy's [`TestDb::blobs`]). SQLite copies the file (the source must be closed); PostgreSQL creates the database
    /// from `source` as its template (no session may be connected to `source`). Lets tests that
    /// need the same prepared data (e.g. the demo) build it once and take copies.
    pub async fn copy_of(source: &TestDb) -> TestDb {
        let copy = if source.backend == "sqlite" {
            let copy = TestDb::sqlite().await;
            let from = source.sqlite_path().expect("a SQLite source");
            let to = copy.sqlite_path().expect("a SQLite copy");
            std::fs::copy(&from, &to).expect("copy the database file");
            for suffix in ["-wal", "-shm"] {
                let side = std::path::PathBuf::from(format!("{}{suffix}", from.display()));
                if side.exists() {
                    std::fs::copy(&side, format!("{}{suffix}", to.display()))
                        .expect("copy a database side file");
                }
            }
            // The default directory beside the file, and the same files in [`TestDb::blobs`] too,
            // where [`TestDb::app`] reads them.
            let beside = format!("{}.blobs", from.display());
            copy_dir(
                std::path::Path::new(&beside),
                std::path::Path::new(&format!("{}.blobs", to.display())),
            );
            copy_dir(std::path::Path::new(&beside), &copy.blobs.0);
            copy
        } else {
            let admin = source.admin_url.clone().expect("a PostgreSQL source");
            let template = source.name.clone().expect("a PostgreSQL source");
            let name = format!(
                "yiwang_t_{}_{}",
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
                uuid::Uuid::new_v4().simple()
            );
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE {template}"
            )))
            .execute(&mut conn)
            .await
            .expect("create a database from the template");
            let _ = conn.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            TestDb {
                backend: "postgres",
                url: format!("{base}/{name}"),
                admin_url: Some(admin.clone()),
                name: Some(name),
                _dir: None,
                blobs: TempDir::new(),
            }
        };
        copy_dir(&source.blobs.0, &copy.blobs.0);
        copy
    }

    /// The file of a SQLite database.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.url
            .strip_prefix("sqlite://")
            .map(|p| std::path::PathBuf::from(p.split('?').next().unwrap_or(p)))
    }

    /// Drop the database now (also done on drop, so a test that panics leaves nothing behind).
    pub async fn cleanup(mut self) {
        if let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) {
            drop_database(&admin, &name).await;
        }
    }
}

/// Copies a directory tree (nothing when `from` does not exist).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in entries {
        let entry = entry.expect("read a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

async fn drop_database(admin: &str, name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

impl Drop for TestDb {
    /// A PostgreSQL database not cleaned up (the test panicked, or forgot) is dropped here, on a
    /// thread of its own: drop cannot await, and may run inside the test's runtime.
    fn drop(&mut self) {
        if let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) {
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

/// Drop test databases left by crashed runs more than an hour ago.
async fn sweep_old(conn: &mut sqlx::PgConnection) {
    let Ok(rows) = sqlx::query_as::<_, (String,)>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'yiwang\\_t\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for (name,) in rows {
        let secs: u64 = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        if secs.saturating_add(3600) < now {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// One fresh database per available backend (SQLite always; PostgreSQL when reachable).
pub async fn backends() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite().await];
    if let Some(pg) = TestDb::postgres().await {
        out.push(pg);
    }
    out
}

#[doc(hidden)]
pub use pastey;

/// Generate `NAME_sqlite` and `NAME_postgres` tests from `async fn NAME(db: TestDb)`, so that
/// one backend's failure does not hide the other's. The PostgreSQL test passes without running
/// when no server is reachable and `YIWANG_TEST_PG` is unset (it says so on stderr); with
/// `YIWANG_TEST_PG` set, an unreachable server fails it. A second argument is passed to
/// `#[tokio::test(...)]`, e.g. `backend_test!(name, flavor = "multi_thread", worker_threads = 4)`.
#[macro_export]
macro_rules! backend_test {
    ($name:ident $(, $($flavor:tt)+)?) => {
        $crate::pastey::paste! {
            #[tokio::test$(($($flavor)+))?]
            async fn [<$name _sqlite>]() {
                $name($crate::TestDb::sqlite().await).await
            }

            #[tokio::test$(($($flavor)+))?]
            async fn [<$name _postgres>]() {
                if let Some(db) = $crate::TestDb::postgres().await {
                    $name(db).await
                }
            }
        }
    };
}

/// The real server on a random local port.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub app: Arc<App>,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(db: &TestDb) -> TestServer {
        Self::start_app(db.app().await).await
    }

    /// The real router over an application already started (e.g. on a bucket).
    pub async fn start_app(app: Arc<App>) -> TestServer {
        yiwang_app::blobs::install_tls_provider();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = yiwang_web::AppState {
            app: app.clone(),
            secure_cookies: false,
        };
        let task = tokio::spawn(async move {
            let _ = yiwang_web::serve(state, listener, async {
                let _ = rx.await;
            })
            .await;
        });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestServer {
            addr,
            app,
            client,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A fresh client without cookies.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// An API token for a user (password grant).
    pub async fn token(&self, username: &str, password: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/tokens"))
            .json(&serde_json::json!({"username": username, "password": password, "name": "test"}))
            .send()
            .await
            .expect("token request");
        assert_eq!(r.status(), 201, "token for {username}");
        let v: serde_json::Value = r.json().await.expect("token json");
        v["token"].as_str().expect("token").to_string()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.app.store.close().await;
    }
}

/// A complete, valid service item for tests: the given code, name and aliases; a legal limit of 20
/// working days (10 promised), an application form and an identity card as materials, no fee.
pub fn sample_item(code: &str, name: &str, aliases: &[&str]) -> yiwang_core::catalog::ItemBody {
    use yiwang_core::catalog::*;
    let code = ItemCode::parse(code).expect("a valid item code");
    ItemBody {
        item_type: code.item_type(),
        code,
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        level: Level::City,
        legal_basis: vec![Basis {
            title: "《中华人民共和国行政许可法》".into(),
            article: "第十二条".into(),
        }],
        legal_limit_days: 20,
        promised_limit_days: 10,
        special_procedures: vec![],
        materials: vec![
            Material {
                name: format!("{name}申请书"),
                form: MaterialForm::Original,
                count: 1,
                required: true,
                verified_online: false,
                blank_form: None,
                sample: None,
            },
            Material {
                name: "居民身份证".into(),
                form: MaterialForm::ELicence,
                count: 1,
                required: true,
                verified_online: true,
                blank_form: None,
                sample: None,
            },
        ],
        fees: vec![],
        online: true,
        fully_online: false,
        at_most_once: true,
        handling_kind: HandlingKind::Promised,
        tongban: vec![],
        steps: vec![
            Step {
                name: "受理".into(),
                role: "window_officer".into(),
                limit_days: 1,
            },
            Step {
                name: "审查".into(),
                role: "approving_officer".into(),
                limit_days: 5,
            },
        ],
        result_type: ResultType::Licence,
        result_name: format!("{name}结果"),
        delivery_modes: vec![DeliveryMode::Window],
        conditions: "符合法定条件的申请人".into(),
        description: String::new(),
        consult_phone: "0527-84000000".into(),
        complaint_phone: "12345".into(),
        form_fields: vec![FormField {
            key: "applicant_name".into(),
            label: "申请人姓名".into(),
            kind: "text".into(),
            required: true,
        }],
    }
}
