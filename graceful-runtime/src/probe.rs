//! The probe listener, off by default: plain HTTP/1.1 on a std `TcpListener`, no HTTP crate.
//! `/livez` answers 200 until the process exits (never failing during the drain or the hooks,
//! so an orchestrator does not restart a process that is stopping as asked); `/readyz` answers
//! 200 while [`is_ready`](crate::is_ready) and 503 from the first signal, so a load balancer
//! stops sending work for the drain. Anything else is 404.
//!
//! One thread, one connection at a time, each bounded (500 ms to read the request line and to
//! write the answer), so a slow client delays the next probe by half a second at most.
//!
//! Layer 2, beside the cooperative API whose `is_ready` it serves: it imports `wait` (2), the
//! platform (8) and the leaves.

use std::{
    io::{self, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    time::Duration,
};

use crate::{sys, wait::is_ready};

/// How long a client gets to send its request line, and to take the answer.
const PATIENCE: Duration = Duration::from_millis(500);

/// Listen on `addr` and answer probes on a thread of graceful's own.
pub(crate) fn start(addr: SocketAddr) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    sys::spawn("graceful-probe", Box::new(move || serve(&listener)))
}

fn serve(listener: &TcpListener) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = answer(stream);
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

fn answer(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    // The request line is all a probe needs; read until it is whole (or 1 KiB came).
    let mut buf = [0u8; 1024];
    let mut len = 0;
    while len < buf.len() && !buf[..len].contains(&b'\n') {
        match stream.read(&mut buf[len..])? {
            0 => break,
            n => len += n,
        }
    }
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
