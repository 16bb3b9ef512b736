//! 投标文件加密格式: the formats of a sealed bid (DOMAIN §2.3) — what the bidder's side writes and
//! the platform stores, parses and, at the opening, opens. The HPKE calls themselves are in
//! `yiwang_app::trading::sealing`; this module is the pure layout and its checks.
//!
//! **Suite**: HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM
//! (KEM 0x0010, KDF 0x0001, AEAD 0x0001). Public keys and `enc` are 65-byte uncompressed P-256
//! points, private keys 32-byte scalars; ciphertexts carry the 16-byte tag at their end.
//!
//! **Two layers.** The bidder makes a fresh *bid key pair* for each bid and seals the plaintext
//! to its public half (`info` = [`bid_info`], empty AAD). It also seals the bid key's 32-byte
//! private half to the section's *custodian public key* (`info` = [`wrap_info`], AAD = the bid
//! public key), the *wrapped key*. The bidder keeps the bid private key (the key file,
//! [`BidKeyFile`]); the custodian private key exists only as k-of-n shares
//! ([`super::custody`]) held by custodians. So before the deadline nobody — the platform
//! included — holds a usable key: at the opening the bidder hands in its bid private key, or a
//! quorum of custodians hands in shares to unwrap it.
//!
//! **Sealed file** (what is uploaded and kept in the blob store; its SM3 digest is what the bidder
//! signs and the receipt names):
//! ```text
//! yiwang-sealed-bid/v1\n
//! {"suite":…,"transaction_code":…,"bid_public_key":hex,"enc":hex,
//!  "custodian_public_key":hex,"wrapped_key":{"enc":hex,"ct":hex}}\n      (one line of JSON)
//! <HPKE ciphertext of the plaintext>
//! ```
//!
//! **Plaintext** (what the ciphertext opens to):
//! ```text
//! yiwang-bid-plaintext/v1\n
//! {"price":"9850000.00","duration_days":360,"filename":"投标文件.pdf","size":N,
//!  "file_sha256":hex}\n                                                      (the manifest)
//! <the bid file, N bytes>
//! ```
//! The price and duration of the opening record are read from the manifest; the file's SHA-256
//! (WebCrypto has no SM3) is checked against it and recorded as the plaintext digest.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::Problem;

/// First line of a sealed file.
pub const SEALED_MAGIC: &str = "yiwang-sealed-bid/v1";
/// First line of a plaintext.
pub const PLAINTEXT_MAGIC: &str = "yiwang-bid-plaintext/v1";
/// First line of a bid key file.
pub const KEY_FILE_MAGIC: &str = "yiwang-bid-key/v1";
/// The suite, as named in the header.
pub const SUITE: &str = "DHKEM(P-256,HKDF-SHA256)/HKDF-SHA256/AES-128-GCM";
/// Length of an uncompressed P-256 point (public keys, `enc`).
pub const POINT_LEN: usize = 65;
/// Length of a P-256 private key.
pub const SCALAR_LEN: usize = 32;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;
/// Longest header or manifest line accepted (bounded before parsing).
pub const MAX_LINE: usize = 16 * 1024;

/// HPKE `info` of the bid layer: binds the ciphertext to its section.
pub fn bid_info(transaction_code: &str) -> Vec<u8> {
    format!("yiwang-bid/v1\n{transaction_code}").into_bytes()
}

/// HPKE `info` of the key-wrapping layer.
pub fn wrap_info(transaction_code: &str) -> Vec<u8> {
    format!("yiwang-bid-key/v1\n{transaction_code}").into_bytes()
}

fn malformed(what_zh: &str, what_en: &str) -> Problem {
    Problem::invalid(
        "trading.bid.unsealed",
        format!("投标文件不是平台规定的加密格式（{what_zh}）。"),
        format!("The bid file is not sealed in the platform's format ({what_en})."),
    )
}

/// The key pair a bid was sealed to, wrapped to the custodian key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// hex of the 65-byte `enc`.
    pub enc: String,
    /// hex of the HPKE ciphertext of the 32-byte bid private key (48 bytes).
    pub ct: String,
}

/// The header line of a sealed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedHeader {
    pub suite: String,
    /// 统一交易标识码 of the section sealed for.
    pub transaction_code: String,
    /// hex of the bid public key.
    pub bid_public_key: String,
    /// hex of the bid layer's `enc`.
    pub enc: String,
    /// hex of the custodian public key the bid key is wrapped to.
    pub custodian_public_key: String,
    pub wrapped_key: WrappedKey,
}

