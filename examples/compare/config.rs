//! Command-line options of the compare example.

use std::path::PathBuf;
use std::time::Duration;

/// The workload groups, in the order they run.
pub const GROUPS: [&str; 6] = ["echo", "pool", "http", "fs", "serve", "runtime"];

/// `--driver`: which ringio driver the ringio rows run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverChoice {
    /// The default: the ringio rows on `DriverKind::Auto` (io_uring where it
    /// works), and each workload's one more row, "ringio (epoll fallback)":
    /// the same ringio side on the epoll driver.
    Both,
    /// The ringio rows on io_uring only (`DriverKind::IoUring`: the run
    /// fails where io_uring is unavailable), no epoll rows.
    IoUring,
    /// Every ringio row on the epoll driver.
    Epoll,
}

impl DriverChoice {
    /// The option's value, as the JSON's top-level `driver` says it.
    pub fn name(self) -> &'static str {
        match self {
            DriverChoice::Both => "both",
            DriverChoice::IoUring => "io_uring",
            DriverChoice::Epoll => "epoll",
        }
    }

    fn parse(value: &str) -> Result<DriverChoice, String> {
        match value {
            "both" => Ok(DriverChoice::Both),
            "io_uring" | "io-uring" | "iouring" => Ok(DriverChoice::IoUring),
            "epoll" => Ok(DriverChoice::Epoll),
            other => Err(format!(
                "--driver: {other:?} is not one of epoll, io_uring, both"
            )),
        }
    }
}

/// What to run and how long.
#[derive(Debug, Clone)]
pub struct Config {
    /// A/B rounds per workload (median reported).
    pub rounds: usize,
    /// Length of one network measurement.
    pub duration: Duration,
    /// Length of one file or runtime measurement.
    pub short_duration: Duration,
    /// Workload groups to run (see [`GROUPS`]).
    pub only: Vec<String>,
    /// Echo cells: connections × message size.
    pub echo_cells: Vec<(usize, usize)>,
    /// Whether `--connections`/`--size` chose the cells.
    pub custom_cells: bool,
    /// Connection counts of the single-thread HTTP workloads.
    pub http_connections: Vec<usize>,
    /// Connections of the 2-thread HTTP workload.
    pub http_pool_connections: usize,
    /// Size of the test file for the file workloads.
    pub file_len: u64,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
    /// `--svg FILE`.
    pub svg: Option<PathBuf>,
    /// Whether `--quick` was given.
    pub quick: bool,
    /// Round trips of the wake ping-pong.
    pub ping_pongs: u64,
    /// Sleeping tasks in the timer workload.
    pub timers: u64,
    /// `--driver`: the ringio rows' driver, and whether epoll rows are added.
    pub driver: DriverChoice,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rounds: 3,
            duration: Duration::from_millis(1500),
            short_duration: Duration::from_millis(250),
            only: GROUPS.iter().map(|g| g.to_string()).collect(),
            echo_cells: vec![(64, 64), (64, 1024), (256, 16 * 1024)],
            custom_cells: false,
            http_connections: vec![16, 64, 256],
            http_pool_connections: 256,
            file_len: 256 << 20,
            json: None,
            svg: None,
            quick: false,
            ping_pongs: 500_000,
            timers: 50_000,
            driver: DriverChoice::Both,
        }
    }
}

impl Config {
    /// The `--quick` preset: one round, short runs, a smaller file.
    pub fn quick() -> Config {
        Config {
            rounds: 1,
            duration: Duration::from_millis(400),
            short_duration: Duration::from_millis(80),
            echo_cells: vec![(64, 64), (64, 1024)],
            http_connections: vec![64],
            file_len: 64 << 20,
            quick: true,
            ping_pongs: 100_000,
            timers: 20_000,
            ..Config::default()
        }
    }

    /// Whether the group `name` was selected.
    pub fn runs(&self, name: &str) -> bool {
        self.only.iter().any(|g| g == name)
    }

    /// Parses the command line (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
        let args: Vec<String> = args.into_iter().collect();
        let mut config = if args.iter().any(|a| a == "--quick") {
            Config::quick()
        } else {
            Config::default()
        };
        let mut connections: Option<Vec<usize>> = None;
        let mut sizes: Option<Vec<usize>> = None;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--quick" => {}
                "--duration" => {
                    let secs: f64 = number(&value("--duration")?, "--duration")?;
                    if !(secs > 0.0 && secs < 3600.0) {
                        return Err("--duration must be between 0 and 3600 seconds".into());
                    }
                    config.duration = Duration::from_secs_f64(secs);
                    config.short_duration = Duration::from_secs_f64(secs / 4.0);
                }
                "--rounds" => {
                    config.rounds = number::<usize>(&value("--rounds")?, "--rounds")?.max(1)
                }
                "--only" => {
                    let only: Vec<String> = value("--only")?
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .collect();
                    if let Some(bad) = only.iter().find(|g| !GROUPS.contains(&g.as_str())) {
                        return Err(format!(
                            "--only: unknown workload {bad:?} (known: {})",
                            GROUPS.join(",")
                        ));
                    }
                    config.only = only;
                }
                "--connections" => {
                    connections = Some(list(&value("--connections")?, "--connections")?)
                }
                "--size" => sizes = Some(list(&value("--size")?, "--size")?),
                "--json" => config.json = Some(value("--json")?.into()),
                "--svg" => config.svg = Some(value("--svg")?.into()),
                "--driver" => config.driver = DriverChoice::parse(&value("--driver")?)?,
                "--help" | "-h" => return Err(String::new()),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if let Some(connections) = &connections {
            config.http_connections = connections.clone();
            config.http_pool_connections = connections[0];
        }
        if connections.is_some() || sizes.is_some() {
            let connections = connections.unwrap_or_else(|| vec![64]);
            let sizes = sizes.unwrap_or_else(|| vec![64]);
            config.custom_cells = true;
            config.echo_cells = connections
                .iter()
                .flat_map(|&c| sizes.iter().map(move |&s| (c, s)))
                .collect();
        }
        Ok(config)
    }
}

fn number<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name}: {text:?} is not a number"))
}

fn list(text: &str, name: &str) -> Result<Vec<usize>, String> {
    let values = text
        .split(',')
        .map(|v| number::<usize>(v.trim(), name))
        .collect::<Result<Vec<_>, _>>()?;
    if values.contains(&0) {
        return Err(format!("{name}: values must be positive"));
    }
    Ok(values)
}

/// The usage text.
pub const USAGE: &str = "\
usage: compare [--quick] [--duration SECS] [--rounds N] [--only GROUPS]
               [--connections N[,N..]] [--size BYTES[,BYTES..]]
               [--driver epoll|io_uring|both] [--json FILE] [--svg FILE]

Runs each workload on ringio and on tokio (epoll) in this process, A/B/A/B,
and prints a Markdown table of medians (min-max) and ringio/tokio ratios.
GROUPS: echo,pool,http,fs,serve,runtime (default: all).
--connections also sets the HTTP workloads' connection counts (the 2-thread
HTTP workload takes the first).
--driver: the ringio driver of the ringio rows. both (default): io_uring
(Auto: epoll where io_uring does not work), and one more row per workload,
\"ringio (epoll fallback)\", ringio on its epoll driver, its ratio over the
workload's first baseline (tokio where there is one); io_uring: io_uring
only, no epoll rows (fails where io_uring is unavailable); epoll: every
ringio row on the epoll driver. The load generators stay on Auto.";
