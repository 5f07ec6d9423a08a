//! The password policy every account creation and change goes through: the
//! web forms, the command line and the store itself call [`check`].
//!
//! Length is what resists guessing, so the rule is a minimum length plus a
//! refusal of the passwords attackers try first (a vendored list, see
//! `data/README.md`) and of the username itself; no composition rules, which
//! mostly produce `Password1!`.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Fewer characters than this are refused.
pub const MIN_CHARS: usize = 10;
/// Argon2 hashes any length, but a megabyte "password" is only a way to spend the server's time.
pub const MAX_CHARS: usize = 128;

static COMMON: LazyLock<HashSet<String>> =
    LazyLock::new(|| include_str!("../data/common-passwords.txt").lines().map(|l| l.trim().to_lowercase()).collect());

/// Whether `password` is on the list of common passwords (case ignored).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(&password.trim().to_lowercase())
}

/// Why a password is refused, in Chinese naming the field; `Ok` if it may be used for `username`.
pub fn check(username: &str, password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(format!("密码至少需要{MIN_CHARS}个字符（现为{n}个）"));
    }
    if n > MAX_CHARS {
        return Err(format!("密码不能超过{MAX_CHARS}个字符"));
    }
    if password.trim().to_lowercase() == username.trim().to_lowercase() {
        return Err("密码不能与用户名相同".into());
    }
    if is_common(password) {
        return Err("密码过于常见，容易被猜中，请换一个更长、更不常见的密码".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_username_passwords_are_refused() {
        for short in ["12345678", "password", "shanting", "短密码"] {
            let e = check("someone", short).unwrap_err();
            assert!(e.contains("密码") && e.contains("10"), "{short}: {e}");
        }
        assert!(check("AdministratorX", "administratorx").unwrap_err().contains("用户名"));
        for common in ["1234567890", "qwertyuiop", "Password123", "PASSWORD123", "1q2w3e4r5t"] {
            assert!(check("someone", common).unwrap_err().contains("常见"), "{common}");
        }
        assert!(check("someone", &"x".repeat(129)).is_err());
        assert!(check("admin", "shanting-demo").is_ok(), "the demo password satisfies the policy");
        assert!(check("someone", "correct horse battery").is_ok());
    }

    #[test]
    fn the_list_is_loaded() {
        assert!(COMMON.len() > 2000, "{}", COMMON.len());
    }
}
