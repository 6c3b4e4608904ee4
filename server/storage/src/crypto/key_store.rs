//! Per-tenant data keys: created random, stored wrapped under the KEK in
//! `keys/tenants/<id>.key`, loaded lazily and cached, destroyed for
//! crypto-erasure.
//!
//! Erasure writes a tombstone `keys/tenants/<id>.erased` (atomically and
//! durably), overwrites the key file with zeros and syncs it, removes the key
//! file and syncs the directory. A tombstone or a key file of zeros both mean
//! *erased*; the tombstone comes first, so an erasure cut short by a crash
//! (even in the middle of the zeroing) reads as erased or has not begun, and
//! running it again finishes it.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use aes_gcm::Aes256Gcm;
use kimberlite_protocol::TenantId;

use super::data_key::DataKey;
use super::error::CryptoError;
use super::key_file::{read_secret, write_atomically};
use super::master::MasterKey;
use super::wrapped::{unwrap, wrap, WRAPPED_KEY_BYTES};
use crate::io::{OpenMode, Vfs};

/// Contents of a tombstone file.
const TOMBSTONE: &[u8] = b"erased\n";

/// What is known of a tenant's key.
#[derive(Clone, Debug)]
enum Slot {
    Key(Arc<DataKey>),
    Erased,
}

/// The tenants' data keys. Shareable across threads.
pub struct KeyStore {
    vfs: Arc<dyn Vfs>,
    /// `keys/tenants`.
    dir: PathBuf,
    kek: Aes256Gcm,
    cache: RwLock<HashMap<TenantId, Slot>>,
    /// Serialises creation and destruction.
    changes: Mutex<()>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// Opens the key store under `keys_dir` (its `tenants/` directory is created
    /// if missing), deriving the KEK from `master`.
    pub fn open(
        vfs: Arc<dyn Vfs>,
        keys_dir: &Path,
        master: &MasterKey,
    ) -> Result<Self, CryptoError> {
        let dir = keys_dir.join("tenants");
        if !vfs.exists(&dir) {
            vfs.create_dir_all(&dir)
                .map_err(|error| CryptoError::io(&dir, error))?;
            vfs.sync_dir(keys_dir)
                .map_err(|error| CryptoError::io(keys_dir, error))?;
        }
        let kek = master.key_encryption_cipher()?;
        Ok(Self {
            vfs,
            dir,
            kek,
            cache: RwLock::new(HashMap::new()),
            changes: Mutex::new(()),
        })
    }

    fn key_path(&self, tenant: TenantId) -> PathBuf {
        self.dir.join(format!("{tenant}.key"))
    }

    fn tombstone_path(&self, tenant: TenantId) -> PathBuf {
        self.dir.join(format!("{tenant}.erased"))
    }

