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
