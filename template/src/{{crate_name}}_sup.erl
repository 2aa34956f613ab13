%% @doc The top supervisor of the {{crate_name}} application: it supervises
%% {{crate_name}}_server, the owner of the application's port. Should the port close (a
%% panic in the driver closes it), the server exits and is restarted with a new one.
-module({{crate_name}}_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).

-spec start_link() -> supervisor:startlink_ret().
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

-spec init([]) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init([]) ->
    Server = #{id => {{crate_name}}_server,
               start => {% raw %}{{% endraw %}{{crate_name}}_server, start_link, []},
               %% The server closes its port when it stops.
               shutdown => 5000},
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10}, [Server]}}.
