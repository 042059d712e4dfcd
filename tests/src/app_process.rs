//! The app started directly, without WebDriver, for what only a direct child shows: its exit
//! status (Quit must exit 0) and whether it is still running.

use crate::process::{self, Proc};
use crate::wait::{until, Look, PATIENCE};
use crate::world::World;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};

/// What the app logs (at info) once its tray exists, as tracing writes it after the timestamp.
pub const TRAY_READY_LOG: &str = "INFO taskbell_app::tray: tray ready";

pub struct AppProcess {
    proc: Proc,
    log: PathBuf,
}

impl AppProcess {
    pub fn start(world: &World) -> Result<AppProcess> {
        Self::start_with(world, &[])
    }

    /// Starts the app with `extra` added to its environment.
    pub fn start_with(world: &World, extra: &[(&str, String)]) -> Result<AppProcess> {
        let log = world.app_log();
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut cmd = std::process::Command::new(&world.app_path);
        cmd.envs(world.app_env())
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        Ok(AppProcess {
            proc: process::spawn("taskbell", &mut cmd)?,
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.proc.pid()
    }

    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        self.proc.try_wait()
    }

    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// Waits for the app to exit by itself.
    pub async fn wait_exit(&mut self) -> Result<ExitStatus> {
        until("the app to exit", PATIENCE, || {
            let r = self.proc.try_wait().map(|s| match s {
                Some(s) => Look::Done(s),
                None => Look::NotYet("still running".into()),
            });
            async move { r }
        })
        .await
    }

    /// Waits until the app's log has a line containing `text`, and returns that line. Fails at
    /// once if the app exits meanwhile.
    pub async fn wait_log(&mut self, text: &str) -> Result<String> {
        let log = self.log.clone();
        // An exit is final, so it ends the wait as a result rather than as a "not yet" error.
        let found = until(&format!("the app to log {text:?}"), PATIENCE, || {
            let r = match self.proc.try_wait() {
                Ok(Some(status)) => Ok(Look::Done(Err(anyhow::anyhow!(
                    "the app exited ({status}) before logging {text:?}; its log:\n{}",
                    read_log(&log)
                )))),
                Err(e) => Err(e),
                Ok(None) => Ok(match find_line(&read_log(&log), text) {
                    Some(line) => Look::Done(Ok(line)),
                    None => Look::NotYet("not in the log yet".into()),
                }),
            };
            async move { r }
        })
        .await?;
        found
    }
}

pub fn read_log(p: &std::path::Path) -> String {
    // ANSI colour codes (tracing's default on a terminal-less pipe is none, but be safe) are
    // removed so lines can be matched as read.
    strip_ansi(&std::fs::read_to_string(p).unwrap_or_default())
}

pub fn find_line(log: &str, text: &str) -> Option<String> {
    log.lines().find(|l| l.contains(text)).map(str::to_string)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for n in chars.by_ref() {
                if n.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_log_lines_through_colour_codes() {
        let log = "\u{1b}[2m2026-11-22T23:53:40Z\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m taskbell_app::notifier: desktop notifications are unavailable: no notification service answers\n";
        let line =
            find_line(&strip_ansi(log), "desktop notifications are unavailable").expect("found");
        assert!(line.contains("WARN taskbell_app::notifier"));
    }
}
