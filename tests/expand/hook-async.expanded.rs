async fn save() {}
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
            name: "save",
            order: 0,
            timeout: ::core::option::Option::None,
            module: "hook_async",
            file: "tests/expand/hook-async.rs",
            line: 2u32,
            run: ::graceful::__private::HookFn::Async(|_| ::graceful::__private::async_hook(
                save(),
            )),
        }
    };
};
async fn save_why(shutdown: &graceful::Shutdown) -> Result<(), String> {
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
            name: "save_why",
            order: 1,
            timeout: ::core::option::Option::None,
            module: "hook_async",
            file: "tests/expand/hook-async.rs",
            line: 5u32,
            run: ::graceful::__private::HookFn::Async(|shutdown| ::graceful::__private::async_hook(async move {
                save_why(&shutdown).await
            })),
        }
    };
};
fn main() {}
