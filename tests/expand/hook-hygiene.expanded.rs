fn shutdown(shutdown: &graceful::Shutdown) {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct shutdown {}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_HOOKS")]
    static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticHook {
                || &__GRACEFUL_HOOK
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::HOOKS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticHook::new(
            &__GRACEFUL_ID,
            "shutdown",
            ("hook_hygiene", "tests/expand/hook-hygiene.rs", 4u32),
            ::graceful::__private::HookFn::Sync(|shutdown| ::graceful::__private::hook_result(
                shutdown(shutdown),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for shutdown {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
#[allow(non_snake_case)]
fn HOOK() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct HOOK {}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_HOOKS")]
    static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticHook {
                || &__GRACEFUL_HOOK
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::HOOKS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticHook::new(
            &__GRACEFUL_ID,
            "HOOK",
            ("hook_hygiene", "tests/expand/hook-hygiene.rs", 8u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                HOOK(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for HOOK {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn on_unix() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct on_unix {}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_HOOKS")]
    static __GRACEFUL_HOOK: ::graceful::__private::StaticHook = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticHook {
                || &__GRACEFUL_HOOK
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::HOOKS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticHook::new(
            &__GRACEFUL_ID,
            "on_unix",
            ("hook_hygiene", "tests/expand/hook-hygiene.rs", 12u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                on_unix(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for on_unix {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn main() {}
