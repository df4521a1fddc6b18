//! The remote inbox: how other threads wake this runtime's tasks.
//!
//! A wake from another thread pushes the task's id here and, if the ring is
//! parked (or about to park), writes the ring's eventfd. The protocol is
//! Dekker's: the executor stores `parked`, then a `SeqCst` fence, then loads
//! `pending`; a remote thread stores `pending`, then a `SeqCst` fence, then
//! swaps `parked`. The two fences are ordered one way or the other, so at
//! least one side sees the other's store: a wake is never lost, and at
//! most one eventfd write is made per park. The fences alone carry the
//! argument (the accesses need no `SeqCst`): that is the form the C11 model
//! states plainly, and the one loom checks. The inbox itself is under its
//! lock.

//!
//! Under `--cfg ringio_loom` the atomics and the lock are loom's, and the tests at
//! the end check the protocol under every interleaving loom explores.

use super::executor::TaskId;
use crate::driver::Unparker;
use async_task::Runnable;
#[cfg(ringio_loom)]
use loom::sync::{
    atomic::{fence, AtomicBool},
    Mutex, MutexGuard,
};
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::sync::PoisonError;
#[cfg(not(ringio_loom))]
use std::sync::{
    atomic::{fence, AtomicBool},
    Mutex, MutexGuard,
};

/// What ends a parked ring's wait: the driver's [`Unparker`] (an eventfd
/// write or a `MSG_RING`), or a model of it under loom.
pub(crate) trait Unpark {
    /// Ends the wait, or makes the next one return at once.
    fn unpark(&self);
}

impl Unpark for Unparker {
    #[inline]
    fn unpark(&self) {
        Unparker::unpark(self);
    }
}

/// Task ids scheduled for one runtime by other threads.
#[derive(Debug)]
pub(crate) struct Remote<U: Unpark = Unparker> {
    /// Identifies the runtime, to tell a home-thread wake from a remote one.
    pub(crate) id: u64,
    inbox: Mutex<Inbox>,
    pending: AtomicBool,
    parked: AtomicBool,
    /// The `block_on` future was woken: by its waker, from any thread, or
    /// by its task token, on this one.
    main_woken: AtomicBool,
    unparker: U,
}

#[derive(Debug, Default)]
struct Inbox {
    woken: Vec<TaskId>,
    /// `Send` tasks of [`spawn_on`](crate::spawn_on), scheduled to run here.
    runnables: Vec<Runnable>,
    /// Set when the runtime is gone: later wakes are ignored.
    closed: bool,
}

