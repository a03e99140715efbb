// `quiet` is `report = "off"`: both at once say two things.
#[graceful::main(quiet, report = "always")]
fn main() {}
