defmodule Erldrv.MixProject do
  # The erldrv application as a Mix project, for Elixir users: Mix compiles the Erlang
  # modules in src/ and the Elixir module Erldrv in lib/ itself, so a project that
  # depends on erldrv (from hex, or with `path:` to this directory) needs no rebar3.
  # rebar3 users build the same application from rebar.config and src/erldrv.app.src,
  # and never compile lib/: they need no Elixir. Keep the version and the metadata in
  # step with src/erldrv.app.src.
  use Mix.Project

  def project do
    [
      app: :erldrv,
      version: "0.1.0",
      elixir: "~> 1.14",
      erlc_paths: ["src"],
      elixirc_paths: ["lib"],
      deps: [],
      description:
        "The Erlang side of erldrv drivers: loading with readable errors, typed port_call",
      package: [
        licenses: ["MIT", "Apache-2.0"],
        links: %{"GitHub" => "https://github.com/erldrv/erldrv"},
        files: ["src", "lib", "mix.exs", "rebar.config"]
      ]
    ]
  end

  def application do
    [extra_applications: []]
  end
end
