//! Showing notices and keeping them unread until the user has seen them in the window.
//! Popups are shown off the async threads (D-Bus calls block) and recorded as shown after;
//! one pending when Taskbell stopped is shown at the next start.

use super::audience::Audience;
use super::{read_lock, Engine, EngineError, UiEvent};
use crate::notify::Notification;
use crate::store::Notice;
use crate::task::TaskRef;
use std::time::Duration;

/// How many unread notices the window lists; the count covers them all.
const UNREAD_LISTED: u32 = 200;

impl Engine {
    /// Who is to hear of a change now, taken once for a whole group.
    pub(super) fn audience(&self) -> Audience {
        Audience {
            prefs: self.prefs(),
            me: read_lock(&self.shared.me).clone(),
            held: self.notifications_paused() || self.quiet_now(),
            wall_now: self.wall_now_millis(),
        }
    }

    /// Whether quiet hours hold notifications now, in the desktop's local time of day (by
    /// Canvas's clock when it has answered, as reminders are).
    pub fn quiet_now(&self) -> bool {
        self.prefs().quiet_hours.is_some_and(|q| {
            q.holds_at(self.wall_now_millis(), crate::time_util::local_offset_ms())
        })
    }

    /// Shows notice `id` in the background.
    pub(super) fn show(&self, id: i64, n: Notification) {
        let engine = self.clone();
        tokio::spawn(async move { engine.show_now(id, n).await });
    }

    /// Shows notice `id`, then records it as shown.
    pub(super) async fn show_now(&self, id: i64, n: Notification) {
        let notifier = self.shared.notifier.clone();
        let shown = tokio::task::spawn_blocking(move || notifier.show(&n)).await;
        match shown {
            Ok(Err(err)) => tracing::warn!("{err}"),
            Err(err) => tracing::warn!("the notification could not be shown: {err}"),
            Ok(Ok(())) => {}
        }
        if let Err(err) = self.write(move |s| s.notice_shown(id)).await {
            tracing::warn!("a shown notification could not be recorded as shown: {err}");
        }
    }

    /// Shows what was written but not yet shown when Taskbell last stopped (it was killed
    /// between the commit and the popup). Only notices older than this engine count: a newer
    /// one's popup may be under way. Does its work once; later calls find nothing.
    pub async fn announce_pending(&self) -> Result<usize, EngineError> {
        let up_to = self
            .shared
            .notices_at_open
            .swap(0, std::sync::atomic::Ordering::SeqCst);
        if up_to == 0 {
            return Ok(0);
        }
        let pending = self.read(move |s| s.pending_notices(up_to)).await?;
        let n = pending.len();
        for notice in pending {
            self.show(notice.id, Notification::from(&notice));
        }
        Ok(n)
    }

    /// Unread notices, newest first.
    pub async fn unread(&self) -> Result<Vec<Notice>, EngineError> {
        self.read(|s| s.unread(UNREAD_LISTED)).await
    }

    pub async fn unread_count(&self) -> Result<u32, EngineError> {
        self.read(|s| s.unread_count()).await
    }

    pub async fn mark_all_read(&self) -> Result<usize, EngineError> {
        let now = self.clock().now_millis();
        let n = self.write(move |s| s.mark_all_read(now)).await?;
        let _ = self.shared.ui.send(UiEvent::NoticesChanged);
        Ok(n)
    }

    /// Marks notice `id` read, with the rest of its task's.
    pub async fn mark_read(&self, id: i64) -> Result<usize, EngineError> {
        let now = self.clock().now_millis();
        let n = self.write(move |s| s.mark_read(id, now)).await?;
        let _ = self.shared.ui.send(UiEvent::NoticesChanged);
        Ok(n)
    }

    /// Puts off `task`'s reminders for `by`; it is reminded once more then.
    pub async fn snooze(&self, task: &TaskRef, by: Duration) -> Result<(), EngineError> {
        let until = self.wall_now_millis() + i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let task = task.clone();
        self.write(move |s| s.snooze(&task, until)).await?;
        // The reminder loop sleeps until the next reminder: it must hear of this one.
        let _ = self.shared.ui.send(UiEvent::NoticesChanged);
        Ok(())
    }
}
