//! Command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod sign_in;
pub use sign_in::{LocalLogin, SignInArgs};

#[derive(Debug, Parser)]
#[command(
    name = "remiss",
    version,
    about = "Remiss: remisser from registration to the board's yttrande"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(Box<ServeArgs>),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run a command with DATABASE_URL set to a private PostgreSQL cluster under the
    /// data directory, stopped afterwards (used by the test script).
    WithDb {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from REMISS_PASSWORD or standard input.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Login name (a–z, digits, `.`, `_`, `-`).
        username: String,
        /// Full name as shown in the interface.
        #[arg(long)]
        name: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
        /// The diarium prefix of the user's organ (e.g. KS), if any.
        #[arg(long)]
        organ: Option<String>,
        /// The user's e-mail address: links the account at its first sign-in
        /// through the identity provider.
        #[arg(long)]
        email: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL to use; without it, a private cluster under the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A streaming read replica of DATABASE_URL (e.g. made by `pg_basebackup -R`):
    /// the public diarium, its search, the Atom feeds and the anslagstavla read
    /// from it, as they bear a replica's lag of a second; all else, and whatever a
    /// signed-in user writes and then reads, stays on DATABASE_URL.
    #[arg(
        long,
        env = "REMISS_READ_DATABASE_URL",
        hide_env_values = true,
        requires = "database_url"
    )]
    pub read_database_url: Option<String>,
    /// Where the private PostgreSQL cluster lives.
    #[arg(long, env = "REMISS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Most database connections this process opens.
    #[arg(long, env = "REMISS_DB_POOL_SIZE", default_value_t = 10)]
    pub pool_size: u32,
    /// Longest a request's SQL statement may run before PostgreSQL cancels it
    /// (`500ms`, `5s`, `1m`). Migrations and housekeeping are not bound by it.
    #[arg(long, env = "REMISS_STATEMENT_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub statement_timeout: Duration,
    /// Longest a request waits for a free database connection; then it is answered
    /// 503 with Retry-After.
    #[arg(long, env = "REMISS_DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub acquire_timeout: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "REMISS_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Load the demo city into an empty database given by DATABASE_URL (the private
    /// cluster gets it on its first start anyway).
    #[arg(long, env = "REMISS_DEMO")]
    pub demo: bool,
    /// Mark the session cookie Secure; set when users reach Remiss over HTTPS.
    #[arg(long, env = "REMISS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Take the client address from the last X-Forwarded-For entry (only behind a
    /// load balancer that sets it).
    #[arg(long, env = "REMISS_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Longest wait for a request's line and headers, counted from the end of the
    /// previous request on a kept-alive connection (so also its idle timeout).
    #[arg(long, env = "REMISS_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Longest a form's body may take to arrive; then it is answered 408.
    #[arg(long, env = "REMISS_BODY_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Longest a request may take in all, body included; then it is answered 503.
    #[arg(long, env = "REMISS_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Most client connections served at once; further ones wait to be accepted.
    /// Keep it below the open-file limit (`ulimit -n`) less the pool size.
    #[arg(long, env = "REMISS_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Memory, in MiB, for checking passwords at once: each check holds 19 MiB
    /// (argon2id), so 128 lets 6 run together; logins beyond wait, then get 503.
    #[arg(long, env = "REMISS_HASHING_MEMORY_MIB", default_value_t = 128)]
    pub hashing_memory_mib: usize,
    /// The largest upload of documents, in MB (10^6 bytes); a larger one is
    /// refused with 413.
    #[arg(long, env = "REMISS_MAX_UPLOAD_MB", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=2000))]
    pub max_upload_mb: u64,
    /// ClamAV's daemon, to scan every uploaded file: a Unix socket path
    /// (/run/clamav/clamd.ctl) or host:port. Without it files are taken unscanned
    /// and marked so; with it, a file is refused when clamd cannot be reached.
    #[arg(long, env = "REMISS_CLAMD")]
    pub clamd: Option<crate::files::clamd::ClamdAddr>,
    /// The SMTP server e-mail goes out through: `smtp://127.0.0.1:2525` (no TLS:
    /// a relay on the same host), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465`, with `user:password@` before the host for a login.
    /// Without it messages wait in the outbox.
    #[arg(long, env = "REMISS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who Remiss's e-mail is from: `Remiss <remiss@kommun.se>`.
    #[arg(long, env = "REMISS_MAIL_FROM")]
    pub mail_from: Option<String>,
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

/// A duration on the command line: `500ms`, `5s`, `2m`, or whole seconds (`5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 500ms, 5s or 2m"))?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => Ok(Duration::from_secs(number)),
        "m" | "min" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!(
            "{text:?} is not a duration such as 500ms, 5s or 2m"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-5s").is_err());
    }
}
