//! argon2id hashing of the credential string the client sends (llfc clients send an
//! XOR-obfuscated string; it is treated as opaque). Hashing runs on the blocking pool, at most
//! [`MAX_CONCURRENT_HASHES`] at once, so a login storm cannot exhaust memory.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// What argon2's `hash_password` makes (argon2id, v19, default parameters, a random 16-byte
/// salt), with the memory from [`MEMORY`].
fn hash_now(password: &str) -> Option<String> {
    let (algorithm, version, params) = (Algorithm::Argon2id, Version::V0x13, Params::DEFAULT);
    let salt = Salt::new(&argon2::password_hash::try_generate_salt().ok()?).ok()?;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password.as_bytes(),
            &salt,
            &mut output,
            memory,
        )
    })
    .ok()?;
    let hash = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(salt),
        hash: Some(Output::new(&output).ok()?),
    };
    Some(hash.to_string())
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

thread_local! {
    /// This blocking thread's argon2 working memory, kept between verifications: allocating
    /// 19 MiB per hash cost a login storm a tenth of its CPU in page faults and zeroing. It
    /// goes with its thread (tokio ends idle blocking threads after 10 s); at most
    /// [`MAX_CONCURRENT_HASHES`] threads hash at once.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Working memory larger than the default parameters' is not kept.
const KEPT_BLOCKS: usize = Params::DEFAULT.block_count();

/// What argon2's `verify_password` does (the stored hash's algorithm, version, parameters and
/// salt; a constant-time comparison), with the memory from [`MEMORY`].
fn verify_now(password: &str, stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(hash.algorithm.as_str()),
        hash.version.map(Version::try_from).transpose(),
        Params::try_from(&hash),
    ) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut computed = [0u8; Output::MAX_LENGTH];
    let Some(computed) = computed.get_mut(..expected.len()) else { return false };
    let hashed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, computed, memory)
    });
    hashed.is_ok() && Output::new(computed).is_ok_and(|computed| computed == *expected)
}

/// Runs `hash` on `blocks` blocks of this thread's kept memory (fresh memory past
/// [`KEPT_BLOCKS`]). Argon2 writes every block before it reads it, so what an earlier hash
/// left there does no harm.
fn with_memory<T>(blocks: usize, hash: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with_borrow_mut(|kept| {
        let mut scratch = Vec::new();
        let memory = if blocks <= KEPT_BLOCKS { kept } else { &mut scratch };
        memory.resize(memory.len().max(blocks), Block::default());
        hash(&mut memory[..blocks])
    })
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

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};
    use argon2::{Algorithm, Argon2, Params, Version};

    use super::{load_test_hash, verify_now};

    fn hash_with(algorithm: Algorithm, version: Version, params: Params, password: &str) -> String {
        Argon2::new(algorithm, version, params).hash_password(password.as_bytes()).unwrap().to_string()
    }

    #[test]
    fn verification_agrees_with_argon2_across_reused_memory() {
        let default = Argon2::default().hash_password(b"right").unwrap().to_string();
        let tiny = load_test_hash("right").unwrap();
        let v10 = hash_with(Algorithm::Argon2i, Version::V0x10, Params::new(64, 2, 2, Some(16)).unwrap(), "right");
        let big = hash_with(
            Algorithm::Argon2d,
            Version::V0x13,
            Params::new(super::KEPT_BLOCKS as u32 + 8, 1, 1, None).unwrap(),
            "right",
        );
        // One thread, so each verification runs on memory the previous one left, of another size.
        for stored in [&default, &tiny, &default, &v10, &big, &default, &tiny] {
            assert!(verify_now("right", stored), "{stored}");
            assert!(!verify_now("wrong", stored), "{stored}");
            assert!(!verify_now("righ", stored), "{stored}");
        }
        // Our hashes are argon2's own: its verifier accepts them, with the default parameters.
        let ours = super::hash_now("right").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        let parsed = argon2::password_hash::phc::PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"right", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
        assert!(verify_now("right", &ours) && !verify_now("wrong", &ours));
        assert_ne!(ours, super::hash_now("right").unwrap(), "a fresh salt each time");
        assert!(!verify_now("right", "not a hash"));
        assert!(!verify_now("right", &default.replace("argon2id", "argon2x")));
        let no_output = default.rsplit_once('$').unwrap().0;
        assert!(!verify_now("right", no_output));
    }
}
