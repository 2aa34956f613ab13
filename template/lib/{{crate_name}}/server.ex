defmodule {{crate_name | pascal_case}}.Server do
  @moduledoc """
  The owner of the application's port, supervised by the application. It opens the port
  when it starts (through the generated client `{{crate_name | pascal_case}}.Native`),
  closes it when it stops, and stops when the port closes unexpectedly, so that its
  supervisor restarts it with a new port.

  Commands need no owner: `{{crate_name | pascal_case}}`'s functions take the port from
  here (`port/0`) and call the driver from the caller's own process, so callers never
  wait for one another. What goes to the port owner, the answer to `Port.command/2`
  data, goes through this server (`add_bytes/1`).
  """
  use GenServer

  alias {{crate_name | pascal_case}}.Native

  @doc false
  def start_link(_arg), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @doc "The application's port."
  @spec port() :: port()
  def port, do: GenServer.call(__MODULE__, :port)

  @doc """
  Sends `data` through the application's port and returns the new total, as
  `{{crate_name | pascal_case}}.add_bytes/2` does for a port the caller owns.
  """
  @spec add_bytes(iodata()) :: integer()
  def add_bytes(data) do
    case GenServer.call(__MODULE__, {:add_bytes, data}) do
      {:ok, total} -> total
      {:error, exception} -> raise exception
    end
  end

  @impl true
  def init([]) do
    # terminate/2 runs at shutdown, and the port's exit arrives as a message.
    Process.flag(:trap_exit, true)

    case Native.open() do
      {:ok, port} -> {:ok, port}
      {:error, reason} -> {:stop, reason}
    end
  end

  @impl true
  def handle_call(:port, _from, port), do: {:reply, port, port}

  def handle_call({:add_bytes, data}, _from, port) do
    reply =
      try do
        {:ok, {{crate_name | pascal_case}}.add_bytes(port, data)}
      rescue
        exception -> {:error, exception}
      end

    {:reply, reply, port}
  end

  @impl true
  def handle_info({:EXIT, port, reason}, port), do: {:stop, {:port_closed, reason}, port}
  # An answer that came after add_bytes/2 gave up waiting.
  def handle_info(_late, port), do: {:noreply, port}

  @impl true
  def terminate(_reason, port), do: Native.close(port)
end
