//! `TestApp::spawn()`: a fresh database, the real server on port 0, and a client for it.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Output, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
    thread,
    time::Duration,
};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tempfile::TempDir;

pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample/seed-page.ndjson");

/// The seed page as it was captured: what the seed sample must render as.
pub const SEED_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample/seed-page.txt");

/// How long a server may take to start listening before the test fails.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A fresh, empty database for one test: a temporary SQLite file, or a new database on the
/// PostgreSQL server named by `VISTKA_TEST_DATABASE_URL`.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create() -> Self {
        match std::env::var("VISTKA_TEST_DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => {
                let dir = tempfile::tempdir().expect("temporary directory");
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let name = format!(
                    "vistka_test_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let server = Database::connect(&admin)
                    .await
                    .expect("PostgreSQL is reachable");
                server
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                server.close().await.ok();
                let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
                Self {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres: Some((admin, name)),
                }
            }
            _ => Self::sqlite(),
        }
    }

    /// A fresh SQLite database, whichever backend the suite runs on.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        Self {
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("vistka.db").display()
            ),
            dir,
            postgres: None,
        }
    }

    /// A database this suite did not create, at `url`; it is left as it is afterwards.
    pub fn at(url: String) -> Self {
        Self {
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
            postgres: None,
        }
    }

    /// Whether this run of the suite is the PostgreSQL one.
    pub fn postgres_pass() -> bool {
        std::env::var("VISTKA_TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `vistka ARGS` against this database, `stdin` fed to it.
    pub fn cli(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vistka"))
            .args(args)
            .env("DATABASE_URL", &self.url)
            .current_dir(self.dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run vistka");
        let mut input = child.stdin.take().expect("stdin");
        let stdin = stdin.to_owned();
        let writer = thread::spawn(move || input.write_all(stdin.as_bytes()));
        let output = child.wait_with_output().expect("vistka finishes");
        writer.join().expect("stdin writer").ok();
        output
    }

    /// Imports NDJSON text and insists that it succeeds.
    pub fn import(&self, ndjson: &str) {
        let output = self.cli(&["import", "-"], ndjson);
        assert!(
            output.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The content version in the database: bumped by every import.
    pub async fn content_version(&self) -> i64 {
        let db = Database::connect(&self.url).await.expect("database");
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM content_version",
            ))
            .await
            .expect("content version")
            .expect("one row");
        let version = row.try_get::<i64>("", "version").expect("a version");
        db.close().await.ok();
        version
    }

    pub fn export(&self) -> String {
        let output = self.cli(&["export"], "");
        assert!(
            output.status.success(),
            "export failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("export is UTF-8")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any async context: give the clean-up a runtime of its own.
        let cleanup = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(server) = Database::connect(&admin).await {
                    server
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok();
                }
            });
        });
        cleanup.join().ok();
    }
}

/// The real server over a fresh database.
#[derive(Debug)]
pub struct TestApp {
    pub db: Arc<TestDatabase>,
    pub base: String,
    pub client: reqwest::Client,
    server: Child,
}

impl TestApp {
    /// An empty database and a server over it.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server whose database already holds the seed page.
    pub async fn seeded() -> Self {
        let app = Self::spawn().await;
        app.db
            .import(&std::fs::read_to_string(SEED).expect("seed sample"));
        app.caught_up(Duration::from_secs(10)).await;
        app
    }

