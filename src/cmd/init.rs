//! `dyadflow init`: an empty corpus to start annotating: every table with its
//! header, a README for annotators, and one valid example article.

use anyhow::Context;
use std::path::{Path, PathBuf};

pub const ABOUT: &str = "Create an empty corpus: table headers, a README for annotators and one example article";

pub const LONG_ABOUT: &str = "\
Create an empty corpus: table headers, a README for annotators and one example article.

Writes into DIR (created; it must not exist or be empty):

  articles.csv, actors.csv, events.csv, mentions.csv   headers and the example's rows
  texts/example-1.txt                                  the example article's text
  README.md                                            how to annotate, for annotators

The corpus validates clean (`dyadflow validate --raw DIR --strict` exits 0).
Replace the example with your first article, or keep it as a model.

Exit codes:
  0  created
  2  DIR exists and is not empty, or cannot be written";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Directory to create the corpus in.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// The files of a new corpus, relative to its directory, with their content.
pub const FILES: &[(&str, &str)] = &[
    ("articles.csv", ARTICLES),
    ("actors.csv", ACTORS),
    ("events.csv", EVENTS),
    ("mentions.csv", MENTIONS),
    ("texts/example-1.txt", TEXT),
    ("README.md", README),
];

const ARTICLES: &str = "\
article_id,title,published,language,text_path,outlet,url,notes
example-1,Finland and Norway sign a fishing agreement,2025-03-04,en,texts/example-1.txt,,,\"an example written for `dyadflow init`: replace it with your first article, or keep it as a model\"
";

const ACTORS: &str = "\
actor_id,name,type,country,parent,aliases,notes
FIN,Finland,state,FIN,,,
NOR,Norway,state,NOR,,,
NOR.GOV,Norwegian government,government,NOR,NOR,Norway’s government,
";

const EVENTS: &str = "\
article_id,event_id,source,target,code,date,date_text,mode,evidence,evidence_start,quantity,quantity_unit,location,confidence,annotator,notes
example-1,e1,FIN,NOR,057,2025-03-03,on Monday,asserted,Finland and Norway signed a fishing agreement,,,,Oslo,1,,a joint agreement is one row per direction
example-1,e2,NOR,FIN,057,2025-03-03,on Monday,asserted,Finland and Norway signed a fishing agreement,,,,Oslo,1,,
example-1,e3,Norway’s government,Finland,051,2025-03-03/2025-03-04,,asserted,Norway’s government praised Finland,,,,,0.9,,\"the text does not date the praise: between the signing and publication\"
";

const MENTIONS: &str = "\
article_id,actor,text,start,annotator,notes
example-1,FIN,Finland,,,
example-1,NOR,Norway,,,
example-1,NOR.GOV,Norway’s government,,,
";

const TEXT: &str = "\
Finland and Norway sign a fishing agreement
Finland and Norway signed a fishing agreement in Oslo on Monday. Norway’s government praised Finland for the talks.
";

const README: &str = "\
# Annotated corpus

This directory is a corpus in the raw annotation format of dyadflow, version 1.
dyadflow turns it into Parquet tables of actors, events, mentions and relationship
scores. The format is described in the dyadflow README, section \"The raw format\".

## The files

| file | one row per | required columns |
| --- | --- | --- |
| `articles.csv` | annotated article | `article_id`, `title`, `published`, `language`, `text_path` |
| `actors.csv` | actor (state, government, group, person...) | `actor_id`, `name`, `type` |
| `events.csv` | event claim: who did what to whom, when | `article_id`, `event_id`, `source`, `code`, `date`, `evidence` |
| `mentions.csv` (optional) | place in a text where an actor is named | `article_id`, `actor`, `text` |
| `texts/` | the articles' texts, UTF-8, one file each | |

Files are CSV in UTF-8 with a header row; an empty cell means \"not given\".
Save from a spreadsheet as \"CSV UTF-8\" and keep codes as text (`057`, not `57`).

## The example

`example-1` is a short article with its actors, three events and three mentions, written
to show the format: dates in EDTF (`2025-03-03`, an interval `2025-03-03/2025-03-04`),
a CAMEO code with its leading zero, evidence copied from the text, actors named by id or
by an alias. Replace it with your first article, or keep it as a model.

## Checking your work

    dyadflow validate --raw .

prints every problem with its file, line, column, rule and a hint; nothing is written.
For a rule you do not know:

    dyadflow explain unknown-actor

prints what the rule means, an example of a failing row and how to fix it.
`dyadflow explain` lists every rule.
";

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    create(&args.dir)?;
    eprintln!(
        "dyadflow init: created a corpus in {} ({} files); check it with `dyadflow validate --raw {}`",
        args.dir.display(),
        FILES.len(),
        args.dir.display()
    );
    Ok(0)
}

/// Writes a new corpus into `dir`, which must not exist or be empty.
pub fn create(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            anyhow::bail!("{} is not empty: init writes only into a new or empty directory", dir.display());
        }
    }
    for (rel, content) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
