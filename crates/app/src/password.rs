//! Passwords: argon2id (the crate's default parameters, Argon2id v19) in PHC string form.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use yiwang_core::Problem;

/// Minimum length; the rest of a password policy belongs to the identity provider.
pub const MIN_LEN: usize = 8;

pub fn check_policy(password: &str) -> Result<(), Problem> {
    if password.chars().count() < MIN_LEN || password.len() > 256 {
        return Err(Problem::invalid(
            "password.policy",
            format!("密码长度须为{MIN_LEN}至256个字符"),
            format!("A password must be {MIN_LEN} to 256 characters long"),
        ));
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with default parameters")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user does not exist, so that timing does not reveal which
/// usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not-a-real-password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsE", &h));
        assert!(!verify("x", "not a phc string"));
    }

    #[test]
    fn policy_rejects_short_passwords() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("long enough").is_ok());
    }
}