impl<U: Unpark> Remote<U> {
    pub(crate) fn new(id: u64, unparker: U) -> Remote<U> {
        Remote {
            id,
            inbox: Mutex::new(Inbox::default()),
            pending: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            unparker,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Schedules task `id` from any thread.
    pub(crate) fn push(&self, id: TaskId) {
        self.deliver(|inbox| inbox.woken.push(id));
    }

    /// Schedules a `Send` task to be polled on this runtime, from any
    /// thread. Dropped (which cancels it) if the runtime is gone.
    pub(crate) fn push_runnable(&self, runnable: Runnable) {
        // A refused runnable is dropped after the lock is released: dropping
        // it cancels its task, which may wake (and lock) again.
        let mut refused = Some(runnable);
        self.deliver(|inbox| inbox.runnables.extend(refused.take()));
        drop(refused);
    }

    /// Puts work in the inbox (unless the runtime is gone), then raises
    /// `pending` and interrupts a parked ring: the remote half of the park
    /// protocol, shared by every kind of delivery.
    fn deliver(&self, put: impl FnOnce(&mut Inbox)) {
        {
            let mut inbox = self.lock();
            if inbox.closed {
                return;
            }
            put(&mut inbox);
        }
        self.pending.store(true, Release);
        self.notify();
    }

    /// Marks the `block_on` future woken from its home thread (a task-token
    /// wake). A read-modify-write, not a store: a remote `wake_main` just
    /// before it may have released writes the future's next poll must see,
    /// and only an RMW keeps that release sequence, so `take_main_woken`
    /// still synchronizes with the remote wake.
    #[inline]
    pub(crate) fn wake_main_here(&self) {
        self.main_woken.swap(true, Relaxed);
    }

    /// Marks the `block_on` future woken from any thread; the first wake
    /// since its last poll interrupts a parked ring (the same Dekker pair as
    /// `pending`: this swaps `main_woken` then `parked`, the parking thread
    /// stores `parked` then loads `main_woken`).
    pub(crate) fn wake_main(&self) {
        if !self.main_woken.swap(true, AcqRel) {
            self.notify();
        }
    }

    /// Takes the `block_on` future's woken flag.
    #[inline]
    pub(crate) fn take_main_woken(&self) -> bool {
        self.main_woken.swap(false, AcqRel)
    }

    /// Whether the `block_on` future was woken since its last poll.
    #[inline]
    pub(crate) fn is_main_woken(&self) -> bool {
        self.main_woken.load(Acquire)
    }

    /// Interrupts the ring if it is parked. Called after a store that the
    /// parking thread checks (`pending`, `main_woken`): the fence orders it
    /// before the load of `parked`.
    pub(crate) fn notify(&self) {
        fence(SeqCst);
        if self.parked.swap(false, AcqRel) {
            self.unparker.unpark();
        }
    }

    /// Whether a wake from another thread may be waiting (a plain load: a
    /// wake racing with it is seen by the next check, or ends the park).
    #[inline]
    pub(crate) fn has_pending(&self) -> bool {
        self.pending.load(Relaxed)
    }

    /// Moves every woken id into `out` and every scheduled runnable into
    /// `runnables` (home thread only).
    pub(crate) fn drain_into(&self, out: &mut Vec<TaskId>, runnables: &mut Vec<Runnable>) {
        // The plain load keeps the common, empty case free of a locked RMW.
        if self.has_pending() && self.pending.swap(false, AcqRel) {
            let mut inbox = self.lock();
            out.append(&mut inbox.woken);
            runnables.append(&mut inbox.runnables);
        }
    }

    /// Announces that the ring is about to park; returns `false` (and cancels
    /// the announcement) if work arrived in the meantime.
    pub(crate) fn prepare_park(&self) -> bool {
        self.parked.store(true, Relaxed);
        // Orders the store before the loads of `pending` here and of
        // `main_woken` after this returns.
        fence(SeqCst);
        if self.pending.load(Acquire) {
            self.parked.store(false, Relaxed);
            return false;
        }
        true
    }

    /// The ring is awake again.
    pub(crate) fn unpark_done(&self) {
        self.parked.store(false, Relaxed);
    }

    /// Closes the inbox: the runtime is gone.
    pub(crate) fn close(&self) {
        let runnables = {
            let mut inbox = self.lock();
            inbox.closed = true;
            inbox.woken.clear();
            std::mem::take(&mut inbox.runnables)
        };
        // Dropped outside the lock: dropping a runnable cancels its task,
        // which may wake (and lock) again.
        drop(runnables);
    }
}

/// The park protocol under loom (`RUSTFLAGS="--cfg ringio_loom" cargo test --lib
/// loom`): the home thread runs the runtime's loop (drain the inbox, take
/// the main flag, announce the park, wait), another thread delivers, and a
/// lost wake leaves the home thread waiting forever, which loom reports.
/// The models:
///
/// - a task woken from another thread (`push`);
/// - the `block_on` future woken from another thread (`wake_main`);
/// - a wake racing the close: taken or refused, never half;
/// - a [`spawn_on`](crate::spawn_on) delivery: another thread creates a
///   task and sends its `Runnable` (`push_runnable`), the home thread runs
///   it and the task's output arrives;
/// - a cross-thread join handle (what `spawn_blocking`'s is): the home
///   thread awaits an `async_task::Task` whose `Runnable` runs on another
///   thread, with a waker that pushes the awaiting task's id.
///
/// In the last two, async-task's own state is std atomics, which loom
/// neither sees nor reorders (it runs every thread as a coroutine of one):
/// the future's poll, the task completing, its awaiter's waker taken, the
/// handle's poll each run whole between two of loom's steps, and whether
/// they are right is async-task's to check, not these models'. What loom
/// explores is every interleaving of those steps with the protocol's (the
/// inbox's lock, `pending`, `parked`, the eventfd): the task's waker
/// firing on the other thread against the home thread's park. Loom orders
/// only what it sees, so the join's job stores a loom flag as its last
/// step; without it loom would never run the job before the handle's
/// first poll. With it, both come out: ready at the first poll, or
/// pending, then woken.
///
/// One waker per model: loom 0.7 reports executions that the C11 model
/// forbids once two threads each store, fence and swap against a home
/// thread that announces two parks (an RMW after a `SeqCst` fence reads a
/// value older than the last in modification order; a twelve-line litmus
/// of the bare atomics shows it), so models with two wakers fail on
/// loom's account, not the protocol's.
#[cfg(all(test, ringio_loom))]
mod loom_tests {
    use super::{Remote, Unpark};
    use async_task::Runnable;
    use futures_util::FutureExt;
    use loom::sync::atomic::AtomicBool;
    use loom::sync::{Arc, Condvar, Mutex};
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::Ordering::{Acquire, Release};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Wake, Waker};

    /// An eventfd: unparks add up until a wait takes them.
    #[derive(Debug, Default)]
    struct EventFd {
        count: Mutex<u32>,
        readable: Condvar,
    }

    impl Unpark for Arc<EventFd> {
        fn unpark(&self) {
            *self.count.lock().unwrap() += 1;
            self.readable.notify_one();
        }
    }

    impl EventFd {
        fn wait(&self) {
            let mut count = self.count.lock().unwrap();
            while *count == 0 {
                count = self.readable.wait(count).unwrap();
            }
            *count = 0;
        }
    }

    /// Interleavings explored, over every model of this module.
    static EXPLORED: AtomicUsize = AtomicUsize::new(0);

    fn model(f: impl Fn() + Sync + Send + 'static) {
        loom::model(move || {
            EXPLORED.fetch_add(1, Ordering::Relaxed);
            f();
        });
        println!(
            "loom: {} interleavings explored so far",
            EXPLORED.load(Ordering::Relaxed)
        );
    }

    /// What the home thread's loop took from the inbox.
    #[derive(Debug, Default)]
    struct Taken {
        ids: Vec<u64>,
        runnables: Vec<Runnable>,
        main: bool,
    }

    /// The home thread's loop until `done` says it has what it waits for.
    fn run_home(
        remote: &Remote<Arc<EventFd>>,
        eventfd: &EventFd,
        mut done: impl FnMut(&Taken) -> bool,
    ) -> Taken {
        let mut taken = Taken::default();
        loop {
            remote.drain_into(&mut taken.ids, &mut taken.runnables);
            taken.main |= remote.take_main_woken();
            if done(&taken) {
                return taken;
            }
            // As `Runtime::run_main`: park only when nothing is pending
            // and the main future was not woken.
            if remote.prepare_park() && !remote.is_main_woken() {
                eventfd.wait();
            }
            remote.unpark_done();
        }
    }

    fn remote() -> (Arc<Remote<Arc<EventFd>>>, Arc<EventFd>) {
        let eventfd = Arc::new(EventFd::default());
        (Arc::new(Remote::new(1, eventfd.clone())), eventfd)
    }

    /// The schedule function of a task that is never woken: its future is
    /// ready at its first poll, so only the `Runnable` `spawn` returns runs.
    fn never_woken(_: Runnable) {
        panic!("the task was woken, yet its future never waits");
    }

    #[test]
    fn a_task_woken_from_another_thread_is_never_lost() {
        model(|| {
            let (remote, eventfd) = remote();
            let waker = {
                let remote = remote.clone();
                loom::thread::spawn(move || remote.push(7))
            };
            let taken = run_home(&remote, &eventfd, |taken| !taken.ids.is_empty());
            waker.join().unwrap();
            assert_eq!(taken.ids, [7]);
        });
    }

    #[test]
    fn a_main_wake_from_another_thread_is_never_lost() {
        model(|| {
            let (remote, eventfd) = remote();
            let waker = {
                let remote = remote.clone();
                loom::thread::spawn(move || remote.wake_main())
            };
            let taken = run_home(&remote, &eventfd, |taken| taken.main);
            waker.join().unwrap();
            assert!(taken.main);
        });
    }

    #[test]
    fn a_wake_racing_the_close_is_taken_or_refused_never_half() {
        model(|| {
            let (remote, _eventfd) = remote();
            let waker = {
                let remote = remote.clone();
                loom::thread::spawn(move || remote.push(9))
            };
            remote.close();
            waker.join().unwrap();
            // Closed: whatever came before was cleared, later wakes refused.
            let (mut ids, mut runnables) = (Vec::new(), Vec::new());
            remote.drain_into(&mut ids, &mut runnables);
            assert!(ids.is_empty(), "{ids:?}");
        });
    }

    #[test]
    fn a_runnable_sent_from_another_thread_is_run_here() {
        model(|| {
            let (remote, eventfd) = remote();
            // As `spawn_on`: the task is made on the sending thread, its
            // `Runnable` delivered to the runtime's inbox.
            let sender = {
                let remote = remote.clone();
                loom::thread::spawn(move || {
                    let (runnable, task) = async_task::spawn(async { 5 }, never_woken);
                    remote.push_runnable(runnable);
                    task
                })
            };
            let taken = run_home(&remote, &eventfd, |taken| !taken.runnables.is_empty());
            assert!(taken.ids.is_empty() && !taken.main, "{taken:?}");
            assert_eq!(taken.runnables.len(), 1);
            for runnable in taken.runnables {
                // Ready at its first poll: it does not reschedule itself.
                assert!(!runnable.run());
            }
            let task = sender.join().unwrap();
            assert_eq!(task.now_or_never(), Some(5));
        });
    }

    /// The waker of the task awaiting a join handle: a wake from any thread
    /// pushes its id, as a task's waker does.
    struct PushId {
        remote: Arc<Remote<Arc<EventFd>>>,
        /// Wakes made, from any thread.
        wakes: AtomicUsize,
    }

    /// The id of the task awaiting the join handle.
    const AWAITING: u64 = 3;

    impl Wake for PushId {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.wakes.fetch_add(1, Ordering::Relaxed);
            self.remote.push(AWAITING);
        }
    }