    fn cached(&self, tenant: TenantId) -> Option<Slot> {
        self.cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tenant)
            .cloned()
    }

    fn remember(&self, tenant: TenantId, slot: Slot) {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant, slot);
    }

    /// Creates `tenant`'s data key and stores it wrapped, atomically and durably.
    /// Fails with [`CryptoError::AlreadyExists`] if it has one and with
    /// [`CryptoError::KeyErased`] if it was erased.
    pub fn create_tenant_key(&self, tenant: TenantId) -> Result<Arc<DataKey>, CryptoError> {
        let _changes = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(self.load(tenant)?, Some(Slot::Erased)) {
            return Err(CryptoError::KeyErased {
                tenant: tenant.get(),
            });
        }
        let (key, bytes) = DataKey::generate()?;
        let wrapped = wrap(&self.kek, tenant, &bytes)?;
        write_atomically(self.vfs.as_ref(), &self.key_path(tenant), &wrapped, false)?;
        let key = Arc::new(key);
        self.remember(tenant, Slot::Key(key.clone()));
        Ok(key)
    }

    /// `tenant`'s data key, creating it if it has none (still an error if erased).
    pub fn ensure_tenant_key(&self, tenant: TenantId) -> Result<Arc<DataKey>, CryptoError> {
        match self.data_key(tenant) {
            Err(CryptoError::KeyNotFound { .. }) => match self.create_tenant_key(tenant) {
                Err(CryptoError::AlreadyExists { .. }) => self.data_key(tenant),
                other => other,
            },
            other => other,
        }
    }

    /// `tenant`'s data key, loaded and unwrapped on first use, then cached.
    /// [`CryptoError::KeyErased`] after [`destroy_tenant_key`](Self::destroy_tenant_key),
    /// [`CryptoError::KeyNotFound`] if it never had one.
    pub fn data_key(&self, tenant: TenantId) -> Result<Arc<DataKey>, CryptoError> {
        let slot = match self.cached(tenant) {
            Some(slot) => slot,
            None => {
                // Loading under the lock keeps a load racing with an erasure from
                // caching the key after the erasure cached `Erased`.
                let _changes = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
                match self.cached(tenant) {
                    Some(slot) => slot,
                    None => self.load(tenant)?.ok_or(CryptoError::KeyNotFound {
                        tenant: tenant.get(),
                    })?,
                }
            }
        };
        match slot {
            Slot::Key(key) => Ok(key),
            Slot::Erased => Err(CryptoError::KeyErased {
                tenant: tenant.get(),
            }),
        }
    }

    /// Like [`data_key`](Self::data_key), with "no key" (never created or erased)
    /// as `None` rather than an error.
    pub fn tenant_key(&self, tenant: TenantId) -> Result<Option<Arc<DataKey>>, CryptoError> {
        match self.data_key(tenant) {
            Ok(key) => Ok(Some(key)),
            Err(CryptoError::KeyNotFound { .. } | CryptoError::KeyErased { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Whether `tenant`'s key was erased.
    pub fn is_erased(&self, tenant: TenantId) -> Result<bool, CryptoError> {
        match self.data_key(tenant) {
            Err(CryptoError::KeyErased { .. }) => Ok(true),
            Ok(_) | Err(CryptoError::KeyNotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Reads `tenant`'s key state from disk into the cache; `None` if it has no
    /// key file and no tombstone. The caller holds `changes`.
    fn load(&self, tenant: TenantId) -> Result<Option<Slot>, CryptoError> {
        let slot = if self.vfs.exists(&self.tombstone_path(tenant)) {
            Slot::Erased
        } else {
            let path = self.key_path(tenant);
            let Some(file) = read_secret(self.vfs.as_ref(), &path)? else {
                return Ok(None);
            };
            if file.len() == WRAPPED_KEY_BYTES && file.iter().all(|byte| *byte == 0) {
                Slot::Erased
            } else {
                let bytes = unwrap(&self.kek, tenant, &file, &path)?;
                Slot::Key(Arc::new(DataKey::from_bytes(&bytes)))
            }
        };
        self.remember(tenant, slot.clone());
        Ok(Some(slot))
    }

    /// Destroys `tenant`'s data key for good (crypto-erasure): write a tombstone,
    /// overwrite the key with zeros and sync, remove the key file, sync the directory.
    /// Idempotent; a tenant without a key gets a tombstone all the same. Keys
    /// already handed out stay usable until their holders drop them.
    pub fn destroy_tenant_key(&self, tenant: TenantId) -> Result<(), CryptoError> {
        let _changes = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let path = self.key_path(tenant);
        let io_error = |error| CryptoError::io(&path, error);
        // The tombstone first: once it is durable the tenant reads as erased
        // whatever a crash leaves of the key file (a zeroing cut short leaves
        // a file that is neither a key nor all zeros).
        let tombstone = self.tombstone_path(tenant);
        if !self.vfs.exists(&tombstone) {
            write_atomically(self.vfs.as_ref(), &tombstone, TOMBSTONE, true)?;
        }
        match self.vfs.open(&path, OpenMode::Existing) {
            Ok(file) => {
                let len = file.len().map_err(io_error)?;
                let zeros = vec![0u8; usize::try_from(len).unwrap_or(0)];
                file.write_all_at(&zeros, 0).map_err(io_error)?;
                file.sync_data().map_err(io_error)?;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error(error)),
        }
        if self.vfs.exists(&path) {
            self.vfs.remove_file(&path).map_err(io_error)?;
            self.vfs
                .sync_dir(&self.dir)
                .map_err(|error| CryptoError::io(&self.dir, error))?;
        }
        self.remember(tenant, Slot::Erased);
        tracing::info!(tenant = tenant.get(), "tenant data key destroyed");
        Ok(())
    }
}
