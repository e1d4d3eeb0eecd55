# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_imchat_server_global_optspecs
    string join \n log= threads= h/help V/version
end

function __fish_imchat_server_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_imchat_server_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_imchat_server_using_subcommand
    set -l cmd (__fish_imchat_server_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c imchat-server -n "__fish_imchat_server_needs_command" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_needs_command" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_needs_command" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -s V -l version -d 'Print version'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "all" -d 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "gate" -d 'Run the HTTP gate server'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "verify" -d 'Run the verification-code server'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "status" -d 'Run the status server'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "chat" -d 'Run one chat server'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "res" -d 'Run the resource server (llfc\'s file port; answers every request with error 1113 until files exist, so llfc\'s Season_2 client can log in)'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "seed" -d 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database'
complete -c imchat-server -n "__fish_imchat_server_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -l data-dir -d 'Where the database and the mail files go' -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -l config -d 'Optional INI file to change ports and limits (see config/all.ini)' -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -l tls -d 'Serve the gate over HTTPS and the chat servers on TLS ports too, with the certificate in <data-dir>/tls (a self-signed one is made when there is none)'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand all" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand gate" -l config -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand gate" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand gate" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand gate" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand verify" -l config -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand verify" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand verify" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand verify" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand status" -l config -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand status" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand status" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand status" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand chat" -l config -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand chat" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand chat" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand chat" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand res" -l config -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand res" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand res" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand res" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l config -d 'The database of this role\'s INI file ([Mysql]); or use --data-dir' -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l data-dir -d 'The embedded default\'s data directory (its SQLite database)' -r -F
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l prefix -d 'Name prefix of the accounts' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l users -d 'How many accounts' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l password -d 'The accounts\' password' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l log -d 'Log filter, e.g. `info` or `imchat_chat=debug`' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -l threads -d 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply' -r
complete -c imchat-server -n "__fish_imchat_server_using_subcommand seed" -s h -l help -d 'Print help'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "all" -d 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "gate" -d 'Run the HTTP gate server'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "verify" -d 'Run the verification-code server'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "status" -d 'Run the status server'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "chat" -d 'Run one chat server'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "res" -d 'Run the resource server (llfc\'s file port; answers every request with error 1113 until files exist, so llfc\'s Season_2 client can log in)'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "seed" -d 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database'
complete -c imchat-server -n "__fish_imchat_server_using_subcommand help; and not __fish_seen_subcommand_from all gate verify status chat res seed help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
