//! The daemon's storage, shaped like a log shipper's: records wait in an in-memory batch, and
//! the batch is group-committed every [`BATCH_RECORDS`] records or [`BATCH_AGE`], in one SQLite
//! transaction and as lines appended to a buffered file. A [`LockFile`] says the daemon runs.
//!
//! Nothing here knows about signals. What survives a SIGTERM depends only on whether someone
//! calls [`Journal::commit`] and [`Journal::sync`] before the process ends.

use std::{
    fmt,
    fs::{File, OpenOptions},
    io::{self, BufWriter, Write},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use rusqlite::Connection;

/// The SQLite database in the daemon's directory.
pub const DB: &str = "journal.db";
/// The append-only file: one line per record, `SEQ<TAB>BODY`.
pub const LOG: &str = "journal.log";
/// The lock file, present while the daemon runs; it holds the daemon's pid.
pub const LOCK: &str = "journal.lock";

/// A batch is committed once it holds this many records...
pub const BATCH_RECORDS: usize = 100;
/// ...or once its first record is this old (checked as each record arrives).
pub const BATCH_AGE: Duration = Duration::from_millis(50);

/// The file's buffer: the file is written when it fills, not at each commit, as a log
/// shipper's would be. Lines may straddle two writes, so a process killed between them
/// leaves a torn last line.
const FILE_BUFFER: usize = 64 * 1024;

/// One record: a sequence number (1, 2, ...) and a payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The record's number, unique and increasing.
    pub seq: i64,
    /// What the record says.
    pub body: String,
}

/// A storage failure.
#[derive(Debug)]
pub enum Error {
    /// SQLite refused.
    Sql(rusqlite::Error),
    /// The file or the directory refused.
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sql(_) => f.write_str("sqlite failed"),
            Error::Io(_) => f.write_str("file i/o failed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sql(e) => Some(e),
            Error::Io(e) => Some(e),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sql(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// The batch, the database and the file.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("journal-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use killtest::journal::{Journal, Record};
/// let mut journal = Journal::open(&dir)?;
/// journal.accept(Record { seq: 1, body: "hello".into() });
/// assert_eq!(journal.commit()?, 1);
/// journal.sync()?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Journal {
    db: Connection,
    file: BufWriter<File>,
    batch: Vec<Record>,
    batch_began: Option<Instant>,
}

impl Journal {
    /// Open (or create) the database and the file in `dir`.
    ///
    /// The database runs in WAL mode with `synchronous = NORMAL`, the usual choice for a
    /// write-heavy daemon: a committed transaction survives the death of the process (the OS
    /// holds its pages), though not a power cut until the next checkpoint.
    ///
    /// # Errors
    /// SQLite or the file system refusing.
    pub fn open(dir: &Path) -> Result<Journal, Error> {
        let db = Connection::open(dir.join(DB))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        )?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(LOG))?;
        Ok(Journal {
            db,
            file: BufWriter::with_capacity(FILE_BUFFER, file),
            batch: Vec::with_capacity(BATCH_RECORDS),
            batch_began: None,
        })
    }

    /// Put `record` in the open batch. Once this returns, the record may be acknowledged.
    pub fn accept(&mut self, record: Record) {
        self.batch_began.get_or_insert_with(Instant::now);
        self.batch.push(record);
    }

    /// The open batch is full or old enough to commit.
    pub fn due(&self) -> bool {
        self.batch.len() >= BATCH_RECORDS
            || self.batch_began.is_some_and(|t| t.elapsed() >= BATCH_AGE)
    }

    /// Records in the open batch, not yet committed.
    pub fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Bytes written to the file's buffer but not yet to the file.
    pub fn buffered(&self) -> usize {
        self.file.buffer().len()
    }

    /// Commit the open batch: one SQLite transaction, then one line per record into the file's
    /// buffer. Returns how many records it committed (0 for an empty batch).
    ///
    /// # Errors
    /// SQLite or the file refusing. A failed transaction rolls back and the batch stays open,
    /// so a later call can retry it.
    pub fn commit(&mut self) -> Result<usize, Error> {
        if self.batch.is_empty() {
            return Ok(0);
        }
        let tx = self.db.transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO records (seq, body) VALUES (?1, ?2)")?;
            for r in &self.batch {
                insert.execute((r.seq, &r.body))?;
            }
        }
        tx.commit()?;
        for r in &self.batch {
            writeln!(self.file, "{}\t{}", r.seq, r.body)?;
        }
        let n = self.batch.len();
        self.batch.clear();
        self.batch_began = None;
        Ok(n)
    }

    /// Write the file's buffer out and fsync it.
    ///
    /// # Errors
    /// The file refusing.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_all()
    }
}

/// The lock file: created when the daemon starts (failing if another holds it), removed when
/// it is released or dropped.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("lock-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use killtest::journal::LockFile;
/// let lock = LockFile::acquire(&dir)?;
/// assert!(LockFile::acquire(&dir).is_err()); // held
/// lock.release()?;
/// assert!(!dir.join(killtest::journal::LOCK).exists());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    held: bool,
}

impl LockFile {
    /// Create `dir/journal.lock` holding our pid.
    ///
    /// # Errors
    /// `AlreadyExists` while another process (or a stale lock) holds it; other I/O errors.
    pub fn acquire(dir: &Path) -> io::Result<LockFile> {
        let path = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        writeln!(file, "{}", std::process::id())?;
        Ok(LockFile { path, held: true })
    }

    /// Remove the lock file.
    ///
    /// # Errors
    /// The file system refusing.
    pub fn release(mut self) -> io::Result<()> {
        self.held = false;
        std::fs::remove_file(&self.path)
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        if self.held {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
