fn body() -> &'static str {
    "the user's own"
}

#[graceful::main(quiet)]
fn main() {
    assert_eq!(body(), "the user's own");
}
