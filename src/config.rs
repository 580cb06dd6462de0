//! Command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    Serve(ServeArgs),
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
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL to use; without it, a private cluster under the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the private PostgreSQL cluster lives.
    #[arg(long, env = "REMISS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Most database connections this process opens.
    #[arg(long, env = "REMISS_DB_POOL_SIZE", default_value_t = 10)]
    pub pool_size: u32,
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
}
