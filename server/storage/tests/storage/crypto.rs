//! Keys and encryption at rest: key files, wrapping, erasure, sealing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use kimberlite_protocol::TenantId;
use kimberlite_storage::crypto::{
    CryptoError, KeyStore, MasterKey, SigningKeyFile, WRAPPED_KEY_BYTES,
};
use kimberlite_storage::io::fault::FaultVfs;
use kimberlite_storage::io::os::OsVfs;
use kimberlite_storage::io::Vfs;

/// A data directory on the real file system with its keys directory.
fn keys_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let keys = temp.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    (temp, keys)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_files_are_0600_and_never_overwritten() {
    let (_temp, keys) = keys_dir();
    let master = MasterKey::create(&OsVfs, &keys.join("master.key")).unwrap();
    let signing = SigningKeyFile::create(&OsVfs, &keys.join("signing.key")).unwrap();
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    store.create_tenant_key(TenantId(1)).unwrap();
    for name in ["master.key", "signing.key", "tenants/1.key"] {
        assert_eq!(mode(&keys.join(name)), 0o600, "{name}");
    }
    assert_eq!(std::fs::read(keys.join("master.key")).unwrap().len(), 32);
    assert_eq!(
        std::fs::read(keys.join("signing.key")).unwrap(),
        signing.to_bytes()
    );
    assert_eq!(
        std::fs::read(keys.join("tenants/1.key")).unwrap().len(),
        WRAPPED_KEY_BYTES
    );
    assert!(matches!(
        MasterKey::create(&OsVfs, &keys.join("master.key")),
        Err(CryptoError::AlreadyExists { .. })
    ));
    assert!(matches!(
        SigningKeyFile::create(&OsVfs, &keys.join("signing.key")),
        Err(CryptoError::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.create_tenant_key(TenantId(1)),
        Err(CryptoError::AlreadyExists { .. })
    ));
    let leftovers: Vec<_> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn keys_round_trip_through_their_files() {
    let (_temp, keys) = keys_dir();
    let master = MasterKey::create(&OsVfs, &keys.join("master.key")).unwrap();
    let signing = SigningKeyFile::create(&OsVfs, &keys.join("signing.key")).unwrap();
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    let key = store.create_tenant_key(TenantId(9)).unwrap();
    let (nonce, sealed) = key.seal(b"record 0", b"payload").unwrap();

    let master = MasterKey::load(&OsVfs, &keys.join("master.key")).unwrap();
    let loaded = SigningKeyFile::load(&OsVfs, &keys.join("signing.key")).unwrap();
    assert_eq!(loaded.verifying_key(), signing.verifying_key());
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    let key = store.data_key(TenantId(9)).unwrap();
    assert_eq!(key.open(b"record 0", &nonce, &sealed).unwrap(), b"payload");
    assert!(matches!(
        store.data_key(TenantId(10)),
        Err(CryptoError::KeyNotFound { tenant: 10 })
    ));
    assert!(store.tenant_key(TenantId(10)).unwrap().is_none());
}

#[test]
fn a_wrong_master_key_cannot_unwrap() {
    let (_temp, keys) = keys_dir();
    let master = MasterKey::create(&OsVfs, &keys.join("master.key")).unwrap();
    KeyStore::open(Arc::new(OsVfs), &keys, &master)
        .unwrap()
        .create_tenant_key(TenantId(3))
        .unwrap();
    let wrong = MasterKey::from_bytes([0x55; 32]);
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &wrong).unwrap();
    assert!(matches!(
        store.data_key(TenantId(3)),
        Err(CryptoError::UnwrapFailed { tenant: 3 })
    ));
}

#[test]
fn a_key_file_moved_to_another_tenant_is_refused() {
    let (_temp, keys) = keys_dir();
    let master = MasterKey::create(&OsVfs, &keys.join("master.key")).unwrap();
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    store.create_tenant_key(TenantId(1)).unwrap();
    std::fs::copy(keys.join("tenants/1.key"), keys.join("tenants/2.key")).unwrap();
    assert!(matches!(
        store.data_key(TenantId(2)),
        Err(CryptoError::InvalidKeyFile { .. } | CryptoError::UnwrapFailed { .. })
    ));
}

#[test]
fn damaged_key_files_are_refused() {
    let (_temp, keys) = keys_dir();
    std::fs::write(keys.join("master.key"), [1u8; 31]).unwrap();
    assert!(matches!(
        MasterKey::load(&OsVfs, &keys.join("master.key")),
        Err(CryptoError::InvalidKeyFile { .. })
    ));
    std::fs::write(keys.join("signing.key"), [1u8; 64]).unwrap();
    assert!(matches!(
        SigningKeyFile::load(&OsVfs, &keys.join("signing.key")),
        Err(CryptoError::InvalidKeyFile { .. })
    ));
    assert!(matches!(
        MasterKey::load(&OsVfs, &keys.join("missing.key")),
        Err(CryptoError::InvalidKeyFile { .. })
    ));
    let master = MasterKey::from_bytes([1; 32]);
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    store.create_tenant_key(TenantId(4)).unwrap();
    let path = keys.join("tenants/4.key");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let fresh = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    assert!(matches!(
        fresh.data_key(TenantId(4)),
        Err(CryptoError::UnwrapFailed { tenant: 4 })
    ));
}

#[test]
fn erasure_destroys_the_key_for_good() {
    let (_temp, keys) = keys_dir();
    let master = MasterKey::create(&OsVfs, &keys.join("master.key")).unwrap();
    let store = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    let key = store.create_tenant_key(TenantId(5)).unwrap();
    let (nonce, sealed) = key.seal(b"aad", b"secret").unwrap();
    let wrapped = std::fs::read(keys.join("tenants/5.key")).unwrap();
    drop(key);
    store.destroy_tenant_key(TenantId(5)).unwrap();
    assert!(!keys.join("tenants/5.key").exists());
    assert!(matches!(
        store.data_key(TenantId(5)),
        Err(CryptoError::KeyErased { tenant: 5 })
    ));
    assert!(store.is_erased(TenantId(5)).unwrap());
    assert!(store.tenant_key(TenantId(5)).unwrap().is_none());
    store.destroy_tenant_key(TenantId(5)).unwrap();
    assert!(matches!(
        store.create_tenant_key(TenantId(5)),
        Err(CryptoError::KeyErased { .. })
    ));
    let reopened = KeyStore::open(Arc::new(OsVfs), &keys, &master).unwrap();
    assert!(matches!(
        reopened.data_key(TenantId(5)),
        Err(CryptoError::KeyErased { tenant: 5 })
    ));
    // Only a copy of the wrapped key taken before erasure could open the data.
    std::fs::write(keys.join("tenants/5.key"), &wrapped).unwrap();
    assert!(matches!(
        reopened.data_key(TenantId(5)),
        Err(CryptoError::KeyErased { .. })
    ));
    assert!(!sealed.is_empty() && nonce.len() == 12);
}

#[test]
fn erasure_survives_power_loss_and_a_half_done_erasure_reads_as_erased() {
    let vfs = FaultVfs::new(0);
    let shared: Arc<dyn Vfs> = Arc::new(vfs.clone());
    let keys = Path::new("/db/keys");
    vfs.create_dir_all(keys).unwrap();
    vfs.sync_dir(Path::new("/db")).unwrap();
    let master = MasterKey::create(&vfs, &keys.join("master.key")).unwrap();
    let store = KeyStore::open(shared.clone(), keys, &master).unwrap();
    store.create_tenant_key(TenantId(1)).unwrap();
    store.create_tenant_key(TenantId(2)).unwrap();
    store.destroy_tenant_key(TenantId(1)).unwrap();
    vfs.power_loss(11);
    let master = MasterKey::load(&vfs, &keys.join("master.key")).unwrap();
    let store = KeyStore::open(shared.clone(), keys, &master).unwrap();
    assert!(matches!(
        store.data_key(TenantId(1)),
        Err(CryptoError::KeyErased { .. })
    ));
    store.data_key(TenantId(2)).unwrap();

    // An erasure cut short after the overwrite: the zeroed file means erased.
    let path = keys.join("tenants/2.key");
    let file = vfs
        .open(&path, kimberlite_storage::io::OpenMode::Existing)
        .unwrap();
    file.write_all_at(&[0; WRAPPED_KEY_BYTES], 0).unwrap();
    file.sync_data().unwrap();
    let store = KeyStore::open(shared, keys, &master).unwrap();
    assert!(matches!(
        store.data_key(TenantId(2)),
        Err(CryptoError::KeyErased { .. })
    ));
    store.destroy_tenant_key(TenantId(2)).unwrap();
    assert!(!vfs.exists(&path));
}

#[test]
fn created_keys_survive_power_loss() {
    for seed in 0..30 {
        let vfs = FaultVfs::new(seed);
        let keys = Path::new("/db/keys");
        vfs.create_dir_all(keys).unwrap();
        vfs.sync_dir(Path::new("/db")).unwrap();
        let master = MasterKey::create(&vfs, &keys.join("master.key")).unwrap();
        let signing = SigningKeyFile::create(&vfs, &keys.join("signing.key")).unwrap();
        let store = KeyStore::open(Arc::new(vfs.clone()), keys, &master).unwrap();
        let key = store.create_tenant_key(TenantId(8)).unwrap();
        let (nonce, sealed) = key.seal(b"", b"kept").unwrap();
        vfs.power_loss(seed);
        let master = MasterKey::load(&vfs, &keys.join("master.key")).unwrap();
        let loaded = SigningKeyFile::load(&vfs, &keys.join("signing.key")).unwrap();
        assert_eq!(
            loaded.verifying_key(),
            signing.verifying_key(),
            "seed {seed}"
        );
        let store = KeyStore::open(Arc::new(vfs.clone()), keys, &master).unwrap();
        let key = store.data_key(TenantId(8)).unwrap();
        assert_eq!(
            key.open(b"", &nonce, &sealed).unwrap(),
            b"kept",
            "seed {seed}"
        );
    }
}

#[test]
fn nonces_never_repeat_over_many_seals() {
    let key = kimberlite_storage::crypto::DataKey::from_bytes(&[1; 32]);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..100_000 {
        let (nonce, _) = key.seal(b"", b"").unwrap();
        assert!(seen.insert(nonce), "a nonce repeated");
    }
}

#[test]
fn ensure_creates_once() {
    let vfs = FaultVfs::new(0);
    let keys = Path::new("/keys");
    vfs.create_dir_all(keys).unwrap();
    let master = MasterKey::from_bytes([3; 32]);
    let store = KeyStore::open(Arc::new(vfs.clone()), keys, &master).unwrap();
    let first = store.ensure_tenant_key(TenantId(1)).unwrap();
    let second = store.ensure_tenant_key(TenantId(1)).unwrap();
    let (nonce, sealed) = first.seal(b"", b"same key").unwrap();
    assert_eq!(second.open(b"", &nonce, &sealed).unwrap(), b"same key");
}
