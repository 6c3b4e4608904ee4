//! `kimberlite-tamper-proxy`: a proxy between a Kimberlite client and a real
//! server that lies in one chosen way, for the tamper tests of every SDK.
//! Prints `proxy listening on <addr>` once ready, then serves until killed.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};

const MODES: &str = "\
Modes (what the proxy does to the server's answers; the failure a verifying
client must report):
  none               forwards everything unchanged
  flip-payload-byte  flips a byte of the last record of each verified read (NotIncluded)
  drop-event         drops the 2nd of >= 3 records, renumbering the rest (BrokenChain)
  reorder-events     swaps the 2nd and 3rd of >= 3 records, renumbering (BrokenChain)
  duplicate-event    repeats the 1st record after itself, renumbering (BrokenChain)
  truncate-proof     drops the last hash of the last record's inclusion proof (MalformedProof)
  forked-checkpoint  once a stream's checkpoint is trusted, answers its verified reads,
                     checkpoints and consistency proofs from --fork-upstream, a server
                     with the same signing key and another history (Fork)
  stale-checkpoint   serves a stream's first checkpoint again after a newer one (Rollback)
  foreign-key        re-signs checkpoints with a key the proxy generates (UnknownKey)
  alter-checkpoint   changes the checkpoint's size line, keeping the signature (BadSignature)
Answers with too few records for a mode are forwarded unchanged.";

/// A proxy that tampers with a Kimberlite server's verified answers.
#[derive(Parser, Debug)]
#[command(version, after_help = MODES)]
struct Args {
    /// The real server, host:port.
    #[arg(long)]
    upstream: String,
    /// How to lie (see the list below).
    #[arg(long)]
    mode: Mode,
    /// Where to listen; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// The second server of forked-checkpoint: same signing key, another history.
    #[arg(long)]
    fork_upstream: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = ProxyConfig::new(args.upstream, args.mode);
    config.listen = args.listen;
    config.fork_upstream = args.fork_upstream;
    let proxy = match TamperProxy::start(config).await {
        Ok(proxy) => proxy,
        Err(error) => {
            eprintln!("kimberlite-tamper-proxy: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "proxy listening on {}", proxy.address()).is_err()
        || stdout.flush().is_err()
    {
        return ExitCode::FAILURE;
    }
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
