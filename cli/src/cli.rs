//! The `imctl` command line, as clap definitions only (no I/O), so tests and code generation
//! (man pages, completions) can use [`Cli::command`](clap::CommandFactory::command).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Default gate URL: the embedded default's.
pub const DEFAULT_GATE: &str = "http://127.0.0.1:8080";
/// Default status server address: the embedded default's.
pub const DEFAULT_STATUS: &str = "127.0.0.1:50052";

/// Operate and script an imchat deployment.
#[derive(Debug, Parser)]
#[command(name = "imctl", version, about, long_about = None)]
#[command(after_help = concat!(
    "Examples:\n",
    "  imctl servers\n",
    "  imctl kick 1042 --reason maintenance\n",
    "  imctl token show 1042\n",
    "  printf '%s\\n' \"$PASSWORD\" | imctl user login --email ann@example.com --password-stdin -o json\n\n",
    "Exit codes:\n",
    "  0  success\n",
    "  1  unexpected failure\n",
    "  2  usage error (bad arguments, no password on stdin)\n",
    "  3  not found (no such user, session or token)\n",
    "  4  a server is unreachable (gate or status)\n",
    "  5  rejected by the server (wrong code, weak password, rate limit, ...)",
))]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Gate server URL [default: http://127.0.0.1:8080]
    #[arg(long, global = true, env = "IMCTL_GATE", value_name = "URL")]
    pub gate: Option<String>,
    /// Status server address [default: 127.0.0.1:50052]
    #[arg(long, global = true, env = "IMCTL_STATUS", value_name = "HOST:PORT")]
    pub status: Option<String>,
    /// A CA certificate (PEM) to trust besides the system's roots, for an https:// gate with a
    /// self-signed certificate (`imchat-server all --tls` writes <data-dir>/tls/cert.pem)
    #[arg(long, global = true, env = "IMCTL_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// INI file with `[imctl]` keys `gate` and `status` (flags and environment win)
    #[arg(long, global = true, env = "IMCTL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format: a table on a terminal, JSON when piped
    #[arg(short, long, global = true, env = "IMCTL_OUTPUT", value_enum, default_value_t = OutputArg::Auto)]
    pub output: OutputArg,
    /// Print nothing on success (errors still go to stderr)
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Auto,
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the chat servers with their live connection counts.
    #[command(
        after_help = "CALLS counts the Deliver rpcs a server made to its peers since it started; BATCH is the frames \
                      they carried per call (how well inter-server traffic is batched). GIVEN UP counts the pushes to \
                      connected users the server could not deliver (a reader too slow, a peer gone); those messages \
                      are stored and arrive by sync.\n\n\
                      Examples:\n  imctl servers\n  imctl servers --watch --interval 5\n  imctl servers -o json | jq '.[].connections'"
    )]
    Servers {
        /// Refresh until interrupted: in place on a terminal, one JSON line per refresh when piped
        #[arg(long)]
        watch: bool,
        /// Seconds between refreshes with --watch
        #[arg(long, default_value_t = 2, value_name = "SECS")]
        interval: u64,
        /// Stop after this many refreshes with --watch
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// List a user's live sessions: one per device, with its kind and chat server.
    #[command(after_help = "Examples:\n  imctl sessions 1042\n  imctl sessions 1042 -o json | jq -r '.[].device'")]
    Sessions {
        /// User id
        #[arg(value_name = "UID")]
        uid: i32,
    },
    /// Disconnect users wherever they are (every device, or one); each client is told why (1021) first.
    #[command(
        after_help = "Examples:\n  imctl kick 1042\n  imctl kick 1042 1043 --reason \"account review\"\n  imctl kick 1042 --device tui-3f9a0c1d2e3f4a5b"
    )]
    Kick {
        /// User ids
        #[arg(required = true, value_name = "UID")]
        uids: Vec<i32>,
        /// Only the session of this device (see `imctl sessions UID`)
        #[arg(long, value_name = "ID")]
        device: Option<String>,
        /// Shown to the kicked client
        #[arg(long, default_value = "disconnected by an operator")]
        reason: String,
    },
    /// Inspect and revoke login tokens.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  imctl token show 1042\n  imctl token list --match '10*'\n  imctl token revoke 1042"
    )]
    Token(TokenCommand),
    /// Inspect groups and disband them (members are told, as when their owner disbands).
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  imctl group list\n  imctl group list --member 1042 -o json\n  imctl group show 57\n  imctl group members 57\n  imctl group disband 57"
    )]
    Group(GroupCommand),
    /// Stored pictures, files and avatars: storage per user, a user's files, deletes.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  imctl files usage\n  imctl files usage --uid 1042 -o json\n  imctl files list 1042\n  imctl files rm 3f9a1c2e-5b7d-4e11-9a0c-1d2e3f4a5b6c.png"
    )]
    Files(FilesCommand),
    /// Account actions through the gate, for scripts (secrets only from stdin or environment).
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  imctl user code --email ann@example.com\n  printf '%s\\n' \"$PASSWORD\" | imctl user login --email ann@example.com --password-stdin -o json"
    )]
    User(UserCommand),
    /// Load benchmarks (see docs/BENCHMARKS.md); loopback only, bounded in count and time.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  imctl bench chat --users 200 --messages 500\n  imctl bench chat --cross-server --baseline -o json"
    )]
    Bench(BenchCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  imctl completions bash > /etc/bash_completion.d/imctl\n  imctl completions zsh > \"${fpath[1]}/_imctl\""
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List groups: id, name, owner, members, messages.
    #[command(after_help = "Examples:\n  imctl group list\n  imctl group list --member 1042 --limit 20")]
    List {
        /// Only the groups this user is a member of
        #[arg(long, value_name = "UID")]
        member: Option<i32>,
        /// Groups after this id (paging)
        #[arg(long, default_value_t = 0, value_name = "ID")]
        after: i64,
        /// Most groups listed
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: u32,
    },
    /// Show one group: its name, owner, members, settings and announcement.
    #[command(after_help = "Examples:\n  imctl group show 57\n  imctl group show 57 -o json")]
    Show {
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// List a group's members and their roles.
    #[command(after_help = "Examples:\n  imctl group members 57\n  imctl group members 57 -o json | jq '.[].uid'")]
    Members {
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// Disband groups: they stay readable, nobody can write to them; members get a system message.
    #[command(after_help = "Examples:\n  imctl group disband 57\n  imctl group disband 57 58 59")]
    Disband {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Storage per user: files and bytes held (the heaviest first, or one user's).
    #[command(
        after_help = "Examples:\n  imctl files usage\n  imctl files usage --limit 10 -o json\n  imctl files usage --uid 1042"
    )]
    Usage {
        /// Only this user
        #[arg(long, value_name = "UID")]
        uid: Option<i32>,
        /// Most users listed
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: u32,
    },
    /// A user's files, newest first: name, kind, size, state, type, the sender's name for it.
    #[command(after_help = "Examples:\n  imctl files list 1042\n  imctl files list 1042 -o json | jq -r '.[].name'")]
    List {
        #[arg(value_name = "UID")]
        uid: i32,
        /// Most files listed
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: u32,
    },
    /// Delete files for everyone (by the server's name, as `list` shows it); a resource server
    /// deletes their bytes at its next sweep ([Files] SweepSecs).
    #[command(
        after_help = "Examples:\n  imctl files rm 3f9a1c2e-5b7d-4e11-9a0c-1d2e3f4a5b6c.png\n  imctl files list 1042 -o json | jq -r '.[].name' | xargs imctl files rm"
    )]
    Rm {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Show a user's token, its lifetime, and where the user is connected.
    #[command(after_help = "Examples:\n  imctl token show 1042\n  imctl token show 1042 --reveal -o json")]
    Show {
        #[arg(value_name = "UID")]
        uid: i32,
        /// Print the full token instead of a masked one
        #[arg(long)]
        reveal: bool,
    },
    /// List users with a token (SCAN, never KEYS).
    #[command(after_help = "Examples:\n  imctl token list\n  imctl token list --match '10*'")]
    List {
        /// Only uids matching this glob (`*`, `?`)
        #[arg(long = "match", value_name = "PATTERN")]
        pattern: Option<String>,
        /// Print full tokens instead of masked ones
        #[arg(long)]
        reveal: bool,
        /// Most users to list
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Delete a user's token (their next chat login must log in over HTTP again).
    #[command(after_help = "Examples:\n  imctl token revoke 1042")]
    Revoke {
        #[arg(value_name = "UID")]
        uid: i32,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ask the gate to mail a verification code.
    #[command(after_help = "Examples:\n  imctl user code --email ann@example.com")]
    Code {
        #[arg(long)]
        email: String,
    },
    /// Register an account with a mailed code.
    #[command(
        after_help = "Examples:\n  printf '%s\\n' \"$PASSWORD\" | imctl user register --email ann@example.com --name ann --code 123456 --password-stdin -o json"
    )]
    Register {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The code from the verification mail
        #[arg(long)]
        code: String,
        #[command(flatten)]
        password: PasswordArg,
        /// Avatar reference stored with the account
        #[arg(long, default_value = "")]
        icon: String,
    },
    /// Set a new password with a mailed code.
    #[command(
        after_help = "Examples:\n  printf '%s\\n' \"$NEW_PASSWORD\" | imctl user reset-password --email ann@example.com --name ann --code 123456 --password-stdin"
    )]
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        code: String,
        #[command(flatten)]
        password: PasswordArg,
    },
    /// Log in over HTTP: prints the uid, the chat server and a masked token.
    #[command(
        after_help = "Examples:\n  printf '%s\\n' \"$PASSWORD\" | imctl user login --email ann@example.com --password-stdin -o json"
    )]
    Login {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArg,
        /// Print the full token
        #[arg(long)]
        reveal: bool,
    },
}

