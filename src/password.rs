//! Password hashing with argon2id, off the async threads.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory one hashing holds while it runs.
pub const MIB_PER_HASH: usize = 19;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// The memory of one hashing, kept by the slots and used again.
type Memory = Vec<Block>;

/// How many hashings the server runs at once, each in memory of its slot's own.
/// Unbounded, a burst of logins takes the memory of the machine (and more
/// hashings than cores only queue for them anyway); and memory freed after each
/// hashing is kept by the allocator's per-thread arenas, so the slots keep their
/// 19 MiB and use it again: at most `slots × 19 MiB`, whatever the load.
#[derive(Clone)]
pub struct HashingSlots {
    slots: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Memory>>>,
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
            memory: Arc::default(),
            wait: Duration::from_secs(2),
        }
    }

    /// A slot, held until the hashing that takes it has finished (even when the
    /// request that asked for it is gone).
    pub async fn take(&self) -> Result<HashingSlot, Busy> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => {
                let memory = self.memory.lock().expect("not poisoned").pop();
                Ok(HashingSlot {
                    _permit: permit,
                    memory: memory.unwrap_or_default(),
                    kept: self.memory.clone(),
                })
            }
            _ => Err(Busy),
        }
    }
}

/// Holds its slot until dropped, after the hashing, and gives its memory back.
pub struct HashingSlot {
    _permit: OwnedSemaphorePermit,
    memory: Memory,
    kept: Arc<Mutex<Vec<Memory>>>,
}

impl Drop for HashingSlot {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        if !memory.is_empty()
            && let Ok(mut kept) = self.kept.lock()
        {
            kept.push(memory);
        }
    }
}

impl HashingSlot {
    pub async fn hash(mut self, password: String) -> anyhow::Result<String> {
        tokio::task::spawn_blocking(move || hash_in(&mut self.memory, &password)).await?
    }

    /// Checks a password against a stored hash. With no hash (unknown user) it
    /// checks against a fixed one, so that the answer takes as long either way.
    pub async fn verify(
        mut self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<bool> {
        tokio::task::spawn_blocking(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
            Ok(verify_in(&mut self.memory, &password, &stored)? && known)
        })
        .await?
    }
}

/// Hashes without a slot: for the command line and the demo loader.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// `memory`, grown to what `params` needs, as argon2's working memory.
fn blocks<'a>(memory: &'a mut Memory, params: &Params) -> &'a mut [Block] {
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    &mut memory[..params.block_count()]
}

/// What `Argon2::hash_password` does, in the given memory.
fn hash_in(memory: &mut Memory, password: &str) -> anyhow::Result<String> {
    let fail = |e: argon2::password_hash::Error| anyhow::anyhow!("hashing failed: {e}");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(fail)?;
    let params = params();
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(hasher().hash_password_into_with_memory(
            password.as_bytes(),
            raw_salt,
            out,
            blocks(memory, &params),
        )?)
    })
    .map_err(fail)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(fail)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// What `PasswordVerifier::verify_password` does, in the given memory: the
/// stored hash's own algorithm and parameters, compared in constant time.
fn verify_in(memory: &mut Memory, password: &str, stored: &str) -> anyhow::Result<bool> {
    let bad = |e: argon2::password_hash::Error| anyhow::anyhow!("bad stored hash: {e}");
    let parsed = PasswordHash::new(stored).map_err(bad)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(bad)?;
    let version = match parsed.version {
        Some(version) => Version::try_from(version).map_err(|e| bad(e.into()))?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(bad)?;
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(bad)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(
            password.as_bytes(),
            raw_salt,
            out,
            blocks(memory, &params),
        )?)
    })
    .map_err(bad)?;
    // `Output` compares in constant time.
    Ok(computed == expected)
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

    #[test]
    fn hashes_made_in_a_slots_memory_are_argons_own() {
        let mut memory = Memory::new();
        let ours = hash_in(&mut memory, "remiss-demo").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let parsed = PasswordHash::new(&ours).unwrap();
        use argon2::password_hash::PasswordVerifier;
        assert!(hasher().verify_password(b"remiss-demo", &parsed).is_ok());
        let theirs = hasher()
            .hash_password(b"remiss-demo", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_in(&mut memory, "remiss-demo", &theirs).unwrap());
        assert!(!verify_in(&mut memory, "remiss-demo!", &theirs).unwrap());
        assert_eq!(memory.len(), 19 * 1024, "19 MiB of 1 KiB blocks, kept");
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
