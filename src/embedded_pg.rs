//! A private PostgreSQL cluster for running without `DATABASE_URL`.
//!
//! The cluster lives in `<data_dir>/postgres` and is run with the PostgreSQL
//! binaries already installed on the machine (nothing is downloaded). It
//! listens only on a Unix socket in `<data_dir>/run`, never on TCP, so no port
//! can clash with another server and nothing is reachable from the network.
//!
//! Layout under the data directory:
//! - `postgres/`     the cluster (PGDATA)
//! - `run/`          the socket directory (mode 0700)
//! - `postgres.log`  the server log (appended to on every start)

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::process::Command;

/// The socket file is named `.s.PGSQL.<port>`; no TCP port is opened.
const PORT: u16 = 5432;
/// The application database, created on first start.
const DATABASE: &str = "remiss";
/// `sun_path` holds 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH: usize = 107;
/// Upper bound for any single tool invocation (pg_ctl has its own `-t 60`).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// How much of `postgres.log` to show when the server fails to start.
const LOG_TAIL_LINES: usize = 30;
/// Install folders searched after `PATH`, in this order.
const VERSIONED_INSTALL_ROOT: &str = "/usr/lib/postgresql";
const OTHER_INSTALL_DIRS: [&str; 3] = [
    "/usr/local/pgsql/bin",
    "/opt/homebrew/bin",
    "/usr/local/bin",
];

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. Install them, e.g. `apt-get install postgresql` on Debian/Ubuntu, or set DATABASE_URL to use an existing server."
    )]
    BinariesNotFound,

    #[error(
        "the PostgreSQL program createdb was not found in {} or on PATH. Install the PostgreSQL client programs, e.g. `apt-get install postgresql-client` on Debian/Ubuntu, or set DATABASE_URL to use an existing server.",
        .bin_dir.display()
    )]
    CreatedbNotFound { bin_dir: PathBuf },

    #[error(
        "the PostgreSQL socket path {} is {len} bytes long, but Unix socket paths are limited to {MAX_SOCKET_PATH} bytes. Choose a data directory with a shorter path (e.g. with --data-dir), or set DATABASE_URL.",
        .path.display()
    )]
    SocketPathTooLong { path: PathBuf, len: usize },

    #[error(
        "the data directory {} cannot be used for PostgreSQL: {reason}. Choose another data directory (e.g. with --data-dir).",
        .path.display()
    )]
    UnsupportedPath { path: PathBuf, reason: String },

    #[error(
        "running as root, but PostgreSQL refuses to run as root and neither a `postgres` nor a `nobody` user exists in /etc/passwd to run it as. Create a `postgres` system user, or set DATABASE_URL."
    )]
    NoUnprivilegedUser,

    #[error(
        "PostgreSQL has to run as the user `{user}` (it refuses to run as root), but that user cannot enter the directory {}. Choose a data directory outside it (e.g. with --data-dir /var/lib/remiss, not under /root), or allow access with `chmod o+x {}`.",
        .dir.display(), .dir.display()
    )]
    DataDirNotReachable { user: String, dir: PathBuf },

    #[error(
        "the data directory {} is in use by another running Remiss (it holds {}). Stop that one first, or choose another data directory.",
        .path.display(), .path.join(LOCK_FILE).display()
    )]
    InUse { path: PathBuf },

    #[error("could not {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },

    #[error("`{command}` failed ({status}): {output}")]
    CommandFailed {
        command: String,
        status: String,
        output: String,
    },

    #[error("`{command}` did not finish within {} seconds", COMMAND_TIMEOUT.as_secs())]
    Timeout { command: String },

    #[error(
        "PostgreSQL failed to start: {detail}\nLast lines of {}:\n{log_tail}",
        .log.display()
    )]
    StartFailed {
        detail: String,
        log: PathBuf,
        log_tail: String,
    },
}

fn io_error(action: impl Into<String>) -> impl FnOnce(io::Error) -> EmbeddedError {
    let action = action.into();
    move |source| EmbeddedError::Io { action, source }
}

