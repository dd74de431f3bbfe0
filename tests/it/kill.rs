//! An import killed with SIGKILL at any moment leaves the database exactly as it was.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    archive,
    helpers::{SEED, TestDatabase},
};

#[tokio::test]
async fn an_import_killed_midway_changes_nothing() {
    let db = TestDatabase::create().await;
    db.import(&std::fs::read_to_string(SEED).expect("seed"));
    let before = db.export();
    let file = db.dir().join("archive.ndjson");
    std::fs::write(&file, archive::generate(3_000, 41).ndjson).expect("write the archive");

    // How long a whole import takes here, and what it leaves, measured on a scratch copy.
    let scratch = TestDatabase::create().await;
    scratch.import(&std::fs::read_to_string(SEED).expect("seed"));
    let started = Instant::now();
    scratch.import(&std::fs::read_to_string(&file).expect("archive"));
    let whole = started.elapsed();
    let complete = scratch.export();

    // Kills spread over the import's whole run; the delay is the experiment's variable. A kill
    // that lands after the commit finds the import complete, never anything in between.
    let mut current = before;
    let mut killed = 0;
    for step in 0..12u32 {
        let mut import = Command::new(env!("CARGO_BIN_EXE_vistka"))
            .args(["import", file.to_str().expect("UTF-8 path")])
            .env("DATABASE_URL", &db.url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the import");
        std::thread::sleep(whole * step / 12 + Duration::from_millis(5));
        let finished = import.try_wait().expect("status").is_some();
        import.kill().ok();
        import.wait().expect("the import ends");
        let now = db.export();
        assert!(
            now == current || now == complete,
            "killed at step {step} of 12, the database holds part of an import"
        );
        if !finished && now == current && current != complete {
            killed += 1;
        }
        current = now;
    }
    assert!(killed >= 6, "only {killed} imports were caught running");
}
