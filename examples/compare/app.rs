//! The compare logic, shared by the example's `main` and its test: run the
//! selected workload groups, A/B/A/B, and collect the results.

#[path = "config.rs"]
pub mod config;
#[path = "echo.rs"]
mod echo;
#[path = "fairness.rs"]
pub mod fairness;
#[path = "files.rs"]
mod files;
#[path = "http.rs"]
mod http;
#[path = "http_client.rs"]
mod http_client;
#[path = "http_server.rs"]
mod http_server;
#[path = "markdown.rs"]
pub mod markdown;
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

use config::{Config, DriverChoice};
use progress::Progress;
use results::{Contender, Machine, Results, Workload};
use ringio_bench::workloads::{load_runtime, ringio_runtime, with_ringio_driver, DriverKind};
use std::cell::RefCell;
use std::io;

/// The ringio drivers a run measures, as `--driver` asked and as this
/// machine resolves them.
#[derive(Debug, Clone)]
pub struct Drivers {
    /// The ringio rows' setting (`ringio_bench::workloads::set_ringio_driver`).
    pub main: DriverKind,
    /// The driver it gives here: io_uring or epoll.
    pub main_resolved: DriverKind,
    /// Whether each workload gets a "(epoll fallback)" row.
    pub epoll_rows: bool,
    /// Why the ringio rows are on epoll though io_uring was not ruled out.
    pub note: Option<String>,
}

/// A driver's name in the JSON and the tables.
pub fn driver_name(kind: DriverKind) -> &'static str {
    match kind {
        DriverKind::Epoll => "epoll",
        DriverKind::IoUring => "io_uring",
        _ => "auto",
    }
}

impl Drivers {
    /// Builds a runtime of every driver `config` needs (and the load
    /// generators'), so a run fails before it starts where one cannot.
    pub fn resolve(config: &Config) -> io::Result<Drivers> {
        let main = match config.driver {
            DriverChoice::Both => DriverKind::Auto,
            DriverChoice::IoUring => DriverKind::IoUring,
            DriverChoice::Epoll => DriverKind::Epoll,
        };
        let rt = with_ringio_driver(main, ringio_runtime).map_err(|e| {
            io::Error::new(e.kind(), format!("--driver {}: {e}", config.driver.name()))
        })?;
        let main_resolved = rt.driver_kind();
        let note =
            (main == DriverKind::Auto && main_resolved == DriverKind::Epoll).then(|| {
                match rt.driver_fallback_reason() {
                    Some(why) => format!("io_uring does not work here ({why})"),
                    None => "RINGIO_DRIVER=epoll is set".to_string(),
                }
            });
        drop(rt);
        // Where Auto is on epoll already, the epoll rows would be the same.
        let epoll_rows = config.driver == DriverChoice::Both && main_resolved != DriverKind::Epoll;
        if epoll_rows {
            with_ringio_driver(DriverKind::Epoll, ringio_runtime)
                .map_err(|e| io::Error::new(e.kind(), format!("the epoll driver: {e}")))?;
        }
        load_runtime()
            .map_err(|e| io::Error::new(e.kind(), format!("the load generators' runtime: {e}")))?;
        Ok(Drivers {
            main,
            main_resolved,
            epoll_rows,
            note,
        })
    }

    /// The row name of a ringio contender named `name` on `kind`.
    fn label(name: &str, kind: DriverKind) -> String {
        if kind == DriverKind::Epoll {
            format!("{name} (epoll fallback)")
        } else {
            name.to_string()
        }
    }
}

/// What a workload needs while it runs: the options, the drivers and the
/// progress bar.
pub struct Run<'a> {
    /// The options.
    pub config: &'a Config,
    /// The ringio drivers.
    pub drivers: &'a Drivers,
    /// Progress on stderr.
    pub progress: &'a mut Progress,
}

