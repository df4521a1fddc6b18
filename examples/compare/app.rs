//! The compare logic, shared by the example's `main` and its test: run the
//! selected workload groups, A/B/A/B, and collect the results.

#[path = "config.rs"]
pub mod config;
#[path = "echo.rs"]
mod echo;
#[path = "files.rs"]
mod files;
#[path = "http.rs"]
mod http;
#[path = "http_client.rs"]
mod http_client;
#[path = "http_server.rs"]
mod http_server;
#[path = "overhead.rs"]
mod overhead;
#[path = "progress.rs"]
pub mod progress;
#[path = "results.rs"]
pub mod results;
#[path = "serve.rs"]
mod serve;
#[path = "svg.rs"]
pub mod svg;
#[path = "wrk.rs"]
mod wrk;

use config::Config;
use progress::Progress;
use results::{Contender, Machine, Results, Workload};
use std::io;

/// What a workload needs while it runs: the options and the progress bar.
pub struct Run<'a> {
    /// The options.
    pub config: &'a Config,
    /// Progress on stderr.
    pub progress: &'a mut Progress,
}

impl Run<'_> {
    /// Runs one A/B workload with progress.
    pub fn ab(
        &mut self,
        group: &str,
        name: &str,
        unit: &str,
        contenders: Vec<Contender<'_>>,
    ) -> io::Result<Workload> {
        let rounds = self.config.rounds;
        let progress = &mut *self.progress;
        let label = format!("{group}: {name}");
        results::ab(group, name, unit, rounds, contenders, &mut |round, who| {
            progress.tick(&label, round, rounds, who)
        })
        .map_err(|e| io::Error::new(e.kind(), format!("{label}: {e}")))
    }
}

/// How many measurements `config` plans (for the progress bar).
fn planned(config: &Config) -> usize {
    let mut n = 0;
    let clients = echo::CLIENTS.len();
    if config.runs("echo") {
        n += 2 * clients * config.echo_cells.len();
    }
    if config.runs("pool") {
        n += 2 * clients;
    }
    if config.runs("http") {
        let per_cell = if http::wrk_binary().is_some() { 6 } else { 4 };
        n += per_cell * config.http_connections.len() + 2;
    }
    if config.runs("fs") {
        n += 3 * 3 + 3 * 2 + 3;
    }
    if config.runs("serve") {
        n += 3;
    }
    if config.runs("runtime") {
        n += 3 * 2;
    }
    n * config.rounds
}

/// Runs every selected group; stderr progress when `show_progress`.
pub fn run(config: &Config, show_progress: bool) -> io::Result<Results> {
    let mut progress = Progress::new(planned(config), show_progress);
    if config.quick {
        progress.note("--quick: one round of short runs; use the default for figures to quote");
    }
    let mut workloads = Vec::new();
    {
        let mut run = Run {
            config,
            progress: &mut progress,
        };
        if config.runs("echo") {
            workloads.extend(echo::single_thread(&mut run)?);
        }
        if config.runs("pool") {
            workloads.extend(echo::thread_per_core(&mut run)?);
        }
        if config.runs("http") {
            workloads.extend(http::http(&mut run)?);
        }
        if config.runs("fs") || config.runs("serve") {
            run.progress.note(&format!(
                "writing a {} MiB test file under $TMPDIR",
                config.file_len >> 20
            ));
            let file = ringio_bench::workloads::files::TestFile::create(config.file_len)?;
            if config.runs("fs") {
                workloads.extend(files::random_reads(&mut run, &file)?);
                workloads.extend(files::sequential(&mut run, &file)?);
            }
            if config.runs("serve") {
                workloads.extend(serve::serving(&mut run, &file)?);
            }
        }
        if config.runs("runtime") {
            workloads.extend(overhead::runtime_overhead(&mut run)?);
        }
    }
    progress.finish();
    Ok(Results {
        machine: Machine::here(),
        rounds: config.rounds,
        duration_s: config.duration.as_secs_f64(),
        workloads,
    })
}
