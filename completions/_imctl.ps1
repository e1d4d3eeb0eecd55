
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'imctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'imctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'imctl' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('servers', 'servers', [CompletionResultType]::ParameterValue, 'List the chat servers with their live connection counts')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List a user''s live sessions: one per device, with its kind and chat server')
            [CompletionResult]::new('kick', 'kick', [CompletionResultType]::ParameterValue, 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Inspect and revoke login tokens')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Inspect groups and disband them (members are told, as when their owner disbands)')
            [CompletionResult]::new('files', 'files', [CompletionResultType]::ParameterValue, 'Stored pictures, files and avatars: storage per user, a user''s files, deletes')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Account actions through the gate, for scripts (secrets only from stdin or environment)')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;servers' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between refreshes with --watch')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after this many refreshes with --watch')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh until interrupted: in place on a terminal, one JSON line per refresh when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;sessions' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;kick' {
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Only the session of this device (see `imctl sessions UID`)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Shown to the kicked client')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;token' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user''s token, its lifetime, and where the user is connected')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List users with a token (SCAN, never KEYS)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Delete a user''s token (their next chat login must log in over HTTP again)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;token;show' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print the full token instead of a masked one')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;token;list' {
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Only uids matching this glob (`*`, `?`)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most users to list')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print full tokens instead of masked ones')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;token;revoke' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;token;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user''s token, its lifetime, and where the user is connected')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List users with a token (SCAN, never KEYS)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Delete a user''s token (their next chat login must log in over HTTP again)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;token;help;show' {
            break
        }
        'imctl;token;help;list' {
            break
        }
        'imctl;token;help;revoke' {
            break
        }
        'imctl;token;help;help' {
            break
        }
        'imctl;group' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups: id, name, owner, members, messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one group: its name, owner, members, settings and announcement')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List a group''s members and their roles')
            [CompletionResult]::new('disband', 'disband', [CompletionResultType]::ParameterValue, 'Disband groups: they stay readable, nobody can write to them; members get a system message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;group;list' {
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'Only the groups this user is a member of')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Groups after this id (paging)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most groups listed')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;group;show' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;group;members' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;group;disband' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;group;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups: id, name, owner, members, messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one group: its name, owner, members, settings and announcement')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List a group''s members and their roles')
            [CompletionResult]::new('disband', 'disband', [CompletionResultType]::ParameterValue, 'Disband groups: they stay readable, nobody can write to them; members get a system message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;group;help;list' {
            break
        }
        'imctl;group;help;show' {
            break
        }
        'imctl;group;help;members' {
            break
        }
        'imctl;group;help;disband' {
            break
        }
        'imctl;group;help;help' {
            break
        }
        'imctl;files' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Storage per user: files and bytes held (the heaviest first, or one user''s)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;files;usage' {
            [CompletionResult]::new('--uid', '--uid', [CompletionResultType]::ParameterName, 'Only this user')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most users listed')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;files;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most files listed')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;files;rm' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;files;help' {
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Storage per user: files and bytes held (the heaviest first, or one user''s)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;files;help;usage' {
            break
        }
        'imctl;files;help;list' {
            break
        }
        'imctl;files;help;rm' {
            break
        }
        'imctl;files;help;help' {
            break
        }
        'imctl;user' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Ask the gate to mail a verification code')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register an account with a mailed code')
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Set a new password with a mailed code')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in over HTTP: prints the uid, the chat server and a masked token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;user;code' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'email')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;user;register' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'email')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'name')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The code from the verification mail')
            [CompletionResult]::new('--icon', '--icon', [CompletionResultType]::ParameterName, 'Avatar reference stored with the account')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;user;reset-password' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'email')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'name')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'code')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;user;login' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'email')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print the full token')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;user;help' {
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Ask the gate to mail a verification code')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register an account with a mailed code')
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Set a new password with a mailed code')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in over HTTP: prints the uid, the chat server and a masked token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;user;help;code' {
            break
        }
        'imctl;user;help;register' {
            break
        }
        'imctl;user;help;reset-password' {
            break
        }
        'imctl;user;help;login' {
            break
        }
        'imctl;user;help;help' {
            break
        }
        'imctl;bench' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up')
            [CompletionResult]::new('connections', 'connections', [CompletionResultType]::ParameterValue, 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine')
            [CompletionResult]::new('files', 'files', [CompletionResultType]::ParameterValue, 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)')
            [CompletionResult]::new('slow-consumer', 'slow-consumer', [CompletionResultType]::ParameterValue, 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return')
            [CompletionResult]::new('reconnect', 'reconnect', [CompletionResultType]::ParameterValue, 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;bench;chat' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users (an even number: they chat in pairs)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages each user sends')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per message')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Messages each user keeps in flight (pipelined on its one connection)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop (W7): send this many messages per second in total on a fixed schedule, instead of each user sending as fast as its replies come back')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--max-secs', '--max-secs', [CompletionResultType]::ParameterName, 'Upper bound on the run, in seconds')
            [CompletionResult]::new('--secs', '--secs', [CompletionResultType]::ParameterName, 'Sustained: send for this many seconds after the warm-up and measure only that span (instead of a burst of --messages each)')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Seconds of sending before a sustained run starts measuring')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Run this shell command once, --fault-at seconds after the start (W11: kill a chat server, restart Redis, stop MariaDB); the report says when pushes flowed again')
            [CompletionResult]::new('--fault-at', '--fault-at', [CompletionResultType]::ParameterName, 'When the --fault command runs, in seconds after the start')
            [CompletionResult]::new('--devices', '--devices', [CompletionResultType]::ParameterName, 'Each user is also logged in from this many devices in all (up to 4; across servers the others on the other server), which only read: every message should reach each of them')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--same-server', '--same-server', [CompletionResultType]::ParameterName, 'Everyone on one chat server (W3; the default)')
            [CompletionResult]::new('--cross-server', '--cross-server', [CompletionResultType]::ParameterName, 'Put partners on different chat servers (W4); otherwise everyone on one (W3)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Also run the same load against the baseline relay and print the ratio')
            [CompletionResult]::new('--ack-paced', '--ack-paced', [CompletionResultType]::ParameterName, 'Free a window slot on the 1018 acknowledgement, as llfc''s client does; by default a slot is freed once the message is acknowledged and pushed to the partner')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Chat over the servers'' TLS ports (the gate as --gate says: https:// with --ca-cert)')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'A client whose connection ends logs in again on a live chat server, resends what was unanswered (same unique ids) and syncs what it missed, instead of stopping (W11)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;group' {
            [CompletionResult]::new('--groups', '--groups', [CompletionResultType]::ParameterName, 'Groups')
            [CompletionResult]::new('--members', '--members', [CompletionResultType]::ParameterName, 'Members of each group, its owner included')
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users in all (at least --members; groups reuse them)')
            [CompletionResult]::new('--senders', '--senders', [CompletionResultType]::ParameterName, 'Users who send (the first ones, alternating servers)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Texts each sender keeps in flight')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per text')
            [CompletionResult]::new('--secs', '--secs', [CompletionResultType]::ParameterName, 'Seconds of sending measured, after the warm-up')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Seconds of sending before measuring')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--ack-paced', '--ack-paced', [CompletionResultType]::ParameterName, 'Free a window slot on the 1141 acknowledgement; by default a slot is freed once every member got the text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;connections' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Connections (one user each)')
            [CompletionResult]::new('--seeded', '--seeded', [CompletionResultType]::ParameterName, 'Use accounts made by `imchat-server seed --prefix PREFIX` (password in IMCHAT_BENCH_PASSWORD) instead of registering new ones')
            [CompletionResult]::new('--first', '--first', [CompletionResultType]::ParameterName, 'First seeded account to use (PREFIX_FIRST onwards)')
            [CompletionResult]::new('--per-process', '--per-process', [CompletionResultType]::ParameterName, 'Connections per load-generator process; more are spread over worker processes (one process may open 20,000 descriptors here)')
            [CompletionResult]::new('--idle-secs', '--idle-secs', [CompletionResultType]::ParameterName, 'How long the connections stay idle while CPU is measured')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--worker', '--worker', [CompletionResultType]::ParameterName, 'Run as a worker process of a larger run (internal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;login' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Distinct users')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'Logins per user on each path')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Logins in flight at once')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Which login path to storm')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Chat logins over the servers'' TLS ports (the gate as --gate says: https:// with --ca-cert)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'imctl;bench;files' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users, in friend pairs; each keeps one transfer going')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per file')
            [CompletionResult]::new('--secs', '--secs', [CompletionResultType]::ParameterName, 'Seconds measured, after the warm-up')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Seconds of transfers before the measurement starts')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;latency' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users (an even number: they chat in pairs)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages each user sends in each phase')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per message')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Messages each user keeps in flight (the maximum is measured with this window; open-loop sends may overlap up to it)')
            [CompletionResult]::new('--loads', '--loads', [CompletionResultType]::ParameterName, 'Open-loop loads, in percent of the measured maximum')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--max-secs', '--max-secs', [CompletionResultType]::ParameterName, 'Upper bound on each phase, in seconds')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--cross-server', '--cross-server', [CompletionResultType]::ParameterName, 'Put partners on different chat servers (W4)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;slow-consumer' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Users chatting in pairs beside the stalled reader (an even number)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages each of those users sends in each phase')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Bytes per message')
            [CompletionResult]::new('--flood', '--flood', [CompletionResultType]::ParameterName, 'Most messages sent to the stalled reader before giving up on its disconnect')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--max-secs', '--max-secs', [CompletionResultType]::ParameterName, 'Upper bound on each phase, in seconds')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;reconnect' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'Clients that drop and come back (each has a partner on the other chat server)')
            [CompletionResult]::new('--missed', '--missed', [CompletionResultType]::ParameterName, 'Messages each partner writes while its friend is away')
            [CompletionResult]::new('--mail-dir', '--mail-dir', [CompletionResultType]::ParameterName, 'Where the verification mails of the embedded default arrive')
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Come back through a fresh HTTP login (argon2id) before the chat login, instead of with the token still held')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;bench;help' {
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up')
            [CompletionResult]::new('connections', 'connections', [CompletionResultType]::ParameterValue, 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine')
            [CompletionResult]::new('files', 'files', [CompletionResultType]::ParameterValue, 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)')
            [CompletionResult]::new('slow-consumer', 'slow-consumer', [CompletionResultType]::ParameterValue, 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return')
            [CompletionResult]::new('reconnect', 'reconnect', [CompletionResultType]::ParameterValue, 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;bench;help;chat' {
            break
        }
        'imctl;bench;help;group' {
            break
        }
        'imctl;bench;help;connections' {
            break
        }
        'imctl;bench;help;login' {
            break
        }
        'imctl;bench;help;files' {
            break
        }
        'imctl;bench;help;latency' {
            break
        }
        'imctl;bench;help;slow-consumer' {
            break
        }
        'imctl;bench;help;reconnect' {
            break
        }
        'imctl;bench;help;help' {
            break
        }
        'imctl;completions' {
            [CompletionResult]::new('--gate', '--gate', [CompletionResultType]::ParameterName, 'Gate server URL [default: http://127.0.0.1:8080]')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Status server address [default: 127.0.0.1:50052]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: a table on a terminal, JSON when piped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (errors still go to stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imctl;help' {
            [CompletionResult]::new('servers', 'servers', [CompletionResultType]::ParameterValue, 'List the chat servers with their live connection counts')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List a user''s live sessions: one per device, with its kind and chat server')
            [CompletionResult]::new('kick', 'kick', [CompletionResultType]::ParameterValue, 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Inspect and revoke login tokens')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Inspect groups and disband them (members are told, as when their owner disbands)')
            [CompletionResult]::new('files', 'files', [CompletionResultType]::ParameterValue, 'Stored pictures, files and avatars: storage per user, a user''s files, deletes')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Account actions through the gate, for scripts (secrets only from stdin or environment)')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imctl;help;servers' {
            break
        }
        'imctl;help;sessions' {
            break
        }
        'imctl;help;kick' {
            break
        }
        'imctl;help;token' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user''s token, its lifetime, and where the user is connected')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List users with a token (SCAN, never KEYS)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Delete a user''s token (their next chat login must log in over HTTP again)')
            break
        }
        'imctl;help;token;show' {
            break
        }
        'imctl;help;token;list' {
            break
        }
        'imctl;help;token;revoke' {
            break
        }
        'imctl;help;group' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List groups: id, name, owner, members, messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one group: its name, owner, members, settings and announcement')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'List a group''s members and their roles')
            [CompletionResult]::new('disband', 'disband', [CompletionResultType]::ParameterValue, 'Disband groups: they stay readable, nobody can write to them; members get a system message')
            break
        }
        'imctl;help;group;list' {
            break
        }
        'imctl;help;group;show' {
            break
        }
        'imctl;help;group;members' {
            break
        }
        'imctl;help;group;disband' {
            break
        }
        'imctl;help;files' {
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Storage per user: files and bytes held (the heaviest first, or one user''s)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)')
            break
        }
        'imctl;help;files;usage' {
            break
        }
        'imctl;help;files;list' {
            break
        }
        'imctl;help;files;rm' {
            break
        }
        'imctl;help;user' {
            [CompletionResult]::new('code', 'code', [CompletionResultType]::ParameterValue, 'Ask the gate to mail a verification code')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register an account with a mailed code')
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Set a new password with a mailed code')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in over HTTP: prints the uid, the chat server and a masked token')
            break
        }
        'imctl;help;user;code' {
            break
        }
        'imctl;help;user;register' {
            break
        }
        'imctl;help;user;reset-password' {
            break
        }
        'imctl;help;user;login' {
            break
        }
        'imctl;help;bench' {
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up')
            [CompletionResult]::new('connections', 'connections', [CompletionResultType]::ParameterValue, 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine')
            [CompletionResult]::new('files', 'files', [CompletionResultType]::ParameterValue, 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)')
            [CompletionResult]::new('slow-consumer', 'slow-consumer', [CompletionResultType]::ParameterValue, 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return')
            [CompletionResult]::new('reconnect', 'reconnect', [CompletionResultType]::ParameterValue, 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed')
            break
        }
        'imctl;help;bench;chat' {
            break
        }
        'imctl;help;bench;group' {
            break
        }
        'imctl;help;bench;connections' {
            break
        }
        'imctl;help;bench;login' {
            break
        }
        'imctl;help;bench;files' {
            break
        }
        'imctl;help;bench;latency' {
            break
        }
        'imctl;help;bench;slow-consumer' {
            break
        }
        'imctl;help;bench;reconnect' {
            break
        }
        'imctl;help;completions' {
            break
        }
        'imctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
