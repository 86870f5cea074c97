#!/usr/bin/env bash
# usage: tools/fetch_debs.sh DIR PACKAGE...
# Downloads Debian packages with `apt-get download` (running `apt-get update` first when the
# package lists lack them) into DIR/debs and unpacks each into DIR/x, installing nothing.
set -euo pipefail
DIR=$1; shift
mkdir -p "$DIR/debs"
(cd "$DIR/debs" && { apt-get download -qq "$@" 2>/dev/null || { apt-get update -qq && apt-get download -qq "$@"; }; })
for d in "$DIR"/debs/*.deb; do dpkg -x "$d" "$DIR/x"; done
