#!/usr/bin/env bash
# Debian packages the project uses beyond Node: Mono (Script Tasks and Script Components run C# with
# mcs/mono, with the framework assemblies scripts use most) and Chromium (the viewer's browser tests,
# driven by playwright-core; no browser is downloaded) and systemd-analyze. Installs only what is missing; needs root or sudo.
set -euo pipefail
MONO_PACKAGES="mono-runtime mono-mcs libmono-system-data4.0-cil libmono-system-xml-linq4.0-cil libmono-system-io-compression4.0-cil libmono-system-io-compression-filesystem4.0-cil libmono-system-net-http4.0-cil libmono-system-data-datasetextensions4.0-cil"
want=""
if ! command -v mcs >/dev/null 2>&1 || ! command -v mono >/dev/null 2>&1 || [ ! -f /usr/lib/mono/4.5/System.Data.dll ] || [ ! -f /usr/lib/mono/4.5/System.Xml.Linq.dll ]; then
  want="$want $MONO_PACKAGES"
fi
# binutils (as, ld): `mono --aot` compiles the script host to native code with them (optional: without
# them the host runs JIT-compiled).
{ command -v as >/dev/null 2>&1 && command -v ld >/dev/null 2>&1; } || want="$want binutils"
command -v chromium >/dev/null 2>&1 || want="$want chromium"
# systemd-analyze verifies the unit files `scaleout service install` writes (the test skips without it).
command -v systemd-analyze >/dev/null 2>&1 || want="$want systemd"
# PostgreSQL: the data-access tests start a throwaway cluster from its binaries (tests/helpers/local-postgres.ts),
# and bench/peers runs Graphile Worker on it; redis-server is for bench/peers only (BullMQ).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want="$want postgresql"
[ -n "$want" ] || exit 0
SUDO=""; if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $want
