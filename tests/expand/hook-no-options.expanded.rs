fn flush() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct flush {}
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
            "flush",
            ("hook_no_options", "tests/expand/hook-no-options.rs", 2u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                flush(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for flush {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn main() {}
