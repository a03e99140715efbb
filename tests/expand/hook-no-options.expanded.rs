fn flush() {}
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
            name: "flush",
            order: 0,
            timeout: ::core::option::Option::None,
            module: "hook_no_options",
            file: "tests/expand/hook-no-options.rs",
            line: 2u32,
            run: ::graceful::__private::HookFn::Sync(|_| ::graceful::__private::hook_result(
                flush(),
            )),
        }
    };
};
fn main() {}
