//! A per-user rate limit: at most N answers a minute, and one polite notice
//! (not one per message) when someone goes over.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// What to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit; `notify` is true for the first refusal in the window.
    Limited {
        notify: bool,
        retry_after_secs: u64,
    },
}

#[derive(Default)]
struct UserState {
    answers: VecDeque<Instant>,
    notified_at: Option<Instant>,
}

/// The limiter, shared by every handler.
pub struct RateLimiter {
    per_minute: usize,
    users: Mutex<HashMap<u64, UserState>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1) as usize,
            users: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one answer for the user, or says it is over the limit.
    pub fn check(&self, user: u64) -> Verdict {
        self.check_at(user, Instant::now())
    }

    fn check_at(&self, user: u64, now: Instant) -> Verdict {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        if users.len() > 10_000 {
            users.retain(|_, s| {
                s.answers
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let state = users.entry(user).or_default();
        while state
            .answers
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            state.answers.pop_front();
        }
        if state.answers.len() < self.per_minute {
            state.answers.push_back(now);
            return Verdict::Allowed;
        }
        let oldest = state.answers.front().copied().unwrap_or(now);
        let retry_after_secs = WINDOW
            .saturating_sub(now.duration_since(oldest))
            .as_secs()
            .max(1);
        let notify = state
            .notified_at
            .is_none_or(|t| now.duration_since(t) >= WINDOW);
        if notify {
            state.notified_at = Some(now);
        }
        Verdict::Limited {
            notify,
            retry_after_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_user_with_one_notice() {
        let l = RateLimiter::new(2);
        let t = Instant::now();
        assert_eq!(l.check_at(1, t), Verdict::Allowed);
        assert_eq!(l.check_at(1, t), Verdict::Allowed);
        assert!(matches!(
            l.check_at(1, t),
            Verdict::Limited { notify: true, .. }
        ));
        assert!(matches!(
            l.check_at(1, t),
            Verdict::Limited { notify: false, .. }
        ));
        assert_eq!(
            l.check_at(2, t),
            Verdict::Allowed,
            "other users are not limited"
        );
        assert_eq!(
            l.check_at(1, t + WINDOW),
            Verdict::Allowed,
            "the window slides"
        );
    }
}
