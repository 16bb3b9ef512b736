//! `yiwang witness`: an independent copy of the platform's checkpoints, cosigned. Runs on another
//! machine with its own key (in its directory), polls the platform's public ledger API, checks
//! each new checkpoint against the platform's published key and the consistency proof from the
//! last one it saw, cosigns and appends it to `witnessed.jsonl`; an alarm goes to `alarms.jsonl`
//! and the log. With `--listen`, it serves its history at `GET /witnessed` for
//! `yiwang audit verify --witness URL`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use yiwang_app::witness::{self, PublishedCheckpoint, Witnessed};
use yiwang_core::ledger::PlatformKey;

pub struct Options {
    pub platform: String,
    pub public_key: String,
    pub dir: PathBuf,
    pub every: Duration,
    pub once: bool,
    pub listen: Option<std::net::SocketAddr>,
}

const KEY_FILE: &str = "witness.key";
const HISTORY: &str = "witnessed.jsonl";
const ALARMS: &str = "alarms.jsonl";

/// The witness's own key: created once in its directory (mode 0600), never shared.
fn load_or_create_key(dir: &Path) -> Result<PlatformKey> {
    let path = dir.join(KEY_FILE);
    if let Ok(hex) = std::fs::read_to_string(&path) {
        return PlatformKey::from_secret_hex(hex.trim())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    let key = PlatformKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    writeln!(f, "{}", key.secret_hex())?;
    f.sync_all()?;
    Ok(key)
}

pub fn read_history(dir: &Path) -> Result<Vec<Witnessed>> {
    match std::fs::read_to_string(dir.join(HISTORY)) {
        Ok(t) => witness::parse_history(&t).map_err(|e| anyhow::anyhow!(e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

fn append(dir: &Path, file: &str, line: &serde_json::Value) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join(file))?;
    writeln!(f, "{line}")?;
    f.sync_all()?;
    Ok(())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// What one round did.
enum Round {
    Cosigned(u64),
    Unchanged,
    Alarm(String),
}

async fn round(
    client: &reqwest::Client,
    o: &Options,
    key: &PlatformKey,
    last: Option<&Witnessed>,
) -> Result<Round> {
    let base = o.platform.trim_end_matches('/');
    let r = client
        .get(format!("{base}/api/v1/ledger/checkpoints/latest"))
        .send()
        .await
        .context("fetching the latest checkpoint")?;
    if r.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(Round::Unchanged);
    }
    if !r.status().is_success() {
        bail!(
            "the platform answered {} for its latest checkpoint",
            r.status()
        );
    }
    let c: PublishedCheckpoint = r.json().await.context("reading the checkpoint")?;
    let proof: Vec<String> = match last {
        Some(l) if c.tree_size > l.tree_size => {
            let r = client
                .get(format!(
                    "{base}/api/v1/ledger/consistency?from={}&to={}",
                    l.tree_size, c.tree_size
                ))
                .send()
                .await
                .context("fetching the consistency proof")?;
            if r.status().is_success() {
                let v: serde_json::Value = r.json().await?;
                serde_json::from_value(v["proof"].clone()).unwrap_or_default()
            } else {
                // No proof is an inconsistency too: the platform cannot show the extension.
                Vec::new()
            }
        }
        _ => Vec::new(),
    };
    match witness::check_next(last, &c, &proof, &o.public_key) {
        Ok(true) => {
            let w = witness::cosign(key, &c, &now());
            append(&o.dir, HISTORY, &serde_json::to_value(&w)?)?;
            Ok(Round::Cosigned(c.tree_size))
        }
        Ok(false) => Ok(Round::Unchanged),
        Err(alarm) => {
            append(
                &o.dir,
                ALARMS,
                &serde_json::json!({
                    "at": now(),
                    "alarm": alarm.to_string(),
                    "checkpoint": c,
                    "last_witnessed": last,
                }),
            )?;
            Ok(Round::Alarm(alarm.to_string()))
        }
    }
}

/// Run the witness: one round with `--once` (exit 1 on an alarm), otherwise until interrupted.
pub async fn run(o: Options) -> Result<std::process::ExitCode> {
    std::fs::create_dir_all(&o.dir)?;
    let key = load_or_create_key(&o.dir)?;
    println!("witness key: {}", key.public_key_hex());
    if let Some(addr) = o.listen {
        let dir = o.dir.clone();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!(
            "serving the witnessed history at http://{}/witnessed",
            listener.local_addr()?
        );
        tokio::spawn(async move {
            let app = axum::Router::new().route(
                "/witnessed",
                axum::routing::get(move || {
                    let dir = dir.clone();
                    async move {
                        let list = read_history(&dir).unwrap_or_default();
                        axum::Json(list)
                    }
                }),
            );
            let _ = axum::serve(listener, app).await;
        });
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    loop {
        let history = read_history(&o.dir)?;
        match round(&client, &o, &key, history.last()).await {
            Ok(Round::Cosigned(n)) => println!("cosigned the checkpoint of {n} entries"),
            Ok(Round::Unchanged) => {}
            Ok(Round::Alarm(a)) => {
                eprintln!("ALARM: {a}");
                tracing::error!(alarm = %a, "witness alarm");
                if o.once {
                    return Ok(std::process::ExitCode::from(1));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "witness round failed");
                if o.once {
                    return Err(e);
                }
            }
        }
        if o.once {
            return Ok(std::process::ExitCode::SUCCESS);
        }
        tokio::select! {
            _ = tokio::time::sleep(o.every) => {}
            _ = tokio::signal::ctrl_c() => return Ok(std::process::ExitCode::SUCCESS),
        }
    }
}

/// A witness history from its file or its `--listen` address.
pub async fn fetch_history(source: &str) -> Result<Vec<Witnessed>> {
    let text = if source.starts_with("http://") || source.starts_with("https://") {
        let r = reqwest::get(source)
            .await
            .with_context(|| format!("fetching {source}"))?;
        if !r.status().is_success() {
            bail!("{source} answered {}", r.status());
        }
        r.text().await?
    } else {
        std::fs::read_to_string(source).with_context(|| format!("reading {source}"))?
    };
    witness::parse_history(&text).map_err(|e| anyhow::anyhow!(e))
}
