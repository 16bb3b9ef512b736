//! `yiwang` — the one binary: serve the platform, build the demo, migrate, verify the audit
//! ledger, back up.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tokio::sync::watch;
use yiwang_app::App;
use yiwang_app::jobs::{Runner, RunnerConfig};
use yiwang_store::Store;

mod archive;
mod bid;
mod ocds;
mod witness;

const DEFAULT_DB: &str = "sqlite://yiwang.db";
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[derive(Parser)]
#[command(
    name = "yiwang",
    version,
    about = "一网 yiwang — government services and public-resource trading on one network"
)]
struct Cli {
    /// Where file contents are kept: a directory (default: beside the SQLite file,
    /// `yiwang.db.blobs`; `yiwang.blobs` for PostgreSQL) or `s3://bucket/prefix` with the usual
    /// AWS_* settings (AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
    /// AWS_ALLOW_HTTP). Every node of a deployment must use the same store.
    #[arg(long, global = true, env = "YIWANG_BLOBS")]
    blobs: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform (HTTP pages, API, background jobs). Migrations are applied at start.
    Serve {
        /// Database URL: sqlite://FILE (created when missing) or postgres://USER@HOST/DB.
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        /// Address to listen on.
        #[arg(long, env = "YIWANG_ADDR", default_value = DEFAULT_ADDR)]
        addr: SocketAddr,
        /// Directory of this node's search index (kept in memory when not given).
        #[arg(long, env = "YIWANG_INDEX_DIR")]
        index_dir: Option<PathBuf>,
    },
    /// Build a FRESH database full of demo data (replacing what is there), print the URL and one
    /// account per role, then serve.
    Demo {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        #[arg(long, env = "YIWANG_ADDR", default_value = DEFAULT_ADDR)]
        addr: SocketAddr,
        /// Build the data and exit instead of serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply the database migrations and exit.
    Migrate {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// The service catalogue: import and export in the documented layout (docs/catalog-csv.md).
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The catalogue's search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Open a new deployment: a root organisation for a region and its first administrator.
    /// The password is read from YIWANG_BOOTSTRAP_PASSWORD or, when unset, from standard input.
    Bootstrap {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        /// GB/T 2260 code of the region, e.g. 320000.
        #[arg(long)]
        region: String,
        /// Name of the root organisation, e.g. 江苏省人民政府.
        #[arg(long)]
        org_name: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
    },
    /// The tamper-evident audit ledger.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 随机抽取: verify expert draws from public data.
    Draw {
        #[command(subcommand)]
        command: DrawCommand,
    },
    /// Witness the platform's ledger from outside: fetch each new signed checkpoint, check it
    /// against the platform's published key and a consistency proof from the last one seen,
    /// cosign it with this witness's own key and keep it. A checkpoint that does not extend what
    /// was witnessed is an alarm (printed, logged and kept in DIR/alarms.jsonl).
    Witness {
        /// The platform's base URL, e.g. http://platform.example:8080
        #[arg(long)]
        platform: String,
        /// The platform's published SM2 public key (hex).
        #[arg(long)]
        public_key: String,
        /// The witness's directory: its key (witness.key), history (witnessed.jsonl), alarms.
        #[arg(long)]
        dir: PathBuf,
        /// Seconds between rounds.
        #[arg(long, default_value_t = 10)]
        every: u64,
        /// One round, then exit (1 on an alarm).
        #[arg(long)]
        once: bool,
        /// Serve the witnessed history at http://ADDR/witnessed.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Sealed bids, offline: seal a bid file for a section (HPKE), check that a sealed file opens
    /// with its key, and the custodian key ceremony (k-of-n shares).
    Bid {
        #[command(subcommand)]
        command: bid::BidCommand,
    },
    /// 一项目一档案: check a section archive offline.
    Archive {
        #[command(subcommand)]
        command: archive::ArchiveCommand,
    },
    /// 开放合同数据: bulk export of the OCDS 1.1 release packages and records.
    Ocds {
        #[command(subcommand)]
        command: ocds::OcdsCommand,
    },
    /// The platform's checkpoint-signing key, kept outside the database.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Copy a SQLite database online to a new file, then every file content it refers to into
    /// the directory FILE.blobs beside it (each copy re-hashed), so that the copy verifies and
    /// restores on its own. PostgreSQL: use pg_dump, then copy the bucket (see README).
    Backup {
        #[arg(long, env = "YIWANG_DB")]
        db: String,
        /// The backup file to create (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import items (CSV or XLSX) and optionally bundles; all or nothing, every bad row reported.
    Import {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        /// The items file (.csv or .xlsx; an XLSX `bundles` sheet is read too).
        file: PathBuf,
        /// A bundles (一件事) CSV file.
        #[arg(long)]
        bundles: Option<PathBuf>,
    },
    /// Export every item's newest version and every bundle (.csv: items only; .xlsx: both).
    Export {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        /// The file to write (.csv or .xlsx).
        file: PathBuf,
        /// Also write the bundles as CSV here (for .csv exports).
        #[arg(long)]
        bundles: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild a search index directory from the database (stop the node that uses it first,
    /// or call POST /api/v1/catalog/search/reindex on it instead).
    Reindex {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        #[arg(long, env = "YIWANG_INDEX_DIR")]
        index_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a new SM2 signing key in FILE (mode 0600; never overwrites) and print its public
    /// key, to publish, and its id. Give every node the file: YIWANG_SIGNING_KEY_FILE=FILE.
    Init {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain, every signed checkpoint and the digest of every covered row.
    /// Exits 0 when intact; otherwise prints the first bad entry and exits 1.
    Verify {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
        /// A witness's history (its witnessed.jsonl, or http://ADDR/witnessed of a `yiwang
        /// witness --listen`): every checkpoint it cosigned must still match the database.
        #[arg(long)]
        witness: Option<String>,
        /// The witness's public key to trust (hex); otherwise each record's own key.
        #[arg(long, requires = "witness")]
        witness_key: Option<String>,
        /// The platform's published public key (hex) that checkpoints must be signed with;
        /// otherwise the key the database names (which an edit of the database could swap).
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign a checkpoint over all entries now (the server also does this on a timer).
    Checkpoint {
        #[arg(long, env = "YIWANG_DB", default_value = DEFAULT_DB)]
        db: String,
    },
    /// Check a saved checkpoint, inclusion proof or consistency proof (the JSON of
    /// /api/v1/ledger/checkpoints/latest, …/entries/{seq}/proof or /api/v1/ledger/consistency)
    /// against the platform's published public key, with no database. Exits 0 when it holds, 1
    /// when it does not.
    VerifyProof {
        /// The saved JSON document (`-` for standard input).
        file: PathBuf,
        /// The platform's published SM2 public key (hex).
        #[arg(long)]
        public_key: String,
    },
}

#[derive(Subcommand)]
enum DrawCommand {
    /// Recompute a revealed expert draw from its public record (the JSON of
    /// /api/v1/draws/{id}/record), with no database: the commitment made before the request,
    /// the pool digest, the late entropy, the order of the ledger entries and the selection by
    /// `yiwang-draw-v1`. Exits 0 when it holds, 1 when it does not.
    Verify {
        /// The saved JSON document (`-` for standard input).
        file: PathBuf,
    },
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("YIWANG_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

fn main() -> ExitCode {
    // The spreadsheet-reader child: no logging, no runtime, just the bounded read.
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == yiwang_app::sheet::CHILD_VERB {
        return ExitCode::from(yiwang_app::sheet::child_main(&args[2]) as u8);
    }
    // Every HTTP client of this process (the S3 blob store, the witness) needs the TLS provider.
    yiwang_app::blobs::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async_main())
}

async fn async_main() -> ExitCode {
    init_logging();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn open(db: &str) -> Result<Arc<dyn Store>> {
    let store = yiwang_store::open(db)
        .await
        .with_context(|| format!("cannot open database {}", yiwang_store::redact_url(db)))?;
    Ok(store)
}

/// The blob store for a database: `--blobs`/`YIWANG_BLOBS`, or the default beside it.
fn open_blobs(db: &str, blobs: Option<&str>) -> Result<Arc<yiwang_app::blobs::Blobs>> {
    let spec = blobs
        .map(str::to_string)
        .unwrap_or_else(|| yiwang_app::blobs::default_location(db));
    let blobs = yiwang_app::blobs::Blobs::open(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Arc::new(blobs))
}

/// Start the application for a command that never signs checkpoints.
async fn start(db: &str, blobs: Option<&str>) -> Result<Arc<App>> {
    start_with(
        db,
        blobs,
        yiwang_app::AppOptions {
            signing_key: signing_key(false, false)?,
            ..Default::default()
        },
    )
    .await
}

/// Where this command's checkpoint-signing key comes from: outside the database when configured
/// (`YIWANG_SIGNING_KEY_FILE` or `YIWANG_SIGNING_KEY`); a command that signs otherwise needs to be
/// a demo (`yiwang demo`, or `YIWANG_DEMO_KEY=1`) to keep a key in the database.
fn signing_key(signs: bool, demo: bool) -> Result<yiwang_app::platform_key::SigningKey> {
    use yiwang_app::platform_key::{SigningKey, external_key};
    if let Some(k) = external_key().map_err(|e| anyhow::anyhow!("{e}"))? {
        return Ok(SigningKey::External(k));
    }
    if !signs {
        return Ok(SigningKey::Unused);
    }
    if demo || std::env::var("YIWANG_DEMO_KEY").as_deref() == Ok("1") {
        return Ok(SigningKey::Database);
    }
    anyhow::bail!(
        "no signing key: create one with `yiwang keys init --out FILE` and set \
         YIWANG_SIGNING_KEY_FILE=FILE on every node (a key kept in the database could sign a \
         rewritten history); for a demo, set YIWANG_DEMO_KEY=1"
    )
}

/// The options of a serving node: uploaded spreadsheets are read in a child process of this
/// executable (`YIWANG_SHEET_MEMORY_MB`, default 1024, bounds its memory), so that a reader
/// failure can never end the node.
fn server_options(
    index_dir: Option<PathBuf>,
    signing_key: yiwang_app::platform_key::SigningKey,
) -> Result<yiwang_app::AppOptions> {
    let days = |name: &str| -> Result<Option<u32>> {
        match std::env::var(name) {
            Ok(v) => v
                .trim()
                .parse()
                .map(Some)
                .with_context(|| format!("{name} must be a whole number of days")),
            Err(_) => Ok(None),
        }
    };
    let tokens = yiwang_app::identity::TokenPolicy::new(
        days("YIWANG_TOKEN_DAYS")?,
        days("YIWANG_TOKEN_MAX_DAYS")?,
    )
    .map_err(|e| anyhow::anyhow!("YIWANG_TOKEN_DAYS / YIWANG_TOKEN_MAX_DAYS: {e}"))?;
    Ok(yiwang_app::AppOptions {
        index_dir,
        sheet_child: std::env::current_exe().ok(),
        sheet_child_memory_mb: std::env::var("YIWANG_SHEET_MEMORY_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        tokens,
        signing_key,
        blobs: None,
        // The probe job, for checking the job runner of a deployment end to end.
        diagnostics: std::env::var("YIWANG_DIAGNOSTICS").is_ok_and(|v| v == "1"),
        gateways: yiwang_app::notify::Gateways::from_env().map_err(|e| anyhow::anyhow!("{e}"))?,
        ocds: ocds_options()?,
    })
}

/// OCDS publication settings: `YIWANG_OCDS_PREFIX` (the registered ocid prefix, `ocds-` and six
/// lower-case letters or digits; default `ocds-yiwang`), `YIWANG_PUBLIC_URL` (the address the
/// published URIs start with) and `YIWANG_OCDS_PUBLISHER`. A value that is set must be valid, or
/// the command does not start.
fn ocds_options() -> Result<yiwang_app::trading::ocds::OcdsOptions> {
    let var = |name: &str| std::env::var(name).ok();
    yiwang_app::trading::ocds::OcdsOptions::from_settings(
        var("YIWANG_OCDS_PREFIX").as_deref(),
        var("YIWANG_PUBLIC_URL").as_deref(),
        var("YIWANG_OCDS_PUBLISHER").as_deref(),
    )
    .map_err(|e| anyhow::anyhow!("YIWANG_OCDS_PREFIX / YIWANG_PUBLIC_URL: {}", e.message_en))
}

async fn start_with(
    db: &str,
    blobs: Option<&str>,
    mut opts: yiwang_app::AppOptions,
) -> Result<Arc<App>> {
    let store = open(db).await?;
    store.migrate().await.context("migrations failed")?;
    let blobs = open_blobs(db, blobs)?;
    tracing::info!(blobs = %blobs.describe(), "blob store");
    opts.blobs = Some(blobs);
    App::start_with(store, opts)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn progress_bar(label: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(label);
    bar
}

fn print_problem(p: &yiwang_core::Problem) {
    eprintln!("{}: {}", p.code, p.message);
    eprintln!("  {}", p.message_en);
    if let Some(errors) = p
        .details
        .as_ref()
        .and_then(|d| d.get("errors"))
        .and_then(|e| e.as_array())
    {
        for e in errors {
            eprintln!(
                "  - {}",
                e.get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default()
            );
        }
    }
}

async fn catalog(command: CatalogCommand, blobs: Option<&str>) -> Result<ExitCode> {
    use yiwang_app::catalog::import::{self, Format, ImportOptions};
    match command {
        CatalogCommand::Import { db, file, bundles } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let format = Format::detect(&file.to_string_lossy(), &bytes);
            let (items, mut bundle_grid) = match import::read_grid(format, &bytes) {
                Ok(g) => g,
                Err(p) => {
                    print_problem(&p);
                    return Ok(ExitCode::from(1));
                }
            };
            if let Some(b) = bundles {
                let bytes =
                    std::fs::read(&b).with_context(|| format!("cannot read {}", b.display()))?;
                match import::read_grid(Format::Csv, &bytes) {
                    Ok((g, _)) => bundle_grid = Some(g),
                    Err(p) => {
                        print_problem(&p);
                        return Ok(ExitCode::from(1));
                    }
                }
            }
            let app = start(&db, blobs).await?;
            let bar = progress_bar("导入 importing");
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let result = import::import(
                &app,
                None,
                &items,
                bundle_grid.as_ref(),
                ImportOptions {
                    progress: Some(&progress),
                    ..Default::default()
                },
            )
            .await;
            bar.finish_and_clear();
            app.store.close().await;
            match result {
                Ok(r) => {
                    println!(
                        "imported {} rows: {} new items, {} new versions, {} published, {} bundles",
                        r.rows, r.items_created, r.versions_created, r.published, r.bundles
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(yiwang_app::AppError::Problem(p)) => {
                    print_problem(&p);
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        CatalogCommand::Export { db, file, bundles } => {
            let store = open(&db).await?;
            store.migrate().await.context("migrations failed")?;
            let bar = progress_bar("导出 exporting");
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let (items, bundle_grid) = import::export(&store, "", Some(&progress))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            store.close().await;
            let format = Format::detect(&file.to_string_lossy(), &[]);
            std::fs::write(&file, import::write_grid(format, &items, &bundle_grid))
                .with_context(|| format!("cannot write {}", file.display()))?;
            if let Some(b) = bundles {
                std::fs::write(&b, yiwang_core::catalog::table::grid_to_csv(&bundle_grid))
                    .with_context(|| format!("cannot write {}", b.display()))?;
            }
            println!(
                "exported {} items and {} bundles to {}",
                items.len() - 1,
                bundle_grid.len() - 1,
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let blobs = cli.blobs.as_deref();
    match cli.command {
        Command::Bid { command } => return bid::run(command),
        Command::Archive { command } => return archive::run(command),
        Command::Ocds { command } => ocds::run(command, blobs).await?,
        Command::Serve {
            db,
            addr,
            index_dir,
        } => {
            let app = start_with(
                &db,
                blobs,
                server_options(index_dir, signing_key(true, false)?)?,
            )
            .await?;
            println!(
                "checkpoint signing key {} (public key {})",
                app.platform_key_id(),
                app.platform_key().public_key_hex()
            );
            serve(app, addr).await?;
        }
        Command::Catalog { command } => return catalog(command, blobs).await,
        Command::Search {
            command: SearchCommand::Reindex { db, index_dir },
        } => {
            let app = start_with(
                &db,
                blobs,
                yiwang_app::AppOptions {
                    index_dir: Some(index_dir),
                    ..Default::default()
                },
            )
            .await?;
            let n = app
                .search()
                .rebuild(&app.store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            app.store.close().await;
            println!("search index rebuilt: {n} documents");
        }
        Command::Demo { db, addr, no_serve } => {
            let app = demo(&db, blobs).await?;
            if no_serve {
                app.store.close().await;
            } else {
                println!("一网 demo: http://{addr}/");
                serve(app, addr).await?;
            }
        }
        Command::Migrate { db } => {
            let store = open(&db).await?;
            store.migrate().await.context("migrations failed")?;
            let blobs = open_blobs(&db, blobs)?;
            let moved = yiwang_app::blobs::move_legacy_contents(&store, &blobs)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            if moved > 0 {
                println!(
                    "{moved} file contents moved into the blob store {}",
                    blobs.describe()
                );
            }
            println!("migrations applied to {}", yiwang_store::redact_url(&db));
        }
        Command::Bootstrap {
            db,
            region,
            org_name,
            username,
            display_name,
        } => {
            let password = match std::env::var("YIWANG_BOOTSTRAP_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let app = start(&db, blobs).await?;
            let result = yiwang_app::identity::bootstrap(
                &app.store,
                yiwang_app::identity::Bootstrap {
                    region_code: region,
                    org_name,
                    username,
                    display_name,
                    password,
                },
            )
            .await;
            app.store.close().await;
            match result {
                Ok((org, user)) => {
                    println!(
                        "administrator {} created in {} ({})",
                        user.username, org.name, org.id
                    )
                }
                Err(yiwang_app::AppError::Problem(p)) => {
                    eprintln!("{}: {} ({})", p.code, p.message, p.message_en);
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(anyhow::anyhow!("{e}")),
            }
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    db,
                    witness,
                    witness_key,
                    public_key,
                },
        } => {
            let history = match &witness {
                Some(src) => Some(witness::fetch_history(src).await?),
                None => None,
            };
            let store = open(&db).await?;
            let blobs = open_blobs(&db, blobs)?;
            let code = verify(
                &store,
                &blobs,
                history.as_deref(),
                witness_key.as_deref(),
                public_key.as_deref(),
            )
            .await;
            store.close().await;
            return code;
        }
        Command::Keys {
            command: KeysCommand::Init { out },
        } => {
            let key = yiwang_app::platform_key::init_key_file(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let public = key.public_key_hex();
            println!("signing key written to {}", out.display());
            println!("public key (publish it): {public}");
            println!("key id: {}", yiwang_app::platform_key::key_id(&public));
        }
        Command::Witness {
            platform,
            public_key,
            dir,
            every,
            once,
            listen,
        } => {
            return witness::run(witness::Options {
                platform,
                public_key: public_key.trim().to_string(),
                dir,
                every: std::time::Duration::from_secs(every.max(1)),
                once,
                listen,
            })
            .await;
        }
        Command::Draw {
            command: DrawCommand::Verify { file },
        } => {
            let doc = if file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .context("reading standard input")?;
                s
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            let record: yiwang_app::experts::draws::PublicRecord = match serde_json::from_str(&doc)
            {
                Ok(r) => r,
                Err(e) => {
                    println!("FAILED: not a draw record: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            return Ok(match yiwang_app::experts::draws::verify_record(&record) {
                Ok(()) => {
                    let members: usize = record
                        .record
                        .result
                        .lines
                        .iter()
                        .map(|l| l.members.len())
                        .sum();
                    println!(
                        "OK: draw {} recomputed ({members} members, seed {})",
                        record.draw_id, record.record.result.seed
                    );
                    ExitCode::SUCCESS
                }
                Err(p) => {
                    println!("FAILED: {} {} / {}", p.code, p.message, p.message_en);
                    ExitCode::from(1)
                }
            });
        }
        Command::Audit {
            command: AuditCommand::VerifyProof { file, public_key },
        } => {
            let doc = if file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .context("reading standard input")?;
                s
            } else {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?
            };
            return Ok(
                match yiwang_app::proof_check::check(&doc, public_key.trim()) {
                    Ok(v) => {
                        println!("OK: {v}");
                        ExitCode::SUCCESS
                    }
                    Err(why) => {
                        println!("FAILED: {why}");
                        ExitCode::from(1)
                    }
                },
            );
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { db },
        } => {
            let app = start_with(
                &db,
                blobs,
                yiwang_app::AppOptions {
                    signing_key: signing_key(true, false)?,
                    ..Default::default()
                },
            )
            .await?;
            match yiwang_app::audit::checkpoint(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Some(c) => println!(
                    "checkpoint signed: {} entries, root {}",
                    c.tree_size, c.root
                ),
                None => println!("the newest checkpoint already covers every entry"),
            }
            app.store.close().await;
        }
        Command::Backup { db, out } => return backup(&db, blobs, &out).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// Database first, then blobs: a blob is written before the row that refers to it commits and is
/// never changed, so every blob the snapshot refers to exists when the copy starts.
async fn backup(db: &str, blobs: Option<&str>, out: &std::path::Path) -> Result<ExitCode> {
    let store = open(db).await?;
    store.backup(out).await?;
    store.close().await;
    let from = open_blobs(db, blobs)?;
    let out_url = format!("sqlite://{}", out.display());
    let to = open_blobs(&out_url, None)?;
    let snapshot = open(&out_url).await?;
    let report = yiwang_app::blobs::copy_referenced(&snapshot, &from, &to)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    snapshot.close().await;
    println!(
        "backup written to {} and {} ({} file contents, {} bytes, each re-hashed)",
        out.display(),
        to.describe(),
        report.copied,
        report.bytes
    );
    if report.missing.is_empty() && report.altered.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for d in &report.missing {
        eprintln!("missing from {}: {d}", from.describe());
    }
    for d in &report.altered {
        eprintln!("altered in {}: {d}", from.describe());
    }
    Ok(ExitCode::from(1))
}

async fn verify(
    store: &Arc<dyn Store>,
    blobs: &yiwang_app::blobs::Blobs,
    witnessed: Option<&[yiwang_app::witness::Witnessed]>,
    witness_key: Option<&str>,
    public_key: Option<&str>,
) -> Result<ExitCode> {
    let key = match public_key {
        Some(k) => k.trim().to_string(),
        None => yiwang_app::audit::platform_public_key(store)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .unwrap_or_default(),
    };
    let check = witnessed.map(|history| yiwang_app::audit::WitnessCheck {
        history,
        pinned_key: witness_key,
    });
    let report = yiwang_app::audit::verify_with_blobs(store, blobs, &key, check)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Write errors (a closed pipe, e.g. `| head`) are ignored: the exit code is the answer.
    let mut out = std::io::stdout().lock();
    if report.intact() {
        let _ = writeln!(
            out,
            "audit ledger intact: {} entries chained, {} signed checkpoints verified, {} rows match their last entry, {} file contents match their digests",
            report.entries, report.checkpoints, report.rows_checked, report.blobs_checked
        );
        let _ = writeln!(
            out,
            "platform key id (fingerprint): {}; keys registered in the ledger: {}",
            report.key_id,
            if report.registered_keys.is_empty() {
                "none".to_string()
            } else {
                report.registered_keys.join(", ")
            }
        );
        Ok(ExitCode::SUCCESS)
    } else {
        let first = &report.findings[0];
        let _ = writeln!(
            out,
            "audit ledger NOT intact: {} problem(s)",
            report.findings.len()
        );
        let _ = writeln!(
            out,
            "first bad entry: {} — {}",
            first
                .seq
                .map(|s| format!("#{s}"))
                .unwrap_or_else(|| "-".into()),
            first.message
        );
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report.findings).unwrap_or_default()
        );
        Ok(ExitCode::from(1))
    }
}

async fn demo(db: &str, blobs: Option<&str>) -> Result<Arc<App>> {
    if let Some(path) = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or(path);
        for suffix in ["", "-wal", "-shm"] {
            let f = format!("{path}{suffix}");
            if std::path::Path::new(&f).exists() {
                std::fs::remove_file(&f).with_context(|| format!("cannot remove {f}"))?;
            }
        }
        // The default blob directory belongs to this database file: start it afresh too.
        if blobs.is_none() {
            let dir = yiwang_app::blobs::default_location(db);
            if std::path::Path::new(&dir).is_dir() {
                std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {dir}"))?;
            }
        }
    } else {
        let store = open(db).await?;
        store.wipe().await.context("cannot reset the database")?;
        store.close().await;
    }
    let app = start_with(db, blobs, server_options(None, signing_key(true, true)?)?).await?;
    let accounts = yiwang_app::demo::build(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let catalog = yiwang_app::demo::build_catalog(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "demo catalogue: {} items ({} published), {} life-event bundles",
        catalog.items_created, catalog.published, catalog.bundles
    );
    let trading = yiwang_app::demo::trading::build(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "demo trading: {} parties, {} sections, {} sealed bids",
        trading.parties, trading.sections, trading.bids
    );
    let started = std::time::Instant::now();
    let experts = yiwang_app::demo::experts::build(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "demo experts: {} experts, {} draws ({:.1} s)",
        experts.experts,
        experts.draws,
        started.elapsed().as_secs_f64()
    );
    yiwang_app::demo::evaluation::build(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("demo evaluation: 第四标段 evaluated, report signed");
    let cases = yiwang_app::demo::cases::build(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "demo cases: {} cases in every state; warnings: {}",
        cases.cases, cases.warnings
    );
    println!("一网 demo database ready: {}", yiwang_store::redact_url(db));
    println!(
        "demo accounts (password: {}):",
        yiwang_app::demo::DEMO_PASSWORD
    );
    for a in &accounts {
        println!(
            "  {:<16} {:<10} {} ({})",
            a.username, a.role_zh, a.organisation, a.role
        );
    }
    Ok(app)
}

async fn serve(app: Arc<App>, addr: SocketAddr) -> Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let node_id = format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into()),
        std::process::id()
    );
    let runner = Runner::new(app.clone(), RunnerConfig::from_env(node_id.clone()));
    let runner_task = tokio::spawn(runner.run(stop_rx.clone()));
    let search_task = tokio::spawn(follow_catalogue(app.clone(), stop_rx));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(addr = %listener.local_addr()?, node = %node_id, "yiwang serving");
    let state = yiwang_web::AppState {
        app: app.clone(),
        secure_cookies: std::env::var("YIWANG_SECURE_COOKIES").as_deref() == Ok("1"),
    };
    yiwang_web::serve(state, listener, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    let _ = runner_task.await;
    let _ = search_task.await;
    app.store.close().await;
    Ok(())
}

/// Every node keeps its own search index in step with the catalogue (changes made by other
/// nodes arrive here within a couple of seconds).
async fn follow_catalogue(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        app.search_sync().await;
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
