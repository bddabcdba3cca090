//! Every fixture under `tests/fixtures/` is classified as its README table
//! says: reason of the first recipient, its status and reply code when the
//! table gives them, and the number of results (0 for non-bounces).

use bouncedesk::{analyze, Options};
use std::path::{Path, PathBuf};

struct Row {
    file: String,
    reason: String,
    status: String,
    reply_code: String,
    recipients: usize,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn table() -> Vec<Row> {
    let readme = std::fs::read_to_string(fixtures_dir().join("README.md"))
        .expect("tests/fixtures/README.md");
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in readme.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect();
        if cells.first().map(String::as_str) == Some("file")
            && cells.get(1).map(String::as_str) == Some("reason")
        {
            in_table = true;
            continue;
        }
        if !in_table || !line.trim_start().starts_with('|') || cells[0].starts_with("---") {
            continue;
        }
        rows.push(Row {
            file: cells[0].clone(),
            reason: cells[1].clone(),
            status: cells[2].clone(),
            reply_code: cells[3].clone(),
            recipients: cells[4]
                .parse()
                .unwrap_or_else(|_| panic!("bad recipients cell in row {line}")),
        });
    }
    rows
}

#[test]
fn the_table_lists_every_fixture_file_and_only_those() {
    let rows = table();
    assert!(
        rows.len() > 100,
        "the fixture table has only {} rows",
        rows.len()
    );
    let mut on_disk = Vec::new();
    for dir in std::fs::read_dir(fixtures_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        for file in std::fs::read_dir(dir.path()).unwrap().flatten() {
            on_disk.push(format!(
                "{}/{}",
                dir.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            ));
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
    listed.sort();
    assert_eq!(listed, on_disk);
}

#[test]
fn every_fixture_is_classified_as_its_table_row_says() {
    let mut failures = Vec::new();
    let rows = table();
    for row in &rows {
        let bytes = std::fs::read(fixtures_dir().join(&row.file)).unwrap();
        let results: Vec<_> = analyze(&bytes, &Options::default())
            .into_iter()
            .flat_map(|a| a.results)
            .collect();
        if results.len() != row.recipients {
            failures.push(format!(
                "{}: {} results, expected {}",
                row.file,
                results.len(),
                row.recipients
            ));
            continue;
        }
        let Some(first) = results.first() else {
            continue;
        };
        if first.reason.as_str() != row.reason {
            failures.push(format!(
                "{}: reason {}, expected {}",
                row.file, first.reason, row.reason
            ));
        }
        if !row.status.is_empty() && first.status.as_deref() != Some(row.status.as_str()) {
            failures.push(format!(
                "{}: status {:?}, expected {}",
                row.file, first.status, row.status
            ));
        }
        if !row.reply_code.is_empty()
            && first.reply_code.map(|c| c.to_string()).as_deref() != Some(row.reply_code.as_str())
        {
            failures.push(format!(
                "{}: reply code {:?}, expected {}",
                row.file, first.reply_code, row.reply_code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn file_names_say_the_expected_reason() {
    for row in table() {
        let stem = Path::new(&row.file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        if row.file.starts_with("lures/") {
            continue; // named by what they imitate; src/spoof.rs checks them
        }
        if row.file.starts_with("not-bounce/") {
            assert_eq!(row.recipients, 0, "{}", row.file);
            continue;
        }
        let named = stem.rsplit_once('-').map(|(r, _)| r).unwrap_or(&stem);
        assert_eq!(named, row.reason, "{}", row.file);
    }
}

/// Regression: Apple Mail's unsubscribe request was explained as a spam
/// complaint; it is feedback with the `unsubscribe` detail.
#[test]
fn an_apple_mail_unsubscribe_request_is_not_a_complaint() {
    let text = std::fs::read(fixtures_dir().join("paste/feedback-01.txt")).unwrap();
    let analyses = bouncedesk::analyze(&text, &bouncedesk::Options::default());
    let r = &analyses[0].results[0];
    assert_eq!(r.reason, bouncedesk::Reason::Feedback);
    assert_eq!(r.detail, Some("unsubscribe"));
}

/// Regression: Microsoft 365's own refusal to send for a restricted account
/// (5.1.8 bad outbound sender) was explained as the recipient's server
/// refusing the sender; it is the `sender_restricted` topic, and the
/// Japanese notice's 「生成サーバー:」 names the reporting server.
#[test]
fn a_restricted_sender_is_told_its_own_service_stopped_it() {
    let text = std::fs::read(fixtures_dir().join("paste/rejected-05.txt")).unwrap();
    let analyses = bouncedesk::analyze(&text, &bouncedesk::Options::default());
    let r = &analyses[0].results[0];
    assert_eq!(r.reason, bouncedesk::Reason::Rejected);
    assert_eq!(r.detail, Some("sender_restricted"));
    assert_eq!(
        r.reporting_mta.as_deref(),
        Some("os3pr01mb8123.jpnprd01.prod.outlook.com")
    );
}
