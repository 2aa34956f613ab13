#!/bin/sh
# Generates the driver's Erlang client, src/{{crate_name}}_native.erl, from the driver that
# native/build.sh has just installed as priv/{{crate_name}}.so: erldrv_gen (the Erlang side
# of erldrv, a dependency) loads it, asks it for the module its #[command] methods make,
# and writes the file only when that differs from what is there, so an unchanged driver
# leaves the file, and rebar3's build, untouched. The file is never edited by hand.
#
# rebar3 runs this after native/build.sh, before compiling (pre_hooks in rebar.config),
# once the dependencies are compiled: erldrv's ebin is in $REBAR_DEPS_DIR, or in
# $REBAR_CHECKOUTS_OUT_DIR when erldrv comes from _checkouts/.
set -eu

name={{crate_name}}
cd "$(dirname "$0")/.."

ebin=
for dir in "${REBAR_CHECKOUTS_OUT_DIR:-}" "${REBAR_DEPS_DIR:-}"; do
    if [ -n "$dir" ] && [ -f "$dir/erldrv/ebin/erldrv_gen.beam" ]; then
        ebin="$dir/erldrv/ebin"
        break
    fi
done
if [ -z "$ebin" ]; then
    echo "$0: erldrv_gen.beam not found in \$REBAR_CHECKOUTS_OUT_DIR or \$REBAR_DEPS_DIR" \
        "(is the erldrv dependency compiled? run this through rebar3 compile)" >&2
    exit 1
fi

# Arguments: language, driver directory, driver, application, module, output file.
"${ERL:-erl}" -noshell -pa "$ebin" -run erldrv_gen main \
    erlang priv "$name" "$name" "${name}_native" "src/${name}_native.erl"
