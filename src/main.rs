use clap::Parser;

fn main() -> std::process::ExitCode {
    staffcast::config::init_logging();
    let cli = staffcast::cli::Cli::parse();
    match staffcast::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
