defmodule {{crate_name | pascal_case}}Test do
  # ExUnit tests of {{crate_name | pascal_case}}, run by `mix test` against the driver built
  # from native/{{crate_name}}, through the client module generated from it
  # ({{crate_name | pascal_case}}.Native, lib/{{crate_name}}/native.ex).
  use ExUnit.Case, async: true

  alias {{crate_name | pascal_case}}.Native, as: Drv

  defp open do
    {:ok, p} = Drv.open()
    p
  end

  test "add, total and reset" do
    p = open()
    assert Drv.total(p) == 0
    assert Drv.add(p, 5) == {:ok, 5}
    assert Drv.add!(p, -7) == -2
    assert Drv.total(p) == -2
    assert Drv.reset(p) == -2
    assert Drv.total(p) == 0
    assert Drv.close(p) == :ok
  end

  test "add_bytes counts the bytes of any iodata" do
    p = open()
    assert {{crate_name | pascal_case}}.add_bytes(p, "abc") == 3
    # 2 + 1 + 3 + 2 bytes.
    assert {{crate_name | pascal_case}}.add_bytes(p, ["io", ?l, ~c"ist", ["!!"]]) == 11
    assert Drv.add!(p, 5) == 16
    Drv.close(p)
  end

  test "ports are independent" do
    p = open()
    q = open()
    assert Drv.add!(p, 1) == 1
    assert Drv.add!(q, 100) == 100
    assert Drv.total(p) == 1
    Drv.close(p)
    Drv.close(q)
  end

  test "errors and bad arguments say why" do
    p = open()

    assert_raise ArgumentError,
                 "command add: expected an integer, found a binary (argument 1, `n`)",
                 fn -> Drv.add(p, "1") end

    assert Drv.add!(p, 1) == 1
    max = Bitwise.bsl(1, 63) - 1
    message = "adding #{max} to 1 does not fit a 64-bit counter"
    assert Drv.add(p, max) == {:error, message}
    error = assert_raise Drv.Error, fn -> Drv.add!(p, max) end
    assert error.reason == message
    # A refused call changes nothing.
    assert Drv.total(p) == 1
    Drv.close(p)
  end

  test "port_command data that would overflow the total is refused" do
    p = open()
    max = Bitwise.bsl(1, 63) - 1
    assert Drv.add!(p, max) == max
    assert_raise ArgumentError, fn -> {{crate_name | pascal_case}}.add_bytes(p, "x") end
    assert Drv.total(p) == max
    Drv.close(p)
  end

  test "hash runs on the worker pool, and each caller gets its own answer" do
    p = open()
    assert Drv.hash(p, "") == {:ok, 0xCBF29CE484222325}
    assert Drv.hash!(p, "a") == 0xAF63DC4C8601EC8C
    # A list of bytes reads as a binary.
    assert Drv.hash(p, ~c"foobar") == {:ok, 0x85944171F73967E8}
    big = :binary.copy("0123456789", 100_000)
    assert Drv.hash(p, big, 10_000) == {:ok, fnv1a(big)}

    # 50 processes at once on the one port, each with its own data.
    tasks =
      for i <- 1..50 do
        Task.async(fn -> {i, Drv.hash(p, Integer.to_string(i))} end)
      end

    for {i, answer} <- Task.await_many(tasks) do
      assert answer == {:ok, fnv1a(Integer.to_string(i))}
    end

    # A refused argument answers that caller alone.
    assert {:error, {:badarg, "command hash: " <> _}} = Drv.hash(p, :an_atom)
    assert_raise ArgumentError, ~r/^command hash: /, fn -> Drv.hash!(p, :an_atom) end

    Drv.close(p)
    assert Drv.hash(p, "abc") == {:error, :closed}
  end

  test "the client checks the driver's interface at open" do
    p = open()
    assert %{commands: [_ | _]} = :erldrv.interface(p)
    names = Enum.sort(for %{name: name} <- :erldrv.commands(p), do: name)
    assert names == [:add, :hash, :reset, :total]
    Drv.close(p)
  end

  # The driver's hash, written again in Elixir.
  defp fnv1a(data) do
    for <<byte <- data>>, reduce: 0xCBF29CE484222325 do
      h -> Bitwise.band(Bitwise.bxor(h, byte) * 0x100000001B3, 0xFFFFFFFFFFFFFFFF)
    end
  end
