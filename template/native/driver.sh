#!/bin/sh
# Makes priv/{{crate_name}}.so, the way the erldrv_precompiled options in rebar.config say:
# built from source (native/build.sh, which needs Rust and cargo; the default), or the
# precompiled release artifact for this VM, downloaded (or taken from the cache) and
# checked against checksum-{{crate_name}}.sha256 before it is installed. erldrv_precompiled,
# in the erldrv dependency, decides and does it; ERLDRV_BUILD=1 (or
# {{crate_name | upcase}}_BUILD=1) builds from source whatever the options say.
#
# rebar3 runs this before compiling (pre_hooks in rebar.config), once the dependencies are
# compiled: erldrv's ebin is in $REBAR_DEPS_DIR, or in $REBAR_CHECKOUTS_OUT_DIR when erldrv
# comes from _checkouts/.
set -eu

cd "$(dirname "$0")/.."

ebin=
for dir in "${REBAR_CHECKOUTS_OUT_DIR:-}" "${REBAR_DEPS_DIR:-}"; do
    if [ -n "$dir" ] && [ -f "$dir/erldrv/ebin/erldrv_precompiled.beam" ]; then
        ebin="$dir/erldrv/ebin"
        break
    fi
done
if [ -z "$ebin" ]; then
    echo "$0: erldrv_precompiled.beam not found in \$REBAR_CHECKOUTS_OUT_DIR or" \
        "\$REBAR_DEPS_DIR (is the erldrv dependency compiled? run this through rebar3 compile)" >&2
    exit 1
fi

# The options are the {erldrv_precompiled, [...]} term of rebar.config.
"${ERL:-erl}" -noshell -pa "$ebin" -run erldrv_precompiled main rebar.config
