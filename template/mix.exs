defmodule {{crate_name | pascal_case}}.MixProject do
  use Mix.Project

  def project do
    [
      app: :{{crate_name}},
      version: "0.1.0",
      elixir: "~> 1.14",
      deps: deps(),
      # First the driver and its generated client
      # (Mix.Tasks.Compile.{{crate_name | pascal_case}}Native, below).
      compilers: [:{{crate_name}}_native] ++ Mix.compilers(),
      # How the compiler makes priv/{{crate_name}}.so (erldrv's :erldrv_precompiled):
      # build: :always builds it from source (Rust and cargo needed). To ship precompiled
      # drivers (README.md, "Shipping precompiled drivers"), add
      # base_url: "https://.../v{version}" where the release artifacts are and set
      # build: :fallback (the artifact for this VM, built from source when there is none)
      # or build: :never. ERLDRV_BUILD=1 or {{crate_name | upcase}}_BUILD=1 builds from
      # source whatever build says.
      erldrv_precompiled: [
        build: :always,
        checksum_file: "checksum-{{crate_name}}.sha256"
      ]
    ]
  end

  def application do
    # {{crate_name | pascal_case}}.Application loads the driver once and starts the
    # process that owns the application's port.
    [mod: {% raw %}{{% endraw %}{{crate_name | pascal_case}}.Application, []}, extra_applications: []]
  end

  defp deps do
    [
      # The Erlang side of erldrv: :erldrv_gen generates the client module from the
      # built driver, the client calls :erldrv to make its commands, and Erldrv loads
      # the driver. A Mix project of its own (mix.exs beside rebar.config), which Mix
      # compiles into this project's _build: no rebar3 needed.
{%- if erldrv_checkout == "" %}
      {:erldrv, "~> 0.1.0"}
{%- else %}
      {:erldrv, path: "{{erldrv_checkout}}/erlang"}
{%- endif %}
    ]
  end
end

defmodule Mix.Tasks.Compile.{{crate_name | pascal_case}}Native do
  @moduledoc """
  Makes priv/{{crate_name}}.so as the project's `erldrv_precompiled` options say
  (`:erldrv_precompiled.install/1`: by default native/build.sh builds the driver crate
  in release mode and installs the library; in precompiled mode the release artifact for
  this VM is downloaded, checked and installed), then generates the driver's client module,
  `{{crate_name | pascal_case}}.Native` in lib/{{crate_name}}/native.ex, from the built
  driver's `#[command]` methods with erldrv's `:erldrv_gen`. The file is rewritten only
  when the driver's commands changed, so an unchanged driver recompiles nothing. A
  compiler rather than an alias, so that it also runs when this project is another one's
  dependency; it runs before Elixir's, which then compiles the generated module.
  """
  use Mix.Task.Compiler

  @impl true
  def run(_args) do
    # The project's erldrv_precompiled options over these: paths from this directory.
    options =
      Map.merge(
        %{
          driver: :{{crate_name}},
          version: {:cargo_toml, Path.expand("native/{{crate_name}}/Cargo.toml", __DIR__)},
          priv_dir: Path.expand("priv", __DIR__),
          build_command: ["sh", Path.expand("native/build.sh", __DIR__)]
        },
        Map.new(Mix.Project.config()[:erldrv_precompiled] || [], fn
          {:checksum_file, file} -> {:checksum_file, Path.expand(file, __DIR__)}
          option -> option
        end)
      )

    case :erldrv_precompiled.install(options) do
      {:ok, %{source: :build}} ->
        generate_client()

      {:ok, %{source: :unchanged}} ->
        generate_client()

      {:ok, %{file: file, artifact: artifact}} ->
        Mix.shell().info("Installed #{artifact} as #{Path.relative_to_cwd(file)}")
        generate_client()

      {:error, reason} ->
        Mix.raise(List.to_string(:erldrv_precompiled.format_error(reason)))
    end
  end

  defp generate_client do
    out = Path.expand("lib/{{crate_name}}/native.ex", __DIR__)
    File.mkdir_p!(Path.dirname(out))

    options = %{
      driver_dir: Path.expand("priv", __DIR__),
      driver: :{{crate_name}},
      app: :{{crate_name}},
      language: :elixir,
      module: "{{crate_name | pascal_case}}.Native",
      out: out,
      # The file is then what `mix format` makes of it: the formatter leaves it as it is.
      format: &[Code.format_string!(&1), ?\n]
    }

    case :erldrv_gen.generate(options) do
      {:ok, :written} ->
        Mix.shell().info("Generated #{Path.relative_to_cwd(out)}")
        {:ok, []}

      {:ok, :unchanged} ->
        {:noop, []}

      {:error, reason} ->
        Mix.raise("generating #{out} failed: #{inspect(reason)}")
    end
  end
end
