//! Faults in user code around the hooks (`faults NAME`): loggers and subscribers that panic or
//! block, `exit()` from a `Drop` during unwinding, `atexit` handlers, a stderr nobody reads,
//! code after the install guard, tokio runtimes, `fork()`, closed descriptors. Each must leave
//! the safety net standing: the hooks run, the exit code is the table's, and the process is
//! gone within its deadline. Markers go to stdout as in `scenario`.

use std::{
    io::Write,
    os::unix::fs::OpenOptionsExt,
    process::ExitCode,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use graceful::{Builder, Shutdown};
use graceful_e2e::{mark, ready, sleep_forever, three_hooks};

/// A logger that panics on every record, as an `eprintln!` logger does on a closed stderr.
struct PanickingLogger;
impl log::Log for PanickingLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, _: &log::Record<'_>) {
        panic!("the logger failed");
    }
    fn flush(&self) {}
}

/// A logger that blocks for ever once armed, as one writing to a stalled collector does.
struct BlockingLogger;
static LOGGER_BLOCKS: AtomicBool = AtomicBool::new(false);
impl log::Log for BlockingLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, _: &log::Record<'_>) {
        while LOGGER_BLOCKS.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    fn flush(&self) {}
}

/// A `tracing` subscriber that panics on every event.
struct PanickingSubscriber;
impl tracing::Subscriber for PanickingSubscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {
        panic!("the subscriber failed");
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Calls `graceful::exit(code)` when dropped.
struct ExitOnDrop(i32);
impl Drop for ExitOnDrop {
    fn drop(&mut self) {
        println!("drop:exit_on_drop");
        graceful::exit(self.0);
    }
}

/// Sleeps when dropped.
struct SlowDrop(Duration);
impl Drop for SlowDrop {
    fn drop(&mut self) {
        std::thread::sleep(self.0);
        println!("drop:slow");
    }
}

extern "C" fn block_for_ever() {
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Fill the stderr pipe to the brim, through a non-blocking description of its own (so fd 2
/// itself stays blocking, as a program's stderr is), then leave it full.
fn fill_stderr_pipe() {
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/proc/self/fd/2")
        .expect("stderr is a pipe here");
    let chunk = [b'x'; 4096];
    while pipe.write(&chunk).is_ok() {}
}

/// An error whose `source()` is itself.
#[derive(Debug)]
struct Cyclic;
impl std::fmt::Display for Cyclic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cyclic")
    }
}
impl std::error::Error for Cyclic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self)
    }
}

/// This process's CPU time so far, in milliseconds.
fn cpu_ms() -> u64 {
    // SAFETY: a zeroed rusage is valid plain data for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage with a valid out-pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn fork() -> i32 {
    std::io::stdout().flush().unwrap();
    // SAFETY: fork(2); the child only prints, sleeps and returns, which the tests are about.
    unsafe { libc::fork() }
}

fn wait_child(pid: i32) -> String {
    let mut status = 0;
    // SAFETY: waitpid(2) on our own child with a valid out-pointer.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFSIGNALED(status) {
        format!("signal={}", libc::WTERMSIG(status))
    } else {
        format!("code={}", libc::WEXITSTATUS(status))
    }
}

