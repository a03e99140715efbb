#!/usr/bin/env python3
"""graceful against an earlier revision of itself, side by side in one run.

    python3 bench/compare.py REV [--out FILE]

Builds REV's benchmark binaries in a git worktree (under the temporary directory, with its own
target directory) and this checkout's (`cargo build --release -p graceful-bench --bins`), then
measures both, interleaved, so the machine's noise falls on both alike:

- stripped size and peak RSS of `start_graceful` (one hook), beside `start_plain`;
- start-up (spawn -> the body's first line), 201 runs each;
- 10,000 hooks (static and closures, report off and text to /dev/null): the dispatch overhead
  as `graceful-bench` computes it (last hook - body's end - the hooks' own work), 21 runs each;
- signal -> first hook, fresh (signalled 20 ms after `ready`), 300 trials each, with the raw
  `sigaction` floor.

Medians, and the ratio new / old. With --out FILE, the table replaces the section between the
markers in FILE (BENCHMARKS.md), or is appended; `graceful-bench` rewrites that file whole, so
run this after it.
"""
import os, statistics, subprocess, sys, tempfile, time

MARK_BEGIN = "<!-- compare.py begin -->"
MARK_END = "<!-- compare.py end -->"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(tree, target):
    env = dict(os.environ, CARGO_TARGET_DIR=target)
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "graceful-bench", "--bins"],
                   cwd=tree, env=env, check=True)
    return os.path.join(target, "release")


def lines_of(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout
    return out.splitlines()


def stripped(path):
    with tempfile.NamedTemporaryFile() as f:
        subprocess.run(["strip", "-o", f.name, path], check=True)
        return os.path.getsize(f.name)


def peak_rss(path):
    return next(int(l.split()[1]) for l in lines_of([path]) if l.startswith("rss_kib"))


def startup_us(path):
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    first = int(lines_of([path])[0])
    return (first - t0) / 1e3


def scale_ms(path, report):
    # The text report of a run that ends on its own is quiet since 066cd5a's successor:
    # `always` writes it there; a revision that does not know `always` refuses it (exit 78),
    # and writes its text report with `text`.
    for value in (["always", "text"] if report == "text" else [report]):
        env = dict(os.environ, GRACEFUL_REPORT=value)
        v = {}
        with open(os.devnull, "w") as null:
            out = subprocess.run([path], stdout=subprocess.PIPE, stderr=null, text=True,
                                 env=env).stdout
        for l in out.splitlines():
            k, _, n = l.partition(" ")
            if n:
                v[k] = int(n)
        if "last_hook" in v:
            return (v["last_hook"] - v["body_end"] - v["work"]) / 1e6
    raise SystemExit(f"{path} gave no figures")


def latency_us(path, env=None):
    p = subprocess.Popen([path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=dict(os.environ, **(env or {})))
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.02)
    t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    os.kill(p.pid, 15)
    hook = int(p.stdout.readline().split()[0])
    p.wait()
    return (hook - t0) / 1e3


def interleaved(n, fns):
    samples = [[] for _ in fns]
    for t in range(n):
        for k in range(len(fns)):
            i = (t + k) % len(fns)
            samples[i].append(fns[i]())
    return [statistics.median(s) for s in samples]


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__)
        return 2
    rev = args[0]
    out = args[args.index("--out") + 1] if "--out" in args else None
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    tree = os.path.join(tempfile.gettempdir(), f"graceful-compare-{sha}")
    if not os.path.isdir(tree):
        subprocess.run(["git", "worktree", "add", "--detach", tree, sha], cwd=ROOT, check=True,
                       capture_output=True)
    print(f"building {sha} and this checkout", file=sys.stderr)
    old = build(tree, os.path.join(tree, "target"))
    new = build(ROOT, os.path.join(ROOT, "target"))
    b = lambda d, n: os.path.join(d, n)
    rows = []

    plain = stripped(b(new, "start_plain"))
    so, sn = stripped(b(old, "start_graceful")) - plain, stripped(b(new, "start_graceful")) - plain
    rows.append(("stripped binary, over a plain `fn main`", f"{so / 1024:.0f} KiB", f"{sn / 1024:.0f} KiB", sn / so))

    print("peak RSS, start-up", file=sys.stderr)
    p, o, n = interleaved(61, [lambda: peak_rss(b(new, "start_plain")),
                               lambda: peak_rss(b(old, "start_graceful")),
                               lambda: peak_rss(b(new, "start_graceful"))])
    rows.append(("peak RSS, over a plain `fn main` (median of 61)", f"+{o - p:.0f} KiB", f"+{n - p:.0f} KiB", (n - p) / (o - p)))
    p, o, n = interleaved(201, [lambda: startup_us(b(new, "start_plain")),
                                lambda: startup_us(b(old, "start_graceful")),
                                lambda: startup_us(b(new, "start_graceful"))])
    rows.append(("start-up, over a plain `fn main` (median of 201)", f"+{o - p:.1f} µs", f"+{n - p:.1f} µs", (n - p) / (o - p)))

    print("10,000 hooks", file=sys.stderr)
    for binary, what in [("scale_static", "static hooks"), ("scale_closures", "closures")]:
        for report in ["off", "text"]:
            o, n = interleaved(21, [lambda: scale_ms(b(old, binary), report),
                                    lambda: scale_ms(b(new, binary), report)])
            rows.append((f"10,000 {what}, report {report}: dispatch overhead (median of 21)", f"{o:.2f} ms", f"{n:.2f} ms", n / o))

    print("signal to first hook", file=sys.stderr)
    f, o, n, oo, no = interleaved(300, [lambda: latency_us(b(new, "latency_floor")),
                                        lambda: latency_us(b(old, "latency_graceful")),
                                        lambda: latency_us(b(new, "latency_graceful")),
                                        lambda: latency_us(b(old, "latency_graceful"), {"GRACEFUL_REPORT": "off"}),
                                        lambda: latency_us(b(new, "latency_graceful"), {"GRACEFUL_REPORT": "off"})])
    rows.append(("signal → first hook, fresh, text report: ÷ the floor (300 trials)", f"{o / f:.2f}×", f"{n / f:.2f}×", n / o))
    rows.append(("… report off", f"{oo / f:.2f}×", f"{no / f:.2f}×", no / oo))

    load = open("/proc/loadavg").read().split()[:3]
    table = [MARK_BEGIN, "", f"## Against {sha}, side by side", "",
             f"`python3 bench/compare.py {sha}`: {sha}'s benchmark binaries and {head}'s, measured "
             "interleaved in one run (Python drives the runs, so start-up and latency include its own "
             "overhead, alike for both; the latency rows are ratios to the raw handler measured the "
             "same way). This answers what an absolute figure from another day cannot: whether a "
             f"figure got worse. Load average at the end: {' '.join(load)}.", "",
             f"| figure | {sha} | {head} | {head} ÷ {sha} |", "|---|---:|---:|---:|"]
    table += [f"| {w} | {o} | {n} | {r:.2f}× |" for w, o, n, r in rows]
    table += ["", MARK_END]
    text = "\n".join(table) + "\n"
    if out:
        doc = open(out).read() if os.path.exists(out) else ""
        if MARK_BEGIN in doc and MARK_END in doc:
            doc = doc[:doc.index(MARK_BEGIN)] + text + doc[doc.index(MARK_END) + len(MARK_END) + 1:]
        else:
            doc = doc.rstrip("\n") + "\n\n" + text
        open(out, "w").write(doc)
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
