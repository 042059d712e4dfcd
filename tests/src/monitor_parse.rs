//! Reading `dbus-monitor`'s text output back into messages, and a Notify call into its eight
//! arguments and the id the daemon answered with. dbus-monitor prints each message as a header
//! line at column 0 followed by its arguments, one `type value` per line, indented by nesting;
//! strings are printed raw between double quotes, so a notification body spans lines exactly as
//! the user would read it.

use crate::gvariant::Value;
use anyhow::{bail, Context, Result};

/// One message: the header's fields and the arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: String,
    pub member: String,
    pub interface: String,
    pub sender: String,
    pub destination: String,
    pub serial: Option<u32>,
    /// On a method return or an error: the serial of the call it answers.
    pub reply_serial: Option<u32>,
    pub args: Vec<Value>,
}

/// A captured `org.freedesktop.Notifications.Notify` call.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyCall {
    pub app_name: String,
    pub replaces_id: i64,
    pub icon: String,
    pub summary: String,
    pub body: String,
    /// (id, label) pairs, from the flat array the spec sends.
    pub actions: Vec<(String, String)>,
    pub hints: Vec<(String, Value)>,
    pub expire_timeout: i64,
    /// The id the daemon answered with: what its ActionInvoked and NotificationClosed signals
    /// name. None until the answer is in the capture (or if the daemon answered an error).
    pub id: Option<u32>,
}

const HEADERS: &[&str] = &["method call ", "method return ", "signal ", "error "];

/// Splits a capture into messages; a message that does not parse (a truncated last one while
/// dbus-monitor is still writing) is skipped, as the next look will see it whole.
pub fn messages(capture: &str) -> Vec<Message> {
    let mut out = Vec::new();
    let mut header: Option<&str> = None;
    let mut body_start = 0;
    let mut offset = 0;
    for line in capture.split_inclusive('\n') {
        if HEADERS.iter().any(|h| line.starts_with(h)) {
            if let Some(h) = header {
                if let Ok(m) = message(h, &capture[body_start..offset]) {
                    out.push(m);
                }
            }
            header = Some(line.trim_end());
            body_start = offset + line.len();
        }
        offset += line.len();
    }
    // The last message counts only once a newline ends it, so a half-written one is not read.
    if let Some(h) = header {
        if capture.ends_with('\n') {
            if let Ok(m) = message(h, &capture[body_start..]) {
                out.push(m);
            }
        }
    }
    out
}

fn field<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .split([' ', ';'])
        .find_map(|part| part.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .unwrap_or("")
}

fn message(header: &str, body: &str) -> Result<Message> {
    let kind = HEADERS
        .iter()
        .find(|h| header.starts_with(**h))
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let mut p = ArgParser { s: body, at: 0 };
    let mut args = Vec::new();
    while p.more() {
        args.push(p.value()?);
    }
    Ok(Message {
        kind,
        member: field(header, "member").to_string(),
        interface: field(header, "interface").to_string(),
        sender: field(header, "sender").to_string(),
        destination: field(header, "destination").to_string(),
        serial: field(header, "serial").parse().ok(),
        reply_serial: field(header, "reply_serial").parse().ok(),
        args,
    })
}

/// Every Notify call in a capture, in order, each with the id from its answer when the capture
/// has one. An answer is known by what D-Bus guarantees: it goes to the caller and names the
/// call's serial, which is unique per caller.
pub fn notify_calls(capture: &str) -> Vec<NotifyCall> {
    let all = messages(capture);
    all.iter()
        .filter(|m| m.kind == "method call" && m.member == "Notify")
        .filter_map(|m| {
            let mut call = NotifyCall::from_args(&m.args).ok()?;
            call.id = answer_to(&all, m).and_then(|r| r.args.first()?.as_int()?.try_into().ok());
            Some(call)
        })
        .collect()
}

/// The method return that answers `call`, if the capture holds it.
fn answer_to<'a>(all: &'a [Message], call: &Message) -> Option<&'a Message> {
    let serial = call.serial?;
    all.iter().find(|m| {
        m.kind == "method return" && m.reply_serial == Some(serial) && m.destination == call.sender
    })
}

