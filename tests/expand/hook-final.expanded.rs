fn flush_telemetry() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct flush_telemetry {}
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
                "flush_telemetry",
                ("hook_final", "tests/expand/hook-final.rs", 2u32),
                ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                    flush_telemetry(),
                )),
            )
            .final_stage()
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for flush_telemetry {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn main() {}
