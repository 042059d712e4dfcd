//! Cleaning log lines before they leave the machine. The log already keeps secrets and patient
//! data below info level; this is the second wall, for what a bug or a library let through:
//! debug and trace lines are dropped, the stored secrets and the history's patient values are
//! replaced wherever they appear, and anything shaped like a credential is blanked.

/// What a secret is replaced with.
pub const SECRET: &str = "[secret]";
/// What a patient value (id, name, task description) is replaced with.
pub const PRIVATE: &str = "[private]";

/// Words that make the value after `=` or `:` a credential, whatever else the key says.
const CREDENTIAL_KEYS: [&str; 6] = [
    "secret",
    "token",
    "password",
    "api_key",
    "apikey",
    "authorization",
];

/// Shorter values are too likely to be ordinary words or numbers to replace wherever they appear.
const MIN_PRIVATE_LEN: usize = 3;

pub struct Redactor {
    secrets: Vec<String>,
    private: Vec<String>,
}

impl Redactor {
    /// `private` values are also taken apart into their words, so "Jane" alone is caught when
    /// the history knows "Jane Doe".
    pub fn new(
        secrets: impl IntoIterator<Item = String>,
        private: impl IntoIterator<Item = String>,
    ) -> Redactor {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect();
        let mut words = Vec::new();
        for value in private {
            let value = value.trim().to_string();
            words.extend(value.split_whitespace().map(str::to_owned));
            words.push(value);
        }
        words.retain(|w| w.chars().count() >= MIN_PRIVATE_LEN);
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        words.dedup();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor {
            secrets,
            private: words,
        }
    }

    /// The lines fit to share: info and above only (a line with no level of its own, the rest
    /// of a multi-line message, goes with the line it continues), each cleaned.
    pub fn clean(&self, lines: &[String]) -> Vec<String> {
        let mut keep = false;
        let mut out = Vec::new();
        for raw in lines {
            let line = strip_ansi(raw);
            if let Some(shareable) = level_shareable(&line) {
                keep = shareable;
            }
            if keep {
                out.push(self.line(&line));
            }
        }
        out
    }

    pub fn line(&self, line: &str) -> String {
        let mut s = line.to_string();
        for secret in &self.secrets {
            s = s.replace(secret.as_str(), SECRET);
        }
        s = blank_credentials(&s);
        for value in &self.private {
            s = replace_words(&s, value, PRIVATE);
        }
        s
    }
}

/// `Some(true)` for INFO, WARN and ERROR lines, `Some(false)` for DEBUG and TRACE, `None` for a
/// line that names no level in tracing's place for it (after the timestamp).
fn level_shareable(line: &str) -> Option<bool> {
    let level = line.split_whitespace().nth(1)?;
    match level {
        "INFO" | "WARN" | "ERROR" => Some(true),
        "DEBUG" | "TRACE" => Some(false),
        _ => None,
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Replaces `needle` wherever it stands as a whole word (or words), ignoring case.
fn replace_words(hay: &str, needle: &str, with: &str) -> String {
    let lower_hay = hay.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then fall back to an exact match.
    let (h, n) = if lower_hay.len() == hay.len() && lower_needle.len() == needle.len() {
        (lower_hay.as_str(), lower_needle.as_str())
    } else {
        (hay, needle)
    };
    let mut out = String::with_capacity(hay.len());
    let mut at = 0;
    while let Some(found) = h[at..].find(n) {
        let start = at + found;
        let end = start + n.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c));
        let after_ok = hay[end..].chars().next().is_none_or(|c| !is_word_char(c));
        if before_ok && after_ok {
            out.push_str(&hay[at..start]);
            out.push_str(with);
        } else {
            out.push_str(&hay[at..end]);
        }
        at = end;
    }
    out.push_str(&hay[at..]);
    out
}

/// Blanks the value of `key=value`, `key: value` and `"key":"value"` when the key names a
/// credential, and the word after `Bearer`.
fn blank_credentials(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    let bytes = line.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for key in CREDENTIAL_KEYS.iter().chain(["bearer"].iter()) {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let mut i = from + found + key.len();
            from = i;
            if *key == "bearer" {
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
            } else {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let after_key = i;
                while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ') {
                    i += 1;
                }
                if i >= bytes.len()
                    || !matches!(bytes[i], b'=' | b':')
                    || i == after_key && bytes[i] == b' '
                {
                    continue;
                }
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ') {
                    i += 1;
                }
            }
            let start = i;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b' ' | b'"' | b'\'' | b',' | b'}' | b'&' | b';' | b')'
                )
            {
                i += 1;
            }
            if i > start {
                cuts.push((start, i));
            }
        }
    }
    cuts.sort();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (start, end) in cuts {
        if start < at {
            continue;
        }
        out.push_str(&line[at..start]);
        out.push_str(SECRET);
        at = end;
    }
    out.push_str(&line[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn debug_lines_and_what_continues_them_are_dropped() {
        let r = Redactor::new([], []);
        let log = lines(
            "2026-11-30T10:00:00Z  INFO taskbell_app::app: starting\n\
             2026-11-30T10:00:01Z DEBUG taskbell_core::canvas: read task body={\n  \"x\": 1\n}\n\
             \u{1b}[2m2026-11-30T10:00:02Z\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m taskbell_app::notifier: no daemon",
        );
        assert_eq!(
            r.clean(&log),
            [
                "2026-11-30T10:00:00Z  INFO taskbell_app::app: starting",
                "2026-11-30T10:00:02Z  WARN taskbell_app::notifier: no daemon"
            ]
        );
    }

    #[test]
    fn credentials_are_blanked_by_their_shape() {
        let r = Redactor::new([], []);
        let cleaned = r.line(r#"x INFO a: sent Authorization: Bearer abc.def token=t0k3n {"client_secret":"s3cr3t", "api_key": "k"}"#);
        for leaked in ["abc.def", "t0k3n", "s3cr3t", "\"k\""] {
            assert!(!cleaned.contains(leaked), "{leaked} left in {cleaned}");
        }
        assert!(cleaned.contains("token=[secret]"), "{cleaned}");
        assert_eq!(
            r.line("x INFO a: tokens refreshed: 3"),
            "x INFO a: tokens refreshed: 3"
        );
    }

    #[test]
    fn patient_words_go_but_words_that_merely_contain_them_stay() {
        let r = Redactor::new([], ["Ann Leeds".to_string(), "pt-7".to_string()]);
        assert_eq!(
            r.line("x INFO a: for ANN leeds (pt-7), Leedsville"),
            "x INFO a: for [private] ([private]), Leedsville"
        );
        assert_eq!(r.line("x INFO a: Ann called"), "x INFO a: [private] called");
        assert_eq!(r.line("x INFO a: annual review"), "x INFO a: annual review");
    }
}
