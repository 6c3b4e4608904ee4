//! `kimberlite tenant ...` and `kimberlite key ...`: administration over the
//! network with the admin token, through the client's admin calls.

use comfy_table::Table;
use kimberlite::blocking::Client;
use kimberlite::{ConnectOptions, TenantId};

use crate::args::{AdminArgs, KeyCommand, TenantCommand};
use crate::error::CliError;

/// Connects as the administrator; requests act for `tenant`.
fn connect(admin: &AdminArgs, tenant: TenantId) -> Result<Client, CliError> {
    let mut options = ConnectOptions::new(tenant).reconnect_attempts(1);
    if let Some(token) = &admin.token {
        options = options.auth_token(token.clone());
    }
    Ok(Client::connect(admin.connect.address.clone(), options)?)
}

/// `kimberlite tenant create|list`.
///
/// # Errors
/// A connection or a call that fails (wrong token, existing tenant...).
pub fn tenant(command: &TenantCommand) -> Result<(), CliError> {
    match command {
        TenantCommand::Create { id, name, admin } => {
            let name = name.clone().unwrap_or_else(|| format!("tenant-{id}"));
            let client = connect(admin, TenantId(*id))?;
            let created = client.create_tenant(TenantId(*id), &name)?;
            println!("created tenant {created} ({name})");
        }
        TenantCommand::List { admin } => {
            let client = connect(admin, TenantId(0))?;
            let mut table = Table::new();
            table.set_header(["id", "name"]);
            for tenant in client.list_tenants()? {
                table.add_row([tenant.id.to_string(), tenant.name]);
            }
            println!("{table}");
        }
    }
    Ok(())
}

/// `kimberlite key create|revoke|list`.
///
/// # Errors
/// A connection or a call that fails (wrong token, unknown tenant or key...).
pub fn key(command: &KeyCommand) -> Result<(), CliError> {
    match command {
        KeyCommand::Create {
            tenant,
            label,
            admin,
        } => {
            let client = connect(admin, TenantId(*tenant))?;
            let created = client.create_api_key(TenantId(*tenant), label)?;
            println!("created API key {} for tenant {tenant}", created.key_id);
            println!("The key is shown only now; the server keeps a salted hash of it.");
            println!("api key: {}", created.secret);
        }
        KeyCommand::Revoke { key_id, admin } => {
            let client = connect(admin, TenantId(0))?;
            if client.revoke_api_key(key_id)? {
                println!("revoked API key {key_id}");
            } else {
                println!("API key {key_id} was already revoked");
            }
        }
        KeyCommand::List { tenant, admin } => {
            let client = connect(admin, TenantId(*tenant))?;
            let mut table = Table::new();
            table.set_header(["key id", "label", "created (ns since epoch)", "revoked"]);
            for key in client.list_api_keys(TenantId(*tenant))? {
                table.add_row([
                    key.key_id,
                    key.label,
                    key.created_ns.to_string(),
                    key.revoked.to_string(),
                ]);
            }
            println!("{table}");
        }
    }
    Ok(())
}
