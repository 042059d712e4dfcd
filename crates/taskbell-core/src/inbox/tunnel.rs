//! A public URL for the local webhook endpoint. Canvas runs in the cloud and cannot reach
//! 127.0.0.1, so when `cloudflared` or `ngrok` is installed the app starts a quick tunnel and
//! reads the public URL from the tool's own output (neither prints it anywhere else).
//!
//! The tool is a child process: stopping or dropping the [`Tunnel`] kills it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// cloudflared needs a few seconds to register a quick tunnel; ngrok fewer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TunnelKind {
    Cloudflared,
    Ngrok,
}

impl TunnelKind {
    /// In order of preference: a cloudflared quick tunnel needs no account.
    pub const ALL: [TunnelKind; 2] = [TunnelKind::Cloudflared, TunnelKind::Ngrok];

    pub fn binary(self) -> &'static str {
        match self {
            TunnelKind::Cloudflared => "cloudflared",
            TunnelKind::Ngrok => "ngrok",
        }
    }

    fn args(self, port: u16) -> Vec<String> {
        let local = format!("http://127.0.0.1:{port}");
        match self {
            TunnelKind::Cloudflared => vec![
                "tunnel".into(),
                "--no-autoupdate".into(),
                "--url".into(),
                local,
            ],
            TunnelKind::Ngrok => vec![
                "http".into(),
                format!("127.0.0.1:{port}"),
                "--log".into(),
                "stdout".into(),
            ],
        }
    }

    /// Hosts of the public URL this tool hands out (and not, say, its API or documentation).
    fn is_public_host(self, host: &str) -> bool {
        match self {
            TunnelKind::Cloudflared => host
                .strip_suffix(".trycloudflare.com")
                .is_some_and(|sub| !sub.is_empty() && sub != "api" && !sub.contains('.')),
            TunnelKind::Ngrok => [
                ".ngrok-free.app",
                ".ngrok-free.dev",
                ".ngrok.app",
                ".ngrok.dev",
                ".ngrok.io",
            ]
            .iter()
            .any(|suffix| {
                host.strip_suffix(suffix)
                    .is_some_and(|sub| !sub.is_empty() && sub != "api" && sub != "dashboard")
            }),
        }
    }
}

impl fmt::Display for TunnelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.binary())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error(
        "neither cloudflared nor ngrok is installed (looked on PATH). Install one: cloudflared from \
         https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/ \
         (no account needed), or ngrok from https://ngrok.com/download (then run `ngrok config add-authtoken <token>`)"
    )]
    NoneInstalled,
    #[error("{0} is not installed (looked on PATH)")]
    NotInstalled(TunnelKind),
    #[error("{kind} could not be started: {source}")]
    Spawn {
        kind: TunnelKind,
        source: std::io::Error,
    },
    #[error(
        "{kind} exited before it printed a public URL ({status}); its last words: {last_line}"
    )]
    ExitedEarly {
        kind: TunnelKind,
        status: String,
        last_line: String,
    },
    #[error("{kind} printed no public URL within {} s; its last words: {last_line}", .waited.as_secs())]
    Timeout {
        kind: TunnelKind,
        waited: Duration,
        last_line: String,
    },
}

#[derive(Debug, Clone)]
pub struct TunnelOptions {
    /// The local port to expose on 127.0.0.1.
    pub port: u16,
    /// `None` takes whichever tool is found first, cloudflared before ngrok.
    pub kind: Option<TunnelKind>,
    /// Where to look for the tools; `None` means `$PATH`.
    pub search_path: Option<Vec<PathBuf>>,
    pub timeout: Duration,
}

impl TunnelOptions {
    pub fn new(port: u16) -> Self {
        TunnelOptions {
            port,
            kind: None,
            search_path: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A running tunnel. Dropping it kills the tool.
pub struct Tunnel {
    kind: TunnelKind,
    url: String,
    child: Child,
}

impl fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tunnel")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .finish()
    }
}

impl Tunnel {
    /// The `https://…` base URL the world reaches the local endpoint at.
    pub fn public_url(&self) -> &str {
        &self.url
    }

    pub fn kind(&self) -> TunnelKind {
        self.kind
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the tool and waits until it is gone.
    pub async fn stop(mut self) {
        if let Err(e) = self.child.kill().await {
            tracing::debug!("stopping {}: {e}", self.kind);
        }
        tracing::info!(kind = %self.kind, "tunnel stopped");
    }
}

/// The tools installed in `search_path` (or `$PATH`), in order of preference.
pub fn installed(search_path: Option<&[PathBuf]>) -> Vec<(TunnelKind, PathBuf)> {
    let dirs: Vec<PathBuf> = match search_path {
        Some(dirs) => dirs.to_vec(),
        None => std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect(),
    };
    TunnelKind::ALL
        .iter()
        .filter_map(|&kind| {
            dirs.iter()
                .map(|d| d.join(kind.binary()))
                .find(|p| is_executable(p))
                .map(|p| (kind, p))
        })
        .collect()
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.with_extension("exe").is_file() || path.is_file()
}

/// Starts a tunnel to `127.0.0.1:<port>` and waits for its public URL.
pub async fn start(options: TunnelOptions) -> Result<Tunnel, TunnelError> {
    let found = installed(options.search_path.as_deref());
    let (kind, program) = match options.kind {
        None => found.into_iter().next().ok_or(TunnelError::NoneInstalled)?,
        Some(wanted) => found
            .into_iter()
            .find(|(k, _)| *k == wanted)
            .ok_or(TunnelError::NotInstalled(wanted))?,
    };
    let mut child = Command::new(&program)
        .args(kind.args(options.port))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| TunnelError::Spawn { kind, source })?;
    tracing::info!(%kind, program = %program.display(), port = options.port, "starting a tunnel");

