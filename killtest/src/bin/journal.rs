//! The journal daemon with graceful: what a user of the crate writes.
//!
//! It accepts records, acknowledges each (`ack N` on stdout) once it is in the in-memory batch,
//! and group-commits batches to SQLite and to a buffered file. On SIGTERM (or Ctrl-C) the body
//! stops accepting at its next `graceful::sleep`, and the hooks, in `order`, commit the open
//! batch, flush and fsync the file, and remove the lock file. Exit 0.
//!
//! ```text
//! journal --dir /var/lib/journal [--seed N] [--pace-us N]
//! ```
//!
//! The hooks reach the journal through a static `Mutex`: the body holds the lock only while it
//! touches the batch, so a hook never waits for more than one commit.

use std::sync::{Mutex, MutexGuard, PoisonError};

use killtest::{
    Options,
    journal::{Journal, LockFile},
    source::Source,
};

static JOURNAL: Mutex<Option<Journal>> = Mutex::new(None);
static LOCK: Mutex<Option<LockFile>> = Mutex::new(None);

/// A panic elsewhere must not stop the hooks from saving what is left.
fn locked<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::from_env()?;
    *locked(&LOCK) = Some(LockFile::acquire(&options.dir)?);
    *locked(&JOURNAL) = Some(Journal::open(&options.dir)?);
    println!("ready");
    let mut source = Source::new(options.seed, options.pace);
    loop {
        graceful::sleep(source.gap())?; // Err(Shutdown) at once on SIGTERM: stop accepting
        let record = source.next_record();
        let seq = record.seq;
        {
            let mut journal = locked(&JOURNAL);
            let journal = journal.as_mut().expect("opened above");
            journal.accept(record);
            if journal.due() {
                journal.commit()?;
                println!("commit {seq}");
            }
        }
        println!("ack {seq}");
    }
}

/// First: the records acknowledged but still in memory go to SQLite and the file's buffer.
#[graceful::on_shutdown(order = 10)]
fn commit_open_batch() -> Result<(), killtest::journal::Error> {
    if let Some(journal) = locked(&JOURNAL).as_mut() {
        let n = journal.commit()?;
        println!("hook commit {n}");
    }
    Ok(())
}

/// Then: the file's buffer reaches the disk.
#[graceful::on_shutdown(order = 20)]
fn sync_file() -> std::io::Result<()> {
    if let Some(journal) = locked(&JOURNAL).as_mut() {
        let bytes = journal.buffered();
        journal.sync()?;
        println!("hook sync {bytes}");
    }
    Ok(())
}

/// Last: the lock file goes, so the next start does not find a stale one.
#[graceful::on_shutdown(order = 30)]
fn release_lock() -> std::io::Result<()> {
    if let Some(lock) = locked(&LOCK).take() {
        lock.release()?;
        println!("hook unlock");
    }
    Ok(())
}
