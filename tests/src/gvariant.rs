//! Reading the GVariant text that `gdbus call` prints, e.g.
//! `(uint32 2, (0, {'label': <'Quit'>}, @av []))`. The tray is driven with the gdbus tool, as a
//! person debugging it would, so its answers have to be read back structurally: a label may hold
//! commas, quotes or braces, which pattern matching on the text would trip over.

use anyhow::{bail, Context, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Every integer type; D-Bus menus use int32 ids and uint32 revisions.
    Int(i64),
    Double(f64),
    /// Strings, object paths and signatures.
    Str(String),
    Tuple(Vec<Value>),
    Array(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Variant(Box<Value>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Variant(v) => v.as_str(),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Variant(v) => v.as_int(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Variant(v) => v.as_bool(),
            _ => None,
        }
    }

    /// A tuple's or array's items (through a variant).
    pub fn items(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(v) | Value::Array(v) => Some(v),
            Value::Variant(v) => v.items(),
            _ => None,
        }
    }

    /// The value under a string key of a dict (through a variant).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            Value::Variant(v) => v.get(key),
            _ => None,
        }
    }
}

/// Parses one value; trailing text other than whitespace is an error.
pub fn parse(text: &str) -> Result<Value> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
        text,
    };
    let v = p
        .value()
        .with_context(|| format!("reading gdbus output: {}", excerpt(text)))?;
    p.skip_ws();
    if p.at != p.s.len() {
        bail!(
            "unexpected text after the value at byte {}: {}",
            p.at,
            excerpt(&text[p.at..])
        );
    }
    Ok(v)
}

