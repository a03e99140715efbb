// Sums near u64::MAX milliseconds: a compile error on body_timeout, not an overflow in the macro.
#[graceful::main(
    timeout = "18446744073709551615ms",
    drain = "18446744073709551614ms",
    body_timeout = "2ms"
)]
fn main() {}
