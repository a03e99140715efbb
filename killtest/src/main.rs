//! `killtest`: proof under fire. Starts the `journal` daemon (with graceful) and its baseline
//! (without), stops them with real signals, and checks what they left; then races, storms
//! and start-up signals against small graceful fixtures; then PID 1 and supervisors.
//!
//! ```text
//! killtest [journal] [--trials 500] [--jobs 2] [--seed N] [--min-ms 20] [--max-ms 300] [--grace-ms 12000]
//! killtest races [--trials 1000] [--return-us 1000]
//! killtest storm [--bursts 100] [--signals 10000]
//! killtest startup [--trials 100] [--offsets-us 0,100,200,300,500,1000,2000,5000]
//! killtest register [--trials 200]
//! killtest pid1 [--trials 20] [--grace-ms 2000]
//! killtest supervisors [--trials 20] [--grace-ms 2000]
//! ```
//!
//! Each prints one line per figure and a summary line last; the exit status is 0 only if
//! graceful kept every promise (the baseline's losses are figures, not failures).

mod harness;

use std::process::ExitCode;

use killtest::Args;

const USAGE: &str =
    "usage: killtest [journal|races|storm|startup|register|pid1|supervisors] [--trials N] ...
see the crate docs (killtest/src/main.rs) for each subcommand's options";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let sub = match args.first() {
        Some(a) if !a.starts_with('-') => args.remove(0),
        _ => "journal".to_owned(),
    };
    let args = Args::new(args);
    harness::build_siblings();
    let result = match sub.as_str() {
        "journal" => harness::journal::main(args),
        "races" => harness::races::main(args),
        "storm" => harness::storm::main(args),
        "startup" => harness::startup::main(args),
        "register" => harness::register::main(args),
        "pid1" => harness::pid1::main(args),
        "supervisors" => harness::supervisors::main(args),
        "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprintln!("killtest: unknown subcommand {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("killtest: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