fn main() -> ExitCode {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let builder = Builder::new();
    match scenario.as_str() {
        "panicking_logger" => {
            log::set_logger(&PanickingLogger).unwrap();
            log::set_max_level(log::LevelFilter::Info);
            builder.run(|| {
                three_hooks();
                sleep_forever()
            })
        }
        // The body logs once told to stop, and blocks in the logger; a hook does the same.
        "blocking_logger" => {
            log::set_logger(&BlockingLogger).unwrap();
            log::set_max_level(log::LevelFilter::Info);
            builder
                .timeout(Duration::from_secs(2))
                .body_timeout(Duration::from_millis(500))
                .run(|| -> Result<(), Shutdown> {
                    let _ = graceful::on_shutdown("logs", || log::info!("hook logs")).order(2);
                    let _ = graceful::on_shutdown("first", mark("first")).order(1);
                    let slept = sleep_forever();
                    LOGGER_BLOCKS.store(true, Ordering::Relaxed);
                    log::info!("body stopping");
                    slept
                })
        }
        "panicking_subscriber" => {
            tracing::subscriber::set_global_default(PanickingSubscriber).unwrap();
            builder.run(|| {
                three_hooks();
                sleep_forever()
            })
        }
        "exit_in_drop_while_panicking" => builder.run(|| -> () {
            three_hooks();
            ready();
            let _exits = ExitOnDrop(3);
            panic!("body exploded");
        }),
        "exit_in_drop_during_exit" => builder.run(|| -> () {
            three_hooks();
            ready();
            let _exits = ExitOnDrop(4);
            graceful::exit(3);
        }),
        // An atexit handler that never returns, met by a clean exit ("clean") or by the exit
        // at the deadline, with a hook that never returns ("stuck").
        "blocking_atexit" => builder.timeout(Duration::from_secs(1)).run(|| {
            if std::env::args().nth(2).as_deref() == Some("stuck") {
                let _ = graceful::on_shutdown("stuck", || -> () {
                    loop {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                });
            }
            three_hooks();
            // SAFETY: atexit with a valid `extern "C" fn()`.
            unsafe { libc::atexit(block_for_ever) };
            ready();
        }),
        // The last hook leaves the stderr pipe full: the report's last words meet it.
        "stderr_full_at_exit" => builder.run(|| {
            let _ = graceful::on_shutdown("fills", || {
                fill_stderr_pipe();
                println!("hook:fills");
            });
            three_hooks();
            ready();
        }),
        "guard_then_slow_drop" => {
            let _slow = SlowDrop(Duration::from_secs(3));
            let _graceful = Builder::new().timeout(Duration::from_secs(1)).install();
            three_hooks();
            ready();
            ExitCode::SUCCESS
        }
        "guard_then_exit" => {
            let graceful = graceful::install();
            three_hooks();
            ready();
            drop(graceful);
            println!("guard dropped");
            graceful::exit(7)
        }
        // An async hook cancelled at its timeout leaves blocking work on its runtime.
        "async_hook_leaves_blocking_work" => builder.run(|| {
            let _ = graceful::on_shutdown("after", mark("after")).order(2);
            ready();
        }),
        // exit(3) from a task on a multi-thread runtime with one worker.
        "exit_in_tokio_task" => builder.run(|| -> Result<(), Shutdown> {
            three_hooks();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                tokio::spawn(async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    graceful::exit(3)
                });
                ready();
                let why = graceful::shutdown().await;
                // The runtime's timers must still work after exit() in a task.
                tokio::time::sleep(Duration::from_millis(50)).await;
                println!("body:{why}");
            });
            Ok(())
        }),
        // Under systemd, a stop that is over at once.
        "quick_stop" => builder.run(|| {
            three_hooks();
            ready();
        }),
        // Under systemd, with a hook that never ends: the deadline must hold even if the
        // notify socket never takes our messages.
        "stuck_hook" => builder.timeout(Duration::from_secs(1)).run(|| {
            let _ = graceful::on_shutdown("stuck", || -> () {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
            sleep_forever()
        }),
        "fork_child_returns" => builder.run(|| {
            three_hooks();
            ready();
            let pid = fork();
            if pid == 0 {
                println!("child returns");
                return;
            }
            println!("child:{}", wait_child(pid));
        }),
        "fork_child_signalled" => builder.run(|| {
            three_hooks();
            let pid = fork();
            if pid == 0 {
                println!("child ready");
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            println!("child pid {pid}");
            println!("child:{}", wait_child(pid));
            ready();
        }),
        "exit_256" => builder.run(|| -> () {
            three_hooks();
            ready();
            graceful::exit(256)
        }),
        "cyclic_source" => builder.run(|| -> Result<(), Box<dyn std::error::Error>> {
            three_hooks();
            ready();
            Err(Box::new(Cyclic))
        }),
        // Daemonising code closes every descriptor above stderr, then opens files of its own.
        "close_fds" => builder.run(|| {
            for fd in 3..1024 {
                // SAFETY: close(2) on descriptors this process may or may not hold.
                unsafe { libc::close(fd) };
            }
            let path = std::env::args().nth(2).expect("a file path");
            let file = std::fs::File::create(&path).unwrap();
            let spare = std::fs::File::open("/dev/null").unwrap();
            let _ = graceful::on_shutdown("reads_file", move || {
                let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(99);
                println!("hook:file_len:{len}");
                drop((file, spare));
            });
            let before = cpu_ms();
            ready();
            std::thread::sleep(Duration::from_millis(500));
            println!("cpu_ms:{}", cpu_ms() - before);
            while graceful::sleep(Duration::from_secs(1)).is_ok() {}
        }),
        // A closure whose `Drop` blocks for 30 s, cancelled by the body (`block`), or whose
        // `Drop` registers another hook (`reenter`).
        "cancel_drop" => {
            let reenter = std::env::args().nth(2).as_deref() == Some("reenter");
            builder
                .timeout(Duration::from_secs(2))
                .body_timeout(Duration::from_millis(500))
                .run(move || -> Result<(), Shutdown> {
                    let _ = graceful::on_shutdown("a", mark("a"));
                    let holder = if reenter {
                        let r = Reenter;
                        graceful::on_shutdown("holder", move || drop(r))
                    } else {
                        let s = SlowDrop(Duration::from_secs(30));
                        graceful::on_shutdown("holder", move || drop(s))
                    };
                    ready();
                    println!("cancelled:{}", holder.cancel());
                    loop {
                        graceful::sleep(Duration::from_secs(1))?;
                    }
                })
        }
        // A panic whose payload panics when dropped, in the body or in a hook.
        "payload_bomb" => {
            let in_body = std::env::args().nth(2).as_deref() == Some("body");
            builder.run(move || {
                let _ = graceful::on_shutdown("runs_last", mark("runs_last"));
                let _ = graceful::on_shutdown("bomber", || -> () {
                    println!("hook:bomber");
                    std::panic::panic_any(Bomb)
                });
                let _ = graceful::on_shutdown("runs_first", mark("runs_first"));
                ready();
                if in_body {
                    std::panic::panic_any(Bomb)
                }
            })
        }
        "exit_in_scoped_thread" => builder.run(|| {
            three_hooks();
            ready();
            std::thread::scope(|s| {
                s.spawn(|| graceful::exit(3));
            });
        }),
        // Another thread holds std's stderr lock for ever, as a logger stuck inside it does.
        "stderr_lock_held" => builder.timeout(Duration::from_secs(3)).run(|| {
            let on = || std::thread::current().name().unwrap_or("?").to_owned();
            std::thread::spawn(|| {
                let _held = std::io::stderr().lock();
                loop {
                    std::thread::sleep(Duration::from_secs(100));
                }
            });
            std::thread::sleep(Duration::from_millis(50));
            let returned = std::time::Instant::now();
            let _ = graceful::on_shutdown("late", move || {
                println!("hook:late:{}:{}", on(), returned.elapsed().as_millis());
            });
            ready();
        }),
        // The program writes one line slowly (its Display takes the given ms) while the report
        // is due.
        "slow_line" => builder.run(|| {
            three_hooks();
            std::thread::spawn(|| eprintln!("BEGIN {} END", SlowDisplay));
            std::thread::sleep(Duration::from_millis(50));
            ready();
        }),
        // A hook has a thread write a 256 KiB line while the report is due; stderr is read
        // slowly by the test.
        "big_line_in_hook" => builder.timeout(Duration::from_secs(8)).run(|| {
            let _ = graceful::on_shutdown("c", mark("c"));
            let _ = graceful::on_shutdown("b", mark("b"));
            let _ = graceful::on_shutdown("sleeper", || {
                std::thread::spawn(|| eprintln!("BEGIN{}END", "x".repeat(256 * 1024)));
                std::thread::sleep(Duration::from_millis(300));
                println!("hook:sleeper");
            });
            sleep_forever()
        }),
        // exit(9) from a Drop while a hook panics, after that hook was left behind.
        "exit_in_drop_left_behind" => builder.timeout(Duration::from_secs(5)).run(|| {
            let _ = graceful::on_shutdown("C", mark("C")).order(3);
            let _ = graceful::on_shutdown("B", || {
                std::thread::sleep(Duration::from_secs(1));
                println!("hook:B");
            })
            .order(2);
            let _ = graceful::on_shutdown("A", || -> () {
                let _exits = ExitOnDrop(9);
                std::thread::sleep(Duration::from_millis(500));
                panic!("A panics late")
            })
            .order(1)
            .timeout(Duration::from_millis(200));
            ready();
        }),
        // exit(42) from a hook after it was left behind at its timeout.
        "exit_from_left_behind_hook" => builder.run(|| {
            let _ = graceful::on_shutdown("B", || {
                std::thread::sleep(Duration::from_millis(600));
                println!("hook:B");
            })
            .order(2);
            let _ = graceful::on_shutdown("A", || -> () {
                std::thread::sleep(Duration::from_millis(500));
                graceful::exit(42)
            })
            .order(1)
            .timeout(Duration::from_millis(200));
            ready();
        }),
        // install() inside a current-thread tokio runtime; an async hook sleeps on tokio.
        "guard_in_current_thread_runtime" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let _graceful = Builder::new().timeout(Duration::from_secs(3)).install();
                ready();
                graceful::shutdown().await;
            });
            ExitCode::SUCCESS
        }
        // An async hook that blocks its thread past its timeout.
        "async_hook_blocks_its_thread" => builder.run(|| {
            let _ = graceful::on_shutdown("after", mark("after")).order(2);
            ready();
        }),
        "cancel_during_cleanup" => builder.run(|| {
            let b = graceful::on_shutdown("B", mark("B")).order(2);
            let b = std::sync::Mutex::new(Some(b));
            let _ = graceful::on_shutdown("A", move || {
                let cancelled = b.lock().unwrap().take().map(graceful::HookHandle::cancel);
                println!("cancel_b:{cancelled:?}");
            })
            .order(1);
            ready();
        }),
        "nested_run_in_hook" => builder.run(|| {
            let _ = graceful::on_shutdown("last", mark("last")).order(2);
            let _ = graceful::on_shutdown("nester", || {
                let code = Builder::new().run(|| println!("nested body"));
                println!("nested:{code:?}");
            })
            .order(1);
            ready();
        }),
        // Four threads register 250 closures each, at once.
        "concurrent_registration" => builder.run(|| {
            static RAN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    let start = start.clone();
                    std::thread::spawn(move || {
                        start.wait();
                        for _ in 0..250 {
                            let _ = graceful::on_shutdown("flush", || {
                                RAN.fetch_add(1, Ordering::Relaxed);
                            });
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            let _ = graceful::on_shutdown("tally", || {
                println!("hook:ran:{}", RAN.load(Ordering::Relaxed))
            })
            .order(100);
            sleep_forever()
        }),
        // A closure cancelled during the stop, whose captured value's Drop panics, calls
        // exit(9) or blocks (the argument says which).
        "cancelled_during_cleanup_drop" => {
            let how = std::env::args().nth(2).unwrap_or_default();
            builder.timeout(Duration::from_secs(3)).run(move || {
                let conn = DropDoes(how);
                let b = graceful::on_shutdown("b", move || {
                    let _c = &conn;
                    println!("hook:b");
                })
                .order(2);
                let b = std::sync::Mutex::new(Some(b));
                let _ = graceful::on_shutdown("a", move || {
                    let cancelled = b.lock().unwrap().take().map(graceful::HookHandle::cancel);
                    println!("hook:a:{cancelled:?}");
                })
                .order(1);
                let _ = graceful::on_shutdown("c", mark("c")).order(3);
                sleep_forever()
            })
        }
        // exit(0) from a thread nobody joins, then an unrelated panic in main.
        "panic_after_unrelated_exit" => builder.run(|| {
            three_hooks();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                graceful::exit(0)
            });
            ready();
            let _ = graceful::sleep(Duration::from_secs(5));
            std::thread::sleep(Duration::from_millis(50));
            let empty: Vec<u8> = std::env::args().skip(99).map(|_| 0).collect();
            empty.first().copied().expect("an unrelated bug");
        }),
        // main holds std's stderr lock (as a CLI does for speed) under install().
        "guard_holding_stderr" => {
            let stderr = std::io::stderr();
            let mut err = stderr.lock();
            let _graceful = graceful::install();
            let _ = graceful::on_shutdown("flush", || {
                std::thread::sleep(Duration::from_millis(300));
                println!("hook:flush");
            });
            ready();
            while graceful::sleep(Duration::from_millis(50)).is_ok() {
                let _ = writeln!(err, "tick");
            }
            let _ = writeln!(err, "main: stopping");
            ExitCode::SUCCESS
        }
        // A drain: the body prints when it is no longer ready (the test times the lines).
        "drain_timed" => builder.drain(Duration::from_secs(1)).run(|| {
            ready();
            let mut said = false;
            while graceful::sleep(Duration::from_millis(20)).is_ok() {
                if !graceful::is_ready() && !said {
                    said = true;
                    eprintln!("body: not ready");
                }
            }
        }),
        // The body, told to stop, takes 2 s to return, writing to stderr as it goes.
        "slow_body" => builder.run(|| {
            ready();
            graceful::wait();
            for i in 0..4 {
                eprintln!("body: step {i}");
                std::thread::sleep(Duration::from_millis(500));
            }
        }),
        // SIGTERM, then main returns an error.
        "err_after_signal" => builder.run(|| -> Result<(), String> {
            ready();
            let _ = graceful::wait();
            Err("db gone".into())
        }),
        // A hook fails with an error of two lines.
        "multiline_error" => builder.run(|| {
            let _ = graceful::on_shutdown("fails", || -> Result<(), String> {
                Err("first line\nsecond line".into())
            });
            ready();
        }),
        other => {
            eprintln!("unknown scenario {other:?}");
            ExitCode::from(2)
        }
    }
}

