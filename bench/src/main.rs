//! `graceful-bench`: graceful against its peers, written up as `BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p graceful-bench -- --out BENCHMARKS.md   # about three minutes
//! cargo run --release -p graceful-bench -- --out BENCHMARKS.md --build   # + build times
//! cargo run --release -p graceful-bench -- --smoke               # CI: seconds, any numbers
//! cargo run --release -p graceful-bench -- --only graph --build  # the hook graph alone
//! ```
//!
//! | benchmark | module | child binaries (`src/bin/`) |
//! | --- | --- | --- |
//! | signal → first hook, cold (fresh and settled) and warm | `runner::latency` | `latency_*` |
//! | `is_shutting_down`/`check` cost; waking `sleep` | `runner::hot` | `wake_*` |
//! | start-up, peak RSS, stripped size | `runner::startup` | `start_*` |
//! | 10,000 hooks | `runner::scale` | `scale_*` |
//! | the hook graph: concurrent vs sequential stop; planning 10,000 edges; build with `after` | `runner::graph`, `runner::buildtime::graph` | `graph_*` |
//! | clean build time (`--build`) | `runner::buildtime` | throwaway projects in the temp dir |
//!
//! The runner first builds its child binaries with cargo (the same profile as itself), then
//! runs everything, then writes the report and the charts (`docs/bench/*.svg`, beside the
//! report). It exits non-zero only when a benchmark could not run at all (a contender gave no
//! sample): slow numbers never fail it.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::{Duration, Instant},
};

mod runner;

use runner::{buildtime, graph, hot, latency, machine, report, scale, startup, work};

/// How many samples of each kind.
struct Plan {
    cold: usize,
    /// Settled cold latency: processes per contender per batch, batches, and how long they
    /// are up before the first is signalled.
    settled_per_batch: usize,
    settled_batches: usize,
    settle: Duration,
    warm: usize,
    check_rounds: usize,
    check_iters: u64,
    wake: usize,
    startup: usize,
    scale: usize,
    /// Empty tasks per spawn round; processes per kind of stop with holds.
    tasks: usize,
    stops: usize,
    /// The hook graph: concurrent and sequential stops, how long each hook sleeps (ms), and
    /// runs of each planning variant.
    graph_concurrent: usize,
    graph_sequential: usize,
    graph_hook_ms: u64,
    graph_plan: usize,
    /// Rebuilds of each graph user crate (with `--build`): a fraction of a second each.
    graph_build: Option<usize>,
    build: Option<usize>,
}

const USAGE: &str = "\
usage: graceful-bench [--out FILE] [--smoke] [--build] [--trials N] [--only graph]

  --out FILE    where to write the report (default: BENCHMARKS.md at the workspace root;
                with --smoke, a file in the temporary directory); charts go to docs/bench/
                beside it
  --smoke       a handful of samples of everything, in seconds: checks that it all still runs
  --build       also time clean builds of graceful and its peers (a minute or two more)
  --trials N    fresh cold signal-latency trials per contender (default 500; the settled
                measurement always takes 15 batches of 20 per contender)
  --only graph  only the hook graph's benchmarks (with --build, its build times too); the
                report then holds only their section (default: a file in the temporary
                directory, never BENCHMARKS.md)
";

struct Args {
    out: Option<PathBuf>,
    smoke: bool,
    build: bool,
    trials: Option<usize>,
    /// `--only graph`.
    only_graph: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: None,
        smoke: false,
        build: false,
        trials: None,
        only_graph: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => args.out = Some(it.next().ok_or("--out needs a file")?.into()),
            "--smoke" => args.smoke = true,
            "--build" => args.build = true,
            "--trials" => {
                let n = it.next().ok_or("--trials needs a number")?;
                args.trials = Some(n.parse().map_err(|_| format!("bad --trials {n:?}"))?);
            }
            "--only" => match it.next().as_deref() {
                Some("graph") => args.only_graph = true,
                other => return Err(format!("--only takes `graph`, not {other:?}\n\n{USAGE}")),
            },
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(args)
}

/// This workspace's root (the bench crate's parent).
fn workspace_root() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench).to_path_buf()
}

