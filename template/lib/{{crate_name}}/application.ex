defmodule {{crate_name | pascal_case}}.Application do
  @moduledoc """
  The `:{{crate_name}}` application: loads the driver once, when the application starts,
  and keeps it loaded until the application stops.

  `start/2` and `stop/1` run in the one process the application master keeps for the
  application's lifetime, so the load taken in `start/2` lasts as long as the
  application: ports opened meanwhile (by `{{crate_name | pascal_case}}.Server`, or by
  callers of the generated client `{{crate_name | pascal_case}}.Native`) load nothing
  themselves, and closing the last of them leaves the driver loaded. A driver that cannot
  be loaded makes the application fail to start, with erldrv's message saying why.
  """
  use Application

  @impl true
  def start(_type, _args) do
    case Erldrv.load_priv(:{{crate_name}}, :{{crate_name}}) do
      :ok ->
        # The server owns the application's port; should the port close (a panic in the
        # driver closes it), the server exits and is restarted with a new one.
        children = [{{crate_name | pascal_case}}.Server]

        Supervisor.start_link(children,
          strategy: :one_for_one,
          name: {{crate_name | pascal_case}}.Supervisor
        )

      {:error, message} ->
        {:error, {:erldrv_load_failed, message}}
    end
  end

  @impl true
  def stop(_state) do
    # The supervision tree has stopped: its ports are closed.
    Erldrv.unload(:{{crate_name}})
    :ok
  end
end
