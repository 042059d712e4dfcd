//! The window follows the desktop's dark style as GNOME and KDE set it: through the XDG settings
//! portal's `color-scheme`, which GTK 3 itself ignores, read at start and followed as it changes.
//! The portal here is a stand-in on the test's bus; GTK's own theme is the light Adwaita.

mod common;

use anyhow::Result;
use taskbell_e2e::portal::SettingsPortal;
use taskbell_e2e::{ui, Driven, Notifications, World};

const DARK: u32 = 1;
const LIGHT: u32 = 2;

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn the_window_follows_the_desktops_dark_style_as_it_changes() -> Result<()> {
    let world = World::new("theme-portal", Notifications::Dunst)?;
    let portal = SettingsPortal::start(&world.bus, DARK).await?;
    Driven::run_with(
        &world,
        &[("GTK_THEME", "Adwaita")],
        async |_| Ok(()),
        async |app| {
            let c = &app.client;
            ui::wait_live(c).await?;
            ui::wait_theme(c, true).await?;
            ui::screenshot(c, &world.artifacts, "1-dark-from-the-portal").await?;
            portal.set(LIGHT).await?;
            ui::wait_theme(c, false).await?;
            ui::screenshot(c, &world.artifacts, "2-light-after-the-change").await?;
            portal.set(DARK).await?;
            ui::wait_theme(c, true).await?;
            Ok(())
        },
    )
    .await
}
