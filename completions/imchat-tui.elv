
use builtin;
use str;

set edit:completion:arg-completer[imchat-tui] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'imchat-tui'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'imchat-tui'= {
            cand --gate 'Gate server URL [default: http://127.0.0.1:8080]'
            cand --config 'Config file [default: $XDG_CONFIG_HOME/imchat/tui.ini]'
            cand --log-file 'Where logs go (never to the screen) [default: $XDG_STATE_HOME/imchat/tui.log]'
            cand --ca-cert 'A CA certificate (PEM) to trust besides the system''s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes one to <data-dir>/tls/cert.pem)'
            cand --lang 'The language of the interface: en or zh-CN [default: [tui] lang, else from LC_ALL, LC_MESSAGES or LANG]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
