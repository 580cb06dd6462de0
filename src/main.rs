use clap::Parser;

use remiss::config::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    remiss::startup::init_tracing();
    let cli = Cli::parse();
    match remiss::startup::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("remiss: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
