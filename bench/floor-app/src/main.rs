//! The floor Taskbell's footprint is measured against: a minimal Tauri 2 tray app, one page and
//! one tray item. `FLOOR_NO_WINDOW=1` starts it tray-only, as Taskbell is with its window closed.
//! It prints "tray ready" once the tray exists, for the launch-time figure.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;

fn main() {
    let app = tauri::Builder::default()
        .setup(|app| {
            let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
            let menu = Menu::with_items(app, &[&quit])?;
            let mut tray = TrayIconBuilder::new()
                .menu(&menu)
                .on_menu_event(|app, _| app.exit(0));
            if let Some(icon) = app.default_window_icon() {
                tray = tray.icon(icon.clone());
            }
            tray.build(app)?;
            println!("tray ready");
            if std::env::var_os("FLOOR_NO_WINDOW").is_none() {
                tauri::WebviewWindowBuilder::new(
                    app,
                    "main",
                    tauri::WebviewUrl::App("index.html".into()),
                )
                .title("Floor")
                .build()?;
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, event| {
            if let tauri::RunEvent::ExitRequested {
                api, code: None, ..
            } = event
            {
                api.prevent_exit();
            }
        }),
        Err(e) => eprintln!("floor app: {e}"),
    }
}
