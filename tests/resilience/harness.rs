//! The real parts of a scenario: a PostgreSQL cluster of its own that the test may
//! stall, crash and restart; the real `remiss` binary on it, one or more
//! instances; and HAProxy in front of them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use remiss::embedded_pg::EmbeddedPostgres;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::http::Http;

/// How long a part may take to start before the test fails.
const START_PATIENCE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Taking turns: the scenarios that hold the server to a time bound run alone, so
// that no other scenario's load decides whether it is met; the others may run two
// at a time beside each other.
// ---------------------------------------------------------------------------

/// Async-aware, so that a turn is held across the test's awaits; each test runs
/// on a runtime of its own, which tokio's locks allow.
static TURNS: RwLock<()> = RwLock::const_new(());

/// For a scenario that bounds an answer in time: nothing else of this suite runs
/// meanwhile.
pub async fn alone() -> RwLockWriteGuard<'static, ()> {
    TURNS.write().await
}

/// For a scenario with no time bound: others of its kind may run beside it.
pub async fn beside_others() -> RwLockReadGuard<'static, ()> {
    TURNS.read().await
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Sends `signal` (a name such as `STOP`) to the processes.
fn signal(signal: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .args(pids.iter().map(u32::to_string))
        .stderr(Stdio::null())
        .status()
        .expect("kill runs");
    // A backend may have ended between listing and signalling: not an error.
    let _ = status;
}

fn is_alive(pid: u32) -> bool {
    // A zombie has exited; only its parent has not yet collected it.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
    {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (name) state ppid ...": the name may hold spaces and parentheses.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        if ppid == Some(parent) {
            children.push(pid);
        }
    }
    children
}

fn cluster_failed(error: &dyn std::fmt::Display) -> String {
    format!(
        "the resilience tests run their own PostgreSQL cluster with the machine's PostgreSQL \
         server programs, and it could not start: {error}"
    )
}

/// A new cluster with its empty `remiss` database, stopped, made once and copied
/// for each test: `initdb` takes seconds (it syncs every file), a copy does not.
/// Kept between runs under the temporary folder, as `scripts/test` keeps its own.
async fn template() -> PathBuf {
    static TEMPLATE: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let uid = std::os::unix::fs::MetadataExt::uid(
                &std::fs::metadata("/proc/self").expect("/proc/self"),
            );
            let path = std::env::temp_dir().join(format!("remiss-resilience-template-{uid}"));
            if path
                .join("data")
                .join("postgres")
                .join("PG_VERSION")
                .exists()
            {
                path
            } else {
                made_template(&path).await
            }
        })
        .await
        .clone()
}