    #[test]
    fn a_join_handle_completed_on_another_thread_is_never_lost() {
        model(|| {
            let (remote, eventfd) = remote();
            // As `spawn_blocking`: the task is made here, its `Runnable`
            // run on another thread, its `Task` awaited here. `finished`,
            // the job's last step, is its completion as loom sees it: without
            // it the job would hold none of loom's steps, and loom would
            // never run it before the handle's first poll.
            let finished = Arc::new(AtomicBool::new(false));
            let job = {
                let finished = finished.clone();
                async move {
                    finished.store(true, Release);
                    11
                }
            };
            let (runnable, mut task) = async_task::spawn(job, never_woken);
            let worker = loom::thread::spawn(move || {
                assert!(!runnable.run());
            });
            let push_id = std::sync::Arc::new(PushId {
                remote: remote.clone(),
                wakes: AtomicUsize::new(0),
            });
            let waker = Waker::from(push_id.clone());
            let mut cx = Context::from_waker(&waker);
            let mut woken = 0;
            let output = loop {
                // The job's future returns, and the task completes, between
                // two of loom's steps: seen finished, the task is ready.
                let was_finished = finished.load(Acquire);
                match Pin::new(&mut task).poll(&mut cx) {
                    Poll::Ready(output) => break output,
                    Poll::Pending => assert!(!was_finished),
                }
                // Pending: the awaiting task waits for its id, as the
                // runtime's loop does between two polls of it.
                let taken = run_home(&remote, &eventfd, |taken| !taken.ids.is_empty());
                assert_eq!(taken.ids, [AWAITING]);
                assert!(taken.runnables.is_empty() && !taken.main, "{taken:?}");
                woken += 1;
            };
            assert_eq!(output, 11);
            worker.join().unwrap();
            // Every wake made was taken, and none after the output.
            let (mut ids, mut runnables) = (Vec::new(), Vec::new());
            remote.drain_into(&mut ids, &mut runnables);
            assert!(ids.is_empty() && runnables.is_empty(), "{ids:?}");
            assert!(woken <= 1, "{woken} wakes");
            assert_eq!(push_id.wakes.load(Ordering::Relaxed), woken);
        });
    }
}
