//! The `vistka` binary under test: built beside this one, run over a database of its own.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use wait4::Wait4;

/// The `vistka` executable next to this benchmark's, from the same build.
pub fn binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(format!("vistka{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        bail!(
            "{} is missing: build it first with `cargo build --release --workspace`",
            path.display()
        );
    }
    Ok(path)
}

/// Runs `vistka import FILE`; returns how long it took and its peak memory in bytes.
///
/// The peak is the kernel's account of the child, read as it is reaped: watching
/// `/proc/PID/status` while it runs instead slowed the import it timed by a fifth. That account
/// starts from this process's own peak at the spawn, which stays far below any import's.
pub fn import(database_url: &str, file: &Path) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let used = Command::new(binary()?)
        .arg("import")
        .arg(file)
        .env("DATABASE_URL", database_url)
        .stderr(Stdio::null())
        .spawn()
        .context("run vistka import")?
        .wait4()?;
    let took = started.elapsed();
    if !used.status.success() {
        bail!("vistka import failed");
    }
    Ok((took, used.rusage.maxrss))
}

/// The peak resident memory of a process so far (`VmHWM`), in bytes; 0 once it is gone.
pub fn peak_memory(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kilobytes * 1024)
        })
        .unwrap_or(0)
}

/// A running `vistka serve`, stopped when dropped.
#[derive(Debug)]
pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    /// Starts `vistka serve` with rate limiting off (a load generator is one client) and
    /// `env` on top, and waits until it is ready.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut child = Command::new(binary()?)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("VISTKA_ADDR", "127.0.0.1:0")
            .env("VISTKA_LOG", "info")
            .env("VISTKA_RATE_LIMIT_PER_SECOND", "0")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("start vistka serve")?;
        let stderr = child.stderr.take().context("stderr")?;
        let (found, address) = mpsc::channel();
        thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1)
                    && let Some(found) = found.take()
                {
                    found
                        .send(rest.trim().trim_end_matches("/graphql").to_owned())
                        .ok();
                }
            }
        });
        let base = address
            .recv_timeout(Duration::from_secs(300))
            .context("vistka serve did not start listening")?;
        let started = Instant::now();
        let client = reqwest::Client::new();
        while !client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            if started.elapsed() > Duration::from_secs(600) {
                bail!("vistka serve did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self { base, child })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
