//! Secrets: random tokens, argon2 password and token hashes, keyed hashes (HMAC-SHA-256) for
//! form tokens and the rate-limit keys of client addresses.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use sha2::{Digest, Sha256};

use crate::ContribError;

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ContribError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ContribError::Random(e.to_string()))?;
    Ok(b)
}

/// A random token of 32 bytes, URL-safe (64 hex digits).
pub fn random_token() -> Result<String, ContribError> {
    Ok(hex(&random_bytes::<32>()?))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `data`, in hex (for high-entropy secrets: status tokens, session ids).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// HMAC-SHA-256 (RFC 2104).
pub fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Constant-time comparison.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An argon2id hash (PHC string) of a secret, with a random salt.
pub fn hash_secret(secret: &str) -> Result<String, ContribError> {
    let argon = argon2::Argon2::default();
    argon
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ContribError::Hash(e.to_string()))
}

/// Whether `secret` matches a hash made by [`hash_secret`].
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    argon2::Argon2::default()
        .verify_password(secret.as_bytes(), &parsed)
        .is_ok()
}

/// The form token of a form shown at `issued_at` (seconds): `<issued_at>.<hmac>`.
pub fn form_token(key: &[u8], issued_at: i64) -> String {
    format!(
        "{issued_at}.{}",
        hex(&hmac(key, format!("form:{issued_at}").as_bytes()))
    )
}

/// Why a form token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTokenError {
    /// Missing or not made by this server.
    Invalid,
    /// Sent less than the minimum delay after the form was shown (a robot).
    TooFast,
    /// The form was shown too long ago.
    Expired,
}

/// Checks a form token at `now`: made by this server, at least `min_delay` and at most
/// `max_age` seconds old.
pub fn check_form_token(
    key: &[u8],
    token: &str,
    now: i64,
    min_delay: i64,
    max_age: i64,
) -> Result<(), FormTokenError> {
    let Some((at, _)) = token.split_once('.') else {
        return Err(FormTokenError::Invalid);
    };
    let Ok(issued) = at.parse::<i64>() else {
        return Err(FormTokenError::Invalid);
    };
    if !same(form_token(key, issued).as_bytes(), token.as_bytes()) {
        return Err(FormTokenError::Invalid);
    }
    if now - issued < min_delay {
        return Err(FormTokenError::TooFast);
    }
    if now - issued > max_age {
        return Err(FormTokenError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn secrets_verify_only_themselves() {
        let h = hash_secret("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_secret("correct horse", &h));
        assert!(!verify_secret("correct horsf", &h));
        assert!(!verify_secret("correct horse", "not a hash"));
    }

    #[test]
    fn form_tokens_need_a_delay_and_expire() {
        let key = b"k";
        let t = form_token(key, 1000);
        assert_eq!(
            check_form_token(key, &t, 1001, 3, 7200),
            Err(FormTokenError::TooFast)
        );
        assert_eq!(check_form_token(key, &t, 1005, 3, 7200), Ok(()));
        assert_eq!(
            check_form_token(key, &t, 9000, 3, 7200),
            Err(FormTokenError::Expired)
        );
        assert_eq!(
            check_form_token(b"other", &t, 1005, 3, 7200),
            Err(FormTokenError::Invalid)
        );
        assert_eq!(
            check_form_token(key, "1000.00", 1005, 3, 7200),
            Err(FormTokenError::Invalid)
        );
    }
}
