//! Application error codes carried in the `error` field of every HTTP and chat reply.
//!
//! 0 and 1001–1013 are llfc's (llfc-wire.md §1.3). imchat's own codes start at 1100 so they
//! never collide with the codes llfc's ResourceServer gave 1012–1022 (§10.23).

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        /// An application error code. Serialised as its integer value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "i32", try_from = "i32")]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            pub fn code(self) -> i32 {
                match self { $(ErrorCode::$name => $value,)* }
            }

            /// A short human description, used in logs and the `message` field.
            pub fn describe(self) -> &'static str {
                match self { $(ErrorCode::$name => $text,)* }
            }
        }

        impl TryFrom<i32> for ErrorCode {
            type Error = String;
            fn try_from(value: i32) -> Result<ErrorCode, String> {
                match value {
                    $($value => Ok(ErrorCode::$name),)*
                    other => Err(format!("unknown error code {other}")),
                }
            }
        }
    };
}

error_codes! {
    Success = 0, "ok";
    /// Body is not UTF-8 JSON of the expected shape and types.
    Json = 1001, "malformed request body";
    /// An upstream gRPC call failed.
    RpcFailed = 1002, "internal service unavailable";
    /// No (or no longer a) verification code for this email.
    VarifyExpired = 1003, "verification code expired or not requested";
    VarifyCodeErr = 1004, "wrong verification code";
    UserExist = 1005, "user name or email already registered";
    /// Password and confirmation differ.
    PasswdErr = 1006, "passwords do not match";
    EmailNotMatch = 1007, "email does not match the user";
    PasswdUpFailed = 1008, "password update failed";
    /// Bad login credentials.
    PasswdInvalid = 1009, "wrong email or password";
    TokenInvalid = 1010, "invalid login token";
    /// Unknown user, or no token for this uid.
    UidInvalid = 1011, "unknown user";
    CreateChatFailed = 1012, "could not create the chat";
    LoadChatFailed = 1013, "could not load the chat";
    /// Frame body above the server's inbound limit.
    FrameTooLarge = 1100, "frame body too large";
    /// A request other than login/heartbeat before a successful 1005.
    NotLoggedIn = 1101, "log in first";
    /// `uid`/`fromuid` in the request is not the session's uid.
    UidMismatch = 1102, "request names another user";
    NotFriend = 1103, "not friends with this user";
    UnknownMsgId = 1104, "unknown message id";
    /// A rate or send limit was hit; try later.
    TooManyRequests = 1105, "too many requests";
    /// A field has a value outside its allowed range (empty text, too long, bad email ...).
    InvalidArgument = 1106, "invalid argument";
    NotThreadMember = 1107, "not a member of this chat";
    /// The session was already logged in.
    AlreadyLoggedIn = 1108, "already logged in on this connection";
    /// Another login for the same user is in progress; retry.
    LoginBusy = 1109, "another login for this user is in progress";
    NoPendingApply = 1110, "no pending friend request from this user";
    /// Password outside the allowed length or character set.
    WeakPassword = 1111, "password does not meet the rules";
    Internal = 1112, "internal server error";
    /// A request llfc defines that this server does not serve (the resource server's 1003 and
    /// 1005: imchat's generic files go through 1035 instead).
    Unsupported = 1113, "not supported by this server yet";
    /// A text's `unique_id` names a message this sender stored before with another thread,
    /// recipient or content: it is not stored again and the old one is not passed off as it.
    UniqueIdReused = 1114, "this unique_id was already used for another message";
    /// The server's storage cannot be reached right now; the same request may be sent again
    /// (nothing was stored, or a resend with the same `unique_id` is stored once).
    Unavailable = 1115, "storage unavailable, try again";
    /// A group action reserved to the group's admins (and owner), asked by a member.
    NotGroupAdmin = 1116, "only the group's admins may do this";
    /// A group action reserved to the group's owner.
    NotGroupOwner = 1117, "only the group's owner may do this";
    /// The group is at its member cap (`[Limits] GroupMaxMembers`).
    GroupFull = 1118, "the group is full";
    /// The group was disbanded: it can be read, not changed or written to.
    GroupDisbanded = 1119, "the group was disbanded";
    /// The user named is not a member of the group.
    NotGroupMember = 1120, "that user is not a member of the group";
    /// No such file, or its upload expired unfinished.
    FileNotFound = 1121, "no such file";
    /// The file is over `[Files] MaxFileBytes` (or `MaxAvatarBytes`).
    FileTooLarge = 1122, "the file is too large";
    /// The upload would take the user past `[Files] QuotaBytes`.
    QuotaExceeded = 1123, "storage quota exceeded";
    /// A file name that is not a unique name the server accepts (a path, odd characters,
    /// too long), or one that is already taken by another file.
    BadFileName = 1124, "file name not allowed";
    /// Every chunk arrived but the bytes do not match the announced md5; the upload starts
    /// over.
    ChecksumMismatch = 1125, "the file does not match its md5";
    /// A chunk outside the file (its seq or size), not valid base64, or disagreeing with the
    /// size announced first.
    BadChunk = 1126, "bad chunk";
    /// The resource connection is not authenticated (no token yet, or a wrong one).
    ResNotAuthenticated = 1127, "authenticate the resource connection first";
    /// A recall past `[Limits] RecallSecs` by the message's sender (a group's admins may
    /// recall at any time).
    RecallExpired = 1128, "too late to recall that message";
    /// A recall of someone else's message by one who may not (not a group's owner or admin),
    /// or an edit of someone else's.
    NotYourMessage = 1129, "that message is not yours";
    /// An edit past `[Limits] EditSecs`.
    EditExpired = 1130, "too late to edit that message";
}

impl From<ErrorCode> for i32 {
    fn from(code: ErrorCode) -> i32 {
        code.code()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.describe(), self.code())
    }
}
