//! The `compare` example's logic in `--quick` mode with tiny durations:
//! every workload must produce non-zero counts for every runtime, and the
//! JSON must parse with the documented fields.

#[path = "../examples/compare/app.rs"]
#[allow(dead_code)]
mod app;
mod common;

use std::time::Duration;

#[test]
fn quick_compare_measures_every_workload_and_writes_json() {
    skip_unless_uring!();
    let _serial = common::serial();
    let mut config = app::config::Config::parse(["--quick".to_string()]).unwrap();
    config.duration = Duration::from_millis(100);
    config.short_duration = Duration::from_millis(20);
    config.file_len = 8 << 20;
    config.ping_pongs = 2_000;
    config.echo_cells = vec![(8, 64)];
    let results = common::bounded(Duration::from_secs(120), move || {
        app::run(&config, false).unwrap()
    });

    let groups: Vec<&str> = results.workloads.iter().map(|w| w.group.as_str()).collect();
    for group in app::config::GROUPS {
        assert!(groups.contains(&group), "no {group} workload in {groups:?}");
    }
    for w in &results.workloads {
        assert!(
            w.rows.len() >= 2,
            "{}: ringio and at least one baseline",
            w.name
        );
        assert!(
            w.rows[0].runtime.starts_with("ringio"),
            "{}: ringio first",
            w.name
        );
        for row in &w.rows {
            assert!(
                row.ops > 0 && row.median > 0.0,
                "{} / {}: nothing measured",
                w.name,
                row.runtime
            );
            assert_eq!(row.errors, 0, "{} / {}: errors", w.name, row.runtime);
        }
    }
    assert!(results.failures().is_empty(), "{:?}", results.failures());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    serde_json::to_writer_pretty(std::fs::File::create(&path).unwrap(), &results).unwrap();
    let json: serde_json::Value =
        serde_json::from_reader(std::fs::File::open(&path).unwrap()).unwrap();
    assert!(json["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(json["machine"]["kernel"].is_string());
    assert_eq!(json["rounds"], 1);
    assert!(json["duration_s"].as_f64().unwrap() > 0.0);
    let workloads = json["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), results.workloads.len());
    assert_eq!(json["driver"], "both");
    // Auto is on io_uring here unless RINGIO_DRIVER=epoll (then a note says
    // so and there are no separate epoll rows).
    let epoll_rows = json["driver_note"].is_null();
    for w in workloads {
        let rows = w["rows"].as_array().unwrap();
        assert!(
            rows[0]["driver"].is_string(),
            "ringio's row names its driver: {w}"
        );
        for row in rows {
            assert!(
                row.get("driver").is_some() && row.get("vs").is_some(),
                "{row}"
            );
        }
        if epoll_rows {
            assert_eq!(rows[0]["driver"], "io_uring", "{w}");
            let last = rows.last().unwrap();
            assert_eq!(last["driver"], "epoll", "{w}");
            assert_eq!(last["vs"], rows[1]["runtime"], "{w}");
            assert!(last["runtime"]
                .as_str()
                .unwrap()
                .ends_with("(epoll fallback)"));
            assert!(rows[1..rows.len() - 1]
                .iter()
                .all(|r| r["driver"].is_null()));
        }
    }
    for w in workloads {
        for field in ["group", "name", "unit"] {
            assert!(w[field].is_string(), "{field} in {w}");
        }
        for row in w["rows"].as_array().unwrap() {
            for field in ["median", "min", "max", "ratio"] {
                assert!(row[field].as_f64().unwrap() > 0.0, "{field} in {row}");
            }
            assert!(row["runtime"].is_string());
            assert!(row["ops"].as_u64().unwrap() > 0);
            assert_eq!(row["errors"], 0);
            for field in [
                "cpu_us_per_op",
                "p50_us",
                "p99_us",
                "mib_per_s",
                "sqes_per_enter",
                "enters_per_op",
                "server_busy",
                "client_busy",
            ] {
                assert!(row.get(field).is_some(), "{field} missing in {row}");
            }
        }
    }
    // Every row names how its side ran; a network row names where its load
    // generator ran; an I/O workload on one thread carries its limit.
    for w in workloads {
        let group = w["group"].as_str().unwrap();
        let rows = w["rows"].as_array().unwrap();
        for row in rows {
            assert!(
                !row["pinning"].as_str().unwrap().is_empty(),
                "pinning in {row}"
            );
            let network = ["echo", "pool", "http", "serve"].contains(&group);
            assert_eq!(
                row["load_pinning"].is_string(),
                network,
                "load_pinning in {row}"
            );
        }
        let one_thread = !w["name"].as_str().unwrap().contains("threads");
        if ["echo", "http", "fs"].contains(&group) && one_thread {
            let limit = &w["limit"];
            assert!(limit["median"].as_f64().unwrap() > 0.0, "limit in {w}");
            assert!(limit["ringio_ratio"].as_f64().unwrap() > 0.0, "{w}");
            assert!(limit["pinning"].is_string(), "{w}");
            let limit_rows: Vec<_> = rows.iter().filter(|r| r["role"] == "limit").collect();
            assert_eq!(limit_rows.len(), 1, "one limit row in {w}");
            assert_eq!(limit_rows[0]["pinning"], rows[0]["pinning"], "{w}");
        } else {
            assert!(w["limit"].is_null() && w["no_limit"].is_string(), "{w}");
        }
        assert!(w["footnotes"].is_array(), "{w}");
        for row in &rows[1..] {
            let ratio = row["ratio"].as_f64().unwrap();
            let noted = w["footnotes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["runtime"] == row["runtime"]);
            assert_eq!(noted, !(1.0 / 20.0..=20.0).contains(&ratio), "{row} in {w}");
        }
    }
    for w in results.workloads.iter().filter(|w| w.group == "fs") {
        let tokio = w.rows.iter().find(|r| r.runtime == "tokio::fs");
        let unpinned = w.rows.iter().find(|r| r.runtime == "tokio::fs, unpinned");
        if let (Some(tokio), Some(unpinned)) = (tokio, unpinned) {
            assert!(tokio.pinning.contains("on core"), "{tokio:?}");
            assert!(unpinned.pinning.contains("unpinned"), "{unpinned:?}");
        }
    }

    let echo = &json["workloads"][0]["rows"];
    assert!(
        echo[0]["cpu_us_per_op"].as_f64().unwrap() > 0.0,
        "echo reports server CPU"
    );
    assert!(
        echo[0]["sqes_per_enter"].as_f64().unwrap() > 0.0,
        "ringio reports batching"
    );

    for group in ["echo", "pool"] {
        for client in ["ring client", "epoll client"] {
            let w = workloads
                .iter()
                .find(|w| w["group"] == group && w["name"].as_str().unwrap().ends_with(client))
                .unwrap_or_else(|| panic!("no {group} workload with the {client}"));
            for row in w["rows"].as_array().unwrap() {
                for field in ["cpu_us_per_op", "server_busy", "client_busy"] {
                    assert!(row[field].as_f64().unwrap() > 0.0, "{field} in {row}");
                }
            }
        }
    }

    let http = workloads
        .iter()
        .find(|w| w["group"] == "http")
        .expect("an http workload");
    for row in http["rows"].as_array().unwrap() {
        for field in ["cpu_us_per_op", "server_busy", "client_busy"] {
            assert!(row[field].as_f64().unwrap() > 0.0, "{field} in {row}");
        }
    }

    let svg = dir.path().join("ratios.svg");
    app::svg::write(&results, &svg).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("ringio"),
        "an SVG with labels"
    );
    assert!(
        !epoll_rows || text.contains("[epoll]"),
        "epoll bars labelled"
    );

    let markdown = results.markdown();
    assert!(markdown.contains("| workload | runtime |"), "{markdown}");
    assert!(
        markdown.contains("| MiB/s | busy server/client |"),
        "the echo table shows MiB/s and both busy fractions: {markdown}"
    );
    assert!(markdown.contains("epoll client"), "{markdown}");
    if epoll_rows {
        assert!(
            markdown.contains("| ringio (epoll fallback) |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("this ÷ tokio current-thread: **"),
            "{markdown}"
        );
    }
}

/// `--driver epoll`: every ringio row on the epoll driver, named so, and no
/// extra rows.
#[test]
fn driver_epoll_puts_every_ringio_row_on_epoll() {
    let _serial = common::serial();
    let args = ["--quick", "--driver", "epoll", "--only", "echo,fs,runtime"];
    let mut config = app::config::Config::parse(args.map(String::from)).unwrap();
    config.duration = Duration::from_millis(100);
    config.short_duration = Duration::from_millis(20);
    config.file_len = 8 << 20;
    config.ping_pongs = 2_000;
    config.echo_cells = vec![(8, 64)];
    let results = common::bounded(Duration::from_secs(120), move || {
        app::run(&config, false).unwrap()
    });
    assert_eq!(results.driver, "epoll");
    assert!(!results.workloads.is_empty());
    for w in &results.workloads {
        assert_eq!(w.rows[0].driver.as_deref(), Some("epoll"), "{}", w.name);
        assert!(
            w.rows[0].runtime.ends_with("(epoll fallback)"),
            "{}",
            w.name
        );
        assert!(
            w.rows.iter().all(|r| r.vs.is_none()),
            "{}: no extra rows",
            w.name
        );
        assert!(w.rows[1..].iter().all(|r| r.driver.is_none()));
        for row in &w.rows {
            assert!(
                row.ops > 0 && row.errors == 0,
                "{} / {}",
                w.name,
                row.runtime
            );
        }
    }
    assert!(results.failures().is_empty(), "{:?}", results.failures());
    assert!(results.markdown().contains("ringio's epoll driver"));
}

#[test]
fn bad_options_are_refused_clearly() {
    let parse = |args: &[&str]| app::config::Config::parse(args.iter().map(|s| s.to_string()));
    assert!(parse(&["--only", "echo,nope"])
        .unwrap_err()
        .contains("unknown workload"));
    assert!(parse(&["--duration", "-1"])
        .unwrap_err()
        .contains("--duration"));
    assert!(parse(&["--connections", "0"])
        .unwrap_err()
        .contains("positive"));
    assert!(parse(&["--frobnicate"])
        .unwrap_err()
        .contains("unknown argument"));
    let config = parse(&["--connections", "16,32", "--size", "64"]).unwrap();
    assert_eq!(config.echo_cells, vec![(16, 64), (32, 64)]);
    assert!(parse(&["--quick"]).unwrap().quick);
    use app::config::DriverChoice;
    assert!(parse(&["--driver", "kqueue"])
        .unwrap_err()
        .contains("--driver"));
    assert_eq!(parse(&[]).unwrap().driver, DriverChoice::Both);
    assert_eq!(
        parse(&["--driver", "epoll"]).unwrap().driver,
        DriverChoice::Epoll
    );
    assert_eq!(
        parse(&["--driver", "io_uring"]).unwrap().driver,
        DriverChoice::IoUring
    );
}

/// A row with a `vs` (the epoll-fallback row) gets its own rate over its
/// baseline's; the others keep ringio's over theirs.
#[test]
fn a_vs_row_is_its_rate_over_its_baseline() {
    use app::results::{ab_vs, Contender, Sample};
    let sample = |ops: u64| Sample {
        ops,
        elapsed: Duration::from_secs(1),
        ..Sample::default()
    };
    let contenders: Vec<Contender<'_>> = vec![
        ("ringio", Box::new(move || Ok(sample(300)))),
        ("tokio", Box::new(move || Ok(sample(100)))),
        ("ringio (epoll fallback)", Box::new(move || Ok(sample(150)))),
    ];
    let vs = [None, None, Some(1)];
    let w = ab_vs("g", "w", "ops/s", 3, contenders, &vs, &mut |_, _| {}).unwrap();
    assert!((w.rows[1].ratio - 3.0).abs() < 1e-9, "{:?}", w.rows[1]);
    assert!((w.rows[2].ratio - 1.5).abs() < 1e-9, "{:?}", w.rows[2]);
    assert_eq!(w.rows[2].vs.as_deref(), Some("tokio"));
    assert_eq!(w.rows[1].vs, None);
}

/// A row's ratio is the median of per-round ratios (each round's two samples
/// ran back to back), not the ratio of the two medians. The machine turns
/// fast between the rounds' two samples in round 2: the medians alone
/// would say 1×, two rounds of three say 2×.
#[test]
fn ratios_are_medians_of_paired_rounds() {
    use app::results::{ab, Contender, Sample};
    let sample = |ops: u64| Sample {
        ops,
        elapsed: Duration::from_secs(1),
        ..Sample::default()
    };
    // Slow, slow, fast for ringio; slow, fast, fast for the baseline.
    let ours = [100, 100, 200];
    let theirs = [50, 100, 100];
    let mut round_a = 0;
    let mut round_b = 0;
    let contenders: Vec<Contender<'_>> = vec![
        (
            "ringio",
            Box::new(|| {
                round_a += 1;
                Ok(sample(ours[round_a - 1]))
            }),
        ),
        (
            "tokio",
            Box::new(|| {
                round_b += 1;
                Ok(sample(theirs[round_b - 1]))
            }),
        ),
    ];
    let workload = ab("g", "w", "ops/s", 3, contenders, &mut |_, _| {}).unwrap();
    assert_eq!(workload.rows[0].median, 100.0);
    assert_eq!(workload.rows[1].median, 100.0);
    assert!(
        (workload.rows[1].ratio - 2.0).abs() < 1e-9,
        "{:?}",
        workload.rows[1]
    );
    assert!((workload.rows[0].ratio - 1.0).abs() < 1e-9);
}

/// compare runs its contenders in the shared harness's order
/// (`ringio_bench::runner`): A B, B A, A B, ..., no warm-up, and `tick`
/// sees each measured sample's round.
#[test]
fn contenders_alternate_in_the_shared_order() {
    use app::results::{ab, Contender, Sample};
    use std::cell::RefCell;
    let calls = RefCell::new(String::new());
    let take = |who: char| {
        calls.borrow_mut().push(who);
        Ok(Sample {
            ops: 1,
            elapsed: Duration::from_secs(1),
            ..Sample::default()
        })
    };
    let contenders: Vec<Contender<'_>> = vec![
        ("ringio", Box::new(|| take('A'))),
        ("tokio", Box::new(|| take('B'))),
    ];
    let mut ticks = Vec::new();
    ab("g", "w", "ops/s", 4, contenders, &mut |round, who| {
        ticks.push((round, who.to_string()))
    })
    .unwrap();
    assert_eq!(calls.into_inner(), "ABBAABBA");
    assert_eq!(ticks.len(), 8);
    assert_eq!(ticks[2], (1, "tokio".to_string()));
}

/// The footnote rule: a ratio over 20× or under 1/20 gets a footnote, with
/// the measured account where the workload has one and a line saying it
/// was not measured where it has none; the Markdown marks the ratio and
/// prints the note under the table.
#[test]
fn ratios_over_twenty_times_get_a_footnote() {
    use app::fairness::{apply_footnote_rule, differs_too_much, on, LIMIT};
    use app::results::{ab, Contender, Results, Sample};
    assert!(differs_too_much(20.5) && differs_too_much(0.04));
    assert!(!differs_too_much(20.0) && !differs_too_much(0.05) && !differs_too_much(3.0));
    let sample = |ops: u64| Sample {
        ops,
        elapsed: Duration::from_secs(1),
        ..Sample::default()
    };
    let contenders: Vec<Contender<'_>> = vec![
        ("ringio", Box::new(move || Ok(sample(3000)))),
        ("slow", Box::new(move || Ok(sample(100)))),
        ("close", Box::new(move || Ok(sample(200)))),
        ("fast", Box::new(move || Ok(sample(100_000)))),
        (LIMIT, Box::new(move || Ok(sample(3300)))),
    ];
    let mut w = ab("fs", "w", "ops/s", 1, contenders, &mut |_, _| {}).unwrap();
    let core = on("1 thread", Some(0));
    w.pin(
        &[core.clone(), core.clone(), core.clone(), core.clone(), core],
        None,
    );
    w.mark_limit("none");
    apply_footnote_rule(&mut w, &|_, row| {
        (row.runtime == "slow").then(|| "slow: a thread hop per read, 9.0 µs".to_string())
    });
    let noted: Vec<&str> = w.footnotes.iter().map(|f| f.runtime.as_str()).collect();
    assert_eq!(
        noted,
        ["slow", "fast"],
        "30× and 1/33×; not 15× nor the limit"
    );
    assert_eq!(w.footnotes[0].text, "slow: a thread hop per read, 9.0 µs");
    assert!(
        w.footnotes[1].text.contains("not measured"),
        "{:?}",
        w.footnotes[1]
    );
    let limit = w.limit.clone().unwrap();
    assert!((limit.ringio_ratio - 3000.0 / 3300.0).abs() < 1e-9);
    assert_eq!(w.rows[4].role, "limit");

    let results = Results {
        machine: app::results::Machine::here(),
        driver: "io_uring".into(),
        driver_note: None,
        rounds: 1,
        duration_s: 1.0,
        workloads: vec![w],
    };
    let markdown = results.markdown();
    assert!(markdown.contains("**30.00×** [1]"), "{markdown}");
    assert!(markdown.contains("**0.03×** [2]"), "{markdown}");
    assert!(
        markdown.contains("\n[1] slow: a thread hop per read"),
        "{markdown}"
    );
    assert!(
        markdown.contains("ringio at 0.91× the raw io_uring loop"),
        "{markdown}"
    );
    assert!(markdown.contains("| 1 thread on core 0 |"), "{markdown}");
}
