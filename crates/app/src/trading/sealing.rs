//! 投标文件加密: the HPKE side of sealed bids — sealing on the bidder's side (`yiwang bid seal`,
//! the demo; the browser does the same with `@hpke/core`), the custodian key ceremony, and opening
//! at the opening session. The formats and the two-layer design are documented in
//! [`yiwang_core::trading::sealing`]; the k-of-n split in [`yiwang_core::trading::custody`].
//!
//! Suite: RFC 9180 base mode, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM (crate `hpke`
//! 0.15), which interoperates with `@hpke/core` 1.9 both ways.
//!
//! Nothing here touches the database or keeps a key: sealing returns the bid private key to its
//! caller (the bidder), and the custodian private key exists in memory only while it is split
//! ([`generate_custodian_key`]) or, after the deadline, rebuilt from a quorum of shares to unwrap
//! bid keys ([`custodian_secret`]).

use hpke::aead::AesGcm128;
use hpke::kdf::HkdfSha256;
use hpke::kem::DhP256HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use yiwang_core::Problem;
use yiwang_core::trading::custody::{self, Share};
use yiwang_core::trading::sealing::{
    BidKeyFile, SUITE, SealedHeader, SealedParts, WrappedKey, bid_info, encode_sealed, wrap_info,
};

type Kem = DhP256HkdfSha256;
type PublicKey = <Kem as hpke::Kem>::PublicKey;
type PrivateKey = <Kem as hpke::Kem>::PrivateKey;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

fn bad_public_key() -> Problem {
    Problem::invalid(
        "trading.custody.public_key",
        "托管公钥不是有效的P-256公钥（65字节非压缩点的十六进制）。",
        "The custodian public key is not a valid P-256 key (hex of a 65-byte uncompressed point).",
    )
}

/// Parses a hex P-256 public key (65-byte uncompressed point) and returns it as normalised hex.
pub fn check_public_key(hex_key: &str) -> Result<String, Problem> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| bad_public_key())?;
    if bytes.len() != 65 {
        return Err(bad_public_key());
    }
    PublicKey::from_bytes(&bytes).map_err(|_| bad_public_key())?;
    Ok(hex::encode(bytes))
}

/// A new custodian key: its public half and the k-of-n shares of its private half, one text per
/// custodian. The private key is dropped when this returns.
#[derive(Debug, Clone)]
pub struct CustodianKey {
    pub public_key: String,
    pub shares: Vec<String>,
}

/// The custodian key ceremony: a fresh P-256 key pair, the private key split `threshold`-of-`count`.
pub fn generate_custodian_key(threshold: u8, count: u8) -> Result<CustodianKey, Problem> {
    let (sk, pk) = Kem::gen_keypair();
    let mut secret = sk.to_bytes().to_vec();
    let shares = custody::split(&secret, threshold, count, &mut rand::rng());
    secret.fill(0);
    Ok(CustodianKey {
        public_key: hex::encode(pk.to_bytes()),
        shares: shares?.iter().map(Share::to_text).collect(),
    })
}

/// Rebuilds the custodian private key from a quorum of share texts and checks it is the key of
/// `public_key` (a wrong or altered share gives another key, refused here).
pub fn custodian_secret(shares: &[String], public_key: &str) -> Result<Vec<u8>, Problem> {
    let parsed = shares
        .iter()
        .map(|s| Share::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let secret = custody::combine(&parsed)?;
    let wrong = || {
        Problem::invalid(
            "trading.custody.mismatch",
            "托管密钥分片恢复出的私钥与本标段托管公钥不符。",
            "The shares do not rebuild the private key of this section's custodian key.",
        )
    };
    let sk = PrivateKey::from_bytes(&secret).map_err(|_| wrong())?;
    if !hex::encode(Kem::sk_to_pk(&sk).to_bytes()).eq_ignore_ascii_case(public_key.trim()) {
        return Err(wrong());
    }
    Ok(secret)
}

/// A sealed bid as the bidder's side produces it.
#[derive(Debug, Clone)]
pub struct SealedFile {
    /// The sealed file to upload.
    pub file: Vec<u8>,
    /// The bid key the bidder keeps until the opening.
    pub key: BidKeyFile,
}

fn seal_failed() -> Problem {
    Problem::invalid(
        "trading.bid.seal_failed",
        "投标文件加密失败。",
        "Sealing the bid failed.",
    )
}

/// Seals `plaintext` (see [`yiwang_core::trading::sealing::encode_plaintext`]) for the section
/// `transaction_code` whose custodian public key is `custodian_public_key` (hex).
pub fn seal(
    transaction_code: &str,
    custodian_public_key: &str,
    plaintext: &[u8],
) -> Result<SealedFile, Problem> {
    let custodian_hex = check_public_key(custodian_public_key)?;
    let custodian =
        PublicKey::from_bytes(&hex::decode(&custodian_hex).map_err(|_| bad_public_key())?)
            .map_err(|_| bad_public_key())?;
    let (bid_sk, bid_pk) = Kem::gen_keypair();
    let bid_pk_bytes = bid_pk.to_bytes().to_vec();
    let (enc, ct) = hpke::single_shot_seal::<AesGcm128, HkdfSha256, Kem>(
        &OpModeS::Base,
        &bid_pk,
        &bid_info(transaction_code),
        plaintext,
        b"",
    )
    .map_err(|_| seal_failed())?;
    let sk_bytes = bid_sk.to_bytes();
    let (wrapped_enc, wrapped_ct) = hpke::single_shot_seal::<AesGcm128, HkdfSha256, Kem>(
        &OpModeS::Base,
        &custodian,
        &wrap_info(transaction_code),
        &sk_bytes,
        &bid_pk_bytes,
    )
    .map_err(|_| seal_failed())?;
    let header = SealedHeader {
        suite: SUITE.into(),
        transaction_code: transaction_code.into(),
        bid_public_key: hex::encode(&bid_pk_bytes),
        enc: hex::encode(enc.to_bytes()),
        custodian_public_key: custodian_hex,
        wrapped_key: WrappedKey {
            enc: hex::encode(wrapped_enc.to_bytes()),
            ct: hex::encode(wrapped_ct),
        },
    };
    Ok(SealedFile {
        file: encode_sealed(&header, &ct),
        key: BidKeyFile {
            transaction_code: transaction_code.into(),
            public_key: hex::encode(&bid_pk_bytes),
            private_key: hex::encode(sk_bytes),
        },
    })
}

/// Why a sealed file did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// The key handed in is not the bid's key (nothing was tried; the bidder may try again).
    WrongKey,
    /// The right key, but the ciphertext does not authenticate: the file was sealed wrongly.
    Undecryptable,
}

