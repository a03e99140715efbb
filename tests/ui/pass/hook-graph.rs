// Hooks name each other by path: in the same module, through `super::`, `crate::` and
// `self::`, in another crate, inside a fn body, with a raw identifier, and a `final` hook.
// Each names exactly the registration in the link-time list. Warnings are errors here, and
// the user's own names (`shutdown`, `HOOK`, a `u8` that is a hook) stay theirs.
#![deny(warnings, unreachable_pub, missing_debug_implementations)]

use graceful::__private::{HOOKS, Hook, HookRef, StaticHook};

mod db {
    #[graceful::on_shutdown]
    pub(crate) fn close_pool() {}

    pub(crate) mod nested {
        #[graceful::on_shutdown(after = super::close_pool, before = crate::flush)]
        pub(crate) fn drain() {}
    }
}

#[graceful::on_shutdown(after = [db::close_pool, self::db::nested::drain])]
fn flush() {}

#[graceful::on_shutdown(final, after = [flush, graceful_example_hooklib::close_pool])]
fn telemetry() {}

#[graceful::on_shutdown]
fn r#type() {}

#[graceful::on_shutdown(before = r#type)]
fn shutdown(shutdown: &graceful::Shutdown) {
    let _ = shutdown;
}

#[allow(non_snake_case)]
#[graceful::on_shutdown(after = shutdown)]
fn HOOK() {}

// No marker for a hook named like a primitive type: `u8` below is still the integer.
#[graceful::on_shutdown]
fn u8() {}

/// The registration whose identity is `id`: exactly one.
fn hook(id: HookRef) -> &'static StaticHook {
    let mut found = HOOKS.iter().filter(|h| std::ptr::eq(h.id, id));
    let hook = found.next().expect("registered");
    assert!(found.next().is_none(), "one registration per identity");
    hook
}

fn names(hooks: &[HookRef]) -> Vec<&'static str> {
    hooks.iter().map(|&h| hook(h).name).collect()
}

fn main() {
    #[graceful::on_shutdown]
    fn inner() {}

    #[graceful::on_shutdown(after = inner)]
    fn inner_after() {}

    let byte: u8 = 7;
    assert_eq!(byte, 7);

    let flush = hook(<flush as Hook>::HOOK);
    assert_eq!(names(flush.after), ["close_pool", "drain"]);
    assert!(std::ptr::eq(hook(flush.after[0]), hook(<db::close_pool as Hook>::HOOK)));
    let drain = hook(<db::nested::drain as Hook>::HOOK);
    assert_eq!((names(drain.after), names(drain.before)), (vec!["close_pool"], vec!["flush"]));
    let telemetry = hook(<telemetry as Hook>::HOOK);
    assert!(telemetry.last && !flush.last);
    assert_eq!(names(telemetry.after), ["flush", "close_pool"]);
    assert_eq!(names(hook(<HOOK as Hook>::HOOK).after), ["shutdown"]);
    assert_eq!(names(hook(<shutdown as Hook>::HOOK).before), ["type"]);
    assert_eq!(names(hook(<inner_after as Hook>::HOOK).after), ["inner"]);
}
