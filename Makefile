# Taskbell's entry points. `make run` and `make test` work on a fresh Debian 12 / Ubuntu machine:
# they install what is missing (apt as root or with sudo, npm into ui/, pip into a venv).

SHELL := /bin/bash
.DEFAULT_GOAL := help

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
export CARGO_TARGET_DIR := $(TARGET_DIR)
APP := $(TARGET_DIR)/debug/taskbell
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# System packages: building the app (WebKitGTK, tray, TLS, D-Bus) and testing it headless.
APT_BUILD := build-essential pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev \
             librsvg2-dev libssl-dev libdbus-1-dev python3 python3-venv python3-pip
APT_TEST  := xvfb xauth dbus dbus-x11 dunst webkit2gtk-driver imagemagick xdotool libglib2.0-bin

.PHONY: help deps deps-test ui build run test test-rust test-ui test-plugin bindings bench bench-desktop clean

help:
	@echo "make run    build and start Taskbell (sandbox mode when no Canvas is configured)"
	@echo "make test   everything CI checks"
	@echo "make bindings  ui/src/lib/bindings.ts again, after a type the window and the shell exchange changed"
	@echo "make screenshots  the README's screenshots again, from the end-to-end run"
	@echo "make package  dist/taskbell_<version>_amd64.deb and dist/taskbell-<version>.x86_64.rpm"
	@echo "make bench  the benchmarks recorded in BENCHMARKS.md (make bench-desktop: the app's alone)"

# Installs only what dpkg says is missing, so a second run costs a second, not a minute.
define apt_ensure
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_ensure,$(APT_BUILD))
	@command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run make again."; exit 1; }
	@command -v node >/dev/null && command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' \
	  || { echo "Node.js 18 or newer is needed for the window's front-end (found $$(node --version))."; exit 1; }

deps-test: deps
	$(call apt_ensure,$(APT_TEST))
	@cargo nextest --version >/dev/null 2>&1 || cargo install cargo-nextest --locked

# Installed exactly as locked, and only when the lock file changed since. The lock file holds
# every platform's optional packages (rollup's and esbuild's native builds), so `npm ci` accepts
# it on any machine and leaves it as it is.
ui/node_modules/.installed: ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund
	touch $@

# Rebuilt only when a source changed: the app embeds ui/dist, and a new ui/dist makes cargo
# compile the app again (minutes for a release build).
UI_SOURCES := $(shell find ui/src -type f) ui/index.html ui/vite.config.ts ui/tsconfig.json ui/package.json
ui/dist/index.html: ui/node_modules/.installed $(UI_SOURCES)
	cd ui && npm run --silent build

ui: ui/dist/index.html

build: deps ui
	cargo build -p taskbell

run: build
	$(APP)

test: deps-test ui test-rust test-ui test-plugin test-e2e test-package

test-rust:
	cargo nextest run --workspace --no-fail-fast

# The type check first: it is what fails when a Rust type the window uses changed shape.
test-ui: ui/node_modules/.installed
	cd ui && npm run --silent check
	cd ui && npm test --silent

# The TypeScript declarations of what crosses the bridge, from the Rust types (src-tauri/src/
# bindings.rs). test-rust fails while the committed file differs from them.
bindings: ui
	TASKBELL_WRITE_BINDINGS=1 cargo nextest run -p taskbell --lib bindings::

test-plugin:
	$(MAKE) -C canvas-plugin test

# Release builds; figures go into BENCHMARKS.md with the machine and the date.
bench: deps bench-desktop
	cargo bench -p taskbell-core --bench burst
	cargo bench -p taskbell-core --bench history

# The apps in an X server and a session bus of their own, so nothing on the desktop running
# `make` (a tray, a notification daemon, a second Taskbell) takes part.
bench-desktop: deps ui
	$(call apt_ensure,$(APT_TEST))
	cargo build --release -p taskbell -p taskbell-floor-app -p taskbell-cli
	xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- cargo run --release -p taskbell-desktop-bench

include tests/e2e.mk
include packaging/package.mk

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules canvas-plugin/.venv dist
