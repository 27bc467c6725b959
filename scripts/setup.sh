#!/usr/bin/env bash
# Prepare a Debian 12 machine for liquibot's tests, idempotently:
#   - dovecot-imapd (Dovecot 2.3) when no `dovecot` binary is found,
#   - postgresql-15 when no `initdb` is on PATH nor in /usr/lib/postgresql/*/bin,
#   - chromium (Debian's, for the console's browser tests through playwright-core) when /usr/bin/chromium is missing,
#   - node modules with `npm ci` (SKIP_NPM=1 skips it).
# The tests start their own Dovecot and PostgreSQL on free ports (test/support/sandbox/); the system
# services are not used. Run as root (CI does); otherwise it prints the sudo command to run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*"; }

have_dovecot() { command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; }
have_initdb() { command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
# The browser tests launch exactly this binary (never `playwright install`: no browser download).
have_chromium() { [ -x /usr/bin/chromium ]; }

packages=()
services=()
if ! have_dovecot; then packages+=(dovecot-imapd); services+=(dovecot); fi
if ! have_initdb; then packages+=(postgresql-15); services+=(postgresql); fi
if ! have_chromium; then packages+=(chromium); fi

if [ ${#packages[@]} -eq 0 ]; then
  log "dovecot, PostgreSQL server binaries and chromium present"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "[setup] missing packages: ${packages[*]}; install them as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
    echo "  (or run: sudo bash scripts/setup.sh)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_install() { apt-get install -y --no-install-recommends "$@"; }
  log "installing ${packages[*]}"
  # Only refresh the package lists when the install cannot find or fetch something.
  if ! apt_install "${packages[@]}"; then
    log "apt-get update, then retry"
    apt-get update
    apt_install "${packages[@]}"
  fi
  # Where apt could start them (no policy-rc.d), Debian leaves a system dovecot on :143 and a
  # PostgreSQL "main" cluster on :5432 running. Harmless to us, but not wanted on CI.
  for service in "${services[@]}"; do
    service "$service" stop >/dev/null 2>&1 || true
  done
  have_dovecot || { echo "[setup] dovecot still missing after install" >&2; exit 1; }
  have_initdb || { echo "[setup] initdb still missing after install" >&2; exit 1; }
  have_chromium || { echo "[setup] /usr/bin/chromium still missing after install" >&2; exit 1; }
fi

for user in dovecot dovenull; do
  id -u "$user" >/dev/null 2>&1 || { echo "[setup] system user $user missing (it comes with dovecot-core)" >&2; exit 1; }
done

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "[setup] node and npm are required (Node 20.10+ or 22)" >&2
  exit 1
fi

if [ "${SKIP_NPM:-0}" = 1 ]; then
  log "SKIP_NPM=1: not running npm ci"
else
  log "npm ci"
  npm ci --no-audit --no-fund
fi
log "done"