end

defmodule {{crate_name | pascal_case}}.ApplicationTest do
  # The application, which `mix test` has started: it loaded the driver once and owns a
  # supervised port, which its API uses. Not async: it stops and restarts the
  # application and its server, which the other module's tests must not see.
  use ExUnit.Case, async: false

  alias {{crate_name | pascal_case}}, as: App

  @driver ~c"{{crate_name}}"

  test "the API works from any process, through the application's port" do
    App.reset()
    assert App.add(5) == {:ok, 5}
    assert App.add_bytes("abc") == 8
    assert App.total() == 8
    # Another process shares the port: same total.
    assert Task.await(Task.async(fn -> App.add(2) end)) == {:ok, 10}
    assert App.hash("abc") == {:ok, 0xE71FA2190541574B}
    max = Bitwise.bsl(1, 63) - 1
    assert App.add(max - 10) == {:ok, max}
    assert_raise ArgumentError, "the total would not fit 64 bits", fn -> App.add_bytes("x") end
    assert App.reset() == max
  end

  test "Erldrv: call! raises ArgumentError with the driver's message" do
    port = App.port()
    add = Erldrv.command_id!(port, :add)
    App.reset()
    assert Erldrv.call!(port, add, {3}) == {:ok, 3}

    assert_raise ArgumentError,
                 "command add: expected an integer, found a binary (argument 1, `n`)",
                 fn -> Erldrv.call!(port, add, {"3"}) end

    assert_raise ArgumentError, "the driver has no command :nope", fn ->
      Erldrv.command_id!(port, :nope)
    end

    assert App.reset() == 3
  end

  test "Erldrv: a driver that cannot be loaded raises Erldrv.LoadError, saying why" do
    error = assert_raise Erldrv.LoadError, fn -> Erldrv.load_priv!(:{{crate_name}}, :other_drv) end
    assert error.message =~ "other_drv.so does not exist"
    assert Erldrv.load_priv(:no_such_app, :{{crate_name}}) |> elem(1) =~ "not in the code path"
  end

  test "the driver is loaded once, by the application" do
    [{holder, 1}] = :erl_ddll.info(@driver, :processes)
    assert holder != self()
    assert holder != Process.whereis({{crate_name | pascal_case}}.Server)
    {:ok, p} = {{crate_name | pascal_case}}.Native.open()
    # Opening a port took no load of its own.
    assert :erl_ddll.info(@driver, :processes) == [{holder, 1}]
    assert :erl_ddll.info(@driver, :port_count) == 2
    :ok = {{crate_name | pascal_case}}.Native.close(p)
    assert :erl_ddll.info(@driver, :processes) == [{holder, 1}]
    assert :erl_ddll.info(@driver, :port_count) == 1
  end

  test "the port's owner is supervised and restarted with a new port" do
    old = App.port()
    {:ok, _} = App.add(1)
    server = Process.whereis({{crate_name | pascal_case}}.Server)
    ref = Process.monitor(server)
    Process.exit(server, :kill)
    assert_receive {:DOWN, ^ref, :process, ^server, :killed}, 5000
    assert Port.info(old) == nil
    new = wait_for_port(old, 50)
    assert new != old
    # A new port, a new total, and still the application's one load.
    assert App.total() == 0
    assert [{_, 1}] = :erl_ddll.info(@driver, :processes)
  end

  test "stopping the application unloads the driver" do
    :ok = Application.stop(:{{crate_name}})
    {:ok, loaded} = :erl_ddll.loaded_drivers()
    refute @driver in loaded
    {:ok, _} = Application.ensure_all_started(:{{crate_name}})
    assert App.total() == 0
  end

  # The supervisor restarts the server once the kill's exit signal reaches it, which is
  # not ordered with the :DOWN message this process got: until then port/0 exits (or the
  # old server is still registered). Tries every 20 ms, for up to a second.
  defp wait_for_port(old, tries) do
    port =
      try do
        App.port()
      catch
        :exit, _ -> nil
      end

    cond do
      is_port(port) and port != old ->
        port

      tries > 0 ->
        receive do
        after
          20 -> wait_for_port(old, tries - 1)
        end

      true ->
        flunk("no new port after the server was killed")
    end
  end
end
