//! Password hashing with argon2id (m=19456 KiB, t=2, p=1: the OWASP
//! recommendation). Hashing runs on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ApiResult};

pub const MAX_PASSWORD_LEN: usize = 128;

fn argon2() -> ApiResult<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None).map_err(|_| ApiError::internal("invalid argon2 parameters"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password_blocking(password: &str) -> ApiResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::internal("password hashing failed"))
}

pub fn verify_password_blocking(hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    match argon2() {
        Ok(a) => a.verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|_| ApiError::internal("password hashing failed"))?
}

pub async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password_blocking(&hash, &password)).await.unwrap_or(false)
}

/// Checks a new password's shape (the emulator's password policy).
pub fn check_new_password(password: &str) -> ApiResult<()> {
    if password.is_empty() {
        return Err(ApiError::bad_request("password must not be empty").with_api_code(2001));
    }
    if password.chars().count() > MAX_PASSWORD_LEN {
        return Err(ApiError::bad_request("password must be at most 128 characters").with_api_code(2001));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password_blocking("s3cret").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password_blocking(&h, "s3cret"));
        assert!(!verify_password_blocking(&h, "wrong"));
        assert!(!verify_password_blocking("not a hash", "s3cret"));
    }
}
