//! The baseline: the same journal daemon without graceful, written as most programs are. Its
//! `LockFile` even removes itself on `Drop`, but nothing runs on SIGTERM: the default action
//! ends the process with the open batch and the file's buffer still in memory, and the lock
//! file left behind. As PID 1 in a container it does not even stop: the kernel drops SIGTERM
//! for a PID 1 without a handler, and it waits for SIGKILL.
//!
//! ```text
//! journal_baseline --dir /var/lib/journal [--seed N] [--pace-us N]
//! ```

use killtest::{
    Options,
    journal::{Journal, LockFile},
    source::Source,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::from_env()?;
    let _lock = LockFile::acquire(&options.dir)?;
    let mut journal = Journal::open(&options.dir)?;
    println!("ready");
    let mut source = Source::new(options.seed, options.pace);
    loop {
        std::thread::sleep(source.gap());
        let record = source.next_record();
        let seq = record.seq;
        journal.accept(record);
        if journal.due() {
            journal.commit()?;
            println!("commit {seq}");
        }
        println!("ack {seq}");
    }
}
