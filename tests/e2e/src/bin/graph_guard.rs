//! `install()` with concurrent hooks: when the guard has run the hooks, main gets control back
//! and decides the exit (7 here), whichever lane ran the last hook.

use std::time::Duration;

fn main() {
    let guard = graceful::Builder::new().concurrent_hooks(true).install();
    graceful::on_shutdown("slow", || {
        std::thread::sleep(Duration::from_millis(300));
        println!("hook:slow");
    });
    graceful::on_shutdown("quick", || println!("hook:quick"));
    graceful::on_shutdown("slow final", || {
        std::thread::sleep(Duration::from_millis(300));
        println!("hook:slow final");
    })
    .final_stage();
    graceful::on_shutdown("quick final", || println!("hook:quick final")).final_stage();
    drop(guard);
    println!("after the guard");
    std::process::exit(7);
}
