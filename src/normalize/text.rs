//! Where evidence and mentions are located in an article's text: code-point
//! offsets, exact and folded matching, sentence and paragraph numbers.
//!
//! One [`ArticleText`] is built per article and reused for all its rows, so the
//! cost of a lookup grows with the article, never with the corpus.

use std::sync::OnceLock;

/// An article's text with the indexes needed to translate between byte and
/// code-point offsets and to number sentences and paragraphs.
pub struct ArticleText {
    text: String,
    /// Code-point offsets to bytes and back.
    char_bytes: Offsets,
    /// Code-point offsets where paragraphs (non-empty lines) start.
    paragraph_starts: Vec<usize>,
    /// Code-point offsets where sentences start.
    sentence_starts: Vec<usize>,
    folded: OnceLock<Folded>,
}

/// The text with typographic quotes and apostrophes replaced by ASCII ones,
/// runs of white space collapsed to one space and white space next to a double
/// quote dropped (French `« x »` folds like `"x"`), with a map back to the
/// original.
struct Folded {
    text: String,
    /// For each code point of `text`, the code-point offset in the original.
    origin: Vec<usize>,
    /// For each code point of `text`, the original offset just past it.
    origin_end: Vec<usize>,
    char_bytes: Offsets,
}

/// The byte offset of every code point of a text, plus its length at the
/// end, in the least room that holds them: nothing for ASCII (a code point
/// is a byte), 4 bytes a code point below 4 GiB.
enum Offsets {
    Ascii(usize),
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl Offsets {
    fn of(s: &str) -> Self {
        if s.is_ascii() {
            Offsets::Ascii(s.len())
        } else if u32::try_from(s.len()).is_ok() {
            let mut v: Vec<u32> = Vec::with_capacity(s.len() + 1);
            v.extend(s.char_indices().map(|(b, _)| b as u32));
            v.push(s.len() as u32);
            Offsets::Narrow(v)
        } else {
            let mut v: Vec<usize> = s.char_indices().map(|(b, _)| b).collect();
            v.push(s.len());
            Offsets::Wide(v)
        }
    }

    /// Length in code points.
    fn len_chars(&self) -> usize {
        match self {
            Offsets::Ascii(n) => *n,
            Offsets::Narrow(v) => v.len() - 1,
            Offsets::Wide(v) => v.len() - 1,
        }
    }

    /// The byte offset of code point `i` (at most the length).
    fn byte(&self, i: usize) -> usize {
        match self {
            Offsets::Ascii(_) => i,
            Offsets::Narrow(v) => v[i] as usize,
            Offsets::Wide(v) => v[i],
        }
    }

    /// The code point at byte offset `b` (the first at or after it).
    fn char_at(&self, b: usize) -> usize {
        match self {
            Offsets::Ascii(n) => b.min(*n),
            Offsets::Narrow(v) => v.partition_point(|&x| (x as usize) < b),
            Offsets::Wide(v) => v.partition_point(|&x| x < b),
        }
    }
}

/// Where a passage was found, in code points, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locate {
    /// Found exactly, once (or at the given offset).
    Exact(Span),
    /// Found only after folding quotes and white space.
    Folded(Span),
    /// Found more than once and no offset says which.
    Ambiguous {
        count: usize,
        first: Span,
    },
    /// The given offset does not hold the passage; `found` is where it does occur.
    OffsetMismatch {
        found: Option<Span>,
        actual: String,
    },
    NotFound {
        closest: Option<String>,
    },
}

fn fold_char(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' | '\u{2033}' => Some('"'),
        c if c.is_whitespace() => None,
        c => Some(c),
    }
}

/// Folds a passage the way [`ArticleText`] folds its text (for searching).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        match fold_char(c) {
            None => pending_space = true,
            Some(f) => {
                if pending_space && !out.is_empty() && f != '"' && !out.ends_with('"') {
                    out.push(' ');
                }
                pending_space = false;
                out.push(f);
            }
        }
    }
    out
}

