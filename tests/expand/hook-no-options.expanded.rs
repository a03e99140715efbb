fn flush() {}
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
            "flush",
            ("hook_no_options", "tests/expand/hook-no-options.rs", 2u32),
            ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                flush(),
            )),
        )
    };
};
fn main() {}
