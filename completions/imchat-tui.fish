complete -c imchat-tui -l gate -d 'Gate server URL [default: http://127.0.0.1:8080]' -r
complete -c imchat-tui -l config -d 'Config file [default: $XDG_CONFIG_HOME/imchat/tui.ini]' -r -F
complete -c imchat-tui -l log-file -d 'Where logs go (never to the screen) [default: $XDG_STATE_HOME/imchat/tui.log]' -r -F
complete -c imchat-tui -l ca-cert -d 'A CA certificate (PEM) to trust besides the system\'s roots, for an https:// gate with a self-signed certificate (`imchat-server all --tls` writes one to <data-dir>/tls/cert.pem)' -r -F
complete -c imchat-tui -l lang -d 'The language of the interface: en or zh-CN [default: [tui] lang, else from LC_ALL, LC_MESSAGES or LANG]' -r
complete -c imchat-tui -s h -l help -d 'Print help'
complete -c imchat-tui -s V -l version -d 'Print version'
