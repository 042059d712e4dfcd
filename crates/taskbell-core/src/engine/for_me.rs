//! The work that is this user's: found in Canvas with documented parameters
//! (`owner=Practitioner/<me>&status=requested`, every page), then listed from the store
//! together with the tasks of the teams the user follows, which pushes and polls bring in.

use super::{read_lock, Engine, EngineError};
use crate::canvas::TaskSearch;
use crate::store::{ForMeQuery, ForMeRow, ForWhom};
use crate::task::{Source, Task, TaskRef, TaskStatus};

impl Engine {
    /// This user's practitioner id, if set.
    pub fn me(&self) -> Option<String> {
        read_lock(&self.shared.me).clone()
    }

    /// Reads the open tasks Canvas has assigned to this user and stores what it says. Returns
    /// how many it found; none when no Canvas or no practitioner is set.
    pub async fn refresh_mine(&self) -> Result<usize, EngineError> {
        let (Some(client), Some(me)) = (self.canvas(), self.me()) else {
            return Ok(0);
        };
        let search = TaskSearch::new().owner(&me).status(TaskStatus::Open);
        let tasks = client.search_tasks(&search).await?;
        let found = tasks.len();
        self.ingest_read(tasks, Source::Poll).await?;
        Ok(found)
    }

    /// Reads `task` from Canvas and stores what it says, as any read: a change found is news.
    pub async fn refresh_task(&self, task: &TaskRef) -> Result<Task, EngineError> {
        let client = self.canvas().ok_or(EngineError::NoCanvas)?;
        if task.system != client.system() {
            return Err(EngineError::Invalid(format!(
                "task {} belongs to {}, not to the Canvas Taskbell is connected to",
                task.id, task.system
            )));
        }
        let read = client.read_task(&task.id).await?;
        self.ingest_read(vec![read.clone()], Source::Api).await?;
        Ok(read)
    }

    /// The open tasks of this user and of `teams`, soonest due first.
    pub async fn for_me(
        &self,
        teams: Vec<String>,
        whom: ForWhom,
        overdue_only: bool,
        utc_offset_ms: i64,
    ) -> Result<Vec<ForMeRow>, EngineError> {
        let Some(system) = self.canvas().map(|c| c.system().to_string()) else {
            return Ok(Vec::new());
        };
        let q = ForMeQuery {
            system,
            me: self.me(),
            teams,
            whom,
            overdue_only,
            now: self.clock().now_millis(),
            utc_offset_ms,
        };
        self.read(move |s| s.for_me(&q)).await
    }
}
