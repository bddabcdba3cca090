//! The knowledge tables, loaded once.
//!
//! What the classifier knows lives in TOML files under `src/rules/`, each
//! entry quoting the real bounce line it was made for:
//! - `reasons.toml`: diagnostic phrases -> reason,
//! - `details.toml`: diagnostic phrases -> finer topic (spf, rbl, quota, ...),
//! - `status.toml`: RFC 3463 status codes -> reason,
//! - `formats.toml`: how each mail system's notice is recognised, and where the
//!   returned original starts.
//!
//! They are embedded in the binary and compiled into `RegexSet`s the first
//! time they are used; a malformed table is a bug caught by the unit tests
//! below, so loading panics with the file's name rather than returning errors.

use crate::reason::Reason;
use regex::{RegexSet, RegexSetBuilder};
use regex_automata::meta;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

const REASONS_TOML: &str = include_str!("rules/reasons.toml");
const DETAILS_TOML: &str = include_str!("rules/details.toml");
const STATUS_TOML: &str = include_str!("rules/status.toml");
const FORMATS_TOML: &str = include_str!("rules/formats.toml");
const NOTICE_TOML: &str = include_str!("rules/notice.toml");

/// Where a notice puts things (`rules/notice.toml`), compiled.
pub struct NoticePatterns {
    pub not_recipient: regex::Regex,
    pub recipient_label: regex::Regex,
    pub recipient_phrase: regex::Regex,
    pub recipient_after: regex::Regex,
    pub after_address: regex::Regex,
    pub reporting_host: regex::Regex,
    pub implied_rcpt: regex::Regex,
    pub auto_reply_subject: regex::Regex,
    /// A pasted auto-reply's first line: its subject as a client shows it.
    pub auto_reply_opening: regex::Regex,
    /// A pasted auto-reply's statement that it was sent automatically.
    pub auto_reply_statement: regex::Regex,
    /// A pasted auto-reply's statement that the person is away.
    pub away_statement: regex::Regex,
    pub feedback_text: regex::Regex,
    /// A relay's line introducing the remote server's own reply.
    pub reply_intro: regex::Regex,
    /// A failed delivery to a file or a program, which names no address.
    pub local_delivery_item: regex::Regex,
    /// The label under such an item before the address it was made for.
    pub generated_by: regex::Regex,
    /// A reply's subject ("RE: ..."): a thread about a bounce, not one.
    pub reply_subject: regex::Regex,
    /// The local part of a mail system's own mailbox.
    pub system_mailbox: regex::Regex,
    /// After an address: the server refused it as the sender, not a recipient.
    pub sender_refused: regex::Regex,
    /// A send-error dialog's quotation of the server's reply.
    pub quoted_reply: regex::Regex,
    pub delayed: RegexSet,
    /// Words that make a line ending in ':' introduce recipients.
    pub intro_words: Vec<String>,
    /// Characters a list item may start with.
    pub bullets: Vec<char>,
    /// Copied-header label (lowercase) -> the header it stands for.
    pub copied_header_labels: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct NoticeFile {
    pattern: HashMap<String, MarkerEntry>,
    delayed: DelayedEntry,
    intro_words: Vec<String>,
    bullets: Vec<String>,
    copied_header_labels: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DelayedEntry {
    patterns: Vec<String>,
    #[allow(dead_code)] // checked by the tests
    example: String,
}

impl NoticePatterns {
    fn load() -> NoticePatterns {
        let mut file: NoticeFile =
            toml::from_str(NOTICE_TOML).unwrap_or_else(|e| panic!("src/rules/notice.toml: {e}"));
        let mut take = |name: &str| {
            let entry = file
                .pattern
                .remove(name)
                .unwrap_or_else(|| panic!("src/rules/notice.toml: [pattern.{name}] is missing"));
            ascii_regex(&entry.pattern)
                .unwrap_or_else(|e| panic!("src/rules/notice.toml: [pattern.{name}]: {e}"))
        };
        NoticePatterns {
            not_recipient: take("not_recipient"),
            recipient_label: take("recipient_label"),
            recipient_phrase: take("recipient_phrase"),
            recipient_after: take("recipient_after"),
            after_address: take("after_address"),
            reporting_host: take("reporting_host"),
            implied_rcpt: take("implied_rcpt"),
            auto_reply_subject: take("auto_reply_subject"),
            auto_reply_opening: take("auto_reply_opening"),
            auto_reply_statement: take("auto_reply_statement"),
            away_statement: take("away_statement"),
            feedback_text: take("feedback_text"),
            reply_intro: take("reply_intro"),
            local_delivery_item: take("local_delivery_item"),
            generated_by: take("generated_by"),
            reply_subject: take("reply_subject"),
            system_mailbox: take("system_mailbox"),
            sender_refused: take("sender_refused"),
            quoted_reply: take("quoted_reply"),
            delayed: RegexSet::new(file.delayed.patterns.iter().map(|p| asciify(p)))
                .unwrap_or_else(|e| panic!("src/rules/notice.toml: [delayed]: {e}")),
            intro_words: file.intro_words,
            bullets: file
                .bullets
                .iter()
                .filter_map(|b| b.chars().next())
                .collect(),
            copied_header_labels: file.copied_header_labels,
        }
    }
}

/// Every compiled table.
pub static RULES: LazyLock<Rules> = LazyLock::new(Rules::load);

/// A phrase rule as written in `reasons.toml` or `details.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseRule {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    pub pattern: String,
    pub example: String,
    #[serde(default)]
    pub source: Option<String>,
    /// Decides the reason outright, before the precedence walk.
    #[serde(default)]
    pub decisive: bool,
}

#[derive(Debug, Deserialize)]
struct PhraseFile {
    rule: Vec<PhraseRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusEntry {
    code: String,
    reason: String,
    #[allow(dead_code)]
    meaning: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendmailReplyEntry {
    reply: u16,
    command: Option<String>,
    status: String,
    #[serde(default)]
    over_verdict: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImpliedStatusEntry {
    pattern: String,
    status: String,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
    #[allow(dead_code)]
    source: String,
}

#[derive(Debug, Deserialize)]
struct StatusFile {
    status: Vec<StatusEntry>,
    sendmail_reply: Vec<SendmailReplyEntry>,
    implied: Vec<ImpliedStatusEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerEntry {
    pattern: String,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatEntry {
    name: String,
    detect: Vec<String>,
    #[serde(default)]
    default_reason: Option<String>,
    example: String,
}

#[derive(Debug, Deserialize)]
struct FormatsFile {
    evidence_words: Vec<String>,
    original_marker: Vec<MarkerEntry>,
    notice_marker: Vec<MarkerEntry>,
    subject_marker: Vec<MarkerEntry>,
    notice_subject_opening: Vec<MarkerEntry>,
    format: Vec<FormatEntry>,
}

/// Phrase rules compiled per label: one small `RegexSet` for each reason (or
/// topic), searched with `is_match`, which stops at the first hit and lets the
/// literal prefilters work. One set for the whole table would need an
/// overlapping search whose lazy DFA keeps building states (measured: three
/// times slower on the corpus).
pub struct PhraseTable<L> {
    gated: GatedSet,
    labels: Vec<L>,
    pub rules: Vec<PhraseRule>,
}

impl<L: Copy + PartialEq> PhraseTable<L> {
    fn build(file: &str, rules: Vec<PhraseRule>, labels: Vec<L>) -> PhraseTable<L> {
        let patterns: Vec<String> = rules.iter().map(|r| r.pattern.clone()).collect();
        PhraseTable {
            gated: GatedSet::new(file, &patterns),
            labels,
            rules,
        }
    }

    /// Labels of every rule matching the normalised text, in table order,
    /// without repeats.
    pub fn matches(&self, normalized: &str) -> Vec<L> {
        self.scan(normalized).labels
    }

    /// One pass: the labels matched, and those matched by decisive rules.
    pub fn scan(&self, normalized: &str) -> Scan<L> {
        let mut scan = Scan {
            labels: Vec::new(),
            decisive: Vec::new(),
        };
        for i in self.gated.matching(normalized) {
            let label = self.labels[i];
            if !scan.labels.contains(&label) {
                scan.labels.push(label);
            }
            if self.rules[i].decisive && !scan.decisive.contains(&label) {
                scan.decisive.push(label);
            }
        }
        scan
    }

    /// The label of the first rule in table order that matches.
    pub fn first_match(&self, normalized: &str) -> Option<L> {
        self.gated
            .first_matching(normalized)
            .map(|i| self.labels[i])
    }

    /// The labels that have rules.
    pub fn labels(&self) -> impl Iterator<Item = L> + '_ {
        let mut seen: Vec<L> = Vec::new();
        self.labels.iter().copied().filter(move |l| {
            let new = !seen.contains(l);
            if new {
                seen.push(*l);
            }
            new
        })
    }
}

/// What one pass of a phrase table found.
#[derive(Debug, Clone)]
pub struct Scan<L> {
    /// Every label matched, in table order.
    pub labels: Vec<L>,
    /// Labels matched by a `decisive = true` rule.
    pub decisive: Vec<L>,
}

impl<L> Default for Scan<L> {
    fn default() -> Self {
        Scan {
            labels: Vec::new(),
            decisive: Vec::new(),
        }
    }
}

/// A set of patterns searched through their literals.
///
/// Every rule that can only match where one of a few literal strings starts
/// (`user unknown`, `(?:no such|unknown) user`) is tried only when one of
/// those strings occurs in the text, found for all rules at once by one
/// Aho-Corasick pass, and only there; a rule no literal opens but whose
/// every match contains one (`\d+ messages? (?:held|pending)`) is searched
/// through the whole text when one occurs ([`Gate::Inner`]); the few rules
/// with neither form a small `RegexSet` searched every time. An overlapping
/// search of one `RegexSet` of all ~600 rules spends its time building
/// lazy-DFA states and was measured at a third of this speed.
pub(crate) struct GatedSet {
    literals: aho_corasick::AhoCorasick,
    /// For each literal, the rules it gates.
    gates: Vec<Vec<usize>>,
    regexes: Vec<meta::Regex>,
    /// For each rule, true when its literals are not where its matches
    /// start but somewhere inside them ([`Gate::Inner`]): sighted, the rule
    /// is searched through the whole text once.
    inner: Vec<bool>,
    ungated: RegexSet,
    ungated_ids: Vec<usize>,
}

/// Where a gated rule's literals were seen in one text.
#[derive(Clone, Copy)]
struct Sighting {
    /// How many times (capped at [`ANCHORED_TRIES`] + 1).
    count: usize,
    /// The first [`ANCHORED_TRIES`] start positions.
    starts: [usize; ANCHORED_TRIES],
    /// The earliest start seen.
    first: usize,
}

impl Sighting {
    const NONE: Sighting = Sighting {
        count: 0,
        starts: [0; ANCHORED_TRIES],
        first: 0,
    };
}

/// How many literal sightings of one rule are each checked by an anchored
/// search (which reads only as far as the rule can match from there). A rule
/// sighted more often is checked once, unanchored, from its first sighting,
/// so a text full of one literal costs one pass, not one per sighting.
const ANCHORED_TRIES: usize = 4;

thread_local! {
    /// Per-thread scratch for [`GatedSet::matching`]: one slot per rule of
    /// the largest table, and the rules sighted in the current text.
    static SIGHTINGS: std::cell::RefCell<(Vec<Sighting>, Vec<usize>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

impl GatedSet {
    pub(crate) fn new(file: &str, patterns: &[String]) -> GatedSet {
        let mut literal_ids: std::collections::HashMap<Vec<u8>, usize> =
            std::collections::HashMap::new();
        let mut literal_list: Vec<Vec<u8>> = Vec::new();
        let mut gates: Vec<Vec<usize>> = Vec::new();
        let mut ungated_ids = Vec::new();
        let mut regexes = Vec::with_capacity(patterns.len());
        let mut inner = Vec::with_capacity(patterns.len());
        for (id, pattern) in patterns.iter().enumerate() {
            let ascii = asciify(pattern);
            regexes.push(
                meta::Regex::builder()
                    .configure(meta::Config::new().nfa_size_limit(Some(16 << 20)))
                    .build(&ascii)
                    .unwrap_or_else(|e| {
                        panic!("src/rules/{file}: pattern {pattern:?} does not compile: {e}")
                    }),
            );
            let gate = gate_literals(&ascii);
            inner.push(matches!(gate, Some(Gate::Inner(_))));
            match gate {
                Some(Gate::Prefix(lits) | Gate::Inner(lits)) => {
                    for mut lit in lits {
                        lit.truncate(GATE_LITERAL_BYTES);
                        let next = literal_list.len();
                        let lid = *literal_ids.entry(lit.clone()).or_insert_with(|| {
                            literal_list.push(lit);
                            gates.push(Vec::new());
                            next
                        });
                        if !gates[lid].contains(&id) {
                            gates[lid].push(id);
                        }
                    }
                }
                None => ungated_ids.push(id),
            }
        }
        let ungated_patterns: Vec<String> =
            ungated_ids.iter().map(|i| patterns[*i].clone()).collect();
        GatedSet {
            literals: aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&literal_list)
                .unwrap_or_else(|e| panic!("src/rules/{file}: literal prefilter: {e}")),
            gates,
            regexes,
            inner,
            ungated: compile_set(file, &ungated_patterns),
            ungated_ids,
        }
    }

    /// Indexes of the matching patterns, ascending.
    ///
    /// Every match of a prefix-gated rule starts where one of its literals
    /// starts, so the rule is checked only there, anchored: a few bytes of
    /// work per sighting instead of a search through the whole text per rule.
    pub(crate) fn matching(&self, text: &str) -> Vec<usize> {
        self.search(text, false)
    }

    /// The lowest index of a matching pattern: the rules sighted after it
    /// are not checked.
    pub(crate) fn first_matching(&self, text: &str) -> Option<usize> {
        self.search(text, true).first().copied()
    }

    fn search(&self, text: &str, first_only: bool) -> Vec<usize> {
        use regex_automata::{Anchored, Input};
        SIGHTINGS.with_borrow_mut(|(slots, touched)| {
            if slots.len() < self.regexes.len() {
                slots.resize(self.regexes.len(), Sighting::NONE);
            }
            touched.clear();
            for m in self.literals.find_overlapping_iter(text) {
                let start = m.start();
                for &id in &self.gates[m.pattern().as_usize()] {
                    let slot = &mut slots[id];
                    if slot.count == 0 {
                        touched.push(id);
                        slot.first = start;
                    }
                    slot.first = slot.first.min(start);
                    if slot.count < ANCHORED_TRIES {
                        slot.starts[slot.count] = start;
                    }
                    if slot.count <= ANCHORED_TRIES {
                        slot.count += 1;
                    }
                }
            }
            let mut out: Vec<usize> = Vec::new();
            if !self.ungated_ids.is_empty() {
                out.extend(
                    self.ungated
                        .matches(text)
                        .iter()
                        .map(|i| self.ungated_ids[i]),
                );
            }
            if first_only {
                touched.sort_unstable();
            }
            // With `first_only`, no gated rule after this one can matter.
            let mut bound = if first_only {
                out.iter().copied().min().unwrap_or(usize::MAX)
            } else {
                usize::MAX
            };
            for &id in touched.iter() {
                let slot = std::mem::replace(&mut slots[id], Sighting::NONE);
                if id > bound {
                    continue;
                }
                let re = &self.regexes[id];
                let hit = if self.inner[id] {
                    re.is_match(Input::new(text))
                } else if slot.count <= ANCHORED_TRIES {
                    slot.starts[..slot.count]
                        .iter()
                        .any(|&s| re.is_match(Input::new(text).range(s..).anchored(Anchored::Yes)))
                } else {
                    re.is_match(Input::new(text).range(slot.first..))
                };
                if hit {
                    out.push(id);
                    if first_only {
                        bound = id;
                    }
                }
            }
            out.sort_unstable();
            if first_only {
                out.truncate(1);
            }
            out
        })
    }
}

/// How much of each literal prefix the gate looks for. The whole prefixes of
/// the reason table (thousands, from expanded alternations) made an
/// Aho-Corasick DFA of about 65 MB, most of a running bot's memory; their
/// first ten bytes make one of about 7 MB, and the rule itself still decides
/// (measured: same throughput).
const GATE_LITERAL_BYTES: usize = 10;

/// Literals that every match of a pattern contains, found by one
/// Aho-Corasick pass for all the rules of a table.
#[derive(Debug, PartialEq)]
enum Gate {
    /// Every match starts with one of these.
    Prefix(Vec<Vec<u8>>),
    /// Every match contains one of these, not necessarily at its start
    /// (`\d+ messages? (?:held|pending)`: no literal opens it).
    Inner(Vec<Vec<u8>>),
}

/// Shortest literal worth gating on: shorter ones occur everywhere.
const MIN_GATE_LITERAL_BYTES: usize = 3;

/// Most literals one rule may be gated by.
const MAX_GATE_LITERALS: usize = 256;

/// The literals a pattern's matches start with, or else contain, when
/// there are few enough and none is shorter than [`MIN_GATE_LITERAL_BYTES`].
fn gate_literals(pattern: &str) -> Option<Gate> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    if let Some(lits) = prefix_literals_of(&hir) {
        return Some(Gate::Prefix(lits));
    }
    inner_literals_of(&hir).map(Gate::Inner)
}

fn prefix_literals_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_total(MAX_GATE_LITERALS);
    let seq = extractor.extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty()
        || literals
            .iter()
            .any(|l| l.as_bytes().len() < MIN_GATE_LITERAL_BYTES)
    {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// Literals every match contains: a concatenation's matches contain a match
/// of each of its parts, so the prefixes of any one part will do (the part
/// whose shortest literal is longest, the later on a tie: the specific words
/// of a phrase tend to come last); an alternation's, those of each branch.
fn inner_literals_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    if let Some(lits) = prefix_literals_of(hir) {
        return Some(lits);
    }
    match hir.kind() {
        HirKind::Capture(c) => inner_literals_of(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => inner_literals_of(&r.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(inner_literals_of)
            .map(|lits| {
                let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
                (shortest, lits)
            })
            .fold(
                None,
                |best: Option<(usize, Vec<Vec<u8>>)>, this| match best {
                    Some(b) if b.0 > this.0 => Some(b),
                    _ => Some(this),
                },
            )
            .map(|(_, lits)| lits),
        HirKind::Alternation(branches) => {
            // Cut to what the gate looks for, so expanded branches share.
            let mut all: Vec<Vec<u8>> = Vec::new();
            for b in branches {
                for mut lit in inner_literals_of(b)? {
                    lit.truncate(GATE_LITERAL_BYTES);
                    if !all.contains(&lit) {
                        all.push(lit);
                    }
                }
            }
            (all.len() <= MAX_GATE_LITERALS).then_some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    match gate_literals(pattern)? {
        Gate::Prefix(lits) => Some(lits),
        Gate::Inner(_) => None,
    }
}

/// The status Sendmail's DSN gives a remote reply without an enhanced code.
pub struct SendmailReply {
    pub status: String,
    /// It outranks Sendmail's own generic verdict line on the address.
    pub over_verdict: bool,
}

/// A recognised mail-system family.
pub struct Format {
    pub name: String,
    /// The reason this system's notices always mean when nothing more
    /// specific is said (Google Groups: the post was refused).
    pub default_reason: Option<Reason>,
}

/// All tables.
pub struct Rules {
    pub reasons: PhraseTable<Reason>,
    /// The `decisive = true` subset of `reasons`, small enough to scan the
    /// whole notice context with every time.
    pub decisive: PhraseTable<Reason>,
    /// Words that make a notice line worth reading as a diagnostic.
    pub evidence_words: aho_corasick::AhoCorasick,
    pub details: PhraseTable<&'static str>,
    status: HashMap<String, Reason>,
    /// (reply code, command) -> the status Sendmail writes for that reply.
    sendmail_reply: HashMap<(u16, Option<String>), SendmailReply>,
    /// Fixed notice sentences and the status their writer always gives them.
    implied_status: (RegexSet, Vec<String>),
    pub original_markers: RegexSet,
    /// Phrases only a delivery-failure notice writes.
    pub notice_markers: RegexSet,
    /// Subjects of bounce notices.
    pub subject_markers: RegexSet,
    /// How a notice's own subject opens ("Undeliverable: ..."): a bounce
    /// claim even when the rest of the subject asks a question.
    pub notice_subject_openings: RegexSet,
    pub formats: Vec<Format>,
    /// Where a notice puts things.
    pub notice: NoticePatterns,
    /// Every format's `detect` patterns, labelled with the format's index.
    format_detect: PhraseTable<usize>,
}

/// Rewrites Unicode-aware shorthands to their ASCII forms. The text rules
/// see is normalised (full-width folded, whitespace collapsed to spaces), so
/// nothing is lost, and a Unicode `\b` would stop the lazy DFA on every
/// Japanese byte and send matching to the slow PikeVM.
pub fn asciify(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if in_class == 0 => out.push_str("(?-u:\\b)"),
                Some('B') if in_class == 0 => out.push_str("(?-u:\\B)"),
                Some('d') => out.push_str(if in_class > 0 { "0-9" } else { "[0-9]" }),
                Some('w') => out.push_str(if in_class > 0 {
                    "0-9A-Za-z_"
                } else {
                    "[0-9A-Za-z_]"
                }),
                Some('s') => out.push_str(if in_class > 0 {
                    "\\t\\n\\r "
                } else {
                    "[\\t\\n\\r ]"
                }),
                Some('S') if in_class == 0 => out.push_str("[^\\t\\n\\r ]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '{' if in_class == 0 => {
                // A long counted repeat ("with some words between") multiplies
                // DFA states by its count; unbounded means the same here.
                let mut spec = String::new();
                while let Some(&d) = chars.peek() {
                    chars.next();
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                match spec.split_once(',') {
                    Some((lo, hi)) if hi.parse::<u32>().is_ok_and(|h| h > 10) => {
                        out.push('{');
                        out.push_str(lo);
                        out.push_str(",}");
                    }
                    _ => {
                        out.push('{');
                        out.push_str(&spec);
                        out.push('}');
                    }
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A regex with [`asciify`] applied: for the fixed regexes of the extractor,
/// which read text that may hold Japanese.
pub fn ascii_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&asciify(pattern))
}

fn compile_set(file: &str, patterns: &[String]) -> RegexSet {
    let patterns: Vec<String> = patterns.iter().map(|p| asciify(p)).collect();
    RegexSetBuilder::new(&patterns)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap_or_else(|e| panic!("src/rules/{file}: a pattern does not compile: {e}"))
}

impl Rules {
    fn load() -> Rules {
        let reasons: PhraseFile =
            toml::from_str(REASONS_TOML).unwrap_or_else(|e| panic!("src/rules/reasons.toml: {e}"));
        let reason_labels: Vec<Reason> = reasons
            .rule
            .iter()
            .map(|r| {
                let name = r.reason.as_deref().unwrap_or_else(|| {
                    panic!("src/rules/reasons.toml: rule {:?} has no reason", r.pattern)
                });
                Reason::from_name(name)
                    .unwrap_or_else(|| panic!("src/rules/reasons.toml: unknown reason {name:?}"))
            })
            .collect();

        let details: PhraseFile =
            toml::from_str(DETAILS_TOML).unwrap_or_else(|e| panic!("src/rules/details.toml: {e}"));
        let detail_labels = details
            .rule
            .iter()
            .map(|r| {
                let name = r.detail.as_deref().unwrap_or_else(|| {
                    panic!("src/rules/details.toml: rule {:?} has no detail", r.pattern)
                });
                DETAIL_TOPICS
                    .iter()
                    .copied()
                    .find(|t| *t == name)
                    .unwrap_or_else(|| {
                        panic!("src/rules/details.toml: unknown detail topic {name:?}")
                    })
            })
            .collect();

        let status: StatusFile =
            toml::from_str(STATUS_TOML).unwrap_or_else(|e| panic!("src/rules/status.toml: {e}"));
        let implied_status = (
            compile_set(
                "status.toml",
                &status
                    .implied
                    .iter()
                    .map(|e| e.pattern.clone())
                    .collect::<Vec<_>>(),
            ),
            status.implied.iter().map(|e| e.status.clone()).collect(),
        );
        let sendmail_reply = status
            .sendmail_reply
            .into_iter()
            .map(|e| {
                let reply = SendmailReply {
                    status: e.status,
                    over_verdict: e.over_verdict,
                };
                ((e.reply, e.command), reply)
            })
            .collect();
        let status = status
            .status
            .into_iter()
            .map(|s| {
                let reason = Reason::from_name(&s.reason).unwrap_or_else(|| {
                    panic!("src/rules/status.toml: unknown reason {:?}", s.reason)
                });
                (s.code, reason)
            })
            .collect();

        let formats: FormatsFile =
            toml::from_str(FORMATS_TOML).unwrap_or_else(|e| panic!("src/rules/formats.toml: {e}"));
        let markers: Vec<String> = formats
            .original_marker
            .iter()
            .map(|m| m.pattern.clone())
            .collect();
        let notice: Vec<String> = formats
            .notice_marker
            .iter()
            .map(|m| m.pattern.clone())
            .collect();
        let subject: Vec<String> = formats
            .subject_marker
            .iter()
            .map(|m| m.pattern.clone())
            .collect();

        Rules {
            evidence_words: aho_corasick::AhoCorasick::new(&formats.evidence_words)
                .unwrap_or_else(|e| panic!("src/rules/formats.toml: evidence_words: {e}")),
            decisive: {
                let (rules, labels): (Vec<PhraseRule>, Vec<Reason>) = reasons
                    .rule
                    .iter()
                    .cloned()
                    .zip(reason_labels.iter().copied())
                    .filter(|(r, _)| r.decisive)
                    .unzip();
                PhraseTable::build("reasons.toml", rules, labels)
            },
            reasons: PhraseTable::build("reasons.toml", reasons.rule, reason_labels),
            details: PhraseTable::build("details.toml", details.rule, detail_labels),
            status,
            sendmail_reply,
            implied_status,
            original_markers: RegexSetBuilder::new(markers.iter().map(|p| asciify(p)))
                .case_insensitive(true)
                .build()
                .unwrap_or_else(|e| panic!("src/rules/formats.toml: original_marker: {e}")),
            notice_markers: compile_set("formats.toml", &notice),
            subject_markers: compile_set("formats.toml", &subject),
            notice_subject_openings: compile_set(
                "formats.toml",
                &formats
                    .notice_subject_opening
                    .iter()
                    .map(|m| m.pattern.clone())
                    .collect::<Vec<_>>(),
            ),
            notice: NoticePatterns::load(),
            // Rules in format order, so the first rule matching names the
            // first format matching (`detect_format`).
            format_detect: {
                let mut rules = Vec::new();
                let mut labels = Vec::new();
                for (i, f) in formats.format.iter().enumerate() {
                    for pattern in &f.detect {
                        rules.push(PhraseRule {
                            reason: None,
                            detail: None,
                            pattern: pattern.clone(),
                            example: f.example.clone(),
                            source: Some(f.name.clone()),
                            decisive: false,
                        });
                        labels.push(i);
                    }
                }
                PhraseTable::build("formats.toml", rules, labels)
            },
            formats: formats
                .format
                .into_iter()
                .map(|f| Format {
                    default_reason: f.default_reason.as_deref().map(|r| {
                        Reason::from_name(r).unwrap_or_else(|| {
                            panic!("src/rules/formats.toml: unknown default_reason {r:?}")
                        })
                    }),
                    name: f.name,
                })
                .collect(),
        }
    }

    /// The status Sendmail gives a remote reply without an enhanced code,
    /// in reply to `command` (see `status.toml`).
    pub fn sendmail_status(&self, reply: u16, command: Option<&str>) -> Option<&SendmailReply> {
        command
            .and_then(|c| self.sendmail_reply.get(&(reply, Some(c.to_string()))))
            .or_else(|| self.sendmail_reply.get(&(reply, None)))
    }

    /// The status a mail system always writes for a fixed sentence of its
    /// notice found in the normalised text (see `status.toml`, `implied`).
    pub fn implied_status(&self, normalized: &str) -> Option<&str> {
        let (set, statuses) = &self.implied_status;
        set.matches(normalized)
            .iter()
            .next()
            .map(|i| statuses[i].as_str())
    }

    /// The reason a status code names by itself, if it is specific enough.
    /// A provider's full code (`5.7.509`) wins over the class-free entry
    /// (`X.7.509`), which wins over nothing.
    pub fn reason_for_status(&self, status: &str) -> Option<Reason> {
        if let Some(r) = self.status.get(status) {
            return Some(*r);
        }
        let rest = status.get(1..)?;
        self.status.get(&format!("X{rest}")).copied()
    }

    /// The first format in table order whose `detect` patterns match.
    pub fn detect_format(&self, normalized: &str) -> Option<&Format> {
        self.format_detect
            .first_match(normalized)
            .map(|i| &self.formats[i])
    }
}

/// The finer topics a `detail` may name; each has advice in `responses/details/`.
pub const DETAIL_TOPICS: &[&str] = &[
    "spf",
    "dkim",
    "dmarc",
    "rbl",
    "greylisting",
    "quota",
    "relay_denied",
    "account_disabled",
    "date_header",
    "tls",
    "rate_limit",
    "reverse_dns",
    "message_size",
    "too_many_recipients",
    "dns_failure",
    "auth_required",
    "sender_restricted",
    "unsubscribe",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;
    use regex::Regex;

    fn check_examples(file: &str, source: &str, key: &str) {
        #[derive(Deserialize)]
        struct Any {
            #[serde(default)]
            rule: Vec<toml::Value>,
            #[serde(default)]
            format: Vec<toml::Value>,
            #[serde(default)]
            original_marker: Vec<toml::Value>,
            #[serde(default)]
            notice_marker: Vec<toml::Value>,
            #[serde(default)]
            subject_marker: Vec<toml::Value>,
            #[serde(default)]
            notice_subject_opening: Vec<toml::Value>,
            #[serde(default)]
            implied: Vec<toml::Value>,
        }
        let any: Any = toml::from_str(source).unwrap();
        let entries = match key {
            "rule" => any.rule,
            "format" => any.format,
            "notice_marker" => any.notice_marker,
            "subject_marker" => any.subject_marker,
            "notice_subject_opening" => any.notice_subject_opening,
            "implied" => any.implied,
            _ => any.original_marker,
        };
        assert!(!entries.is_empty(), "{file} has no {key} entries");
        for entry in entries {
            let example = normalize(entry["example"].as_str().unwrap());
            let patterns: Vec<String> = match entry.get("pattern") {
                Some(p) => vec![p.as_str().unwrap().to_string()],
                None => entry["detect"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
            };
            let hit = patterns
                .iter()
                .any(|p| Regex::new(p).unwrap().is_match(&example));
            assert!(
                hit,
                "{file}: no pattern of {patterns:?} matches its own example {example:?}"
            );
        }
    }

    #[test]
    fn every_rule_matches_the_line_it_was_made_for() {
        check_examples("reasons.toml", REASONS_TOML, "rule");
        check_examples("details.toml", DETAILS_TOML, "rule");
        check_examples("formats.toml", FORMATS_TOML, "format");
        check_examples("formats.toml", FORMATS_TOML, "original_marker");
        check_examples("formats.toml", FORMATS_TOML, "notice_marker");
        check_examples("formats.toml", FORMATS_TOML, "subject_marker");
        check_examples("formats.toml", FORMATS_TOML, "notice_subject_opening");
        check_examples("status.toml", STATUS_TOML, "implied");
    }

    #[test]
    fn the_literal_gate_finds_what_a_plain_search_finds() {
        let patterns: Vec<String> = [
            "user unknown",
            "(?:no such|unknown) user",
            "^550 .*full",
            ".*quota",
            "\\bdisk (?:full|quota)",
            // Gated by literals inside, not at the start.
            "\\d+ (?:new )?messages? (?:are )?(?:held|pending)",
            "^-+ ?(?:original message|returned mail)",
            "\\bhop count|\\d+ hops",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let gated = GatedSet::new("test", &patterns);
        for text in [
            "550 user unknown",
            "no such user here",
            "550 mailbox full",
            "over quota",
            "nothing",
            "the disk quota",
            // A word boundary before the literal is seen by the anchored check.
            "xdisk quota",
            // Sighted more often than the anchored tries: the last one matches.
            "user unk user unk user unk user unk user unk user unknown",
            "no such no such no such no such no such no such user",
            "no such no such no such no such no such",
            "you have 3 new messages held",
            "you have 3 new messages",
            "12 message pending 5 messages held",
            "messages held",
            "--- original message",
            "text --- original message",
            "too many hops: 31 hops",
            "hop count exceeded",
            "hops",
        ] {
            let plain: Vec<usize> = patterns
                .iter()
                .enumerate()
                .filter(|(_, p)| Regex::new(&asciify(p)).unwrap().is_match(text))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(gated.matching(text), plain, "{text}");
            assert_eq!(gated.first_matching(text), plain.first().copied(), "{text}");
        }
        assert!(prefix_literals("user unknown").is_some());
        assert!(prefix_literals(".*quota").is_none());
        assert_eq!(
            gate_literals(".*quota"),
            Some(Gate::Inner(vec![b"quota".to_vec()]))
        );
        // The part whose shortest literal is longest gates.
        assert_eq!(
            gate_literals(r"\d+ (?:mail|message) (?:held|pending)"),
            Some(Gate::Inner(vec![b"held".to_vec(), b"pending".to_vec()]))
        );
        assert_eq!(gate_literals("##$"), None, "two bytes are too short a gate");
    }

    #[test]
    fn ascii_rewriting_keeps_meaning() {
        assert_eq!(
            asciify(r"\buser\s+unknown\b"),
            r"(?-u:\b)user[\t\n\r ]+unknown(?-u:\b)"
        );
        assert_eq!(asciify(r"[\d.]+\S"), r"[0-9.]+[^\t\n\r ]");
        assert_eq!(asciify(r"a\\b"), r"a\\b");
        assert_eq!(asciify(r"a.{0,160}b.{1,3}c"), r"a.{0,}b.{1,3}c");
        let re = Regex::new(&asciify(r"\bno such user\b")).unwrap();
        assert!(re.is_match("550 no such user here"));
        assert!(re.is_match("\u{30e6}\u{30fc}\u{30b6}\u{30fc} no such user\u{3002}"));
        assert!(!re.is_match("550 no such users"));
    }

    #[test]
    fn sendmail_reply_statuses_are_unique_and_name_known_commands() {
        let file: StatusFile = toml::from_str(STATUS_TOML).unwrap();
        let mut seen = std::collections::HashSet::new();
        for e in &file.sendmail_reply {
            assert!(
                seen.insert((e.reply, e.command.clone())),
                "status.toml: sendmail_reply {} {:?} twice",
                e.reply,
                e.command
            );
            // The words extract::find_command gives.
            assert!(e
                .command
                .as_deref()
                .is_none_or(|c| ["RCPT", "MAIL", "DATA"].contains(&c)));
            assert!(
                crate::text::find_status(&e.status).is_some(),
                "{}",
                e.status
            );
        }
        let status = |reply, command| {
            RULES
                .sendmail_status(reply, command)
                .map(|r| r.status.as_str())
        };
        assert_eq!(status(550, Some("RCPT")), Some("5.1.1"));
        assert_eq!(status(550, Some("DATA")), Some("5.2.0"));
        assert_eq!(status(554, None), None);
        // Only a "user not local" outranks Sendmail's generic verdict line.
        assert!(RULES
            .sendmail_status(551, Some("DATA"))
            .is_some_and(|r| r.over_verdict));
        assert!(RULES
            .sendmail_status(550, Some("RCPT"))
            .is_some_and(|r| !r.over_verdict));
    }

    #[test]
    fn every_notice_pattern_matches_its_example() {
        let file: toml::Value = toml::from_str(NOTICE_TOML).unwrap();
        let patterns = file["pattern"].as_table().unwrap();
        assert_eq!(patterns.len(), 19);
        for (name, entry) in patterns {
            let re = ascii_regex(entry["pattern"].as_str().unwrap()).unwrap();
            let example = entry["example"].as_str().unwrap();
            let hit = match name.as_str() {
                // These two read the text after an address.
                "recipient_after" | "after_address" => {
                    let after = example
                        .split_once("example.net")
                        .map(|(_, a)| a)
                        .unwrap_or(example);
                    re.is_match(after)
                }
                // These read the text before an address.
                "not_recipient" | "recipient_label" | "recipient_phrase" | "generated_by" => {
                    let before = crate::text::ADDRESS
                        .find(example)
                        .map(|m| &example[..m.start()])
                        .unwrap_or(example);
                    re.is_match(before)
                }
                _ => re.is_match(example),
            };
            assert!(
                hit,
                "src/rules/notice.toml: [pattern.{name}] does not match its example {example:?}"
            );
        }
        let delayed = &RULES.notice.delayed;
        assert!(delayed.is_match(file["delayed"]["example"].as_str().unwrap()));
    }

    /// Regression: the auto-reply formulas before a mid-pattern `(?i)` were
    /// case-sensitive, so a sentence opening with one was missed.
    #[test]
    fn auto_reply_formulas_match_in_any_case() {
        let statement = &RULES.notice.auto_reply_statement;
        for text in [
            "Limited access to email until Monday.",
            "I will Respond to you upon my return.",
            "THIS IS AN AUTOMATIC REPLY.",
        ] {
            assert!(statement.is_match(text), "{text}");
        }
    }

    #[test]
    fn tables_load_and_status_codes_map_by_class_or_provider() {
        let rules = &*RULES;
        assert_eq!(rules.reason_for_status("5.1.1"), Some(Reason::UserUnknown));
        assert_eq!(rules.reason_for_status("4.2.2"), Some(Reason::MailboxFull));
        assert_eq!(
            rules.reason_for_status("5.7.509"),
            Some(Reason::AuthFailure)
        );
        assert_eq!(rules.reason_for_status("5.0.0"), None);
        assert_eq!(rules.reason_for_status("5.7.1"), None);
    }

    #[test]
    fn every_reason_but_the_fallbacks_has_phrase_rules() {
        let covered: Vec<Reason> = RULES.reasons.labels().collect();
        for r in Reason::ALL {
            if matches!(
                r,
                Reason::Delivered | Reason::Feedback | Reason::Undefined | Reason::OnHold
            ) {
                continue;
            }
            assert!(covered.contains(r), "no phrase rule for {r}");
        }
    }
}
