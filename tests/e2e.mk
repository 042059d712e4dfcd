# End-to-end tests of the built app (tests/README.md). Included by the Makefile, which defines
# deps-test (Xvfb, D-Bus, dunst, webkit2gtk-driver, ImageMagick, cargo-nextest) and ui.

TAURI_DRIVER_VERSION := 2.1.0

.PHONY: tauri-driver test-e2e screenshots

# tauri-driver is a cargo binary, not a Debian package. Reinstalled only when missing or of
# another version (`cargo install --list` names the installed version).
tauri-driver:
	@cargo install --list | grep -q '^tauri-driver v$(TAURI_DRIVER_VERSION):' \
	  || cargo install tauri-driver@$(TAURI_DRIVER_VERSION) --locked

# The app is built after the front-end: it embeds ui/dist when it is compiled.
test-e2e: deps-test ui tauri-driver
	cargo build -p taskbell
	tests/run-e2e.sh

# The README's screenshots, as the light-theme accessibility test took them of the real window.
SCREENSHOTS := new-task history for-me
screenshots: deps-test ui tauri-driver
	cargo build -p taskbell
	tests/run-e2e.sh in_the_light_theme
	mkdir -p docs/screenshots
	for s in $(SCREENSHOTS); do cp "$(TARGET_DIR)/e2e-artifacts/accessibility-light/$$s.png" docs/screenshots/; done
