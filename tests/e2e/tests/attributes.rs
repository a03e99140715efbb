//! The attributes on real binaries with real signals: `#[graceful::on_shutdown]` hooks run in
//! their documented order, and every `#[graceful::main]` option takes effect.

use graceful_e2e::{Ended, Proc, SIGINT, SIGTERM};
use std::time::{Duration, Instant};

/// Start `bin` with `args`, wait until its body runs, send `signal`, wait for the exit.
fn stopped_by(bin: &str, args: &[&str], signal: i32) -> Ended {
    let p = Proc::start(bin, args, &[]);
    p.wait_for("ready");
    p.kill(signal);
    p.wait()
}

mod hooks {
    use super::*;

    const BIN: &str = env!("CARGO_BIN_EXE_attr_hooks");

    /// Sorted by (order, module path, name); closures before statics of their order, newest
    /// first; orders compared as numbers.
    const RUN_ORDER: [&str; 12] = [
        "early",
        "a_two",
        "b_two",
        "zzz",
        "aaa",
        "closure_second",
        "closure_first",
        "five",
        "zz_renamed",
        "may_fail",
        "stuck",
        "late",
    ];

    fn without_reason<'a>(hooks: &[&'a str]) -> Vec<&'a str> {
        hooks.iter().map(|h| h.split(':').next().unwrap()).collect()
    }

    #[test]
    fn static_hooks_run_by_order_then_module_then_name_with_closures_first() {
        let end = stopped_by(BIN, &["sleep"], SIGTERM);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(without_reason(&end.hooks()), RUN_ORDER, "{end:#?}");
    }

    #[test]
    fn a_shutdown_parameter_receives_the_signal_that_stopped_us() {
        let end = stopped_by(BIN, &["sleep"], SIGTERM);
        assert_eq!(end.hooks()[0], "early:SIGTERM", "{end:#?}");
        let end = stopped_by(BIN, &["sleep"], SIGINT);
        assert_eq!(end.hooks()[0], "early:SIGINT", "{end:#?}");
    }

    #[test]
    fn a_hook_returning_err_is_reported_the_rest_run_and_the_exit_is_1() {
        let end = stopped_by(BIN, &["fail"], SIGTERM);
        assert_eq!(end.code(), Some(1), "{end:#?}");
        assert_eq!(without_reason(&end.hooks()), RUN_ORDER, "{end:#?}");
        assert!(
            end.stderr.contains("\"may_fail\"") && end.stderr.contains("disk full"),
            "{}",
            end.stderr
        );
    }

    #[test]
    fn a_hook_timeout_option_leaves_the_hook_behind_and_the_next_runs() {
        let p = Proc::start(BIN, &["stuck"], &[]);
        p.wait_for("ready");
        p.kill(SIGTERM);
        p.wait_for("hook:stuck");
        let t0 = Instant::now();
        let end = p.wait();
        assert_eq!(end.code(), Some(1), "{end:#?}");
        assert_eq!(end.hooks().last(), Some(&"late"), "{end:#?}");
        assert!(end.stderr.contains("timed out"), "{}", end.stderr);
        // 300 ms of its own, far from the 60 s it would sleep or the 10 s deadline.
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    }

    #[test]
    fn hooks_lists_every_hook_in_run_order_pointing_at_its_declaration() {
        let end = Proc::start(BIN, &["list"], &[]).wait();
        assert_eq!(end.code(), Some(0), "{end:#?}");
        let source = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/bin/attr_hooks.rs"
        ))
        .unwrap();
        let source: Vec<&str> = source.lines().collect();
        let listed: Vec<Vec<&str>> = end
            .stdout
            .iter()
            .filter_map(|l| l.strip_prefix("list:"))
            .map(|l| l.split(':').collect())
            .collect();
        let names: Vec<&str> = listed.iter().map(|h| h[0]).collect();
        assert_eq!(names, RUN_ORDER, "{end:#?}");
        for hook in &listed {
            let &[name, _, file, line] = hook.as_slice() else {
                panic!("bad line {hook:?}")
            };
            assert!(file.ends_with("src/bin/attr_hooks.rs"), "{hook:?}");
            let at = source[line.parse::<usize>().unwrap() - 1];
            // A static hook points at its `fn`, a closure at its `on_shutdown` call.
            let declared = match name {
                "zz_renamed" => at.contains("fn renamed_fn("),
                n if n.starts_with("closure_") => at.contains(&format!("\"{n}\"")),
                n => at.contains(&format!("fn {n}(")),
            };
            assert!(declared, "{hook:?} points at {at:?}");
        }
        let order = |name: &str| listed.iter().find(|h| h[0] == name).unwrap()[1];
        assert_eq!(
            [
                order("early"),
                order("closure_first"),
                order("five"),
                order("late")
            ],
            ["-5", "5", "5", "10"]
        );
    }
}

mod main_options {
    use super::*;

    #[test]
    fn timeout_option_ends_a_stuck_hook_with_124_after_about_a_second() {
        let p = Proc::start(env!("CARGO_BIN_EXE_attr_timeout"), &[], &[]);
        p.wait_for("ready");
        let t0 = Instant::now();
        let end = p.wait();
        let took = t0.elapsed();
        assert_eq!(end.code(), Some(124), "{end:#?}");
        assert_eq!(end.hooks(), ["stuck"]);
        assert!(
            end.stderr.contains("still running: hook \"stuck\""),
            "{}",
            end.stderr
        );
        // 1 s, not the 10 s default: loose bounds for a shared machine.
        assert!(took >= Duration::from_millis(800), "took {took:?}");
        assert!(took < Duration::from_secs(6), "took {took:?}");
    }

