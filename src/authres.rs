//! What the receiving server recorded about the sender's authentication.
//!
//! A notice's `From` is only a claim. The server that accepted the mail
//! checked it (SPF, DKIM, DMARC) and wrote what it found in an RFC 8601
//! `Authentication-Results` header (Microsoft 365 adds `compauth`), or in an
//! older `Received-SPF` header. The spoof check uses this to tell a brand's
//! real mail from a forged `From: security@brand`, and a real notice of the
//! user's own organisation from a forged `postmaster@` of it.
//!
//! Only the topmost header of each kind is read: it is the one the last
//! receiving server added. Anything below it came with the message, and a
//! sender can write whatever it likes there.

use crate::parse::Headers;

/// One method's result, as the server wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    SoftFail,
    /// `none`, `neutral`, `temperror`, `permerror`, `policy`, anything else.
    Other,
}

impl Outcome {
    fn parse(word: &str) -> Outcome {
        match word.to_ascii_lowercase().as_str() {
            "pass" => Outcome::Pass,
            "fail" | "hardfail" => Outcome::Fail,
            "softfail" => Outcome::SoftFail,
            _ => Outcome::Other,
        }
    }
}

/// The methods that say something about the `From` domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Spf,
    Dkim,
    Dmarc,
    /// Microsoft's composite authentication (`compauth=fail reason=001`).
    CompAuth,
}

/// One `method=result` with the domain it was about, when the header names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    pub method: Method,
    pub outcome: Outcome,
    /// `smtp.mailfrom` for SPF, `header.d` (or `header.i`) for DKIM,
    /// `header.from` for DMARC and compauth; lowercased, no local part.
    pub domain: Option<String>,
}

/// Whether the `From` domain proved itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FromAuth {
    /// DMARC passed, or DKIM or SPF passed for the same organisation's domain.
    Verified,
    /// DMARC or compauth failed, or SPF failed for it with no DKIM pass.
    Forged,
    /// No header, or nothing decisive in it.
    Unknown,
}

/// The receiving server's authentication results for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthResults {
    pub results: Vec<MethodResult>,
}

/// Reads the topmost `Authentication-Results`, and the topmost
/// `Received-SPF` when that has no SPF result.
pub fn read(headers: &Headers) -> AuthResults {
    let mut results = headers
        .get("authentication-results")
        .map(parse_authentication_results)
        .unwrap_or_default();
    if !results.iter().any(|r| r.method == Method::Spf) {
        if let Some(spf) = headers.get("received-spf").and_then(parse_received_spf) {
            results.push(spf);
        }
    }
    AuthResults { results }
}

impl AuthResults {
    /// True when the server recorded at least one method.
    pub fn is_present(&self) -> bool {
        !self.results.is_empty()
    }

    /// What the results say about `from_domain`. `same_org` says whether
    /// two domains belong to one organisation (relaxed DMARC alignment).
    pub fn from_domain(
        &self,
        from_domain: &str,
        same_org: impl Fn(&str, &str) -> bool,
    ) -> FromAuth {
        let about = |r: &MethodResult| {
            r.domain
                .as_deref()
                .is_none_or(|d| d == from_domain || same_org(d, from_domain))
        };
        let aligned = |r: &MethodResult| {
            r.domain
                .as_deref()
                .is_some_and(|d| same_org(d, from_domain))
        };
        let has = |method: Method, outcome: Outcome, test: &dyn Fn(&MethodResult) -> bool| {
            self.results
                .iter()
                .any(|r| r.method == method && r.outcome == outcome && test(r))
        };
        let dkim_pass = has(Method::Dkim, Outcome::Pass, &aligned);
        if has(Method::Dmarc, Outcome::Fail, &about) || has(Method::CompAuth, Outcome::Fail, &about)
        {
            return FromAuth::Forged;
        }
        if has(Method::Dmarc, Outcome::Pass, &about)
            || dkim_pass
            || has(Method::Spf, Outcome::Pass, &aligned)
        {
            return FromAuth::Verified;
        }
        if has(Method::Spf, Outcome::Fail, &aligned) {
            return FromAuth::Forged;
        }
        FromAuth::Unknown
    }

