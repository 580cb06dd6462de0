//! Start-up: the database (given or embedded), migrations, demo data, the listener
//! and graceful shutdown.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;

use crate::app;
use crate::app::admin::Origin;
use crate::config::{Cli, Command, DatabaseArgs, ServeArgs, UserCommand};
use crate::db;
use crate::domain::user::UserInput;
use crate::embedded_pg::EmbeddedPostgres;
use crate::web::{self, AppState};

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => serve(cli.serve).await.map(|()| ExitCode::SUCCESS),
        Some(Command::Serve(args)) => serve(*args).await.map(|()| ExitCode::SUCCESS),
        Some(Command::Migrate(args)) => {
            let database = Database::open(&args).await?;
            database.close().await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::User {
            command:
                UserCommand::Add {
                    database,
                    username,
                    name,
                    admin,
                    organ,
                    email,
                },
        }) => {
            let db = Database::open(&database).await?;
            let result = add_user(&db.pool, username, name, admin, organ, email).await;
            db.close().await?;
            result.map(|()| ExitCode::SUCCESS)
        }
        Some(Command::WithDb { database, command }) => with_db(&database, &command).await,
    }
}

/// The application's database: a pool, and the embedded cluster behind it if any.
pub struct Database {
    pub pool: PgPool,
    /// The read replica's pool, when one is configured.
    pub read_pool: Option<PgPool>,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to DATABASE_URL, or starts the private cluster, then migrates.
    pub async fn open(args: &DatabaseArgs) -> anyhow::Result<Database> {
        let (options, embedded) = match &args.database_url {
            Some(url) => (
                url.parse::<PgConnectOptions>()
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?,
                None,
            ),
            None => {
                let cluster = EmbeddedPostgres::start(&args.data_dir).await?;
                (embedded_options(&cluster), Some(cluster))
            }
        };
        db::migrate(&options)
            .await
            .context("could not apply the database migrations")?;
        let pool = db::connect(options, &pool_settings(args))
            .await
            .context("could not connect to PostgreSQL")?;
        // The replica follows the primary's migrations; it is never written to.
        let read_pool = match &args.read_database_url {
            Some(url) => {
                let options = url
                    .parse::<PgConnectOptions>()
                    .context("--read-database-url is not a valid PostgreSQL URL")?;
                let read_pool = db::connect(options, &pool_settings(args))
                    .await
                    .context("could not connect to the read replica")?;
                Some(read_pool)
            }
            None => None,
        };
        Ok(Database {
            pool,
            read_pool,
            embedded,
        })
    }

    /// Whether this start created the private cluster (the demo city goes in then).
    pub fn freshly_initialized(&self) -> bool {
        self.embedded
            .as_ref()
            .is_some_and(EmbeddedPostgres::freshly_initialized)
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Closes the pool and stops the private cluster cleanly.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(read_pool) = self.read_pool {
            read_pool.close().await;
        }
        if let Some(cluster) = self.embedded {
            cluster.stop().await?;
        }
        Ok(())
    }
}

pub fn pool_settings(args: &DatabaseArgs) -> db::PoolSettings {
    db::PoolSettings {
        max_connections: args.pool_size,
        acquire_timeout: args.acquire_timeout,
        statement_timeout: args.statement_timeout,
    }
}

fn embedded_options(cluster: &EmbeddedPostgres) -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(cluster.socket_dir())
        .port(cluster.port())
        .username(cluster.superuser())
        .database(cluster.database())
}

