//! A PostgreSQL cluster of a test's own, to stop and start at will (`scripts/pg-cluster`).

use std::{path::PathBuf, process::Command};

#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: Option<u16>,
}

fn pg_cluster(args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster"))
        .args(args)
        .output()
        .expect("run scripts/pg-cluster");
    assert!(
        output.status.success(),
        "pg-cluster {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

impl Cluster {
    /// A new cluster, not yet started.
    pub fn init() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("vistka-pg.")
            .tempdir_in("/tmp")
            .expect("temporary directory")
            .keep();
        pg_cluster(&["init", dir.to_str().expect("UTF-8 path")]);
        Self { dir, port: None }
    }

    /// Starts the cluster, on the port it had before if it ran already.
    pub fn start(&mut self) {
        let dir = self.dir.to_str().expect("UTF-8 path").to_owned();
        let port = match self.port {
            Some(port) => pg_cluster(&["start", &dir, &port.to_string()]),
            None => pg_cluster(&["start", &dir]),
        };
        self.port = Some(port.parse().expect("a port"));
    }

    /// Stops the cluster, cutting every session, as a restart does.
    pub fn stop(&self) {
        pg_cluster(&["stop", self.dir.to_str().expect("UTF-8 path")]);
    }

    /// A free port for a cluster not started yet, so a server can be pointed at it first.
    pub fn reserve_port(&mut self) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("address").port();
        self.port = Some(port);
        port
    }

    pub fn url(&self) -> String {
        let port = self.port.expect("the cluster has a port");
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster"))
            .args(["remove", self.dir.to_str().unwrap_or_default()])
            .status()
            .ok();
    }
}
