//! The report's events in the program's own logs: a `log` logger and a `tracing` subscriber,
//! both written here by hand (no extra crates), print what they receive on stdout as
//! `log:LEVEL:key=value ...:message` and `tracing:LEVEL:key=value ...`. The stderr report is off
//! (`quiet`).

use std::fmt::{Debug, Write};

struct Logger;

impl log::Log for Logger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        struct Pairs(String);
        impl<'kvs> log::kv::VisitSource<'kvs> for Pairs {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'kvs>,
                value: log::kv::Value<'kvs>,
            ) -> Result<(), log::kv::Error> {
                let _ = write!(self.0, " {key}={value}");
                Ok(())
            }
        }
        let mut pairs = Pairs(String::new());
        let _ = record.key_values().visit(&mut pairs);
        println!(
            "log:{}:{}:{}:{}",
            record.level(),
            record.target(),
            pairs.0.trim_start(),
            record.args()
        );
    }

    fn flush(&self) {}
}

struct Capture;

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let meta = event.metadata();
        println!(
            "tracing:{}:{}:{}",
            meta.level(),
            meta.target(),
            fields.0.trim_start()
        );
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[graceful::main(quiet)]
fn main() -> Result<(), graceful::Shutdown> {
    log::set_logger(&Logger).expect("a logger was already set");
    log::set_max_level(log::LevelFilter::Trace);
    tracing::subscriber::set_global_default(Capture).expect("a subscriber was already set");
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown(order = 1)]
fn flush_cache() {}

#[graceful::on_shutdown(order = 2)]
fn upload() -> Result<(), String> {
    Err("disk full".into())
}
