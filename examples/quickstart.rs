//! The classic background-job daemon: it saves numbered steps to a journal, one a second, while
//! holding a lock file. On SIGTERM (or Ctrl-C) it finishes the step in hand, flushes the
//! journal as `main` unwinds, then its hooks release the lock file and report, in order.
//!
//! Run it and stop it yourself:
//!
//! ```text
//! cargo run --example quickstart          # then Ctrl-C, or `kill <pid>` from another shell
//! ```
//!
//! or let it send itself a real SIGTERM after three steps (the README's demo):
//!
//! ```text
//! cargo run --example quickstart -- --demo
//! ```

use std::{
    fs::{self, File},
    io::{BufWriter, Write},
    path::PathBuf,
    time::Duration,
};

fn work_dir() -> PathBuf {
    std::env::var_os("QUICKSTART_DIR").map_or_else(
        || std::env::temp_dir().join("graceful-quickstart"),
        PathBuf::from,
    )
}

/// Buffered on purpose: without an orderly unwind the last steps would never reach the disk.
struct Journal {
    out: BufWriter<File>,
}

impl Journal {
    fn open() -> std::io::Result<Journal> {
        fs::create_dir_all(work_dir())?;
        let file = File::create(work_dir().join("steps.log"))?;
        Ok(Journal {
            out: BufWriter::new(file),
        })
    }

    fn save(&mut self, step: u64) -> std::io::Result<()> {
        writeln!(self.out, "step {step} done")
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // RAII is our `finally`: this runs as main unwinds, before any hook.
        let _ = self.out.flush();
        println!("journal flushed");
    }
}

#[graceful::main(timeout = "5s")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    daemon()
}

/// main's body, apart so the test below runs it too.
fn daemon() -> Result<(), Box<dyn std::error::Error>> {
    fs::create_dir_all(work_dir())?;
    fs::write(
        work_dir().join("daemon.lock"),
        std::process::id().to_string(),
    )?;
    if std::env::args().any(|a| a == "--demo") {
        send_myself_sigterm_after(Duration::from_millis(3200));
    }
    println!(
        "daemon started (pid {}); stop it with Ctrl-C or SIGTERM",
        std::process::id()
    );
    let mut journal = Journal::open()?;
    for step in 1.. {
        println!("working on step {step}");
        std::thread::sleep(Duration::from_millis(400)); // the step's work: never cut in half
        journal.save(step)?;
        println!("step {step} saved");
        graceful::sleep(Duration::from_millis(600))?; // Err(Shutdown) at once on SIGTERM
    }
    Ok(())
}

#[graceful::on_shutdown(order = 10)]
fn release_lock() -> std::io::Result<()> {
    fs::remove_file(work_dir().join("daemon.lock"))?;
    println!("lock file released");
    Ok(())
}

#[graceful::on_shutdown(order = 20)]
fn report() -> std::io::Result<()> {
    let saved = fs::read_to_string(work_dir().join("steps.log"))?
        .lines()
        .count();
    println!("{saved} steps on disk; goodbye");
    Ok(())
}

/// The demo stops itself with a real SIGTERM, sent by kill(1) from another thread, exactly as
/// `docker stop` or Kubernetes would.
fn send_myself_sigterm_after(delay: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        println!("(demo) sending SIGTERM to myself");
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status();
    });
}

/// The shutdown path under test: `cargo test --example quickstart` runs the daemon in a child
/// process, sends it a real SIGTERM once it has saved a step, and reads graceful's report.
#[cfg(test)]
mod tests {
    use graceful::test::Report;

    /// On SIGTERM the journal is flushed as main unwinds, then the lock is released, then the
    /// report hook counts the steps: in that order, and the exit is 0.
    #[graceful::test(signal = SIGTERM, after = "1500ms", check = flushed_then_released)]
    fn sigterm_flushes_the_journal_then_releases_the_lock() -> Result<(), Box<dyn std::error::Error>>
    {
        super::daemon()
    }

    fn flushed_then_released(report: Report) {
        assert_eq!(report.exit_code(), Some(0), "{report}");
        assert_eq!(report.hook_names(), ["release_lock", "report"], "{report}");
        let out = report.stdout();
        let at = |line: &str| {
            out.find(line)
                .unwrap_or_else(|| panic!("no {line:?}: {report}"))
        };
        assert!(at("journal flushed") < at("lock file released"), "{report}");
        assert!(
            at("lock file released") < at("steps on disk; goodbye"),
            "{report}"
        );
        assert!(!super::work_dir().join("daemon.lock").exists(), "{report}");
    }
}
