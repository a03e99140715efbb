#[graceful::on_shutdown(after = [db::close], before = db::close)]
fn flush() {}

mod db {
    #[graceful::on_shutdown]
    pub(crate) fn close() {}
}

fn main() {}
