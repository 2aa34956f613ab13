defmodule Erldrv do
  @moduledoc """
  erldrv drivers from Elixir: loading a driver from an application's `priv` directory,
  opening its ports, and calls whose refusals raise with the driver's own message.

  A thin layer over the Erlang module `:erldrv`, which it shares its semantics with (see
  that module's documentation for the details of each call): a driver named `name` is
  the file `priv/name.so` of its application, and its driver name must be `name`.

  An application loads its driver once, in its `start/2`, and drops the load in its
  `stop/1`; ports are then opened by the processes that own them, usually a supervised
  `GenServer`:

      defmodule MyApp.Application do
        use Application

        @impl true
        def start(_type, _args) do
          :ok = Erldrv.load_priv!(:my_app, :my_drv)
          Supervisor.start_link([MyApp.Server], strategy: :one_for_one)
        end

        @impl true
        def stop(_state) do
          Erldrv.unload(:my_drv)
          :ok
        end
      end

  Clients generated from a driver's `#[command]` methods (`:erldrv_gen`) call into
  `:erldrv` themselves; `call!/3` is for a driver's own `call` callback, or a command
  called by its number.
  """

  @typedoc "A driver name: the file `priv/<name>.so` and the driver's own name."
  @type name :: atom() | String.t()

  defmodule LoadError do
    @moduledoc """
    Raised by `Erldrv.load_priv!/2` when a driver cannot be loaded. `message` names the
    file, says what is wrong with it and how to fix the usual mistakes.
    """
    defexception [:driver, :message]

    @type t :: %__MODULE__{driver: Erldrv.name(), message: String.t()}
  end

  defmodule PanicError do
    @moduledoc """
    Raised by `Erldrv.call!/3` and `Erldrv.control!/3` when the driver's callback
    panicked; `message` is the panic message. The port is closed.
    """
    defexception [:message]

    @type t :: %__MODULE__{message: String.t()}
  end

  @doc """
  Loads driver `driver` from the `priv` directory of application `app` (the file
  `priv/<driver>.so`), for the calling process: it stays loaded until this process
  calls `unload/1` or exits, and after that until its last port is closed. Returns
  `{:error, message}` when it cannot be loaded.

      iex> Erldrv.load_priv(:no_such_app, :my_drv)
      {:error, "application no_such_app is not in the code path, so it has no priv directory to load driver my_drv from (is no_such_app a dependency, and was it built?)"}
  """
  @spec load_priv(atom(), name()) :: :ok | {:error, String.t()}
  def load_priv(app, driver) when is_atom(app) do
    :erldrv.load_priv(app, erl_name(driver))
  catch
    :error, {:erldrv_load_failed, _, _, text} -> {:error, List.to_string(text)}
  end

  @doc """
  `load_priv/2`, raising `Erldrv.LoadError` when the driver cannot be loaded.
  """
  @spec load_priv!(atom(), name()) :: :ok
  def load_priv!(app, driver) do
    case load_priv(app, driver) do
      :ok -> :ok
      {:error, message} -> raise LoadError, driver: driver, message: message
    end
  end

  @doc """
  Drops the calling process's load of driver `driver` (`:erldrv.unload/1`). When it was
  the last load, the driver's ports are closed and the driver unloaded.

      iex> Erldrv.unload(:not_loaded_drv)
      {:error, :not_loaded}
  """
  @spec unload(name()) :: :ok | {:error, term()}
  def unload(driver), do: :erldrv.unload(erl_name(driver))

  @doc """
  Opens a port of the loaded driver `driver` with the `Port.open/2` options `opts`, and
  `args` for the driver's `start` when not empty. Raises `ArgumentError` with the
  driver's message when its `start` refused the arguments, and `Erldrv.PanicError` when
  it panicked.
  """
  @spec open!(name(), String.t(), list()) :: port()
  def open!(driver, args \\ "", opts \\ []) do
    :erldrv.open(erl_name(driver), args, opts)
  catch
    :error, {:erldrv_panic, message} -> raise PanicError, message: text(message)
    :error, {_, reason} -> raise ArgumentError, "driver #{driver}: #{text(reason)}"
  end

  @doc """
  Closes a port. Returns `:ok`, also when it was closed already.
  """
  @spec close(port()) :: :ok
  def close(port) do
    Port.close(port)
    :ok
  rescue
    ArgumentError -> :ok
  end

  @doc """
  Calls the driver's `call` callback (`:erlang.port_call/3`) with `command` and the term
  `args`, and returns its reply. Raises `ArgumentError` with the driver's message when it
  refuses the arguments (for a `#[command]`, one that does not decode, naming the command
  and the argument), and `Erldrv.PanicError` when it panicked.

      id = Erldrv.command_id!(port, :add)
      Erldrv.call!(port, id, {5})
      #=> {:ok, 5}
      Erldrv.call!(port, id, {"5"})
      ** (ArgumentError) command add: expected an integer, found a binary (argument 1, `n`)
  """
  @spec call!(port(), non_neg_integer(), term()) :: term()
  def call!(port, command, args) do
    :erldrv.call(port, command, args)
  catch
    :error, reason -> raise_for(reason, __STACKTRACE__)
  end

  @doc """
  `:erlang.port_control/3` on the driver's `control` callback, with the same errors as
  `call!/3`.
  """
  @spec control!(port(), non_neg_integer(), iodata()) :: binary() | charlist()
  def control!(port, command, data) do
    :erldrv.control(port, command, data)
  catch
    :error, reason -> raise_for(reason, __STACKTRACE__)
  end

  @doc """
  The driver's `#[command]` methods, as maps with their `:name`, number (`:id`), `:kind`,
  arguments, result type and doc comment, in the order the driver declares them.
  """
  @spec commands(port()) :: [:erldrv.command_info()]
  def commands(port), do: :erldrv.commands(port)

  @doc """
  The number of the driver's command `name`, for `call!/3`. Raises `ArgumentError` when
  the driver has no such command.
  """
  @spec command_id!(port(), atom()) :: non_neg_integer()
  def command_id!(port, name) when is_atom(name) do
    case for %{name: ^name, id: id} <- commands(port), do: id do
      [id] -> id
      [] -> raise ArgumentError, "the driver has no command #{inspect(name)}"
    end
  end

  defp raise_for({:badarg, message}, _stack), do: raise(ArgumentError, text(message))
  defp raise_for({:erldrv_panic, message}, _stack), do: raise(PanicError, message: text(message))
  defp raise_for(reason, stack), do: :erlang.raise(:error, reason, stack)

  defp text(message) when is_binary(message), do: message
  defp text(message) when is_list(message), do: List.to_string(message)
  defp text(message), do: inspect(message)

  defp erl_name(name) when is_atom(name), do: name
  defp erl_name(name) when is_binary(name), do: String.to_charlist(name)
end
