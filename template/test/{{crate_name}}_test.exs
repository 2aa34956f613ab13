defmodule {{crate_name | pascal_case}}Test do
  # ExUnit tests of {{crate_name | pascal_case}}, run by `mix test` against the driver built
  # from native/{{crate_name}}.
  use ExUnit.Case, async: true

  alias {{crate_name | pascal_case}}, as: Drv

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
end
