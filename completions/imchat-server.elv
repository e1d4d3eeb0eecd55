
use builtin;
use str;

set edit:completion:arg-completer[imchat-server] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'imchat-server'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'imchat-server'= {
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand all 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files'
            cand gate 'Run the HTTP gate server'
            cand verify 'Run the verification-code server'
            cand status 'Run the status server'
            cand chat 'Run one chat server'
            cand res 'Run the resource server (llfc''s file port; answers every request with error 1113 until files exist, so llfc''s Season_2 client can log in)'
            cand seed 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imchat-server;all'= {
            cand --data-dir 'Where the database and the mail files go'
            cand --config 'Optional INI file to change ports and limits (see config/all.ini)'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand --tls 'Serve the gate over HTTPS and the chat servers on TLS ports too, with the certificate in <data-dir>/tls (a self-signed one is made when there is none)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;gate'= {
            cand --config 'config'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;verify'= {
            cand --config 'config'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;status'= {
            cand --config 'config'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;chat'= {
            cand --config 'config'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;res'= {
            cand --config 'config'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;seed'= {
            cand --config 'The database of this role''s INI file ([Mysql]); or use --data-dir'
            cand --data-dir 'The embedded default''s data directory (its SQLite database)'
            cand --prefix 'Name prefix of the accounts'
            cand --users 'How many accounts'
            cand --password 'The accounts'' password'
            cand --log 'Log filter, e.g. `info` or `imchat_chat=debug`'
            cand --threads 'Runtime threads (default: one per core). Several servers on one machine run best with fewer each; with 1, the process runs on one thread and wakes most cheaply'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imchat-server;help'= {
            cand all 'Run everything in one process: gate, verify, status and two chat servers on SQLite and an in-memory store, mail written as files'
            cand gate 'Run the HTTP gate server'
            cand verify 'Run the verification-code server'
            cand status 'Run the status server'
            cand chat 'Run one chat server'
            cand res 'Run the resource server (llfc''s file port; answers every request with error 1113 until files exist, so llfc''s Season_2 client can log in)'
            cand seed 'Create many accounts at once for load tests (`imctl bench ... --seeded PREFIX`): named PREFIX_0, PREFIX_1, ... with email PREFIX.N@bench.invalid, all with the password in IMCHAT_BENCH_PASSWORD, hashed with the cheapest argon2id parameters. Never on a production database'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imchat-server;help;all'= {
        }
        &'imchat-server;help;gate'= {
        }
        &'imchat-server;help;verify'= {
        }
        &'imchat-server;help;status'= {
        }
        &'imchat-server;help;chat'= {
        }
        &'imchat-server;help;res'= {
        }
        &'imchat-server;help;seed'= {
        }
        &'imchat-server;help;help'= {
        }
    ]
    $completions[$command]
}
