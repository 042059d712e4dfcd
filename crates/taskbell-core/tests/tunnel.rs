//! Starting a tunnel, against stand-ins for `cloudflared` and `ngrok`: bash scripts in a temp
//! dir that print what the real tools print (noise, other URLs, then the public one) on the
//! stream the real tools use, and then keep running as the real tools do.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use taskbell_core::inbox::tunnel::{self, Tunnel, TunnelError, TunnelKind, TunnelOptions};

const PORT: u16 = 8787;

/// cloudflared logs to stderr and draws the URL inside a box.
const CLOUDFLARED: &str = r#"#!/bin/bash
if [ "$*" != "tunnel --no-autoupdate --url http://127.0.0.1:8787" ]; then
  echo "unexpected arguments: $*" >&2; exit 2
fi
echo $$ > "$(dirname "$0")/pid"
{
echo "2024-05-01T10:00:00Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps"
echo "2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..."
echo "2024-05-01T10:00:01Z INF +--------------------------------------------------------------------------------------------+"
echo "2024-05-01T10:00:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |"
echo "2024-05-01T10:00:01Z INF |  https://lazy-river-tiger-moon.trycloudflare.com                                            |"
echo "2024-05-01T10:00:01Z INF +--------------------------------------------------------------------------------------------+"
echo "2024-05-01T10:00:01Z INF Version 2024.4.1"
} >&2
exec sleep 60
"#;

/// ngrok with `--log stdout` writes logfmt lines to stdout.
const NGROK: &str = r#"#!/bin/bash
if [ "$*" != "http 127.0.0.1:8787 --log stdout" ]; then
  echo "unexpected arguments: $*" >&2; exit 2
fi
echo $$ > "$(dirname "$0")/pid"
echo 't=2024-05-01T10:00:00+0000 lvl=info msg="no configuration paths supplied"'
echo 't=2024-05-01T10:00:00+0000 lvl=info msg="using configuration at default config path" path=/home/u/.config/ngrok/ngrok.yml'
echo 't=2024-05-01T10:00:00+0000 lvl=info msg="open config file" path=/home/u/.config/ngrok/ngrok.yml err=nil'
echo 't=2024-05-01T10:00:01+0000 lvl=info msg="client session established" obj=tunnels.session docs=https://ngrok.com/docs'
echo 't=2024-05-01T10:00:01+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://127.0.0.1:8787 url=https://3f2a-203-0-113-7.ngrok-free.app'
exec sleep 60
"#;

const CLOUDFLARED_FAILING: &str = r#"#!/bin/bash
echo "2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..." >&2
echo "2024-05-01T10:00:05Z ERR Error unmarshaling QuickTunnel response: error code: 1015" >&2
echo "failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value" >&2
echo "" >&2
exit 1
"#;

const CLOUDFLARED_SILENT: &str = r#"#!/bin/bash
echo $$ > "$(dirname "$0")/pid"
echo "2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..." >&2
exec sleep 60
"#;

