struct Pool;

impl Pool {
    #[graceful::on_shutdown]
    fn drain(&self) {}
}

fn main() {}
