//! The load generator's CPU scheduling. On loopback every frame a server writes wakes a
//! generator thread on the same two cores, and Linux lets a freshly woken thread preempt the
//! server there and then: a context switch the server pays for that a remote client would
//! never cost it. `SCHED_BATCH` keeps the generator's share of the CPU but drops that wake-up
//! preemption, so an idle-cost measurement measures the server.

/// Puts the calling thread, and every thread or process it starts afterwards, in
/// `SCHED_BATCH`. Where that is refused the run goes on, with a warning.
pub fn batch() {
    if let Err(err) = set_batch() {
        eprintln!("imctl: warning: cannot use SCHED_BATCH ({err}); servers may pay for the generator's wake-ups");
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // one libc call, no safe wrapper in the dependency graph
fn set_batch() -> std::io::Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid `sched_param` for the duration of the call, and pid 0 names
    // the calling thread; the call reads nothing else.
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn set_batch() -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "Linux only"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn batch_is_inherited_by_new_threads() {
        std::thread::spawn(|| {
            super::batch();
            let inherited = std::thread::spawn(|| {
                // Field 41 of /proc/thread-self/stat is the policy (3 is SCHED_BATCH).
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
                after_comm.split_whitespace().nth(38).unwrap().parse::<i32>().unwrap()
            });
            assert_eq!(inherited.join().unwrap(), libc::SCHED_BATCH);
        })
        .join()
        .unwrap();
    }
}
