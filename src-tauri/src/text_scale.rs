//! The desktop's text size, which WebKitGTK does not pass on to the page: GNOME's Large Text,
//! KDE's font DPI and `GDK_DPI_SCALE` raise the font resolution GTK reports, while WebKit lays
//! the page out at 96 DPI whatever it is. The window's page scales its root font size by the
//! ratio, and every size in rem follows.

/// The page's root font size relative to WebKit's default, for a font resolution of `dpi`.
pub fn scale_from_dpi(dpi: f64) -> f64 {
    if dpi.is_finite() && dpi > 0.0 {
        (dpi / 96.0).clamp(0.5, 3.0)
    } else {
        1.0
    }
}

/// The desktop's scale now; 1 when GTK has no display (the mock runtime of the shell's tests).
pub fn desktop() -> f64 {
    #[cfg(target_os = "linux")]
    if gtk::is_initialized_main_thread() {
        if let Some(screen) = gtk::gdk::Screen::default() {
            return scale_from_dpi(screen.resolution());
        }
    }
    1.0
}

/// The script the page runs before its own: `main.ts` reads the scale from it.
pub fn init_script(scale: f64) -> String {
    format!("window.__TASKBELL_TEXT_SCALE__ = {scale};")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_by_the_font_resolution_over_96() {
        assert_eq!(scale_from_dpi(96.0), 1.0);
        assert_eq!(scale_from_dpi(120.0), 1.25);
        assert_eq!(scale_from_dpi(192.0), 2.0);
    }

    #[test]
    fn an_unknown_or_absurd_resolution_is_bounded() {
        // GTK answers -1 when no resolution is set.
        assert_eq!(scale_from_dpi(-1.0), 1.0);
        assert_eq!(scale_from_dpi(f64::NAN), 1.0);
        assert_eq!(scale_from_dpi(960.0), 3.0);
        assert_eq!(scale_from_dpi(10.0), 0.5);
    }

    #[test]
    fn the_script_names_the_scale() {
        assert_eq!(init_script(1.5), "window.__TASKBELL_TEXT_SCALE__ = 1.5;");
    }
}
