#!/usr/bin/env bash
# Runs the end-to-end tests (the `#[ignore]`d tests of the taskbell-e2e crate) against the built
# debug app, inside a virtual X server and a throwaway D-Bus session. `make test-e2e` builds the
# app and installs tauri-driver first; extra arguments go to nextest (e.g. a test name filter).
#
# Each test still starts its own private bus, dunst and app (see tests/README.md): the session
# made here only guarantees that nothing reaches the developer's real desktop session.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export TASKBELL_APP="${TASKBELL_APP:-$target_dir/debug/taskbell}"
export TASKBELL_E2E_ARTIFACTS="${TASKBELL_E2E_ARTIFACTS:-$target_dir/e2e-artifacts}"
export TASKBELL_E2E=1

if [ ! -x "$TASKBELL_APP" ]; then
  echo "run-e2e: the app is not built at $TASKBELL_APP; run \`cargo build -p taskbell\` or \`make test-e2e\`." >&2
  exit 1
fi
missing=()
for tool in xvfb-run dbus-run-session dbus-daemon dbus-monitor gdbus dunst WebKitWebDriver tauri-driver cargo-nextest; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-e2e: missing ${missing[*]}; \`make deps-test tauri-driver\` installs them." >&2
  exit 1
fi

# Compiled outside Xvfb so a build error reads as one, and the timed part is only the tests.
cargo nextest run -p taskbell-e2e --run-ignored only --no-run

mkdir -p "$TASKBELL_E2E_ARTIFACTS"

# One test at a time: each starts WebKit and the app, and on a two-core machine two at once
# only make each other slow. 24-bit colour so screenshots look as on a desktop.
status=0
xvfb-run -a -s '-screen 0 1280x800x24' \
  dbus-run-session -- \
  cargo nextest run -p taskbell-e2e --run-ignored only --test-threads 1 --no-fail-fast "$@" || status=$?
echo "run-e2e: screenshots, app logs and D-Bus captures are in $TASKBELL_E2E_ARTIFACTS"
exit "$status"
