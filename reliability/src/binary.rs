//! Finding the `kimberlite` binary that the programs run as a real process.
//!
//! `KIMBERLITE_BIN` names it explicitly; otherwise it is the `kimberlite` of the
//! same cargo profile directory as the running program (a test binary lives in
//! `target/<profile>/deps/`, a program in `target/<profile>/`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary's file name.
const NAME: &str = "kimberlite";

/// Where the `kimberlite` binary is expected, whether or not it exists.
///
/// # Errors
/// A message when the running program's own path is unknown.
pub fn expected_path() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("KIMBERLITE_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|error| format!("own path unknown: {error}"))?;
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.pop();
    }
    Ok(dir.join(NAME))
}

/// The `kimberlite` binary, which must already be built.
///
/// # Errors
/// A message saying how to build it when it is missing.
pub fn locate() -> Result<PathBuf, String> {
    let path = expected_path()?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: build it first (cargo build -p kimberlite-cli, with --release \
             for a release run) or name it in KIMBERLITE_BIN",
            path.display()
        ))
    }
}

/// Builds the `kimberlite` binary with the cargo that runs this program (for
/// `cargo run`), in the same profile, then locates it. Without cargo (or with
/// `KIMBERLITE_BIN` set) it only locates it.
///
/// # Errors
/// A message when the build fails or the binary is missing.
pub fn build_and_locate() -> Result<PathBuf, String> {
    if std::env::var_os("KIMBERLITE_BIN").is_some() {
        return locate();
    }
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut command = Command::new(cargo);
        command.args(["build", "-p", "kimberlite-cli", "--bin", NAME]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let status = command
            .status()
            .map_err(|error| format!("cannot run cargo: {error}"))?;
        if !status.success() {
            return Err(format!("building {NAME} failed: {status}"));
        }
    }
    locate()
}
