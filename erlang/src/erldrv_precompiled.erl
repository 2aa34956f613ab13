%% @doc Installs a precompiled erldrv driver in an application's `priv/', so that the users of
%% a library need no Rust toolchain: the Erlang (rebar3) and Elixir (Mix) counterpart of
%% `cargo erldrv precompile', which builds the artifacts and their checksum file.
%%
%% An artifact is the driver's release library, named
%% `<driver>-v<version>-drv<major>.<minor>-<target>.so' (the driver API version its entry
%% declares, the Rust target triple it was built for). The library ships the checksum file
%% `cargo erldrv precompile' wrote (`sha256sum''s format: `<hex digest>  <file name>' a
%% line); the artifacts are on a server (a release page) or in a local cache directory.
%%
%% install/1, at compile time:
%% <ol>
%% <li>builds from source (runs `build_command') when asked: the environment variable
%%     `ERLDRV_BUILD' or `<DRIVER>_BUILD' (the driver name in upper case) is `1' or `true',
%%     or the option `build' is `always';</li>
%% <li>otherwise picks, among the artifacts the checksum file lists for this driver, version
%%     and target, the one this VM loads: the same driver API major version as
%%     `erlang:system_info(driver_version)', and the highest minor version not above the
%%     VM's (the rule the VM applies when it loads a driver);</li>
%% <li>takes it from the cache directory, or downloads it from `base_url' into the cache;</li>
%% <li>verifies its SHA-256 against the checksum file before anything is installed: a
%%     mismatch is an error naming the file or URL, the expected and the actual digest, and
%%     nothing is installed (nor cached);</li>
%% <li>installs it as `priv_dir/<driver>.so' through a temporary file and a rename, so a VM
%%     that has the old library loaded keeps an intact copy; an installed file that already
%%     has the digest is left alone.</li>
%% </ol>
%% When no verified artifact can be had (none listed for this VM, not in the cache and no
%% `base_url', or the download fails) the driver is built from source if `build' is
%% `fallback' (the default when a `build_command' is given); with `never' (the default
%% without one) it is an error that names the artifact, the URL tried and how to build from
%% source. A checksum mismatch never falls back to building: it is always an error.
%%
%% Target triples: the VM does not know Rust's triples, so the target is
%% `erlang:system_info(system_architecture)' (the GNU triple Erlang/OTP was configured for)
%% mapped to Rust's naming: the CPU as Rust names it (`amd64' is `x86_64', `i386'..`i686'
%% are `i686', `armv7l' is `armv7', `arm64' is `aarch64', `riscv64' is `riscv64gc'),
%% then `unknown-linux-<libc ABI>' for Linux (`gnu' when the triple names none; `musl',
%% `gnueabihf'... as written), `apple-darwin' for macOS and `unknown-freebsd',
%% `unknown-netbsd', `unknown-openbsd' for the BSDs; the vendor part is dropped. Limits: it
%% is the triple OTP was built for, not necessarily the machine's (a 32-bit OTP on a 64-bit
%% system says i686); a Linux triple that does not name its C library is taken as glibc
%% (`gnu'); other systems are refused, and Windows is not supported by erldrv. The option
%% `target' or the environment variable `ERLDRV_TARGET' sets the triple when the mapping
%% is wrong.
%%
%% From a rebar3 hook, with the options in a file (`rebar.config' itself, say):
%% ```
%% {erldrv_precompiled, [{driver, my_drv}, {version, {cargo_toml, "native/my_drv/Cargo.toml"}},
%%                       {priv_dir, "priv"}, {checksum_file, "checksum-my_drv.sha256"},
%%                       {base_url, "https://example.com/my_drv/releases/v{version}"},
%%                       {build, fallback}, {build_command, ["sh", "native/build.sh"]}]}.
%% '''
%% `erl -noshell -pa path/to/erldrv/ebin -run erldrv_precompiled main rebar.config'
%% (see main/1); from Mix, `:erldrv_precompiled.install(map)' in a compiler step.
-module(erldrv_precompiled).

-export([install/1, main/1, format_error/1, artifact_name/4, rust_target/1, target/0,
         read_checksums/1, options_from_file/1]).
-export_type([options/0, result/0, reason/0]).

-type options() :: #{driver := atom() | string() | binary(),
                     version := string() | binary() | {cargo_toml, file:filename_all()},
                     priv_dir := file:filename_all(),
                     checksum_file := file:filename_all(),
                     base_url => string() | binary() | undefined,
                     cache_dir => file:filename_all(),
                     build => always | fallback | never,
                     build_command => [string() | binary()],
                     target => string() | binary(),
                     http_options => [tuple()]}.
%% `driver': the driver name (the file `priv_dir/<driver>.so').
%% `version': the artifacts' version (the driver crate's), or `{cargo_toml, Path}' to read
%% it from the crate's `Cargo.toml' (`version = "..."' of its `[package]').
%% `priv_dir': where the driver is installed. `checksum_file': the file
%% `cargo erldrv precompile' wrote. `base_url': where the artifacts are (`BaseUrl/<artifact>';
%% `{version}' in it is replaced by the version); without it, only the cache is used.
%% `cache_dir': where downloaded artifacts are kept (default: the environment variable
%% `ERLDRV_CACHE_DIR', else `filename:basedir(user_cache, "erldrv")'); the environment
%% variable wins over the option, so that a user can point a build at an offline cache.
%% `build': `always' (build from source), `fallback' or `never' (see the module doc).
%% `build_command': the program and arguments that build the driver from source and
%% install it as `priv_dir/<driver>.so' (run without a shell, in the current directory,
%% its output shown). `target': the Rust target triple (default: see the module doc).
%% `http_options': extra `httpc:request/4' HTTP options (a proxy, timeouts).

-type result() :: #{source := download | cache | unchanged | build,
                    file := file:filename_all(),
                    artifact => string(),
                    url => string(),
                    why => term()}.
%% What install/1 did: installed the artifact downloaded from `url' (`download') or found
%% in the cache (`cache'), found the installed file already the artifact (`unchanged'), or
%% built from source (`build', `why' saying why: `forced' by the environment or the
%% option, or the reason no artifact could be had).

-type reason() :: {bad_option, atom(), term()}
                | {checksum_file, file:filename_all(), term()}
                | {version, file:filename_all(), term()}
                | {unknown_target, string()}
                | {checksum_mismatch, Where :: string(), Expected :: string(), Actual :: string()}
                | {no_artifact, map()}
                | {build_failed, [string()], term(), Why :: term()}
                | {install, file:filename_all(), file:posix()}.

-define(HTTP_TIMEOUT, 120000).
-define(CONNECT_TIMEOUT, 20000).

%% @doc Installs the driver as `priv_dir/<driver>.so': a verified precompiled artifact, or a
%% build from source (see the module doc for the rules). Returns `{ok, Result}' or
%% `{error, Reason}'; format_error/1 turns a reason into text.
%%
%% ```
%% {ok, #{source := download}} =
%%     erldrv_precompiled:install(#{driver => my_drv, version => "0.1.0",
%%                                  priv_dir => "priv",
%%                                  checksum_file => "checksum-my_drv.sha256",
%%                                  base_url => "https://example.com/v{version}"}).
%% '''
-spec install(options()) -> {ok, result()} | {error, reason()}.
install(Options) ->
    try
        O = normalize(Options),
        case forced(O) of
            {true, Why} -> build(O, Why);
            false -> precompiled(O)
        end
    catch
        throw:{?MODULE, Reason} -> {error, Reason}
    end.

%% @doc The command line of rebar3 hooks and Makefiles:
%% `erl -noshell -pa ERLDRV_EBIN -run erldrv_precompiled main ConfigFile', where ConfigFile
%% is a file of Erlang terms (`rebar.config' itself will do) holding
%% `{erldrv_precompiled, Options}', Options a proplist or map of options/0. Prints what it
%% did and halts with 0, or prints why not on standard error and halts with 1.
-spec main([string()]) -> no_return().
main([File]) ->
    Result = try options_from_file(File) of
                 Options -> install(Options)
             catch
                 throw:{?MODULE, Reason} -> {error, Reason}
             end,
    case Result of
        {ok, Done} ->
            io:format("erldrv_precompiled: ~ts~n", [describe(Done)]),
            erlang:halt(0);
        {error, Why} ->
            io:format(standard_error, "erldrv_precompiled: error: ~ts~n", [format_error(Why)]),
            erlang:halt(1)
    end;
main(_) ->
    io:format(standard_error, "usage: erl -noshell -pa ERLDRV_EBIN -run erldrv_precompiled "
              "main CONFIG_FILE~n(CONFIG_FILE holds {erldrv_precompiled, Options})~n", []),
    erlang:halt(2).

%% @doc The options in File, a file of Erlang terms holding `{erldrv_precompiled, Options}'
%% (a proplist or a map). Throws `{erldrv_precompiled, Reason}' when it cannot.
-spec options_from_file(file:filename_all()) -> options().
options_from_file(File) ->
    case file:consult(File) of
        {ok, Terms} ->
            case lists:keyfind(erldrv_precompiled, 1, Terms) of
                {_, Map} when is_map(Map) -> Map;
                {_, List} when is_list(List) -> maps:from_list(proplists:unfold(List));
                _ -> fail({bad_option, erldrv_precompiled, {missing_in, File}})
            end;
        {error, Why} -> fail({bad_option, erldrv_precompiled, {File, Why}})
    end.

%% @doc The name of the artifact of Driver at Version for driver API `{Major, Minor}' and
%% Rust target triple Target, as `cargo erldrv precompile' writes it.
%%
%% ```
%% "my_drv-v0.1.0-drv3.3-x86_64-unknown-linux-gnu.so" =
%%     erldrv_precompiled:artifact_name("my_drv", "0.1.0", {3, 3}, "x86_64-unknown-linux-gnu").
%% '''
-spec artifact_name(string(), string(), {non_neg_integer(), non_neg_integer()}, string()) ->
          string().
artifact_name(Driver, Version, {Major, Minor}, Target) ->
    lists:flatten(io_lib:format("~ts-v~ts-drv~b.~b-~ts.so", [Driver, Version, Major, Minor, Target])).

%% @doc This VM's Rust target triple: `ERLDRV_TARGET' if set, else
%% rust_target(erlang:system_info(system_architecture)).
-spec target() -> {ok, string()} | {error, {unknown_target, string()}}.
target() ->
    case os:getenv("ERLDRV_TARGET") of
        T when is_list(T), T =/= "" -> {ok, T};
        _ -> rust_target(erlang:system_info(system_architecture))
    end.

%% @doc The Rust target triple of a GNU triple as `erlang:system_info(system_architecture)'
%% gives it (see the module doc for the mapping and its limits).
%%
%% ```
%% {ok, "x86_64-unknown-linux-gnu"} = erldrv_precompiled:rust_target("x86_64-pc-linux-gnu"),
%% {ok, "aarch64-apple-darwin"} = erldrv_precompiled:rust_target("aarch64-apple-darwin22.4.0").
%% '''
-spec rust_target(string()) -> {ok, string()} | {error, {unknown_target, string()}}.
rust_target(Arch) ->
    case string:split(Arch, "-", all) of
        [Cpu, _Vendor, Os | Rest] -> rust_target(cpu(Cpu), Os, Rest, Arch);
        [Cpu, Os] -> rust_target(cpu(Cpu), Os, [], Arch);
        _ -> {error, {unknown_target, Arch}}
    end.

rust_target(Cpu, "linux", [], _) -> {ok, Cpu ++ "-unknown-linux-gnu"};
rust_target(Cpu, "linux", [Abi], _) -> {ok, Cpu ++ "-unknown-linux-" ++ Abi};
rust_target(Cpu, "linux" ++ _, _, Arch) when Cpu =:= "" -> {error, {unknown_target, Arch}};
rust_target(Cpu, Os, _, Arch) ->
    Prefixes = [{"darwin", "-apple-darwin"}, {"freebsd", "-unknown-freebsd"},
                {"netbsd", "-unknown-netbsd"}, {"openbsd", "-unknown-openbsd"}],
    case [Suffix || {P, Suffix} <- Prefixes, lists:prefix(P, Os)] of
        [Suffix] -> {ok, Cpu ++ Suffix};
        [] -> {error, {unknown_target, Arch}}
    end.

cpu("amd64") -> "x86_64";
cpu("i386") -> "i686";
cpu("i486") -> "i686";
cpu("i586") -> "i686";
cpu("armv7l") -> "armv7";
cpu("arm64") -> "aarch64";
cpu("arm") -> "arm";
cpu("riscv64") -> "riscv64gc";
cpu(Cpu) -> Cpu.

%% @doc The checksum file: `[{FileName, HexDigest}]' (digests in lower case), from lines
%% `<64 hex digits>  <file name>' (or ` *<file name>', sha256sum's binary mode); empty
%% lines and lines starting with `#' are skipped.
-spec read_checksums(file:filename_all()) ->
          {ok, [{string(), string()}]} | {error, {checksum_file, file:filename_all(), term()}}.
read_checksums(File) ->
    case file:read_file(File) of
        {ok, Bin} ->
            Lines = string:split(unicode:characters_to_list(Bin), "\n", all),
            parse_checksums(Lines, 1, File, []);
        {error, Posix} ->
            {error, {checksum_file, File, Posix}}
    end.

parse_checksums([], _, _, Acc) -> {ok, lists:reverse(Acc)};
parse_checksums([Line0 | Rest], N, File, Acc) ->
    Line = string:trim(Line0, trailing),
    case Line of
        "" -> parse_checksums(Rest, N + 1, File, Acc);
        "#" ++ _ -> parse_checksums(Rest, N + 1, File, Acc);
        _ ->
            case re:run(Line, "^([0-9a-fA-F]{64}) [ *](.+)$", [{capture, all_but_first, list}, unicode]) of
                {match, [Hex, Name]} ->
                    parse_checksums(Rest, N + 1, File, [{Name, string:lowercase(Hex)} | Acc]);
                nomatch ->
                    {error, {checksum_file, File, {bad_line, N, Line}}}
            end
    end.

%% @doc A reason of install/1 as text, saying what to do about it.
-spec format_error(reason() | term()) -> string().
format_error(Reason) ->
    lists:flatten(error_text(Reason)).

error_text({checksum_mismatch, Where, Expected, Actual}) ->
    io_lib:format("checksum mismatch for ~ts: expected SHA-256 ~s, found ~s; nothing was "
                  "installed (the file is not the artifact the checksum file names: a "
                  "corrupt download or cache file, or a checksum file of another release)",
                  [Where, Expected, Actual]);
error_text({no_artifact, #{why := Why} = Info}) ->
    [no_artifact_text(Why, Info), "; ", how_to_build(Info)];
error_text({build_failed, Cmd, Status, Why}) ->
    [io_lib:format("building from source failed: ~ts exited with ~p", [join(Cmd), Status]),
     case Why of
         forced -> "";
         _ -> ["; it ran because ", because(Why)]
     end];
error_text({checksum_file, File, {bad_line, N, Line}}) ->
    io_lib:format("~ts, line ~b: not `<sha-256 hex>  <file name>': ~tp", [File, N, Line]);
error_text({checksum_file, File, Posix}) ->
    io_lib:format("cannot read the checksum file ~ts: ~ts (it comes with the library: "
                  "cargo erldrv precompile writes it)", [File, file:format_error(Posix)]);
error_text({version, File, Why}) ->
    io_lib:format("cannot read the version from ~ts: ~tp", [File, Why]);
error_text({unknown_target, Arch}) ->
    io_lib:format("no Rust target triple known for this VM's system architecture ~ts: set "
                  "the option target or the environment variable ERLDRV_TARGET "
                  "(e.g. x86_64-unknown-linux-gnu)", [Arch]);
error_text({install, File, Posix}) ->
    io_lib:format("cannot install ~ts: ~ts", [File, file:format_error(Posix)]);
error_text({bad_option, Key, Value}) ->
    io_lib:format("bad or missing option ~p: ~tp", [Key, Value]);
error_text(Other) ->
    io_lib:format("~tp", [Other]).

no_artifact_text(not_listed, #{artifact := Name, checksum_file := File, url := Url,
                               driver_api := Api, target := Target, listed := Listed}) ->
    io_lib:format("no precompiled driver for this VM (driver API ~ts, target ~ts): ~ts lists "
                  "no ~ts~ts~ts",
                  [Api, Target, File, Name, url_text(Url),
                   case Listed of
                       [] -> "";
                       _ -> [" (it lists ", join(Listed, ", "), ")"]
                   end]);
no_artifact_text({download, Url, What}, #{artifact := Name}) ->
    io_lib:format("cannot download ~ts from ~ts: ~ts", [Name, Url, download_text(What)]);
no_artifact_text({not_cached, Cached}, #{artifact := Name}) ->
    io_lib:format("~ts is not in the cache (~ts) and no base_url is set to download it from",
                  [Name, Cached]).

url_text(undefined) -> " (no base_url is set)";
url_text(Url) -> [", which would be downloaded from ", Url].

download_text({http, Status, Phrase}) -> io_lib:format("HTTP ~b ~ts", [Status, Phrase]);
download_text(Other) -> io_lib:format("~tp", [Other]).

how_to_build(#{driver := Driver, build_command := Cmd}) ->
    Upper = string:uppercase(Driver),
    io_lib:format("to build from source instead (this needs Rust and cargo), set "
                  "ERLDRV_BUILD=1 (or ~ts_BUILD=1) in the environment, or the option "
                  "build to always (or fallback)~ts",
                  [Upper, case Cmd of
                              undefined -> ", with a build_command";
                              _ -> ""
                          end]).

because({Reason, Info}) -> no_artifact_text(Reason, Info).

%% The options, checked, as strings; throws {?MODULE, {bad_option, ...}}.
normalize(Options) when is_map(Options) ->
    Driver = string_option(driver, Options),
    Version = case maps:get(version, Options, undefined) of
                  {cargo_toml, Toml} -> cargo_version(Toml);
                  _ -> string_option(version, Options)
              end,
    BaseUrl = case maps:get(base_url, Options, undefined) of
                  undefined -> undefined;
                  U -> lists:flatten(string:replace(to_list(U), "{version}", Version, all))
              end,
    Cmd = case maps:get(build_command, Options, undefined) of
              undefined -> undefined;
              [_ | _] = Argv -> [to_list(A) || A <- Argv];
              Bad -> fail({bad_option, build_command, Bad})
          end,
    Build = case maps:get(build, Options, default) of
                default when Cmd =:= undefined -> never;
                default -> fallback;
                B when B =:= always; B =:= fallback; B =:= never -> B;
                Bad2 -> fail({bad_option, build, Bad2})
            end,
    CacheDir = case os:getenv("ERLDRV_CACHE_DIR") of
                   Dir when is_list(Dir), Dir =/= "" -> Dir;
                   _ -> to_list(maps:get(cache_dir, Options,
                                         filename:basedir(user_cache, "erldrv")))
               end,
    #{driver => Driver, version => Version, base_url => BaseUrl, build => Build,
      build_command => Cmd, cache_dir => CacheDir,
      priv_dir => to_list(required(priv_dir, Options)),
      checksum_file => to_list(required(checksum_file, Options)),
      target => case maps:get(target, Options, undefined) of
                    undefined -> undefined;
                    T -> to_list(T)
                end,
      http_options => maps:get(http_options, Options, [])};
normalize(Options) ->
    fail({bad_option, options, Options}).

required(Key, Options) ->
    case maps:find(Key, Options) of
        {ok, V} -> V;
        error -> fail({bad_option, Key, missing})
    end.

string_option(Key, Options) ->
    case required(Key, Options) of
        V when is_atom(V) -> atom_to_list(V);
        V when is_binary(V); is_list(V) -> to_list(V);
        V -> fail({bad_option, Key, V})
    end.

to_list(V) when is_binary(V) -> unicode:characters_to_list(V);
to_list(V) when is_atom(V) -> atom_to_list(V);
to_list(V) when is_list(V) -> V.

fail(Reason) -> throw({?MODULE, Reason}).

%% The `version = "..."' of the [package] table of a Cargo.toml.
cargo_version(Toml) ->
    case file:read_file(Toml) of
        {ok, Bin} ->
            Lines = string:split(unicode:characters_to_list(Bin), "\n", all),
            case package_version(Lines, false) of
                {ok, V} -> V;
                error -> fail({version, Toml, "no version = \"...\" in its [package] table"})
            end;
        {error, Posix} -> fail({version, Toml, file:format_error(Posix)})
    end.

package_version([], _) -> error;
package_version([Line | Rest], InPackage) ->
    case string:trim(Line) of
        "[package]" -> package_version(Rest, true);
        "[" ++ _ -> package_version(Rest, false);
        Trimmed when InPackage ->
            case re:run(Trimmed, "^version\\s*=\\s*\"([^\"]+)\"", [{capture, all_but_first, list}]) of
                {match, [V]} -> {ok, V};
                nomatch -> package_version(Rest, true)
            end;
        _ -> package_version(Rest, InPackage)
    end.

%% Building from source, asked for by the environment or the option?
forced(#{driver := Driver, build := Build}) ->
    Vars = ["ERLDRV_BUILD", string:uppercase(Driver) ++ "_BUILD"],
    case [V || V <- Vars, lists:member(os:getenv(V), ["1", "true"])] of
        [_ | _] -> {true, forced};
        [] when Build =:= always -> {true, forced};
        [] -> false
    end.

precompiled(#{driver := Driver, version := Version, checksum_file := File} = O) ->
    Target = case maps:get(target, O) of
                 undefined ->
                     case target() of
                         {ok, T} -> T;
                         {error, Unknown} -> fail(Unknown)
                     end;
                 T -> T
             end,
    Checksums = case read_checksums(File) of
                    {ok, C} -> C;
                    {error, Bad} -> fail(Bad)
                end,
    {VmMajor, VmMinor} = vm_driver_api(),
    Wanted = artifact_name(Driver, Version, {VmMajor, VmMinor}, Target),
    Info0 = #{driver => Driver, checksum_file => File, target => Target,
              driver_api => io_lib:format("~b.~b", [VmMajor, VmMinor]),
              build_command => maps:get(build_command, O)},
    case pick(Checksums, Driver, Version, Target, VmMajor, VmMinor) of
        none ->
            Info = Info0#{artifact => Wanted, url => url(O, Wanted),
                          listed => [N || {N, _} <- Checksums]},
            no_artifact(O, not_listed, Info);
        {Name, Digest} ->
            Info = Info0#{artifact => Name, url => url(O, Name)},
            fetch_and_install(O, Name, Digest, Info)
    end.

vm_driver_api() ->
    [Major, Minor] = string:split(erlang:system_info(driver_version), "."),
    {list_to_integer(Major), list_to_integer(Minor)}.

%% The listed artifact of this driver, version and target that the VM loads: major equal,
%% the highest minor not above the VM's.
pick(Checksums, Driver, Version, Target, VmMajor, VmMinor) ->
    Prefix = Driver ++ "-v" ++ Version ++ "-drv",
    Suffix = "-" ++ Target ++ ".so",
    Fits = [{Minor, Name, Digest}
            || {Name, Digest} <- Checksums,
               lists:prefix(Prefix, Name),
               lists:suffix(Suffix, Name),
               {Major, Minor} <- [api_of(Name, Prefix, Suffix)],
               Major =:= VmMajor, Minor =< VmMinor],
    case lists:reverse(lists:sort(Fits)) of
        [{_, Name, Digest} | _] -> {Name, Digest};
        [] -> none
    end.

api_of(Name, Prefix, Suffix) ->
    Middle = lists:sublist(Name, length(Prefix) + 1,
                           length(Name) - length(Prefix) - length(Suffix)),
    case string:split(Middle, ".") of
        [Ma, Mi] ->
            try {list_to_integer(Ma), list_to_integer(Mi)}
            catch error:badarg -> {-1, -1}
            end;
        _ -> {-1, -1}
    end.

url(#{base_url := undefined}, _) -> undefined;
url(#{base_url := Base}, Name) -> string:trim(Base, trailing, "/") ++ "/" ++ Name.

fetch_and_install(#{cache_dir := CacheDir} = O, Name, Digest, Info) ->
    Cached = filename:join(CacheDir, Name),
    Url = maps:get(url, Info),
    case file:read_file(Cached) of
        {ok, Bin} when Url =:= undefined ->
            verify(Bin, Digest, Cached),
            install_bytes(O, Bin, Digest, #{source => cache, artifact => Name});
        {ok, Bin} ->
            case hex(crypto:hash(sha256, Bin)) of
                Digest ->
                    install_bytes(O, Bin, Digest, #{source => cache, artifact => Name});
                _ ->
                    %% A damaged cache entry, or one of an artifact rebuilt under the same
                    %% name: it goes, and the artifact is downloaded again (and checked).
                    _ = file:delete(Cached),
                    download_and_install(O, Name, Digest, Info, Cached, Url)
            end;
        {error, _} when Url =:= undefined ->
            no_artifact(O, {not_cached, Cached}, Info);
        {error, _} ->
            download_and_install(O, Name, Digest, Info, Cached, Url)
    end.

download_and_install(O, Name, Digest, Info, Cached, Url) ->
    case download(Url, maps:get(http_options, O)) of
        {ok, Bin} ->
            verify(Bin, Digest, Url),
            cache(Cached, Bin),
            install_bytes(O, Bin, Digest, #{source => download, artifact => Name, url => Url});
        {error, What} ->
            no_artifact(O, {download, Url, What}, Info)
    end.

%% No verified artifact: build when allowed, else say how.
no_artifact(#{build := fallback, build_command := Cmd} = O, Why, Info) when Cmd =/= undefined ->
    build(O, {Why, Info});
no_artifact(_, Why, Info) ->
    fail({no_artifact, Info#{why => Why}}).

verify(Bin, Expected, Where) ->
    case hex(crypto:hash(sha256, Bin)) of
        Expected -> ok;
        Actual -> fail({checksum_mismatch, Where, Expected, Actual})
    end.

hex(Digest) ->
    lists:flatten([io_lib:format("~2.16.0b", [B]) || <<B>> <= Digest]).

%% Keeps a verified download in the cache; a cache that cannot be written is not an error.
cache(Path, Bin) ->
    case write_atomically(Path, Bin) of
        ok -> ok;
        {error, Posix} ->
            io:format(standard_error, "erldrv_precompiled: warning: cannot cache ~ts: ~ts~n",
                      [Path, file:format_error(Posix)])
    end.

install_bytes(#{priv_dir := Priv, driver := Driver}, Bin, Digest, Result) ->
    Target = filename:join(Priv, Driver ++ ".so"),
    Installed = case file:read_file(Target) of
                    {ok, Old} -> hex(crypto:hash(sha256, Old)) =:= Digest;
                    {error, _} -> false
                end,
    case Installed of
        true -> {ok, Result#{source => unchanged, file => Target}};
        false ->
            case write_atomically(Target, Bin) of
                ok -> {ok, Result#{file => Target}};
                {error, Posix} -> fail({install, Target, Posix})
            end
    end.

%% A temporary file in the same directory, renamed over Path: readers see the old file or
%% the new one, never a part; a VM that has the old library mapped keeps its copy.
write_atomically(Path, Bin) ->
    Tmp = filename:join(filename:dirname(Path),
                        "." ++ filename:basename(Path) ++ "."
                        ++ os:getpid() ++ "-"
                        ++ integer_to_list(erlang:unique_integer([positive])) ++ ".tmp"),
    case filelib:ensure_dir(Path) of
        ok ->
            case file:write_file(Tmp, Bin) of
                ok ->
                    case file:rename(Tmp, Path) of
                        ok -> ok;
                        {error, _} = E -> _ = file:delete(Tmp), E
                    end;
                {error, _} = E -> _ = file:delete(Tmp), E
            end;
        {error, _} = E -> E
    end.

%% {ok, Body} or {error, Why}, also when inets, ssl or the system's CA store fail: a
%% download that cannot happen is one that failed (and may fall back to building).
download(Url, HttpOptions) ->
    try http_get(Url, HttpOptions)
    catch Class:Reason -> {error, {Class, Reason}}
    end.

http_get(Url, HttpOptions) ->
    {ok, _} = application:ensure_all_started(inets),
    Tls = case Url of
              "https:" ++ _ ->
                  {ok, _} = application:ensure_all_started(ssl),
                  [{ssl, tls_options()}];
              _ -> []
          end,
    Request = {Url, [{"user-agent", "erldrv_precompiled"}]},
    Http = [{timeout, ?HTTP_TIMEOUT}, {connect_timeout, ?CONNECT_TIMEOUT},
            {autoredirect, true} | Tls] ++ HttpOptions,
    case httpc:request(get, Request, Http, [{body_format, binary}]) of
        {ok, {{_, 200, _}, _Headers, Body}} -> {ok, Body};
        {ok, {{_, Status, Phrase}, _, _}} -> {error, {http, Status, Phrase}};
        {error, Why} -> {error, Why}
    end.

%% Verified TLS with the system's CA certificates (OTP 25's public_key:cacerts_get/0): the
%% checksum protects the artifact already, this keeps the connection honest too.
tls_options() ->
    [{verify, verify_peer},
     {cacerts, public_key:cacerts_get()},
     {depth, 4},
     {customize_hostname_check,
      [{match_fun, public_key:pkix_verify_hostname_match_fun(https)}]}].

%% Runs the build command, its output shown as it comes; the driver must then be installed.
build(#{build_command := undefined}, _Forced) ->
    fail({bad_option, build_command,
          "building from source was asked for, but no build_command is set"});
build(#{build_command := [Program | Args] = Cmd, priv_dir := Priv, driver := Driver}, Why) ->
    %% A bare name is looked up on PATH, a path is taken as it is.
    Exe = case filename:split(Program) of
              [_] ->
                  case os:find_executable(Program) of
                      false -> fail({build_failed, Cmd, not_found, Why});
                      Found -> Found
                  end;
              _ -> Program
          end,
    Port = open_port({spawn_executable, Exe},
                     [{args, Args}, exit_status, stderr_to_stdout, binary, use_stdio]),
    case collect(Port) of
        0 ->
            File = filename:join(Priv, Driver ++ ".so"),
            case filelib:is_regular(File) of
                true -> {ok, #{source => build, file => File, why => why(Why)}};
                false -> fail({build_failed, Cmd, {not_installed, File}, Why})
            end;
        Status ->
            fail({build_failed, Cmd, Status, Why})
    end.

why(forced) -> forced;
why({Reason, _Info}) -> Reason.

collect(Port) ->
    receive
        {Port, {data, Data}} ->
            io:put_chars(Data),
            collect(Port);
        {Port, {exit_status, Status}} ->
            Status
    end.

describe(#{source := build, file := File, why := Why}) ->
    io_lib:format("~ts built from source (~ts)", [File, case Why of
                                                         forced -> "as asked";
                                                         _ -> "no precompiled driver"
                                                     end]);
describe(#{source := unchanged, file := File, artifact := Name}) ->
    io_lib:format("~ts is already ~ts", [File, Name]);
describe(#{source := cache, file := File, artifact := Name}) ->
    io_lib:format("~ts installed from the cached ~ts", [File, Name]);
describe(#{source := download, file := File, url := Url}) ->
    io_lib:format("~ts installed from ~ts", [File, Url]).

join(Words) -> join(Words, " ").

join(Words, Sep) -> lists:join(Sep, Words).
