//! `#[ringio::main]` and `#[ringio::test]`: what they expand to runs.
//!
//! Every test here needs io_uring: the attributes start a runtime (and panic
//! when they cannot), so none of them skips. Each body that waits on the ring
//! is bounded by `ringio::time::timeout`.

use std::error::Error;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// `fut`, failing the test if it takes longer than [`LIMIT`].
async fn bounded<F: Future>(fut: F) -> F::Output {
    ringio::time::timeout(LIMIT, fut)
        .await
        .expect("the test did not finish in time")
}

#[ringio::test]
async fn sleeps_and_spawns() {
    let start = Instant::now();
    let task = ringio::spawn(async { 6 * 7 });
    bounded(ringio::time::sleep(Duration::from_millis(1))).await;
    assert!(start.elapsed() >= Duration::from_millis(1));
    assert_eq!(bounded(task).await.unwrap(), 42);
    assert!(ringio::stats().tasks_polled >= 1);
}

/// Each test gets its own runtime: nothing of another test's is seen.
#[ringio::test]
async fn starts_a_fresh_runtime() {
    let stats = ringio::stats();
    assert_eq!(stats.ops_in_flight, 0);
    assert_eq!(stats.tasks_polled, 0);
}

#[ringio::test]
async fn returns_a_result() -> Result<(), io::Error> {
    // `?` converts to the declared error type.
    bounded(ringio::nop()).await?;
    let n: u32 = "12".parse().map_err(io::Error::other)?;
    assert_eq!(n, 12);
    Ok(())
}

/// A submission queue of 8 entries still runs 16 operations at once: the
/// full queue is submitted and refilled, which takes more than one enter.
#[ringio::test(entries = 8)]
async fn small_submission_queue() {
    let before = ringio::stats();
    let nops = (0..16).map(|_| ringio::nop());
    let results = bounded(futures::future::join_all(nops)).await;
    assert_eq!(results.len(), 16);
    for result in results {
        result.unwrap();
    }
    let after = ringio::stats();
    assert!(after.sqes_submitted - before.sqes_submitted >= 16);
    assert!(after.cqes_reaped - before.cqes_reaped >= 16);
    assert!(after.enters - before.enters >= 2);
}

/// Other attributes stay on the generated `#[test] fn`.
#[ringio::test]
#[should_panic(expected = "ringio test body panicked on purpose")]
async fn keeps_should_panic() {
    bounded(ringio::nop()).await.unwrap();
    panic!("ringio test body panicked on purpose");
}

#[ringio::test(entries = 16)]
#[should_panic(expected = "panicked with entries too")]
async fn keeps_should_panic_with_entries() {
    bounded(ringio::nop()).await.unwrap();
    panic!("panicked with entries too");
}

mod renamed {
    use ringio as my_ringio;

    #[my_ringio::test(crate = my_ringio, entries = 4)]
    async fn crate_argument() {
        super::bounded(my_ringio::nop()).await.unwrap();
        assert!(my_ringio::stats().sqes_submitted >= 1);
    }
}

// `#[ringio::main]` works on any name: `body()` is a plain `fn` that runs the
// async body on its own runtime.

/// Docs and lints stay on the function.
#[ringio::main]
#[allow(clippy::unused_async)]
async fn body() -> u32 {
    bounded(ringio::nop()).await.unwrap();
    let task = ringio::spawn(async { 3 });
    bounded(task).await.unwrap() + 4
}

#[ringio::main(entries = 4)]
async fn parses_five() -> Result<u32, Box<dyn Error>> {
    bounded(ringio::nop()).await?;
    let n: u32 = "5".parse()?;
    Ok(n)
}

#[ringio::main(entries = 4)]
async fn parses_junk() -> Result<u32, Box<dyn Error>> {
    bounded(ringio::nop()).await?;
    let n: u32 = "five".parse()?;
    Ok(n)
}

/// Two closures of different types: only the declared return type makes
/// both `Box<dyn Fn>` (the body is checked against it, not inferred).
#[ringio::main]
async fn boxed() -> Box<dyn Fn() -> u32> {
    if bounded(ringio::nop()).await.is_ok() {
        return Box::new(|| 1);
    }
    Box::new(|| 2)
}

/// `impl Trait` works as in any `async fn`.
#[ringio::main]
async fn displayable() -> impl std::fmt::Display {
    bounded(ringio::nop()).await.unwrap();
    "shown"
}

struct Answer(u32);

impl Answer {
    /// An associated function may name `Self`.
    #[ringio::main(entries = 2)]
    async fn compute() -> Self {
        Self(bounded(ringio::spawn(async { 42 })).await.unwrap())
    }
}

#[ringio::main]
async fn unit() {
    bounded(ringio::time::sleep(Duration::from_millis(1))).await;
}

#[test]
fn main_attribute_runs_the_body() {
    assert_eq!(body(), 7);
    // A fresh runtime each call.
    assert_eq!(body(), 7);
    assert_eq!(boxed()(), 1);
    assert_eq!(displayable().to_string(), "shown");
    assert_eq!(Answer::compute().0, 42);
    let start = Instant::now();
    unit();
    assert!(start.elapsed() >= Duration::from_millis(1));
}

#[test]
fn main_attribute_returns_errors() {
    assert_eq!(parses_five().unwrap(), 5);
    let err = parses_junk().unwrap_err();
    assert!(err.is::<std::num::ParseIntError>(), "{err}");
}

/// The generated function is blocking: calling it from inside a runtime is
/// the error `ringio::run` reports.
#[ringio::test]
#[should_panic(expected = "cannot start a ringio runtime from within a runtime")]
async fn main_attribute_inside_a_runtime_panics() {
    body();
}
