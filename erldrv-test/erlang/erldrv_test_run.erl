-module(erldrv_test_run).
-export([main/1]).

%% The Erlang half of the erldrv-test crate: what `erl` runs for a Rust test.
%%
%%   erl -noshell -pa ... -run erldrv_test_run main JobFile
%%
%% JobFile holds Erlang terms (file:consult/1), written by the Rust side:
%%   {load, [{Dir, Name}]}.     drivers to load first, with erldrv:load/2
%%   {keep_loaded, Bool}.       false: unload them again before the job runs
%%   {eval, Code, ResultFile}.  evaluate Code (a sequence of expressions) and write its
%%                              value to ResultFile, as text (~tp on one line)
%%   {eunit, [Module]}.         run EUnit on the modules, verbose
%%
%% Every failure is written to standard_error in a form a person can read (the exception,
%% formatted with its stack), and the VM halts with a status the Rust side tells apart:
-define(OK, 0).
-define(FAILED, 1).        % the snippet raised, or EUnit failed
-define(LOAD_FAILED, 3).   % a driver did not load
-define(SYNTAX, 4).        % the snippet does not parse
-define(BAD_JOB, 5).       % the job itself is broken: a bug of erldrv-test

main([JobFile]) ->
    Status = try run(JobFile)
             catch Class:Reason:Stack ->
                 report("erldrv-test's runner failed", Class, Reason, Stack),
                 ?BAD_JOB
             end,
    halt(Status).

run(JobFile) ->
    {ok, Job} = file:consult(JobFile),
    Loads = proplists:get_value(load, Job, []),
    case load_all(Loads) of
        ok ->
            case proplists:get_value(keep_loaded, Job, true) of
                true -> ok;
                false -> [unload(Name) || {_, Name} <- Loads]
            end,
            run_job(Job);
        Failed ->
            Failed
    end.

run_job(Job) ->
    case {lists:keyfind(eval, 1, Job), lists:keyfind(eunit, 1, Job)} of
        {{eval, Code, ResultFile}, false} -> eval(Code, ResultFile);
        {false, {eunit, Modules}} -> eunit(Modules)
    end.

load_all([]) ->
    ok;
load_all([{Dir, Name} | Rest]) ->
    try erldrv:load(Dir, Name) of
        ok -> load_all(Rest)
    catch
        error:{erldrv_load_failed, _, _, Text} ->
            io:format(standard_error, "driver ~ts did not load:~n~ts~n", [Name, Text]),
            ?LOAD_FAILED;
        Class:Reason:Stack ->
            report(io_lib:format("loading driver ~ts from ~ts raised", [Name, Dir]),
                   Class, Reason, Stack),
            ?LOAD_FAILED
    end.

%% erl_ddll counts loads per process: drop this process's own, and let the driver go.
unload(Name) ->
    ok = erl_ddll:unload_driver(Name).

eval(Code, ResultFile) ->
    case parse(Code) of
        {ok, Exprs} ->
            try erl_eval:exprs(Exprs, erl_eval:new_bindings()) of
                {value, Value, _Bindings} ->
                    Text = io_lib:format("~1000000tp", [Value]),
                    ok = file:write_file(ResultFile, unicode:characters_to_binary(Text)),
                    ?OK
            catch
                Class:Reason:Stack ->
                    report("the Erlang snippet raised an exception", Class, Reason, Stack),
                    ?FAILED
            end;
        {error, Text} ->
            io:format(standard_error, "the Erlang snippet does not parse: ~ts~n", [Text]),
            ?SYNTAX
    end.

%% Expressions separated by commas; the final full stop may be left out.
parse(Code) ->
    Ended = case lists:reverse(string:trim(Code, trailing)) of
                [$. | _] -> Code;
                _ -> Code ++ "\n."
            end,
    case erl_scan:string(Ended, 1) of
        {ok, Tokens, _} ->
            case erl_parse:parse_exprs(Tokens) of
                {ok, Exprs} -> {ok, Exprs};
                {error, {Line, Mod, Error}} ->
                    {error, io_lib:format("line ~p: ~ts", [Line, Mod:format_error(Error)])}
            end;
        {error, {Line, Mod, Error}, _} ->
            {error, io_lib:format("line ~p: ~ts", [Line, Mod:format_error(Error)])}
    end.

eunit(Modules) ->
    try eunit:test(Modules, [verbose]) of
        ok -> ?OK;
        Other ->
            io:format(standard_error, "~neunit:test/2 returned ~tp~n", [Other]),
            ?FAILED
    catch
        Class:Reason:Stack ->
            report("eunit:test/2 raised", Class, Reason, Stack),
            ?FAILED
    end.

%% The exception as the shell shows it, then as a term (cut deep down), for searching.
report(What, Class, Reason, Stack) ->
    Text = erl_error:format_exception(Class, Reason, Stack),
    io:format(standard_error, "~ts:~n~ts~n~tP:~tP~n", [What, Text, Class, 5, Reason, 30]).
