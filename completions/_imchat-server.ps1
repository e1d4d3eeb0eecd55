
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'imchat-server' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'imchat-server'
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
        'imchat-server' {
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files')
            [CompletionResult]::new('gate', 'gate', [CompletionResultType]::ParameterValue, 'Run the HTTP gate server')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the verification-code server')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Run the status server')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Run one chat server')
            [CompletionResult]::new('res', 'res', [CompletionResultType]::ParameterValue, 'Run the resource server (llfc''s file port; answers every request with error 1113 until files exist, so llfc''s Season_2 client can log in)')
            [CompletionResult]::new('seed', 'seed', [CompletionResultType]::ParameterValue, 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imchat-server;all' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Where the database and the mail files go')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Optional INI file to change ports and limits (see config/all.ini)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve the gate over HTTPS and the chat servers on TLS ports too, with the certificate in <data-dir>/tls (a self-signed one is made when there is none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;gate' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;verify' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;status' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;chat' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;res' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'config')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;seed' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The database of this role''s INI file ([Mysql]); or use --data-dir')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The embedded default''s data directory (its SQLite database)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Name prefix of the accounts')
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'How many accounts')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'The accounts'' password')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Log filter, e.g. `info` or `imchat_chat=debug`')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'imchat-server;help' {
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files')
            [CompletionResult]::new('gate', 'gate', [CompletionResultType]::ParameterValue, 'Run the HTTP gate server')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the verification-code server')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Run the status server')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Run one chat server')
            [CompletionResult]::new('res', 'res', [CompletionResultType]::ParameterValue, 'Run the resource server (llfc''s file port; answers every request with error 1113 until files exist, so llfc''s Season_2 client can log in)')
            [CompletionResult]::new('seed', 'seed', [CompletionResultType]::ParameterValue, 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'imchat-server;help;all' {
            break
        }
        'imchat-server;help;gate' {
            break
        }
        'imchat-server;help;verify' {
            break
        }
        'imchat-server;help;status' {
            break
        }
        'imchat-server;help;chat' {
            break
        }
        'imchat-server;help;res' {
            break
        }
        'imchat-server;help;seed' {
            break
        }
        'imchat-server;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