impl Run<'_> {
    /// Runs one A/B workload with progress: `contenders[0]` is ringio's
    /// (on the run's driver setting), the rest baselines (a limit last,
    /// named [`fairness::LIMIT`]). With epoll rows, ringio's contender is
    /// measured once more per round on the epoll driver, last, its ratio
    /// over the first baseline's. `pinning` says how each contender ran,
    /// in their order, and where the load generator ran.
    pub fn ab(
        &mut self,
        group: &str,
        name: &str,
        unit: &str,
        mut contenders: Vec<Contender<'_>>,
        pinning: (&[String], Option<String>),
    ) -> io::Result<Workload> {
        assert_eq!(
            pinning.0.len(),
            contenders.len(),
            "{name}: a pinning per contender"
        );
        let rounds = self.config.rounds;
        let drivers = self.drivers;
        let progress = &mut *self.progress;
        let label = format!("{group}: {name}");
        let ringio = contenders[0].0;
        let main_label = Drivers::label(ringio, drivers.main_resolved);
        let epoll_label = Drivers::label(ringio, DriverKind::Epoll);
        let (_, take) = contenders.remove(0);
        let take = RefCell::new(take);
        let main = drivers.main;
        let mut all: Vec<Contender<'_>> = vec![(
            &main_label,
            Box::new(|| with_ringio_driver(main, || (take.borrow_mut())())),
        )];
        all.extend(contenders);
        let mut vs = Vec::new();
        if drivers.epoll_rows {
            vs = vec![None; all.len()];
            vs.push(Some(1));
            all.push((
                &epoll_label,
                Box::new(|| with_ringio_driver(DriverKind::Epoll, || (take.borrow_mut())())),
            ));
        }
        let mut w = results::ab_vs(group, name, unit, rounds, all, &vs, &mut |round, who| {
            progress.tick(&label, round, rounds, who)
        })
        .map_err(|e| io::Error::new(e.kind(), format!("{label}: {e}")))?;
        w.rows[0].driver = Some(driver_name(drivers.main_resolved).into());
        for row in w.rows.iter_mut().filter(|r| r.vs.is_some()) {
            row.driver = Some(driver_name(DriverKind::Epoll).into());
        }
        w.pin(pinning.0, pinning.1);
        Ok(w)
    }
}

/// How many measurements `config` plans (for the progress bar): each
/// workload's contenders, one more with epoll rows.
fn planned(config: &Config, epoll_rows: bool) -> usize {
    let more = usize::from(epoll_rows);
    let mut n = 0;
    let clients = ringio_bench::workloads::echo::CLIENTS.len();
    if config.runs("echo") {
        n += (3 + more) * clients * config.echo_cells.len();
    }
    if config.runs("pool") {
        n += (2 + more) * clients;
    }
    if config.runs("http") {
        let per_cell = if http::wrk_binary().is_some() { 3 } else { 2 };
        n += (3 + more) * per_cell * config.http_connections.len() + 2 + more;
    }
    if config.runs("fs") {
        n += (5 + more) * 3 + (3 + more) * 3 + (5 + more);
    }
    if config.runs("serve") {
        n += (4 + more) * 2;
    }
    if config.runs("runtime") {
        n += (2 + more) * 3;
    }
    n * config.rounds
}

/// Runs every selected group; stderr progress when `show_progress`.
pub fn run(config: &Config, show_progress: bool) -> io::Result<Results> {
    let drivers = Drivers::resolve(config)?;
    let mut progress = Progress::new(planned(config, drivers.epoll_rows), show_progress);
    if config.quick {
        progress.note("--quick: one round of short runs; use the default for figures to quote");
    }
    if let Some(note) = &drivers.note {
        progress.note(&format!(
            "ringio runs on its epoll driver: {note}; no separate epoll rows"
        ));
    }
    let mut workloads = Vec::new();
    {
        let mut run = Run {
            config,
            drivers: &drivers,
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
    for w in &mut workloads {
        if w.limit.is_none() && w.no_limit.is_none() {
            w.mark_limit(no_limit_reason(&w.group));
        }
        if w.footnotes.is_empty() {
            fairness::apply_footnote_rule(w, &|_, _| None);
        }
    }
    Ok(Results {
        machine: Machine::here(),
        driver: config.driver.name().into(),
        driver_note: drivers.note.clone(),
        rounds: config.rounds,
        duration_s: config.duration.as_secs_f64(),
        workloads,
    })
}

/// Why a workload of `group` has no limit row.
fn no_limit_reason(group: &str) -> &'static str {
    match group {
        "runtime" => "no limit row: not an I/O workload",
        "pool" | "http" => "no limit row: the raw-ring loop runs one thread",
        "serve" => "no limit row: no raw-ring file server is built",
        _ => "no limit row",
    }
}
