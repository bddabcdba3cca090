//! Attached files: which are read, the size check before download, and the
//! download itself (with a timeout and a cap). Nothing inside is opened, run
//! or followed: the bytes only go to the analysis.

use serenity::all::Attachment;

/// What kind of file an attachment is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.eml`, `.txt`, `.log`, `.mbox` or no extension: read it.
    Readable,
    /// Outlook's `.msg`: no maintained crate reads it here; answer with a hint.
    OutlookMsg,
    /// Anything else (images, archives, documents): not read, not mentioned.
    Other,
}

pub fn kind(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit_once('.') {
        None => Kind::Readable,
        Some((_, ext)) => match ext {
            "eml" | "txt" | "log" | "mbox" | "text" => Kind::Readable,
            "msg" => Kind::OutlookMsg,
            _ => Kind::Other,
        },
    }
}

/// The outcome of fetching one attachment.
#[derive(Debug)]
pub enum Fetched {
    Bytes { name: String, bytes: Vec<u8> },
    TooLarge { name: String, size: u64 },
    OutlookMsg { name: String },
    Failed { name: String, cause: String },
}

/// Fetches a readable attachment, refusing it before download when Discord
/// says it is larger than `limit`, and stopping a download that turns out to
/// be larger anyway. The client carries the download timeout.
pub async fn fetch(client: &reqwest::Client, attachment: &Attachment, limit: u64) -> Fetched {
    let name = attachment.filename.clone();
    match kind(&name) {
        Kind::OutlookMsg => return Fetched::OutlookMsg { name },
        Kind::Other => {
            return Fetched::Failed {
                name,
                cause: "not a readable type".into(),
            }
        }
        Kind::Readable => {}
    }
    if u64::from(attachment.size) > limit {
        return Fetched::TooLarge {
            name,
            size: u64::from(attachment.size),
        };
    }
    let mut response = match client
        .get(&attachment.url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
    {
        Ok(r) => r,
        Err(e) => {
            return Fetched::Failed {
                name,
                cause: cause_of(&e),
            }
        }
    };
    let mut bytes = Vec::with_capacity(attachment.size as usize);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (bytes.len() + chunk.len()) as u64 > limit {
                    return Fetched::TooLarge {
                        name,
                        size: (bytes.len() + chunk.len()) as u64,
                    };
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Fetched::Failed {
                    name,
                    cause: cause_of(&e),
                }
            }
        }
    }
    Fetched::Bytes { name, bytes }
}

fn cause_of(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if let Some(status) = e.status() {
        format!("http {}", status.as_u16())
    } else {
        "connection".into()
    }
}

/// A size as people read it: "12.3 MB".
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_extension() {
        assert_eq!(kind("bounce.eml"), Kind::Readable);
        assert_eq!(kind("ERROR.TXT"), Kind::Readable);
        assert_eq!(kind("noextension"), Kind::Readable);
        assert_eq!(kind("mail.msg"), Kind::OutlookMsg);
        assert_eq!(kind("photo.png"), Kind::Other);
        assert_eq!(human_size(12 * 1024 * 1024 + 300_000), "12.3 MB");
    }
}
