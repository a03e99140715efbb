fn flush(shutdown: &graceful::Shutdown) -> Result<(), String> {
    Err(shutdown.to_string())
}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_HOOKS")]
    static HOOK: ::graceful::__private::StaticHook = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticHook {
                || &HOOK
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::HOOKS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticHook {
            name: "flush journal",
            order: -5,
            timeout: ::core::option::Option::Some(
                ::graceful::__private::Duration::from_millis(2000),
            ),
            module: "hook_every_option",
            file: "tests/expand/hook-every-option.rs",
            line: 2u32,
            run: ::graceful::__private::HookFn::Sync(|shutdown| ::graceful::__private::hook_result(
                flush(shutdown),
            )),
        }
    };
};
fn main() {}
