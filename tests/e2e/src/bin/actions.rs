//! A service with signal actions: SIGHUP reloads its setting from a file (`ACTIONS_CONFIG`)
//! while it keeps serving it on a TCP port; SIGUSR1 "reopens the logs". The reload takes
//! `ACTIONS_RELOAD_MS` (default 0) and fails on a file that says `bad`.
//!
//! It prints `listening on ADDR`, `reload:start`, `reload:end:VALUE` or `reload:failed`,
//! `reopen`; and
//! `hook:close` from its one hook. `ACTIONS_SCENARIO=stop_signal` makes SIGHUP a stop signal
//! too (with the action registered first: exit 78), `late_stop_signal` registers the action
//! after installing with SIGHUP as a stop signal (refused: it prints why).

use std::{
    io::Write,
    net::TcpListener,
    sync::{Arc, RwLock},
    time::Duration,
};

use graceful::{Builder, Signal};

fn read(path: &str) -> Result<String, String> {
    let value = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value = value.trim().to_owned();
    if value == "bad" {
        return Err(format!("{path} says bad"));
    }
    Ok(value)
}

fn main() -> std::process::ExitCode {
    let path = std::env::var("ACTIONS_CONFIG").expect("ACTIONS_CONFIG");
    let slow = Duration::from_millis(
        std::env::var("ACTIONS_RELOAD_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    );
    let scenario = std::env::var("ACTIONS_SCENARIO").unwrap_or_default();
    let setting = Arc::new(RwLock::new(read(&path).expect("the first read")));
    let reload = {
        let setting = setting.clone();
        move || -> Result<(), String> {
            println!("reload:start");
            std::thread::sleep(slow);
            let fresh = read(&path).inspect_err(|_| println!("reload:failed"))?;
            println!("reload:end:{fresh}");
            *setting.write().unwrap() = fresh;
            Ok(())
        }
    };
    let mut builder = Builder::new().timeout(Duration::from_secs(10));
    match scenario.as_str() {
        "stop_signal" => {
            graceful::on_signal(Signal::SIGHUP, "reload", reload).unwrap();
            builder = builder.signals([Signal::SIGTERM, Signal::SIGHUP]);
        }
        "late_stop_signal" => {
            builder = builder.signals([Signal::SIGTERM, Signal::SIGHUP]);
            return builder.run(move || {
                let refused = graceful::on_signal(Signal::SIGHUP, "reload", reload).unwrap_err();
                println!("refused: {refused}");
            });
        }
        _ => graceful::on_signal(Signal::SIGHUP, "reload", reload).unwrap(),
    }
    graceful::on_signal(Signal::SIGUSR1, "reopen logs", || println!("reopen")).unwrap();
    let _ = graceful::on_shutdown("close", || println!("hook:close"));
    builder.run(move || -> std::io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        println!("listening on {}", listener.local_addr()?);
        listener.set_nonblocking(true)?;
        while !graceful::is_shutting_down() {
            match listener.accept() {
                Ok((mut conn, _)) => {
                    let value = setting.read().unwrap().clone();
                    let _ = writeln!(conn, "{value}");
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let _ = graceful::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
}