fn excerpt(s: &str) -> String {
    let short: String = s.chars().take(200).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Type names gdbus writes before a value whose type the text alone would not give.
const TYPE_WORDS: &[&str] = &[
    "byte",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "handle",
    "double",
    "objectpath",
    "signature",
    "string",
];

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.at).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        match self.peek() {
            Some(got) if got == c => {
                self.at += 1;
                Ok(())
            }
            Some(got) => bail!(
                "expected '{}' at byte {}, found '{}'",
                c as char,
                self.at,
                got as char
            ),
            None => bail!("expected '{}' at the end of the text", c as char),
        }
    }

    fn value(&mut self) -> Result<Value> {
        match self.peek() {
            None => bail!("a value was expected at the end of the text"),
            Some(b'(') => self.sequence(b'(', b')').map(Value::Tuple),
            Some(b'[') => self.sequence(b'[', b']').map(Value::Array),
            Some(b'{') => self.dict(),
            Some(b'<') => {
                self.at += 1;
                let inner = self.value()?;
                self.expect(b'>')?;
                Ok(Value::Variant(Box::new(inner)))
            }
            Some(b'\'') | Some(b'"') => self.string().map(Value::Str),
            Some(b'@') => {
                // `@av []`: a type annotation for an empty container; the value follows.
                while self.at < self.s.len() && !self.s[self.at].is_ascii_whitespace() {
                    self.at += 1;
                }
                self.value()
            }
            Some(_) => self.word(),
        }
    }

    /// `(a, b)` or `[a, b]`; a one-element tuple is written `(a,)`.
    fn sequence(&mut self, open: u8, close: u8) -> Result<Vec<Value>> {
        self.expect(open)?;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.at += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(c) if c == close => {}
                _ => bail!("expected ',' or '{}' at byte {}", close as char, self.at),
            }
        }
    }

    fn dict(&mut self) -> Result<Value> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        loop {
            if self.peek() == Some(b'}') {
                self.at += 1;
                return Ok(Value::Dict(entries));
            }
            let k = self.value()?;
            self.expect(b':')?;
            let v = self.value()?;
            entries.push((k, v));
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {}
                _ => bail!("expected ',' or '}}' at byte {}", self.at),
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        let quote = self.s[self.at];
        self.at += 1;
        let start = self.at;
        let mut out = String::new();
        let mut chunk_start = start;
        while self.at < self.s.len() {
            match self.s[self.at] {
                c if c == quote => {
                    out.push_str(&self.text[chunk_start..self.at]);
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[chunk_start..self.at]);
                    self.at += 1;
                    let Some(&esc) = self.s.get(self.at) else {
                        break;
                    };
                    self.at += 1;
                    match esc {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'u' | b'U' => {
                            let len = if esc == b'u' { 4 } else { 8 };
                            let hex = self
                                .text
                                .get(self.at..self.at + len)
                                .context("a short \\u escape")?;
                            let code = u32::from_str_radix(hex, 16).context("a bad \\u escape")?;
                            out.push(
                                char::from_u32(code)
                                    .context("a \\u escape that is not a character")?,
                            );
                            self.at += len;
                        }
                        other => out.push(other as char),
                    }
                    chunk_start = self.at;
                }
                _ => self.at += 1,
            }
        }
        bail!("a string starting at byte {} is not closed", start - 1)
    }

    /// A bare word: a number, a boolean, or a type name followed by its value.
    fn word(&mut self) -> Result<Value> {
        let start = self.at;
        while self.at < self.s.len()
            && !matches!(self.s[self.at], b',' | b')' | b']' | b'}' | b'>' | b':')
            && !self.s[self.at].is_ascii_whitespace()
        {
            self.at += 1;
        }
        let word = &self.text[start..self.at];
        if TYPE_WORDS.contains(&word) {
            return self.value();
        }
        match word {
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if let Ok(i) = word.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        if let Ok(u) = word.parse::<u64>() {
            return Ok(Value::Int(u as i64));
        }
        if let Ok(d) = word.parse::<f64>() {
            return Ok(Value::Double(d));
        }
        bail!("an unknown word '{word}' at byte {start}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_dbusmenu_layout_as_gdbus_prints_it() {
        let text = "(uint32 2, (0, {'children-display': <'submenu'>}, [<(2, {'enabled': <false>, 'label': <'Sandbox · live'>}, @av [])>, <(6, {'children-display': <'submenu'>, 'label': <'Pause notifications'>}, [<(7, {'label': <'For 1 hour'>}, @av [])>])>]))\n";
        let v = parse(text).expect("parses");
        let top = v.items().expect("tuple");
        assert_eq!(top[0], Value::Int(2));
        let root = top[1].items().expect("root");
        let children = root[2].items().expect("children");
        let status = children[0].items().expect("item");
        assert_eq!(status[0].as_int(), Some(2));
        assert_eq!(
            status[1].get("label").and_then(Value::as_str),
            Some("Sandbox · live")
        );
        assert_eq!(
            status[1].get("enabled").and_then(Value::as_bool),
            Some(false)
        );
        let pause = children[1].items().expect("submenu");
        let hour = pause[2].items().expect("sub-items")[0]
            .items()
            .expect("item");
        assert_eq!(
            hour[1].get("label").and_then(Value::as_str),
            Some("For 1 hour")
        );
    }

    #[test]
    fn reads_escapes_typed_words_and_one_element_tuples() {
        let v = parse(r#"({'Menu': <objectpath '/a/Menu'>, 'Title': <"it's \"x\"\n">, 'n': <uint64 18446744073709551615>},)"#)
            .expect("parses");
        let d = &v.items().expect("tuple")[0];
        assert_eq!(d.get("Menu").and_then(Value::as_str), Some("/a/Menu"));
        assert_eq!(d.get("Title").and_then(Value::as_str), Some("it's \"x\"\n"));
        assert!(d.get("n").and_then(Value::as_int).is_some());
        assert_eq!(
            parse("(['a', ':1.2'],)")
                .expect("parses")
                .items()
                .expect("t")[0]
                .items()
                .map(<[_]>::len),
            Some(2)
        );
        assert_eq!(
            parse(r"('caf\u00e9',)")
                .expect("parses")
                .items()
                .expect("t")[0]
                .as_str(),
            Some("café")
        );
    }

    #[test]
    fn refuses_broken_text() {
        assert!(parse("(1, 2").is_err());
        assert!(parse("('open").is_err());
        assert!(parse("(1) trailing").is_err());
    }
}
