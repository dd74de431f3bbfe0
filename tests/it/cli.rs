use clap::CommandFactory;
use vistka::cli::Cli;

use crate::helpers::TestDatabase;

#[test]
fn cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[tokio::test]
async fn migrate_creates_the_schema_and_export_of_an_empty_database_is_empty() {
    let db = TestDatabase::create().await;
    let migrated = db.cli(&["migrate"], "");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let again = db.cli(&["migrate"], "");
    assert!(again.status.success(), "migrating twice is harmless");
    assert_eq!(db.export(), "");
}

#[tokio::test]
async fn export_writes_to_a_file_when_given_one() {
    let db = TestDatabase::create().await;
    db.import(&std::fs::read_to_string(crate::helpers::SEED).expect("seed"));
    let path = db.dir().join("out.ndjson");
    let output = db.cli(&["export", path.to_str().expect("utf-8 path")], "");
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).expect("written"),
        db.export()
    );
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(
        summary.contains("1 section, 10 countries, 7 people, 12 topics, 15 articles"),
        "{summary}"
    );
}
