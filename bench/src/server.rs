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

/// Runs `vistka import FILE` and returns how long it took.
pub fn import(database_url: &str, file: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = Command::new(binary()?)
        .arg("import")
        .arg(file)
        .env("DATABASE_URL", database_url)
        .status()
        .context("run vistka import")?;
    if !status.success() {
        bail!("vistka import failed");
    }
    Ok(started.elapsed())
}

/// A running `vistka serve`, stopped when dropped.
#[derive(Debug)]
pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    pub fn start(database_url: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(binary()?)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("VISTKA_ADDR", "127.0.0.1:0")
            .env("VISTKA_LOG", "info")
            .env("NO_COLOR", "1")
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
