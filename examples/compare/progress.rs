//! Progress on stderr: which workload, which round, and a bar over all of
//! the planned measurements.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Counts measurements against the plan and redraws one stderr line.
pub struct Progress {
    planned: usize,
    done: usize,
    started: Instant,
    enabled: bool,
    /// stderr is a terminal: redraw one line; otherwise print a line per
    /// workload.
    tty: bool,
    last_workload: String,
}

impl Progress {
    /// `planned` measurements in all; `enabled: false` keeps stderr quiet.
    pub fn new(planned: usize, enabled: bool) -> Progress {
        Progress {
            planned: planned.max(1),
            done: 0,
            started: Instant::now(),
            enabled,
            tty: std::io::stderr().is_terminal(),
            last_workload: String::new(),
        }
    }

    /// One more measurement starts.
    pub fn tick(&mut self, workload: &str, round: usize, rounds: usize, who: &str) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        if !self.tty {
            if self.last_workload != workload {
                self.last_workload = workload.to_string();
                eprintln!(
                    "[{:>3}% {:>4.0}s] {workload}",
                    100 * self.done.min(self.planned) / self.planned,
                    self.started.elapsed().as_secs_f64()
                );
            }
            return;
        }
        let width = 30;
        let filled = (self.done.min(self.planned) * width) / self.planned;
        let line = format!(
            "[{}{}] {:>3}% {:>4.0}s  {workload}, round {}/{rounds}, {who}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            100 * self.done.min(self.planned) / self.planned,
            self.started.elapsed().as_secs_f64(),
            round + 1,
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// A message on its own line.
    pub fn note(&mut self, message: &str) {
        if self.enabled {
            let clear = if self.tty { "\r\x1b[2K" } else { "" };
            eprintln!("{clear}{message}");
        }
    }

    /// Ends the bar's line.
    pub fn finish(&mut self) {
        if self.enabled {
            let clear = if self.tty { "\r\x1b[2K" } else { "" };
            eprintln!(
                "{clear}done: {} measurements in {:.1} s",
                self.done,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}
