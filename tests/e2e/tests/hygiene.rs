//! The attributes capture none of the user's names: the fixtures that name things as the
//! expansions once did build, and behave, under a real SIGTERM.

use graceful_e2e::{Ended, Proc, SIGTERM};

fn stopped_by_sigterm(bin: &str) -> Ended {
    let p = Proc::start(bin, &[], &[]);
    p.wait_for("ready");
    p.kill(SIGTERM);
    p.wait()
}

#[test]
fn user_names_run_body_config_shutdown_and_hook_stay_the_users() {
    let end = stopped_by_sigterm(env!("CARGO_BIN_EXE_hygiene"));
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(
        end.hooks(),
        ["closure", "shutdown:SIGTERM", "HOOK", "kept"],
        "{end:#?}"
    );
}

#[test]
fn an_async_main_beside_a_users_async_fn_run() {
    let end = stopped_by_sigterm(env!("CARGO_BIN_EXE_hygiene_async"));
    assert_eq!(end.code(), Some(0), "{end:#?}");
    assert_eq!(end.hooks(), ["shutdown:SIGTERM"], "{end:#?}");
}
