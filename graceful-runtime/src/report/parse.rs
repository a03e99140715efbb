//! Reading the JSON object back: the inverse of `json.rs`, for `graceful::test`, which runs a
//! program and reports on it from its stderr. A small parser of the JSON this crate writes
//! (objects, arrays, strings with the escapes `json.rs` uses, numbers, `null`, booleans), not a
//! general one; the event fields are named in one place, `fields.rs`, for both directions.

use super::{
    fields::Parsed,
    value::{ParseError, Value},
};

/// The report's object, as read back.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ParsedReport {
    /// `reason`: why the program stopped, as written (`"SIGTERM"`, `"main returned"`).
    pub(crate) reason: Option<String>,
    /// `events`, in order: each one's `t_ms` and its fields.
    pub(crate) events: Vec<(f64, Parsed)>,
    /// `exit`.
    pub(crate) exit: ParsedExit,
}

/// The report's `exit`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum ParsedExit {
    /// `{"code": N}`.
    Code(i64),
    /// `{"signal": "SIGTERM"}`: the process died of it.
    Signal(String),
    /// `{"main": true}`, or `null`: the exit was left to main.
    #[default]
    Main,
}

/// Read one report object, as `json::object` writes it.
///
/// # Errors
/// Text that is not such an object.
pub(crate) fn report(text: &str) -> Result<ParsedReport, ParseError> {
    let mut reader = Reader {
        bytes: text.trim().as_bytes(),
        at: 0,
    };
    let value = reader.value()?;
    reader.space();
    if reader.at != reader.bytes.len() {
        return Err(reader.expected("the end of the object"));
    }
    let mut out = ParsedReport::default();
    for (key, value) in value.object("report")? {
        match key.as_str() {
            "reason" if value == Value::Null => out.reason = None,
            "reason" => out.reason = Some(value.string("reason")?),
            "events" => {
                let Value::Array(events) = value else {
                    return Err(Value::wrong("events", "a list"));
                };
                for event in events {
                    let mut t_ms = 0.0;
                    let mut fields = Parsed::default();
                    for (key, value) in event.object("events")? {
                        match key.as_str() {
                            "t_ms" => t_ms = value.float("t_ms")?,
                            _ => fields.set(&key, value)?,
                        }
                    }
                    out.events.push((t_ms, fields));
                }
            }
            "exit" => out.exit = exit(value)?,
            _ => return Err(ParseError::UnknownKey(key)),
        }
    }
    Ok(out)
}

/// `{"code":N}`, `{"signal":"NAME"}`, `{"main":true}` or `null`.
fn exit(value: Value) -> Result<ParsedExit, ParseError> {
    if value == Value::Null {
        return Ok(ParsedExit::Main);
    }
    let members = value.object("exit")?;
    match members.into_iter().next() {
        Some((key, value)) if key == "code" => Ok(ParsedExit::Code(value.int("code")?)),
        Some((key, value)) if key == "signal" => Ok(ParsedExit::Signal(value.string("signal")?)),
        Some((key, _)) if key == "main" => Ok(ParsedExit::Main),
        _ => Err(Value::wrong("exit", "a code, a signal or main")),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn expected(&self, expected: &'static str) -> ParseError {
        ParseError::Syntax {
            at: self.at,
            expected,
        }
    }

    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let here = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(here);
        here
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.expected("a value"))
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.space();
        match self.bytes.get(self.at) {
            Some(b'{') => self.members(),
            Some(b'[') => self.items(),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.expected("a value")),
        }
    }

    fn members(&mut self) -> Result<Value, ParseError> {
        self.at += 1;
        let mut members = Vec::new();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.space();
            let key = self.string()?;
            if !self.eat(b':') {
                return Err(self.expected("`:`"));
            }
            members.push((key, self.value()?));
            if self.eat(b'}') {
                return Ok(Value::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.expected("`,` or `}`"));
            }
        }
    }

    fn items(&mut self) -> Result<Value, ParseError> {
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.expected("`,` or `]`"));
            }
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()
            .and_then(|text| text.parse().ok())
            .map(Value::Number)
            .ok_or(ParseError::Syntax {
                at: start,
                expected: "a number",
            })
    }

    /// A string, its escapes undone (`json::string` writes `\"`, `\\`, `\n`, `\r`, `\t` and
    /// `\u00XX`; the rest of JSON's are read too).
    fn string(&mut self) -> Result<String, ParseError> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return Err(self.expected("a string"));
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.expected("the string's closing quote"));
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let escaped = self.bytes.get(self.at).copied();
                    self.at += 1;
                    let c = match escaped {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'u') => self.unicode()?,
                        _ => return Err(self.expected("an escape")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                byte => out.push(byte),
            }
        }
        String::from_utf8(out).map_err(|_| self.expected("UTF-8"))
    }

    fn unicode(&mut self) -> Result<char, ParseError> {
        let hex = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        self.at += 4;
        hex.and_then(char::from_u32)
            .ok_or(self.expected("four hex digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Reason, Signal,
        event::Event,
        exit_code::Decision,
        report::{Record, json},
    };

    #[test]
    fn what_the_writer_writes_the_parser_reads() {
        let records = [
            Record {
                at: 1_000_000,
                event: Event::Stopping(Reason::Signal(Signal::SIGTERM)),
            },
            Record {
                at: 2_000_000,
                event: Event::Deadline {
                    timeout: std::time::Duration::from_secs(1),
                    still_running: vec!["hook \"x\"\n\u{1}".into()],
                },
            },
            Record {
                at: 3_500_000,
                event: Event::Exit(Decision::Code(124)),
            },
        ];
        let line = json::object(&records, 1_000_000, Some(Reason::Signal(Signal::SIGTERM)));
        let parsed = report(&line).unwrap();
        assert_eq!(parsed.reason.as_deref(), Some("SIGTERM"));
        assert_eq!(parsed.exit, ParsedExit::Code(124));
        assert_eq!(parsed.events.len(), 2);
        let (t, stopping) = &parsed.events[0];
        assert_eq!((*t, stopping.event.as_str()), (0.0, "stopping"));
        assert_eq!(stopping.cause.as_deref(), Some("SIGTERM"));
        let (t, deadline) = &parsed.events[1];
        assert_eq!(*t, 1.0);
        assert_eq!(
            deadline.still_running.as_deref(),
            Some(&["hook \"x\"\n\u{1}".to_owned()][..])
        );
    }

    #[test]
    fn keys_outside_the_schema_and_broken_text_are_errors() {
        assert_eq!(
            report(
                r#"{"reason":null,"events":[{"t_ms":0,"event":"x","colour":"red"}],"exit":null}"#
            ),
            Err(ParseError::UnknownKey("colour".into()))
        );
        assert_eq!(
            report(r#"{"reason":null,"events":[{"event":"hook","order":"ten"}],"exit":null}"#),
            Err(ParseError::WrongKind {
                key: "order",
                expected: "an integer"
            })
        );
        assert!(matches!(
            report(r#"{"reason":"SIG"#),
            Err(ParseError::Syntax { .. })
        ));
        assert_eq!(
            report(r#"{"reason":"SIGINT","events":[],"exit":{"signal":"SIGINT"}}"#)
                .unwrap()
                .exit,
            ParsedExit::Signal("SIGINT".into())
        );
    }
}
