#!/usr/bin/env bash
# The kill-tests in small sizes, for CI: every subcommand, about a minute once built.
# Needs root (for `unshare --pid`), and tini and dumb-init: apt-get install -y tini dumb-init
# The full run, whose figures docs/RELIABILITY.md reports, is listed there.
set -euo pipefail
cd "$(dirname "$0")/.."
kt() { echo "+ killtest $*"; cargo run --release --quiet -p killtest -- "$@"; echo; }
cargo build --release --quiet -p killtest --bins
kt journal --trials 40
kt races --trials 200
kt storm --bursts 10 --signals 10000
kt register --trials 20
kt startup --trials 20 --offsets-us 0,500,2000,5000
kt pid1 --trials 5
kt supervisors --trials 5