impl NotifyCall {
    pub fn from_args(args: &[Value]) -> Result<NotifyCall> {
        let [app_name, replaces_id, icon, summary, body, actions, hints, expire] = args else {
            bail!("Notify has 8 arguments, this one {}", args.len());
        };
        let s = |v: &Value, what: &str| {
            v.as_str()
                .map(str::to_string)
                .with_context(|| format!("{what} is not a string"))
        };
        let flat: Vec<String> = actions
            .items()
            .context("actions is not an array")?
            .iter()
            .map(|a| s(a, "an action"))
            .collect::<Result<_>>()?;
        let pairs = flat.chunks_exact(2);
        if !pairs.remainder().is_empty() {
            bail!(
                "actions alternate id and label, but there are {} of them: {flat:?}",
                flat.len()
            );
        }
        let actions = pairs.map(|p| (p[0].clone(), p[1].clone())).collect();
        let hints = match hints {
            Value::Dict(entries) => entries
                .iter()
                .map(|(k, v)| Ok((s(k, "a hint name")?, v.clone())))
                .collect::<Result<_>>()?,
            Value::Array(items) if items.is_empty() => Vec::new(),
            _ => bail!("hints is not a dict"),
        };
        Ok(NotifyCall {
            app_name: s(app_name, "app_name")?,
            replaces_id: replaces_id
                .as_int()
                .context("replaces_id is not a number")?,
            icon: s(icon, "app_icon")?,
            summary: s(summary, "summary")?,
            body: s(body, "body")?,
            actions,
            hints,
            expire_timeout: expire.as_int().context("expire_timeout is not a number")?,
            id: None,
        })
    }

    pub fn hint(&self, name: &str) -> Option<&Value> {
        self.hints.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

struct ArgParser<'a> {
    s: &'a str,
    at: usize,
}

impl ArgParser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.at..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.s.len() - trimmed.len();
    }

    fn more(&mut self) -> bool {
        self.skip_ws();
        self.at < self.s.len()
    }

    fn eat(&mut self, prefix: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }

    fn token(&mut self) -> &str {
        self.skip_ws();
        let end = self
            .rest()
            .find(char::is_whitespace)
            .unwrap_or(self.rest().len());
        let t = &self.s[self.at..self.at + end];
        self.at += end;
        t
    }

    /// `"…"` printed raw: it ends at a quote that ends its line (or the text), so quotes and
    /// newlines inside a body survive.
    fn quoted(&mut self) -> Result<String> {
        self.skip_ws();
        if !self.rest().starts_with('"') {
            bail!("expected a quoted string at: {}", head(self.rest()));
        }
        let body = &self.rest()[1..];
        let mut search = 0;
        loop {
            let Some(i) = body[search..].find('"') else {
                bail!("a string is not closed: {}", head(body))
            };
            let q = search + i;
            let after = &body[q + 1..];
            if after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n") {
                let text = body[..q].to_string();
                self.at += 1 + q + 1;
                return Ok(text);
            }
            search = q + 1;
        }
    }

    fn value(&mut self) -> Result<Value> {
        if self.eat("array of bytes") {
            return self.bytes();
        }
        if self.eat("dict entry(") {
            bail!("a dict entry outside an array");
        }
        if self.eat("object path") {
            return self.quoted().map(Value::Str);
        }
        if self.eat("file descriptor") {
            let _ = self.token();
            return Ok(Value::Int(-1));
        }
        let word = self.token().to_string();
        match word.as_str() {
            "string" | "signature" => self.quoted().map(Value::Str),
            "boolean" => Ok(Value::Bool(self.token() == "true")),
            "byte" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "uint64" => {
                let t = self.token().to_string();
                t.parse::<i64>()
                    .or_else(|_| t.parse::<u64>().map(|u| u as i64))
                    .with_context(|| format!("{word} {t} is not a number"))
                    .map(Value::Int)
            }
            "double" => self
                .token()
                .parse::<f64>()
                .map(Value::Double)
                .context("a bad double"),
            "variant" => Ok(Value::Variant(Box::new(self.value()?))),
            "array" => self.array(),
            "struct" => {
                if !self.eat("{") {
                    bail!("struct without '{{'");
                }
                let mut items = Vec::new();
                while !self.eat("}") {
                    if !self.more() {
                        bail!("a struct is not closed");
                    }
                    items.push(self.value()?);
                }
                Ok(Value::Tuple(items))
            }
            other => bail!("an unknown type '{other}' at: {}", head(self.rest())),
        }
    }

    /// `array [ … ]`; an array of dict entries becomes a dict.
    fn array(&mut self) -> Result<Value> {
        if !self.eat("[") {
            bail!("array without '['");
        }
        let mut items = Vec::new();
        let mut entries = Vec::new();
        loop {
            if self.eat("]") {
                break;
            }
            if !self.more() {
                bail!("an array is not closed");
            }
            if self.eat("dict entry(") {
                let k = self.value()?;
                let v = self.value()?;
                if !self.eat(")") {
                    bail!("a dict entry is not closed at: {}", head(self.rest()));
                }
                entries.push((k, v));
            } else {
                items.push(self.value()?);
            }
        }
        Ok(if entries.is_empty() {
            Value::Array(items)
        } else {
            Value::Dict(entries)
        })
    }

    /// `array of bytes [ 00 01 … ]` or, when printable, `array of bytes "…"`; kept as hex text.
    fn bytes(&mut self) -> Result<Value> {
        self.skip_ws();
        if self.rest().starts_with('"') {
            return self.quoted().map(Value::Str);
        }
        if !self.eat("[") {
            bail!("array of bytes without '['");
        }
        let end = self
            .rest()
            .find(']')
            .context("an array of bytes is not closed")?;
        let hex = self.rest()[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("");
        self.at += end + 1;
        Ok(Value::Str(hex))
    }
}