fn install(dir: &Path, name: &str, script: &str) {
    let path = dir.join(name);
    std::fs::write(&path, script).expect("write stand-in");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// `ETXTBSY` (26 on Linux and macOS): "text file busy".
const TEXT_FILE_BUSY: i32 = 26;

/// [`tunnel::start`], tolerating a stand-in that is briefly "busy". Between `fork` and `exec`, a
/// child started by another test thread holds a copy of every descriptor this process has open,
/// the one [`install`] is writing the script through included; exec'ing the script meanwhile
/// fails with ETXTBSY. Writing to another name and renaming would not help (the inode is the
/// same), and the window closes as soon as that child execs, so trying again shortly does.
async fn start(o: TunnelOptions) -> Result<Tunnel, TunnelError> {
    for _ in 0..50 {
        match tunnel::start(o.clone()).await {
            Err(TunnelError::Spawn { source, .. })
                if source.raw_os_error() == Some(TEXT_FILE_BUSY) =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
    tunnel::start(o).await
}

fn options(dirs: &[&Path]) -> TunnelOptions {
    let mut o = TunnelOptions::new(PORT);
    o.search_path = Some(dirs.iter().map(|d| d.to_path_buf()).collect());
    o.timeout = Duration::from_secs(10);
    o
}

fn pid_in(dir: &Path) -> u32 {
    std::fs::read_to_string(dir.join("pid"))
        .expect("pid file")
        .trim()
        .parse()
        .expect("pid")
}

/// Gone, or a zombie nobody has reaped yet: either way, no longer running.
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

async fn eventually_stopped(pid: u32) {
    for _ in 0..100 {
        if !running(pid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("process {pid} is still running");
}

#[tokio::test]
async fn cloudflared_url_is_read_from_its_box() {
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "cloudflared", CLOUDFLARED);
    let t = start(options(&[dir.path()])).await.expect("tunnel");
    assert_eq!(t.kind(), TunnelKind::Cloudflared);
    assert_eq!(
        t.public_url(),
        "https://lazy-river-tiger-moon.trycloudflare.com"
    );
    let pid = pid_in(dir.path());
    assert_eq!(t.pid(), Some(pid));
    assert!(running(pid));
    t.stop().await;
    assert!(!running(pid), "stop() returns once the tool is gone");
}

#[tokio::test]
async fn ngrok_url_is_read_from_its_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "ngrok", NGROK);
    let t = start(options(&[dir.path()])).await.expect("tunnel");
    assert_eq!(t.kind(), TunnelKind::Ngrok);
    assert_eq!(t.public_url(), "https://3f2a-203-0-113-7.ngrok-free.app");
    t.stop().await;
}

#[tokio::test]
async fn cloudflared_is_preferred_and_ngrok_can_be_asked_for() {
    let cf = tempfile::tempdir().expect("tempdir");
    let ng = tempfile::tempdir().expect("tempdir");
    install(cf.path(), "cloudflared", CLOUDFLARED);
    install(ng.path(), "ngrok", NGROK);
    // ngrok's directory first on the path: preference is by tool, not by path order.
    let found = tunnel::installed(Some(&[ng.path().to_path_buf(), cf.path().to_path_buf()]));
    assert_eq!(
        found.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [TunnelKind::Cloudflared, TunnelKind::Ngrok]
    );

    let t = start(options(&[ng.path(), cf.path()]))
        .await
        .expect("tunnel");
    assert_eq!(t.kind(), TunnelKind::Cloudflared);
    t.stop().await;

    let mut o = options(&[ng.path(), cf.path()]);
    o.kind = Some(TunnelKind::Ngrok);
    let t = start(o).await.expect("tunnel");
    assert_eq!(t.kind(), TunnelKind::Ngrok);
    t.stop().await;
}

#[tokio::test]
async fn a_tool_that_exits_early_is_reported_with_its_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "cloudflared", CLOUDFLARED_FAILING);
    match start(options(&[dir.path()])).await {
        Err(TunnelError::ExitedEarly {
            kind,
            status,
            last_line,
        }) => {
            assert_eq!(kind, TunnelKind::Cloudflared);
            assert!(status.contains('1'), "{status}");
            assert_eq!(last_line, "failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value");
        }
        other => panic!("expected ExitedEarly, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tool_that_never_prints_a_url_times_out_and_is_killed() {
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "cloudflared", CLOUDFLARED_SILENT);
    let mut o = options(&[dir.path()]);
    o.timeout = Duration::from_millis(800);
    let err = start(o).await.expect_err("no URL");
    match &err {
        TunnelError::Timeout {
            kind, last_line, ..
        } => {
            assert_eq!(*kind, TunnelKind::Cloudflared);
            assert!(
                last_line.ends_with("Requesting new quick Tunnel on trycloudflare.com..."),
                "{last_line}"
            );
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(
        err.to_string().contains("printed no public URL within"),
        "{err}"
    );
    eventually_stopped(pid_in(dir.path())).await;
}

#[tokio::test]
async fn dropping_the_tunnel_kills_the_tool() {
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "ngrok", NGROK);
    let t = start(options(&[dir.path()])).await.expect("tunnel");
    let pid = pid_in(dir.path());
    assert!(running(pid));
    drop(t);
    eventually_stopped(pid).await;
}

#[tokio::test]
async fn neither_tool_installed_says_how_to_install_one() {
    let empty = tempfile::tempdir().expect("tempdir");
    // A file with the right name that is not executable is not an installed tool.
    std::fs::write(empty.path().join("cloudflared"), CLOUDFLARED).expect("write");
    let err = start(options(&[empty.path(), Path::new("/nonexistent/dir")]))
        .await
        .expect_err("none");
    assert!(matches!(err, TunnelError::NoneInstalled), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("neither cloudflared nor ngrok is installed"),
        "{text}"
    );
    assert!(
        text.contains("https://ngrok.com/download") && text.contains("cloudflare"),
        "{text}"
    );

    let mut o = options(&[empty.path()]);
    o.kind = Some(TunnelKind::Ngrok);
    assert!(matches!(
        start(o).await,
        Err(TunnelError::NotInstalled(TunnelKind::Ngrok))
    ));
    let nothing: Vec<PathBuf> = vec![];
    assert!(tunnel::installed(Some(&nothing)).is_empty());
}
