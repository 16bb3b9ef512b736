//! Tokens for forms shown before a session exists (the sign-in form): the platform issues them,
//! so a page cannot be made to accept a pair of values an attacker chose. A token is
//! `expiry.nonce.mac` with an HMAC-SM3 over expiry and nonce, keyed by a key derived from the
//! platform's signing key — the same on every node, so any node checks what another issued.

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sm3::Sm3;
use yiwang_core::ledger::PlatformKey;

type HmacSm3 = Hmac<Sm3>;

/// How long a pre-session form stays valid.
pub const FORM_TOKEN_SECS: i64 = 3600;

const LABEL: &[u8] = b"yiwang/pre-session-form/v1";

/// The forms key: an HMAC of a fixed label under the platform's secret key, so that it is never
/// the signing key itself.
pub fn derive_key(key: &PlatformKey) -> [u8; 32] {
    let mut mac = HmacSm3::new_from_slice(key.secret_hex().as_bytes()).expect("any key length");
    mac.update(LABEL);
    mac.finalize().into_bytes().into()
}

fn mac_of(key: &[u8; 32], expires: i64, nonce: &str) -> HmacSm3 {
    let mut mac = HmacSm3::new_from_slice(key).expect("any key length");
    mac.update(format!("{expires}.{nonce}").as_bytes());
    mac
}

/// A fresh token, valid for [`FORM_TOKEN_SECS`] from `now` (microseconds).
pub fn issue(key: &[u8; 32], now: i64) -> String {
    let mut nonce = [0u8; 16];
    rand::rng().fill(&mut nonce);
    let nonce = hex::encode(nonce);
    let expires = now / 1_000_000 + FORM_TOKEN_SECS;
    let tag = mac_of(key, expires, &nonce).finalize().into_bytes();
    format!("{expires}.{nonce}.{}", hex::encode(tag))
}

/// True when `token` was issued under `key` and has not expired at `now` (microseconds).
pub fn check(key: &[u8; 32], token: &str, now: i64) -> bool {
    let mut parts = token.splitn(3, '.');
    let (Some(expires), Some(nonce), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return false;
    };
    let Ok(tag) = hex::decode(tag) else {
        return false;
    };
    if nonce.len() != 32 || expires <= now / 1_000_000 {
        return false;
    }
    // Constant-time comparison of the tag.
    mac_of(key, expires, nonce).verify_slice(&tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000_000_000;

    #[test]
    fn issued_tokens_check_until_they_expire() {
        let key = derive_key(&PlatformKey::generate());
        let t = issue(&key, NOW);
        assert!(check(&key, &t, NOW));
        assert!(check(&key, &t, NOW + (FORM_TOKEN_SECS - 1) * 1_000_000));
        assert!(!check(&key, &t, NOW + FORM_TOKEN_SECS * 1_000_000));
    }

    #[test]
    fn chosen_forged_or_foreign_tokens_fail() {
        let key = derive_key(&PlatformKey::generate());
        let other = derive_key(&PlatformKey::generate());
        assert_ne!(key, other);
        let t = issue(&key, NOW);
        assert!(!check(&other, &t, NOW), "another platform's key");
        for bad in ["", "x", "x.y.z", "1.2.3", &t[..t.len() - 1]] {
            assert!(!check(&key, bad, NOW), "{bad:?}");
        }
        // A later expiry with the old tag: the tag covers the expiry.
        let (exp, rest) = t.split_once('.').unwrap();
        let later = format!("{}.{rest}", exp.parse::<i64>().unwrap() + 86_400);
        assert!(!check(&key, &later, NOW));
        // One changed hex digit of the tag.
        let mut bytes = t.clone().into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        assert!(!check(&key, &String::from_utf8(bytes).unwrap(), NOW));
    }

    #[test]
    fn the_key_is_stable_for_one_signing_key() {
        let k = PlatformKey::generate();
        let again = PlatformKey::from_secret_hex(&k.secret_hex()).unwrap();
        assert_eq!(derive_key(&k), derive_key(&again));
    }
}