fn head(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As dbus-monitor 1.14 prints a notify-rust notification with two actions.
    const CAPTURE: &str = r#"signal time=1795391772.024025 sender=org.freedesktop.DBus -> destination=:1.1 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.1"
method call time=1795391772.487858 sender=:1.8 -> destination=org.freedesktop.Notifications serial=2 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=GetServerInformation
method call time=1795391790.101 sender=:1.8 -> destination=org.freedesktop.Notifications serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Taskbell"
   uint32 0
   string "task-due"
   string "Task completed"
   string "Fax the "urgent" referral
Completed by Morgan Ashdown"
   array [
      string "open"
      string "Open in Canvas"
      string "show"
      string "Show"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 1
      )
      dict entry(
         string "category"
         variant             string "im.received"
      )
      dict entry(
         string "suppress-sound"
         variant             boolean false
      )
   ]
   int32 -1
method call time=1795391791.2 sender=:1.9 -> destination=org.freedesktop.Notifications serial=4 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=CloseNotification
   uint32 4000000001
"#;

    #[test]
    fn reads_a_notify_call_with_a_multi_line_body() {
        let calls = notify_calls(CAPTURE);
        assert_eq!(calls.len(), 1);
        let n = &calls[0];
        assert_eq!(n.app_name, "Taskbell");
        assert_eq!(n.summary, "Task completed");
        assert_eq!(
            n.body,
            "Fax the \"urgent\" referral\nCompleted by Morgan Ashdown"
        );
        assert_eq!(
            n.actions,
            vec![
                ("open".to_string(), "Open in Canvas".to_string()),
                ("show".to_string(), "Show".to_string())
            ]
        );
        assert_eq!(
            n.hint("category").and_then(Value::as_str),
            Some("im.received")
        );
        assert_eq!(n.hint("urgency").and_then(Value::as_int), Some(1));
        assert_eq!(n.expire_timeout, -1);
    }

    #[test]
    fn splits_messages_and_reads_their_headers() {
        let ms = messages(CAPTURE);
        let members: Vec<&str> = ms.iter().map(|m| m.member.as_str()).collect();
        assert_eq!(
            members,
            [
                "NameAcquired",
                "GetServerInformation",
                "Notify",
                "CloseNotification"
            ]
        );
        assert_eq!(ms[3].args, vec![Value::Int(4_000_000_001)]);
        assert_eq!(ms[2].interface, "org.freedesktop.Notifications");
        assert_eq!(ms[2].sender, ":1.8");
    }

    #[test]
    fn a_half_written_last_message_is_left_for_later() {
        let cut = &CAPTURE[..CAPTURE.find("   array [").expect("has actions")];
        assert!(notify_calls(cut).is_empty());
    }

    /// Two apps' Notify calls with the same serial, and dunst's answers (to the second app
    /// first), as dbus-monitor prints them with a method-return rule added. The last call has
    /// no answer yet; one to a third peer is refused with an error.
    const ANSWERED: &str = r#"method call time=1795391790.101 sender=:1.8 -> destination=org.freedesktop.Notifications serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Taskbell"
   uint32 0
   string ""
   string "Assigned to you"
   string "Sign prior authorization form
