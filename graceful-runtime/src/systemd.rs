//! systemd's notify protocol (`sd_notify(3)`), with the `systemd` feature: one datagram per
//! message on the unix socket named by `$NOTIFY_SOCKET`. std's `UnixDatagram` is all it takes,
//! so no crate is needed.
//!
//! graceful sends `STOPPING=1` when it starts stopping (or draining), then
//! `EXTEND_TIMEOUT_USEC=` at once and every second while it lasts, so that systemd's
//! `TimeoutStopSec` does not kill a cleanup that is still within graceful's own deadline. Each
//! extension reaches exactly to that deadline (plus one second for the exit itself), never
//! beyond: graceful's `timeout` stays the bound. Call [`ready`] once the service is up, for
//! `Type=notify` units.
//!
//! Every send is non-blocking: a service manager that stopped reading (its socket's queue
//! full) costs the message, never a thread. graceful's own messages are sent by its reporter
//! thread, and `STOPPING=1` once more by the exit if the stop was over before the reporter
//! got to it, so a stop however short is announced.
//!
//! Layer 6: it imports nothing of the crate.

use std::{ffi::OsString, io, os::unix::net::UnixDatagram, sync::OnceLock};

/// `$NOTIFY_SOCKET`, read once: the environment is not re-read on the shutdown path.
fn socket() -> Option<&'static OsString> {
    static SOCKET: OnceLock<Option<OsString>> = OnceLock::new();
    SOCKET
        .get_or_init(|| std::env::var_os("NOTIFY_SOCKET").filter(|s| !s.is_empty()))
        .as_ref()
}

/// Whether the program runs under a service manager that listens (`$NOTIFY_SOCKET` is set).
pub(crate) fn listening() -> bool {
    socket().is_some()
}

/// Send one notify message such as `"STATUS=warming caches"`; `Ok(false)` when the program is
/// not running under systemd (`$NOTIFY_SOCKET` is unset).
///
/// # Errors
/// The socket could not be created or the datagram not sent.
///
/// ```
/// # use graceful_runtime as graceful;
/// let sent = graceful::systemd::notify("STATUS=warming caches")?;
/// if !sent {
///     eprintln!("not running under systemd");
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn notify(message: &str) -> io::Result<bool> {
    let Some(path) = socket() else {
        return Ok(false);
    };
    let sock = UnixDatagram::unbound()?;
    sock.set_nonblocking(true)?;
    let bytes = path.as_encoded_bytes();
    match bytes.strip_prefix(b"@") {
        Some(name) => send_abstract(&sock, name, message)?,
        None => {
            sock.send_to(message.as_bytes(), path)?;
        }
    }
    Ok(true)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn send_abstract(sock: &UnixDatagram, name: &[u8], message: &str) -> io::Result<()> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    sock.send_to_addr(message.as_bytes(), &addr).map(drop)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn send_abstract(_: &UnixDatagram, _: &[u8], _: &str) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "abstract unix sockets exist only on Linux",
    ))
}

/// Tell systemd the service is up (`READY=1`), for `Type=notify` units. `Ok(false)` outside
/// systemd.
///
/// # Errors
/// The socket could not be created or the datagram not sent.
///
/// ```no_run
/// # use graceful_runtime as graceful;
/// let listener = std::net::TcpListener::bind("127.0.0.1:8080")?;
/// graceful::systemd::ready()?; // listening: systemd may start what depends on us
/// # drop(listener);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn ready() -> io::Result<bool> {
    notify("READY=1")
}

/// graceful's own messages. Errors are ignored: a supervisor that stopped listening must not
/// stop the shutdown.
pub(crate) fn stopping() {
    let _ = notify("STOPPING=1");
}

pub(crate) fn extend(usec: u64) {
    let _ = notify(&format!("EXTEND_TIMEOUT_USEC={usec}"));
}

/// Before a reload (`SIGHUP`'s actions): `RELOADING=1` with the monotonic time in µs, in one
/// message, as `sd_notify(3)` asks of `Type=notify-reload` services.
pub(crate) fn reloading(monotonic_usec: u64) {
    let _ = notify(&format!("RELOADING=1\nMONOTONIC_USEC={monotonic_usec}"));
}

/// After a reload: `READY=1`, with `STATUS=` naming the failure on one line (the service goes
/// on with its old configuration, so it is ready either way), and a plain status again at the
/// next reload that succeeds.
pub(crate) fn reloaded(failed: Option<&str>) {
    static FAILED_LAST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let was_failed = FAILED_LAST.swap(failed.is_some(), std::sync::atomic::Ordering::AcqRel);
    let _ = match failed {
        Some(why) => {
            let why = why.replace(['\n', '\r'], " ");
            notify(&format!("STATUS=reload failed: {why}\nREADY=1"))
        }
        None if was_failed => notify("STATUS=reloaded\nREADY=1"),
        None => notify("READY=1"),
    };
}
