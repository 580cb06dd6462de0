//! The ceiling of the load benchmark (`scripts/bench`): TechEmpower's "Fortunes"
//! test on Remiss's own stack (axum, a sqlx pool made as the product makes it,
//! askama), kept apart from the product's routes. `GET /fortunes` reads the small
//! `fortune` table, adds one row in memory, sorts by message and renders an HTML
//! table through a template: what any page of the product costs at least.
//!
//! `fortunes [ADDR]` (or `FORTUNES_ADDR`, default 127.0.0.1:3100), with
//! `DATABASE_URL` naming the database; the table is created and filled there when
//! missing. `REMISS_DB_POOL_SIZE` as for the product (default 10).

use std::net::SocketAddr;

use anyhow::Context;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

/// TechEmpower's twelve fortunes.
const FORTUNES: [(i32, &str); 12] = [
    (1, "fortune: No such file or directory"),
    (
        2,
        "A computer scientist is someone who fixes things that aren't broken.",
    ),
    (3, "After enough decimal places, nobody gives a damn."),
    (
        4,
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    ),
    (
        5,
        "A computer program does what you tell it to do, not what you want it to do.",
    ),
    (
        6,
        "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    ),
    (7, "Any program that runs right is obsolete."),
    (
        8,
        "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    ),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (
        11,
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    ),
    (
        12,
        "\u{30d5}\u{30ec}\u{30fc}\u{30e0}\u{30ef}\u{30fc}\u{30af}\u{306e}\u{30d9}\u{30f3}\u{30c1}\u{30de}\u{30fc}\u{30af}",
    ),
];

#[derive(sqlx::FromRow)]
struct Fortune {
    id: i32,
    message: String,
}

#[derive(Template)]
#[template(path = "bench/fortunes.html")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

async fn fortunes(State(pool): State<PgPool>) -> Response {
    let rows = sqlx::query_as::<_, Fortune>("SELECT id, message FROM fortune")
        .fetch_all(&pool)
        .await;
    let mut fortunes = match rows {
        Ok(rows) => rows,
        Err(error) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_string(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    match (FortunesPage { fortunes }).render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// Creates and fills the table unless it is there already.
async fn ensure_table(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)",
    )
    .execute(pool)
    .await?;
    for (id, message) in FORTUNES {
        sqlx::query(
            "INSERT INTO fortune (id, message) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(message)
        .execute(pool)
        .await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FORTUNES_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3100".to_string())
        .parse()
        .context("the address to listen on is not valid")?;
    let url = std::env::var("DATABASE_URL").context("set DATABASE_URL")?;
    let options: PgConnectOptions = url.parse().context("DATABASE_URL is not valid")?;
    let pool_size = match std::env::var("REMISS_DB_POOL_SIZE") {
        Ok(size) => size
            .parse()
            .context("REMISS_DB_POOL_SIZE is not a number")?,
        Err(_) => 10,
    };
    // The product's own pool settings.
    let pool = remiss::db::connect(
        options,
        &remiss::db::PoolSettings {
            max_connections: pool_size,
            ..Default::default()
        },
    )
    .await
    .context("could not connect to PostgreSQL")?;
    ensure_table(&pool).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    eprintln!("fortunes listening on http://{addr}/fortunes");
    let app = Router::new()
        .route("/fortunes", get(fortunes))
        .with_state(pool.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(remiss::startup::shutdown_signal())
        .await?;
    pool.close().await;
    Ok(())
}
