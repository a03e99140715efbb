//! A lock for critical sections of a few instructions: the list of holds, which every request
//! of a server may take and release. Taking it is one compare-and-swap and letting it go one
//! plain store, where std's `Mutex` costs a compare-and-swap and a swap: a hold taken and
//! released is then two atomic read-modify-writes, not four (see `BENCHMARKS.md`).
//!
//! A waiter spins briefly, then yields its time slice, so a holder preempted inside the
//! section costs the others their turn, never a lost wake-up. There is no poisoning: the
//! sections guarded here cannot panic but on allocation failure, which aborts.
//!
//! Layer 10: a leaf.

use std::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicBool, Ordering},
};

pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through a `SpinGuard`, and `locked` lets one guard exist
// at a time (acquired by a successful compare-and-swap, released by the guard's drop), so the
// value is never shared between threads: `T: Send` suffices, as for std's `Mutex`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub(crate) const fn new(value: T) -> SpinLock<T> {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// The lock, if it is free this instant.
    pub(crate) fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        let won = self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok();
        // A guard is made only on success: dropping one unlocks.
        if won {
            Some(SpinGuard { lock: self })
        } else {
            None
        }
    }

    /// The lock: spin while it is held, yielding after a while.
    pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
        let mut spins = 0u32;
        loop {
            if let Some(guard) = self.try_lock() {
                return guard;
            }
            while self.locked.load(Ordering::Relaxed) {
                if spins < 64 {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
    }
}

pub(crate) struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (see `Sync` above): no `&mut T` exists elsewhere.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one, and `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::SpinLock;

    #[test]
    fn one_guard_at_a_time_and_no_update_lost() {
        static COUNT: SpinLock<u64> = SpinLock::new(0);
        let guard = COUNT.lock();
        assert!(COUNT.try_lock().is_none());
        drop(guard);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..50_000 {
                        *COUNT.lock() += 1;
                    }
                });
            }
        });
        assert_eq!(*COUNT.try_lock().unwrap(), 200_000);
    }
}
