//! The `actix_download` example (actix-web, its `shutdown_signal` and `shutdown_timeout`) under
//! SIGTERM with a slow download in flight. Kept by the budget rule (actix's timeout below
//! `body_timeout`), the download completes and the exit is 0; with actix's own default of 30 s,
//! above `body_timeout`, graceful abandons main at `body_timeout` and its report names the
//! download and the rule.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use graceful_e2e::{SIGTERM, start_server, within};

/// Start `GET /download/{secs}` and read it to its end on another thread: the status line, the
/// announced length and the body bytes received. Returns once the first chunk is in.
fn download(addr: SocketAddr, secs: u32) -> JoinHandle<(String, usize, usize)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET /download/{secs} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // The head and the first chunk, before the caller signals.
    while !got.windows(5).any(|w| w == b"\r\n\r\nx") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the first chunk: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    std::thread::spawn(move || {
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&got).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_owned)
            })
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no content-length in {head}"));
        (head.lines().next().unwrap().to_owned(), length, body.len())
    })
}

#[test]
fn a_download_in_flight_at_sigterm_completes_and_the_exit_is_0() {
    let (p, addr) = start_server("actix_download", &[]);
    let client = download(addr, 3);
    let signalled = Instant::now();
    p.kill(SIGTERM);
    let (status, length, body) = client.join().unwrap();
    let end = p.wait();
    assert_eq!(status, "HTTP/1.1 200 OK", "{end:#?}");
    assert_eq!(body, length, "the download was cut: {end:#?}");
    assert_eq!(length, 3 * 4 * 1024);
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stdout.contains(&"server stopped".to_owned()),
        "{end:#?}"
    );
    assert!(
        end.stdout.contains(&"access log closed".to_owned()),
        "{end:#?}"
    );
    for bad in ["failed", "panicked", "did not return", "timed out"] {
        assert!(!end.stderr.contains(bad), "{bad:?} in {}", end.stderr);
    }
    assert!(end.stderr.contains("exit 0"), "{}", end.stderr);
    within(signalled, Duration::from_secs(5));
}

#[test]
fn a_framework_timeout_above_body_timeout_is_named_in_the_report() {
    let (p, addr) = start_server("actix_download", &[("ACTIX_SHUTDOWN_TIMEOUT", "30")]);
    let client = download(addr, 8);
    let signalled = Instant::now();
    p.kill(SIGTERM);
    let end = p.wait();
    let (_, length, body) = client.join().unwrap();
    assert!(
        body < length,
        "an 8 s download cannot fit in a 5 s body_timeout"
    );
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stdout.contains(&"access log closed".to_owned()),
        "{end:#?}"
    );
    assert!(
        end.stderr.contains(
            "main did not return within 5s; work still in flight: hold \"download of 8s\" \
             (examples/actix_download.rs:"
        ),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains(
            "(the budget rule: framework timeout < body_timeout <= timeout, docs/FRAMEWORKS.md)"
        ),
        "{}",
        end.stderr
    );
    within(signalled, Duration::from_secs(9));
}

#[test]
fn a_download_longer_than_actixs_own_timeout_is_cut_and_says_so() {
    // Found by review: the example's docs promised a 4 s download would complete, and actix's
    // 3 s shutdown_timeout cut it while graceful reported a clean stop (it cannot tell). The
    // download now says so from its `Drop`.
    let (p, addr) = start_server("actix_download", &[]);
    let client = download(addr, 5);
    p.kill(SIGTERM);
    let (_, length, body) = client.join().unwrap();
    let end = p.wait();
    assert!(body < length, "{body} of {length}: {end:#?}");
    assert_eq!(
        end.code(),
        Some(0),
        "actix returned as from a clean stop: {end:#?}"
    );
    assert!(end.stderr.contains("download cut: "), "{}", end.stderr);
}
