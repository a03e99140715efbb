//! `main` returning `miette::Result`: `?` carries the `Shutdown` out of `sleep`, and a signal
//! stop is a clean one (exit 0), with the `miette` feature.

#[graceful::main]
fn main() -> miette::Result<()> {
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}
