//! Faults met dropping graceful into existing programs, found by a review of issue 15 (fixture:
//! `src/bin/drop_in.rs`; `tests/abort` for the `panic = "abort"` cases). Each failed before its
//! fix; each test says what was seen and what is expected.

use std::time::{Duration, Instant};

use graceful_e2e::{Proc, SIGTERM, within};

const BIN: &str = env!("CARGO_BIN_EXE_drop_in");

#[test]
fn a_quiet_run_does_not_wait_for_a_stderr_it_has_nothing_to_write_to() {
    // main returns on its own, every hook fine: the report is quiet, so nothing of graceful's
    // needs std's stderr lock. A logger thread holding that lock (a line stuck on a full pipe,
    // as under a blocked Docker log driver) must not delay the exit; observed: the runner
    // waits for the lock to write a first line there is none of, until the watchdog's 500 ms
    // patience sends the hooks to another thread.
    let t0 = Instant::now();
    let p = Proc::start(BIN, &["quiet_logger_stuck"], &[]);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["third", "second", "first"]);
    assert_eq!(end.stderr, "", "a quiet run");
    within(t0, Duration::from_millis(300));
}

#[test]
fn a_body_told_through_the_cancellation_token_is_not_said_to_have_never_asked() {
    // The body waits on graceful::cancellation_token(), hears the stop ("told"), then drains
    // past body_timeout: it cooperated, so the hint is the budget rule. Observed:
    // "never_asked", whose text tells the user to call check()/sleep()/wait()/shutdown().
    let p = Proc::start(BIN, &["token_drain"], &[("GRACEFUL_REPORT", "json")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait_for("told");
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("\"event\":\"main_abandoned\""),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("\"hint\":\"budget_rule\""),
        "told through the token, yet: {}",
        end.stderr
    );
}

#[test]
fn exit_with_a_code_from_an_atexit_handler_is_not_lost_silently() {
    // main returned 0 and the hooks ran; an atexit handler then calls graceful::exit(3). The
    // docs say exit() there "ends it now"; observed: the process exits 0 (the code already
    // claimed), and the quiet report says nothing of the 3. Either the 3 wins (as a non-zero
    // exit() after main returned does elsewhere) or the report says it was dropped.
    let p = Proc::start(BIN, &["atexit_exit"], &[]);
    let end = p.wait();
    assert!(
        end.code() == Some(3) || end.stderr.contains("exit(3)"),
        "exit(3) from atexit vanished: {end:#?}"
    );
}

#[test]
fn the_owns_signals_recipe_past_body_timeout_points_at_the_budget_rule() {
    // docs/FRAMEWORKS.md: "The library's grace period is the framework timeout of the budget
    // rule." With a grace period (8 s) above body_timeout (5 s), the report should say so;
    // observed: the never_asked hint, which tells the user to make a loop call check(),
    // sleep(), wait() or shutdown(), which a library that owns its signals cannot do.
    let p = Proc::start(
        env!("CARGO_BIN_EXE_owns_signals"),
        &[],
        &[("OWNS_SIGNALS_GRACE_MS", "8000")],
    );
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("main did not return within 5s"),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("budget rule"),
        "no budget rule for the library's own grace period: {}",
        end.stderr
    );
}

#[test]
fn a_signal_graceful_does_not_handle_stops_the_library_quietly_with_mains_code() {
    // A claim of docs/FRAMEWORKS.md that holds (kept as a guard): SIGQUIT not in `signals`
    // still stops the library; graceful sees main return on its own, and stays quiet.
    let p = Proc::start(BIN, &["library_sigquit"], &[]);
    p.wait_for("ready");
    p.kill(libc::SIGQUIT);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["flush"]);
    assert_eq!(end.stderr, "");
}

