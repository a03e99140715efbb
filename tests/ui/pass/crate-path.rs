// `crate = path`: graceful under another name, here a re-export, as a framework gives it.
mod framework {
    pub use ::graceful as graceful_reexport;
}

use framework::graceful_reexport as gr;

#[gr::main(crate = crate::framework::graceful_reexport, quiet)]
fn main() {
    assert!(gr::hooks().iter().any(|h| h.name() == "flush"));
}

#[gr::on_shutdown(crate = gr)]
fn flush() {}
