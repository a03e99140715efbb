//! Run as PID 1 (in a PID namespace of its own): with `PID1_REAP=1` it turns on
//! `graceful::reap_orphans`. A shell it starts leaves a `sleep` behind, which the kernel hands
//! to PID 1 when the shell exits; once that `sleep` ends it is a zombie unless PID 1 reaps it.
//! It prints `pid1:BOOL` (reaping on), then `zombies:N`, the zombies among its children.

use std::time::Duration;

fn zombies() -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if let Some((_, rest)) = stat.rsplit_once(')') {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.first() == Some(&"Z") && fields.get(1) == Some(&"1") {
                n += 1;
            }
        }
    }
    n
}

#[graceful::main]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PID1_REAP").is_some() {
        println!("pid1:{}", graceful::reap_orphans());
    }
    let mut shell = std::process::Command::new("sh")
        .args(["-c", "sleep 0.2 & exit 0"])
        .spawn()?;
    shell.wait()?;
    // The orphan ends at 0.2 s; the reaper looks once a second.
    std::thread::sleep(Duration::from_millis(2500));
    println!("zombies:{}", zombies());
    Ok(())
}
