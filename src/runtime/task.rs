//! A task's future and, once it finished, its output: one allocation per task
//! (reused for the next task of the same type, see [`SpareCells`]).
//!
//! [`Task`] erases the future's type so the executor can keep every task in
//! one table; [`Task::take_output`] gives the typed output back to the
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

    /// Hands a joined cell (output taken) to `spares`, for the next task
    /// of the same future type (typed again here, behind the vtable).
    fn into_spare(self: Pin<Box<Self>>, spares: &mut SpareCells);
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
    F: 'static,
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

    fn into_spare(self: Pin<Box<Self>>, spares: &mut SpareCells) {
        spares.keep(self);
    }

    fn take_output(self: Pin<&mut Self>, out: &mut dyn Any) {
        if let CellProj::Done { output } = self.project() {
            if let Some(out) = out.downcast_mut::<Option<TaskOutput<F::Output>>>() {
                *out = output.take();
            }
        }
    }
}

/// At most this many spare cells are kept...
const SPARE_CELLS: usize = 1024;
/// ...of at most this size each (256 KiB in all at most).
const SPARE_CELL_MAX_BYTES: usize = 256;

/// Cells of joined tasks, kept for the next tasks of the same future type.
///
/// Spawning the same kind of task over and over (a server's connection
/// handler, a batch of jobs) then costs no allocator call. (A freed cell
/// goes back to glibc's per-size lists; past their small cache of 7 chunks,
/// each free and malloc takes a path of about 100 instructions.)
///
/// One future type at a time: the spares follow the first type joined and
/// switch only once they ran out. A cell stays pinned throughout: it is
/// re-armed in place (`Pin::set`), never moved. Only emptied cells (output
/// taken) are kept, so dropping or re-arming one runs no user code.
#[derive(Default)]
pub(crate) struct SpareCells {
    /// A `Vec<Pin<Box<TaskCell<F>>>>`, for one `F`.
    cells: Option<Box<dyn Any>>,
    /// How many cells it holds.
    len: usize,
}

impl SpareCells {
    /// A cell holding `future`: a spare one if there is one of its type.
    #[inline]
    pub(crate) fn cell_for<F>(&mut self, future: F) -> Pin<Box<TaskCell<F>>>
    where
        F: Future + 'static,
    {
        let spare = self
            .cells
            .as_mut()
            .and_then(|cells| cells.downcast_mut::<Vec<Pin<Box<TaskCell<F>>>>>())
            .and_then(Vec::pop);
        match spare {
            Some(mut cell) => {
                self.len -= 1;
                // Drops the joined cell's remains in place.
                cell.set(TaskCell::new(future));
                cell
            }
            // Allocated first, the future written into it: not built on the
            // stack and copied.
            None => Box::into_pin(Box::write(Box::new_uninit(), TaskCell::new(future))),
        }
    }

    fn keep<F>(&mut self, cell: Pin<Box<TaskCell<F>>>)
    where
        F: Future + 'static,
    {
        if size_of::<TaskCell<F>>() > SPARE_CELL_MAX_BYTES {
            return;
        }
        let cells = self
            .cells
            .as_mut()
            .and_then(|cells| cells.downcast_mut::<Vec<Pin<Box<TaskCell<F>>>>>());
        match cells {
            Some(cells) if cells.len() < SPARE_CELLS => {
                cells.push(cell);
                self.len += 1;
            }
            Some(_full) => {}
            // Spares of another type, none left: switch to this one. (The
            // vector grows as cells come back: a switch between two task
            // types that take turns costs one small allocation, not a
            // thousand-cell one.)
            None if self.len == 0 => {
                let cells = vec![cell];
                self.cells = Some(Box::new(cells));
                self.len = 1;
            }
            None => {}
        }
    }

    pub(crate) fn clear(&mut self) {
        self.cells = None;
        self.len = 0;
    }
}
