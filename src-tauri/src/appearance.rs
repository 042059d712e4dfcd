//! The desktop's dark style, for the window. WebKitGTK turns GTK's dark preference into
//! `prefers-color-scheme`, live, but GNOME's and KDE's dark style reach GTK 3 apps only through
//! the settings portal (taskbell_core::appearance), so its preference is handed on to GTK's.

#[cfg(target_os = "linux")]
use gtk::prelude::GtkSettingsExt;
use taskbell_core::appearance::ColorScheme;
use tauri::{AppHandle, Runtime};

/// What GTK's dark preference should be: the portal's choice, or GTK's own at start when the
/// portal states none (a dark GTK theme chosen by hand stays dark).
pub fn prefer_dark(scheme: ColorScheme, gtk_at_start: bool) -> bool {
    match scheme {
        ColorScheme::Dark => true,
        ColorScheme::Light => false,
        ColorScheme::NoPreference => gtk_at_start,
    }
}

/// Starts following the portal. Called on the GTK main thread; does nothing before GTK runs
/// (the mock runtime of the shell's tests).
pub fn follow<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(target_os = "linux")]
    {
        if !gtk::is_initialized_main_thread() {
            return;
        }
        let Some(settings) = gtk::Settings::default() else {
            return;
        };
        let at_start = settings.is_gtk_application_prefer_dark_theme();
        let handle = app.clone();
        let started = taskbell_core::appearance::follow(None, move |scheme| {
            tracing::debug!(?scheme, "the desktop's colour preference");
            let dark = prefer_dark(scheme, at_start);
            let _ = handle.run_on_main_thread(move || apply(dark));
        });
        if let Err(e) = started {
            tracing::warn!("the desktop's dark style cannot be followed: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

#[cfg(target_os = "linux")]
fn apply(dark: bool) {
    let Some(settings) = gtk::Settings::default() else {
        return;
    };
    if settings.is_gtk_application_prefer_dark_theme() != dark {
        tracing::info!(
            "following the desktop's {} style",
            if dark { "dark" } else { "light" }
        );
        settings.set_gtk_application_prefer_dark_theme(dark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_choice_wins_and_no_choice_keeps_gtks_own() {
        assert!(prefer_dark(ColorScheme::Dark, false));
        assert!(!prefer_dark(ColorScheme::Light, true));
        assert!(prefer_dark(ColorScheme::NoPreference, true));
        assert!(!prefer_dark(ColorScheme::NoPreference, false));
    }
}
