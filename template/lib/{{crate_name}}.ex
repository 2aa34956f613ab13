defmodule {{crate_name | pascal_case}} do
  @moduledoc """
  The API of the `:{{crate_name}}` application, around the driver of
  `native/{{crate_name}}`. The application (started by `mix test`, `iex -S mix` or your
  release) loads the driver and starts the process that owns its port; these functions
  then work from any process, without managing ports:

      {:ok, 5} = {{crate_name | pascal_case}}.add(5)
      8 = {{crate_name | pascal_case}}.add_bytes("abc")
      8 = {{crate_name | pascal_case}}.reset()
      {:ok, 0xE71FA2190541574B} = {{crate_name | pascal_case}}.hash("abc")

  The driver's commands, the Rust methods marked `#[command]`, are called through the
  generated client `{{crate_name | pascal_case}}.Native` (`lib/{{crate_name}}/native.ex`,
  written by the build, never by hand), which also opens ports of your own:

      {:ok, port} = {{crate_name | pascal_case}}.Native.open()
      {:ok, 5} = {{crate_name | pascal_case}}.Native.add(port, 5)
      8 = {{crate_name | pascal_case}}.add_bytes(port, "abc")
      :ok = {{crate_name | pascal_case}}.Native.close(port)

  What commands do not cover lives here: `add_bytes/2` streams data with `Port.command/2`
  and waits for the message the driver sends the port owner.
  """

  alias {{crate_name | pascal_case}}.{Native, Server}

  # How long add_bytes/2 waits for the driver's answer, in milliseconds.
  @timeout 5000

  @doc "The port of the application, owned by `{{crate_name | pascal_case}}.Server`."
  @spec port() :: port()
  defdelegate port(), to: Server

  @doc """
  Adds `n` to the application port's total: `{:ok, new_total}`, or `{:error, why}` when
  the total would not fit 64 bits.
  """
  @spec add(integer()) :: {:ok, integer()} | {:error, String.t()}
  def add(n), do: Native.add(port(), n)

  @doc "The application port's total."
  @spec total() :: integer()
  def total, do: Native.total(port())

  @doc "Sets the application port's total back to 0 and returns what it was."
  @spec reset() :: integer()
  def reset, do: Native.reset(port())

  @doc "The 64-bit FNV-1a hash of `data`, computed on the driver's worker pool."
  @spec hash(binary() | [byte()]) :: {:ok, non_neg_integer()} | {:error, term()}
  def hash(data), do: Native.hash(port(), data)

  @doc """
  Adds the size of `data` in bytes to the application port's total and returns the new
  total; the port's owner, `{{crate_name | pascal_case}}.Server`, receives the answer.
  Raises `ArgumentError` when the total would not fit 64 bits.
  """
  @spec add_bytes(iodata()) :: integer()
  defdelegate add_bytes(data), to: Server

  @doc """
  Sends `data` through the port, which adds its size in bytes to the total, and returns
  the new total. The caller must own the port, since the answer goes to the owner.
  Raises `ArgumentError` when the total would not fit 64 bits.
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
end
