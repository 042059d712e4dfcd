//! The app under WebDriver: tauri-driver (which runs WebKitWebDriver, which launches the app)
//! on free ports, and a fantoccini session on it.
//!
//! Teardown matters as much as start-up: ending the session makes WebKitWebDriver stop the app;
//! tauri-driver gets SIGTERM, never SIGKILL, because only then does it stop WebKitWebDriver
//! (killed, it orphans it). If a test fails before `close`, the drop stops the app by its pid
//! and then tauri-driver.

use crate::process::{self, Proc};
use crate::wait::{until, until_sync, Look, PATIENCE};
use crate::world::World;
use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// Launching the app through two drivers on a loaded machine can take a while.
const SESSION_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Driven {
    pub client: Client,
    app_pid: u32,
    closed: bool,
    _driver: Proc,
}

impl Driven {
    /// Starts the app, runs `steps` on it, keeps screenshots and logs when they fail, and closes
    /// the app: every end-to-end test's frame.
    pub async fn run(world: &World, steps: impl AsyncFnOnce(&Driven) -> Result<()>) -> Result<()> {
        let app = Driven::start(world).await?;
        app.finish(world, steps).await
    }

    /// `run` for an app started with `env` added to its environment, and `meanwhile` run as
    /// soon as the app is up (given its pid) but before the WebDriver session exists: an app
    /// started without a window has nothing to drive until something, say a tray click, opens
    /// one.
    pub async fn run_with(
        world: &World,
        env: &[(&str, &str)],
        meanwhile: impl AsyncFnOnce(u32) -> Result<()>,
        steps: impl AsyncFnOnce(&Driven) -> Result<()>,
    ) -> Result<()> {
        let app = Driven::start_with(world, env, meanwhile).await?;
        app.finish(world, steps).await
    }

    async fn finish(
        self,
        world: &World,
        steps: impl AsyncFnOnce(&Driven) -> Result<()>,
    ) -> Result<()> {
        let outcome = steps(&self).await;
        crate::ui::keep_evidence(&self.client, &world.artifacts, &outcome).await;
        outcome?;
        self.close().await
    }

    pub async fn start(world: &World) -> Result<Driven> {
        Driven::start_with(world, &[], async |_| Ok(())).await
    }

    async fn start_with(
        world: &World,
        env: &[(&str, &str)],
        meanwhile: impl AsyncFnOnce(u32) -> Result<()>,
    ) -> Result<Driven> {
        let (port, native_port) = free_ports()?;
        let log = world.artifacts.path("tauri-driver.log");
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut cmd = world.bus.command("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
        let mut driver = process::spawn("tauri-driver", &mut cmd)?;
        until_sync("tauri-driver to listen", PATIENCE, || {
            if let Some(status) = driver.try_wait()? {
                bail!("tauri-driver exited ({status}); see {}", log.display());
            }
            Ok(match TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
                Ok(_) => Look::Done(()),
                Err(e) => Look::NotYet(e.to_string()),
            })
        })?;

        let (launcher, pid_file) = world.launcher(env)?;
        let mut caps = serde_json::Map::new();
        // No browserName: tauri-driver refuses sessions that ask for a browser.
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": launcher }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let session = async {
            match tokio::time::timeout(SESSION_TIMEOUT, builder.connect(&url)).await {
                Ok(Ok(c)) => Ok(c),
                Ok(Err(e)) => bail!(
                    "WebDriver could not start the app: {e}; see {} and {}",
                    log.display(),
                    world.app_log().display()
                ),
                Err(_) => bail!(
                    "no WebDriver session within {SESSION_TIMEOUT:?}; see {}",
                    log.display()
                ),
            }
        };
        // The session request is on its way by the time the launcher has run, so `meanwhile`
        // may block this thread without holding the session up.
        let app = async {
            let pid = until("the launcher to record the app's pid", PATIENCE, || async {
                Ok(match read_pid(&pid_file) {
                    Ok(pid) => Look::Done(pid),
                    Err(e) => Look::NotYet(format!("{e:#}")),
                })
            })
            .await?;
            if let Err(e) = meanwhile(pid).await {
                process::terminate(pid);
                return Err(e);
            }
            Ok(pid)
        };
        let (client, app_pid) = tokio::try_join!(session, app)?;
        Ok(Driven {
            client,
            app_pid,
            closed: false,
            _driver: driver,
        })
    }

    pub fn app_pid(&self) -> u32 {
        self.app_pid
    }

    pub fn app_alive(&self) -> bool {
        process::is_alive(self.app_pid)
    }

    /// Ends the session, which stops the app, and waits for it to be gone.
    pub async fn close(mut self) -> Result<()> {
        self.closed = true;
        let ended = self.client.clone().close().await;
        let gone = until_sync("the app to exit after the session ended", PATIENCE, || {
            Ok(if self.app_alive() {
                Look::NotYet("still running".into())
            } else {
                Look::Done(())
            })
        });
        ended.context("ending the WebDriver session")?;
        gone
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if self.app_alive() {
            if !self.closed {
                eprintln!(
                    "stopping the app (pid {}) left running by a failed test",
                    self.app_pid
                );
            }
            process::terminate(self.app_pid);
        }
        // `_driver` drops next: SIGTERM to tauri-driver.
    }
}

/// Two distinct ports free right now (both held while choosing, so they differ).
fn free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    let b = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

fn read_pid(p: &PathBuf) -> Result<u32> {
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    text.trim()
        .parse()
        .with_context(|| format!("{} holds {text:?}, not a pid", p.display()))
}
