#!/usr/bin/env python3
"""A rolling restart under load, with real parts.

    python3 killtest/rolling.py [--rounds N] [--modes drain,nodrain,kill] [--check-ms MS]
                                [--drain MS] [--seconds-per-round S]

Three replicas of `examples/http_server.rs` (release build) run behind HAProxy (the Debian
package), which health-checks each replica's `/readyz` on graceful's probe listener
(`GRACEFUL_PROBE`) every `--check-ms` (default 100 ms; one failure marks it down, one success up)
and never retries a request (`retries 0`, no redispatch). wrk (the Debian package) drives load
through HAProxy over keep-alive connections (2 threads, 16 connections, `GET /slow/10`: each
request is 10 ms in flight at the replica). Each round: start a new replica in a free slot,
wait until HAProxy sees it up, stop the oldest, wait for it to be gone. A failed request is
any non-2xx answer or socket error wrk counts.

Modes, one wrk run each, in turn:
- `drain`: SIGTERM with `GRACEFUL_DRAIN` (default 1 s): `/readyz` answers 503 at once, HAProxy
  takes the replica out within a check, the replica serves what it was sent, then stops.
- `nodrain`: SIGTERM with `GRACEFUL_DRAIN=0s`: the replica stops accepting at once.
- `kill`: SIGKILL, as an orchestrator does after its grace period.

Prints one line per mode and a Markdown table. Exits 1 if the `drain` mode lost a request or a
replica stopped by SIGTERM did not exit 0. Needs `haproxy` and `wrk` on the PATH.
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLOTS = 4


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def probe(port, path="/readyz"):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            return s.recv(64).split(b"\r\n")[0].decode()
    except OSError:
        return ""


class HAProxy:
    def __init__(self, tmp, fe_port, slots, check_ms):
        self.sock = os.path.join(tmp, "haproxy.sock")
        cfg = os.path.join(tmp, "haproxy.cfg")
        servers = "\n".join(
            f"    server s{i} 127.0.0.1:{app} check port {probe_port}"
            for i, (app, probe_port) in enumerate(slots)
        )
        with open(cfg, "w") as f:
            f.write(f"""global
    maxconn 4096
    stats socket {self.sock} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    retries 0
frontend fe
    bind 127.0.0.1:{fe_port}
    default_backend be
backend be
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter {check_ms}ms fastinter {check_ms}ms downinter {check_ms}ms fall 1 rise 1
{servers}
""")
        self.proc = subprocess.Popen(["haproxy", "-f", cfg], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline:
                raise SystemExit("haproxy did not start")
            time.sleep(0.05)

    def stats(self):
        """`show stat` as rows of {column: value}."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.sock)
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        return [dict(zip(header, line.split(","))) for line in lines[1:] if line]

    def status(self, slot):
        for row in self.stats():
            if row.get("pxname") == "be" and row.get("svname") == f"s{slot}":
                return row.get("status", "?")
        return "?"

    def causes(self):
        """Why requests failed, as HAProxy counted it: the backend's connection errors (the
        replica refused or was gone: answered 503 with no retry), response errors (the replica
        closed a connection before answering: 502), and requests with no server up (503)."""
        keys = ("econ", "eresp", "hrsp_5xx", "srv_abrt")
        total = dict.fromkeys(keys, 0)
        for row in self.stats():
            if row.get("pxname") == "be" and row.get("svname", "").startswith("s"):
                for k in keys:
                    total[k] += int(row.get(k) or 0)
        return total

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Replica:
    def __init__(self, binary, slot, app_port, probe_port, env):
        self.slot = slot
        self.probe_port = probe_port
        full = dict(os.environ, GRACEFUL_HTTP_ADDR=f"127.0.0.1:{app_port}",
                    GRACEFUL_PROBE=f"127.0.0.1:{probe_port}", **env)
        full["GRACEFUL_HTTP_COUNTER"] = os.path.join(tempfile.gettempdir(),
                                                     f"graceful-rolling-{os.getpid()}-{slot}")
        self.proc = subprocess.Popen([binary], env=full, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)


