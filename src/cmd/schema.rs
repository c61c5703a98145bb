//! `dyadflow schema`: print the published tables' columns as a Markdown data
//! dictionary (the README's data dictionary is this output).

pub const ABOUT: &str = "Print the data dictionary of the published tables (Markdown)";

pub fn execute() -> anyhow::Result<i32> {
    print!("{}", dyadflow::catalogue::dictionary());
    Ok(0)
}
