//! The entry points: [`Builder`] (with `run` and `install`), the attribute's `run` and
//! `run_async`, the install [`Guard`], and [`exit`].
//!
//! Layer 1: it imports everything below.

mod builder;
mod exit;
mod finish;
mod guard;
mod run;
mod start;

pub use builder::{Builder, install, run, run_async};
pub use exit::exit;
pub use guard::Guard;
