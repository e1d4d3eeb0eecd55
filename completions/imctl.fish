# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_imctl_global_optspecs
    string join \n gate= status= ca-cert= config= o/output= q/quiet h/help V/version
end

function __fish_imctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_imctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_imctl_using_subcommand
    set -l cmd (__fish_imctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c imctl -n "__fish_imctl_needs_command" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_needs_command" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_needs_command" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_needs_command" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_needs_command" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_needs_command" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_needs_command" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_needs_command" -s V -l version -d 'Print version'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "servers" -d 'List the chat servers with their live connection counts'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "sessions" -d 'List a user\'s live sessions: one per device, with its kind and chat server'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "kick" -d 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "token" -d 'Inspect and revoke login tokens'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "group" -d 'Inspect groups and disband them (members are told, as when their owner disbands)'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "files" -d 'Stored pictures, files and avatars: storage per user, a user\'s files, deletes'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "user" -d 'Account actions through the gate, for scripts (secrets only from stdin or environment)'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "bench" -d 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c imctl -n "__fish_imctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l interval -d 'Seconds between refreshes with --watch' -r
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l count -d 'Stop after this many refreshes with --watch' -r
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand servers" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand servers" -l watch -d 'Refresh until interrupted: in place on a terminal, one JSON line per refresh when piped'
complete -c imctl -n "__fish_imctl_using_subcommand servers" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand servers" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand sessions" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l device -d 'Only the session of this device (see `imctl sessions UID`)' -r
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l reason -d 'Shown to the kicked client' -r
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand kick" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand kick" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand kick" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand kick" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -f -a "show" -d 'Show a user\'s token, its lifetime, and where the user is connected'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -f -a "list" -d 'List users with a token (SCAN, never KEYS)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -f -a "revoke" -d 'Delete a user\'s token (their next chat login must log in over HTTP again)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and not __fish_seen_subcommand_from show list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -l reveal -d 'Print the full token instead of a masked one'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l match -d 'Only uids matching this glob (`*`, `?`)' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l limit -d 'Most users to list' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -l reveal -d 'Print full tokens instead of masked ones'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a user\'s token, its lifetime, and where the user is connected'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list" -d 'List users with a token (SCAN, never KEYS)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Delete a user\'s token (their next chat login must log in over HTTP again)'
complete -c imctl -n "__fish_imctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -f -a "list" -d 'List groups: id, name, owner, members, messages'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -f -a "show" -d 'Show one group: its name, owner, members, settings and announcement'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -f -a "members" -d 'List a group\'s members and their roles'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -f -a "disband" -d 'Disband groups: they stay readable, nobody can write to them; members get a system message'
complete -c imctl -n "__fish_imctl_using_subcommand group; and not __fish_seen_subcommand_from list show members disband help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l member -d 'Only the groups this user is a member of' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l after -d 'Groups after this id (paging)' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l limit -d 'Most groups listed' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from members" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from disband" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "list" -d 'List groups: id, name, owner, members, messages'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one group: its name, owner, members, settings and announcement'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "members" -d 'List a group\'s members and their roles'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "disband" -d 'Disband groups: they stay readable, nobody can write to them; members get a system message'
complete -c imctl -n "__fish_imctl_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -f -a "usage" -d 'Storage per user: files and bytes held (the heaviest first, or one user\'s)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -f -a "list" -d 'A user\'s files, newest first: name, kind, size, state, type, the sender\'s name for it'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -f -a "rm" -d 'Delete files for everyone (by the server\'s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and not __fish_seen_subcommand_from usage list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l uid -d 'Only this user' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l limit -d 'Most users listed' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -l limit -d 'Most files listed' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from help" -f -a "usage" -d 'Storage per user: files and bytes held (the heaviest first, or one user\'s)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from help" -f -a "list" -d 'A user\'s files, newest first: name, kind, size, state, type, the sender\'s name for it'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete files for everyone (by the server\'s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
complete -c imctl -n "__fish_imctl_using_subcommand files; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -f -a "code" -d 'Ask the gate to mail a verification code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -f -a "register" -d 'Register an account with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -f -a "reset-password" -d 'Set a new password with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -f -a "login" -d 'Log in over HTTP: prints the uid, the chat server and a masked token'
complete -c imctl -n "__fish_imctl_using_subcommand user; and not __fish_seen_subcommand_from code register reset-password login help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -l email -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from code" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l email -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l name -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l code -d 'The code from the verification mail' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l icon -d 'Avatar reference stored with the account' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -l password-stdin -d 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l email -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l name -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l code -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -l password-stdin -d 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from reset-password" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l email -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l password-stdin -d 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -l reveal -d 'Print the full token'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "code" -d 'Ask the gate to mail a verification code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register an account with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "reset-password" -d 'Set a new password with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in over HTTP: prints the uid, the chat server and a masked token'
complete -c imctl -n "__fish_imctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "chat" -d 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "group" -d 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "connections" -d 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "login" -d 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "files" -d 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "latency" -d 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message\'s scheduled send time, so a late send is not hidden)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "slow-consumer" -d 'W9: one reader stops reading while a friend floods it; the others\' latency, the server\'s memory, the reader\'s disconnect and what it syncs on return'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "reconnect" -d 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and not __fish_seen_subcommand_from chat group connections login files latency slow-consumer reconnect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l users -d 'Users (an even number: they chat in pairs)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l messages -d 'Messages each user sends' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l size -d 'Bytes per message' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l window -d 'Messages each user keeps in flight (pipelined on its one connection)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l rate -d 'Open loop (W7): send this many messages per second in total on a fixed schedule, instead of each user sending as fast as its replies come back' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l max-secs -d 'Upper bound on the run, in seconds' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l secs -d 'Sustained: send for this many seconds after the warm-up and measure only that span (instead of a burst of --messages each)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l warmup -d 'Seconds of sending before a sustained run starts measuring' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l fault -d 'Run this shell command once, --fault-at seconds after the start (W11: kill a chat server, restart Redis, stop MariaDB); the report says when pushes flowed again' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l fault-at -d 'When the --fault command runs, in seconds after the start' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l devices -d 'Each user is also logged in from this many devices in all (up to 4; across servers the others on the other server), which only read: every message should reach each of them' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l same-server -d 'Everyone on one chat server (W3; the default)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l cross-server -d 'Put partners on different chat servers (W4); otherwise everyone on one (W3)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l baseline -d 'Also run the same load against the baseline relay and print the ratio'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l ack-paced -d 'Free a window slot on the 1018 acknowledgement, as llfc\'s client does; by default a slot is freed once the message is acknowledged and pushed to the partner'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l tls -d 'Chat over the servers\' TLS ports (the gate as --gate says: https:// with --ca-cert)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -l reconnect -d 'A client whose connection ends logs in again on a live chat server, resends what was unanswered (same unique ids) and syncs what it missed, instead of stopping (W11)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from chat" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l groups -d 'Groups' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l members -d 'Members of each group, its owner included' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l users -d 'Users in all (at least --members; groups reuse them)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l senders -d 'Users who send (the first ones, alternating servers)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l window -d 'Texts each sender keeps in flight' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l size -d 'Bytes per text' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l secs -d 'Seconds of sending measured, after the warm-up' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l warmup -d 'Seconds of sending before measuring' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -l ack-paced -d 'Free a window slot on the 1141 acknowledgement; by default a slot is freed once every member got the text'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from group" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l users -d 'Connections (one user each)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l seeded -d 'Use accounts made by `imchat-server seed --prefix PREFIX` (password in IMCHAT_BENCH_PASSWORD) instead of registering new ones' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l first -d 'First seeded account to use (PREFIX_FIRST onwards)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l per-process -d 'Connections per load-generator process; more are spread over worker processes (one process may open 20,000 descriptors here)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l idle-secs -d 'How long the connections stay idle while CPU is measured' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -l worker -d 'Run as a worker process of a larger run (internal)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from connections" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l users -d 'Distinct users' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l rounds -d 'Logins per user on each path' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l concurrency -d 'Logins in flight at once' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l path -d 'Which login path to storm' -r -f -a "token\t'TCP connect + 1005 with a token from the HTTP login'
password\t'HTTP `/user_login` (an argon2id verification and a token)'
both\t'The token path, then the password path'"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -l tls -d 'Chat logins over the servers\' TLS ports (the gate as --gate says: https:// with --ca-cert)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l users -d 'Users, in friend pairs; each keeps one transfer going' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l size -d 'Bytes per file' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l secs -d 'Seconds measured, after the warm-up' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l warmup -d 'Seconds of transfers before the measurement starts' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from files" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l users -d 'Users (an even number: they chat in pairs)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l messages -d 'Messages each user sends in each phase' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l size -d 'Bytes per message' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l window -d 'Messages each user keeps in flight (the maximum is measured with this window; open-loop sends may overlap up to it)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l loads -d 'Open-loop loads, in percent of the measured maximum' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l max-secs -d 'Upper bound on each phase, in seconds' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -l cross-server -d 'Put partners on different chat servers (W4)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from latency" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l users -d 'Users chatting in pairs beside the stalled reader (an even number)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l messages -d 'Messages each of those users sends in each phase' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l size -d 'Bytes per message' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l flood -d 'Most messages sent to the stalled reader before giving up on its disconnect' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l max-secs -d 'Upper bound on each phase, in seconds' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from slow-consumer" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l users -d 'Clients that drop and come back (each has a partner on the other chat server)' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l missed -d 'Messages each partner writes while its friend is away' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l mail-dir -d 'Where the verification mails of the embedded default arrive' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -l password -d 'Come back through a fresh HTTP login (argon2id) before the chat login, instead of with the token still held'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from reconnect" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "chat" -d 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "group" -d 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "connections" -d 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "login" -d 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "files" -d 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "latency" -d 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message\'s scheduled send time, so a late send is not hidden)'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "slow-consumer" -d 'W9: one reader stops reading while a friend floods it; the others\' latency, the server\'s memory, the reader\'s disconnect and what it syncs on return'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "reconnect" -d 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
complete -c imctl -n "__fish_imctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand completions" -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imctl -n "__fish_imctl_using_subcommand completions" -l status -d 'Status server address [default: 127.0.0.1:50052]' -r
complete -c imctl -n "__fish_imctl_using_subcommand completions" -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand completions" -l config -d 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)' -r -F
complete -c imctl -n "__fish_imctl_using_subcommand completions" -s o -l output -d 'Output format: a table on a terminal, JSON when piped' -r -f -a "auto\t''
table\t''
json\t''"
complete -c imctl -n "__fish_imctl_using_subcommand completions" -s q -l quiet -d 'Print nothing on success (errors still go to stderr)'
complete -c imctl -n "__fish_imctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "servers" -d 'List the chat servers with their live connection counts'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "sessions" -d 'List a user\'s live sessions: one per device, with its kind and chat server'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "kick" -d 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "token" -d 'Inspect and revoke login tokens'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "group" -d 'Inspect groups and disband them (members are told, as when their owner disbands)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "files" -d 'Stored pictures, files and avatars: storage per user, a user\'s files, deletes'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "user" -d 'Account actions through the gate, for scripts (secrets only from stdin or environment)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "bench" -d 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c imctl -n "__fish_imctl_using_subcommand help; and not __fish_seen_subcommand_from servers sessions kick token group files user bench completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "show" -d 'Show a user\'s token, its lifetime, and where the user is connected'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list" -d 'List users with a token (SCAN, never KEYS)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Delete a user\'s token (their next chat login must log in over HTTP again)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "list" -d 'List groups: id, name, owner, members, messages'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "show" -d 'Show one group: its name, owner, members, settings and announcement'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "members" -d 'List a group\'s members and their roles'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "disband" -d 'Disband groups: they stay readable, nobody can write to them; members get a system message'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from files" -f -a "usage" -d 'Storage per user: files and bytes held (the heaviest first, or one user\'s)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from files" -f -a "list" -d 'A user\'s files, newest first: name, kind, size, state, type, the sender\'s name for it'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from files" -f -a "rm" -d 'Delete files for everyone (by the server\'s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "code" -d 'Ask the gate to mail a verification code'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "register" -d 'Register an account with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "reset-password" -d 'Set a new password with a mailed code'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "login" -d 'Log in over HTTP: prints the uid, the chat server and a masked token'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "chat" -d 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "group" -d 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "connections" -d 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "login" -d 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "files" -d 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "latency" -d 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message\'s scheduled send time, so a late send is not hidden)'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "slow-consumer" -d 'W9: one reader stops reading while a friend floods it; the others\' latency, the server\'s memory, the reader\'s disconnect and what it syncs on return'
complete -c imctl -n "__fish_imctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "reconnect" -d 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