/// Where a password comes from: never from an argument.
#[derive(Debug, Args)]
pub struct PasswordArg {
    /// Read the password from the first line of stdin (otherwise from IMCTL_PASSWORD)
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// W3/W4: friends chat 1:1, one message in flight per sender; every message stored before
    /// its acknowledgement. Reports throughput, latency, loss, duplicates and server cost.
    #[command(
        after_help = "Examples:\n  imctl bench chat --users 200 --messages 500\n  imctl bench chat --cross-server --baseline\n  imctl bench chat --users 200 --messages 100 --rate 7000   # W7: open loop\n\nUsers are created through the gate; their codes are read from the embedded default's\nmail files (--mail-dir). Raise the gate's [RateLimit] for large runs."
    )]
    Chat(ChatBench),
    /// W5: groups spread over two chat servers, a few senders in each; member deliveries per
    /// second, latency, and the pushes the servers gave up.
    #[command(
        after_help = "Examples:\n  imctl bench group --members 500 --senders 10 --secs 20 --window 4\n  imctl bench group --groups 1000 --members 20 --users 100 --senders 100 --secs 20\n\nMembers alternate between the first two live chat servers. Group g is owned by user g\nand holds the next members-1 users (a ring), all the owner's friends; each sender sends\nto its groups in turn. Deliveries count every member a text reached."
    )]
    Group(GroupBench),
    /// W1: authenticated connections that only heartbeat; memory per connection and idle CPU.
    #[command(
        after_help = "Examples:\n  imctl bench connections --users 1000 --idle-secs 30\n  IMCHAT_BENCH_PASSWORD=bench imchat-server seed --config config/gate.ini --prefix w1 --users 90000\n  IMCHAT_BENCH_PASSWORD=bench imctl bench connections --seeded w1 --users 90000\n\nThe load generator runs as SCHED_BATCH: on loopback, the servers' replies wake it, and\nwithout that it would preempt them on every wake-up, a cost no remote client puts on them."
    )]
    Connections(ConnectionsBench),
    /// W2: login storms, the token path (chat connect + 1005) and the password path (HTTP
    /// login with argon2id) separately, against the argon2id ceiling of this machine.
    #[command(after_help = "Examples:\n  imctl bench login --users 100 --rounds 10 --concurrency 32")]
    Login(LoginBench),
    /// W13: pictures and files, one transfer in flight per user (1035, bytes up, bytes down);
    /// MB/s each way, latency per transfer, server CPU and resident memory.
    #[command(
        after_help = "Examples:\n  imctl bench files --users 100 --size 1048576 --secs 20\n  imctl bench files --users 10 --size 67108864 --secs 30 -o json\n\nThe transfers go to the resource server the gate names at login. Every user holds\nwhat it sends ([Files] QuotaBytes): raise the quota for long runs of big files."
    )]
    Files(FilesBench),
    /// W7: the closed-loop maximum, then open-loop runs at shares of it (latency from each
    /// message's scheduled send time, so a late send is not hidden).
    #[command(after_help = "Examples:\n  imctl bench latency --users 200 --messages 150 --loads 10,50,80")]
    Latency(LatencyBench),
    /// W9: one reader stops reading while a friend floods it; the others' latency, the
    /// server's memory, the reader's disconnect and what it syncs on return.
    #[command(after_help = "Examples:\n  imctl bench slow-consumer --users 100 --messages 200")]
    SlowConsumer(SlowConsumerBench),
    /// W8: every client of one chat server drops while its partner writes, then all come
    /// back at once (chat login, paged sync from their cursors); each must find exactly what it
    /// missed.
    #[command(
        after_help = "Examples:\n  imctl bench reconnect --users 500 --missed 20\n  imctl bench reconnect --users 100 --password"
    )]
    Reconnect(ReconnectBench),
}

