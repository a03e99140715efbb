// A hook is named with the visibility of its function: a private one, only in its module.
#[graceful::on_shutdown(after = db::close)]
fn flush() {}

mod db {
    #[graceful::on_shutdown]
    fn close() {}
}

fn main() {}