    /// A short ASCII description of the decisive results, for a signal's detail.
    pub fn describe(&self) -> String {
        self.results
            .iter()
            .filter(|r| r.outcome != Outcome::Other)
            .map(|r| {
                let method = match r.method {
                    Method::Spf => "spf",
                    Method::Dkim => "dkim",
                    Method::Dmarc => "dmarc",
                    Method::CompAuth => "compauth",
                };
                let outcome = match r.outcome {
                    Outcome::Pass => "pass",
                    Outcome::Fail => "fail",
                    Outcome::SoftFail => "softfail",
                    Outcome::Other => "other",
                };
                match &r.domain {
                    Some(d) => format!("{method}={outcome} ({d})"),
                    None => format!("{method}={outcome}"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Splits RFC 8601 `authserv-id; resinfo; resinfo` into its results.
/// Comments in parentheses and quoted strings never split or match.
pub fn parse_authentication_results(value: &str) -> Vec<MethodResult> {
    let cleaned = strip_comments(value);
    let mut out = Vec::new();
    for (i, resinfo) in cleaned.split(';').take(32).enumerate() {
        let mut words = resinfo.split_ascii_whitespace();
        // The first element is the authserv-id (and an optional version),
        // except in Exchange Online's header, which leaves the id out.
        if i == 0 && !resinfo.contains('=') {
            continue;
        }
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let method = match method.to_ascii_lowercase().as_str() {
            "spf" => Method::Spf,
            "dkim" => Method::Dkim,
            "dmarc" => Method::Dmarc,
            "compauth" => Method::CompAuth,
            _ => continue,
        };
        let mut domain = None;
        for word in words {
            let Some((property, value)) = word.split_once('=') else {
                continue;
            };
            let wanted = match method {
                Method::Spf => ["smtp.mailfrom", "smtp.helo"].as_slice(),
                Method::Dkim => ["header.d", "header.i"].as_slice(),
                Method::Dmarc | Method::CompAuth => ["header.from"].as_slice(),
            };
            let property = property.to_ascii_lowercase();
            if let Some(rank) = wanted.iter().position(|w| *w == property) {
                // The first listed property wins over a later fallback.
                if domain.as_ref().is_none_or(|(r, _)| rank < *r) {
                    domain = domain_part(value).map(|d| (rank, d));
                }
            }
        }
        out.push(MethodResult {
            method,
            outcome: Outcome::parse(result),
            domain: domain.map(|(_, d)| d),
        });
    }
    out
}

/// `Received-SPF: Fail (domain of x does not designate ...) envelope-from=...`.
fn parse_received_spf(value: &str) -> Option<MethodResult> {
    let first = value.split_ascii_whitespace().next()?;
    let cleaned = strip_comments(value);
    let domain = cleaned.split([';', ' ', '\t']).find_map(|word| {
        let (key, v) = word.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("envelope-from")
            .then(|| domain_part(v))
            .flatten()
    });
    Some(MethodResult {
        method: Method::Spf,
        outcome: Outcome::parse(first),
        domain,
    })
}

/// The domain of `user@domain`, `@domain` or `domain`, lowercased, without
/// quotes or angle brackets; None when it does not look like a domain.
fn domain_part(value: &str) -> Option<String> {
    let value = value.trim_matches(|c: char| c == '"' || c == '<' || c == '>' || c == ',');
    let domain = value.rsplit_once('@').map_or(value, |(_, d)| d);
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    (domain.contains('.')
        && domain.len() <= 253
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    .then_some(domain)
}

/// Removes `(comments)` (nested) and the contents of quoted strings, so a
/// `;` or `dmarc=pass` inside them is never read as structure. At most the
/// first 4 KB are read.
fn strip_comments(value: &str) -> String {
    let value = crate::text::truncate_chars(value, 4_096);
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => escaped = true,
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push('"');
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(' ');
                }
            }
            _ if quoted || depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_org(a: &str, b: &str) -> bool {
        fn base(d: &str) -> Vec<&str> {
            d.rsplit('.').take(2).collect()
        }
        base(a) == base(b)
    }

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        Headers {
            all: pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Headers::default()
        }
    }

    #[test]
    fn reads_a_microsoft_365_header() {
        // As Exchange Online writes it for a forged sender.
        let r = parse_authentication_results(
            "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=fail action=quarantine header.from=example.com;compauth=fail reason=000",
        );
        // Exchange leaves out the authserv-id: the first element is a result.
        assert_eq!(
            r,
            vec![
                MethodResult {
                    method: Method::Spf,
                    outcome: Outcome::Fail,
                    domain: Some("example.com".into())
                },
                MethodResult {
                    method: Method::Dkim,
                    outcome: Outcome::Other,
                    domain: None
                },
                MethodResult {
                    method: Method::Dmarc,
                    outcome: Outcome::Fail,
                    domain: Some("example.com".into())
                },
                MethodResult {
                    method: Method::CompAuth,
                    outcome: Outcome::Fail,
                    domain: None
                },
            ]
        );
    }

    #[test]
    fn reads_a_gmail_header_and_ignores_comments() {
        let r = parse_authentication_results(
            "mx.google.com;\r\n       dkim=pass header.i=@google.com header.s=20230601 header.b=abc;\r\n       spf=pass (google.com: domain of x@bounce.google.com designates 209.85.220.69 as permitted sender; dmarc=fail) smtp.mailfrom=x@bounce.google.com;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=google.com",
        );
        let a = AuthResults { results: r };
        assert_eq!(a.results.len(), 3);
        assert_eq!(a.results[0].domain.as_deref(), Some("google.com"));
        assert_eq!(a.results[1].domain.as_deref(), Some("bounce.google.com"));
        assert_eq!(a.from_domain("google.com", same_org), FromAuth::Verified);
    }

    #[test]
    fn a_failed_dmarc_is_forged_even_with_spf_pass_for_another_domain() {
        let a = AuthResults {
            results: parse_authentication_results(
                "mx.example.co.jp; spf=pass smtp.mailfrom=mailer.example.net; dkim=none; dmarc=fail (p=none) header.from=example.co.jp",
            ),
        };
        assert_eq!(a.from_domain("example.co.jp", same_org), FromAuth::Forged);
        assert_eq!(
            a.describe(),
            "spf=pass (mailer.example.net), dmarc=fail (example.co.jp)"
        );
    }

    #[test]
    fn a_dkim_signature_of_another_domain_proves_nothing() {
        let a = AuthResults {
            results: parse_authentication_results(
                "mx.example.co.jp; dkim=pass header.d=sendgrid.net; spf=softfail smtp.mailfrom=microsoft.com",
            ),
        };
        assert_eq!(a.from_domain("microsoft.com", same_org), FromAuth::Unknown);
    }

    #[test]
    fn an_spf_fail_counts_only_without_an_aligned_dkim_pass() {
        let failed = AuthResults {
            results: parse_authentication_results(
                "mx; spf=fail smtp.mailfrom=ocn.ne.jp; dkim=none",
            ),
        };
        assert_eq!(failed.from_domain("ocn.ne.jp", same_org), FromAuth::Forged);
        let forwarded = AuthResults {
            results: parse_authentication_results(
                "mx; spf=fail smtp.mailfrom=ocn.ne.jp; dkim=pass header.d=ocn.ne.jp",
            ),
        };
        assert_eq!(
            forwarded.from_domain("ocn.ne.jp", same_org),
            FromAuth::Verified
        );
    }

    #[test]
    fn only_the_topmost_header_is_read_and_received_spf_fills_in() {
        // The lower header came with the message: a sender wrote it.
        let h = headers(&[
            ("authentication-results", "mx.example.co.jp; dkim=none; dmarc=none header.from=bank.example"),
            ("received-spf", "Fail (mx.example.co.jp: domain of bank.example does not designate 198.51.100.7 as permitted sender) client-ip=198.51.100.7; envelope-from=<info@bank.example>;"),
            ("authentication-results", "forged.example; dmarc=pass header.from=bank.example"),
        ]);
        let a = read(&h);
        assert!(a.is_present());
        assert_eq!(a.from_domain("bank.example", same_org), FromAuth::Forged);
        assert!(!a.results.iter().any(|r| r.outcome == Outcome::Pass));
    }

    #[test]
    fn no_header_is_unknown() {
        let a = read(&Headers::default());
        assert!(!a.is_present());
        assert_eq!(a.from_domain("example.com", same_org), FromAuth::Unknown);
    }

    #[test]
    fn junk_never_panics() {
        for v in [
            "",
            ";",
            "(((",
            "a; =; dkim=; spf",
            "x; dmarc=fail header.from=\"",
            "\\",
            "x;(\\",
        ] {
            let _ = parse_authentication_results(v);
            let _ = parse_received_spf(v);
        }
    }
}
