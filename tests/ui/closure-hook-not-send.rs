// An async closure hook whose future is not `Send` (it holds an `Rc` across an await): the
// error names on_shutdown's argument and says what an async hook must be.
use std::rc::Rc;

fn main() {
    let shared = Rc::new(5);
    let _ = graceful::on_shutdown("count", async move {
        std::future::ready(()).await;
        println!("{shared}");
    });
}
