//! Where a measurement runs and what it costs: pinning a thread to a core,
//! CPU clocks (one thread's, readable from any thread; the calling
//! thread's; the process's), and the busy fraction (CPU time over wall
//! time).

use std::sync::Mutex;
use std::time::Duration;

/// Pins the calling thread to `core` (best effort; ignored where the core
/// does not exist or the affinity cannot be set).
pub fn pin_to_core(core: usize) {
    if core >= libc::CPU_SETSIZE as usize {
        return;
    }
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes inside
    // it (`core` is below CPU_SETSIZE).
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// Runs `f` on a new thread pinned to `core` (unpinned, inheriting the
/// caller's affinity, when `None`) and returns its result. Threads `f`
/// starts (a blocking pool's, say) inherit the pinning. A panic in `f` is
/// resumed on the caller.
pub fn on_core<R: Send>(core: Option<usize>, f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(core) = core {
                pin_to_core(core);
            }
            f()
        })
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The cores the calling thread may run on (empty where they cannot be
/// read).
pub fn allowed_cores() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity
    // writes at most its size into it, and CPU_ISSET reads inside it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// A thread's CPU-time clock (`pthread_getcpuclockid`), readable from any
/// thread of the process.
#[derive(Clone, Copy, Debug)]
pub struct ThreadClock(libc::clockid_t);

impl ThreadClock {
    /// The calling thread's clock.
    pub fn current() -> ThreadClock {
        let mut id: libc::clockid_t = 0;
        // SAFETY: pthread_self() is this live thread; the id is written
        // into a local.
        unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) };
        ThreadClock(id)
    }

    /// CPU time of the clock's thread so far (zero if it is gone).
    pub fn read(self) -> Duration {
        // SAFETY: clock_gettime writes into the zeroed timespec it is given.
        let ts = unsafe {
            let mut ts: libc::timespec = std::mem::zeroed();
            libc::clock_gettime(self.0, &mut ts);
            ts
        };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
}

/// The summed CPU time of the clocks in `clocks`.
pub fn clocks_sum(clocks: &Mutex<Vec<ThreadClock>>) -> Duration {
    clocks.lock().unwrap().iter().map(|c| c.read()).sum()
}

/// CPU time (user + system) of the calling thread (`getrusage`).
pub fn thread_cpu() -> Duration {
    cpu_time(libc::RUSAGE_THREAD)
}

/// CPU time (user + system) of the whole process (`getrusage`).
pub fn process_cpu() -> Duration {
    cpu_time(libc::RUSAGE_SELF)
}

fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time over wall time: 1.0 is one core busy throughout, more is several
/// threads' summed time. A zero `wall` counts as one nanosecond.
pub fn busy(cpu: Duration, wall: Duration) -> f64 {
    cpu.as_secs_f64() / wall.as_secs_f64().max(1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn spin(d: Duration) {
        let start = Instant::now();
        while start.elapsed() < d {
            std::hint::black_box(0u64);
        }
    }

    #[test]
    fn clocks_advance_while_spinning() {
        let clock = ThreadClock::current();
        let (c0, t0, p0) = (clock.read(), thread_cpu(), process_cpu());
        spin(Duration::from_millis(30));
        assert!(clock.read() > c0);
        assert!(thread_cpu() > t0);
        assert!(process_cpu() > p0);
    }

    #[test]
    fn a_clock_reads_from_another_thread() {
        let clocks = std::sync::Arc::new(Mutex::new(Vec::new()));
        let (theirs, done) = (clocks.clone(), std::sync::mpsc::channel::<()>());
        let (tx, rx) = done;
        let worker = std::thread::spawn(move || {
            theirs.lock().unwrap().push(ThreadClock::current());
            spin(Duration::from_millis(30));
            rx.recv().unwrap();
        });
        while clocks.lock().unwrap().is_empty() {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(40));
        assert!(clocks_sum(&clocks) >= Duration::from_millis(5));
        tx.send(()).unwrap();
        worker.join().unwrap();
    }

    #[test]
    fn busy_is_cpu_over_wall() {
        let b = busy(Duration::from_millis(500), Duration::from_secs(1));
        assert!((b - 0.5).abs() < 1e-12);
        assert!(busy(Duration::from_millis(1), Duration::ZERO).is_finite());
    }

    #[test]
    fn on_core_pins_the_thread_and_its_children() {
        let here = allowed_cores();
        assert!(!here.is_empty());
        let core = here[0];
        let (inside, child) = on_core(Some(core), || {
            let child = std::thread::spawn(allowed_cores).join().unwrap();
            (allowed_cores(), child)
        });
        assert_eq!((inside, child), (vec![core], vec![core]));
        assert_eq!(on_core(None, allowed_cores), here);
        assert_eq!(allowed_cores(), here, "the caller's affinity is untouched");
    }

    #[test]
    fn pinning_is_best_effort() {
        pin_to_core(usize::MAX);
        pin_to_core(100_000);
        let on = std::thread::spawn(|| {
            pin_to_core(0);
            // SAFETY: a zeroed cpu_set_t is a valid set for
            // sched_getaffinity to fill; sched_getcpu takes no arguments.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
                let only_zero = libc::CPU_COUNT(&set) == 1 && libc::CPU_ISSET(0, &set);
                (only_zero, libc::sched_getcpu())
            }
        });
        let (only_zero, cpu) = on.join().unwrap();
        // Core 0 may be outside this process's cpuset; then nothing changed.
        if only_zero {
            assert_eq!(cpu, 0);
        }
    }
}
