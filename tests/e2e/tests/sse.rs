//! The `sse` example under SIGTERM with clients connected: every client sees its stream end
//! (the chunked body's last chunk), and the server exits 0 well within `body_timeout`.

use std::{
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpStream},
    time::{Duration, Instant},
};

use graceful_e2e::{SIGTERM, start_server};

/// Open `/events` and read until the first event.
fn subscribe(addr: SocketAddr) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET /events HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    while !line.starts_with("data: tick 1") {
        line.clear();
        assert!(
            r.read_line(&mut line).unwrap() > 0,
            "closed before the first event"
        );
    }
    r
}

#[test]
fn sigterm_ends_every_stream_and_the_server_exits_0() {
    let (p, addr) = start_server("sse", &[]);
    let clients: Vec<_> = (0..3).map(|_| subscribe(addr)).collect();
    let signalled = Instant::now();
    p.kill(SIGTERM);
    for mut client in clients {
        // The rest of the response, to its end: the last chunk, then the server closes.
        let mut rest = Vec::new();
        let mut buf = String::new();
        while client.read_line(&mut buf).unwrap() > 0 {
            rest.push(std::mem::take(&mut buf));
        }
        assert!(
            rest.iter().any(|l| l == "0\r\n"),
            "no end of the chunked stream: {rest:?}"
        );
    }
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(
        end.stdout.contains(&"every stream ended".to_owned()),
        "{end:#?}"
    );
    assert!(
        signalled.elapsed() < Duration::from_secs(4),
        "took {:?}: the streams did not end at the stop",
        signalled.elapsed()
    );
}
