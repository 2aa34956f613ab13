#!/bin/sh
# Builds the driver crate native/{{crate_name}} in release mode and installs the library as
# priv/{{crate_name}}.so, the file the VM opens for a driver named {{crate_name}}.
{% if build_tool == "mix" -%}
# Mix runs this before compiling Elixir (the {{crate_name}}_native compiler in mix.exs,
# through erldrv_precompiled) when the driver is built from source.
{% else -%}
# rebar3 runs this before compiling (pre_hooks in rebar.config: native/driver.sh, through
# erldrv_precompiled) when the driver is built from source.
{% endif -%}
set -eu

name={{crate_name}}
cd "$(dirname "$0")/.."

# $CARGO is the cargo that runs us, when cargo does (a test, say): use the same one.
cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-native/target}
"$cargo" build --release --manifest-path "native/$name/Cargo.toml" --target-dir "$target_dir"

# Cargo names the library lib<name>.so, or lib<name>.dylib on macOS; the VM wants
# <name>.so on both.
case "$(uname -s)" in
    Darwin) lib="lib$name.dylib" ;;
    *) lib="lib$name.so" ;;
esac

mkdir -p priv
# Copy, then rename over the old file: a VM that still has the old library loaded keeps
# its copy intact, where overwriting the file in place could crash it.
cp "$target_dir/release/$lib" "priv/.$name.so.tmp"
mv -f "priv/.$name.so.tmp" "priv/$name.so"
