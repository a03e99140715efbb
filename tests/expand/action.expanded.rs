fn reload() -> std::io::Result<()> {
    Ok(())
}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_SIGNAL_ACTIONS")]
    static __GRACEFUL_ACTION: ::graceful::__private::StaticAction = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticAction {
                || &__GRACEFUL_ACTION
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::SIGNAL_ACTIONS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticAction::new(
            ::graceful::__private::Signal::SIGHUP,
            "reload settings",
            ::core::panic::Location::caller(),
            ::graceful::__private::ActionFn::Sync(|| ::graceful::__private::hook_result(
                reload(),
            )),
        )
    };
};
async fn reopen_logs() {}
const _: () = {
    #[used]
    #[unsafe(link_section = "linkme_SIGNAL_ACTIONS")]
    static __GRACEFUL_ACTION: ::graceful::__private::StaticAction = {
        #[allow(clippy::no_effect_underscore_binding)]
        unsafe fn __typecheck(_: ::graceful::__private::linkme::__private37::Void) {
            #[allow(clippy::ref_option_ref)]
            let __new = || -> fn() -> &'static ::graceful::__private::StaticAction {
                || &__GRACEFUL_ACTION
            };
            unsafe {
                ::graceful::__private::linkme::DistributedSlice::private_typecheck(
                    ::graceful::__private::SIGNAL_ACTIONS,
                    __new(),
                );
            }
        }
        ::graceful::__private::StaticAction::new(
            ::graceful::__private::Signal::SIGUSR1,
            "reopen_logs",
            ::core::panic::Location::caller(),
            ::graceful::__private::ActionFn::Async(|| ::graceful::__private::async_hook(
                reopen_logs(),
            )),
        )
    };
};
fn main() {}
