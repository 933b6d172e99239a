//! The `podsim` binary: parse arguments, run the command, map failures to exit codes.

mod cli;

use clap::Parser;

fn main() {
    let parsed = cli::Cli::parse();
    if let Err(failure) = cli::main(parsed) {
        match &failure {
            cli::Failure::Input(messages) => {
                for m in messages.iter().take(50) {
                    eprintln!("error: {m}");
                }
                if messages.len() > 50 {
                    eprintln!("error: ... and {} more", messages.len() - 50);
                }
            }
            cli::Failure::Internal(m) | cli::Failure::Environment(m) => eprintln!("error: {m}"),
            cli::Failure::Verdict(messages) => {
                for m in messages {
                    eprintln!("{m}");
                }
            }
            cli::Failure::Verbatim(messages) => {
                for m in messages {
                    eprintln!("{m}");
                }
            }
        }
        std::process::exit(failure.exit_code());
    }
}
