# lib/{{crate_name}}/native.ex is left out: the build generates it from the driver and
# rewrites it whenever it differs from what the driver renders, formatted or not.
generated = ["lib/{{crate_name}}/native.ex"]

[
  inputs:
    Enum.flat_map(["{mix,.formatter}.exs", "{lib,test}/**/*.{ex,exs}"], &Path.wildcard/1) --
      generated
]
