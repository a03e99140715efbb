#[graceful::on_shutdown(after = [close, db::close, close])]
fn flush() {}

#[graceful::on_shutdown]
fn close() {}

mod db {
    #[graceful::on_shutdown]
    pub(crate) fn close() {}
}

fn main() {}
