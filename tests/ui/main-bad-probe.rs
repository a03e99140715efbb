// `probe` takes a socket address; a host name is not one.
#[graceful::main(probe = "localhost:9000")]
fn main() {}
