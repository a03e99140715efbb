#[graceful::on_shutdown(after = db::clse)]
fn flush() {}

mod db {
    #[graceful::on_shutdown]
    pub(crate) fn close() {}
}

fn main() {}
