#!/usr/bin/env bash
# Registers one imchat account per name given, against a running embedded default
# (`cargo run --release -p imchat-server -- all --data-dir imchat-data`), using only imctl.
#
#   PASSWORD='correct horse' docs/examples/register-users.sh ann ben
#
# Prints one line per account: `<uid> <name> <email>`. Reads the verification codes from the
# embedded default's mail files (MAIL_DIR). Secrets come from the environment, never argv.
set -euo pipefail

MAIL_DIR=${MAIL_DIR:-imchat-data/mail}
IMCTL=${IMCTL:-imctl}
: "${PASSWORD:?set PASSWORD to the password for the new accounts}"

# The code in the newest mail to $1.
code_for() {
    local newest
    newest=$(grep -l -i "^To: $1" "$MAIL_DIR"/*.eml | xargs ls -t | head -n 1)
    grep -o 'code is [0-9]\{6\}' "$newest" | head -n 1 | cut -d' ' -f3
}

for name in "$@"; do
    email="$name@example.com"
    "$IMCTL" user code --email "$email" -o json >/dev/null
    code=$(code_for "$email")
    reply=$(printf '%s\n' "$PASSWORD" |
        "$IMCTL" user register --email "$email" --name "$name" --code "$code" --password-stdin -o json)
    uid=$(printf '%s' "$reply" | sed -n 's/.*"uid":\([0-9]*\).*/\1/p')
    echo "$uid $name $email"
done
