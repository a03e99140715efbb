#!/usr/bin/env bash
# Builds tests/external, a program outside the workspace that depends on `graceful` by path as
# a user's would, starts it, stops it with a real SIGTERM, and checks its hooks' output, the
# report and the exit code; then the same for tests/external-renamed, which renames the
# dependency (`gr = { package = "graceful" }`) and says `crate = gr`. Their builds go to
# target/external, apart from the workspace's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR="$root/target/external"

cargo build --manifest-path "$here/Cargo.toml"
bin="$CARGO_TARGET_DIR/debug/graceful-external-check"

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# An async hook that uses tokio's timer, with graceful's `tokio` feature off: the hook fails
# with a message that names the fix, the other hooks run, exit 1.
EXTERNAL_TOKIO_HOOK=1 "$bin" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 200); do grep -qx ready "$out" && break; sleep 0.1; done
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
[ "$code" -eq 1 ] || { echo "external: tokio hook: exit $code, expected 1"; cat "$err"; exit 1; }
grep -q "enable graceful's \`tokio\` feature" "$err" \
    || { echo "external: tokio hook: no hint"; cat "$err"; exit 1; }
grep -qx hook:async_last "$out" || { echo "external: tokio hook: later hooks skipped"; cat "$out"; exit 1; }
echo "external: ok (an async hook without a tokio runtime fails with the fix named)"

# Built with panic = "abort", where nothing unwinds: exit(3) in main runs the hooks and exits
# 3; exit(4) in a hook ends that hook, the others run, exit 4.
CARGO_TARGET_DIR="$root/target/external-abort" \
    cargo build --quiet --manifest-path "$here/Cargo.toml" --config 'profile.dev.panic="abort"'
abort_bin="$root/target/external-abort/debug/graceful-external-check"
code=0
EXTERNAL_EXIT=1 timeout 20 "$abort_bin" >"$out" 2>"$err" || code=$?
[ "$code" -eq 3 ] || { echo "external: panic=abort exit(3): exit $code"; cat "$err"; exit 1; }
grep -qx hook:async_last "$out" || { echo "external: panic=abort exit(3): hooks did not run"; cat "$out"; exit 1; }
code=0
EXTERNAL_HOOK_EXIT=1 timeout 20 "$abort_bin" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 200); do grep -qx ready "$out" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || code=$?
[ "$code" -eq 4 ] || { echo "external: panic=abort exit(4) in a hook: exit $code"; cat "$err"; exit 1; }
grep -qx hook:async_last "$out" || { echo "external: panic=abort exit in a hook: later hooks skipped"; cat "$out"; exit 1; }
grep -q 'built with panic = "abort": a panic in main or a hook ends the process at once' "$err" \
    || { echo "external: panic=abort: the report does not say what cannot be isolated"; cat "$err"; exit 1; }
code=0
EXTERNAL_HOOK_ERR=1 timeout 20 "$abort_bin" >"$out" 2>"$err" &
pid=$!
for _ in $(seq 200); do grep -qx ready "$out" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || code=$?
[ "$code" -eq 1 ] || { echo "external: panic=abort failing hook: exit $code, expected 1"; cat "$err"; exit 1; }
grep -q 'hook "fails".*disk full' "$err" || { echo "external: panic=abort failing hook: not reported"; cat "$err"; exit 1; }
grep -qx hook:async_last "$out" || { echo "external: panic=abort failing hook: later hooks skipped"; cat "$out"; exit 1; }
echo "external: ok (panic = \"abort\": exit() in main and in a hook, and a failing hook: the hooks run, the exit is the code; the report says a panic ends the process)"

"$bin" >"$out" 2>"$err" &
pid=$!
# Never hang: a stuck process is killed after 30 s, and the checks below then fail.
(sleep 30 && kill -KILL "$pid") >/dev/null 2>&1 &
watchdog=$!

fail() {
    echo "external: $*"
    echo "--- stdout"; cat "$out"
    echo "--- stderr"; cat "$err"
    kill -KILL "$pid" 2>/dev/null || true
    exit 1
}

for _ in $(seq 200); do
    grep -qx ready "$out" && break
    sleep 0.1
done
grep -qx ready "$out" || fail "never printed ready"

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
kill "$watchdog" 2>/dev/null || true

expected='ready
hook:first:SIGTERM
hook:closure
hook:in_module
hook:last
hook:async_last'
[ "$code" -eq 0 ] || fail "exit code $code, expected 0"
[ "$(cat "$out")" = "$expected" ] || fail "hooks did not run in the expected order"
grep -q 'SIGTERM received' "$err" || fail "no report on stderr"
echo "external: ok (SIGTERM, 5 hooks in order, exit 0)"

# graceful renamed (`gr = { package = "graceful" }`), both attributes told so with `crate = gr`.
renamed="$here/../external-renamed"
cargo build --quiet --manifest-path "$renamed/Cargo.toml"
"$CARGO_TARGET_DIR/debug/graceful-external-renamed" >"$out" 2>"$err" &
pid=$!
(sleep 30 && kill -KILL "$pid") >/dev/null 2>&1 &
watchdog=$!
for _ in $(seq 200); do
    grep -qx ready "$out" && break
    sleep 0.1
done
grep -qx ready "$out" || fail "renamed: never printed ready"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
kill "$watchdog" 2>/dev/null || true
expected='ready
hook:first:SIGTERM
hook:closure
hook:last
hook:async_last'
[ "$code" -eq 0 ] || fail "renamed: exit code $code, expected 0"
[ "$(cat "$out")" = "$expected" ] || fail "renamed: hooks did not run in the expected order"
echo "external: ok (graceful renamed gr, crate = gr: SIGTERM, 4 hooks in order, exit 0)"
cargo test --quiet --manifest-path "$renamed/Cargo.toml"
echo "external: ok (#[gr::test(crate = gr)]: a SIGTERM test in a child process passes)"