/// A running private PostgreSQL server. Stop it with [`EmbeddedPostgres::stop`];
/// if that is forgotten (or a test panics), `Drop` stops it synchronously.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    pg_ctl: PathBuf,
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    /// The system user the server runs as when we are root; `None` means "as ourselves".
    run_as: Option<SystemUser>,
    superuser: String,
    freshly_initialized: bool,
    /// True while we are responsible for stopping the server.
    running: bool,
    /// Held for as long as this process uses the cluster (released on drop), so
    /// that a second Remiss on the same data directory is refused instead of
    /// stopping the first one's server.
    _lock: std::fs::File,
}

/// The lock file in the data directory; see [`EmbeddedPostgres`]'s `_lock`.
const LOCK_FILE: &str = "remiss.lock";

fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, EmbeddedError> {
    let path = data_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(format!("open the lock file {}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(EmbeddedError::InUse {
            path: data_dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(EmbeddedError::Io {
            action: format!("lock {}", path.display()),
            source,
        }),
    }
}

impl EmbeddedPostgres {
    /// Starts the cluster in `<data_dir>/postgres`, creating it (and the
    /// `remiss` database) on first use.
    pub async fn start(data_dir: &Path) -> Result<EmbeddedPostgres, EmbeddedError> {
        tokio::fs::create_dir_all(data_dir)
            .await
            .map_err(io_error(format!(
                "create the data directory {}",
                data_dir.display()
            )))?;
        // Absolute, symlink-free path: the socket directory is passed to the
        // server and the permission check below walks the real directories.
        let data_dir = tokio::fs::canonicalize(data_dir)
            .await
            .map_err(io_error(format!(
                "resolve the data directory {}",
                data_dir.display()
            )))?;
        check_path_is_usable(&data_dir)?;
        let lock = lock_data_dir(&data_dir)?;
        let socket_dir = data_dir.join("run");
        check_socket_path(&socket_dir)?;
        let bin = find_binaries().ok_or(EmbeddedError::BinariesNotFound)?;
        let createdb = bin
            .createdb
            .clone()
            .ok_or(EmbeddedError::CreatedbNotFound {
                bin_dir: bin.dir.clone(),
            })?;

        let euid = current_euid()?;
        let users = read_passwd();
        let run_as = if euid == 0 {
            let user = unprivileged_user(&users).ok_or(EmbeddedError::NoUnprivilegedUser)?;
            check_reachable(&data_dir, user)?;
            Some(user.clone())
        } else {
            None
        };
        // The superuser role is named after the OS user running the cluster,
        // as initdb would do by default.
        let superuser = match &run_as {
            Some(user) => user.name.clone(),
            None => current_user_name(euid, &users),
        };

        let cluster_dir = data_dir.join("postgres");
        let log_file = data_dir.join("postgres.log");
        let fresh = !cluster_dir.join("PG_VERSION").exists();
        tracing::info!(data_dir = %data_dir.display(), bin_dir = %bin.dir.display(), "starting embedded PostgreSQL");

        if fresh {
            create_private_dir(&cluster_dir, run_as.as_ref()).await?;
        }
        // Re-applied on every start: trust authentication relies on nobody
        // else being able to reach the socket.
        create_private_dir(&socket_dir, run_as.as_ref()).await?;
        create_log_file(&log_file, run_as.as_ref()).await?;

        let mut pg = EmbeddedPostgres {
            pg_ctl: bin.pg_ctl.clone(),
            cluster_dir,
            socket_dir,
            log_file,
            run_as,
            superuser,
            freshly_initialized: fresh,
            running: false,
            _lock: lock,
        };
        if fresh {
            pg.initdb(&bin.initdb).await?;
        } else if pg.is_running().await? {
            // We hold the data directory's lock, so no other Remiss uses this
            // server: a previous run crashed and left it behind. We stop it
            // rather than adopt it: it may have been started with other
            // settings, and a fast shutdown is quick and clean.
            tracing::warn!("a PostgreSQL server from a previous run is still running; stopping it");
            pg.pg_ctl_stop().await?;
        }
        pg.pg_ctl_start().await?;
        // From here on, Drop stops the server if anything below fails.
        pg.running = true;
        pg.create_database(&createdb).await?;

        tracing::info!(
            socket_dir = %pg.socket_dir.display(),
            superuser = %pg.superuser,
            database = DATABASE,
            freshly_initialized = fresh,
            "embedded PostgreSQL is ready"
        );
        Ok(pg)
    }

    /// The directory holding the server's Unix socket (use as the host).
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// The port number; it only names the socket file `.s.PGSQL.5432`.
    pub fn port(&self) -> u16 {
        PORT
    }

    /// The role to connect as (no password needed over the private socket).
    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    /// The application database.
    pub fn database(&self) -> &str {
        DATABASE
    }

    /// True if this start created the cluster (so demo data should be loaded).
    pub fn freshly_initialized(&self) -> bool {
        self.freshly_initialized
    }

    /// Stops the server (fast shutdown: running sessions are cancelled) and
    /// waits until it is gone.
    pub async fn stop(mut self) -> Result<(), EmbeddedError> {
        tracing::info!("stopping embedded PostgreSQL");
        // Whatever happens, Drop must not try again.
        self.running = false;
        self.pg_ctl_stop().await?;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    /// A command for a PostgreSQL tool, run as the cluster's user.
    fn command(&self, program: &Path) -> std::process::Command {
        tool_command(program, self.run_as.as_ref(), &self.cluster_dir)
    }

    async fn initdb(&self, initdb: &Path) -> Result<(), EmbeddedError> {
        tracing::info!(cluster_dir = %self.cluster_dir.display(), "initializing a new PostgreSQL cluster");
        // `--auth=trust` lets any local connection in without a password.
        // That is safe here: the server listens on no TCP address, and its
        // socket directory is mode 0700 and owned by the cluster's user, so
        // only that user (and root) can connect at all.
        let initdb_with = |locale: &str| {
            let mut cmd = self.command(initdb);
            cmd.arg("-D")
                .arg(&self.cluster_dir)
                .arg("--auth=trust")
                .arg("-U")
                .arg(&self.superuser)
                .arg("--encoding=UTF8")
                .arg(locale);
            cmd
        };
        // C.UTF-8 gives Unicode-aware upper()/lower() with stable, bytewise
        // sorting; systems without that locale fall back to plain C.
        match run_checked(initdb_with("--locale=C.UTF-8")).await {
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::warn!(
                    "initdb with locale C.UTF-8 failed, retrying without a locale: {err}"
                );
                run_checked(initdb_with("--no-locale")).await.map(|_| ())
            }
        }
    }

    async fn is_running(&self) -> Result<bool, EmbeddedError> {
        let mut cmd = self.command(&self.pg_ctl);
        cmd.arg("-D").arg(&self.cluster_dir).arg("status");
        // Exit status 0 means running; 3 means not running.
        Ok(run(cmd).await?.status.success())
    }

    async fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        // pg_ctl hands `-o` to `/bin/sh`, so each option is shell-quoted. The
        // socket directory is additionally double-quoted because PostgreSQL
        // reads it as a comma-separated list.
        let socket_dir =
            self.socket_dir
                .to_str()
                .ok_or_else(|| EmbeddedError::UnsupportedPath {
                    path: self.socket_dir.clone(),
                    reason: "the path is not valid UTF-8".into(),
                })?;
        let options = [
            "listen_addresses=".to_string(),
            format!("port={PORT}"),
            format!("unix_socket_directories=\"{socket_dir}\""),
            "unix_socket_permissions=0700".to_string(),
            // The working set is in memory: an index lookup costs little more than
            // a sequential read. With the default (4, for spinning disks) small
            // lookups hash-join whole tables (BENCHMARKS.md, finding 3).
            "random_page_cost=1.1".to_string(),
        ]
        .iter()
        .map(|setting| format!("-c {}", sh_quote(setting)))
        .collect::<Vec<_>>()
        .join(" ");

        let mut cmd = self.command(&self.pg_ctl);
        cmd.arg("-D")
            .arg(&self.cluster_dir)
            .arg("-l")
            .arg(&self.log_file)
            .args(["-w", "-t", "60", "-o"])
            .arg(options)
            .arg("start");
        if let Err(err) = run_checked(cmd).await {
            return Err(EmbeddedError::StartFailed {
                detail: err.to_string(),
                log: self.log_file.clone(),
                log_tail: log_tail(&self.log_file).await,
            });
        }
        Ok(())
    }

    async fn pg_ctl_stop(&self) -> Result<(), EmbeddedError> {
        let mut cmd = self.command(&self.pg_ctl);
        cmd.arg("-D")
            .arg(&self.cluster_dir)
            .args(["-m", "fast", "-w", "-t", "60", "stop"]);
        run_checked(cmd).await.map(|_| ())
    }

    async fn create_database(&self, createdb: &Path) -> Result<(), EmbeddedError> {
        let mut cmd = self.command(createdb);
        cmd.arg("-h")
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(PORT.to_string())
            .arg("-U")
            .arg(&self.superuser)
            .arg(DATABASE);
        match run_checked(cmd).await {
            Ok(_) => {
                tracing::info!(database = DATABASE, "created the application database");
                Ok(())
            }
            // Messages are in English because tool_command sets LC_ALL=C.
            Err(EmbeddedError::CommandFailed { output, .. })
                if output.contains("already exists") =>
            {
                Ok(())
            }
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
impl EmbeddedPostgres {
    /// What a crash leaves: the server running, the lock released.
    fn abandon(mut self) {
        self.running = false;
    }
}

impl Drop for EmbeddedPostgres {
    /// Best-effort synchronous stop, so that a forgotten `stop()` or a
    /// panicking test leaves no server behind. It blocks the current thread
    /// for as long as the shutdown takes (normally well under a second).
    fn drop(&mut self) {
        if !self.running {
            return;
        }
        tracing::info!("stopping embedded PostgreSQL (dropped without stop())");
        let mut cmd = self.command(&self.pg_ctl);
        cmd.arg("-D")
            .arg(&self.cluster_dir)
            .args(["-m", "fast", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match cmd.status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                tracing::warn!("pg_ctl stop failed while dropping the embedded server ({status})")
            }
            Err(err) => tracing::warn!(
                "could not run pg_ctl stop while dropping the embedded server: {err}"
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// Running the tools
// ---------------------------------------------------------------------------

/// A command for a PostgreSQL tool with a controlled environment. Built as a
/// std command so that `Drop` can use it synchronously.
fn tool_command(program: &Path, run_as: Option<&SystemUser>, cwd: &Path) -> std::process::Command {
    use std::os::unix::process::CommandExt;

    let mut cmd = std::process::Command::new(program);
    // PGPORT, PGHOST, PGDATA, PGUSER, ... from our environment would silently
    // change which socket or cluster the tools use; we pass everything explicitly.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
    // English messages: they end up in our errors, and createdb's
    // "already exists" is matched.
    cmd.env("LC_ALL", "C").env("LANG", "C");
    // The tools complain when started in a directory their user cannot read
    // (e.g. /root), so they run inside the cluster directory.
    cmd.current_dir(cwd).stdin(Stdio::null());
    if let Some(user) = run_as {
        // std also clears the supplementary groups when switching uid as root.
        cmd.uid(user.uid)
            .gid(user.gid)
            .env("HOME", cwd)
            .env("USER", &user.name)
            .env("LOGNAME", &user.name);
    }
    cmd
}

/// Runs a command to completion, capturing its output; fails only if it
/// cannot be run or takes too long.
async fn run(cmd: std::process::Command) -> Result<Output, EmbeddedError> {
    let command = describe(&cmd);
    let mut cmd = Command::from(cmd);
    // On timeout the future is dropped; make sure the child goes with it.
    cmd.kill_on_drop(true);
    match tokio::time::timeout(COMMAND_TIMEOUT, cmd.output()).await {
        Err(_) => Err(EmbeddedError::Timeout { command }),
        Ok(Err(source)) => Err(EmbeddedError::Io {
            action: format!("run `{command}`"),
            source,
        }),
        Ok(Ok(output)) => Ok(output),
    }
}

/// Like [`run`], but a non-zero exit status is an error carrying the output.
async fn run_checked(cmd: std::process::Command) -> Result<Output, EmbeddedError> {
    let command = describe(&cmd);
    let output = run(cmd).await?;
    if output.status.success() {
        return Ok(output);
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    );
    Err(EmbeddedError::CommandFailed {
        command,
        status: output.status.to_string(),
        output: text.trim().to_string(),
    })
}

/// `program arg arg ...` for messages.
fn describe(cmd: &std::process::Command) -> String {
    let program = Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or(program.as_os_str());
    std::iter::once(name)
        .chain(cmd.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quotes a string for `/bin/sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

async fn log_tail(log_file: &Path) -> String {
    match tokio::fs::read(log_file).await {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(err) => format!("(could not read the log: {err})"),
    }
}

// ---------------------------------------------------------------------------
// Directories and paths
// ---------------------------------------------------------------------------

/// pg_ctl builds a shell command with the data directory and log file inside
/// double quotes, so characters the shell expands there would break it.
fn check_path_is_usable(data_dir: &Path) -> Result<(), EmbeddedError> {
    let unsupported = |reason: String| EmbeddedError::UnsupportedPath {
        path: data_dir.to_path_buf(),
        reason,
    };
    let text = data_dir
        .to_str()
        .ok_or_else(|| unsupported("the path is not valid UTF-8".into()))?;
    match text
        .chars()
        .find(|c| matches!(c, '"' | '$' | '`' | '\\' | '\n' | ','))
    {
        Some(c) => Err(unsupported(format!(
            "the path contains the character {c:?}"
        ))),
        None => Ok(()),
    }
}

/// The socket file path must fit into `sockaddr_un.sun_path`.
fn check_socket_path(socket_dir: &Path) -> Result<PathBuf, EmbeddedError> {
    let socket = socket_dir.join(format!(".s.PGSQL.{PORT}"));
    let len = socket.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(EmbeddedError::SocketPathTooLong { path: socket, len });
    }
    Ok(socket)
}

/// Creates `dir` if needed and makes it private to the cluster's user.
async fn create_private_dir(dir: &Path, run_as: Option<&SystemUser>) -> Result<(), EmbeddedError> {
    match tokio::fs::create_dir(dir).await {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(io_error(format!("create {}", dir.display()))(err)),
    }
    tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .await
        .map_err(io_error(format!("set permissions of {}", dir.display())))?;
    chown_to(dir, run_as)
}

/// Creates the log file ourselves so that, when we are root, it can be handed
/// to the cluster's user (who may not create files in the data directory).
async fn create_log_file(path: &Path, run_as: Option<&SystemUser>) -> Result<(), EmbeddedError> {
    tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .await
        .map_err(io_error(format!("create {}", path.display())))?;
    chown_to(path, run_as)
}

fn chown_to(path: &Path, run_as: Option<&SystemUser>) -> Result<(), EmbeddedError> {
    match run_as {
        Some(user) => {
            std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(io_error(
                format!("change the owner of {} to {}", path.display(), user.name),
            ))
        }
        None => Ok(()),
    }
}

/// The cluster's user must be able to enter every directory from `/` down to
/// the data directory, or PostgreSQL fails with a confusing error later.
fn check_reachable(data_dir: &Path, user: &SystemUser) -> Result<(), EmbeddedError> {
    // Top-down, so the reported directory is the outermost one that blocks.
    let mut dirs: Vec<&Path> = data_dir.ancestors().collect();
    dirs.reverse();
    for dir in dirs {
        let meta =
            std::fs::metadata(dir).map_err(io_error(format!("inspect {}", dir.display())))?;
        if !can_enter(meta.uid(), meta.gid(), meta.mode(), user) {
            return Err(EmbeddedError::DataDirNotReachable {
                user: user.name.clone(),
                dir: dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Unix permission check for the execute (search) bit. Only the primary group
/// counts: supplementary groups are dropped when we switch to the user.
fn can_enter(owner: u32, group: u32, mode: u32, user: &SystemUser) -> bool {
    if owner == user.uid {
        mode & 0o100 != 0
    } else if group == user.gid {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

// ---------------------------------------------------------------------------
// Finding the binaries
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Binaries {
    dir: PathBuf,
    initdb: PathBuf,
    pg_ctl: PathBuf,
    createdb: Option<PathBuf>,
}

fn find_binaries() -> Option<Binaries> {
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    let candidates = path_dirs
        .into_iter()
        .chain(versioned_install_dirs(Path::new(VERSIONED_INSTALL_ROOT)))
        .chain(OTHER_INSTALL_DIRS.iter().map(PathBuf::from));
    for dir in candidates {
        let initdb = dir.join("initdb");
        if !is_executable(&initdb) {
            continue;
        }
        // PATH often holds symlinks (Debian's /usr/local/bin, Homebrew); the
        // directory they point into holds the matching pg_ctl, postgres and
        // createdb of the same version, so prefer it.
        let real_dir = std::fs::canonicalize(&initdb)
            .ok()
            .and_then(|real| real.parent().map(Path::to_path_buf));
        for dir in real_dir.into_iter().chain([dir.clone()]) {
            let has = |name: &str| is_executable(&dir.join(name));
            if has("initdb") && has("pg_ctl") && has("postgres") {
                let createdb = Some(dir.join("createdb"))
                    .filter(|path| is_executable(path))
                    .or_else(|| find_on_path("createdb"));
                return Some(Binaries {
                    initdb: dir.join("initdb"),
                    pg_ctl: dir.join("pg_ctl"),
                    createdb,
                    dir,
                });
            }
        }
    }
    None
}

/// `<root>/*/bin`, highest PostgreSQL version first.
fn versioned_install_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            (
                version_key(&entry.file_name().to_string_lossy()),
                entry.path().join("bin"),
            )
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

/// "9.6" -> [9, 6], "16" -> [16]; compares numerically, so 16 > 9.6.
fn version_key(name: &str) -> Vec<u32> {
    name.split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.mode() & 0o111 != 0)
}

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct SystemUser {
    name: String,
    uid: u32,
    gid: u32,
}

/// Parses one `/etc/passwd` line: `name:password:uid:gid:gecos:home:shell`.
/// Comments, blank lines and NIS entries like `+::::::` yield `None`.
fn parse_passwd_line(line: &str) -> Option<SystemUser> {
    let mut fields = line.trim_end().split(':');
    let name = fields.next()?;
    let _password = fields.next()?;
    let uid = fields.next()?.parse().ok()?;
    let gid = fields.next()?.parse().ok()?;
    if name.is_empty() || name.starts_with('#') {
        return None;
    }
    Some(SystemUser {
        name: name.to_string(),
        uid,
        gid,
    })
}

/// The users in `/etc/passwd` (empty if it cannot be read, e.g. on macOS
/// most users live in Directory Services instead).
fn read_passwd() -> Vec<SystemUser> {
    std::fs::read_to_string("/etc/passwd")
        .map(|text| text.lines().filter_map(parse_passwd_line).collect())
        .unwrap_or_default()
}

/// The user to run PostgreSQL as when we are root.
fn unprivileged_user(users: &[SystemUser]) -> Option<&SystemUser> {
    ["postgres", "nobody"].iter().find_map(|name| {
        users
            .iter()
            .find(|user| user.name == *name && user.uid != 0)
    })
}

fn current_user_name(euid: u32, users: &[SystemUser]) -> String {
    users
        .iter()
        .find(|user| user.uid == euid)
        .map(|user| user.name.clone())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "postgres".to_string())
}

/// The effective uid, without libc: from /proc on Linux, else from `id -u`.
fn current_euid() -> Result<u32, EmbeddedError> {
    if let Some(uid) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| parse_proc_euid(&status))
    {
        return Ok(uid);
    }
    let output = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map_err(io_error("run `id -u` to find the current user"))?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|_| EmbeddedError::Io {
            action: "find the current user id".into(),
            source: io::Error::other("unexpected output from `id -u`"),
        })
}

/// `Uid:\t<real>\t<effective>\t<saved>\t<fs>` in /proc/self/status.
fn parse_proc_euid(status: &str) -> Option<u32> {
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwd_lines() {
        assert_eq!(
            parse_passwd_line(
                "postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash"
            ),
            Some(SystemUser {
                name: "postgres".into(),
                uid: 101,
                gid: 104
            })
        );
        assert_eq!(
            parse_passwd_line("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
            Some(SystemUser {
                name: "nobody".into(),
                uid: 65534,
                gid: 65534
            })
        );
        assert_eq!(parse_passwd_line(""), None);
        assert_eq!(parse_passwd_line("# comment:x:1:1"), None);
        assert_eq!(parse_passwd_line("+::::::"), None);
        assert_eq!(parse_passwd_line("broken:x:notanumber:1:::"), None);
        assert_eq!(parse_passwd_line("short:x:1"), None);
    }

    #[test]
    fn prefers_postgres_then_nobody_but_never_root() {
        let user = |name: &str, uid| SystemUser {
            name: name.into(),
            uid,
            gid: uid,
        };
        let all = [
            user("root", 0),
            user("nobody", 65534),
            user("postgres", 101),
        ];
        assert_eq!(unprivileged_user(&all).unwrap().name, "postgres");
        let no_postgres = [user("root", 0), user("nobody", 65534)];
        assert_eq!(unprivileged_user(&no_postgres).unwrap().name, "nobody");
        let only_root = [user("root", 0), user("postgres", 0)];
        assert_eq!(unprivileged_user(&only_root), None);
    }

    #[test]
    fn socket_path_length_is_checked() {
        let ok = Path::new("/var/lib/remiss/run");
        assert_eq!(
            check_socket_path(ok).unwrap(),
            Path::new("/var/lib/remiss/run/.s.PGSQL.5432")
        );

        // "/" + dir + "/.s.PGSQL.5432" (14 bytes): exactly 107 bytes is allowed.
        let at_limit = PathBuf::from(format!("/{}", "a".repeat(MAX_SOCKET_PATH - 15)));
        assert!(check_socket_path(&at_limit).is_ok());
        let too_long = PathBuf::from(format!("/{}", "a".repeat(MAX_SOCKET_PATH - 14)));
        match check_socket_path(&too_long) {
            Err(err @ EmbeddedError::SocketPathTooLong { len: 108, .. }) => {
                let message = err.to_string();
                assert!(message.contains(".s.PGSQL.5432"), "{message}");
                assert!(message.contains("107 bytes"), "{message}");
            }
            other => panic!("expected SocketPathTooLong, got {other:?}"),
        }
    }

    #[test]
    fn rejects_paths_pg_ctl_cannot_quote() {
        assert!(check_path_is_usable(Path::new("/tmp/with space/it's fine")).is_ok());
        assert!(check_path_is_usable(Path::new("/tmp/$HOME")).is_err());
        assert!(check_path_is_usable(Path::new("/tmp/a\"b")).is_err());
    }

    #[test]
    fn versions_sort_numerically() {
        assert!(version_key("16") > version_key("9.6"));
        assert!(version_key("15") > version_key("9.6"));
        assert!(version_key("10") > version_key("9"));
    }

    #[test]
    fn checks_execute_permission_like_the_kernel() {
        let pg = SystemUser {
            name: "postgres".into(),
            uid: 101,
            gid: 104,
        };
        assert!(!can_enter(0, 0, 0o700, &pg)); // /root
        assert!(can_enter(0, 0, 0o755, &pg));
        assert!(can_enter(0, 0, 0o711, &pg));
        assert!(can_enter(101, 0, 0o700, &pg)); // owned by the user
        assert!(can_enter(0, 104, 0o750, &pg)); // via the primary group
        assert!(!can_enter(101, 0, 0o077, &pg)); // owner bits win, as in the kernel
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("listen_addresses="), "'listen_addresses='");
    }

    #[test]
    fn parses_effective_uid() {
        let status = "Name:\tcat\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(parse_proc_euid(status), Some(0));
    }

    // ---- Tests against a real server (skipped without PostgreSQL binaries) ----

    /// A tempdir the cluster's user can enter: tempdirs are 0700, and when the
    /// tests run as root PostgreSQL runs as `postgres`/`nobody`. The space in
    /// the name checks that paths are quoted properly.
    fn open_tempdir() -> tempfile::TempDir {
        let dir = tempfile::Builder::new()
            .prefix("remiss pg ")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        dir
    }

    /// Runs one statement with psql and returns its unaligned output.
    fn psql(pg: &EmbeddedPostgres, sql: &str) -> String {
        let psql = find_binaries()
            .map(|bin| bin.dir.join("psql"))
            .filter(|path| is_executable(path))
            .unwrap_or_else(|| PathBuf::from("psql"));
        let output = std::process::Command::new(psql)
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(pg.socket_dir())
            .args([
                "-p",
                &pg.port().to_string(),
                "-U",
                pg.superuser(),
                "-d",
                pg.database(),
                "-c",
                sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn starts_stops_and_restarts_a_cluster() {
        if find_binaries().is_none() {
            eprintln!("skipped: no PostgreSQL binaries on this machine");
            return;
        }
        let tmp = open_tempdir();
        let data_dir = tmp.path().join("data");
        let pid_file = data_dir.join("postgres/postmaster.pid");

        let pg = EmbeddedPostgres::start(&data_dir).await.unwrap();
        assert!(pg.freshly_initialized());
        assert_eq!(pg.port(), 5432);
        assert!(pg.socket_dir().join(".s.PGSQL.5432").exists());
        let socket_mode = std::fs::metadata(pg.socket_dir()).unwrap().mode() & 0o777;
        assert_eq!(socket_mode, 0o700);
        assert_eq!(psql(&pg, "select 1"), "1");
        assert_eq!(psql(&pg, "select current_database()"), "remiss");
        assert_eq!(
            psql(&pg, "show listen_addresses"),
            "",
            "must not listen on TCP"
        );
        assert_eq!(psql(&pg, "show random_page_cost"), "1.1");
        assert_eq!(psql(&pg, "show server_encoding"), "UTF8");
        psql(
            &pg,
            "create table kept (x int); insert into kept values (42)",
        );
        assert!(pid_file.exists());
        pg.stop().await.unwrap();
        assert!(!pid_file.exists(), "server still running after stop()");

        // Second start reuses the cluster and its data.
        let pg = EmbeddedPostgres::start(&data_dir).await.unwrap();
        assert!(!pg.freshly_initialized());
        assert_eq!(psql(&pg, "select x from kept"), "42");

        // While it runs, a second Remiss on the same data directory is refused
        // rather than allowed to stop the first one's server.
        assert!(matches!(
            EmbeddedPostgres::start(&data_dir).await,
            Err(EmbeddedError::InUse { .. })
        ));

        // A crashed run leaves its server behind (and its lock released); the
        // next start copes.
        pg.abandon();
        assert!(pid_file.exists());
        let pg = EmbeddedPostgres::start(&data_dir).await.unwrap();
        assert!(!pg.freshly_initialized());
        assert_eq!(psql(&pg, "select 1"), "1");

        // Dropping without stop() stops the server too.
        drop(pg);
        assert!(!pid_file.exists(), "server still running after drop");
    }

    #[tokio::test]
    async fn root_needs_a_data_dir_the_cluster_user_can_enter() {
        let users = read_passwd();
        if current_euid().unwrap() != 0
            || unprivileged_user(&users).is_none()
            || find_binaries().is_none()
        {
            eprintln!("skipped: only meaningful as root with PostgreSQL installed");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        match EmbeddedPostgres::start(&tmp.path().join("data")).await {
            Err(EmbeddedError::DataDirNotReachable { dir, .. }) => {
                assert_eq!(dir, std::fs::canonicalize(tmp.path()).unwrap());
            }
            other => panic!("expected DataDirNotReachable, got {other:?}"),
        }
    }
}
