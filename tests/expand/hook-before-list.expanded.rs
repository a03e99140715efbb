fn a() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct a {}
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
            "a",
            ("hook_before_list", "tests/expand/hook-before-list.rs", 2u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                a(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for a {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn b() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct b {}
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
            "b",
            ("hook_before_list", "tests/expand/hook-before-list.rs", 5u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                b(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for b {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
pub fn first() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
pub struct first {}
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
                "first",
                ("hook_before_list", "tests/expand/hook-before-list.rs", 8u32),
                ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                    first(),
                )),
            )
            .before(
                &[
                    <a as ::graceful::__private::Hook>::HOOK,
                    <b as ::graceful::__private::Hook>::HOOK,
                ],
            )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for first {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn main() {}
