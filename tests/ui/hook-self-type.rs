struct Pool;

impl Pool {
    #[graceful::on_shutdown]
    fn drain_all() -> Result<(), <Self as Drainer>::Error> {
        Ok(())
    }
}

trait Drainer {
    type Error;
}

impl Drainer for Pool {
    type Error = String;
}

fn main() {}
