async fn save() {}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct save {}
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
            "save",
            ("hook_async", "tests/expand/hook-async.rs", 2u32),
            ::graceful::__private::HookFn::Async(|_| ::graceful::__private::async_hook(
                save(),
            )),
        )
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for save {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
async fn save_why(shutdown: &graceful::Shutdown) -> Result<(), String> {
    Err(shutdown.to_string())
}
#[doc(hidden)]
#[allow(non_camel_case_types, dead_code, unreachable_pub)]
struct save_why {}
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
                "save_why",
                ("hook_async", "tests/expand/hook-async.rs", 5u32),
                ::graceful::__private::HookFn::Async(|shutdown| ::graceful::__private::async_hook(async move {
                    save_why(&shutdown).await
                })),
            )
            .order(1)
    };
    static __GRACEFUL_ID: ::graceful::__private::HookId = ::graceful::__private::HookId::new();
    #[diagnostic::do_not_recommend]
    impl ::graceful::__private::Hook for save_why {
        const HOOK: ::graceful::__private::HookRef = &__GRACEFUL_ID;
    }
};
fn main() {}