def run_mode(mode, args, binary):
    tmp = tempfile.mkdtemp(prefix="graceful-rolling-")
    slots = [(free_port(), free_port()) for _ in range(SLOTS)]
    fe = free_port()
    ha = HAProxy(tmp, fe, slots, args.check_ms)
    env = {"GRACEFUL_DRAIN": "0s" if mode == "nodrain" else f"{args.drain}ms"}
    running = []  # oldest first
    bad_exits = []

    def start(slot):
        r = Replica(binary, slot, slots[slot][0], slots[slot][1], env)
        deadline = time.time() + 20
        while ha.status(slot) != "UP":
            if time.time() > deadline or r.proc.poll() is not None:
                raise SystemExit(f"{mode}: replica in slot {slot} never came up")
            time.sleep(0.02)
        running.append(r)

    for slot in range(3):
        start(slot)
    wrk = subprocess.Popen(
        ["wrk", "-t2", "-c16", "-d600s", f"http://127.0.0.1:{fe}/slow/10"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    t0 = time.time()
    for _ in range(args.rounds):
        used = {r.slot for r in running}
        start(next(s for s in range(SLOTS) if s not in used))
        time.sleep(args.seconds_per_round / 2)
        old = running.pop(0)
        old.proc.send_signal(signal.SIGKILL if mode == "kill" else signal.SIGTERM)
        code = old.proc.wait(timeout=30)
        if mode != "kill" and code != 0:
            bad_exits.append(code)
        time.sleep(args.seconds_per_round / 2)
    elapsed = time.time() - t0
    wrk.send_signal(signal.SIGINT)
    out, _ = wrk.communicate(timeout=30)
    causes = ha.causes()
    for r in running:
        r.proc.send_signal(signal.SIGTERM)
        r.proc.wait(timeout=30)
    ha.stop()
    shutil.rmtree(tmp, ignore_errors=True)

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = sum(int(x) for x in sock.groups()) if sock else 0
    return {"mode": mode, "requests": requests, "non2xx": non2xx, "socket": errors,
            "failed": non2xx + errors, "bad_exits": bad_exits, "secs": elapsed, "wrk": out,
            "causes": causes}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--modes", default="drain,nodrain,kill")
    p.add_argument("--check-ms", type=int, default=100)
    p.add_argument("--drain", type=int, default=1000, help="the drain in ms (drain mode)")
    p.add_argument("--seconds-per-round", type=float, default=1.0)
    args = p.parse_args()
    for tool in ("haproxy", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not on the PATH (apt-get install {tool})")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "http_server"],
                   cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "examples", "http_server")
    results = []
    for mode in args.modes.split(","):
        r = run_mode(mode, args, binary)
        results.append(r)
        print(f"{mode}: {r['failed']} failed of {r['requests']} requests "
              f"({r['non2xx']} non-2xx, {r['socket']} socket errors), {args.rounds} restarts "
              f"in {r['secs']:.0f} s; replicas that did not exit 0: {r['bad_exits'] or 'none'}; "
              f"HAProxy: {r['causes']}", flush=True)
    print()
    print("| mode | requests | failed | non-2xx | socket errors | HAProxy: connection errors | "
          "response errors | server aborts | restarts |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        c = r["causes"]
        print(f"| {r['mode']} | {r['requests']} | {r['failed']} | {r['non2xx']} | "
              f"{r['socket']} | {c.get('econ', '?')} | {c.get('eresp', '?')} | "
              f"{c.get('srv_abrt', '?')} | {args.rounds} |")
    drain = [r for r in results if r["mode"] == "drain"]
    if any(r["failed"] or r["bad_exits"] for r in drain) or any(
            r["bad_exits"] for r in results if r["mode"] == "nodrain"):
        print("\nFAILED: the drain lost requests, or a replica did not exit 0", file=sys.stderr)
        for r in drain:
            print(r["wrk"], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
