//! Password hashing with argon2id, off the async threads.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory one hashing holds while it runs.
pub const MIB_PER_HASH: usize = 19;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many hashings the server runs at once. Each holds 19 MiB: unbounded, a
/// burst of logins takes the memory of the machine, and more hashings than cores
/// only queue for them anyway.
#[derive(Clone)]
pub struct HashingSlots {
    slots: Arc<Semaphore>,
    /// How long a login waits for a slot before it is told to come back.
    wait: Duration,
}

/// No slot came free in time: the server is busy, try again shortly.
#[derive(Debug, thiserror::Error)]
#[error("every password hashing slot is taken")]
pub struct Busy;

impl HashingSlots {
    /// As many slots as `memory_mib` holds (at least one).
    pub fn for_memory(memory_mib: usize) -> Self {
        HashingSlots {
            slots: Arc::new(Semaphore::new((memory_mib / MIB_PER_HASH).max(1))),
            wait: Duration::from_secs(2),
        }
    }

    /// A slot, held until the hashing that takes it has finished (even when the
    /// request that asked for it is gone).
    pub async fn take(&self) -> Result<HashingSlot, Busy> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashingSlot { _permit: permit }),
            _ => Err(Busy),
        }
    }
}

/// Holds its slot until dropped, after the hashing.
pub struct HashingSlot {
    _permit: OwnedSemaphorePermit,
}

impl HashingSlot {
    pub async fn hash(self, password: String) -> anyhow::Result<String> {
        tokio::task::spawn_blocking(move || {
            let _slot = self;
            hash_now(&password)
        })
        .await?
    }

    pub async fn verify(self, password: String, stored: Option<String>) -> anyhow::Result<bool> {
        tokio::task::spawn_blocking(move || {
            let _slot = self;
            verify_now(&password, stored)
        })
        .await?
    }
}

/// Hashes without a slot: for the command line and the demo loader.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    }
}

/// Checks a password against a stored hash. With no hash (unknown user) it checks
/// against a fixed one, so that the answer takes as long either way.
fn verify_now(password: &str, stored: Option<String>) -> anyhow::Result<bool> {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
    let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
    let matches = hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(known && matches)
}

/// The hash of a random password nobody knows, with the same parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0gS4Hq9nVJQ0fVnVb0WcS8Qo0bPq6z6Ww8X3mQe8m3k";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let slots = HashingSlots::for_memory(64);
        let hash = hash("remiss-demo".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let slot = slots.take().await.unwrap();
        assert!(
            slot.verify("remiss-demo".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        let slot = slots.take().await.unwrap();
        assert!(
            !slot
                .verify("remiss-demo!".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let slot = HashingSlots::for_memory(19).take().await.unwrap();
        assert!(!slot.verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn slots_are_counted_from_memory_and_taken_ones_are_refused() {
        let slots = HashingSlots {
            wait: Duration::from_millis(10),
            ..HashingSlots::for_memory(3 * MIB_PER_HASH + 5)
        };
        let held: Vec<_> = [(); 3]
            .iter()
            .map(|_| slots.slots.clone().try_acquire_owned().unwrap())
            .collect();
        assert!(
            slots.take().await.is_err(),
            "a fourth hashing waits, then is refused"
        );
        drop(held);
        assert!(slots.take().await.is_ok());
        assert!(
            HashingSlots::for_memory(1).take().await.is_ok(),
            "at least one"
        );
    }
}
