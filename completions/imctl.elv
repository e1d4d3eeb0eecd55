
use builtin;
use str;

set edit:completion:arg-completer[imctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'imctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'imctl'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand servers 'List the chat servers with their live connection counts'
            cand sessions 'List a user''s live sessions: one per device, with its kind and chat server'
            cand kick 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first'
            cand token 'Inspect and revoke login tokens'
            cand group 'Inspect groups and disband them (members are told, as when their owner disbands)'
            cand files 'Stored pictures, files and avatars: storage per user, a user''s files, deletes'
            cand user 'Account actions through the gate, for scripts (secrets only from stdin or environment)'
            cand bench 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;servers'= {
            cand --interval 'Seconds between refreshes with --watch'
            cand --count 'Stop after this many refreshes with --watch'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --watch 'Refresh until interrupted: in place on a terminal, one JSON line per refresh when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;sessions'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;kick'= {
            cand --device 'Only the session of this device (see `imctl sessions UID`)'
            cand --reason 'Shown to the kicked client'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;token'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Show a user''s token, its lifetime, and where the user is connected'
            cand list 'List users with a token (SCAN, never KEYS)'
            cand revoke 'Delete a user''s token (their next chat login must log in over HTTP again)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;token;show'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --reveal 'Print the full token instead of a masked one'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;token;list'= {
            cand --match 'Only uids matching this glob (`*`, `?`)'
            cand --limit 'Most users to list'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --reveal 'Print full tokens instead of masked ones'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;token;revoke'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;token;help'= {
            cand show 'Show a user''s token, its lifetime, and where the user is connected'
            cand list 'List users with a token (SCAN, never KEYS)'
            cand revoke 'Delete a user''s token (their next chat login must log in over HTTP again)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;token;help;show'= {
        }
        &'imctl;token;help;list'= {
        }
        &'imctl;token;help;revoke'= {
        }
        &'imctl;token;help;help'= {
        }
        &'imctl;group'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List groups: id, name, owner, members, messages'
            cand show 'Show one group: its name, owner, members, settings and announcement'
            cand members 'List a group''s members and their roles'
            cand disband 'Disband groups: they stay readable, nobody can write to them; members get a system message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;group;list'= {
            cand --member 'Only the groups this user is a member of'
            cand --after 'Groups after this id (paging)'
            cand --limit 'Most groups listed'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;group;show'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;group;members'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;group;disband'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;group;help'= {
            cand list 'List groups: id, name, owner, members, messages'
            cand show 'Show one group: its name, owner, members, settings and announcement'
            cand members 'List a group''s members and their roles'
            cand disband 'Disband groups: they stay readable, nobody can write to them; members get a system message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;group;help;list'= {
        }
        &'imctl;group;help;show'= {
        }
        &'imctl;group;help;members'= {
        }
        &'imctl;group;help;disband'= {
        }
        &'imctl;group;help;help'= {
        }
        &'imctl;files'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand usage 'Storage per user: files and bytes held (the heaviest first, or one user''s)'
            cand list 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it'
            cand rm 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;files;usage'= {
            cand --uid 'Only this user'
            cand --limit 'Most users listed'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;files;list'= {
            cand --limit 'Most files listed'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;files;rm'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;files;help'= {
            cand usage 'Storage per user: files and bytes held (the heaviest first, or one user''s)'
            cand list 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it'
            cand rm 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;files;help;usage'= {
        }
        &'imctl;files;help;list'= {
        }
        &'imctl;files;help;rm'= {
        }
        &'imctl;files;help;help'= {
        }
        &'imctl;user'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand code 'Ask the gate to mail a verification code'
            cand register 'Register an account with a mailed code'
            cand reset-password 'Set a new password with a mailed code'
            cand login 'Log in over HTTP: prints the uid, the chat server and a masked token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;user;code'= {
            cand --email 'email'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;user;register'= {
            cand --email 'email'
            cand --name 'name'
            cand --code 'The code from the verification mail'
            cand --icon 'Avatar reference stored with the account'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --password-stdin 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;user;reset-password'= {
            cand --email 'email'
            cand --name 'name'
            cand --code 'code'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --password-stdin 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;user;login'= {
            cand --email 'email'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --password-stdin 'Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)'
            cand --reveal 'Print the full token'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;user;help'= {
            cand code 'Ask the gate to mail a verification code'
            cand register 'Register an account with a mailed code'
            cand reset-password 'Set a new password with a mailed code'
            cand login 'Log in over HTTP: prints the uid, the chat server and a masked token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;user;help;code'= {
        }
        &'imctl;user;help;register'= {
        }
        &'imctl;user;help;reset-password'= {
        }
        &'imctl;user;help;login'= {
        }
        &'imctl;user;help;help'= {
        }
        &'imctl;bench'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand chat 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
            cand group 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
            cand connections 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
            cand login 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
            cand files 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
            cand latency 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)'
            cand slow-consumer 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return'
            cand reconnect 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;bench;chat'= {
            cand --users 'Users (an even number: they chat in pairs)'
            cand --messages 'Messages each user sends'
            cand --size 'Bytes per message'
            cand --window 'Messages each user keeps in flight (pipelined on its one connection)'
            cand --rate 'Open loop (W7): send this many messages per second in total on a fixed schedule, instead of each user sending as fast as its replies come back'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --max-secs 'Upper bound on the run, in seconds'
            cand --secs 'Sustained: send for this many seconds after the warm-up and measure only that span (instead of a burst of --messages each)'
            cand --warmup 'Seconds of sending before a sustained run starts measuring'
            cand --fault 'Run this shell command once, --fault-at seconds after the start (W11: kill a chat server, restart Redis, stop MariaDB); the report says when pushes flowed again'
            cand --fault-at 'When the --fault command runs, in seconds after the start'
            cand --devices 'Each user is also logged in from this many devices in all (up to 4; across servers the others on the other server), which only read: every message should reach each of them'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --same-server 'Everyone on one chat server (W3; the default)'
            cand --cross-server 'Put partners on different chat servers (W4); otherwise everyone on one (W3)'
            cand --baseline 'Also run the same load against the baseline relay and print the ratio'
            cand --ack-paced 'Free a window slot on the 1018 acknowledgement, as llfc''s client does; by default a slot is freed once the message is acknowledged and pushed to the partner'
            cand --tls 'Chat over the servers'' TLS ports (the gate as --gate says: https:// with --ca-cert)'
            cand --reconnect 'A client whose connection ends logs in again on a live chat server, resends what was unanswered (same unique ids) and syncs what it missed, instead of stopping (W11)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;group'= {
            cand --groups 'Groups'
            cand --members 'Members of each group, its owner included'
            cand --users 'Users in all (at least --members; groups reuse them)'
            cand --senders 'Users who send (the first ones, alternating servers)'
            cand --window 'Texts each sender keeps in flight'
            cand --size 'Bytes per text'
            cand --secs 'Seconds of sending measured, after the warm-up'
            cand --warmup 'Seconds of sending before measuring'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --ack-paced 'Free a window slot on the 1141 acknowledgement; by default a slot is freed once every member got the text'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;connections'= {
            cand --users 'Connections (one user each)'
            cand --seeded 'Use accounts made by `imchat-server seed --prefix PREFIX` (password in IMCHAT_BENCH_PASSWORD) instead of registering new ones'
            cand --first 'First seeded account to use (PREFIX_FIRST onwards)'
            cand --per-process 'Connections per load-generator process; more are spread over worker processes (one process may open 20,000 descriptors here)'
            cand --idle-secs 'How long the connections stay idle while CPU is measured'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --worker 'Run as a worker process of a larger run (internal)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;login'= {
            cand --users 'Distinct users'
            cand --rounds 'Logins per user on each path'
            cand --concurrency 'Logins in flight at once'
            cand --path 'Which login path to storm'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --tls 'Chat logins over the servers'' TLS ports (the gate as --gate says: https:// with --ca-cert)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'imctl;bench;files'= {
            cand --users 'Users, in friend pairs; each keeps one transfer going'
            cand --size 'Bytes per file'
            cand --secs 'Seconds measured, after the warm-up'
            cand --warmup 'Seconds of transfers before the measurement starts'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;latency'= {
            cand --users 'Users (an even number: they chat in pairs)'
            cand --messages 'Messages each user sends in each phase'
            cand --size 'Bytes per message'
            cand --window 'Messages each user keeps in flight (the maximum is measured with this window; open-loop sends may overlap up to it)'
            cand --loads 'Open-loop loads, in percent of the measured maximum'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --max-secs 'Upper bound on each phase, in seconds'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --cross-server 'Put partners on different chat servers (W4)'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;slow-consumer'= {
            cand --users 'Users chatting in pairs beside the stalled reader (an even number)'
            cand --messages 'Messages each of those users sends in each phase'
            cand --size 'Bytes per message'
            cand --flood 'Most messages sent to the stalled reader before giving up on its disconnect'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --max-secs 'Upper bound on each phase, in seconds'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;reconnect'= {
            cand --users 'Clients that drop and come back (each has a partner on the other chat server)'
            cand --missed 'Messages each partner writes while its friend is away'
            cand --mail-dir 'Where the verification mails of the embedded default arrive'
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand --password 'Come back through a fresh HTTP login (argon2id) before the chat login, instead of with the token still held'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;bench;help'= {
            cand chat 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
            cand group 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
            cand connections 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
            cand login 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
            cand files 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
            cand latency 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)'
            cand slow-consumer 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return'
            cand reconnect 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;bench;help;chat'= {
        }
        &'imctl;bench;help;group'= {
        }
        &'imctl;bench;help;connections'= {
        }
        &'imctl;bench;help;login'= {
        }
        &'imctl;bench;help;files'= {
        }
        &'imctl;bench;help;latency'= {
        }
        &'imctl;bench;help;slow-consumer'= {
        }
        &'imctl;bench;help;reconnect'= {
        }
        &'imctl;bench;help;help'= {
        }
        &'imctl;completions'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --status 'Status server address [default: 127.0.0.1:50052]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)'
            cand --config 'INI file with `[imctl]` keys `gate` and `status` (flags and environment win)'
            cand -o 'Output format: a table on a terminal, JSON when piped'
            cand --output 'Output format: a table on a terminal, JSON when piped'
            cand -q 'Print nothing on success (errors still go to stderr)'
            cand --quiet 'Print nothing on success (errors still go to stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'imctl;help'= {
            cand servers 'List the chat servers with their live connection counts'
            cand sessions 'List a user''s live sessions: one per device, with its kind and chat server'
            cand kick 'Disconnect users wherever they are (every device, or one); each client is told why (1021) first'
            cand token 'Inspect and revoke login tokens'
            cand group 'Inspect groups and disband them (members are told, as when their owner disbands)'
            cand files 'Stored pictures, files and avatars: storage per user, a user''s files, deletes'
            cand user 'Account actions through the gate, for scripts (secrets only from stdin or environment)'
            cand bench 'Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'imctl;help;servers'= {
        }
        &'imctl;help;sessions'= {
        }
        &'imctl;help;kick'= {
        }
        &'imctl;help;token'= {
            cand show 'Show a user''s token, its lifetime, and where the user is connected'
            cand list 'List users with a token (SCAN, never KEYS)'
            cand revoke 'Delete a user''s token (their next chat login must log in over HTTP again)'
        }
        &'imctl;help;token;show'= {
        }
        &'imctl;help;token;list'= {
        }
        &'imctl;help;token;revoke'= {
        }
        &'imctl;help;group'= {
            cand list 'List groups: id, name, owner, members, messages'
            cand show 'Show one group: its name, owner, members, settings and announcement'
            cand members 'List a group''s members and their roles'
            cand disband 'Disband groups: they stay readable, nobody can write to them; members get a system message'
        }
        &'imctl;help;group;list'= {
        }
        &'imctl;help;group;show'= {
        }
        &'imctl;help;group;members'= {
        }
        &'imctl;help;group;disband'= {
        }
        &'imctl;help;files'= {
            cand usage 'Storage per user: files and bytes held (the heaviest first, or one user''s)'
            cand list 'A user''s files, newest first: name, kind, size, state, type, the sender''s name for it'
            cand rm 'Delete files for everyone (by the server''s name, as `list` shows it); a resource server deletes their bytes at its next sweep ([Files] SweepSecs)'
        }
        &'imctl;help;files;usage'= {
        }
        &'imctl;help;files;list'= {
        }
        &'imctl;help;files;rm'= {
        }
        &'imctl;help;user'= {
            cand code 'Ask the gate to mail a verification code'
            cand register 'Register an account with a mailed code'
            cand reset-password 'Set a new password with a mailed code'
            cand login 'Log in over HTTP: prints the uid, the chat server and a masked token'
        }
        &'imctl;help;user;code'= {
        }
        &'imctl;help;user;register'= {
        }
        &'imctl;help;user;reset-password'= {
        }
        &'imctl;help;user;login'= {
        }
        &'imctl;help;bench'= {
            cand chat 'W3/W4: friends chat 1:1, one message in flight per sender; every message stored before its acknowledgement. Reports throughput, latency, loss, duplicates and server cost'
            cand group 'W5: groups spread over two chat servers, a few senders in each; member deliveries per second, latency, and the pushes the servers gave up'
            cand connections 'W1: authenticated connections that only heartbeat; memory per connection and idle CPU'
            cand login 'W2: login storms, the token path (chat connect + 1005) and the password path (HTTP login with argon2id) separately, against the argon2id ceiling of this machine'
            cand files 'W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down); MB/s each way, latency per transfer, server CPU and resident memory'
            cand latency 'W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each message''s scheduled send time, so a late send is not hidden)'
            cand slow-consumer 'W9: one reader stops reading while a friend floods it; the others'' latency, the server''s memory, the reader''s disconnect and what it syncs on return'
            cand reconnect 'W8: every client of one chat server drops while its partner writes, then all come back at once (chat login, paged sync from their cursors); each must find exactly what it missed'
        }
        &'imctl;help;bench;chat'= {
        }
        &'imctl;help;bench;group'= {
        }
        &'imctl;help;bench;connections'= {
        }
        &'imctl;help;bench;login'= {
        }
        &'imctl;help;bench;files'= {
        }
        &'imctl;help;bench;latency'= {
        }
        &'imctl;help;bench;slow-consumer'= {
        }
        &'imctl;help;bench;reconnect'= {
        }
        &'imctl;help;completions'= {
        }
        &'imctl;help;help'= {
        }
    ]
    $completions[$command]
}
