//! The commands the window calls, exactly as ui/src/lib/api.ts names them; the types they take
//! and return are declared for it in ui/src/lib/bindings.ts. Each is a few lines over
//! taskbell-core; errors reach the window as one sentence.

mod about;
mod app;
mod history;
mod settings;

pub(crate) use settings::apply_autostart;
pub(crate) mod tasks;
pub(crate) mod work;

use std::fmt::Display;
use tauri::ipc::Invoke;
use tauri::Runtime;

pub type CommandResult<T> = Result<T, String>;

pub(crate) fn sentence(e: impl Display) -> String {
    e.to_string()
}

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::get_status,
        app::hide_window,
        tasks::create_task,
        tasks::pending_tasks,
        tasks::search_patients,
        tasks::search_practitioners,
        tasks::list_teams,
        history::history,
        history::timeline,
        history::task_row,
        history::stats,
        history::export_csv,
        history::open_url,
        settings::get_settings,
        settings::save_settings,
        settings::test_connection,
        settings::start_tunnel,
        about::about,
        about::diagnostics,
        about::open_log_folder,
        work::for_me,
        work::task_detail,
        work::act_on_task,
        work::unread,
        work::mark_all_read,
        work::mark_read,
    ]
}