/// Opens the bid layer with the bid private key (32 bytes). The key must be the one whose public
/// half the header names.
pub fn open_with_bid_key(parts: &SealedParts<'_>, bid_key: &[u8]) -> Result<Vec<u8>, OpenError> {
    let sk = PrivateKey::from_bytes(bid_key).map_err(|_| OpenError::WrongKey)?;
    if Kem::sk_to_pk(&sk).to_bytes().as_slice() != parts.bid_public_key.as_slice() {
        return Err(OpenError::WrongKey);
    }
    let enc = EncappedKey::from_bytes(&parts.enc).map_err(|_| OpenError::Undecryptable)?;
    hpke::single_shot_open::<AesGcm128, HkdfSha256, Kem>(
        &OpModeR::Base,
        &sk,
        &enc,
        &bid_info(&parts.header.transaction_code),
        parts.ciphertext,
        b"",
    )
    .map_err(|_| OpenError::Undecryptable)
}

/// Unwraps the bid private key with the custodian private key (rebuilt from shares).
pub fn unwrap_bid_key(parts: &SealedParts<'_>, custodian_key: &[u8]) -> Result<Vec<u8>, OpenError> {
    let sk = PrivateKey::from_bytes(custodian_key).map_err(|_| OpenError::WrongKey)?;
    if Kem::sk_to_pk(&sk).to_bytes().as_slice() != parts.custodian_public_key.as_slice() {
        return Err(OpenError::WrongKey);
    }
    let enc = EncappedKey::from_bytes(&parts.wrapped_enc).map_err(|_| OpenError::Undecryptable)?;
    hpke::single_shot_open::<AesGcm128, HkdfSha256, Kem>(
        &OpModeR::Base,
        &sk,
        &enc,
        &wrap_info(&parts.header.transaction_code),
        &parts.wrapped_ct,
        &parts.bid_public_key,
    )
    .map_err(|_| OpenError::Undecryptable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use yiwang_core::trading::sealing::{encode_plaintext, parse_plaintext, parse_sealed};

    #[test]
    fn a_bid_opens_with_its_key_or_through_a_custodian_quorum_only() {
        let custodians = generate_custodian_key(3, 5).unwrap();
        let plaintext = encode_plaintext(
            Decimal::new(123_456, 2),
            Some(90),
            "bid.pdf",
            b"%PDF-1.7 bid",
        );
        let sealed = seal("A01-1", &custodians.public_key, &plaintext).unwrap();
        assert!(!sealed.file.windows(8).any(|w| w == b"%PDF-1.7"));
        let parts = parse_sealed(&sealed.file).unwrap();
        let opened = open_with_bid_key(&parts, &sealed.key.private_key_bytes()).unwrap();
        assert_eq!(
            parse_plaintext(&opened).unwrap().price,
            Decimal::new(123_456, 2)
        );
        // Another key is refused before anything is tried.
        let other = seal("A01-1", &custodians.public_key, b"x").unwrap();
        assert_eq!(
            open_with_bid_key(&parts, &other.key.private_key_bytes()),
            Err(OpenError::WrongKey)
        );
        // A changed ciphertext byte does not authenticate.
        let mut changed = sealed.file.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        let changed_parts = parse_sealed(&changed).unwrap();
        assert_eq!(
            open_with_bid_key(&changed_parts, &sealed.key.private_key_bytes()),
            Err(OpenError::Undecryptable)
        );
        // Any 3 of the 5 shares rebuild the custodian key; 2 do not.
        let quorum = vec![
            custodians.shares[4].clone(),
            custodians.shares[1].clone(),
            custodians.shares[2].clone(),
        ];
        let ck = custodian_secret(&quorum, &custodians.public_key).unwrap();
        let bid_key = unwrap_bid_key(&parts, &ck).unwrap();
        assert_eq!(bid_key, sealed.key.private_key_bytes());
        assert_eq!(
            custodian_secret(&quorum[..2], &custodians.public_key)
                .unwrap_err()
                .code,
            "trading.custody.too_few"
        );
        // Shares of another ceremony do not fit this key.
        let others = generate_custodian_key(3, 5).unwrap();
        assert_eq!(
            custodian_secret(&others.shares[..3], &custodians.public_key)
                .unwrap_err()
                .code,
            "trading.custody.mismatch"
        );
        // A bid sealed for another section is refused by its info binding.
        let mut moved = parts.clone();
        moved.header.transaction_code = "A01-2".into();
        assert_eq!(
            open_with_bid_key(&moved, &sealed.key.private_key_bytes()),
            Err(OpenError::Undecryptable)
        );
        assert!(check_public_key("04").is_err());
        assert!(check_public_key(&"04".repeat(65)).is_err());
    }
}
