//! Start-up: from just before the parent starts the process (fork and exec included) to the
//! first line of main's body, for a plain binary and the same binary under `#[graceful::main]`,
//! interleaved; the peak RSS of each run (`VmHWM`, which the child reads at exit); and the
//! size of the two binaries once stripped.

use std::path::Path;

use super::{Dist, child::Child, child::bin, progress};

pub(crate) struct Startup {
    /// exec → first line of the body, plain then graceful.
    pub(crate) start: [Dist; 2],
    /// Peak RSS (`VmHWM` at exit) in KiB, plain then graceful.
    pub(crate) rss_kib: [Dist; 2],
    /// Stripped sizes in bytes, plain then graceful, if `strip` ran.
    pub(crate) size: Option<[u64; 2]>,
}

pub(crate) const BINS: [(&str, &str); 2] = [
    ("plain `fn main`", "start_plain"),
    ("`#[graceful::main]` + one hook", "start_graceful"),
];

fn sample(name: &str) -> Result<(u64, Result<u64, String>), String> {
    let path = bin(name);
    let before = graceful_bench::now_ns();
    let mut child = Child::start(&path, &[], &[]).map_err(|e| e.to_string())?;
    let first_line = child.number()?;
    let rss = child.labelled("rss_kib");
    let reaped = child.reap()?;
    if reaped.status != 0 {
        return Err(format!("{name} exited with status {}", reaped.status));
    }
    let start = first_line
        .checked_sub(before)
        .ok_or("the child's time is before its start")?;
    Ok((start, rss))
}

pub(crate) fn run(trials: usize) -> Startup {
    let mut start = BINS.map(|(label, _)| Dist::new(label));
    let mut rss_kib = BINS.map(|(label, _)| Dist::new(label));
    for trial in 0..trials {
        progress("start-up", trial, trials);
        for k in 0..2 {
            let i = (trial + k) % 2;
            match sample(BINS[i].1) {
                Ok((ns, kib)) => {
                    start[i].push(Ok(ns));
                    rss_kib[i].push(kib);
                }
                Err(e) => start[i].push(Err(e)),
            }
        }
    }
    Startup {
        start,
        rss_kib,
        size: stripped(&BINS.map(|(_, name)| bin(name))),
    }
}

/// The sizes of the binaries after `strip`, on copies in a temporary directory.
fn stripped(paths: &[std::path::PathBuf; 2]) -> Option<[u64; 2]> {
    let dir = std::env::temp_dir().join(format!("graceful-bench-strip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let size = |p: &Path| -> Option<u64> {
        let out = dir.join(p.file_name()?);
        let ok = std::process::Command::new("strip")
            .arg("-o")
            .arg(&out)
            .arg(p)
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        Some(std::fs::metadata(&out).ok()?.len())
    };
    let sizes = [size(&paths[0]), size(&paths[1])];
    let _ = std::fs::remove_dir_all(&dir);
    Some([sizes[0]?, sizes[1]?])
}
