//! The JSON report: one object, on one line, at exit. Its schema is in `docs/REPORT.md`.

use std::fmt::Write as _;

use super::{
    Event, Record,
    fields::{Fields, Visit},
};
use crate::Reason;

/// The object for `records`, whose times count from `start`, for a stop for `reason`; with
/// the newline.
pub(super) fn object(records: &[Record], start: u64, reason: Option<Reason>) -> String {
    let mut out = String::from("{\"reason\":");
    match reason {
        Some(r) => string(&mut out, &r.to_string()),
        None => out.push_str("null"),
    }
    out.push_str(",\"events\":[");
    let mut exit = String::from("null");
    let mut first = true;
    for r in records {
        match &r.event {
            Event::Exit(d) => {
                exit = d.json();
                continue;
            }
            // The program's own line, written as std writes it.
            Event::MainError(_) => continue,
            _ => {}
        }
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(
            out,
            "{{\"t_ms\":{:.3}",
            r.at.saturating_sub(start) as f64 / 1e6
        );
        Fields::of(&r.event).visit(&mut Members(&mut out));
        out.push('}');
    }
    let _ = writeln!(out, "],\"exit\":{exit}}}");
    out
}

/// One event on a line of its own, outside the stop's object (an action's, while the program
/// runs), with the newline: `{"event":"action",...}`.
pub(super) fn line(event: &Event) -> String {
    let mut out = String::from("{");
    Fields::of(event).visit(&mut Members(&mut out));
    // The first member has no comma before it.
    out.remove(1);
    out.push_str("}\n");
    out
}

/// Writes each field as `,"key":value`.
struct Members<'a>(&'a mut String);

impl Visit for Members<'_> {
    fn text(&mut self, key: &'static str, value: &str) {
        let _ = write!(self.0, ",\"{key}\":");
        string(self.0, value);
    }
    fn int(&mut self, key: &'static str, value: i64) {
        let _ = write!(self.0, ",\"{key}\":{value}");
    }
    fn float(&mut self, key: &'static str, value: f64) {
        let _ = write!(self.0, ",\"{key}\":{value:.3}");
    }
    fn list(&mut self, key: &'static str, value: &[String]) {
        let _ = write!(self.0, ",\"{key}\":[");
        for (i, v) in value.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            string(self.0, v);
        }
        self.0.push(']');
    }
}

/// A JSON string, escaped.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Signal, exit_code::Decision};

    #[test]
    fn strings_are_escaped() {
        let mut s = String::new();
        string(&mut s, "a\"b\\c\nd\u{1}");
        assert_eq!(s, r#""a\"b\\c\nd\u0001""#);
    }

    #[test]
    fn an_action_is_a_line_of_its_own() {
        let event = Event::Action {
            signal: Signal::SIGHUP,
            name: "reload".into(),
            at: std::panic::Location::caller(),
            outcome: crate::event::HookOutcome::Failed("bad \"port\"".into()),
            took_ns: 1_500_000,
        };
        let json = line(&event);
        assert!(
            json.starts_with("{\"event\":\"action\",\"signal\":\"SIGHUP\",\"outcome\":\"failed\",\"name\":\"reload\",\"at\":\"graceful-runtime/src/report/json.rs:"),
            "{json}"
        );
        assert!(
            json.ends_with(",\"took_ms\":1.500,\"error\":\"bad \\\"port\\\"\"}\n"),
            "{json}"
        );
    }

    #[test]
    fn one_object_with_the_exit_apart() {
        let records = [
            Record {
                at: 1_000_000,
                event: Event::Stopping(Reason::Signal(Signal::SIGTERM)),
            },
            Record {
                at: 3_500_000,
                event: Event::Exit(Decision::Code(0)),
            },
        ];
        let json = object(&records, 1_000_000, Some(Reason::Signal(Signal::SIGTERM)));
        assert_eq!(
            json,
            "{\"reason\":\"SIGTERM\",\"events\":[{\"t_ms\":0.000,\"event\":\"stopping\",\
             \"cause\":\"SIGTERM\"}],\"exit\":{\"code\":0}}\n"
        );
    }
}
