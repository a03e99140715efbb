mod db {
    #[graceful::on_shutdown]
    pub(crate) fn close_pool() {}
}

#[graceful::on_shutdown(after = db::close_pool)]
fn flush() {}

fn main() {}
