//! Password checks on a few long-lived threads, each with its own Argon2 working memory,
//! allocated once and reused.
//!
//! An Argon2id check with the default parameters needs 19 MiB. Allocated per check on the
//! runtime's blocking threads, that memory stayed with the process: the allocator raises its
//! mapping threshold after the first free and then keeps each thread's freed 19 MiB for
//! later (the attack review saw 150 parallel wrong logins take the server from 1.8 to
//! 3.4 GiB, and stay there). Here the number of threads, and so the memory, is fixed.

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

/// Threads that check passwords, for the whole process (every store shares them).
const WORKERS: usize = 2;

struct Job {
    password: String,
    hash: String,
    reply: tokio::sync::oneshot::Sender<bool>,
}

fn workers() -> Option<&'static mpsc::Sender<Job>> {
    static SENDER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    SENDER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Job>();
            let rx = Arc::new(Mutex::new(rx));
            for i in 0..WORKERS {
                let rx = Arc::clone(&rx);
                let spawned = std::thread::Builder::new()
                    .name(format!("password-check-{i}"))
                    .spawn(move || {
                        let mut memory: Vec<Block> = Vec::new();
                        loop {
                            // A poisoned lock only means another worker panicked while
                            // holding the receiver; the receiver itself is fine.
                            let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                            let Ok(job) = job else { return };
                            let ok = verify_with(&mut memory, &job.password, &job.hash);
                            let _ = job.reply.send(ok);
                        }
                    });
                if spawned.is_err() {
                    return None;
                }
            }
            Some(tx)
        })
        .as_ref()
}

/// Whether `password` matches the PHC string `hash`, checked on one of the workers.
pub(crate) async fn verify(password: String, hash: String) -> bool {
    let Some(tx) = workers() else {
        // No thread could be started: check here, off the async threads, as before.
        return tokio::task::spawn_blocking(move || verify_with(&mut Vec::new(), &password, &hash))
            .await
            .unwrap_or(false);
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    if tx
        .send(Job {
            password,
            hash,
            reply,
        })
        .is_err()
    {
        return false;
    }
    answer.await.unwrap_or(false)
}

/// The check itself, in `memory` (grown to what the hash's parameters need, then kept).
fn verify_with(memory: &mut Vec<Block>, password: &str, phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(h.algorithm), Params::try_from(&h))
    else {
        return false;
    };
    let version = match h.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    argon
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..needed])
        .is_ok()
        // `Output` compares in constant time.
        && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn the_workers_agree_with_the_reference_check() {
        let hash = crate::accounts::hash_password("mat-khau-dung-1").unwrap();
        assert!(verify("mat-khau-dung-1".into(), hash.clone()).await);
        assert!(!verify("mat-khau-sai-1".into(), hash.clone()).await);
        assert!(!verify("mat-khau-dung-1".into(), "not a hash".into()).await);
        // Memory from a check is reused by the next, whatever the order of hashes.
        let mut memory = Vec::new();
        assert!(verify_with(&mut memory, "mat-khau-dung-1", &hash));
        let grown = memory.len();
        assert!(grown > 0);
        assert!(!verify_with(&mut memory, "khac", &hash));
        assert_eq!(memory.len(), grown);
        // The same answers as the crate's own check, for right, wrong and odd inputs.
        for (pw, phc) in [
            ("mat-khau-dung-1", hash.as_str()),
            ("", hash.as_str()),
            (
                "mat-khau-dung-1",
                "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$AAAA",
            ),
            (
                "x",
                "$argon2i$v=16$m=8,t=1,p=1$c2FsdHNhbHQ$zVj1d2Z1Q1dLnE1r4x7BbQ",
            ),
        ] {
            assert_eq!(
                verify_with(&mut memory, pw, phc),
                crate::accounts::verify_password(pw, phc),
                "{pw} {phc}"
            );
        }
    }
}
