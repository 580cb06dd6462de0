//! Start-up: the database (given or embedded), migrations, demo data, the listener
//! and graceful shutdown.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;

use crate::config::{Cli, Command, DatabaseArgs, ServeArgs, UserCommand};
use crate::db;
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
        Some(Command::Serve(args)) => serve(args).await.map(|()| ExitCode::SUCCESS),
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
                },
        }) => {
            let db = Database::open(&database).await?;
            let result = add_user(&db.pool, username, name, admin, organ).await;
            db.close().await?;
            result.map(|()| ExitCode::SUCCESS)
        }
        Some(Command::WithDb { database, command }) => with_db(&database, &command).await,
    }
}

/// The application's database: a pool, and the embedded cluster behind it if any.
pub struct Database {
    pub pool: PgPool,
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
        let pool = db::connect(options, args.pool_size)
            .await
            .context("could not connect to PostgreSQL")?;
        db::MIGRATOR
            .run(&pool)
            .await
            .context("could not apply the database migrations")?;
        Ok(Database { pool, embedded })
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
        if let Some(cluster) = self.embedded {
            cluster.stop().await?;
        }
        Ok(())
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
    let mut tx = pool.begin().await?;
    db::demo::lock_loader(&mut tx).await?;
    if !db::demo::is_empty(&mut tx).await? {
        return Ok(false);
    }
    let hash = crate::password::hash(db::demo::DEMO_PASSWORD.to_string()).await?;
    db::demo::load(&mut tx, &hash, chrono::Utc::now()).await?;
    crate::documents::load_demo_documents(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The address first: a taken port should not cost a database start.
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
    let state = AppState::new(database.pool.clone(), web::Settings::from(&args));
    let housekeeping = tokio::spawn(web::housekeeping(database.pool.clone()));
    let result = web::serve(listener, state, shutdown_signal()).await;
    housekeeping.abort();
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
    let username = create_user(pool, &username, &name, admin, organ.as_deref(), password).await?;
    println!("created user {username}");
    Ok(())
}

/// `remiss user add`: creates an account (the first administrator of a new
/// database, typically) with its audit event. Returns the normalised username.
pub async fn create_user(
    pool: &PgPool,
    username: &str,
    name: &str,
    admin: bool,
    organ_prefix: Option<&str>,
    password: String,
) -> anyhow::Result<String> {
    use crate::domain::user::{NewUser, normalize_username, password_problem, username_problem};

    let username = normalize_username(username);
    if let Some(problem) = username_problem(&username) {
        bail!("{problem}");
    }
    if name.trim().is_empty() {
        bail!("ange namn med --name");
    }
    if let Some(problem) = password_problem(&password) {
        bail!("{problem}");
    }
    let mut tx = pool.begin().await?;
    let organ_id = match organ_prefix {
        Some(prefix) => Some(
            db::organs::find_by_prefix(&mut tx, prefix)
                .await?
                .with_context(|| format!("no organ has the diarium prefix {prefix}"))?
                .id,
        ),
        None => None,
    };
    let user = NewUser {
        username,
        display_name: name.trim().to_string(),
        title: String::new(),
        organ_id,
        is_admin: admin,
        password,
    };
    let hash = crate::password::hash(user.password.clone()).await?;
    let id = uuid::Uuid::new_v4();
    db::users::insert(&mut tx, id, &user, &hash, false)
        .await
        .map_err(|e| match db::violated_constraint(&e) {
            Some("users_username_key") => {
                anyhow::anyhow!("the username {} is taken", user.username)
            }
            _ => e.into(),
        })?;
    db::audit::record(
        &mut tx,
        db::audit::NewEvent {
            after: Some(serde_json::json!({ "username": user.username, "admin": admin, "via": "command line" })),
            ..db::audit::NewEvent::new(None, "user.created", "user", id)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user.username)
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

/// How long in-flight requests get after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
