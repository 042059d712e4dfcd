/// The commands the window may call, each granted by name in capabilities/default.json. Keep in
/// step with `commands::handler` (a command missing here is refused at run time).
const COMMANDS: &[&str] = &[
    "get_status",
    "hide_window",
    "create_task",
    "pending_tasks",
    "search_patients",
    "search_practitioners",
    "list_teams",
    "history",
    "timeline",
    "task_row",
    "stats",
    "export_csv",
    "open_url",
    "get_settings",
    "save_settings",
    "test_connection",
    "start_tunnel",
    "about",
    "diagnostics",
    "open_log_folder",
    "for_me",
    "task_detail",
    "act_on_task",
    "unread",
    "mark_all_read",
    "mark_read",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build configuration");
}