    /// A server started with extra environment, e.g. tighter limits.
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        Self::serve(Arc::new(TestDatabase::create().await), env, &[]).await
    }

    /// A ready server over `db`, which other servers may share.
    pub async fn serve(db: Arc<TestDatabase>, env: &[(&str, &str)], args: &[&str]) -> Self {
        let app = Self::start(db, env, args);
        app.ready().await;
        app
    }

    /// A server over `db` that listens but may not have reached its database yet.
    pub fn start(db: Arc<TestDatabase>, env: &[(&str, &str)], args: &[&str]) -> Self {
        let mut server = Command::new(env!("CARGO_BIN_EXE_vistka"))
            .arg("serve")
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env("VISTKA_ADDR", "127.0.0.1:0")
            .env("NO_COLOR", "1")
            // Tests ask faster than any client should; the rate-limit test turns it back on.
            .env("VISTKA_RATE_LIMIT_PER_SECOND", "0")
            .envs(env.iter().copied())
            .current_dir(db.dir())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start vistka serve");
        let base = listening_address(&mut server);
        Self {
            db,
            base,
            client: client(),
            server,
        }
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.server.try_wait().expect("process status").is_none()
    }

    /// Waits until `/readyz` says the server has reached its database.
    pub async fn ready(&self) {
        let started = std::time::Instant::now();
        loop {
            let response = self.client.get(self.url("/readyz")).send().await;
            if response.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the server never became ready"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a GraphQL request and returns the whole JSON answer.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request reaches the server");
        assert!(
            response.status().is_success(),
            "HTTP {} for {query}",
            response.status()
        );
        response.json().await.expect("a JSON answer")
    }

    /// POSTs any JSON body and returns the JSON answer.
    pub async fn gql_request(&self, body: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&body)
            .send()
            .await
            .expect("request reaches the server")
            .json()
            .await
            .expect("a JSON answer")
    }

    /// Makes an API key with `role` (`editor` or `admin`) through the command line.
    pub fn key(&self, role: &str) -> String {
        let output = self
            .db
            .cli(&["keys", "create", "--role", role, "--name", "test"], "");
        assert!(
            output.status.success(),
            "keys create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("a key is text")
            .trim()
            .to_owned()
    }

    /// POSTs a GraphQL request sent with `key` (none: a reader) and returns the JSON answer.
    pub async fn gql_as(&self, key: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("request reaches the server");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.json().await.expect("a JSON answer")
    }

    /// Like [`gql_as`](Self::gql_as), but insists there are no errors and returns `data`.
    pub async fn data_as(&self, key: &str, query: &str, variables: Value) -> Value {
        let answer = self.gql_as(Some(key), query, variables).await;
        assert!(
            answer.get("errors").is_none(),
            "unexpected errors: {answer}"
        );
        answer["data"].clone()
    }

    /// Creates a draft `slug` through the API with `key` and schedules it a second from now;
    /// returns that moment.
    pub async fn schedule_soon(&self, key: &str, slug: &str) -> chrono::DateTime<chrono::Utc> {
        let soon = chrono::Utc::now() + chrono::Duration::seconds(1);
        self.data_as(
            key,
            r#"mutation($slug: String!, $at: String!) {
                createArticle(input: {slug: $slug, title: $slug, body: ""}) { slug }
                scheduleArticle(slug: $slug, at: $at) { slug } }"#,
            json!({ "slug": slug, "at": soon.to_rfc3339_opts(chrono::SecondsFormat::Millis, true) }),
        )
        .await;
        soon
    }

    /// Like [`gql`](Self::gql), but insists there are no errors and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let answer = self.gql(query, variables).await;
        assert!(
            answer.get("errors").is_none(),
            "unexpected errors: {answer}"
        );
        answer["data"].clone()
    }

    /// The server's count of SQL statements run so far, from `/metrics`.
    pub async fn statements(&self) -> u64 {
        self.metric("vistka_db_statements_total").await as u64
    }

    /// The content version the server's related-articles index was built from.
    pub async fn served_version(&self) -> i64 {
        self.metric("vistka_related_index_version").await as i64
    }

    /// Waits until the server's in-memory index has caught up with the database, and returns
    /// how long that took; fails after `deadline`.
    pub async fn caught_up(&self, deadline: Duration) -> Duration {
        let started = std::time::Instant::now();
        let wanted = self.db.content_version().await;
        while self.served_version().await != wanted {
            assert!(
                started.elapsed() < deadline,
                "the server did not follow content version {wanted} within {deadline:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        started.elapsed()
    }

    async fn metric(&self, name: &str) -> f64 {
        let metrics = self
            .client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .map_or(0.0, |value| value.trim().parse().expect("a metric value"))
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.server.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        self.server.wait().expect("server exits")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.kill().ok();
        self.server.wait().ok();
    }
}

/// Reads the server's log until it says where it listens; keeps draining it afterwards so the
/// server never blocks on a full pipe.
fn listening_address(server: &mut Child) -> String {
    let stderr = server.stderr.take().expect("piped stderr");
    let (found, address) = mpsc::channel();
    thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let base = rest.trim().trim_end_matches("/graphql").to_owned();
                if let Some(found) = found.take() {
                    found.send(base).ok();
                }
            } else {
                eprintln!("server: {line}");
            }
        }
    });
    address
        .recv_timeout(START_TIMEOUT)
        .expect("the server starts listening")
}

/// Walks a connection to its end, forward with `first` or backward with `last`, returning
/// every node's slug in the order visited. `field` picks the connection out of `data`.
/// An HTTP client. vistka's own HTTP client (for webhooks) brings TLS through rustls with
/// ring, which the tests' client then shares and needs installed.
pub fn client() -> reqwest::Client {
    let _already = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn walk(
    app: &TestApp,
    query: &str,
    variables: Value,
    page_size: i64,
    forward: bool,
    field: impl Fn(&Value) -> &Value,
) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let mut vars = variables.clone();
        if forward {
            vars["first"] = json!(page_size);
            vars["after"] = json!(cursor);
        } else {
            vars["last"] = json!(page_size);
            vars["before"] = json!(cursor);
        }
        let data = app.data(query, vars).await;
        let connection = field(&data);
        let mut page: Vec<String> = connection["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["node"]["slug"].as_str().expect("slug").to_owned())
            .collect();
        let info = &connection["pageInfo"];
        assert!(page.len() as i64 <= page_size, "page larger than asked");
        let (more, next) = if forward {
            (info["hasNextPage"].as_bool(), &info["endCursor"])
        } else {
            page.reverse();
            (info["hasPreviousPage"].as_bool(), &info["startCursor"])
        };
        slugs.extend(page);
        if more != Some(true) {
            break;
        }
        let next = next.as_str().expect("a cursor to continue from").to_owned();
        assert!(
            seen.insert(next.clone()),
            "the walk came back to cursor {next}"
        );
        cursor = Some(next);
    }
    if !forward {
        slugs.reverse();
    }
    slugs
}

/// The GraphQL feed query `walk` uses: `$filter` optional.
pub const FEED_WALK: &str =
    "query($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter) {
  feed(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { slug publishedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";