#[test]
fn the_json_object_gives_the_exit_code_the_process_exits_with() {
    // A clean SIGTERM stop; the hooks ran and the JSON object went out with "exit":{"code":0};
    // then std's exit hangs in an atexit handler (as a flush of a full stdout pipe does) and
    // the deadline ends the process with 124. Observed: the one JSON object of the run says 0,
    // the process exits 124, and the deadline is in no object (the text report has both
    // lines, "exit 0" then "deadline of 1s passed; still running: nothing" and "exit 124").
    // Expected: the object and the status agree (exit with the code already reported, or
    // hold the object until the process really ends).
    let p = Proc::start(BIN, &["atexit_blocks"], &[("GRACEFUL_REPORT", "json")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    let code = end.code().expect("an exit code");
    assert!(
        end.stderr
            .contains(&format!("\"exit\":{{\"code\":{code}}}")),
        "exited {code}, but the JSON says: {}",
        end.stderr
    );
}

#[test]
fn under_panic_abort_exit_in_a_hook_left_behind_touches_nothing() {
    // A hook past its timeout (left running) calls exit(5) later. Under panic = "unwind" that
    // exit only ends the hook; under panic = "abort", exit() resume_unwind()s before it looks
    // at cfg!(panic = "abort"): observed SIGABRT (134), the later hook skipped, the report cut
    // mid-line. Expected: the later hook runs and the exit is the timed-out hook's 1.
    let bin = graceful_e2e::abort_bin();
    let p = Proc::start(&bin, &["left_behind_exit"], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.signal(), None, "killed by a signal: {end:#?}");
    assert_eq!(end.code(), Some(1), "{end:#?}");
    assert_eq!(end.hooks(), ["later"], "{end:#?}");
}

#[test]
fn under_panic_abort_exit_from_a_scoped_thread_exits_with_its_code() {
    // exit(3) from a std::thread::scope worker (rayon's pattern too) that main waits on.
    // Issue 15: under panic = "abort", "exit(code) then runs the hooks and ends the process
    // with the code instead of unwinding". Observed: the worker parks for good, the scope never
    // ends, main is abandoned at body_timeout (2.5 s) and the exit is 124, with the
    // never_asked hint ("a loop that asks one of them stops in time") for a main that is
    // blocked in a join and cannot ask. Under panic = "unwind" the same program exits 3.
    let bin = graceful_e2e::abort_bin();
    let t0 = Instant::now();
    let p = Proc::start(&bin, &["scoped_exit"], &[]);
    let end = p.wait();
    // main waits for the parked thread until body_timeout (2.5 s); then exit()'s code wins.
    assert_eq!(end.code(), Some(3), "{end:#?}");
    within(t0, Duration::from_secs(6));
}

#[test]
fn the_report_gives_body_timeout_in_one_unit_throughout() {
    // Issue 15, point 7: one unit. The first line says "main gets 1.5s, all 3s"; observed: the
    // line at body_timeout says "main did not return within 1500ms" (duration::show has no
    // fractional seconds), as does "deadline of ..." for such a timeout.
    let p = Proc::start(BIN, &["never_asks"], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        end.stderr.contains("(main gets 1.5s, all 3s)"),
        "{}",
        end.stderr
    );
    assert!(
        end.stderr.contains("main did not return within 1.5s"),
        "{}",
        end.stderr
    );
}

#[test]
fn under_ignore_a_different_second_signal_is_not_said_to_come_again() {
    // SIGTERM, then (a second signal, 300 ms later) the first SIGINT, under
    // second_signal = "ignore". Observed: "SIGINT received again: ignored": it never came
    // before. (In a storm of both, the next line then says "SIGINT again from the same sender
    // at once: the same request, not a second one", right after calling it a second one.)
    let p = Proc::start(BIN, &["lingers"], &[("GRACEFUL_SECOND_SIGNAL", "ignore")]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    p.kill(graceful_e2e::SIGINT);
    let end = p.wait();
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert!(end.stderr.contains("ignored"), "{}", end.stderr);
    assert!(
        !end.stderr.contains("SIGINT received again"),
        "{}",
        end.stderr
    );
}

#[test]
fn after_the_install_guard_returned_sigterm_can_still_end_the_process_under_ignore() {
    // install() docs: "Once it has returned, graceful no longer ends the process on its own (a
    // second signal still forces the exit)". Under second_signal = "ignore" nothing does:
    // graceful's handlers stay installed, the first SIGTERM is absorbed and every later one
    // ignored, so SIGTERM is neutralised for the rest of main (in Kubernetes: until SIGKILL).
    // Observed: "post work done", exit 0 after the full 3 s. Expected: the process ends on
    // SIGTERM (die of it, or graceful's handlers reset to SIG_DFL at hand-back).
    let p = Proc::start(BIN, &["guard_then_work"], &[]);
    p.wait_for("handed back");
    let t0 = Instant::now();
    p.kill(SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    p.kill(SIGTERM);
    let end = p.wait();
    assert!(
        !end.stdout.contains(&"post work done".to_owned()),
        "SIGTERM x2 did not stop it: {end:#?}"
    );
    within(t0, Duration::from_secs(2));
}

#[test]
fn with_body_timeout_equal_to_timeout_the_deadline_does_not_say_nothing_was_running() {
    // The budget rule allows body_timeout <= timeout (and GRACEFUL_TIMEOUT below the
    // attribute's body_timeout clamps it there: the actix example with GRACEFUL_TIMEOUT=2s
    // does this). At that instant the watchdog takes the deadline first. Observed: "deadline
    // of 1s passed; still running: nothing", while main is still at work holding "request";
    // no main_abandoned line, no held list, no hint, and no hook ran. Expected: the report
    // names main and the hold (and, as FRAMEWORKS.md says the rest is the hooks' share, a
    // rule that gives the hooks no time at all deserves a word).
    let p = Proc::start(BIN, &["equal_budgets"], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.code(), Some(124), "{end:#?}");
    assert!(
        !end.stderr.contains("still running: nothing"),
        "main and its hold were running: {}",
        end.stderr
    );
    assert!(end.stderr.contains("hold \"request\""), "{}", end.stderr);
}

#[test]
fn under_panic_abort_the_report_says_a_panicking_hook_ends_the_process() {
    // Issue 15: "the docs and the report say plainly what cannot be isolated there (a
    // panicking hook ends the process)". Observed: the report's first line, std's panic
    // message, SIGABRT: no line of graceful's names the hook, says the process ends, or that
    // hook "later" is skipped (a panic hook chained before std's could say it).
    let bin = graceful_e2e::abort_bin();
    let p = Proc::start(&bin, &["hook_panics"], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    let end = p.wait();
    assert_eq!(end.signal(), Some(libc::SIGABRT), "{end:#?}");
    let ours: Vec<&str> = end
        .stderr
        .lines()
        .filter(|l| l.starts_with("graceful:"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.contains("\"panics\"") && l.contains("abort")),
        "no word of the panicking hook: {ours:#?}"
    );
}
