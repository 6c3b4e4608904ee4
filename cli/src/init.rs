//! `kimberlite init`: a new data directory.
//!
//! Creates the directory (0700), the master and signing keys through
//! [`Engine::init`] (0600, in `keys/`, 0700), the admin token in
//! `keys/admin.token` (0600) and the configuration `kimberlite.toml`. The admin token is printed once; the
//! server reads it from its file at start, and nobody else can (the file and
//! its directory belong to the node's user alone). A directory that holds
//! anything is refused, so no existing key or log is ever overwritten.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kimberlite_protocol::note::is_valid_key_name;
use kimberlite_storage::engine::{Engine, EngineConfig, Layout};
use kimberlite_storage::io::os::OsVfs;
use rand::rngs::OsRng;
use rand::RngCore;

use crate::args::InitArgs;
use crate::config::{render_new, CONFIG_FILE};
use crate::error::CliError;

/// File name of the admin token inside `keys/`.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";

/// What a new data directory holds that the caller may show.
#[derive(Debug)]
pub struct Initialised {
    /// The node's name.
    pub name: String,
    /// The admin token (shown once).
    pub admin_token: String,
}

/// The path of the admin token of data directory `dir`.
#[must_use]
pub fn admin_token_path(dir: &Path) -> PathBuf {
    Layout::new(dir).keys_dir().join(ADMIN_TOKEN_FILE)
}

/// Creates a data directory; see the module docs.
///
/// # Errors
/// [`CliError::DirectoryNotEmpty`] for a directory that holds anything; I/O
/// and storage errors otherwise.
pub fn init_data_dir(
    dir: &Path,
    name: Option<String>,
    address: SocketAddr,
    development: bool,
) -> Result<Initialised, CliError> {
    refuse_non_empty(dir)?;
    let name = name.unwrap_or_else(|| format!("kimberlite-{}", random_hex(4)));
    if !is_valid_key_name(&name) {
        return Err(CliError::BadConfig {
            path: PathBuf::from("--name"),
            message: format!("{name:?} is not a valid node name (no spaces, no '+')"),
        });
    }
    fs::create_dir_all(dir).map_err(CliError::io(dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(CliError::io(dir))?;
    Engine::init(Arc::new(OsVfs), &EngineConfig::new(dir, name.clone()))?;
    let keys_dir = Layout::new(dir).keys_dir();
    fs::set_permissions(&keys_dir, fs::Permissions::from_mode(0o700))
        .map_err(CliError::io(&keys_dir))?;
    let admin_token = format!("kmb-admin-{}", random_hex(32));
    write_new_file(&admin_token_path(dir), &format!("{admin_token}\n"), 0o600)?;
    let config = render_new(&name, address, development);
    write_new_file(&dir.join(CONFIG_FILE), &config, 0o644)?;
    Ok(Initialised { name, admin_token })
}

/// Reads the admin token of data directory `dir`.
///
/// # Errors
/// An I/O error when the file cannot be read.
pub fn read_admin_token(dir: &Path) -> Result<String, CliError> {
    let path = admin_token_path(dir);
    let text = fs::read_to_string(&path).map_err(CliError::io(&path))?;
    Ok(text.trim().to_owned())
}

/// `kimberlite init`.
///
/// # Errors
/// As [`init_data_dir`].
pub fn run(args: &InitArgs) -> Result<(), CliError> {
    let done = init_data_dir(&args.dir, args.name.clone(), args.address, args.development)?;
    print_summary(&args.dir, &done, args.development);
    println!("Start it with: kimberlite start {}", args.dir.display());
    Ok(())
}

/// Prints what `init` made, with the admin token.
pub fn print_summary(dir: &Path, done: &Initialised, development: bool) {
    let mode = if development {
        "development (authentication OFF, tenants created on first use)"
    } else {
        "production (authentication required)"
    };
    println!("Initialised Kimberlite data directory {}", dir.display());
    println!("  node name:     {}", done.name);
    println!("  configuration: {}", dir.join(CONFIG_FILE).display());
    println!(
        "  keys:          {} (0600)",
        Layout::new(dir).keys_dir().display()
    );
    println!("  mode:          {mode}");
    println!();
    println!(
        "The admin token is shown only now; the server reads it from {} (0600).",
        admin_token_path(dir).display()
    );
    println!("admin token: {}", done.admin_token);
    println!();
}

fn refuse_non_empty(dir: &Path) -> Result<(), CliError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(CliError::DirectoryNotEmpty {
                path: dir.to_path_buf(),
            }),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotADirectory => {
            Err(CliError::DirectoryNotEmpty {
                path: dir.to_path_buf(),
            })
        }
        Err(error) => Err(CliError::io(dir)(error)),
    }
}

/// Writes a new file (failing if it exists) with `mode`, and syncs it.
fn write_new_file(path: &Path, text: &str, mode: u32) -> Result<(), CliError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(CliError::io(path))?;
    file.write_all(text.as_bytes())
        .map_err(CliError::io(path))?;
    file.sync_all().map_err(CliError::io(path))
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}
