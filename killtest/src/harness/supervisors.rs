//! `killtest supervisors`: the journal daemon under the supervisors containers use.
//!
//! - `timeout --preserve-status --signal=TERM --kill-after=GRACE WORK`: GNU timeout sends
//!   SIGTERM after WORK and SIGKILL a grace later, as Kubernetes does (`--preserve-status` so
//!   its exit is the daemon's, not 124).
//! - the same with `--foreground`: timeout then signals the daemon only. Without it, timeout
//!   sends SIGTERM twice, to the daemon and to its own process group (which holds the
//!   daemon): see `strace -f -e trace=kill timeout 0.1 sleep 1`.
//! - `tini --` as PID 1 of a new PID namespace: it forwards SIGTERM to the daemon.
//! - `dumb-init` as PID 1 of a new PID namespace: it forwards SIGTERM to the daemon.

use std::{process::Command, time::Duration};

use killtest::{ArgError, Args};

use super::{
    Scratch,
    journal::{self, Opts, Wrapper},
    ms, pid1,
};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

const SUPERVISORS: [(&str, Wrapper); 4] = [
    ("timeout", Wrapper::Timeout),
    ("timeout-foreground", Wrapper::TimeoutForeground),
    ("tini", Wrapper::Tini),
    ("dumb-init", Wrapper::DumbInit),
];

pub(crate) fn main(mut args: Args) -> Result<bool, ArgError> {
    // `--only NAME[,NAME]` picks supervisors; every other flag is the journal test's.
    let mut only: Option<String> = None;
    let mut rest = Vec::new();
    while let Some(flag) = args.next_flag() {
        if flag == "--only" {
            only = Some(args.value(&flag)?);
        } else {
            rest.push(flag);
        }
    }
    let picked: Vec<(&str, Wrapper)> = SUPERVISORS
        .into_iter()
        .filter(|(name, _)| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|n| n == *name))
        })
        .collect();
    if picked.is_empty() {
        return Err(ArgError::Unknown(only.unwrap_or_default()));
    }
    let opts = Opts::parse(Args::new(rest), 20, Duration::from_secs(2))?;
    let missing: Vec<&str> = ["timeout", "tini", "dumb-init"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if !missing.is_empty() || !pid1::unshare_works() {
        println!(
            "supervisors: missing {missing:?} or a working `unshare --pid --fork`: apt-get install -y tini dumb-init (as root)"
        );
        return Ok(false);
    }
    println!(
        "supervisors: {} trials per daemon and supervisor; SIGTERM after {}-{} ms, SIGKILL {} later; seed {}",
        opts.trials,
        opts.work_ms.0,
        opts.work_ms.1,
        ms(opts.grace),
        opts.seed
    );
    let scratch = Scratch::new("supervisors");
    let mut ok = true;
    for (label, wrapper) in picked {
        let all = journal::both(&opts, wrapper, &scratch);
        ok &= pid1::report(label, &all);
    }
    Ok(ok)
}
