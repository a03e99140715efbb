//! `main` returning an error type of its own, whose `source()` may be a `Shutdown`.
//! `attr_custom_error MODE`: `stop` waits for a signal (the error then wraps the
//! `Shutdown`); `fail` returns an I/O failure at once.

use std::{error::Error, fmt, io};

use graceful::Shutdown;

#[derive(Debug)]
enum AppError {
    Stopped(Shutdown),
    Io(io::Error),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Stopped(_) => f.write_str("stopped"),
            AppError::Io(_) => f.write_str("i/o failed"),
        }
    }
}

impl Error for AppError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            AppError::Stopped(s) => Some(s),
            AppError::Io(e) => Some(e),
        }
    }
}

impl From<Shutdown> for AppError {
    fn from(s: Shutdown) -> Self {
        AppError::Stopped(s)
    }
}

#[graceful::main]
fn main() -> Result<(), AppError> {
    if std::env::args().nth(1).as_deref() == Some("fail") {
        return Err(AppError::Io(io::Error::other("disk on fire")));
    }
    println!("ready");
    loop {
        graceful::sleep(std::time::Duration::from_secs(1))?;
    }
}

#[graceful::on_shutdown]
fn after() {
    println!("hook:after");
}
