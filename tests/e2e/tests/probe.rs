//! The probe listener on a real process: `/livez` 200 from start to exit, `/readyz` 200 until
//! the first signal and 503 through the drain and the hooks; bad addresses refused at start-up.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    time::{Duration, Instant},
};

use graceful_e2e::{Proc, SIGTERM};

const BIN: &str = env!("CARGO_BIN_EXE_probe");

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn status(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: probe\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// Wait until the listener answers (it is up before the body runs, but the test raced it).
fn up(addr: SocketAddr) {
    let t0 = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the probe never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

const OK: &str = "HTTP/1.1 200 OK";
const UNAVAILABLE: &str = "HTTP/1.1 503 Service Unavailable";

#[test]
fn livez_stays_200_and_readyz_turns_503_at_the_signal_through_the_drain_and_the_hooks() {
    let addr = free_port();
    let p = Proc::start(BIN, &[], &[("GRACEFUL_PROBE", &addr.to_string())]);
    p.wait_for("ready");
    up(addr);
    assert_eq!(status(addr, "/livez"), OK);
    assert_eq!(status(addr, "/readyz"), OK);
    assert_eq!(status(addr, "/other"), "HTTP/1.1 404 Not Found");
    let signalled = Instant::now();
    p.kill(SIGTERM);
    // The drain (1 s): not ready, still alive.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(status(addr, "/readyz"), UNAVAILABLE);
    assert_eq!(status(addr, "/livez"), OK);
    assert!(
        signalled.elapsed() < Duration::from_millis(1000),
        "the check was late"
    );
    // The hooks (the slow one takes 1.5 s): still alive, still not ready.
    p.wait_for("hook:slow:start");
    assert_eq!(status(addr, "/livez"), OK);
    assert_eq!(status(addr, "/readyz"), UNAVAILABLE);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
}

#[test]
fn an_address_that_is_not_one_exits_78_naming_the_variable() {
    let end = Proc::start(BIN, &[], &[("GRACEFUL_PROBE", "localhost:9000")]).wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr
            .contains("GRACEFUL_PROBE=\"localhost:9000\" is not valid"),
        "{}",
        end.stderr
    );
    assert!(!end.stdout.contains(&"ready".to_owned()), "the body ran");
}

#[test]
fn an_address_in_use_exits_78_naming_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let end = Proc::start(BIN, &[], &[("GRACEFUL_PROBE", &addr.to_string())]).wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr
            .contains(&format!("the probe listener cannot listen on {addr}")),
        "{}",
        end.stderr
    );
}

#[test]
fn slow_and_idle_clients_do_not_keep_livez_from_answering() {
    // Found by review: one connection at a time, 500 ms per read: a client sending a byte
    // every 400 ms, or 20 that send nothing, kept /livez from answering for seconds.
    let addr = free_port();
    let p = Proc::start(BIN, &[], &[("GRACEFUL_PROBE", &addr.to_string())]);
    p.wait_for("ready");
    up(addr);
    let idle: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let mut slow = TcpStream::connect(addr).unwrap();
    let dripping = std::thread::spawn(move || {
        for _ in 0..10 {
            if slow.write_all(b"G").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(400));
        }
    });
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..3 {
        let t0 = Instant::now();
        assert_eq!(status(addr, "/livez"), OK);
        assert!(
            t0.elapsed() < Duration::from_millis(1500),
            "{:?}",
            t0.elapsed()
        );
    }
    drop(idle);
    p.kill(SIGTERM);
    assert_eq!(p.wait().code(), Some(0));
    dripping.join().unwrap();
}

#[test]
fn a_forked_child_does_not_keep_the_probe_port() {
    // Found by review: the child inherited the listener, so the port stayed taken (and
    // unanswered) after the parent exited.
    let addr = free_port();
    let p = Proc::start(BIN, &["fork"], &[("GRACEFUL_PROBE", &addr.to_string())]);
    p.wait_for("forked");
    p.kill(SIGTERM);
    assert_eq!(p.wait().code(), Some(0));
    // The child sleeps on; nothing may listen on the port any more.
    let t0 = Instant::now();
    while TcpStream::connect(addr).is_ok() {
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "the port is still taken"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn port_zero_is_refused_by_name() {
    let end = Proc::start(BIN, &[], &[("GRACEFUL_PROBE", "127.0.0.1:0")]).wait();
    assert_eq!(end.code(), Some(78), "{end:#?}");
    assert!(
        end.stderr.contains("GRACEFUL_PROBE=\"127.0.0.1:0\""),
        "{}",
        end.stderr
    );
}

#[test]
fn try_install_that_fails_on_the_probe_installs_nothing() {
    // Found by review: the handlers and the watchdog were up before the probe failed, so
    // SIGTERM was caught by a graceful that had been refused (124 after the timeout).
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let p = Proc::start(
        BIN,
        &["try_install"],
        &[("GRACEFUL_PROBE", &addr.to_string())],
    );
    p.wait_for("refused");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.signal(), Some(SIGTERM), "{end:#?}");
}
