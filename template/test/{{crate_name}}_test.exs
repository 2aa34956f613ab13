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
