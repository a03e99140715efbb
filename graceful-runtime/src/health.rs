//! The probe listener (health endpoints), off by default: plain HTTP/1.1 on a std `TcpListener`, no HTTP crate.
//! `/livez` answers 200 until the process exits (never failing during the drain or the hooks,
//! so an orchestrator does not restart a process that is stopping as asked); `/readyz` answers
//! 200 while [`is_ready`](crate::is_ready) and 503 from the first signal, so a load balancer
//! stops sending work for the drain. Anything else is 404.
//!
//! One thread accepts; each connection is answered on a short-lived thread of its own, with
//! one deadline for the whole exchange (1 s to send the request line and take the answer), and
//! at most 64 at once: more are closed at once. So neither a slow client nor many idle ones keep
//! a probe from its answer, and none can hold a thread for more than a second. A forked child
//! closes the listener (it does not answer, and must not keep the port).
//!
//! Layer 2, beside the cooperative API whose `is_ready` it serves: it imports `wait` (2), the
//! platform (8) and the leaves.

use std::{
    io::{self, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use crate::{sys, wait::is_ready};

/// How long one exchange may take: the request line in, the answer out.
const PATIENCE: Duration = Duration::from_secs(1);
/// How many connections are answered at once; more are closed at once.
const AT_ONCE: usize = 64;

static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Listen on `addr`: before graceful installs anything, so an address it cannot have leaves
/// nothing half done.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    sys::not_inherited_by_forks(&listener);
    Ok(listener)
}

/// Answer probes on `listener`, on a thread of graceful's own.
pub(crate) fn start(listener: TcpListener) -> io::Result<()> {
    sys::spawn("graceful-probe", Box::new(move || serve(&listener)))
}

fn serve(listener: &TcpListener) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if ACTIVE.fetch_add(1, Ordering::AcqRel) >= AT_ONCE {
                    ACTIVE.fetch_sub(1, Ordering::AcqRel);
                    continue; // dropped: closed at once
                }
                let answered = sys::spawn(
                    "graceful-probe",
                    Box::new(move || {
                        let _ = answer(stream);
                        ACTIVE.fetch_sub(1, Ordering::AcqRel);
                    }),
                );
                if answered.is_err() {
                    ACTIVE.fetch_sub(1, Ordering::AcqRel);
                }
            }
            // Out of descriptors, or the listener closed under us (a daemon closing fds):
            // look again later rather than spin.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The status line and body for a request line.
fn route(request_line: &str) -> (&'static str, &'static str) {
    let mut words = request_line.split_ascii_whitespace();
    let (method, target) = (words.next(), words.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        (Some("GET" | "HEAD"), "/livez") => ("200 OK", "alive\n"),
        (Some("GET" | "HEAD"), "/readyz") if is_ready() => ("200 OK", "ready\n"),
        (Some("GET" | "HEAD"), "/readyz") => ("503 Service Unavailable", "stopping\n"),
        (Some("GET" | "HEAD"), _) => ("404 Not Found", "try /livez or /readyz\n"),
        _ => ("405 Method Not Allowed", "GET /livez or /readyz\n"),
    }
}

/// Time left until `deadline`, or a timeout error once it passed.
fn left(deadline: Instant) -> io::Result<Duration> {
    match deadline.checked_duration_since(Instant::now()) {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(io::ErrorKind::TimedOut.into()),
    }
}

fn answer(mut stream: TcpStream) -> io::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    // The request line is all a probe needs; read until it is whole (or 1 KiB came), within
    // the one deadline, however the client dribbles it.
    let mut buf = [0u8; 1024];
    let mut len = 0;
    while len < buf.len() && !buf[..len].contains(&b'\n') {
        stream.set_read_timeout(Some(left(deadline)?))?;
        match stream.read(&mut buf[len..])? {
            0 => break,
            n => len += n,
        }
    }
    stream.set_write_timeout(Some(left(deadline)?))?;
    let text = String::from_utf8_lossy(&buf[..len]);
    let (status, body) = route(text.lines().next().unwrap_or(""));
    let head = text.starts_with("HEAD ");
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{}",
        body.len(),
        if head { "" } else { body }
    );
    stream.write_all(response.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn routes_the_two_probes_and_refuses_the_rest() {
        assert_eq!(route("GET /livez HTTP/1.1").0, "200 OK");
        assert_eq!(route("GET /livez?verbose HTTP/1.1").0, "200 OK");
        assert_eq!(route("HEAD /livez HTTP/1.0").0, "200 OK");
        assert_eq!(route("GET / HTTP/1.1").0, "404 Not Found");
        assert_eq!(route("POST /livez HTTP/1.1").0, "405 Method Not Allowed");
        assert_eq!(route("").0, "405 Method Not Allowed");
    }
}
