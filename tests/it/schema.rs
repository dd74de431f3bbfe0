use vistka::graphql::schema;

#[test]
fn schema_graphql_is_current() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    assert!(
        committed == schema::sdl(),
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql`"
    );
}