/// Makes the template at `path`: built beside it and renamed into place, so that
/// a test run beside this one never copies half of it.
async fn made_template(path: &Path) -> PathBuf {
    let building = path.with_extension(format!("building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    std::fs::create_dir_all(&building).expect("a folder for the template");
    std::fs::set_permissions(
        &building,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("the template's folder is made reachable");
    let server = EmbeddedPostgres::start(&building.join("data"))
        .await
        .unwrap_or_else(|error| panic!("{}", cluster_failed(&error)));
    server
        .stop()
        .await
        .unwrap_or_else(|error| panic!("{}", cluster_failed(&error)));
    if std::fs::rename(&building, path).is_err() {
        // Another run made it meanwhile.
        let _ = std::fs::remove_dir_all(&building);
    }
    path.to_path_buf()
}

/// Copies a stopped cluster's data directory, owners and modes kept.
fn copy_cluster(template: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(template.join("data"))
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success(), "could not copy the template cluster");
}

// ---------------------------------------------------------------------------
// PostgreSQL: a cluster of the test's own, with the machine's binaries, found and
// run as Remiss's embedded default does (src/embedded_pg.rs).
// ---------------------------------------------------------------------------

pub struct Cluster {
    /// Dropped last: the cluster lives in it.
    dir: tempfile::TempDir,
    server: Option<EmbeddedPostgres>,
    /// Processes the test has stopped (SIGSTOP) and not yet continued.
    stopped: Vec<u32>,
}

impl Cluster {
    pub async fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("remiss-resilience")
            .tempdir()
            .expect("a folder for the cluster");
        // When the tests run as root, PostgreSQL runs as an unprivileged user,
        // who must be able to enter the folder.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("the folder is made reachable");
        let mut cluster = Cluster {
            dir,
            server: None,
            stopped: Vec::new(),
        };
        copy_cluster(&template().await, &cluster.data_dir());
        let server = match EmbeddedPostgres::start(&cluster.data_dir()).await {
            Ok(server) => server,
            // A template from another PostgreSQL version, say: made again once.
            Err(_) => {
                let template = template().await;
                let _ = std::fs::remove_dir_all(&template);
                let _ = std::fs::remove_dir_all(cluster.data_dir());
                copy_cluster(&made_template(&template).await, &cluster.data_dir());
                cluster.start_server().await
            }
        };
        cluster.server = Some(server);
        cluster
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    async fn start_server(&self) -> EmbeddedPostgres {
        EmbeddedPostgres::start(&self.data_dir())
            .await
            .unwrap_or_else(|error| panic!("{}", cluster_failed(&error)))
    }

    fn server(&self) -> &EmbeddedPostgres {
        self.server.as_ref().expect("the cluster is running")
    }

    /// The `DATABASE_URL` of its database (a Unix socket; no TCP port).
    pub fn url(&self) -> String {
        let server = self.server();
        format!(
            "postgres://{}@localhost/{}?host={}&port={}",
            server.superuser(),
            server.database(),
            server.socket_dir().display(),
            server.port()
        )
    }

    /// A small pool of the test's own, to look at what the server wrote.
    pub async fn pool(&self) -> PgPool {
        let options: PgConnectOptions = self.url().parse().expect("a valid URL");
        PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(20))
            .connect_with(options)
            .await
            .expect("the test connects to its cluster")
    }

    /// The postmaster's process id, from its lock file.
    fn postmaster(&self) -> u32 {
        self.running_postmaster()
            .expect("the postmaster's pid is the first line of postmaster.pid")
    }

    fn running_postmaster(&self) -> Option<u32> {
        let file = self.data_dir().join("postgres").join("postmaster.pid");
        std::fs::read_to_string(file)
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Freezes the database: the postmaster and every backend stop (SIGSTOP), as
    /// a server does that swaps, hangs on its disk or is paused by its host.
    /// Connections stay open; nothing is answered until [`Cluster::resume`].
    pub fn stall(&mut self) {
        let postmaster = self.postmaster();
        // The postmaster first, so that it starts no new backend meanwhile.
        signal("STOP", &[postmaster]);
        let mut pids = vec![postmaster];
        pids.extend(children_of(postmaster));
        signal("STOP", &pids[1..]);
        self.stopped = pids;
    }

    /// Lets a stalled database go on (SIGCONT).
    pub fn resume(&mut self) {
        let stopped = std::mem::take(&mut self.stopped);
        // The backends first, then the postmaster that watches them.
        let (postmaster, backends) = stopped
            .split_first()
            .map_or((None, &[][..]), |(p, b)| (Some(*p), b));
        signal("CONT", backends);
        signal("CONT", &postmaster.into_iter().collect::<Vec<_>>());
    }

    /// Stops the database cleanly (a fast shutdown: sessions are cut, a
    /// checkpoint is written), as an operator does for maintenance.
    pub async fn stop(&mut self) {
        let server = self.server.take().expect("the cluster is running");
        server
            .stop()
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL did not stop: {e}"));
    }

    /// Starts it again after [`Cluster::stop`].
    pub async fn start_again(&mut self) {
        assert!(self.server.is_none(), "the cluster is already running");
        self.server = Some(self.start_server().await);
    }

    /// The database crashes (an immediate shutdown: every connection is cut, no
    /// checkpoint) and starts again, recovering from its write-ahead log.
    pub async fn crash_and_restart(&mut self) {
        let postmaster = self.postmaster();
        signal("QUIT", &[postmaster]);
        let started = Instant::now();
        while is_alive(postmaster) {
            assert!(
                started.elapsed() < START_PATIENCE,
                "PostgreSQL did not stop within {START_PATIENCE:?} of SIGQUIT"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The old handle would try a clean stop of a server that is gone; it only
        // has to let go of the data directory's lock.
        drop(self.server.take());
        self.server = Some(self.start_server().await);
    }
}

impl Drop for Cluster {
    /// Ends the server at once: its data is thrown away with the folder, so
    /// there is nothing to write on the way out.
    fn drop(&mut self) {
        if !self.stopped.is_empty() {
            self.resume();
        }
        if self.server.is_some()
            && let Some(postmaster) = self.running_postmaster()
        {
            signal("QUIT", &[postmaster]);
            let started = Instant::now();
            while is_alive(postmaster) && started.elapsed() < START_PATIENCE {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Remiss: the real binary, on the cluster, on a free port.
// ---------------------------------------------------------------------------

pub struct Remiss {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
    exited: Option<ExitStatus>,
}

impl Remiss {
    /// An instance with the demo city (loaded by the first instance on the cluster).
    pub async fn start(cluster: &Cluster) -> Remiss {
        Remiss::start_with(cluster, &[], &[]).await
    }

    /// An instance with more command-line arguments and environment.
    pub async fn start_with(cluster: &Cluster, args: &[&str], env: &[(&str, &str)]) -> Remiss {
        // The port is free when chosen, but something else may take it before
        // the server binds it: then the server exits and another port is tried.
        for _ in 0..3 {
            let port = free_port();
            let log = tempfile::NamedTempFile::new().expect("a log file");
            let child = Command::new(env!("CARGO_BIN_EXE_remiss"))
                .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
                .args(args)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("DATABASE_URL", cluster.url())
                .env("RUST_LOG", "warn,remiss=info")
                .env("NO_COLOR", "1")
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(log.reopen().expect("the log file"))
                .stderr(log.reopen().expect("the log file"))
                .spawn()
                .expect("the remiss binary starts");
            let mut remiss = Remiss {
                child,
                port,
                log,
                exited: None,
            };
            if remiss.wait_until_healthy().await {
                return remiss;
            }
            assert!(
                remiss.log_text().contains("could not listen"),
                "remiss exited before it was healthy; its log:\n{}",
                remiss.log_text()
            );
        }
        panic!("remiss could not listen on a free port in three tries");
    }

    /// True once `/healthz` says ok; false if the server exited first.
    async fn wait_until_healthy(&mut self) -> bool {
        let http = Http::new();
        let started = Instant::now();
        loop {
            if self.has_exited() {
                return false;
            }
            if let Ok(response) = http.get(&format!("{}/healthz", self.base())).await
                && response.status == 200
            {
                return true;
            }
            assert!(
                started.elapsed() < START_PATIENCE,
                "remiss was not healthy within {START_PATIENCE:?}; its log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has ended (and if so, it is collected).
    pub fn has_exited(&mut self) -> bool {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().expect("the server's status");
        }
        self.exited.is_some()
    }

    /// What the server wrote, for failure messages (the last 6,000 characters).
    pub fn log_text(&self) -> String {
        log_tail(self.log.path())
    }

    /// SIGTERM, as a service manager stops it; the exit status once it has ended.
    pub async fn terminate(&mut self, patience: Duration) -> ExitStatus {
        signal("TERM", &[self.pid()]);
        let started = Instant::now();
        while !self.has_exited() {
            assert!(
                started.elapsed() < patience,
                "remiss did not stop within {patience:?} of SIGTERM; its log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.exited.expect("exited")
    }

    /// SIGKILL, as a crash or the out-of-memory killer ends it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        self.exited = Some(self.child.wait().expect("the killed server is collected"));
    }
}

impl Drop for Remiss {
    fn drop(&mut self) {
        if !self.has_exited() {
            self.kill();
        }
    }
}

fn log_tail(path: &Path) -> String {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
    let skip = text.chars().count().saturating_sub(6000);
    text.chars().skip(skip).collect()
}

// ---------------------------------------------------------------------------
// HAProxy: Debian's, in front of the instances, round robin, checking /healthz.
// ---------------------------------------------------------------------------

const HAPROXY_INSTALL: &str = "the load-balancer scenario runs HAProxy from Debian's \
     packages: install it with `apt-get install haproxy` (scripts/install-test-parts does \
     this when it is missing)";

fn haproxy_program() -> PathBuf {
    let known = Path::new("/usr/sbin/haproxy");
    if known.exists() {
        return known.to_path_buf();
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("haproxy"))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("haproxy was not found: {HAPROXY_INSTALL}"))
}

pub struct HaProxy {
    child: Child,
    port: u16,
    stats_port: u16,
    _dir: tempfile::TempDir,
}

impl HaProxy {
    /// Balances round robin over the instances, each checked on `/healthz`
    /// every 300 ms (two failures take it out, two successes bring it back). A
    /// request that cannot connect is tried on another instance; one that was sent
    /// is never sent twice (a POST may have done its work).
    pub async fn start(instances: &[&Remiss]) -> HaProxy {
        let program = haproxy_program();
        let dir = tempfile::tempdir().expect("a folder for the configuration");
        let port = free_port();
        let stats_port = free_port();
        let servers: String = instances
            .iter()
            .enumerate()
            .map(|(i, remiss)| {
                format!(
                    "    server remiss{i} 127.0.0.1:{} check inter 300ms fall 2 rise 2\n",
                    remiss.port()
                )
            })
            .collect();
        let config = format!(
            "global\n\
             \x20   maxconn 2000\n\
             defaults\n\
             \x20   mode http\n\
             \x20   timeout connect 2s\n\
             \x20   timeout client 30s\n\
             \x20   timeout server 30s\n\
             \x20   retries 3\n\
             \x20   option redispatch\n\
             frontend remiss\n\
             \x20   bind 127.0.0.1:{port}\n\
             \x20   default_backend instances\n\
             backend instances\n\
             \x20   balance roundrobin\n\
             \x20   option httpchk GET /healthz\n\
             \x20   http-check expect status 200\n\
             {servers}\
             listen stats\n\
             \x20   bind 127.0.0.1:{stats_port}\n\
             \x20   stats enable\n\
             \x20   stats uri /stats\n"
        );
        let config_file = dir.path().join("haproxy.cfg");
        std::fs::write(&config_file, config).expect("the configuration is written");
        let check = Command::new(&program)
            .arg("-c")
            .arg("-f")
            .arg(&config_file)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run {}: {e}; {HAPROXY_INSTALL}",
                    program.display()
                )
            });
        assert!(
            check.status.success(),
            "haproxy refused the generated configuration: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new(&program)
            // Foreground, no daemon: the test owns the process.
            .arg("-db")
            .arg("-f")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", program.display()));
        let haproxy = HaProxy {
            child,
            port,
            stats_port,
            _dir: dir,
        };
        haproxy.wait_until_all_up(instances.len()).await;
        haproxy
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Each instance's status (UP, DOWN, ...) and how many requests it was sent,
    /// from HAProxy's statistics.
    pub async fn instances(&self) -> Vec<(String, String, u64)> {
        let http = Http::new();
        let Ok(stats) = http
            .get(&format!("http://127.0.0.1:{}/stats;csv", self.stats_port))
            .await
        else {
            return Vec::new();
        };
        // "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,
        //  econ,eresp,wretr,wredis,status,..."
        stats
            .body
            .lines()
            .filter(|line| line.starts_with("instances,remiss"))
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                (
                    fields[1].to_string(),
                    fields[17].to_string(),
                    fields[7].parse().unwrap_or(0),
                )
            })
            .collect()
    }

    async fn wait_until_all_up(&self, count: usize) {
        let started = Instant::now();
        loop {
            let instances = self.instances().await;
            if instances.len() == count && instances.iter().all(|(_, status, _)| status == "UP") {
                return;
            }
            assert!(
                started.elapsed() < START_PATIENCE,
                "HAProxy did not see all {count} instances up: {instances:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for HaProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