/// Build the child binaries next to this one, with the same profile.
fn build_children() -> Result<(), String> {
    // One cargo run per package: `work_bench` needs graceful's `tokio` feature, and one run
    // for both would build every child with it (cargo unifies the features of the packages
    // it builds together), inflating the size and memory figures of the others.
    for package in ["graceful-bench", "graceful-bench-work"] {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--bins", "--manifest-path"])
            .arg(manifest)
            .args(["-p", package]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("building the child binaries of {package} failed"));
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build of the runner measures debug binaries; use --release");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let plan = if args.smoke {
        Plan {
            cold: args.trials.unwrap_or(3),
            settled_per_batch: 2,
            settled_batches: 1,
            settle: Duration::from_millis(200),
            warm: 3,
            check_rounds: 3,
            check_iters: 10_000,
            wake: 3,
            startup: 3,
            scale: 1,
            tasks: 1_000,
            stops: 3,
            graph_concurrent: 1,
            graph_sequential: 1,
            // 10 ms hooks: the sequential stop takes 1 s, not 10.
            graph_hook_ms: 10,
            graph_plan: 1,
            graph_build: args.build.then_some(1),
            build: args.build.then_some(1),
        }
    } else {
        Plan {
            cold: args.trials.unwrap_or(500),
            settled_per_batch: 20,
            settled_batches: 15,
            settle: Duration::from_secs(3),
            warm: 300,
            check_rounds: 41,
            check_iters: 5_000_000,
            wake: 300,
            startup: 1000,
            scale: 21,
            tasks: 10_000,
            stops: 51,
            graph_concurrent: 10,
            graph_sequential: 3,
            graph_hook_ms: 100,
            graph_plan: 21,
            graph_build: args.build.then_some(11),
            build: args.build.then_some(3),
        }
    };
    let out = args.out.unwrap_or_else(|| {
        if args.only_graph {
            std::env::temp_dir()
                .join("graceful-bench-graph")
                .join("BENCHMARKS.md")
        } else if args.smoke {
            std::env::temp_dir()
                .join("graceful-bench-smoke")
                .join("BENCHMARKS.md")
        } else {
            workspace_root().join("BENCHMARKS.md")
        }
    });
    eprintln!("building the child binaries");
    if let Err(e) = build_children() {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }

    let began = Instant::now();
    let machine = machine::Machine::describe();
    let load_start = machine::load();
    eprintln!("load average at the start: {load_start}");
    if args.only_graph {
        return only_graph(&plan, &out, began, machine, load_start, args.smoke);
    }
    // The 1-minute load average as each part starts: other work on a shared machine shows.
    let mut loads = Vec::new();
    let mut part = |name: &'static str| loads.push((name, machine::load_1min()));
    part("signal latency");
    let (cold, stages) = latency::cold(plan.cold);
    let settled = latency::settled(plan.settled_per_batch, plan.settled_batches, plan.settle);
    let warm = latency::warm(plan.warm);
    part("hot path");
    eprintln!("  checks");
    let checks = hot::checks(plan.check_rounds, plan.check_iters);
    let wake = hot::wake(plan.wake);
    part("start-up");
    let startup = startup::run(plan.startup);
    part("scale");
    let scale = scale::run(plan.scale);
    part("graph");
    let mut graph = run_graph(&plan);
    part("work");
    let work = work::run(
        plan.check_rounds,
        plan.check_iters / 5,
        plan.tasks,
        plan.stops,
    );
    if plan.build.is_some() {
        part("build");
    }
    let build = plan
        .build
        .map(|reps| buildtime::run(&workspace_root(), reps));
    graph.build = plan
        .graph_build
        .map(|reps| buildtime::graph(&workspace_root(), reps));
    let load_end = machine::load();
    eprintln!("load average at the end: {load_end}");

    let mut results = report::Results {
        machine,
        load_start,
        load_end,
        loads,
        secs: began.elapsed().as_secs_f64(),
        smoke: args.smoke,
        cold,
        settled,
        settle: plan.settle,
        settled_per_batch: plan.settled_per_batch,
        settled_batches: plan.settled_batches,
        stages,
        warm,
        checks,
        check_iters: plan.check_iters,
        check_rounds: plan.check_rounds,
        wake,
        startup,
        scale,
        scale_runs: plan.scale,
        build,
        work,
        graph,
    };
    let broken: Vec<String> = results
        .cold
        .iter()
        .chain(&results.settled)
        .chain(&results.warm)
        .chain(&results.wake)
        .chain(&results.startup.start)
        .chain(results.stages.iter().map(|s| &s.to_woke))
        .filter(|d| d.values.is_empty())
        .map(|d| format!("{}: {}", d.label, d.failures.first().map_or("", |f| f)))
        .chain(
            scale::VARIANTS
                .iter()
                .zip(&results.scale)
                .filter(|(_, r)| r.runs == 0)
                .map(|(v, r)| format!("{}: {}", v.label, r.failures.first().map_or("", |f| f))),
        )
        .chain(graph_broken(&results.graph))
        .collect();

    let markdown = report::markdown(&mut results);
    let charts = report::charts(&mut results);
    let chart_dir = out
        .parent()
        .unwrap_or(Path::new("."))
        .join("docs")
        .join("bench");
    let written = std::fs::create_dir_all(&chart_dir)
        .and_then(|()| {
            for (name, svg) in &charts {
                std::fs::write(chart_dir.join(name), svg)?;
            }
            Ok(())
        })
        .and_then(|()| std::fs::write(&out, &markdown));
    let wrote = format!("{} and {}", out.display(), chart_dir.display());
    finish(written, &out, &wrote, began, &broken)
}

