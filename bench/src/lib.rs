//! What the benchmark's child binaries share: one clock and a way to hand a timestamp to the
//! parent that is safe inside a signal handler.
//!
//! Every child speaks the same tiny protocol on stdout: `ready` once it is about to block, then
//! one line per measurement, `<label> <nanoseconds>` (or just `<nanoseconds>`). The parent
//! (`graceful-bench`, `src/main.rs`) reads the lines; nothing here allocates or locks, so a
//! signal handler may call [`emit`].

/// Nanoseconds on `CLOCK_MONOTONIC`, the clock the parent also reads: timestamps taken in two
/// processes compare directly. `clock_gettime` is async-signal-safe.
#[inline]
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Write `<label> <value>\n` (or `<value>\n` for an empty label) to stdout with one `write(2)`,
/// bypassing std's buffered stdout. Async-signal-safe: formatting happens on the stack.
pub fn emit(label: &str, value: u64) {
    let mut buf = [0u8; 96];
    let mut len = 0;
    for &b in label.as_bytes().iter().take(64) {
        buf[len] = b;
        len += 1;
    }
    if len > 0 {
        buf[len] = b' ';
        len += 1;
    }
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut d = digits.len();
    loop {
        d -= 1;
        digits[d] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &digits[d..] {
        buf[len] = b;
        len += 1;
    }
    buf[len] = b'\n';
    len += 1;
    // SAFETY: writing `len` initialised bytes from a stack buffer to fd 1; write(2) is
    // async-signal-safe. A short or failed write only loses a sample, which the parent notices.
    unsafe { libc::write(1, buf.as_ptr().cast(), len) };
}

/// Tell the parent the child is about to block: it sends its signal a little later.
pub fn ready() {
    let line = b"ready\n";
    // SAFETY: writing a valid byte string to fd 1.
    unsafe { libc::write(1, line.as_ptr().cast(), line.len()) };
}

/// `true` when the child was started with `warm` as its first argument: it then keeps handling
/// signals instead of exiting after the first.
pub fn warm() -> bool {
    std::env::args().nth(1).is_some_and(|a| a == "warm")
}

/// At exit, write `rss_kib <peak>` to stdout: this process's peak resident set (`VmHWM` in
/// `/proc/self/status`), read in an `atexit` handler, so after everything the program did,
/// hooks and report included. (`wait4`'s `ru_maxrss` would not do: it also counts the parent's
/// memory, which a `vfork`-style spawn shares until `exec`.) Writes nothing where `/proc` is
/// missing.
pub fn emit_peak_rss_at_exit() {
    extern "C" fn at_exit() {
        if let Some(kib) = peak_rss_kib() {
            emit("rss_kib", kib);
        }
    }
    // SAFETY: registering a plain `extern "C" fn()` that touches no Rust state that exit tears
    // down: it reads a file into a stack buffer and writes to fd 1.
    unsafe { libc::atexit(at_exit) };
}

/// `VmHWM` from `/proc/self/status`, in KiB, without allocating.
fn peak_rss_kib() -> Option<u64> {
    let mut buf = [0u8; 4096];
    // SAFETY: a NUL-terminated path; the descriptor is closed below.
    let fd = unsafe { libc::open(c"/proc/self/status".as_ptr(), libc::O_RDONLY) };
    if fd < 0 {
        return None;
    }
    // SAFETY: reading into a valid buffer of the stated length.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    // SAFETY: closing the descriptor opened above.
    unsafe { libc::close(fd) };
    let text = buf.get(..usize::try_from(n).ok()?)?;
    let line = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"VmHWM:"))?;
    let mut kib = None;
    for &b in line.iter().filter(|b| b.is_ascii_digit()) {
        kib = Some(kib.unwrap_or(0) * 10 + u64::from(b - b'0'));
    }
    kib
}
