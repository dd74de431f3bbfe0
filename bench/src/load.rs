//! Load from a real load generator, `oha`, installed from the Rust package registry when
//! absent.

use std::{path::PathBuf, process::Command, time::Duration};

use anyhow::{Context, bail};
use serde_json::Value;

const OHA_VERSION: &str = "1.16.0";

/// What one run of load measured.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub requests_per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub bytes_per_response: f64,
    /// CPU time the server spent per answer, all its threads counted: unlike requests a
    /// second, it does not move with what else the machine's cores are doing.
    pub cpu_per_response: Duration,
}

/// What to ask for.
#[derive(Clone, Debug)]
pub enum Target {
    /// The same JSON body POSTed every time.
    Post { url: String, body: String },
    /// GET URLs, one line of `file` drawn at random for each request.
    Urls { file: PathBuf },
}

/// `oha` on the PATH or in cargo's bin directory, installed there if missing.
pub fn oha() -> anyhow::Result<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .context("no home directory")?
        .join("bin")
        .join("oha");
    let installed = |path: &PathBuf| {
        Command::new(path)
            .arg("--version")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(OHA_VERSION))
    };
    if installed(&cargo_bin) {
        return Ok(cargo_bin);
    }
    eprintln!("installing oha {OHA_VERSION} from the Rust package registry (a few minutes)");
    let status = Command::new("cargo")
        .args(["install", "oha", "--locked", "--version", OHA_VERSION])
        .status()
        .context("run cargo install")?;
    if !status.success() || !installed(&cargo_bin) {
        bail!("cannot install oha {OHA_VERSION}");
    }
    Ok(cargo_bin)
}

/// Runs `connections` connections against `target`, served by process `server`: `warm_up`
/// first (if any), unmeasured, then `duration` measured.
pub fn run(
    target: &Target,
    server: u32,
    connections: u32,
    warm_up: Duration,
    duration: Duration,
) -> anyhow::Result<Load> {
    let oha = oha()?;
    let measure = |length: Duration| -> anyhow::Result<Value> {
        let mut command = Command::new(&oha);
        command.args([
            "--no-tui",
            "--disable-compression",
            "--output-format",
            "json",
            "-c",
            &connections.to_string(),
            "-z",
            &format!("{}ms", length.as_millis()),
        ]);
        match target {
            Target::Post { url, body } => {
                command.args(["-m", "POST", "-T", "application/json", "-d", body, url]);
            }
            Target::Urls { file } => {
                command.arg("--urls-from-file").arg(file);
            }
        }
        let output = command.output().context("run oha")?;
        if !output.status.success() {
            bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    };
    if !warm_up.is_zero() {
        measure(warm_up)?;
    }
    let cpu_before = cpu_time(server)?;
    let report = measure(duration)?;
    let cpu = cpu_time(server)?.saturating_sub(cpu_before);
    let codes = &report["statusCodeDistribution"];
    let ok = codes["200"].as_u64().unwrap_or(0);
    let total: u64 = codes
        .as_object()
        .map_or(0, |c| c.values().filter_map(Value::as_u64).sum());
    if ok == 0 || ok != total {
        bail!("not every answer was 200: {codes}");
    }
    let seconds = |value: &Value| Duration::from_secs_f64(value.as_f64().unwrap_or(0.0));
    Ok(Load {
        requests_per_second: report["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        p50: seconds(&report["latencyPercentiles"]["p50"]),
        p99: seconds(&report["latencyPercentiles"]["p99"]),
        bytes_per_response: report["summary"]["sizePerRequest"].as_f64().unwrap_or(0.0),
        cpu_per_response: cpu / u32::try_from(total).unwrap_or(u32::MAX),
    })
}

/// The CPU time process `pid` has used so far, user and system, all threads: fields 14 and 15
/// of `/proc/<pid>/stat`, in the kernel's fixed user-visible tick of 1/100 s (`USER_HZ`).
fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name, in parentheses, may hold spaces: count fields after its end.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("a process status line")?
        .1
        .split_whitespace()
        .collect();
    let ticks = |index: usize| -> anyhow::Result<u64> {
        Ok(fields.get(index).context("a CPU time field")?.parse()?)
    };
    // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
    Ok(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}
