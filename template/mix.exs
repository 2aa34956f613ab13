defmodule {{crate_name | pascal_case}}.MixProject do
  use Mix.Project

  def project do
    [
      app: :{{crate_name}},
      version: "0.1.0",
      elixir: "~> 1.14",
      deps: deps(),
      # First the driver (Mix.Tasks.Compile.{{crate_name | pascal_case}}Native, below).
      compilers: [:{{crate_name}}_native] ++ Mix.compilers()
    ]
  end

  def application do
    [extra_applications: []]
  end

  defp deps do
    [
      # The Erlang side of erldrv: :erldrv.load_priv/2 loads the driver with readable
      # errors, :erldrv.call/3 makes its typed port_calls. A rebar3 project, which Mix
      # builds with rebar3 (`mix local.rebar` installs one).
{%- if erldrv_checkout == "" %}
      {:erldrv,
       git: "https://github.com/erldrv/erldrv.git",
       tag: "v0.1.0",
       sparse: "erlang",
       manager: :rebar3}
{%- else %}
      {:erldrv, path: "{{erldrv_checkout}}/erlang", manager: :rebar3}
{%- endif %}
    ]
  end
end

defmodule Mix.Tasks.Compile.{{crate_name | pascal_case}}Native do
  @moduledoc """
  Builds the driver crate in release mode and installs the library as
  priv/{{crate_name}}.so (native/build.sh). A compiler rather than an alias, so that it
  also runs when this project is another one's dependency.
  """
  use Mix.Task.Compiler

  @impl true
  def run(_args) do
    script = Path.expand("native/build.sh", __DIR__)

    case System.cmd("sh", [script], into: IO.stream(:stdio, :line), stderr_to_stdout: true) do
      {_, 0} -> {:ok, []}
      {_, status} -> Mix.raise("#{script} failed (exit status #{status})")
    end
  end
end