fn hex_of_len(text: &str, len: usize, what_zh: &str, what_en: &str) -> Result<Vec<u8>, Problem> {
    match hex::decode(text) {
        Ok(b) if b.len() == len => Ok(b),
        _ => Err(malformed(what_zh, what_en)),
    }
}

/// A sealed file split into its parts, with the binary fields decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedParts<'a> {
    pub header: SealedHeader,
    pub bid_public_key: Vec<u8>,
    pub enc: Vec<u8>,
    pub custodian_public_key: Vec<u8>,
    pub wrapped_enc: Vec<u8>,
    pub wrapped_ct: Vec<u8>,
    /// The bid layer's ciphertext (tag at its end).
    pub ciphertext: &'a [u8],
}

/// Splits `line\n` off the front of `bytes`, the line at most [`MAX_LINE`] bytes of UTF-8.
fn take_line<'a>(
    bytes: &'a [u8],
    what_zh: &str,
    what_en: &str,
) -> Result<(&'a str, &'a [u8]), Problem> {
    let limit = bytes.len().min(MAX_LINE + 1);
    let end = bytes[..limit]
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| malformed(what_zh, what_en))?;
    let line = std::str::from_utf8(&bytes[..end]).map_err(|_| malformed(what_zh, what_en))?;
    Ok((line, &bytes[end + 1..]))
}

/// Writes a sealed file.
pub fn encode_sealed(header: &SealedHeader, ciphertext: &[u8]) -> Vec<u8> {
    let json = serde_json::to_string(header).expect("a header always serialises");
    let mut out = Vec::with_capacity(SEALED_MAGIC.len() + json.len() + 2 + ciphertext.len());
    out.extend_from_slice(SEALED_MAGIC.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(json.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(ciphertext);
    out
}

/// Parses and checks a sealed file: the magic line, the suite, every key and `enc` of its
/// length, a ciphertext at least a tag long.
pub fn parse_sealed(bytes: &[u8]) -> Result<SealedParts<'_>, Problem> {
    let (magic, rest) = take_line(bytes, "缺少文件头", "no header")?;
    if magic != SEALED_MAGIC {
        return Err(malformed("文件头不符", "wrong header"));
    }
    let (json, ciphertext) = take_line(rest, "缺少密封信息", "no sealing line")?;
    let header: SealedHeader = serde_json::from_str(json)
        .map_err(|_| malformed("密封信息无法解析", "bad sealing line"))?;
    if header.suite != SUITE {
        return Err(malformed("加密套件不符", "wrong suite"));
    }
    let point = |t: &str, zh: &str, en: &str| hex_of_len(t, POINT_LEN, zh, en);
    let bid_public_key = point(&header.bid_public_key, "投标密钥", "bid key")?;
    let enc = point(&header.enc, "封装密钥", "enc")?;
    let custodian_public_key = point(&header.custodian_public_key, "托管公钥", "custodian key")?;
    let wrapped_enc = point(&header.wrapped_key.enc, "托管封装密钥", "wrapped enc")?;
    let wrapped_ct = hex_of_len(
        &header.wrapped_key.ct,
        SCALAR_LEN + TAG_LEN,
        "托管密文",
        "wrapped key",
    )?;
    if ciphertext.len() < TAG_LEN {
        return Err(malformed("密文过短", "ciphertext too short"));
    }
    Ok(SealedParts {
        header,
        bid_public_key,
        enc,
        custodian_public_key,
        wrapped_enc,
        wrapped_ct,
        ciphertext,
    })
}

/// Checks a sealed file is addressed to the section: its transaction code and custodian key.
pub fn check_addressed(
    parts: &SealedParts<'_>,
    transaction_code: &str,
    custodian_public_key: &str,
) -> Result<(), Problem> {
    if parts.header.transaction_code != transaction_code {
        return Err(Problem::invalid(
            "trading.bid.wrong_section",
            "投标文件不是为本标段加密的。",
            "The bid file was sealed for another section.",
        ));
    }
    if !parts
        .header
        .custodian_public_key
        .eq_ignore_ascii_case(custodian_public_key.trim())
    {
        return Err(Problem::invalid(
            "trading.bid.wrong_custodian_key",
            "投标文件未用本标段的托管公钥加密，请重新下载公钥后加密。",
            "The bid file was not sealed to this section's custodian key; fetch the key again and reseal.",
        ));
    }
    Ok(())
}

/// The bid key file the bidder keeps: a text file of `name=value` lines after the magic line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidKeyFile {
    pub transaction_code: String,
    /// hex, 65 bytes.
    pub public_key: String,
    /// hex, 32 bytes.
    pub private_key: String,
}