/// Byte offsets of every occurrence of `needle` in `text`, overlaps included
/// (the search steps one code point past each match).
fn overlapping(text: &str, needle: &str) -> Vec<usize> {
    // A searcher costs about as much to build as to run over an article, and
    // its cost grows with the needle: a long passage is looked for by its
    // first bytes, and each place they occur is compared whole.
    const PROBE: usize = 16;
    let (hay, whole) = (text.as_bytes(), needle.as_bytes());
    let probe = &whole[..whole.len().min(PROBE)];
    let finder = memchr::memmem::Finder::new(probe);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = finder.find(&hay[from..]) {
        let b = from + pos;
        if hay[b..].starts_with(whole) {
            out.push(b);
        }
        from = b + text[b..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

impl ArticleText {
    /// The text at `p` (a `text_path` of the articles table) under the raw
    /// directory, indexed; None when it cannot be read (the articles table
    /// reported that already).
    pub fn load(raw: &std::path::Path, p: &str) -> Option<Self> {
        crate::ingest::texts::read_text(raw, p).ok().map(|(s, _)| ArticleText::new(s))
    }

    pub fn new(text: String) -> Self {
        // one pass: the code points' byte offsets, paragraphs and sentences
        let mut paragraph_starts = Vec::new();
        let mut sentence_starts = Vec::new();
        let mut at_line_start = true;
        let mut after_end = false;
        // the code point before the current one
        let mut before = '\0';
        for (i, c) in text.chars().enumerate() {
            let prev = std::mem::replace(&mut before, c);
            if c == '\n' {
                at_line_start = true;
                after_end = false;
                continue;
            }
            if at_line_start && !c.is_whitespace() {
                paragraph_starts.push(i);
                sentence_starts.push(i);
                at_line_start = false;
                after_end = false;
                continue;
            }
            if at_line_start {
                continue;
            }
            if is_sentence_end(c) {
                after_end = true;
            } else if after_end && c.is_whitespace() {
                // still between sentences
            } else if after_end {
                // a new sentence starts after an end mark and white space, not
                // inside numbers or abbreviations such as `3.5` or `U.S.`
                if prev.is_whitespace() && !matches!(c, '»' | '"' | '\u{201D}' | ')') {
                    sentence_starts.push(i);
                }
                after_end = false;
            }
        }
        let char_bytes = Offsets::of(&text);
        ArticleText { text, char_bytes, paragraph_starts, sentence_starts, folded: OnceLock::new() }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in code points.
    pub fn len_chars(&self) -> usize {
        self.char_bytes.len_chars()
    }

    /// The passage between two code-point offsets (clamped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let n = self.len_chars();
        let (s, e) = (start.min(n), end.min(n).max(start.min(n)));
        &self.text[self.char_bytes.byte(s)..self.char_bytes.byte(e)]
    }

    /// 1-based number of the paragraph (non-empty line; the headline is 1)
    /// holding a code-point offset.
    pub fn paragraph(&self, offset: usize) -> usize {
        self.paragraph_starts.partition_point(|&p| p <= offset).max(1)
    }

    /// 1-based number of the sentence, counted over the whole article.
    pub fn sentence(&self, offset: usize) -> usize {
        self.sentence_starts.partition_point(|&p| p <= offset).max(1)
    }

    /// All code-point offsets where `needle` occurs exactly (overlaps included).
    pub fn occurrences(&self, needle: &str) -> Vec<usize> {
        let mut out = Vec::new();
        if needle.is_empty() {
            return out;
        }
        for b in overlapping(&self.text, needle) {
            out.push(self.char_bytes.char_at(b));
        }
        out
    }

    fn folded(&self) -> &Folded {
        self.folded.get_or_init(|| {
            let mut text = String::with_capacity(self.text.len());
            let mut origin = Vec::with_capacity(self.len_chars());
            let mut origin_end = Vec::with_capacity(self.len_chars());
            let mut pending_space: Option<usize> = None;
            for (i, c) in self.text.chars().enumerate() {
                match fold_char(c) {
                    None => {
                        pending_space.get_or_insert(i);
                    }
                    Some(f) => {
                        if let Some(sp) = pending_space.take() {
                            if !text.is_empty() && f != '"' && !text.ends_with('"') {
                                text.push(' ');
                                origin.push(sp);
                                origin_end.push(i);
                            }
                        }
                        text.push(f);
                        origin.push(i);
                        origin_end.push(i + 1);
                    }
                }
            }
            let char_bytes = Offsets::of(&text);
            Folded { text, origin, origin_end, char_bytes }
        })
    }

    fn folded_find(&self, needle: &str) -> Vec<Span> {
        let f = self.folded();
        let n = fold(needle);
        if n.is_empty() {
            return Vec::new();
        }
        let n_chars = n.chars().count();
        overlapping(&f.text, &n)
            .into_iter()
            .map(|b| {
                let s = f.char_bytes.char_at(b);
                Span { start: f.origin[s], end: f.origin_end[s + n_chars - 1] }
            })
            .collect()
    }

    /// Locates a passage: exactly, at `start` when given, else folded; with the
    /// closest passage of the text when it is nowhere.
    pub fn locate(&self, passage: &str, start: Option<usize>) -> Locate {
        let len = passage.chars().count();
        if let Some(s) = start {
            if self.slice(s, s + len) == passage && s + len <= self.len_chars() {
                return Locate::Exact(Span { start: s, end: s + len });
            }
            let exact = self.occurrences(passage);
            let folded = self.folded_find(passage);
            if let Some(sp) = folded.iter().find(|sp| sp.start == s) {
                return Locate::Folded(*sp);
            }
            let found = exact.first().map(|&p| Span { start: p, end: p + len }).or_else(|| folded.first().copied());
            return Locate::OffsetMismatch { found, actual: self.slice(s, s + len).to_string() };
        }
        let exact = self.occurrences(passage);
        match exact.len() {
            1 => return Locate::Exact(Span { start: exact[0], end: exact[0] + len }),
            n if n > 1 => return Locate::Ambiguous { count: n, first: Span { start: exact[0], end: exact[0] + len } },
            _ => {}
        }
        let folded = self.folded_find(passage);
        match folded.len() {
            1 => Locate::Folded(folded[0]),
            0 => Locate::NotFound { closest: self.closest(passage) },
            n => Locate::Ambiguous { count: n, first: folded[0] },
        }
    }

    /// The sentence of the text most similar to `passage`, for hints.
    pub fn closest(&self, passage: &str) -> Option<String> {
        let probe: String = fold(passage).to_lowercase().chars().take(300).collect();
        if probe.is_empty() {
            return None;
        }
        let probe_len = probe.chars().count();
        let mut best: Option<(f64, usize)> = None;
        for (k, &s) in self.sentence_starts.iter().enumerate() {
            let e = self.sentence_starts.get(k + 1).copied().unwrap_or(self.len_chars());
            let sentence = self.slice(s, e);
            // compare against a window of the probe's length at the sentence start
            let window: String = fold(sentence).to_lowercase().chars().take(probe_len + 20).collect();
            let score = strsim::normalized_levenshtein(&probe, &window);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, s));
            }
        }
        best.filter(|(score, _)| *score > 0.3).map(|(_, s)| {
            let end = self.word_end((s + probe_len.max(40)).min(self.len_chars()));
            self.slice(s, end).trim_end().to_string()
        })
    }

    /// `end` moved forward to the end of the word it falls in, so that a
    /// passage cut there never ends inside a word: letters and digits make a
    /// word, and so do an apostrophe or a hyphen between two of them
    /// (`aujourd'hui`, `Nord-Coréens`).
    fn word_end(&self, end: usize) -> usize {
        let n = self.len_chars();
        let at = |i: usize| self.slice(i, i + 1).chars().next().unwrap_or(' ');
        let joins = |i: usize| {
            let c = at(i);
            c.is_alphanumeric()
                || (matches!(c, '\'' | '\u{2019}' | '-')
                    && i > 0
                    && i + 1 < n
                    && at(i - 1).is_alphanumeric()
                    && at(i + 1).is_alphanumeric())
        };
        let mut e = end;
        while e > 0 && e < n && joins(e - 1) && joins(e) {
            e += 1;
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn offsets_map_code_points_to_bytes_and_back(s in "[a-z \u{e9}\u{ab}\u{bb}\u{2019}\u{1F600}]{0,40}") {
            let offsets = Offsets::of(&s);
            let bytes: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
            proptest::prop_assert_eq!(offsets.len_chars(), s.chars().count());
            proptest::prop_assert_eq!(matches!(offsets, Offsets::Ascii(_)), s.is_ascii());
            for (i, &b) in bytes.iter().enumerate() {
                proptest::prop_assert_eq!(offsets.byte(i), b);
                proptest::prop_assert_eq!(offsets.char_at(b), i);
            }
        }

        #[test]
        fn overlapping_finds_what_a_plain_scan_finds(
            text in "[ab é€]{0,200}",
            needle in "[ab é€]{1,4}",
        ) {
            let plain: Vec<usize> =
                text.char_indices().map(|(b, _)| b).filter(|&b| text[b..].starts_with(&needle)).collect();
            proptest::prop_assert_eq!(overlapping(&text, &needle), plain);
        }

        #[test]
        fn long_passages_are_found_where_a_plain_scan_finds_them(
            text in "[ab é€]{0,400}",
            at in 0usize..400,
            len in 14usize..40,
            change in proptest::option::of(0usize..40),
        ) {
            // a piece of the text (or that piece with one character changed)
            let chars: Vec<char> = text.chars().collect();
            let at = at.min(chars.len());
            let mut piece: Vec<char> = chars[at..(at + len).min(chars.len())].to_vec();
            if let Some(i) = change.filter(|i| *i < piece.len()) {
                piece[i] = if piece[i] == 'a' { 'b' } else { 'a' };
            }
            let needle: String = piece.into_iter().collect();
            proptest::prop_assume!(!needle.is_empty());
            let plain: Vec<usize> =
                text.char_indices().map(|(b, _)| b).filter(|&b| text[b..].starts_with(&needle)).collect();
            proptest::prop_assert_eq!(overlapping(&text, &needle), plain);
        }
    }

    #[test]
    fn offsets_are_code_points() {
        let t = ArticleText::new("Élan à Bakou. Puis Bakou.".into());
        assert_eq!(t.occurrences("Bakou"), vec![7, 19]);
        assert_eq!(t.slice(7, 12), "Bakou");
        assert_eq!(t.len_chars(), 25);
    }

    #[test]
    fn unique_passage_is_exact_and_repeated_needs_start() {
        let t = ArticleText::new("La Russie parle. La Russie agit.".into());
        assert_eq!(t.locate("parle", None), Locate::Exact(Span { start: 10, end: 15 }));
        assert!(matches!(t.locate("La Russie", None), Locate::Ambiguous { count: 2, .. }));
        assert_eq!(t.locate("La Russie", Some(17)), Locate::Exact(Span { start: 17, end: 26 }));
        match t.locate("La Russie", Some(3)) {
            Locate::OffsetMismatch { found, actual } => {
                assert_eq!(found, Some(Span { start: 0, end: 9 }));
                assert_eq!(actual, "Russie pa");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn folded_match_maps_back_to_original_offsets() {
        let t = ArticleText::new("Il a dit « un  événement triste ».\nL’avion".into());
        match t.locate("\"un événement triste\"", None) {
            Locate::Folded(sp) => assert_eq!(t.slice(sp.start, sp.end), "« un  événement triste »"),
            other => panic!("{other:?}"),
        }
        match t.locate("L'avion", None) {
            Locate::Folded(sp) => assert_eq!(t.slice(sp.start, sp.end), "L’avion"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_passage_suggests_the_closest_sentence() {
        let t = ArticleText::new("Titre\nLa Corée du Nord a envoyé des soldats. Autre chose ici.".into());
        match t.locate("La Corée du Nord a envoyé des soldat en Russie", None) {
            Locate::NotFound { closest: Some(c) } => assert!(c.starts_with("La Corée du Nord a envoyé"), "{c}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_closest_passage_never_cuts_a_word() {
        // the probe's length ends inside `soldats`, `aujourd'hui` and
        // `Nord-Coréens`: the hint runs to the end of the word
        let text = "Titre\nLa Corée du Nord a envoyé des soldats aujourd'hui vers les Nord-Coréens du front.";
        let t = ArticleText::new(text.into());
        for cut in 25..text.chars().count() - 6 {
            let probe: String = text.chars().skip(6).take(cut).collect::<String>().replace("envoyé", "expédié");
            let Locate::NotFound { closest: Some(c) } = t.locate(&probe, None) else { continue };
            assert!(text.contains(&c), "{c}");
            let after = text[text.find(&c).unwrap() + c.len()..].chars().next();
            assert!(after.is_none_or(|a| !a.is_alphanumeric() && a != '\'' && a != '-'), "cut {cut}: `{c}`");
            assert!(!c.ends_with('\'') && !c.ends_with('-'), "{c}");
        }
        assert_eq!(t.word_end(39), 43, "inside `soldats` (36..43)");
        assert_eq!(t.word_end(36), 36, "at the start of a word");
        assert_eq!(t.word_end(43), 43, "at its end");
        assert_eq!(t.word_end(48), 55, "inside `aujourd'hui` (44..55)");
    }

    #[test]
    fn sentences_and_paragraphs_are_numbered() {
        let t = ArticleText::new("Titre ?\nUne phrase. Deux 3.5 fois.\n\nTroisième « ok. » suite.".into());
        assert_eq!(t.paragraph(0), 1);
        assert_eq!(t.paragraph(8), 2);
        let third = t.as_str().chars().position(|c| c == 'T').unwrap();
        assert_eq!(third, 0);
        let p3 = t.occurrences("Troisième")[0];
        assert_eq!(t.paragraph(p3), 3);
        assert_eq!(t.sentence(0), 1);
        assert_eq!(t.sentence(t.occurrences("Une")[0]), 2);
        assert_eq!(t.sentence(t.occurrences("Deux")[0]), 3);
        assert_eq!(t.sentence(t.occurrences("fois")[0]), 3, "3.5 does not end a sentence");
        assert_eq!(t.sentence(p3), 4);
        assert_eq!(t.sentence(t.occurrences("suite")[0]), 4, "a closing quote does not start a sentence");
    }
}
