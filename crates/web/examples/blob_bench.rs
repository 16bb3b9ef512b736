//! Blob-store benchmark (not part of CI): put/get throughput and latency of 256 KiB and 5 MiB
//! files through the HTTP API (upload = attach a blank form: spool, sniff, hash, store, commit a
//! draft version and its ledger entry; download = stream from the store) into the local directory
//! and into S3 (`moto_server` on a loopback port), as ratios to raw disk writes with fsync
//! measured in the same run; then the process's peak memory while a 1 GiB file is stored and
//! downloaded through the API.
//!
//! ```text
//! cargo run --release -p yiwang-web --example blob_bench -- [--small N] [--large N] [--no-s3] [--gib G]
//! ```

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use yiwang_app::App;
use yiwang_app::blobs::Blobs;
use yiwang_testkit::s3::S3Server;
use yiwang_testkit::{TempDir, TestDb, TestServer};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// Content that sniffs as PDF, distinct per (size, n) so that no two uploads share a blob.
fn pdf(size: usize, n: u64) -> Vec<u8> {
    let mut out = format!("%PDF-1.7\n% {n}\n").into_bytes();
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    while out.len() < size {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(size);
    out
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    kb("VmHWM:") / 1024.0
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// Reset the peak-RSS counter (Linux: write 5 to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Stats {
    mib_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn stats(bytes: usize, lat: &mut [Duration], total: Duration) -> Stats {
    lat.sort();
    let pick = |q: f64| {
        let i = ((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i].as_secs_f64() * 1000.0
    };
    Stats {
        mib_s: (bytes * lat.len()) as f64 / MIB as f64 / total.as_secs_f64(),
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
    }
}

/// The baseline: each file written whole and fsynced (file and directory), as a blob write is.
fn raw_disk(dir: &std::path::Path, size: usize, n: usize) -> Stats {
    let mut lat = Vec::new();
    let start = Instant::now();
    for i in 0..n {
        let content = pdf(size, 1_000_000 + i as u64);
        let t = Instant::now();
        let path = dir.join(format!("raw-{size}-{i}"));
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&content).unwrap();
        f.sync_all().unwrap();
        std::fs::File::open(dir).unwrap().sync_all().unwrap();
        lat.push(t.elapsed());
    }
    // Generation of the content is outside the latencies but inside `start`: subtract it.
    let gen_time: Duration = {
        let t = Instant::now();
        for i in 0..n {
            std::hint::black_box(pdf(size, 2_000_000 + i as u64));
        }
        t.elapsed()
    };
    let total = start.elapsed().saturating_sub(gen_time);
    for i in 0..n {
        let _ = std::fs::remove_file(dir.join(format!("raw-{size}-{i}")));
    }
    stats(size, &mut lat, total)
}

struct Target {
    server: TestServer,
    token: String,
    item: String,
    material: String,
}

async fn target(db: &TestDb, blobs: Arc<Blobs>) -> Target {
    let app: Arc<App> = db.app_with_blobs(blobs).await;
    yiwang_app::demo::build(&app).await.expect("demo");
    yiwang_app::demo::build_catalog(&app)
        .await
        .expect("demo catalogue");
    let server = TestServer::start_app(app).await;
    let token = server
        .token("catalog", yiwang_app::demo::DEMO_PASSWORD)
        .await;
    let hits: serde_json::Value = server
        .client
        .get(server.url("/api/v1/catalog/search?q=开饭店"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = hits["hits"][0]["id"].as_str().unwrap().to_string();
    let view: serde_json::Value = server
        .client
        .get(server.url(&format!("/api/v1/catalog/items/{item}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let material = view["body"]["materials"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    Target {
        server,
        token,
        item,
        material,
    }
}

async fn put(t: &Target, content: Vec<u8>) -> String {
    let url = t.server.url(&format!(
        "/api/v1/catalog/items/{}/files?material={}&role=blank&filename=bench.pdf",
        t.item, t.material
    ));
    let r = t
        .server
        .client
        .post(url)
        .bearer_auth(&t.token)
        .header("content-type", "application/pdf")
        .body(content)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "upload");
    let v: serde_json::Value = r.json().await.unwrap();
    v["body"]["materials"][0]["blank_form"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get(t: &Target, id: &str) -> usize {
    let mut r = t
        .server
        .client
        .get(t.server.url(&format!("/api/v1/catalog/files/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "download");
    let mut n = 0;
    while let Some(chunk) = r.chunk().await.unwrap() {
        n += chunk.len();
    }
    n
}

async fn run_size(t: &Target, size: usize, n: usize) -> (Stats, Stats) {
    let bodies: Vec<Vec<u8>> = (0..n)
        .map(|i| pdf(size, (size * 1000 + i) as u64 ^ rand_seed()))
        .collect();
    let mut ids = Vec::new();
    let mut lat = Vec::new();
    let start = Instant::now();
    for body in bodies {
        let t0 = Instant::now();
        ids.push(put(t, body).await);
        lat.push(t0.elapsed());
    }
    let puts = stats(size, &mut lat, start.elapsed());
    let mut lat = Vec::new();
    let start = Instant::now();
    for id in &ids {
        let t0 = Instant::now();
        assert_eq!(get(t, id).await, size);
        lat.push(t0.elapsed());
    }
    let gets = stats(size, &mut lat, start.elapsed());
    (puts, gets)
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn row(label: &str, s: &Stats, base: &Stats) {
    println!(
        "| {label:<28} | {:>8.1} | {:>7.2} | {:>7.2} | {:>6.2} | {:>6.2} |",
        s.mib_s,
        s.p50_ms,
        s.p99_ms,
        s.mib_s / base.mib_s,
        s.p99_ms / base.p99_ms
    );
}

/// Store a 1 GiB file through the blob store (as an upload's second pass does) and download it
/// through the API, watching the process's resident memory.
async fn gib(t: &Target, blobs: &Blobs, gib: usize, dir: &std::path::Path) {
    let path = dir.join("large.pdf");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let chunk = pdf(MIB, 42);
        for _ in 0..gib * 1024 {
            f.write_all(&chunk).unwrap();
        }
        f.flush().unwrap();
    }
    let before = rss_mib();
    reset_peak();
    let t0 = Instant::now();
    let stored = blobs.put_file(&path, u64::MAX).await.unwrap();
    let put_s = t0.elapsed().as_secs_f64();
    let put_peak = peak_rss_mib();
    std::fs::remove_file(&path).unwrap();
    // A file row for it, so that the API serves it (no upload kind accepts 1 GiB).
    let file = yiwang_store::CatalogFile {
        id: yiwang_app::new_id(),
        filename: "large.pdf".into(),
        content_type: "application/pdf".into(),
        size: stored.size as i64,
        digest: stored.digest.clone(),
        created_at: yiwang_app::now_micros(),
    };
    let app = &t.server.app;
    let mut tx = app.store.write().await.unwrap();
    tx.insert_file(&file).await.unwrap();
    tx.commit().await.unwrap();
    reset_peak();
    let t0 = Instant::now();
    let n = get(t, &file.id).await;
    let get_s = t0.elapsed().as_secs_f64();
    assert_eq!(n as u64, stored.size);
    let get_peak = peak_rss_mib();
    let mib = stored.size as f64 / MIB as f64;
    println!(
        "{} GiB via {}: RSS before {before:.0} MiB; store {:.0} MiB/s, peak RSS {put_peak:.0} MiB; API download {:.0} MiB/s, peak RSS {get_peak:.0} MiB",
        gib,
        blobs.describe(),
        mib / put_s,
        mib / get_s
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let small = arg("--small", 200);
    let large = arg("--large", 30);
    let gibs = arg("--gib", 1);
    let dir = TempDir::new();
    println!(
        "blob benchmark: {small} × 256 KiB, {large} × 5 MiB per backend, one client, sequential"
    );
    let raw_small = raw_disk(&dir.0, 256 * KIB, small);
    let raw_large = raw_disk(&dir.0, 5 * MIB, large);

    let db = TestDb::sqlite().await;
    let local = Arc::new(Blobs::dir(&dir.0.join("blobs")).unwrap());
    let t = target(&db, local.clone()).await;
    let (lp_s, lg_s) = run_size(&t, 256 * KIB, small).await;
    let (lp_l, lg_l) = run_size(&t, 5 * MIB, large).await;

    let mut s3_rows = None;
    let s3 = if flag("--no-s3") {
        None
    } else {
        S3Server::start().await
    };
    if let Some(s3) = &s3 {
        s3.bucket("bench").await;
        let db2 = TestDb::sqlite().await;
        let t2 = target(&db2, s3.blobs("bench", "files")).await;
        let (sp_s, sg_s) = run_size(&t2, 256 * KIB, small).await;
        let (sp_l, sg_l) = run_size(&t2, 5 * MIB, large).await;
        s3_rows = Some((sp_s, sg_s, sp_l, sg_l));
        t2.server.stop().await;
    }

    println!();
    println!("| what                         |    MiB/s | p50 ms  | p99 ms  | ×MiB/s | ×p99   |");
    println!("|------------------------------|---------:|--------:|--------:|-------:|-------:|");
    row("raw disk 256 KiB (fsync)", &raw_small, &raw_small);
    row("raw disk 5 MiB (fsync)", &raw_large, &raw_large);
    row("API put 256 KiB, directory", &lp_s, &raw_small);
    row("API get 256 KiB, directory", &lg_s, &raw_small);
    row("API put 5 MiB, directory", &lp_l, &raw_large);
    row("API get 5 MiB, directory", &lg_l, &raw_large);
    if let Some((sp_s, sg_s, sp_l, sg_l)) = &s3_rows {
        row("API put 256 KiB, S3 (moto)", sp_s, &raw_small);
        row("API get 256 KiB, S3 (moto)", sg_s, &raw_small);
        row("API put 5 MiB, S3 (moto)", sp_l, &raw_large);
        row("API get 5 MiB, S3 (moto)", sg_l, &raw_large);
    }
    println!(
        "(×: ratio to the raw disk write of the same size; get ratios compare a read with a write)"
    );
    println!();
    if gibs > 0 {
        gib(&t, &local, gibs, &dir.0).await;
    }
    t.server.stop().await;
}
