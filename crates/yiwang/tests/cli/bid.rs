//! `yiwang bid`: the custodian key ceremony, sealing a bid file for a section, and opening it
//! offline with the bid key (and not with another).

use super::run;

#[test]
fn a_bid_sealed_with_the_cli_opens_only_with_its_key() {
    let dir = std::env::temp_dir().join(format!("yiwang-bid-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("dir");
    let d = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let o = run(&[
        "bid",
        "custodian-keygen",
        "--threshold",
        "2",
        "--count",
        "3",
        "--out",
        &d("custody"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let public = std::fs::read_to_string(dir.join("custody/custodian.pub")).expect("public key");
    assert_eq!(public.trim().len(), 130);
    for i in 1..=3 {
        let share =
            std::fs::read_to_string(dir.join(format!("custody/share-{i}.txt"))).expect("share");
        assert!(share.starts_with("yiwang-share/v1:2:3:"), "{share}");
    }
    let secret = "MARKER 投标文件正文 secret-body";
    std::fs::write(dir.join("bid.pdf"), secret).expect("bid file");
    let code = "A01-321300-20261203-000001-X";
    let seal = |out: &str| {
        run(&[
            "bid",
            "seal",
            "--code",
            code,
            "--custodian-key",
            public.trim(),
            "--price",
            "9850000.00",
            "--duration-days",
            "360",
            "--file",
            &d("bid.pdf"),
            "--out",
            &d(out),
        ])
    };
    let o = seal("bid.sealed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sealed = std::fs::read(dir.join("bid.sealed")).expect("sealed");
    assert!(
        !sealed.windows(6).any(|w| w == b"MARKER"),
        "the sealed file is not readable"
    );
    // Never overwrites.
    assert!(!seal("bid.sealed").status.success());
    let o = run(&[
        "bid",
        "open",
        "--sealed",
        &d("bid.sealed"),
        "--key",
        &d("bid.sealed.key"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("price: 9850000.00") && out.contains("duration_days: 360"),
        "{out}"
    );
    assert!(seal("other.sealed").status.success());
    let o = run(&[
        "bid",
        "open",
        "--sealed",
        &d("bid.sealed"),
        "--key",
        &d("other.sealed.key"),
    ]);
    assert!(!o.status.success(), "another bid's key does not open it");
    // A bad custodian key is refused.
    let o = run(&[
        "bid",
        "seal",
        "--code",
        code,
        "--custodian-key",
        "04",
        "--price",
        "1",
        "--file",
        &d("bid.pdf"),
        "--out",
        &d("bad.sealed"),
    ]);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

/// The browser's sealing module (`crates/web/static/trading-seal.js` with the vendored
/// `@hpke/core`, run here by Node's WebCrypto) writes files the Rust side opens: price, duration
/// and digest as sealed. Node is installed by `scripts/setup` for the browser tests.
#[test]
fn a_bid_sealed_by_the_browser_module_opens_with_the_cli() {
    let node = std::process::Command::new("node").arg("--version").output();
    if node.map(|o| !o.status.success()).unwrap_or(true) {
        assert!(
            std::env::var("CI").is_err(),
            "node is required in CI (scripts/setup installs it)"
        );
        eprintln!("skipped: no node");
        return;
    }
    let dir = std::env::temp_dir().join(format!("yiwang-bidjs-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("dir");
    let d = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let o = run(&[
        "bid",
        "custodian-keygen",
        "--threshold",
        "2",
        "--count",
        "3",
        "--out",
        &d("ck"),
    ]);
    assert!(o.status.success());
    let public = std::fs::read_to_string(dir.join("ck/custodian.pub")).expect("key");
    let module = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../web/static/trading-seal.js")
        .canonicalize()
        .expect("the module");
    let script = format!(
        r#"import {{ sealBid }} from "file://{}";
import {{ writeFileSync }} from "node:fs";
const r = await sealBid({{ code: "A01-JS", custodianKey: process.argv[2], price: "1234567.89",
  durationDays: 90, filename: "标书.pdf", file: new TextEncoder().encode("MARKER 浏览器加密") }});
writeFileSync(process.argv[3], r.sealedFile);
writeFileSync(process.argv[3] + ".key", r.keyText);
"#,
        module.display()
    );
    std::fs::write(dir.join("seal.mjs"), script).expect("script");
    let o = std::process::Command::new("node")
        .args([&d("seal.mjs"), public.trim(), &d("js.sealed")])
        .output()
        .expect("node");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sealed = std::fs::read(dir.join("js.sealed")).expect("sealed");
    assert!(!sealed.windows(6).any(|w| w == b"MARKER"));
    let o = run(&[
        "bid",
        "open",
        "--sealed",
        &d("js.sealed"),
        "--key",
        &d("js.sealed.key"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("section: A01-JS") && out.contains("price: 1234567.89"),
        "{out}"
    );
    assert!(
        out.contains("duration_days: 90") && out.contains("标书.pdf"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