    let (lines, mut heard) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        tokio::spawn(forward_lines(out, kind, lines.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(forward_lines(err, kind, lines));
    }

    let mut last_line = String::from("(no output)");
    let wait = async {
        while let Some(line) = heard.recv().await {
            if let Some(url) = public_url_in(kind, &line) {
                return Some(url);
            }
            if !line.trim().is_empty() {
                last_line = line.trim().to_string();
            }
        }
        None
    };
    match tokio::time::timeout(options.timeout, wait).await {
        Ok(Some(url)) => {
            tracing::info!(%kind, %url, "tunnel ready");
            Ok(Tunnel { kind, url, child })
        }
        Ok(None) => {
            // Both pipes closed: the tool is exiting, if it has not already.
            let status = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
                Ok(Ok(status)) => status.to_string(),
                _ => {
                    let _ = child.kill().await;
                    "closed its output".to_string()
                }
            };
            Err(TunnelError::ExitedEarly {
                kind,
                status,
                last_line,
            })
        }
        Err(_) => {
            let _ = child.kill().await;
            Err(TunnelError::Timeout {
                kind,
                waited: options.timeout,
                last_line,
            })
        }
    }
}

/// Passes a pipe's lines on while anyone listens, and keeps draining it after, so the tool never
/// blocks on a full pipe.
async fn forward_lines(
    pipe: impl AsyncRead + Unpin,
    kind: TunnelKind,
    to: mpsc::UnboundedSender<String>,
) {
    let mut lines = BufReader::new(pipe).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                tracing::debug!(%kind, "{line}");
                let _ = to.send(line);
            }
            Ok(None) => break,
            Err(e) => {
                // Not UTF-8, most likely; the URL never is.
                tracing::debug!(%kind, "unreadable output: {e}");
                break;
            }
        }
    }
}

/// The tunnel's public URL, if `line` announces it.
pub fn public_url_in(kind: TunnelKind, line: &str) -> Option<String> {
    line.match_indices("https://").find_map(|(at, _)| {
        let rest = &line[at + "https://".len()..];
        let host_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        let host = rest[..host_len].trim_end_matches('.').to_ascii_lowercase();
        kind.is_public_host(&host)
            .then(|| format!("https://{host}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudflared_box_line_gives_the_url() {
        let line = "2024-05-01T10:00:03Z INF |  https://lazy-river-tiger-moon.trycloudflare.com                                 |";
        assert_eq!(
            public_url_in(TunnelKind::Cloudflared, line).as_deref(),
            Some("https://lazy-river-tiger-moon.trycloudflare.com")
        );
    }

    #[test]
    fn cloudflared_noise_urls_are_ignored() {
        for line in [
            "2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...",
            "2024-05-01T10:00:00Z INF see https://developers.cloudflare.com/cloudflare-one/connections/connect-apps",
            "2024-05-01T10:00:00Z ERR POST https://api.trycloudflare.com/tunnel failed",
        ] {
            assert_eq!(public_url_in(TunnelKind::Cloudflared, line), None, "{line}");
        }
    }

    #[test]
    fn ngrok_log_line_gives_the_url() {
        let line = r#"t=2024-05-01T10:00:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://127.0.0.1:8787 url=https://3f2a-203-0-113-7.ngrok-free.app"#;
        assert_eq!(
            public_url_in(TunnelKind::Ngrok, line).as_deref(),
            Some("https://3f2a-203-0-113-7.ngrok-free.app")
        );
        let old = "lvl=info msg=\"started tunnel\" url=https://abc123.ngrok.io";
        assert_eq!(
            public_url_in(TunnelKind::Ngrok, old).as_deref(),
            Some("https://abc123.ngrok.io")
        );
        let noise = "ERROR: visit https://dashboard.ngrok.com/get-started/your-authtoken";
        assert_eq!(public_url_in(TunnelKind::Ngrok, noise), None);
    }

    #[test]
    fn the_commands_point_at_loopback() {
        assert_eq!(
            TunnelKind::Cloudflared.args(8787),
            [
                "tunnel",
                "--no-autoupdate",
                "--url",
                "http://127.0.0.1:8787"
            ]
        );
        assert_eq!(
            TunnelKind::Ngrok.args(8787),
            ["http", "127.0.0.1:8787", "--log", "stdout"]
        );
    }
}
