defmodule {{crate_name | pascal_case}}Test do
  # ExUnit tests of {{crate_name | pascal_case}}, run by `mix test` against the driver built
  # from native/{{crate_name}}.
  use ExUnit.Case, async: true

  alias {{crate_name | pascal_case}}, as: Drv
  alias {{crate_name | pascal_case}}.Erldrv

  test "add, total and reset" do
    p = Drv.open()
    assert Drv.total(p) == 0
    assert Drv.add(p, 5) == 5
    assert Drv.add(p, -7) == -2
    assert Drv.total(p) == -2
    assert Drv.reset(p) == -2
    assert Drv.total(p) == 0
    Drv.close(p)
  end

  test "add_bytes counts the bytes of any iodata" do
    p = Drv.open()
    assert Drv.add_bytes(p, "abc") == 3
    # 2 + 1 + 3 + 2 bytes.
    assert Drv.add_bytes(p, ["io", ?l, ~c"ist", ["!!"]]) == 11
    assert Drv.add(p, 5) == 16
    Drv.close(p)
  end

  test "ports are independent" do
    p = Drv.open()
    q = Drv.open()
    assert Drv.add(p, 1) == 1
    assert Drv.add(q, 100) == 100
    assert Drv.total(p) == 1
    Drv.close(p)
    Drv.close(q)
  end

  test "bad arguments say what was expected" do
    p = Drv.open()

    assert_raise ArgumentError,
                 ~r/^port_call arguments: expected an integer, found a binary \(element 2, in \{add, _\}, in Request\)$/,
                 fn -> Drv.add(p, "1") end

    # :erldrv.call/3 itself raises {:badarg, message}.
    assert catch_error(:erldrv.call(p, 7, :total)) == {:badarg, "unknown command 7, expected 0"}

    assert Drv.add(p, 1) == 1
    max = Bitwise.bsl(1, 63) - 1
    assert_raise ArgumentError, ~r/^adding /, fn -> Drv.add(p, max) end
    # A refused call changes nothing.
    assert Drv.total(p) == 1
    Drv.close(p)
  end

  test "port_command data that would overflow the total is refused" do
    p = Drv.open()
    max = Bitwise.bsl(1, 63) - 1
    assert Drv.add(p, max) == max
    assert_raise ArgumentError, fn -> Drv.add_bytes(p, "x") end
    assert Drv.total(p) == max
    Drv.close(p)
  end

  test "hash runs on the worker pool, and each caller gets its own answer" do
    p = Drv.open()
    assert Drv.hash(p, "") == {:ok, 0xCBF29CE484222325}
    assert Drv.hash(p, "a") == {:ok, 0xAF63DC4C8601EC8C}
    assert Drv.hash(p, ["foo", ?b, ["ar"]]) == {:ok, 0x85944171F73967E8}
    big = :binary.copy("0123456789", 100_000)
    assert Drv.hash(p, big) == {:ok, fnv1a(big)}

    # 50 processes at once on the one port, each with its own data.
    tasks =
      for i <- 1..50 do
        Task.async(fn -> {i, Drv.hash(p, Integer.to_string(i))} end)
      end

    for {i, answer} <- Task.await_many(tasks) do
      assert answer == {:ok, fnv1a(Integer.to_string(i))}
    end

    Drv.close(p)
  end

  test "requests through Erldrv: send now, await or check later; refusals" do
    p = Drv.open()
    # 1 is the driver's hash command.
    id = Erldrv.send_request(p, 1, "abc")
    assert Erldrv.await(id, 5000) == {:ok, fnv1a("abc")}

    # Or recognise the answer among other messages, as a GenServer's handle_info would.
    send(self(), :other)
    id = Erldrv.send_request(p, 1, "xyz")
    {answer, others} = receive_answer(id)
    assert answer == {:ok, fnv1a("xyz")}
    assert others == [:other]

    assert Erldrv.request(p, 9, "") == {:error, {:badarg, "unknown command 9, expected 1"}}
    # A plain port_control carries no request: the driver refuses it.
    assert_raise ArgumentError, fn -> :erlang.port_control(p, 1, "abc") end
    assert Erldrv.request(p, 1, "still") == {:ok, fnv1a("still")}

    Drv.close(p)
    assert Erldrv.request(p, 1, "abc") == {:error, :closed}
  end

  # The answer to the request, and the other messages received before it.
  defp receive_answer(id, others \\ []) do
    receive do
      message ->
        case Erldrv.check(message, id) do
          {:reply, answer} -> {answer, Enum.reverse(others)}
          :no_reply -> receive_answer(id, [message | others])
        end
    after
      5000 -> flunk("no answer to #{inspect(id)}")
    end
  end

  # The driver's hash, written again in Elixir.
  defp fnv1a(data) do
    for <<byte <- data>>, reduce: 0xCBF29CE484222325 do
      h -> Bitwise.band(Bitwise.bxor(h, byte) * 0x100000001B3, 0xFFFFFFFFFFFFFFFF)
    end
  end
end
