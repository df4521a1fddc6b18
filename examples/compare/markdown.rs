//! The Markdown report of a run: one table per group, each row saying how
//! its side ran (threads, pinning; the load generator's), the limit row of
//! a workload that has one, and the footnotes the 20× rule asks for under
//! the table.

use super::results::Results;
use ringio_bench::human;

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".into(), |v| format!("{v:.digits$}"))
}

impl Results {
    /// The Markdown report: one table per group.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## ringio vs tokio on this machine ({} cores, Linux {}; median of {} round(s), min–max; ratio: median of per-round ratios)\n",
            self.machine.cores, self.machine.kernel, self.rounds
        );
        out.push_str(&format!("\n{}\n", self.drivers_line()));
        if let Some((completions, max_delay)) = ringio_bench::workloads::wait_batch() {
            out.push_str(&format!(
                "\nThe ringio servers park in batches (`RINGIO_BENCH_WAIT_BATCH`: \
                 `wait_batch({completions}, {max_delay:?})`); the load generators do not.\n"
            ));
        }
        let mut group = "";
        let (mut mib, mut busy) = (true, false);
        // The footnotes of the group's table so far, printed under it.
        let mut notes: Vec<String> = Vec::new();
        for w in &self.workloads {
            if w.group != group {
                flush_footnotes(&mut out, &mut notes);
                group = &w.group;
                // A group's table has a busy column when its rows carry
                // busy fractions, and a MiB/s column when they carry MiB/s
                // or no busy fractions.
                let rows = || {
                    self.workloads
                        .iter()
                        .filter(|v| v.group == group)
                        .flat_map(|v| &v.rows)
                };
                busy = rows().any(|r| r.server_busy.is_some() || r.client_busy.is_some());
                mib = !busy || rows().any(|r| r.mib_per_s.is_some());
                let mut columns = vec![
                    "workload",
                    "runtime",
                    "runs on",
                    "rate",
                    "ringio ÷ this",
                    "server CPU µs/op",
                    "p50/p99 µs",
                ];
                columns.extend(mib.then_some("MiB/s"));
                columns.extend(busy.then_some("busy server/client"));
                columns.extend(["SQEs/enter", "enters/op", "errors"]);
                out.push_str(&format!("\n### {}\n\n", title(group)));
                out.push_str(&format!("| {} |\n", columns.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(columns.len())));
            }
            // Each footnote's number; the same text twice (two rows over one
            // baseline) is one note.
            let numbers: Vec<usize> = w
                .footnotes
                .iter()
                .map(|f| match notes.iter().position(|n| *n == f.text) {
                    Some(k) => k + 1,
                    None => {
                        notes.push(f.text.clone());
                        notes.len()
                    }
                })
                .collect();
            for (i, r) in w.rows.iter().enumerate() {
                let name = if i == 0 { w.name.as_str() } else { "" };
                let mark = w
                    .footnotes
                    .iter()
                    .position(|f| f.runtime == r.runtime)
                    .map(|k| format!(" [{}]", numbers[k]))
                    .unwrap_or_default();
                let ratio = if i == 0 {
                    "".to_string()
                } else {
                    let figure = if r.ratio_max > r.ratio_min {
                        format!(
                            "**{:.2}×** ({:.2}–{:.2})",
                            r.ratio, r.ratio_min, r.ratio_max
                        )
                    } else {
                        format!("**{:.2}×**", r.ratio)
                    };
                    match &r.vs {
                        Some(vs) => format!("this ÷ {vs}: {figure}{mark}"),
                        None => format!("{figure}{mark}"),
                    }
                };
                let lat = match (r.p50_us, r.p99_us) {
                    (Some(a), Some(b)) => format!("{a:.0}/{b:.0}"),
                    _ => "–".into(),
                };
                let runs_on = match &r.load_pinning {
                    Some(load) => format!("{}; load: {load}", r.pinning),
                    None => r.pinning.clone(),
                };
                let mut cells = vec![
                    name.to_string(),
                    r.runtime.clone(),
                    runs_on,
                    format!(
                        "{} {} ({}–{})",
                        human(r.median),
                        w.unit,
                        human(r.min),
                        human(r.max)
                    ),
                    ratio,
                    opt(r.cpu_us_per_op, 2),
                    lat,
                ];
                cells.extend(mib.then(|| opt(r.mib_per_s, 0)));
                cells.extend(
                    busy.then(|| format!("{}/{}", opt(r.server_busy, 2), opt(r.client_busy, 2))),
                );
                cells.extend([
                    opt(r.sqes_per_enter, 1),
                    opt(r.enters_per_op, 2),
                    r.errors.to_string(),
                ]);
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            let columns = 10 + usize::from(mib) + usize::from(busy);
            let limit = w
                .limit
                .as_ref()
                .map(|l| format!("ringio at {:.2}× the raw io_uring loop", l.ringio_ratio));
            for note in [w.note.clone(), limit, w.no_limit.clone()]
                .into_iter()
                .flatten()
            {
                out.push_str(&format!("| | *{note}* |{}\n", " |".repeat(columns - 2)));
            }
        }
        flush_footnotes(&mut out, &mut notes);
        out
    }

    /// The line under the title: which driver the ringio rows ran on.
    fn drivers_line(&self) -> String {
        let epoll_rows = self
            .workloads
            .iter()
            .flat_map(|w| &w.rows)
            .any(|r| r.vs.is_some());
        let first_on_epoll = self
            .workloads
            .iter()
            .any(|w| w.rows.first().and_then(|r| r.driver.as_deref()) == Some("epoll"));
        let mut line = if first_on_epoll {
            "Every ringio row runs on ringio's epoll driver (edge-triggered epoll, \
             non-blocking system calls, files on the blocking pool)"
                .to_string()
        } else {
            "ringio rows run on io_uring".to_string()
        };
        if let Some(note) = &self.driver_note {
            line.push_str(&format!(", because {note}"));
        }
        if epoll_rows {
            line.push_str(
                "; each workload's last row, \"(epoll fallback)\", is the same ringio \
                 side on ringio's epoll driver, its ratio its own rate over the first \
                 baseline's (this ÷ that), paired round by round",
            );
        }
        line.push_str(&format!(" (`--driver {}`).", self.driver));
        if first_on_epoll || epoll_rows {
            line.push_str(
                " On an epoll row, SQEs/enter and enters/op count the operations \
                 started per `epoll_wait` and the waits per operation.",
            );
        }
        line
    }
}

/// Prints `notes` as numbered footnotes under a table, and empties it.
fn flush_footnotes(out: &mut String, notes: &mut Vec<String>) {
    if !notes.is_empty() {
        out.push('\n');
        for (k, note) in notes.iter().enumerate() {
            out.push_str(&format!("[{}] {note}\n", k + 1));
        }
        notes.clear();
    }
}

/// A group's table title.
pub fn title(group: &str) -> &'static str {
    match group {
        "echo" => "TCP echo, one server thread (server on core 0, client on core 1)",
        "pool" => "TCP echo, thread-per-core vs tokio multi-thread",
        "http" => "HTTP/1.1 keep-alive hello world (one server thread on core 0, client on core 1; then 2 threads)",
        "fs" => "Files: 4 KiB random reads and sequential 128 KiB reads (every side on core 0 unless its row says unpinned)",
        "serve" => "File serving: 16 KiB and 256 KiB at a requested offset, 64 connections (server and its threads on core 0, client on core 1)",
        "runtime" => "Runtime overhead (one thread on core 0)",
        _ => "Other",
    }
}
