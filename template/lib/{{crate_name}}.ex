defmodule {{crate_name | pascal_case}} do
  @moduledoc """
  Your own code around the `{{crate_name}}` driver (`native/{{crate_name}}`). Its
  commands, the Rust methods marked `#[command]`, are called through the generated client
  `{{crate_name | pascal_case}}.Native` (`lib/{{crate_name}}/native.ex`, written by the
  build, never by hand):

      {:ok, port} = {{crate_name | pascal_case}}.Native.open()
      {:ok, 5} = {{crate_name | pascal_case}}.Native.add(port, 5)
      8 = {{crate_name | pascal_case}}.add_bytes(port, "abc")
      8 = {{crate_name | pascal_case}}.Native.reset(port)
      0 = {{crate_name | pascal_case}}.Native.total(port)
      0xE71FA2190541574B = {{crate_name | pascal_case}}.Native.hash!(port, "abc")
      :ok = {{crate_name | pascal_case}}.Native.close(port)

  What commands do not cover lives here: `add_bytes/2` streams data with `Port.command/2`
  and waits for the message the driver sends the port owner.
  """

  # How long add_bytes/2 waits for the driver's answer, in milliseconds.
  @timeout 5000

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