    #[test]
    fn exit_code_option_makes_a_clean_signal_stop_exit_with_it() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_exit_code"), &[], SIGTERM);
        assert_eq!(end.code(), Some(7), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
    }

    #[test]
    fn exit_code_signal_option_dies_of_sigterm_after_the_hooks() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_exit_signal"), &[], SIGTERM);
        assert_eq!(end.signal(), Some(SIGTERM), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
    }

    #[test]
    fn signals_option_makes_sighup_a_clean_stop() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_sighup"), &[], libc::SIGHUP);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
        assert!(end.stderr.contains("SIGHUP received"), "{}", end.stderr);
    }

    #[test]
    fn signals_option_leaves_sigterm_to_its_default_action() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_sighup"), &[], SIGTERM);
        assert_eq!(end.signal(), Some(SIGTERM), "{end:#?}");
        assert!(end.hooks().is_empty(), "{end:#?}");
    }

    #[test]
    fn quiet_option_prints_no_report() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_quiet"), &[], SIGTERM);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
        assert_eq!(end.stderr, "");
    }
}

mod main_returns {
    use super::*;

    const ANYHOW: &str = env!("CARGO_BIN_EXE_attr_anyhow");
    const CUSTOM: &str = env!("CARGO_BIN_EXE_attr_custom_error");
    const EXIT_CODE: &str = env!("CARGO_BIN_EXE_attr_exit_code_return");

    fn clean_stop(end: &Ended) {
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
        assert!(end.stderr.contains("a clean stop"), "{}", end.stderr);
        assert!(!end.stderr.contains("Error:"), "{}", end.stderr);
    }

    #[test]
    fn anyhow_error_holding_a_shutdown_is_a_clean_stop() {
        clean_stop(&stopped_by(ANYHOW, &["plain"], SIGTERM));
    }

    #[test]
    fn anyhow_context_around_a_shutdown_is_a_clean_stop() {
        clean_stop(&stopped_by(ANYHOW, &["context"], SIGTERM));
    }

    #[test]
    fn another_anyhow_error_is_printed_and_exits_1() {
        let end = Proc::start(ANYHOW, &["fail"], &[]).wait();
        assert_eq!(end.code(), Some(1), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
        assert!(end.stderr.contains("Error: no database"), "{}", end.stderr);
    }

    #[test]
    fn custom_error_whose_source_is_a_shutdown_is_a_clean_stop() {
        clean_stop(&stopped_by(CUSTOM, &["stop"], SIGTERM));
    }

    #[test]
    fn custom_error_with_another_source_is_printed_and_exits_1() {
        let end = Proc::start(CUSTOM, &["fail"], &[]).wait();
        assert_eq!(end.code(), Some(1), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
        assert!(end.stderr.contains("disk on fire"), "{}", end.stderr);
    }

    #[test]
    fn exit_code_returned_by_main_is_the_exit_code() {
        let end = Proc::start(EXIT_CODE, &["now"], &[]).wait();
        assert_eq!(end.code(), Some(3), "{end:#?}");
        assert_eq!(end.hooks(), ["after"]);
    }

    #[test]
    fn exit_code_returned_after_a_signal_outranks_the_clean_stop() {
        let end = stopped_by(EXIT_CODE, &["after_signal"], SIGTERM);
        assert_eq!(end.code(), Some(3), "{end:#?}");
        assert!(end.position("body:shutting down: SIGTERM") < end.position("hook:after"));
    }
}

mod library {
    use super::*;

    #[test]
    fn library_hooks_run_interleaved_by_order_with_the_binarys() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_library"), &[], SIGTERM);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        let at = |line: &str| end.position(line);
        // -20 binary, -10 library, 0 binary, 50 library, 60 binary.
        assert!(at("hook:release_jobs") < at("metrics: flushed 2 queries"));
        assert!(at("metrics: flushed 2 queries") < at("hook:goodbye"));
        assert!(at("hook:goodbye") < at("pool: 2 connections closed (SIGTERM)"));
        assert!(at("pool: 2 connections closed (SIGTERM)") < at("hook:last:0"));
    }

    #[test]
    fn a_library_the_binary_never_names_is_not_linked_and_its_hooks_are_missing() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_library_unnamed"), &[], SIGTERM);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(listed(&end), ["own"]);
        assert_eq!(end.hooks(), ["own"]);
        assert!(
            !end.stdout.iter().any(|l| l.starts_with("pool:")),
            "{end:#?}"
        );
    }

    #[test]
    fn use_as_underscore_links_a_library_for_its_hooks_alone() {
        let end = stopped_by(env!("CARGO_BIN_EXE_attr_library_use_as"), &[], SIGTERM);
        assert_eq!(end.code(), Some(0), "{end:#?}");
        assert_eq!(listed(&end), ["flush_metrics", "own", "close_pool"]);
        let at = |line: &str| end.position(line);
        assert!(at("metrics: flushed 0 queries") < at("hook:own"));
        assert!(at("hook:own") < at("pool: 0 connections closed (SIGTERM)"));
    }

    fn listed(end: &Ended) -> Vec<&str> {
        end.stdout
            .iter()
            .filter_map(|l| l.strip_prefix("list:"))
            .collect()
    }
}
