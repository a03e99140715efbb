//! What a stopped journal daemon left in its directory, checked against what it acknowledged.
//!
//! The record generator is seeded, so the harness regenerates every acknowledged record and
//! checks its content, not only its presence, in SQLite and in the file.

use std::{collections::HashSet, path::Path, time::Duration};

use killtest::{
    journal::{DB, LOCK, LOG},
    source::Source,
};
use rusqlite::{Connection, OpenFlags};

/// The verdict on one trial's directory.
#[derive(Debug, Default, Clone)]
pub(crate) struct Verdict {
    /// Records acknowledged (`ack N` lines).
    pub(crate) acked: u64,
    /// Acknowledged records missing from SQLite, from the file, or from either.
    pub(crate) lost_db: u64,
    pub(crate) lost_file: u64,
    pub(crate) lost: u64,
    /// `PRAGMA integrity_check` said something other than `ok` (or the database would not open).
    pub(crate) integrity: Option<String>,
    /// The file's last line has no newline.
    pub(crate) torn_tail: bool,
    /// Complete lines or rows whose content is not the record they claim to be.
    pub(crate) bad_records: u64,
    /// The lock file is still there.
    pub(crate) stale_lock: bool,
}

impl Verdict {
    /// Integrity failure, torn tail or bad content.
    pub(crate) fn corrupt(&self) -> bool {
        self.integrity.is_some() || self.torn_tail || self.bad_records > 0
    }

    pub(crate) fn problems(&self) -> String {
        let mut p = Vec::new();
        if self.lost > 0 {
            p.push(format!(
                "lost {} of {} acked (db {}, file {})",
                self.lost, self.acked, self.lost_db, self.lost_file
            ));
        }
        if let Some(i) = &self.integrity {
            p.push(format!("integrity_check: {i}"));
        }
        if self.torn_tail {
            p.push("torn file tail".into());
        }
        if self.bad_records > 0 {
            p.push(format!("{} bad records", self.bad_records));
        }
        if self.stale_lock {
            p.push("stale lock file".into());
        }
        p.join("; ")
    }
}

/// The acknowledged sequence numbers in `stdout`: `ack N` lines.
pub(crate) fn acked(stdout: &[String]) -> Vec<i64> {
    stdout
        .iter()
        .filter_map(|l| l.strip_prefix("ack ")?.parse().ok())
        .collect()
}

/// Check `dir` against the records acknowledged in `stdout`, generated from `seed` and `pace`.
pub(crate) fn verify(dir: &Path, stdout: &[String], seed: u64, pace: Duration) -> Verdict {
    let acked = acked(stdout);
    let mut v = Verdict {
        acked: acked.len() as u64,
        stale_lock: dir.join(LOCK).exists(),
        ..Verdict::default()
    };
    let last = acked.iter().copied().max().unwrap_or(0);
    // Everything the daemon could have written: acknowledged, or accepted just before the end.
    let horizon = last + 1_000;
    let expected = expected_bodies(seed, pace, horizon);
    let body_of = |seq: i64| expected.get(usize::try_from(seq - 1).ok()?);

    let in_db = match read_db(&dir.join(DB)) {
        Ok((check, rows)) => {
            if check != "ok" {
                v.integrity = Some(check);
            }
            let mut seen = HashSet::with_capacity(rows.len());
            for (seq, body) in rows {
                if body_of(seq).is_none_or(|b| *b != body) {
                    v.bad_records += 1;
                }
                seen.insert(seq);
            }
            seen
        }
        Err(e) => {
            v.integrity = Some(format!("cannot read: {e}"));
            HashSet::new()
        }
    };

    let text = std::fs::read(dir.join(LOG)).unwrap_or_default();
    v.torn_tail = !text.is_empty() && !text.ends_with(b"\n");
    let complete = match text.iter().rposition(|&b| b == b'\n') {
        Some(end) => &text[..=end],
        None => &[][..],
    };
    let mut in_file = HashSet::new();
    for line in complete.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let parsed = std::str::from_utf8(line).ok().and_then(|l| {
            let (seq, body) = l.split_once('\t')?;
            Some((seq.parse::<i64>().ok()?, body))
        });
        match parsed {
            Some((seq, body)) if body_of(seq).is_some_and(|b| b == body) => {
                if !in_file.insert(seq) {
                    v.bad_records += 1; // written twice
                }
            }
            _ => v.bad_records += 1,
        }
    }

    for seq in &acked {
        let db = in_db.contains(seq);
        let file = in_file.contains(seq);
        v.lost_db += u64::from(!db);
        v.lost_file += u64::from(!file);
        v.lost += u64::from(!(db && file));
    }
    v
}