/// Panics, calls `exit(9)` or blocks for 60 s when dropped, as its name says.
struct DropDoes(String);
impl Drop for DropDoes {
    fn drop(&mut self) {
        match self.0.as_str() {
            "panic" => panic!("the value failed to close"),
            "exit" => graceful::exit(9),
            _ => std::thread::sleep(Duration::from_secs(60)),
        }
    }
}

/// A panic payload that panics when dropped.
struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload panicked when dropped");
    }
}

/// A `Drop` that registers another hook.
struct Reenter;
impl Drop for Reenter {
    fn drop(&mut self) {
        let _ = graceful::on_shutdown("from_drop", mark("from_drop"));
    }
}

/// Takes a while to display (300 ms, or the ms given), so a line that shows it is written in two parts, slowly.
struct SlowDisplay;
impl std::fmt::Display for SlowDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(300);
        std::thread::sleep(Duration::from_millis(ms));
        f.write_str("slow")
    }
}

fn scenario_is(name: &str) -> bool {
    std::env::args().nth(1).as_deref() == Some(name)
}

/// The async hook of `guard_in_current_thread_runtime`: it sleeps on tokio's timer.
#[graceful::on_shutdown]
async fn sleeps_on_tokio() {
    if scenario_is("guard_in_current_thread_runtime") {
        tokio::time::sleep(Duration::from_millis(50)).await;
        println!("hook:sleeps_on_tokio");
    }
}

/// The async hook of `async_hook_blocks_its_thread`: it blocks its thread for 2 s.
#[graceful::on_shutdown(order = 1, timeout = "300ms")]
async fn blocks_its_thread() {
    if scenario_is("async_hook_blocks_its_thread") {
        println!("hook:blocks_its_thread");
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// The async hook of `async_hook_leaves_blocking_work`: it starts blocking work on the runtime
/// graceful gave it, then never finishes; cancelled at its 300 ms timeout.
#[graceful::on_shutdown(order = 1, timeout = "300ms")]
async fn leaves_blocking_work() {
    if !scenario_is("async_hook_leaves_blocking_work") {
        return;
    }
    println!("hook:leaves_blocking_work");
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(30)));
    std::future::pending::<()>().await;
}
