//! The short versions of the reliability programs: the same functions as the
//! binaries in `src/bin/`, with small counts. The `kimberlite` binary must be
//! built (the workspace test command builds it for the CLI's tests).

mod crash_loop;
mod disk_faults;
mod security;
