defmodule {{crate_name | pascal_case}} do
  @moduledoc """
  The client of the `{{crate_name}}` driver (`native/{{crate_name}}`): each port holds a
  counter.

      port = {{crate_name | pascal_case}}.open()
      5 = {{crate_name | pascal_case}}.add(port, 5)
      8 = {{crate_name | pascal_case}}.add_bytes(port, "abc")
      8 = {{crate_name | pascal_case}}.reset(port)
      0 = {{crate_name | pascal_case}}.total(port)
      {:ok, 0xE71FA2190541574B} = {{crate_name | pascal_case}}.hash(port, "abc")
      :ok = {{crate_name | pascal_case}}.close(port)

  The driver is `priv/{{crate_name}}.so`, built and installed there by `native/build.sh`
  before Mix compiles. erldrv (a dependency) loads it and makes its calls, through
  `{{crate_name | pascal_case}}.Erldrv`.
  """

  alias {{crate_name | pascal_case}}.Erldrv

  @app :{{crate_name}}
  # The driver's name, which is also the name of its file in priv/.
  @driver ~c"{{crate_name}}"
  # The command number of every port_call the driver understands.
  @request 0
  # The command of the hash request (HASH in the driver).
  @hash 1
  # How long add_bytes/2 and hash/2 wait for the driver's answer, in milliseconds.
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
  The 64-bit FNV-1a hash of `data`, computed on the driver's worker pool: `{:ok, hash}`.
  Any process may call this, and many at once on one port: each waits for its own answer
  only. `{:error, reason}` as `Erldrv.request/4` says (`:timeout` after `timeout` ms).
  """
  @spec hash(port(), iodata(), timeout()) :: {:ok, non_neg_integer()} | {:error, term()}
  def hash(port, data, timeout \\ @timeout), do: Erldrv.request(port, @hash, data, timeout)

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

  # Erldrv.call/3 raises ArgumentError when the driver refuses the arguments.
  defp call(port, request), do: Erldrv.call(port, @request, request)
end
