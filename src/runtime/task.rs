//! A task's future and, once it finished, its output: one allocation per task.
//!
//! [`Task`] erases the future's type so the executor can keep every task in
//! one slab; [`Task::take_output`] gives the typed output back to the
//! `JoinHandle` through `Any`. Panics are caught here, at the poll boundary.

use super::join::{Panic, TaskOutput};
use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// What the executor needs of a task, whatever its future's type.
pub(crate) trait Task {
    /// Polls the future; on completion (or panic) stores the output.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// Moves the output into `out`, an `&mut Option<TaskOutput<T>>`.
    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any);
}

pin_project_lite::pin_project! {
    /// The one allocation behind a task.
    #[project = CellProj]
    pub(crate) enum TaskCell<F: Future> {
        Running { #[pin] future: F },
        Done { output: Option<TaskOutput<F::Output>> },
    }
}

impl<F: Future> TaskCell<F> {
    pub(crate) fn new(future: F) -> TaskCell<F> {
        TaskCell::Running { future }
    }

    fn finish(mut self: Pin<&mut Self>, output: Result<F::Output, Panic>) {
        // Replacing the variant drops the future in place, which `Pin` allows.
        self.set(TaskCell::Done {
            output: Some(output),
        });
    }
}

impl<F> Task for TaskCell<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let CellProj::Running { future } = self.as_mut().project() else {
            return Poll::Ready(());
        };
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                self.finish(Ok(value));
                Poll::Ready(())
            }
            Err(panic) => {
                self.finish(Err(panic));
                Poll::Ready(())
            }
        }
    }

    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any) {
        if let CellProj::Done { output } = self.project() {
            if let Some(out) = out.downcast_mut::<Option<TaskOutput<F::Output>>>() {
                *out = output.take();
            }
        }
    }
}
