//! Load driver for a running yiwang server (not part of CI). Bounded in time, loopback only.
//!
//! ```text
//! cargo run --release -p yiwang -- demo --addr 127.0.0.1:8080 &      # or any running server
//! cargo run --release -p yiwang --example load -- --url http://127.0.0.1:8080 --seconds 10 --concurrency 8
//! ```
//!
//! Runs two phases with the same concurrency and duration: `/healthz` (the baseline: the HTTP
//! stack alone) and `/api/v1/catalog/search` with everyday queries, and prints throughput and
//! latency percentiles for both and the ratio.

use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "开饭店",
    "营业执照",
    "生孩子",
    "身份证丢了",
    "施工许可",
    "失业金",
    "过户",
    "开公司",
    "公积金",
    "行医",
];

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

async fn phase(
    base: &str,
    search: bool,
    seconds: u64,
    concurrency: usize,
) -> (Vec<Duration>, usize) {
    yiwang_app::blobs::install_tls_provider();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            let mut n = worker;
            while Instant::now() < deadline {
                let url = if search {
                    let q: String = QUERIES[n % QUERIES.len()]
                        .bytes()
                        .map(|b| format!("%{b:02X}"))
                        .collect();
                    format!("{base}/api/v1/catalog/search?q={q}&limit=10")
                } else {
                    format!("{base}/healthz")
                };
                n += 1;
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.expect("worker");
        all.extend(times);
        errors += e;
    }
    all.sort();
    (all, errors)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = arg(&args, "--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let seconds: u64 = arg(&args, "--seconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .min(300);
    let concurrency: usize = arg(&args, "--concurrency")
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
        .clamp(1, 256);
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    if !["127.0.0.1", "localhost", "[", ""].contains(&host) && !host.starts_with("127.") {
        eprintln!("refusing to load {base}: this driver only targets loopback addresses");
        std::process::exit(2);
    }
    println!("{base}: {concurrency} concurrent clients, {seconds} s per phase");
    let mut rows = Vec::new();
    for (label, search) in [
        ("GET /healthz (baseline)", false),
        ("GET /api/v1/catalog/search", true),
    ] {
        let (times, errors) = phase(&base, search, seconds, concurrency).await;
        let rps = times.len() as f64 / seconds as f64;
        println!(
            "{label:<28} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  errors {errors}",
            rps,
            pct(&times, 0.5),
            pct(&times, 0.99),
            pct(&times, 1.0)
        );
        rows.push((rps, pct(&times, 0.5), pct(&times, 0.99)));
    }
    let (h, s) = (rows[0], rows[1]);
    println!(
        "search / baseline: throughput {:.2}×, p50 {:.2}×, p99 {:.2}×",
        s.0 / h.0.max(f64::MIN_POSITIVE),
        s.1 / h.1.max(f64::MIN_POSITIVE),
        s.2 / h.2.max(f64::MIN_POSITIVE)
    );
}
