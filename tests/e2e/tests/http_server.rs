//! The `http_server` example drains under load: requests in flight when SIGTERM arrives all
//! complete with 200, new connections are refused, the hook saves the counter, exit 0.
//!
//! The example is built by `cargo test --workspace` (examples of the root package are built
//! with its tests); this test finds it next to its own binary.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    time::{Duration, Instant},
};

use graceful_e2e::{Proc, SIGTERM, start_server};

/// One HTTP/1.1 request on its own connection; returns the status line and the body.
fn get(addr: SocketAddr, path: &str) -> std::io::Result<(String, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    Ok((status, body))
}

/// Start the example; returns it with the address it listens on.
fn start(env: &[(&str, &str)]) -> (Proc, SocketAddr) {
    start_server("http_server", env)
}

/// Wait until connecting is refused: the listener is closed.
fn refused_within(addr: SocketAddr, patience: Duration) {
    let t0 = Instant::now();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return,
            _ => {
                assert!(
                    t0.elapsed() < patience,
                    "still accepting after {patience:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

#[test]
fn in_flight_requests_finish_new_ones_are_refused_and_the_hook_saves_the_counter() {
    let dir = std::env::temp_dir().join(format!("graceful-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let counter = dir.join("served.txt");
    let (p, addr) = start(&[("GRACEFUL_HTTP_COUNTER", counter.to_str().unwrap())]);
    assert_eq!(get(addr, "/").unwrap().0, "HTTP/1.1 200 OK");

    // Eight slow requests in flight, then SIGTERM.
    let clients: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(move || get(addr, "/slow/1500")))
        .collect();
    p.wait_for_count("slow request started", 8);
    p.kill(SIGTERM);

    // New connections are refused once the listener closes, promptly.
    refused_within(addr, Duration::from_secs(3));

    for c in clients {
        let (status, body) = c.join().unwrap().expect("an in-flight request failed");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, "slept 1500 ms\n");
    }
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.position("draining: shutting down: SIGTERM") < end.position("all requests done"));
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap(),
        "9\n",
        "{end:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readiness_flips_at_the_signal_and_the_service_answers_through_the_drain() {
    let dir = std::env::temp_dir().join(format!("graceful-http-drain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let counter = dir.join("served.txt");
    let (p, addr) = start(&[
        ("GRACEFUL_HTTP_COUNTER", counter.to_str().unwrap()),
        ("GRACEFUL_DRAIN", "1500ms"),
    ]);
    assert_eq!(
        get(addr, "/ready").unwrap(),
        ("HTTP/1.1 200 OK".into(), "ready\n".into())
    );
    let signalled = Instant::now();
    p.kill(SIGTERM);
    // The probe fails at once...
    loop {
        let (status, _) = get(addr, "/ready").unwrap();
        if status == "HTTP/1.1 503 Service Unavailable" {
            break;
        }
        assert!(
            signalled.elapsed() < Duration::from_millis(500),
            "still ready: {status}"
        );
    }
    // ...while the service keeps answering for the drain.
    for _ in 0..5 {
        assert_eq!(get(addr, "/").unwrap().0, "HTTP/1.1 200 OK");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        signalled.elapsed() < Duration::from_millis(1500),
        "the check took too long"
    );
    refused_within(addr, Duration::from_secs(5));
    assert!(
        signalled.elapsed() >= Duration::from_millis(1500),
        "stopped before the drain ended"
    );
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.stderr.contains("draining for 1.5s"), "{}", end.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_zero_drain_turns_the_drain_off() {
    // Operators write GRACEFUL_DRAIN=0s to turn the drain off: it must start (not exit 78) and
    // stop at once on SIGTERM, with no drain.
    let (p, addr) = start(&[("GRACEFUL_DRAIN", "0s")]);
    assert_eq!(get(addr, "/").unwrap().0, "HTTP/1.1 200 OK");
    p.kill(SIGTERM);
    refused_within(addr, Duration::from_secs(5));
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(!end.stderr.contains("draining for"), "{}", end.stderr);
}