impl BidKeyFile {
    pub fn to_text(&self) -> String {
        format!(
            "{KEY_FILE_MAGIC}\ntransaction_code={}\npublic_key={}\nprivate_key={}\n",
            self.transaction_code, self.public_key, self.private_key
        )
    }

    /// Parses a key file, or a bare hex private key (then without code or public key).
    pub fn parse(text: &str) -> Result<BidKeyFile, Problem> {
        let bad = || {
            Problem::invalid(
                "trading.bid.key_format",
                "投标密钥文件格式不正确。",
                "The bid key file is malformed.",
            )
        };
        let text = text.trim();
        if hex_of_len(text, SCALAR_LEN, "", "").is_ok() {
            return Ok(BidKeyFile {
                transaction_code: String::new(),
                public_key: String::new(),
                private_key: text.to_ascii_lowercase(),
            });
        }
        let mut lines = text.lines().map(str::trim);
        if lines.next() != Some(KEY_FILE_MAGIC) {
            return Err(bad());
        }
        let mut file = BidKeyFile {
            transaction_code: String::new(),
            public_key: String::new(),
            private_key: String::new(),
        };
        for line in lines.filter(|l| !l.is_empty()) {
            let (k, v) = line.split_once('=').ok_or_else(bad)?;
            match k {
                "transaction_code" => file.transaction_code = v.to_string(),
                "public_key" => file.public_key = v.to_ascii_lowercase(),
                "private_key" => file.private_key = v.to_ascii_lowercase(),
                _ => return Err(bad()),
            }
        }
        hex_of_len(&file.private_key, SCALAR_LEN, "", "").map_err(|_| bad())?;
        Ok(file)
    }

    pub fn private_key_bytes(&self) -> Vec<u8> {
        hex::decode(&self.private_key).unwrap_or_default()
    }
}

