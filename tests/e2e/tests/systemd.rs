//! The `systemd` feature against a real unix datagram socket, bound here as systemd would.

use std::{
    os::unix::net::UnixDatagram,
    time::{Duration, Instant},
};

use graceful_e2e::{Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_systemd_notify");

/// Every datagram until the socket has been quiet for `quiet`.
fn drain(sock: &UnixDatagram, quiet: Duration) -> Vec<String> {
    sock.set_read_timeout(Some(quiet)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = sock.recv(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    got
}

#[test]
fn ready_stopping_and_extensions_reach_the_notify_socket() {
    let dir = std::env::temp_dir().join(format!("graceful-sd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    let p = Proc::start(BIN, &[], &[("NOTIFY_SOCKET", path.to_str().unwrap())]);
    p.wait_for("ready:true");
    assert_eq!(drain(&sock, Duration::from_millis(200)), ["READY=1"]);

    let t0 = Instant::now();
    p.kill(SIGTERM);
    let end = p.wait();
    let messages = drain(&sock, Duration::from_millis(200));
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(
        messages.first().map(String::as_str),
        Some("STOPPING=1"),
        "{messages:?}"
    );
    let extensions: Vec<u64> = messages
        .iter()
        .filter_map(|m| m.strip_prefix("EXTEND_TIMEOUT_USEC="))
        .map(|v| v.parse().unwrap())
        .collect();
    // The hook took 2.5 s: an extension at once and about one a second after.
    assert!(extensions.len() >= 2, "{messages:?}");
    // Never beyond graceful's own deadline (6 s) plus the second for the exit.
    assert!(
        extensions.iter().all(|&us| us <= 7_000_000),
        "{extensions:?}"
    );
    assert!(extensions.windows(2).all(|w| w[1] < w[0]), "{extensions:?}");
    assert!(t0.elapsed() < Duration::from_secs(6));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_abstract_notify_socket_works_too() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("graceful-sd-abstract-{}", std::process::id());
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let sock = UnixDatagram::bind_addr(&addr).unwrap();
    let p = Proc::start(BIN, &[], &[("NOTIFY_SOCKET", &format!("@{name}"))]);
    p.wait_for("ready:true");
    assert_eq!(drain(&sock, Duration::from_millis(200)), ["READY=1"]);
    p.kill(SIGTERM);
    assert_eq!(p.wait().code(), Some(0));
}

#[test]
fn without_systemd_nothing_is_sent() {
    let p = Proc::start(BIN, &[], &[]);
    p.wait_for("ready:false");
    p.kill(SIGTERM);
    assert_eq!(p.wait().code(), Some(0));
}
