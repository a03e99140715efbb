// `crate = gr`: a renamed graceful, named by both attributes.
extern crate graceful as gr;

#[gr::main(crate = gr)]
fn main() {}

#[gr::on_shutdown(crate = gr, order = 1)]
fn flush() {}