/// Regenerate the first `n` records' bodies, calling the generator as the daemon does.
fn expected_bodies(seed: u64, pace: Duration, n: i64) -> Vec<String> {
    let mut source = Source::new(seed, pace);
    (0..n)
        .map(|_| {
            let _ = source.gap();
            source.next_record().body
        })
        .collect()
}

/// Open the database as the next start of the daemon would (so SQLite recovers a hot WAL or
/// journal), run `PRAGMA integrity_check`, and read every row.
fn read_db(path: &Path) -> rusqlite::Result<(String, Vec<(i64, String)>)> {
    if !path.exists() {
        return Ok(("ok".into(), Vec::new())); // killed before it created one: nothing to lose
    }
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let check: String = db.pragma_query_value(None, "integrity_check", |r| r.get(0))?;
    let has_table: bool = db.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'records'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok((check, Vec::new()));
    }
    let mut stmt = db.prepare("SELECT seq, body FROM records")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((check, rows))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use killtest::journal::{Journal, LockFile, Record};

    use super::*;

    const PACE: Duration = Duration::from_millis(5);

    fn fresh(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("killtest-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The first `n` records the daemon would generate from `seed`.
    fn generated(seed: u64, n: usize) -> Vec<Record> {
        let mut s = Source::new(seed, PACE);
        (0..n)
            .map(|_| {
                let _ = s.gap();
                s.next_record()
            })
            .collect()
    }

    fn acks(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("ack {i}")).collect()
    }

    #[test]
    fn committed_and_synced_records_are_all_found() {
        let dir = fresh("synced");
        let lock = LockFile::acquire(&dir).unwrap();
        let mut j = Journal::open(&dir).unwrap();
        for r in generated(3, 150) {
            j.accept(r);
        }
        j.commit().unwrap();
        j.sync().unwrap();
        lock.release().unwrap();
        let v = verify(&dir, &acks(150), 3, PACE);
        assert_eq!((v.acked, v.lost, v.bad_records), (150, 0, 0), "{v:?}");
        assert!(!v.corrupt() && !v.stale_lock, "{v:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_open_batch_and_an_unflushed_buffer_are_lost_when_the_process_dies() {
        let dir = fresh("died");
        let lock = LockFile::acquire(&dir).unwrap();
        let mut j = Journal::open(&dir).unwrap();
        let records = generated(4, 15);
        for r in records[..10].iter().cloned() {
            j.accept(r);
        }
        j.commit().unwrap(); // in SQLite; its lines still in the file's buffer
        for r in records[10..].iter().cloned() {
            j.accept(r); // acknowledged, in memory only
        }
        // Dying runs no destructor: neither the buffer's flush nor the lock's removal.
        std::mem::forget(j);
        std::mem::forget(lock);
        let v = verify(&dir, &acks(15), 4, PACE);
        assert_eq!((v.lost_db, v.lost_file, v.lost), (5, 15, 15), "{v:?}");
        assert!(v.stale_lock, "{v:?}");
        assert!(!v.corrupt(), "{v:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_torn_last_line_and_a_wrong_record_are_corrupt() {
        let dir = fresh("torn");
        let r = generated(5, 2);
        let text = format!("1\t{}\n2\tnot what was sent\n3\tGET /api", r[0].body);
        std::fs::write(dir.join(LOG), text).unwrap();
        let v = verify(&dir, &acks(1), 5, PACE);
        assert!(v.torn_tail, "{v:?}");
        assert_eq!(v.bad_records, 1, "{v:?}");
        assert!(v.corrupt());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
