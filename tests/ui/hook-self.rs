struct Journal;

impl Journal {
    #[graceful::on_shutdown]
    fn close(self) {}
}

fn main() {}
