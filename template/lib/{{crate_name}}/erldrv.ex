defmodule {{crate_name | pascal_case}}.Erldrv do
  @moduledoc """
  erldrv's calls for Elixir: thin wrappers of the `:erldrv` Erlang module (erldrv's Erlang
  side, a dependency of this project). This file is yours, like the rest of the project.

  A *request* is a call to the driver whose answer goes to the calling process alone. The
  driver takes it in `control` with `port.request()` and answers it later, from its worker
  pool (`request.spawn(...)`), so a port serves any number of callers at once and nobody
  waits for anyone else's answer. A request returns `{:ok, value}` or `{:error, reason}`;
  the reasons erldrv itself gives:

    * `:busy`: the driver's job queue is full;
    * `{:erldrv_panic, message}`: the job panicked (the port goes on);
    * `{:badarg, reason}` or `:badarg`: the driver's `control` refused the request;
    * `:erldrv_no_reply`: the driver dropped the request without answering it;
    * `:closed`: the port closed before answering;
    * `:timeout`: no answer in time; the request is then cancelled, and a late answer
      never reaches the mailbox.

  Wait at once with `request/4`, or later:

      id = {{crate_name | pascal_case}}.Erldrv.send_request(port, 1, "data")
      # ... other work ...
      {:ok, value} = {{crate_name | pascal_case}}.Erldrv.await(id)

  A process that must not block (a GenServer) sends the request, keeps its id, and
  recognises the answer with `check/2` among the messages it receives (`handle_info/2`).
  """

  @typedoc "A port, or the name it is registered under."
  @type port_ref :: port() | atom()

  @typedoc "A request in flight: what `send_request/3` returns and `await/2` waits for."
  @type request_id :: :erldrv.request_id()

  @typedoc "The answer to a request."
  @type result :: {:ok, term()} | {:error, term()}

  @default_timeout 5000

  @doc """
  Sends a request to the driver's `control` with `command` and `data`, and waits at most
  `timeout` milliseconds for its answer: `{:ok, value}` or `{:error, reason}` (see the
  module docs). `command` is below `0xFFFFFF00`; erldrv keeps the numbers above.
  """
  @spec request(port_ref(), non_neg_integer(), iodata(), timeout()) :: result()
  def request(port, command, data, timeout \\ @default_timeout),
    do: :erldrv.request(port, command, data, timeout)

  @doc """
  Sends a request as `request/4` does and returns its id at once. The answer arrives as a
  message, which `await/2` waits for and `check/2` recognises. Until then the calling
  process monitors the port, so a port that closes answers `{:error, :closed}`.
  """
  @spec send_request(port_ref(), non_neg_integer(), iodata()) :: request_id()
  def send_request(port, command, data), do: :erldrv.send_request(port, command, data)

  @doc """
  Waits at most `timeout` milliseconds for the answer to a request of `send_request/3`. On
  timeout the request is cancelled (`cancel/1`) and `{:error, :timeout}` returned.
  """
  @spec await(request_id(), timeout()) :: result()
  def await(request_id, timeout \\ @default_timeout), do: :erldrv.await(request_id, timeout)

  @doc """
  Whether `message` is the answer to the request: `{:reply, result}`, or `:no_reply` for any
  other message.
  """
  @spec check(term(), request_id()) :: {:reply, result()} | :no_reply
  def check(message, request_id), do: :erldrv.check(message, request_id)

  @doc """
  Gives up on a request: the driver drops it if it has not answered yet, and an answer
  already on its way is taken out of the mailbox.
  """
  @spec cancel(request_id()) :: :ok
  def cancel(request_id), do: :erldrv.cancel(request_id)

  @doc """
  Sends a request through `Port.command/2`, for a driver that takes requests in `outputv`
  (`port.request_in(&data)`): `data` reaches the driver without a copy, however large.
  Returns its id, as `send_request/3` does.
  """
  @spec send_command_request(port_ref(), iodata()) :: request_id()
  def send_command_request(port, data), do: :erldrv.send_command_request(port, data)

  @doc "`send_command_request/2`, then `await/2`."
  @spec command_request(port_ref(), iodata(), timeout()) :: result()
  def command_request(port, data, timeout \\ @default_timeout),
    do: :erldrv.command_request(port, data, timeout)

  @doc """
  A typed `port_call` (`:erlang.port_call/3`): `args` is decoded into the type of the
  driver's `call` method, and its answer returned. Raises `ArgumentError` with the
  driver's message when the driver refuses the arguments (they do not decode, or `call`
  returned an error), and an `ErlangError` of `{:erldrv_panic, message}` when it panicked.
  """
  @spec call(port_ref(), non_neg_integer(), term()) :: term()
  def call(port, command, args) do
    :erldrv.call(port, command, args)
  catch
    # Elixir would show {:badarg, message} as "argument error"; raise the message itself.
    :error, {:badarg, message} when is_binary(message) -> raise ArgumentError, message
  end
end
