//! Unit tests of key derivation, wrapping and sealing.

use std::collections::HashSet;
use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use kimberlite_protocol::TenantId;
use sha2::Sha256;

use super::wrapped::{unwrap, wrap};
use super::{CryptoError, DataKey, MasterKey};

#[test]
fn the_kek_is_hkdf_sha256_of_the_master_key_with_the_documented_salt_and_info() {
    let master = [9u8; 32];
    let mut expected = [0u8; 32];
    Hkdf::<Sha256>::new(Some(b"kimberlite"), &master)
        .expand(b"kimberlite/kek/v1", &mut expected)
        .unwrap();
    let independent = Aes256Gcm::new((&expected).into());
    let ours = MasterKey::from_bytes(master)
        .key_encryption_cipher()
        .unwrap();
    let nonce = &Nonce::from([1; 12]);
    let message = Payload {
        msg: b"probe",
        aad: b"aad",
    };
    assert_eq!(
        ours.encrypt(nonce, message).unwrap(),
        independent
            .encrypt(
                nonce,
                Payload {
                    msg: b"probe",
                    aad: b"aad"
                }
            )
            .unwrap()
    );
}

#[test]
fn wrapped_keys_are_bound_to_their_tenant_and_master() {
    let kek = MasterKey::from_bytes([1; 32])
        .key_encryption_cipher()
        .unwrap();
    let key = [42u8; 32];
    let file = wrap(&kek, TenantId(5), &key).unwrap();
    let path = Path::new("5.key");
    assert_eq!(*unwrap(&kek, TenantId(5), &file, path).unwrap(), key);
    assert!(matches!(
        unwrap(&kek, TenantId(6), &file, path),
        Err(CryptoError::InvalidKeyFile { .. })
    ));
    let mut relabelled = file;
    relabelled[8..16].copy_from_slice(&6u64.to_be_bytes());
    assert!(matches!(
        unwrap(&kek, TenantId(6), &relabelled, path),
        Err(CryptoError::UnwrapFailed { tenant: 6 })
    ));
    let other = MasterKey::from_bytes([2; 32])
        .key_encryption_cipher()
        .unwrap();
    assert!(matches!(
        unwrap(&other, TenantId(5), &file, path),
        Err(CryptoError::UnwrapFailed { tenant: 5 })
    ));
}

#[test]
fn sealed_payloads_open_only_with_the_same_key_aad_and_bytes() {
    let key = DataKey::from_bytes(&[3; 32]);
    let (nonce, sealed) = key.seal(b"aad", b"payload").unwrap();
    assert_eq!(sealed.len(), b"payload".len() + super::TAG_BYTES);
    assert_eq!(key.open(b"aad", &nonce, &sealed).unwrap(), b"payload");
    assert!(matches!(
        key.open(b"other", &nonce, &sealed),
        Err(CryptoError::OpenFailed)
    ));
    let mut flipped = sealed.clone();
    flipped[0] ^= 1;
    assert!(matches!(
        key.open(b"aad", &nonce, &flipped),
        Err(CryptoError::OpenFailed)
    ));
    let other = DataKey::from_bytes(&[4; 32]);
    assert!(matches!(
        other.open(b"aad", &nonce, &sealed),
        Err(CryptoError::OpenFailed)
    ));
}

#[test]
fn nonces_do_not_repeat() {
    let key = DataKey::from_bytes(&[5; 32]);
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let (nonce, _) = key.seal(b"", b"x").unwrap();
        assert!(seen.insert(nonce), "nonce repeated");
    }
}

#[test]
fn nonces_do_not_repeat_across_threads() {
    // Each thread has its own generator; each must be seeded on its own.
    let key = std::sync::Arc::new(DataKey::from_bytes(&[6; 32]));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let key = key.clone();
            std::thread::spawn(move || {
                (0..2_000)
                    .map(|_| key.seal(b"", b"x").unwrap().0)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for thread in threads {
        for nonce in thread.join().unwrap() {
            assert!(seen.insert(nonce), "nonce repeated across threads");
        }
    }
}

#[test]
fn debug_output_shows_no_key_material() {
    let master = MasterKey::from_bytes([0xAB; 32]);
    let key = DataKey::from_bytes(&[0xCD; 32]);
    let text = format!("{master:?} {key:?}");
    assert!(
        !text.contains("171") && !text.to_lowercase().contains("ab, "),
        "{text}"
    );
    assert_eq!(text, "MasterKey(..) DataKey(..)");
}
