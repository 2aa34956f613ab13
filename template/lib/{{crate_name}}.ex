defmodule {{crate_name | pascal_case}} do
  @moduledoc """
  The client of the `{{crate_name}}` driver (`native/{{crate_name}}`): each port holds a
  counter.

      port = {{crate_name | pascal_case}}.open()
      5 = {{crate_name | pascal_case}}.add(port, 5)
      8 = {{crate_name | pascal_case}}.add_bytes(port, "abc")
      8 = {{crate_name | pascal_case}}.reset(port)
      0 = {{crate_name | pascal_case}}.total(port)
      :ok = {{crate_name | pascal_case}}.close(port)

  The driver is `priv/{{crate_name}}.so`, built and installed there by `native/build.sh`
  before Mix compiles. erldrv (a dependency) loads it and makes its calls.
  """

  @app :{{crate_name}}
  # The driver's name, which is also the name of its file in priv/.
  @driver ~c"{{crate_name}}"
  # The command number of every port_call the driver understands.
  @request 0
  # How long add_bytes/2 waits for the driver's answer, in milliseconds.
  @timeout 5000

  @doc """
  Loads the driver from this application's priv directory; loading it again is harmless.

  The VM keeps the driver while the calling process lives or one of its ports is open.
  If the driver is missing or broken this raises an `ErlangError` whose reason is
  `{:erldrv_load_failed, name, dir, text}`, where `text` says what is wrong.
  """
  @spec load() :: :ok
  def load, do: :erldrv.load_priv(@app, @driver)

  @doc "Opens a port of the driver, with its counter at 0, owned by the calling process."
  @spec open() :: port()
  def open do
    :ok = load()
    # Port.open/2, raising the driver's reason when it refuses to start.
    :erldrv.open(@driver, [:binary])
  end

  @spec close(port()) :: :ok
  def close(port) do
    true = Port.close(port)
    :ok
  end

  @doc """
  Adds `n` and returns the new total. Raises `ArgumentError` if `n` is not an integer or
  the total would not fit 64 bits.
  """
  @spec add(port(), integer()) :: integer()
  def add(port, n), do: call(port, {:add, n})

  @spec total(port()) :: integer()
  def total(port), do: call(port, :total)

  @doc "Sets the total back to 0 and returns what it was."
  @spec reset(port()) :: integer()
  def reset(port), do: call(port, :reset)

  @doc """
  Sends `data` through the port, which adds its size in bytes to the total, and returns
  the new total. The caller must own the port, since the answer goes to the owner.
  """
  @spec add_bytes(port(), iodata()) :: integer()
  def add_bytes(port, data) do
    true = Port.command(port, data)

    receive do
      {^port, {:total, total}} -> total
      {^port, {:error, :overflow}} -> raise ArgumentError, "the total would not fit 64 bits"
    after
      @timeout -> raise "no answer from #{inspect(port)}"
    end
  end

  # :erldrv.call/3 raises {:badarg, message} when the driver refuses the arguments; Elixir
  # would show that as "argument error: \"...\"", so raise the message itself.
  defp call(port, request) do
    :erldrv.call(port, @request, request)
  catch
    :error, {:badarg, message} when is_binary(message) -> raise ArgumentError, message
  end
end
