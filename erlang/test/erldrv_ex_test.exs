defmodule ErldrvTest do
  # The Elixir module Erldrv without a driver: its examples, and its errors. Its calls
  # against a real driver are tested in the Mix project the template generates.
  use ExUnit.Case, async: true
  doctest Erldrv

  test "load_priv!/2 raises Erldrv.LoadError with erldrv's message" do
    error = assert_raise Erldrv.LoadError, fn -> Erldrv.load_priv!(:erldrv, "no_such_drv") end
    assert error.driver == "no_such_drv"
    assert error.message =~ "no_such_drv.so does not exist"
  end

  test "call!/3 on a closed port raises ArgumentError" do
    port = Port.open({:spawn, "cat"}, [])
    Port.close(port)
    assert_raise ArgumentError, fn -> Erldrv.call!(port, 1, {}) end
  end
end
