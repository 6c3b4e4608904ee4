//! Payload checks: decrypt a sealed payload when the tenant's key exists and
//! recompute the record hash from the plaintext; know which tenants are erased.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kimberlite_protocol::record::RecordKind;
use kimberlite_protocol::TenantId;

use super::report::{Location, VerifyReport};
use crate::crypto::{CryptoError, DataKey, KeyStore, MasterKey};
use crate::engine::{recompute_hash, Sealing, StoredRecord};
use crate::io::Vfs;

/// What is known of a tenant's data key.
#[derive(Clone, Debug)]
enum TenantKey {
    Key(Arc<DataKey>),
    Erased,
    /// No key to decrypt with; reported once.
    Unusable,
}

/// What the payload check of one record concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum PayloadOutcome {
    /// The hash recomputed from the plaintext matches the stored one.
    Recomputed,
    /// The tenant's key was erased: the stored hash is all there is.
    Erased,
    /// No usable key (already reported): the stored hash is all there is.
    Unchecked,
    /// Something is wrong (the message says what).
    Bad(String),
}

/// The node's keys, opened read-only.
#[derive(Debug)]
pub(super) struct Keys {
    store: Option<KeyStore>,
    tenants: HashMap<TenantId, TenantKey>,
    scratch: Vec<u8>,
}

impl Keys {
    /// Loads the master key and opens the tenant key store; a missing or broken
    /// master key is a problem and leaves every tenant payload unchecked.
    pub(super) fn open(vfs: Arc<dyn Vfs>, data_dir: &Path, report: &mut VerifyReport) -> Self {
        let keys_dir = data_dir.join("keys");
        let vfs_for_listing = vfs.clone();
        let store = match MasterKey::load(vfs.as_ref(), &keys_dir.join("master.key")) {
            Err(error) => {
                let location = Location::file("keys/master.key", None);
                let message = format!("{error}: tenant payloads cannot be decrypted");
                report.problem(location, message);
                None
            }
            // A node that never created a tenant has no `tenants/` directory, and
            // opening the store would create it: there is simply no key then.
            Ok(_) if !vfs.exists(&keys_dir.join("tenants")) => None,
            Ok(master) => match KeyStore::open(vfs, &keys_dir, &master) {
                Ok(store) => Some(store),
                Err(error) => {
                    report.problem(Location::file("keys/tenants", None), error.to_string());
                    None
                }
            },
        };
        let mut tenants = HashMap::new();
        for tenant in tombstones(vfs_for_listing.as_ref(), &keys_dir.join("tenants")) {
            tenants.insert(tenant, TenantKey::Erased);
        }
        Self {
            store,
            tenants,
            scratch: Vec::new(),
        }
    }

    /// The tenants whose key was erased (tombstone found, or key file zeroed), in
    /// id order.
    pub(super) fn erased_tenants(&self) -> Vec<TenantId> {
        let mut erased: Vec<TenantId> = self
            .tenants
            .iter()
            .filter(|(_, key)| matches!(key, TenantKey::Erased))
            .map(|(tenant, _)| *tenant)
            .collect();
        erased.sort();
        erased
    }

    /// Whether `tenant`'s key is known to be erased.
    pub(super) fn is_erased(&self, tenant: TenantId) -> bool {
        matches!(self.tenants.get(&tenant), Some(TenantKey::Erased))
    }

    fn tenant_key(&mut self, tenant: TenantId, report: &mut VerifyReport) -> TenantKey {
        if let Some(known) = self.tenants.get(&tenant) {
            return known.clone();
        }
        let file = format!("keys/tenants/{tenant}.key");
        let found = match self.store.as_ref().map(|store| store.data_key(tenant)) {
            Some(Ok(key)) => TenantKey::Key(key),
            Some(Err(CryptoError::KeyErased { .. })) => TenantKey::Erased,
            Some(Err(error)) => {
                report.problem(Location::file(file, None), error.to_string());
                TenantKey::Unusable
            }
            None => {
                let message = "sealed records but no usable key store: payloads not checked";
                report.problem(Location::file(file, None), message);
                TenantKey::Unusable
            }
        };
        self.tenants.insert(tenant, found.clone());
        found
    }

    /// Checks `record`'s payload against its stored hash where it can.
    pub(super) fn check(
        &mut self,
        record: &StoredRecord,
        report: &mut VerifyReport,
    ) -> PayloadOutcome {
        let Some(kind) = RecordKind::from_u8(record.kind) else {
            return PayloadOutcome::Bad(format!("unknown record kind {}", record.kind));
        };
        let plaintext = match record.sealing {
            Sealing::Plaintext if record.tenant_id.get() != 0 => {
                return PayloadOutcome::Bad("a tenant's record is stored unsealed".into());
            }
            Sealing::Plaintext => record.payload.clone(),
            Sealing::AesGcm { nonce } => match self.tenant_key(record.tenant_id, report) {
                TenantKey::Erased => return PayloadOutcome::Erased,
                TenantKey::Unusable => return PayloadOutcome::Unchecked,
                TenantKey::Key(key) => {
                    match key.open(&record.associated_data(), &nonce, &record.payload) {
                        Ok(plaintext) => plaintext,
                        Err(error) => return PayloadOutcome::Bad(format!("payload: {error}")),
                    }
                }
            },
        };
        let recomputed = recompute_hash(record, kind, &plaintext, &mut self.scratch);
        if recomputed == record.record_hash {
            PayloadOutcome::Recomputed
        } else {
            PayloadOutcome::Bad(format!(
                "stored record hash {} does not match {recomputed}, recomputed from the payload",
                record.record_hash
            ))
        }
    }
}

/// Tenants with an erasure tombstone (`keys/tenants/<id>.erased`), so an erased
/// tenant is reported even when the log holds no sealed record of it.
fn tombstones(vfs: &dyn Vfs, dir: &Path) -> Vec<TenantId> {
    let Ok(entries) = vfs.read_dir(dir) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            name.strip_suffix(".erased")?.parse().ok().map(TenantId)
        })
        .collect()
}