#[derive(Debug, Args)]
pub struct ReconnectBench {
    /// Clients that drop and come back (each has a partner on the other chat server)
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    /// Messages each partner writes while its friend is away
    #[arg(long, default_value_t = 20)]
    pub missed: u64,
    /// Come back through a fresh HTTP login (argon2id) before the chat login, instead of
    /// with the token still held
    #[arg(long)]
    pub password: bool,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct LatencyBench {
    /// Users (an even number: they chat in pairs)
    #[arg(long, default_value_t = 200)]
    pub users: usize,
    /// Messages each user sends in each phase
    #[arg(long, default_value_t = 150)]
    pub messages: u64,
    /// Bytes per message
    #[arg(long, default_value_t = 128)]
    pub size: usize,
    /// Messages each user keeps in flight (the maximum is measured with this window; open-loop
    /// sends may overlap up to it)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub window: u64,
    /// Put partners on different chat servers (W4)
    #[arg(long)]
    pub cross_server: bool,
    /// Open-loop loads, in percent of the measured maximum
    #[arg(long, value_delimiter = ',', default_values_t = [10, 50, 80], value_name = "PERCENT")]
    pub loads: Vec<u32>,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
    /// Upper bound on each phase, in seconds
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub max_secs: u64,
}

#[derive(Debug, Args)]
pub struct SlowConsumerBench {
    /// Users chatting in pairs beside the stalled reader (an even number)
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Messages each of those users sends in each phase
    #[arg(long, default_value_t = 100)]
    pub messages: u64,
    /// Bytes per message
    #[arg(long, default_value_t = 128)]
    pub size: usize,
    /// Most messages sent to the stalled reader before giving up on its disconnect
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    pub flood: u64,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
    /// Upper bound on each phase, in seconds
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub max_secs: u64,
}

#[derive(Debug, Args)]
pub struct FilesBench {
    /// Users, in friend pairs; each keeps one transfer going
    #[arg(long, default_value_t = 100)]
    pub users: usize,
    /// Bytes per file
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    pub size: u64,
    /// Seconds measured, after the warm-up
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub secs: u64,
    /// Seconds of transfers before the measurement starts
    #[arg(long, default_value_t = 3, value_name = "SECS")]
    pub warmup: u64,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct LoginBench {
    /// Distinct users
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Logins per user on each path
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Logins in flight at once
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Which login path to storm
    #[arg(long, value_enum, default_value_t = LoginPath::Both)]
    pub path: LoginPath,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
    /// Chat logins over the servers' TLS ports (the gate as --gate says: https:// with --ca-cert)
    #[arg(long)]
    pub tls: bool,
}

/// The login paths `imctl bench login` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoginPath {
    /// TCP connect + 1005 with a token from the HTTP login
    Token,
    /// HTTP `/user_login` (an argon2id verification and a token)
    Password,
    /// The token path, then the password path
    Both,
}

impl LoginPath {
    pub fn token(self) -> bool {
        self != LoginPath::Password
    }