/// Loads the demo city if the database is still empty.
pub async fn load_demo_if_empty(pool: &PgPool) -> anyhow::Result<bool> {
    Ok(app::demo::load_if_empty(&app::Context::new(pool.clone())).await?)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The configuration first: a mistake in it should not cost a database start.
    let oidc = match args.sign_in.oidc_config()? {
        Some(config) => Some(Arc::new(crate::oidc::Provider::new(config)?)),
        None => None,
    };
    let mailer = match (&args.smtp_url, &args.mail_from) {
        (Some(url), Some(from)) => Some(crate::mail::Mailer::new(
            url,
            from,
            args.sign_in.public_url.as_deref(),
        )?),
        (Some(_), None) => bail!("--smtp-url needs --mail-from, the address mail is sent from"),
        (None, _) => None,
    };
    if mailer.is_some() && args.sign_in.public_url.is_none() {
        tracing::warn!("--smtp-url without --public-url: e-mail will carry no links");
    }
    // Then the address: a taken port should not cost a database start either.
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("could not listen on {}", args.addr))?;
    let database = Database::open(&args.database).await?;
    if (database.freshly_initialized() || args.demo) && load_demo_if_empty(&database.pool).await? {
        tracing::info!("loaded the demo city; log in as registrator with the password remiss-demo");
    }
    tracing::info!(
        "Remiss is listening on http://{} ({})",
        listener.local_addr()?,
        if database.is_embedded() {
            "private PostgreSQL cluster"
        } else {
            "DATABASE_URL"
        }
    );
    let mut state = AppState::new(database.pool.clone(), web::Settings::from(&args));
    if let Some(read_pool) = &database.read_pool {
        tracing::info!("public pages read from the read replica");
        state = state.with_public_reads(read_pool.clone());
    }
    let mut provider_refresh = None;
    if let Some(provider) = oidc {
        if provider.config().public_url.scheme() == "https" && !args.secure_cookies {
            tracing::warn!("--public-url is https: set --secure-cookies too");
        }
        // The identity provider is reached in the background: one that is down or
        // slow holds up neither the start nor password logins.
        state = state.with_oidc(provider.clone());
        provider_refresh = Some(tokio::spawn(provider.keep_fresh()));
    }
    let housekeeping = tokio::spawn(web::housekeeping(database.pool.clone()));
    // Sending stops with the server: a message cut off mid-send goes again, with
    // the same Message-ID, once its claim lapses.
    let outbox = tokio::spawn(crate::mail::run(state.ctx.clone(), mailer));
    let result = web::serve(listener, state, shutdown_signal()).await;
    housekeeping.abort();
    outbox.abort();
    if let Some(task) = provider_refresh {
        task.abort();
    }
    database.close().await?;
    tracing::info!("stopped");
    result
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn add_user(
    pool: &PgPool,
    username: String,
    name: String,
    admin: bool,
    organ: Option<String>,
    email: Option<String>,
) -> anyhow::Result<()> {
    let password = match std::env::var("REMISS_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("Lösenord (läses från standard in):");
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            input.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let username = create_user(
        pool,
        &username,
        &name,
        admin,
        organ.as_deref(),
        email,
        password,
    )
    .await?;
    println!("created user {username}");
    Ok(())
}

/// `remiss user add`: creates an account (the first administrator of a new
/// database, typically) through the same use case as the admin pages, with its
/// audit event. `organ_prefix` names the organ by its diarium prefix. Returns the
/// normalised username.
pub async fn create_user(
    pool: &PgPool,
    username: &str,
    name: &str,
    admin: bool,
    organ_prefix: Option<&str>,
    email: Option<String>,
    password: String,
) -> anyhow::Result<String> {
    let organ = match organ_prefix {
        Some(prefix) => {
            let mut conn = pool.acquire().await?;
            db::organs::find_by_prefix(&mut conn, prefix)
                .await?
                .with_context(|| format!("no organ has the diarium prefix {prefix}"))?
                .id
                .to_string()
        }
        None => String::new(),
    };
    let input = UserInput {
        username: username.to_string(),
        display_name: name.to_string(),
        title: String::new(),
        organ,
        is_admin: admin,
        password,
        email: email.unwrap_or_default(),
        oidc_subject: String::new(),
    };
    let ctx = app::Context::new(pool.clone());
    match app::admin::create_user(&ctx, Origin::CommandLine, &input, false).await {
        Ok(created) => Ok(created.username),
        Err(app::Error::Invalid(errors)) => {
            let problems: Vec<String> = errors
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect();
            bail!("{}", problems.join("; "))
        }
        Err(error) => Err(error.into()),
    }
}

/// Starts the private cluster, runs `command` with DATABASE_URL pointing at it, and
/// stops the cluster again whatever the command's outcome.
async fn with_db(args: &DatabaseArgs, command: &[String]) -> anyhow::Result<ExitCode> {
    if args.database_url.is_some() {
        bail!("with-db starts its own PostgreSQL; unset DATABASE_URL to use it");
    }
    let cluster = EmbeddedPostgres::start(&args.data_dir).await?;
    let url = format!(
        "postgres://{}@localhost/{}?host={}&port={}",
        cluster.superuser(),
        cluster.database(),
        cluster.socket_dir().display(),
        cluster.port()
    );
    let status = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .env("DATABASE_URL", &url)
        .status()
        .await
        .with_context(|| format!("could not run {}", command[0]));
    cluster.stop().await?;
    let status = status?;
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::config::Cli;

    #[test]
    fn the_default_pool_settings_are_the_command_lines() {
        let cli = Cli::try_parse_from(["remiss"]).unwrap();
        assert_eq!(
            super::pool_settings(&cli.serve.database),
            crate::db::PoolSettings::default()
        );
    }
}