Due 14:05"
   array [
      string "done"
      string "Mark done"
   ]
   array [
   ]
   int32 -1
method call time=1795391790.102 sender=:1.12 -> destination=org.freedesktop.Notifications serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Other"
   uint32 0
   string ""
   string "Not ours"
   string ""
   array [
   ]
   array [
   ]
   int32 -1
method return time=1795391790.103 sender=:1.3 -> destination=:1.12 serial=40 reply_serial=9
   uint32 77
method return time=1795391790.104 sender=:1.3 -> destination=:1.8 serial=41 reply_serial=9
   uint32 3
method call time=1795391795.5 sender=:1.8 -> destination=org.freedesktop.Notifications serial=14 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Taskbell"
   uint32 3
   string ""
   string "Task due soon"
   string "Sign prior authorization form"
   array [
   ]
   array [
   ]
   int32 -1
method call time=1795391796.0 sender=:1.20 -> destination=org.freedesktop.Notifications serial=2 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Broken"
   uint32 0
   string ""
   string "Refused"
   string ""
   array [
   ]
   array [
   ]
   int32 -1
error time=1795391796.1 sender=:1.3 -> destination=:1.20 error_name=org.freedesktop.DBus.Error.InvalidArgs reply_serial=2
   string "no"
"#;

    #[test]
    fn reads_the_answers_header() {
        let ms = messages(ANSWERED);
        let answer = ms
            .iter()
            .find(|m| m.kind == "method return" && m.destination == ":1.8")
            .expect("the answer to :1.8");
        assert_eq!(
            (answer.sender.as_str(), answer.serial, answer.reply_serial),
            (":1.3", Some(41), Some(9))
        );
        assert_eq!(answer.args, vec![Value::Int(3)]);
        assert_eq!((ms[0].serial, ms[0].reply_serial), (Some(9), None));
    }

    #[test]
    fn a_notify_call_takes_the_id_from_the_answer_sent_to_its_caller() {
        let ids: Vec<(String, Option<u32>)> = notify_calls(ANSWERED)
            .into_iter()
            .map(|n| (n.summary, n.id))
            .collect();
        assert_eq!(
            ids,
            [
                // 77 answers a call with the same serial from another peer.
                ("Assigned to you".to_string(), Some(3)),
                ("Not ours".to_string(), Some(77)),
                // Not answered yet.
                ("Task due soon".to_string(), None),
                // Answered with an error: there is no notification to name.
                ("Refused".to_string(), None),
            ]
        );
    }

    #[test]
    fn an_answer_not_yet_written_whole_gives_no_id() {
        let cut = &ANSWERED[..ANSWERED.find("   uint32 3\n").expect("the answer's id")];
        let first = notify_calls(cut).into_iter().next().expect("the call");
        assert_eq!(first.id, None);
    }

    #[test]
    fn odd_action_arrays_are_refused() {
        let args = vec![
            Value::Str("a".into()),
            Value::Int(0),
            Value::Str(String::new()),
            Value::Str("s".into()),
            Value::Str("b".into()),
            Value::Array(vec![Value::Str("open".into())]),
            Value::Array(vec![]),
            Value::Int(-1),
        ];
        assert!(NotifyCall::from_args(&args).is_err());
    }
}
