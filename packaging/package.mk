# Packages (.deb and .rpm) and their test on a clean Debian 12 root; README "Install" and
# packaging/README.md say why these tools. Included by the Makefile, which defines deps, ui,
# apt_ensure and SUDO.

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
DEB := dist/taskbell_$(VERSION)_amd64.deb
RPM := dist/taskbell-$(VERSION).x86_64.rpm
E2E_ARCHIVE := $(TARGET_DIR)/taskbell-e2e.tar.zst

# dpkg-dev: dpkg-shlibdeps, which finds the .deb's library dependencies. rpm: rpm -qpR and
# rpm2cpio for the test. mmdebstrap: the clean root.
APT_PACKAGE := dpkg-dev desktop-file-utils appstream rpm cpio mmdebstrap
CARGO_DEB_VERSION := 3.8.0
CARGO_GENERATE_RPM_VERSION := 0.21.1

.PHONY: package package-tools test-package

# `cargo install --list` names each installed tool with its version: installed only when missing
# or of another version.
package-tools:
	$(call apt_ensure,$(APT_PACKAGE))
	@cargo install --list | grep -q '^cargo-deb v$(CARGO_DEB_VERSION):' \
	  || cargo install cargo-deb@$(CARGO_DEB_VERSION) --locked
	@cargo install --list | grep -q '^cargo-generate-rpm v$(CARGO_GENERATE_RPM_VERSION):' \
	  || cargo install cargo-generate-rpm@$(CARGO_GENERATE_RPM_VERSION) --locked

# The release build embeds ui/dist, so the front-end is built first.
package: deps ui package-tools
	desktop-file-validate packaging/app.taskbell.desktop
	appstreamcli validate --no-net packaging/app.taskbell.desktop.metainfo.xml
	cargo build --release -p taskbell
	mkdir -p dist
	cargo deb -p taskbell --no-build --output $(DEB)
	strip --strip-unneeded -o $(TARGET_DIR)/release/taskbell-stripped $(TARGET_DIR)/release/taskbell
	cargo generate-rpm -p src-tauri --output $(RPM)
	@ls -l $(DEB) $(RPM)

test-package: package deps-test tauri-driver
	cargo nextest archive -p taskbell-e2e --archive-file $(E2E_ARCHIVE)
	$(SUDO) env TASKBELL_E2E_ARTIFACTS=$(TARGET_DIR)/e2e-artifacts packaging/test-clean-root.sh $(DEB) $(RPM) \
	  $(E2E_ARCHIVE) "$$(command -v tauri-driver)" "$$(command -v cargo-nextest)"