    pub fn password(self) -> bool {
        self != LoginPath::Token
    }
}

#[derive(Debug, Args)]
pub struct ConnectionsBench {
    /// Connections (one user each)
    #[arg(long, default_value_t = 100)]
    pub users: usize,
    /// Use accounts made by `imchat-server seed --prefix PREFIX` (password in
    /// IMCHAT_BENCH_PASSWORD) instead of registering new ones
    #[arg(long, value_name = "PREFIX")]
    pub seeded: Option<String>,
    /// First seeded account to use (PREFIX_FIRST onwards)
    #[arg(long, default_value_t = 0, value_name = "N", requires = "seeded")]
    pub first: usize,
    /// Connections per load-generator process; more are spread over worker processes (one
    /// process may open 20,000 descriptors here)
    #[arg(long, default_value_t = 18_000, value_name = "N")]
    pub per_process: usize,
    /// Run as a worker process of a larger run (internal)
    #[arg(long, hide = true, requires = "seeded")]
    pub worker: bool,
    /// How long the connections stay idle while CPU is measured
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub idle_secs: u64,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct GroupBench {
    /// Groups
    #[arg(long, default_value_t = 1)]
    pub groups: usize,
    /// Members of each group, its owner included
    #[arg(long, default_value_t = 500)]
    pub members: usize,
    /// Users in all (at least --members; groups reuse them)
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,
    /// Users who send (the first ones, alternating servers)
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Texts each sender keeps in flight
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub window: u64,
    /// Bytes per text
    #[arg(long, default_value_t = 128)]
    pub size: usize,
    /// Seconds of sending measured, after the warm-up
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub secs: u64,
    /// Seconds of sending before measuring
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    pub warmup: u64,
    /// Free a window slot on the 1141 acknowledgement; by default a slot is freed once every
    /// member got the text
    #[arg(long)]
    pub ack_paced: bool,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ChatBench {
    /// Users (an even number: they chat in pairs)
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Messages each user sends
    #[arg(long, default_value_t = 100)]
    pub messages: u64,
    /// Bytes per message
    #[arg(long, default_value_t = 128)]
    pub size: usize,
    /// Messages each user keeps in flight (pipelined on its one connection)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub window: u64,
    /// Everyone on one chat server (W3; the default)
    #[arg(long, conflicts_with = "cross_server")]
    pub same_server: bool,
    /// Put partners on different chat servers (W4); otherwise everyone on one (W3)
    #[arg(long)]
    pub cross_server: bool,
    /// Also run the same load against the baseline relay and print the ratio
    #[arg(long)]
    pub baseline: bool,
    /// Open loop (W7): send this many messages per second in total on a fixed schedule,
    /// instead of each user sending as fast as its replies come back
    #[arg(long, value_name = "MSGS_PER_SEC")]
    pub rate: Option<u64>,
    /// Where the verification mails of the embedded default arrive
    #[arg(long, default_value = "imchat-data/mail", value_name = "DIR")]
    pub mail_dir: PathBuf,
    /// Upper bound on the run, in seconds
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub max_secs: u64,
    /// Sustained: send for this many seconds after the warm-up and measure only that span
    /// (instead of a burst of --messages each)
    #[arg(long, value_name = "SECS", conflicts_with = "messages")]
    pub secs: Option<u64>,
    /// Seconds of sending before a sustained run starts measuring
    #[arg(long, default_value_t = 5, value_name = "SECS", requires = "secs")]
    pub warmup: u64,
    /// Free a window slot on the 1018 acknowledgement, as llfc's client does; by default a
    /// slot is freed once the message is acknowledged and pushed to the partner
    #[arg(long)]
    pub ack_paced: bool,
    /// Chat over the servers' TLS ports (the gate as --gate says: https:// with --ca-cert)
    #[arg(long)]
    pub tls: bool,
    /// A client whose connection ends logs in again on a live chat server, resends what was
    /// unanswered (same unique ids) and syncs what it missed, instead of stopping (W11)
    #[arg(long)]
    pub reconnect: bool,
    /// Run this shell command once, --fault-at seconds after the start (W11: kill a chat
    /// server, restart Redis, stop MariaDB); the report says when pushes flowed again
    #[arg(long, value_name = "COMMAND")]
    pub fault: Option<String>,
    /// When the --fault command runs, in seconds after the start
    #[arg(long, default_value_t = 10.0, value_name = "SECS", requires = "fault")]
    pub fault_at: f64,
    /// Each user is also logged in from this many devices in all (up to 4; across servers the
    /// others on the other server), which only read: every message should reach each of them
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub devices: usize,
}
