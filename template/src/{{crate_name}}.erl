%% Your own code around the {{crate_name}} driver (native/{{crate_name}}). Its commands,
%% the Rust methods marked #[command], are called through the generated client
%% {{crate_name}}_native (src/{{crate_name}}_native.erl, written by the build, never by
%% hand):
%%
%%     {ok, Port} = {{crate_name}}_native:open(),
%%     {ok, 5} = {{crate_name}}_native:add(Port, 5),
%%     8 = {{crate_name}}:add_bytes(Port, <<"abc">>),
%%     8 = {{crate_name}}_native:reset(Port),
%%     0 = {{crate_name}}_native:total(Port),
%%     {ok, 16#E71FA2190541574B} = {{crate_name}}_native:hash(Port, <<"abc">>),
%%     ok = {{crate_name}}_native:close(Port).
%%
%% What commands do not cover lives here: add_bytes/2 streams data with port_command and
%% waits for the message the driver sends the port owner.
-module({{crate_name}}).
-export([add_bytes/2]).

%% How long add_bytes/2 waits for the driver's answer.
-define(TIMEOUT, 5000).

%% Sends Data through the port, which adds its size in bytes to the total, and returns
%% the new total. The caller must own the port, since the answer goes to the owner.
%% Raises error({badarg, overflow}) when the total would not fit 64 bits.
-spec add_bytes(port(), iodata()) -> integer().
add_bytes(Port, Data) ->
    true = port_command(Port, Data),
    receive
        {Port, {total, Total}} -> Total;
        {Port, {error, overflow}} -> error({badarg, overflow}, [Port, Data])
    after ?TIMEOUT ->
        error({no_answer_from, Port})
    end.
