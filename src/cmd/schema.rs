//! `dyadflow schema`: print the published tables' columns as a Markdown data
//! dictionary (the README's data dictionary is this output).

pub const ABOUT: &str = "Print the data dictionary of the published tables (Markdown)";

pub fn render() -> String {
    let mut s = String::new();
    for t in crate::schema::TABLES {
        s.push_str(&format!(
            "### `{}`\n\n{}. Sorted by {}; key: {}.\n\n",
            t.name,
            capitalize(t.description),
            t.sort_by.join(", "),
            t.key.join(", ")
        ));
        s.push_str("| column | type | null | description |\n| --- | --- | --- | --- |\n");
        for c in t.columns {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.kind.name(),
                if c.nullable { "yes" } else { "no" },
                c.description
            ));
        }
        s.push('\n');
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub fn execute() -> anyhow::Result<i32> {
    print!("{}", render());
    Ok(0)
}