/// Say what was written (or why not) and what did not run; the exit code.
fn finish(
    written: std::io::Result<()>,
    out: &Path,
    wrote: &str,
    began: Instant,
    broken: &[String],
) -> ExitCode {
    if let Err(e) = written {
        eprintln!("writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {wrote} in {:.0} s", began.elapsed().as_secs_f64());
    if !broken.is_empty() {
        eprintln!("these benchmarks did not run:");
        for b in broken {
            eprintln!("  {b}");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The hook graph's benchmarks but its build times.
fn run_graph(plan: &Plan) -> report::Graph {
    let stop = graph::stop(
        plan.graph_concurrent,
        plan.graph_sequential,
        plan.graph_hook_ms,
    );
    let planned = graph::plan(plan.graph_plan);
    report::Graph {
        stop,
        plan: planned,
        plan_runs: plan.graph_plan,
        build: None,
    }
}

/// What of the hook graph's benchmarks could not run at all.
fn graph_broken(g: &report::Graph) -> Vec<String> {
    [&g.stop.concurrent, &g.stop.sequential]
        .into_iter()
        .filter(|d| d.values.is_empty())
        .map(|d| format!("{}: {}", d.label, d.failures.first().map_or("", |f| f)))
        .chain(
            graph::VARIANTS
                .iter()
                .zip(&g.plan)
                .filter(|(_, r)| r.runs == 0)
                .map(|(v, r)| format!("{}: {}", v.label, r.failures.first().map_or("", |f| f))),
        )
        .collect()
}

/// `--only graph`: the hook graph's benchmarks alone, written as a report of their own.
fn only_graph(
    plan: &Plan,
    out: &Path,
    began: Instant,
    machine: machine::Machine,
    load_start: String,
    smoke: bool,
) -> ExitCode {
    let mut loads = vec![("graph", machine::load_1min())];
    let mut graph = run_graph(plan);
    if let Some(reps) = plan.graph_build {
        loads.push(("build", machine::load_1min()));
        graph.build = Some(buildtime::graph(&workspace_root(), reps));
    }
    let load_end = machine::load();
    eprintln!("load average at the end: {load_end}");
    let broken = graph_broken(&graph);
    let markdown = report::graph_only(
        &machine,
        &load_start,
        &load_end,
        &loads,
        began.elapsed().as_secs_f64(),
        smoke,
        &mut graph,
    );
    let written = out
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(out, &markdown));
    finish(written, out, &out.display().to_string(), began, &broken)
}
