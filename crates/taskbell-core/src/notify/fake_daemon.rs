//! For the desktop notifier's tests: a private D-Bus bus (a dbus-daemon with nothing to
//! activate) and a stand-in notification daemon on it, which records every Notify and sends the
//! signals a daemon sends, to the notification's sender only, as dunst does.

use super::desktop::{INTERFACE, PATH, SERVICE};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zbus::blocking::{connection, Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::zvariant::{OwnedValue, Value};
use zbus::MatchRule;

/// A test fails rather than hangs when the bus does not answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

pub struct PrivateBus {
    address: String,
    daemon: Child,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    /// `None` when dbus-daemon is not installed; the caller says it skipped.
    pub fn start() -> Option<PrivateBus> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let services = dir.path().join("services");
        std::fs::create_dir_all(&services).expect("a service dir");
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, config_xml(dir.path(), &services)).expect("the bus config");
        let spawned = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut daemon = match spawned {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("dbus-daemon did not start: {e}"),
        };
        let mut address = String::new();
        let stdout = daemon.stdout.take().expect("stdout is piped");
        // The daemon prints its address once it listens.
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("the bus address");
        assert!(!address.trim().is_empty(), "dbus-daemon printed no address");
        Some(PrivateBus {
            address: address.trim().to_string(),
            daemon,
            _dir: dir,
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn connect(&self) -> Connection {
        connection::Builder::address(self.address())
            .and_then(|b| b.method_timeout(ANSWER_WITHIN).build())
            .expect("connects to the private bus")
    }

    /// The unique names of the connections on the bus, other than the one asking.
    pub fn connections(&self) -> Vec<String> {
        let me = self.connect();
        let reply = me
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "ListNames",
                &(),
            )
            .expect("ListNames");
        let names: Vec<String> = reply.body().deserialize().expect("names");
        let mine = me.unique_name().map(|n| n.to_string());
        names
            .into_iter()
            .filter(|n| n.starts_with(':') && Some(n) != mine.as_ref())
            .collect()
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A desktop session bus's policy (anyone may own names, call and receive), with nothing to start.
fn config_xml(dir: &std::path::Path, services: &std::path::Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        dir.display(),
        services.display()
    )
}

#[derive(Debug, Clone)]
pub struct Call {
    pub id: u32,
    pub sender: String,
    pub app: String,
    pub replaces: u32,
    pub icon: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    pub urgency: Option<u8>,
    pub category: Option<String>,
    pub sound_name: Option<String>,
    pub suppress_sound: Option<bool>,
    pub timeout: i32,
}

#[derive(Default)]
struct State {
    last_id: u32,
    calls: Vec<Call>,
    /// Who sent each open notification: its signals go there.
    open: HashMap<u32, String>,
}

pub struct FakeDaemon {
    conn: Connection,
    state: Arc<Mutex<State>>,
}

type Hints = HashMap<String, OwnedValue>;
type NotifyArgs = (String, u32, String, String, String, Vec<String>, Hints, i32);

/// A connection to `bus` that owns `name`, and the calls to `interface` it receives: the start
/// of any stand-in service.
pub fn stand_in(bus: &PrivateBus, name: &str, interface: &str) -> (Connection, MessageIterator) {
    let conn = connection::Builder::address(bus.address())
        .and_then(|b| b.method_timeout(ANSWER_WITHIN).name(name))
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("the stand-in for {name} connects and takes the name: {e}"));
    let rule = MatchRule::builder()
        .msg_type(Type::MethodCall)
        .interface(interface)
        .expect("a rule")
        .build();
    let calls = MessageIterator::for_match_rule(rule, &conn, None).expect("subscribed");
    (conn, calls)
}

/// The private bus, or a line saying the test was skipped and a return, when dbus-daemon is
/// not installed.
macro_rules! private_bus_or_skip {
    ($test:literal) => {
        match $crate::notify::fake_daemon::PrivateBus::start() {
            Some(bus) => bus,
            None => {
                eprintln!("SKIPPED {}: dbus-daemon is not installed", $test);
                return;
            }
        }
    };
}
pub(crate) use private_bus_or_skip;

impl FakeDaemon {
    pub fn start(bus: &PrivateBus) -> FakeDaemon {
        let (conn, calls) = stand_in(bus, SERVICE, INTERFACE);
        let state = Arc::new(Mutex::new(State::default()));
        let (c, s) = (conn.clone(), state.clone());
        std::thread::spawn(move || {
            for m in calls.flatten() {
                answer(&c, &s, &m);
            }
        });
        FakeDaemon { conn, state }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The user clicks `action` on notification `id`.
    pub fn invoke(&self, id: u32, action: &str) {
        let to = self
            .state()
            .open
            .get(&id)
            .cloned()
            .expect("an open notification");
        self.conn
            .emit_signal(
                Some(to.as_str()),
                PATH,
                INTERFACE,
                "ActionInvoked",
                &(id, action),
            )
            .expect("sent");
    }

    /// The user dismisses notification `id`.
    pub fn close(&self, id: u32) {
        let to = self.state().open.remove(&id).expect("an open notification");
        // 2: dismissed by the user.
        self.conn
            .emit_signal(
                Some(to.as_str()),
                PATH,
                INTERFACE,
                "NotificationClosed",
                &(id, 2u32),
            )
            .expect("sent");
    }
}

fn answer(conn: &Connection, state: &Mutex<State>, m: &Message) {
    let header = m.header();
    let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
    match header.member().map(|n| n.as_str()) {
        Some("Notify") => {
            let (app, replaces, icon, summary, body, actions, hints, timeout): NotifyArgs =
                m.body().deserialize().expect("Notify's arguments");
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            let id = if s.open.contains_key(&replaces) {
                replaces
            } else {
                s.last_id += 1;
                s.last_id
            };
            s.open.insert(id, sender.clone());
            let text = |k: &str| match hints.get(k).map(|v| &**v) {
                Some(Value::Str(t)) => Some(t.to_string()),
                _ => None,
            };
            let call = Call {
                id,
                sender,
                app,
                replaces,
                icon,
                summary,
                body,
                actions,
                urgency: match hints.get("urgency").map(|v| &**v) {
                    Some(Value::U8(u)) => Some(*u),
                    _ => None,
                },
                category: text("category"),
                sound_name: text("sound-name"),
                suppress_sound: match hints.get("suppress-sound").map(|v| &**v) {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                },
                timeout,
            };
            s.calls.push(call);
            drop(s);
            conn.reply(&header, &(id,)).expect("replied");
        }
        Some("GetServerInformation") => {
            conn.reply(&header, &("stand-in", "taskbell tests", "1", "1.2"))
                .expect("replied");
        }
        _ => {}
    }
}