/// 投标文件清单: the manifest line of a plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidManifest {
    /// 投标报价, yuan, decimal text.
    pub price: String,
    /// 工期/交货期, days.
    pub duration_days: Option<u32>,
    /// The bid file's name.
    pub filename: String,
    /// The bid file's size in bytes.
    pub size: u64,
    /// hex SHA-256 of the bid file.
    pub file_sha256: String,
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Builds a plaintext from the bid file and what the opening record will show.
pub fn encode_plaintext(
    price: Decimal,
    duration_days: Option<u32>,
    filename: &str,
    file: &[u8],
) -> Vec<u8> {
    let manifest = BidManifest {
        price: price.to_string(),
        duration_days,
        filename: filename.to_string(),
        size: file.len() as u64,
        file_sha256: sha256_hex(file),
    };
    let json = serde_json::to_string(&manifest).expect("a manifest always serialises");
    let mut out = Vec::with_capacity(PLAINTEXT_MAGIC.len() + json.len() + 2 + file.len());
    out.extend_from_slice(PLAINTEXT_MAGIC.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(json.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(file);
    out
}

/// What an opened bid shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedBid {
    pub manifest: BidManifest,
    pub price: Decimal,
    /// `sha256:<hex>` of the bid file, checked.
    pub plaintext_digest: String,
}

fn bad_plaintext(zh: &str, en: &str) -> Problem {
    Problem::invalid(
        "trading.bid.plaintext",
        format!("解密后的投标文件不符合格式：{zh}。"),
        format!("The decrypted bid does not follow the format: {en}."),
    )
}

/// Parses and checks a decrypted plaintext: the manifest, a non-negative price, the file's size
/// and SHA-256 as the manifest says.
pub fn parse_plaintext(bytes: &[u8]) -> Result<OpenedBid, Problem> {
    let bad_line = |_| bad_plaintext("缺少清单", "no manifest");
    let (magic, rest) = take_line(bytes, "", "").map_err(bad_line)?;
    if magic != PLAINTEXT_MAGIC {
        return Err(bad_plaintext("文件头不符", "wrong header"));
    }
    let (json, file) = take_line(rest, "", "").map_err(bad_line)?;
    let manifest: BidManifest =
        serde_json::from_str(json).map_err(|_| bad_plaintext("清单无法解析", "bad manifest"))?;
    let price: Decimal = manifest
        .price
        .trim()
        .parse()
        .map_err(|_| bad_plaintext("报价不是数字", "the price is not a number"))?;
    if price < Decimal::ZERO || price.scale() > 2 {
        return Err(bad_plaintext(
            "报价应为非负数，至多两位小数",
            "the price must be non-negative with at most two decimals",
        ));
    }
    if manifest.size != file.len() as u64 {
        return Err(bad_plaintext("文件大小与清单不符", "the file size differs"));
    }
    let actual = sha256_hex(file);
    if !actual.eq_ignore_ascii_case(manifest.file_sha256.trim()) {
        return Err(bad_plaintext(
            "文件摘要与清单不符",
            "the file digest differs",
        ));
    }
    Ok(OpenedBid {
        plaintext_digest: format!("sha256:{actual}"),
        price,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header() -> SealedHeader {
        SealedHeader {
            suite: SUITE.into(),
            transaction_code: "A01-1".into(),
            bid_public_key: "04".repeat(65),
            enc: "05".repeat(65),
            custodian_public_key: "06".repeat(65),
            wrapped_key: WrappedKey {
                enc: "07".repeat(65),
                ct: "08".repeat(48),
            },
        }
    }

    #[test]
    fn sealed_files_round_trip_and_are_checked() {
        let ct = vec![9u8; 40];
        let file = encode_sealed(&header(), &ct);
        let parts = parse_sealed(&file).unwrap();
        assert_eq!(parts.header, header());
        assert_eq!(parts.ciphertext, &ct[..]);
        assert_eq!(parts.wrapped_ct.len(), 48);
        assert!(check_addressed(&parts, "A01-1", &"06".repeat(65)).is_ok());
        assert_eq!(
            check_addressed(&parts, "A01-2", &"06".repeat(65))
                .unwrap_err()
                .code,
            "trading.bid.wrong_section"
        );
        assert_eq!(
            check_addressed(&parts, "A01-1", &"07".repeat(65))
                .unwrap_err()
                .code,
            "trading.bid.wrong_custodian_key"
        );
        let mut h = header();
        h.enc = "05".repeat(64);
        assert!(parse_sealed(&encode_sealed(&h, &ct)).is_err());
        let mut h = header();
        h.suite = "other".into();
        assert!(parse_sealed(&encode_sealed(&h, &ct)).is_err());
        assert!(parse_sealed(&encode_sealed(&header(), &[1; 15])).is_err());
        for junk in [
            &b""[..],
            b"YWSEALv1",
            b"yiwang-sealed-bid/v1\n{}\nxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert_eq!(parse_sealed(junk).unwrap_err().code, "trading.bid.unsealed");
        }
        // A header line past the bound is refused without scanning further.
        let mut long = b"yiwang-sealed-bid/v1\n".to_vec();
        long.extend(vec![b' '; MAX_LINE + 10]);
        long.push(b'\n');
        assert!(parse_sealed(&long).is_err());
    }

    #[test]
    fn plaintexts_carry_price_duration_and_a_checked_digest() {
        let file = "投标报价：9,850,000.00元".as_bytes();
        let p = encode_plaintext(
            Decimal::new(985_000_000, 2),
            Some(360),
            "投标文件.pdf",
            file,
        );
        let opened = parse_plaintext(&p).unwrap();
        assert_eq!(opened.price, Decimal::new(985_000_000, 2));
        assert_eq!(opened.manifest.duration_days, Some(360));
        assert_eq!(
            opened.plaintext_digest,
            format!("sha256:{}", sha256_hex(file))
        );
        // A changed byte of the file fails the digest.
        let mut changed = p.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert_eq!(
            parse_plaintext(&changed).unwrap_err().code,
            "trading.bid.plaintext"
        );
        let neg = encode_plaintext(Decimal::new(-1, 0), None, "a", b"x");
        assert!(parse_plaintext(&neg).is_err());
        assert!(parse_plaintext(b"hello").is_err());
        // SHA-256 of "abc" (FIPS 180-2).
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn key_files_round_trip() {
        let k = BidKeyFile {
            transaction_code: "A01-1".into(),
            public_key: "04".repeat(65),
            private_key: "ab".repeat(32),
        };
        assert_eq!(BidKeyFile::parse(&k.to_text()).unwrap(), k);
        assert_eq!(
            BidKeyFile::parse(&"AB".repeat(32)).unwrap().private_key,
            "ab".repeat(32)
        );
        for bad in [
            "",
            "xyz",
            "yiwang-bid-key/v1\nprivate_key=00",
            "yiwang-bid-key/v1\nfoo=1",
        ] {
            assert_eq!(
                BidKeyFile::parse(bad).unwrap_err().code,
                "trading.bid.key_format"
            );
        }
    }

    proptest! {
        #[test]
        fn no_input_panics_the_parsers(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_sealed(&bytes);
            let _ = parse_plaintext(&bytes);
            let _ = BidKeyFile::parse(&String::from_utf8_lossy(&bytes));
        }
    }
}
