//! The floor of the wake benchmark: the same shape as `wake_graceful`, with the cheapest ways
//! one thread can wake another that is blocked. `park` (the default): the sleeper parks
//! (`std::thread::park`, a futex wait) until a flag is set, and the main thread sets the flag
//! and unparks it (a futex wake). `condvar`: a `Mutex<bool>` and a `Condvar`. One sample per
//! process, like `wake_graceful`, so both pay the same cold-process costs.

use std::{
    sync::{
        Condvar, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use graceful_bench::{emit, now_ns};

static ABOUT_TO_SLEEP: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);
static STOP_LOCKED: Mutex<bool> = Mutex::new(false);
static STOP_CHANGED: Condvar = Condvar::new();

fn main() {
    let condvar = std::env::args().nth(1).is_some_and(|a| a == "condvar");
    let sleeper = std::thread::spawn(move || {
        if condvar {
            let mut stop = STOP_LOCKED.lock().expect("lock");
            ABOUT_TO_SLEEP.store(true, Ordering::Release);
            while !*stop {
                stop = STOP_CHANGED.wait(stop).expect("wait");
            }
        } else {
            ABOUT_TO_SLEEP.store(true, Ordering::Release);
            while !STOP.load(Ordering::Acquire) {
                std::thread::park();
            }
        }
        now_ns()
    });
    while !ABOUT_TO_SLEEP.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(20)); // the sleeper is blocked by now
    let start = now_ns();
    if condvar {
        *STOP_LOCKED.lock().expect("lock") = true;
        STOP_CHANGED.notify_one();
    } else {
        STOP.store(true, Ordering::Release);
        sleeper.thread().unpark();
    }
    let woke_at = sleeper.join().expect("sleeper");
    emit("", woke_at - start);
}
