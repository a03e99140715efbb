extern crate graceful as gr;
fn main() -> ::std::process::ExitCode {
    fn __graceful_body() {}
    gr::__private::run(
        gr::__private::Builder::new(),
        || {
            use gr::__private::probe::*;
            (&&&Probe(__graceful_body())).outcome()
        },
    )
}
fn flush() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct flush {}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_HOOKS")]
    static __GRACEFUL_HOOK: gr::__private::StaticHook = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: gr::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static gr::__private::StaticHook {
                || &__GRACEFUL_HOOK
            };
            unsafe {
                gr::__private::linkme::DistributedSlice::private_typecheck(
                    gr::__private::HOOKS,
                    __new(),
                );
            }
        }
        gr::__private::StaticHook::new(
                &__GRACEFUL_ID,
                "flush",
                ("crate_path", "tests/expand/crate-path.rs", 8u32),
                gr::__private::HookFn::Sync(|_| gr::__private::hook_result(flush())),
            )
            .order(1)
    };
    static __GRACEFUL_ID: gr::__private::HookId = gr::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl gr::__private::Hook for flush {
        const HOOK: gr::__private::HookRef = &__GRACEFUL_ID;
    }
};
