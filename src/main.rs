//! The `dyadflow` command line. Errors inside the library are typed; here
//! they become messages and exit codes.

use clap::{Parser, Subcommand};
mod cmd;

use cmd::report::LogFormat;

/// The engine allocates and frees many short strings and batch buffers per
/// partition; mimalloc handles that pattern with far less time in the allocator
/// than the system malloc (see the dependency list in docs/architecture.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "dyadflow",
    version,
    about = "Annotated news articles (CSV) in, validated Parquet tables of actors, events and relationship scores out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(about = cmd::run::ABOUT, long_about = cmd::run::LONG_ABOUT)]
    Run(cmd::run::Args),
    #[command(about = cmd::merge::ABOUT, long_about = cmd::merge::LONG_ABOUT)]
    Merge(cmd::merge::Args),
    #[command(about = cmd::validate::ABOUT, long_about = cmd::validate::LONG_ABOUT)]
    Validate(cmd::validate::Args),
    #[command(about = cmd::schema::ABOUT)]
    Schema,
    #[command(about = cmd::synth::ABOUT, long_about = cmd::synth::LONG_ABOUT)]
    Synth(cmd::synth::Args),
    #[command(about = cmd::bi::ABOUT, long_about = cmd::bi::LONG_ABOUT)]
    Bi(cmd::bi::Args),
    #[command(about = cmd::overview::ABOUT, long_about = cmd::overview::LONG_ABOUT)]
    Overview(cmd::overview::Args),
    #[command(about = cmd::explain::ABOUT, long_about = cmd::explain::LONG_ABOUT)]
    Explain(cmd::explain::Args),
    #[command(about = cmd::init::ABOUT, long_about = cmd::init::LONG_ABOUT)]
    Init(cmd::init::Args),
    #[command(about = cmd::agree::ABOUT, long_about = cmd::agree::LONG_ABOUT)]
    Agree(cmd::agree::Args),
}

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e` of
/// mimalloc 3's `mimalloc.h`; libmimalloc-sys gives it no name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Memory a partition frees is kept for the next one instead of being
    // handed back to the system and faulted in (zeroed) again: a tenth of a
    // run's time went to those page faults. The peak is what it was; the
    // memory in use stays near it until the run ends.
    // SAFETY: sets an allocator option, a plain store read on later purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // No transparent huge pages: the kernel zeroes a whole 2 MiB page on the
    // first touch of any byte of it, and the buffers of a run are touched
    // sparsely (7 % of a 1 M-event run's samples were that zeroing). The
    // allocator reserved its first arena before `main`, so its own option
    // (`allow_thp`) would come too late for that arena: the process-wide
    // switch of the kernel applies to every later fault, in every mapping.
    // SAFETY: prctl with integer arguments only; a failure leaves THP as is.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => cmd::run::execute(a),
        Command::Merge(a) => cmd::merge::execute(a),
        Command::Validate(a) => cmd::validate::execute(a),
        Command::Schema => cmd::schema::execute(),
        Command::Synth(a) => cmd::synth::execute(a),
        Command::Bi(a) => cmd::bi::execute(a),
        Command::Overview(a) => cmd::overview::execute(a),
        Command::Explain(a) => cmd::explain::execute(a),
        Command::Init(a) => cmd::init::execute(a),
        Command::Agree(a) => cmd::agree::execute(a),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            let code = e.downcast_ref::<dyadflow::problem::Error>().map_or(cmd::EXIT_ERROR, cmd::error_code);
            let format = match &cli.command {
                Command::Run(a) => a.corpus.log_format,
                Command::Validate(a) => a.corpus.log_format,
                Command::Merge(a) => a.log_format,
                Command::Schema
                | Command::Synth(_)
                | Command::Bi(_)
                | Command::Overview(_)
                | Command::Explain(_)
                | Command::Init(_)
                | Command::Agree(_) => LogFormat::Human,
            };
            match format {
                LogFormat::Human => eprintln!("dyadflow: error: {e:#}"),
                LogFormat::Json => eprintln!(
                    "{}",
                    serde_json::json!({"type": "error", "exit_code": code, "message": format!("{e:#}")})
                ),
            }
            code
        }
    };
    std::process::exit(code);
}
