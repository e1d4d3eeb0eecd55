//! argon2id hashing of the credential string the client sends (llfc clients send an
//! XOR-obfuscated string; it is treated as opaque). Hashing runs on the blocking pool, at most
//! [`MAX_CONCURRENT_HASHES`] at once, so a login storm cannot exhaust memory.

use std::sync::{Arc, LazyLock};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// argon2id with the default parameters uses ~19 MiB per hash.
pub const MAX_CONCURRENT_HASHES: usize = 8;

pub(crate) struct Hasher {
    slots: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher { slots: Arc::new(Semaphore::new(MAX_CONCURRENT_HASHES)) }
    }
}

/// A hash of a random string, verified against when the email is unknown so that a login for
/// a missing account costs as much as one for a real one.
static DECOY: LazyLock<String> = LazyLock::new(|| hash_now(&imchat_store::random_hex(16)).unwrap_or_default());

fn hash_now(password: &str) -> Option<String> {
    Argon2::default().hash_password(password.as_bytes()).ok().map(|hash| hash.to_string())
}

/// An argon2id hash with the smallest parameters (8 KiB, one pass), for the accounts that
/// `imchat-server seed` creates for load tests: their logins then measure the servers, not
/// argon2. Verification reads the parameters from the stored hash, so such accounts log in
/// through the normal path; accounts made by registration always get the default parameters.
pub fn load_test_hash(password: &str) -> Option<String> {
    let params = argon2::Params::new(8, 1, 1, None).ok()?;
    let argon2 = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    argon2.hash_password(password.as_bytes()).ok().map(|hash| hash.to_string())
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

impl Hasher {
    pub(crate) async fn hash(&self, password: String) -> Option<String> {
        let _slot = self.slots.acquire().await.ok()?;
        tokio::task::spawn_blocking(move || hash_now(&password)).await.ok().flatten()
    }

    /// Verifies `password` against `stored`, or against a decoy when there is no account.
    pub(crate) async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let Ok(_slot) = self.slots.acquire().await else { return false };
        tokio::task::spawn_blocking(move || match stored {
            Some(stored) => verify_now(&password, &stored),
            None => {
                verify_now(&password, &DECOY);
                false
            }
        })
        .await
        .unwrap_or(false)
    }
}
