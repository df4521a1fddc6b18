//! Sleeps 10,000 tasks with staggered deadlines, checks that
//! they wake in deadline order, and prints the runtime's counters.
//!
//! `cargo run --release --example timers`

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn main() {
    let tasks = 10_000u32;
    ringio::run(async move {
        let start = Instant::now();
        let order = Rc::new(RefCell::new(Vec::with_capacity(tasks as usize)));
        let handles: Vec<_> = (0..tasks)
            .rev()
            .map(|i| {
                let order = order.clone();
                let deadline =
                    start + Duration::from_millis(100) + Duration::from_micros(10 * i as u64);
                ringio::spawn(async move {
                    ringio::time::sleep_until(deadline).await;
                    order.borrow_mut().push(i);
                    Instant::now() - deadline
                })
            })
            .collect();
        let mut worst = Duration::ZERO;
        for h in handles {
            worst = worst.max(h.await.expect("sleeper panicked"));
        }
        let order = order.borrow();
        let in_order = order.windows(2).all(|w| w[0] < w[1]);
        let stats = ringio::stats();
        println!("{tasks} sleeps done in {:?}", start.elapsed());
        println!("woke in deadline order: {in_order}; worst lateness: {worst:?}");
        println!(
            "io_uring_enter calls: {}, SQEs submitted: {} ({:.1} per enter), CQEs reaped: {}, task polls: {}",
            stats.enters,
            stats.sqes_submitted,
            stats.sqes_submitted as f64 / stats.enters.max(1) as f64,
            stats.cqes_reaped,
            stats.tasks_polled
        );
    });
}
