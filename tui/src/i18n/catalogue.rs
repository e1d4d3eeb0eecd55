//! The catalogue's entries: name(arguments) => English, 简体中文; key names (`{keys}`) are
//! filled in from the keymap, so a remapped key is named right.

use super::{Lang, Tr};

catalogue! {
    // The signed-out screens.
    // After a field's label; both take two cells, so the caret lands alike.
    label_sep() => ": ", "：";
    field_email() => "Email", "邮箱";
    field_password() => "Password", "密码";
    field_name() => "Name", "用户名";
    field_confirm() => "Confirm", "确认密码";
    field_code() => "Code", "验证码";
    field_new_password() => "New password", "新密码";
    field_uid_or_name() => "Uid or name", "UID 或名字";
    field_greeting() => "Greeting", "招呼语";
    field_remark() => "Remark", "备注";
    title_login() => " imchat · log in ", " imchat · 登录 ";
    title_register() => " imchat · create an account ", " imchat · 注册账号 ";
    title_reset() => " imchat · reset the password ", " imchat · 重置密码 ";
    hint_send_code(keys: &str, countdown: &str) => "{keys} send code{countdown}", "{keys} 发送验证码{countdown}";
    hint_register(keys: &str) => "{keys} register", "{keys} 注册";
    hint_reset(keys: &str) => "{keys} reset", "{keys} 重置";
    hint_back(keys: &str) => "{keys} back", "{keys} 返回";
    hint_log_in(keys: &str) => "{keys} log in", "{keys} 登录";
    hint_forgot(keys: &str) => "{keys} forgot password", "{keys} 忘记密码";
    hint_quit(keys: &str) => "{keys} quit", "{keys} 退出";
    countdown(secs: u64) => " (again in {secs}s)", "（{secs} 秒后可再发）";
    rule_name() => "name: 1-32 characters, not all digits", "用户名：1-32 个字符，不能全是数字";
    rule_password() => "password: 6-128 characters", "密码：6-128 个字符";
    enter_email_and_password() => "enter your email and password", "请输入邮箱和密码";
    logging_in() => "logging in…", "正在登录…";
    code_again_in(secs: u64) => "you can ask for another code in {secs}s", "{secs} 秒后才能再要验证码";
    sending_code(email: &str) => "sending a code to {email}…", "正在向 {email} 发送验证码…";
    passwords_differ() => "the passwords differ", "两次输入的密码不一致";
    enter_code_or_send(keys: &str) => "enter the code from the mail ({keys} sends one)", "请输入邮件里的验证码（{keys} 发送）";
    enter_code() => "enter the code from the mail", "请输入邮件里的验证码";
    registering() => "registering…", "正在注册…";
    resetting() => "resetting the password…", "正在重置密码…";
    code_sent() => "code sent: check your mail", "验证码已发送，请查收邮件";
    code_not_sent(err: &str) => "could not send a code: {err}", "验证码发送失败：{err}";
    registered(uid: i32) => "registered as uid {uid}: log in", "注册成功（UID {uid}），请登录";
    registration_failed(err: &str) => "registration failed: {err}", "注册失败：{err}";
    password_changed() => "password changed: log in with the new one", "密码已修改，请用新密码登录";
    reset_failed(err: &str) => "reset failed: {err}", "重置失败：{err}";
    login_failed(err: &str) => "login failed: {err}", "登录失败：{err}";

    // The session.
    connecting_kept() => "connecting… (showing what this machine kept)", "正在连接…（先显示本机保存的聊天）";
    welcome(name: &str) => "welcome, {name}", "欢迎，{name}";
    welcome_back(name: &str) => "welcome back, {name}", "欢迎回来，{name}";
    reconnected() => "reconnected", "已重新连接";
    connection_lost(why: &str) => "connection lost ({why})", "连接断开（{why}）";
    signed_out(reason: &str) => "signed out: {reason}", "已退出登录：{reason}";
    logged_in_elsewhere() => "logged in elsewhere", "已在别处登录";
    typing() => "typing…", "正在输入…";
    read_by_peer() => " ✓ read", " ✓ 已读";
    read_by_members(n: i64) => " ✓ read by {n}", " ✓ {n} 人已读";
    receipts_on() => "read receipts on: your friends see how far you read their texts", "已读回执已开启：好友能看到你读到哪里";
    receipts_off() => "read receipts off: your friends no longer see how far you read", "已读回执已关闭：好友不再看到你读到哪里";
    receipts_not_set(err: &str) => "read receipts not changed: {err}", "已读回执未更改：{err}";
    you_recalled() => "you recalled a message", "你撤回了一条消息";
    recalled(name: &str) => "{name} recalled a message", "{name} 撤回了一条消息";
    recalled_for(by: &str, from: &str) => "{by} recalled a message of {from}'s", "{by} 撤回了 {from} 的一条消息";
    recall_none() => "nothing of yours to recall in this chat", "这里没有你能撤回的消息";
    recall_unsupported() => "this server cannot recall messages", "这个服务器不支持撤回消息";
    recall_failed(err: &str) => "not recalled: {err}", "撤回失败：{err}";
    recalled_text_back() => "recalled: its text is back in the composer to edit", "已撤回：原文已放回输入框，可重新编辑";
    recalled_reedit() => "recalled: /reedit puts its text back in the composer", "已撤回：输入 /reedit 把原文放回输入框";
    reedit_none() => "no recalled text of yours to put back in this chat", "这里没有可重新编辑的撤回消息";
    help_commands() => "commands: /recall or /edit your last message · /reedit · /react 👍 · /receipts on|off · /presence · /remark /unfriend /block /unblock", "命令：/recall 撤回、/edit 编辑你的上一条消息 · /reedit 重新编辑 · /react 👍 回应 · /receipts on|off 已读回执 · /presence 在线可见 · /remark 备注 /unfriend 删除 /block 拉黑 /unblock";
    online_now() => "online", "在线";
    last_seen(when: &str) => "last seen {when}", "最后在线 {when}";
    presence_set(who: &str) => "who sees you online and when last seen: {who}", "谁能看到你在线和最后在线时间：{who}";
    presence_usage() => "/presence everyone|friends|nobody", "/presence everyone|friends|nobody（所有人|好友|不让任何人看）";
    friendship_in_private_chat() => "/unfriend, /block, /unblock and /remark work in a chat with one person", "/unfriend、/block、/unblock 和 /remark 只能在单聊里用";
    friendship_unsupported() => "this server cannot end friendships, block or keep remarks", "这个服务器不支持删除好友、拉黑或备注";
    friendship_failed(err: &str) => "not changed: {err}", "未能更改：{err}";
    blocked(name: &str) => "{name} is blocked: their texts, requests and mentions no longer reach you (/unblock)", "已拉黑 {name}：对方的消息、好友申请和 @ 不会再到达你（/unblock 解除）";
    no_longer_friends(name: &str) => "you and {name} are no longer friends; the chat stays readable", "你和 {name} 已不再是好友；聊天记录仍可查看";
    remark_set(name: &str, remark: &str) => "{name} now shows as {remark}", "{name} 的备注已设为 {remark}";
    remark_cleared(name: &str) => "the remark for {name} is gone", "{name} 的备注已清除";
    react_unsupported() => "this server keeps no reactions", "这个服务器不支持回应";
    react_one_emoji() => "a reaction is one emoji: /react 👍", "回应只能是一个表情：/react 👍";
    react_none() => "no message here to react to (or to take your reaction back from)", "这里没有可以回应（或取消回应）的消息";
    react_failed(err: &str) => "reaction not set: {err}", "回应失败：{err}";
    edited_mark() => " (edited)", "（已编辑）";
    reply_unsupported() => "this server cannot quote replies", "这个服务器不支持引用回复";
    forward_unsupported() => "this server cannot forward messages", "这个服务器不支持转发消息";
    nothing_to_quote() => "no message to pick in this chat", "这里没有可选的消息";
    pick_a_reply(keys: &str) => "pick a reply first ({keys})", "请先选中一条回复（{keys}）";
    quote_gone() => "the quoted message is not there any more", "引用的消息已不在了";
    forwarding() => "forwarding…", "正在转发…";
    forwarded() => "forwarded", "已转发";
    forward_failed(err: &str) => "not forwarded: {err}", "转发失败：{err}";
    forward_to() => " Forward to… (Enter sends, Esc cancels) ", " 转发给…（回车发送，Esc 取消） ";
    replying_to(name: &str, excerpt: &str) => "↩ replying to {name}: {excerpt}  (Esc drops it)", "↩ 回复 {name}：{excerpt}（Esc 取消）";
    quote_line(name: &str, excerpt: &str) => "┃ {name}: {excerpt}", "┃ {name}：{excerpt}";
    quote_recalled(name: &str) => "┃ {name}: (recalled)", "┃ {name}：（已撤回）";
    quote_file(name: &str, file: &str) => "┃ {name}: [file] {file}", "┃ {name}：[文件] {file}";
    forwarded_from(name: &str) => "↪ forwarded from {name}", "↪ 转发自 {name}";
    edit_hint() => "change the text after /edit, then Enter replaces your last text", "改好 /edit 后面的文字，按 Enter 替换你的上一条消息";
    edit_none() => "no text of yours to edit in this chat", "这里没有你能编辑的文字消息";
    edit_unsupported() => "this server cannot edit messages", "这个服务器不支持编辑消息";
    edit_failed(err: &str) => "not edited: {err}", "编辑失败：{err}";
    login_revoked() => "your login was revoked (password changed, or by an operator)", "登录已被撤销（密码已修改，或被管理员撤销）";
    server_closed() => "the server closed the connection", "服务器关闭了连接";
    not_logged_in() => "not logged in", "未登录";
    cannot_reach(url: &str) => "cannot reach {url}: is it running?", "无法连接 {url}：服务器在运行吗？";
    the_server() => "the server", "服务器";
    cannot_reach_chat(addr: &str) => "cannot reach the chat server at {addr}", "无法连接聊天服务器 {addr}";
    error_code(code: i32) => "error {code}", "错误 {code}";
    keep_failed(err: &str) => "could not keep the chats on this machine: {err}", "无法在本机保存聊天：{err}";
    account_in_use() => "another imchat-tui has this account open here: this one keeps nothing on disk", "本机另一个 imchat-tui 正在使用这个账号：这个窗口不在磁盘上保存任何内容";
    editor_failed(why: &str) => "the editor did not run: {why}", "编辑器没有运行：{why}";
    editor_unset() => "$VISUAL and $EDITOR are empty", "$VISUAL 和 $EDITOR 都是空的";
    editor_ended(program: &str, status: &str) => "{program} ended with {status}", "{program} 结束时返回 {status}";
    cannot_keep_in(dir: &str, err: &str) => "cannot keep chats in {dir}: {err}", "无法在 {dir} 保存聊天：{err}";
    quit_asks(unsent: usize) => "quit? {unsent} not sent yet would be lost; quit again to leave anyway", "退出？还有 {unsent} 条未发出的消息会丢失；再按一次退出";
    quit_asks_kept(unsent: usize) => "quit? {unsent} not sent yet: kept on this machine for the next start; quit again to leave", "退出？还有 {unsent} 条未发出的消息：保存在本机，下次启动再处理；再按一次退出";
    status_online() => "online", "在线";
    status_connecting() => "connecting…", "连接中…";
    status_offline() => "offline", "离线";
    status_reconnecting(secs: u64, keys: &str) => "reconnecting in {secs}s ({keys} retries now)", "{secs} 秒后重连（{keys} 立即重试）";
    status_user(name: &str, uid: i32, server: &str) => " · {name} (uid {uid}) · {server}", " · {name}（UID {uid}）· {server}";
    status_help(keys: &str) => " · {keys} help", " · {keys} 帮助";
    help_title() => " keys (F1 or Esc closes; remap in the config file) ", " 按键（F1 或 Esc 关闭；可在配置文件里改键） ";
    help_scroll() => " ↑↓ PgUp PgDn scroll ", " ↑↓ PgUp PgDn 滚动 ";

    // The chat list.
    tab_chats() => "Chats", "聊天";
    tab_chats_unread(unread: i64) => "Chats ({unread})", "聊天（{unread}）";
    tab_contacts() => "Contacts", "联系人";
    tab_contacts_pending(pending: usize) => "Contacts (+{pending})", "联系人（+{pending}）";
    no_chats(contacts: &str, find: &str) => "no chats yet\n{contacts} contacts · {find} find people", "还没有聊天\n{contacts} 联系人 · {find} 找人";
    no_contacts(find: &str) => "no contacts yet\n{find} find people", "还没有联系人\n{find} 找人";
    muted() => " muted", " 免打扰";
    closed() => " (closed)", "（已关闭）";
    yesterday() => "yesterday", "昨天";
    today() => "today", "今天";
    uid_label(uid: i32) => "uid {uid}", "用户 {uid}";
    group_label(id: i64) => "group {id}", "群 {id}";
    picture_tag() => "[picture]", "[图片]";
    file_tag() => "[file]", "[文件]";
    you() => "you", "我";
    chat_hidden(keys: &str) => "chat hidden: it comes back with a new message, or find it with {keys}", "已隐藏聊天：有新消息时会回来，或用 {keys} 找到它";
    declining_needs_imchat() => "declining needs an imchat server: llfc has no way to say no", "拒绝好友请求需要 imchat 服务器：llfc 不支持拒绝";
    no_unread() => "no unread messages", "没有未读消息";
    groups_need_imchat() => "groups need an imchat server: this one speaks llfc's protocol only", "群聊需要 imchat 服务器：这台服务器只支持 llfc 协议";
    group_needs_friends(keys: &str) => "a group starts with friends: find some first ({keys})", "建群需要好友：先去找人（{keys}）";

    // The right pane.
    request_text(name: &str, uid: i32, greeting: &str, keys: &str) => "{name} (uid {uid}) wants to be friends:\n“{greeting}”\n\n{keys} accepts", "{name}（UID {uid}）想加你为好友：\n“{greeting}”\n\n{keys} 接受";
    new_friend_title() => " new friend ", " 新朋友 ";
    nothing_open(submit: &str, chats: &str, contacts: &str, find: &str) => "{submit} opens the selected chat or contact\n{chats} chats · {contacts} contacts · {find} find people", "{submit} 打开选中的聊天或联系人\n{chats} 聊天 · {contacts} 联系人 · {find} 找人";
    loading_older() => "loading older messages…", "正在加载更早的消息…";
    older_load(keys: &str) => "↑ older messages load as you scroll up ({keys})", "↑ 向上滚动加载更早的消息（{keys}）";
    new_messages() => "──── new messages ────", "──── 以下为新消息 ────";
    sending() => " sending…", " 发送中…";
    unknown_until_reconnected() => " ? unknown until reconnected", " ? 重连后才知道是否送达";
    failed_why(why: &str, keys: &str) => " failed: {why} ({keys} decides)", " 发送失败：{why}（{keys} 处理）";
    failed_plain(keys: &str) => " failed ({keys} decides)", " 发送失败（{keys} 处理）";
    group_you_left() => " · you left", " · 你已退出";
    group_disbanded() => " · disbanded", " · 已解散";
    group_members_title(members: i64, keys: &str) => " · {members} members · {keys} members list", " · {members} 人 · {keys} 成员列表";
    new_below(count: i64, keys: &str) => " {count} new ↓ {keys} ", " {count} 条新消息 ↓ {keys} ";
    composer_group(send: &str, file: &str) => " message · {send} send · {file} file · @name mentions · /invite /rename /mute /leave ", " 消息 · {send} 发送 · {file} 文件 · @名字 提醒 · /invite /rename /mute /leave ";
    composer_private(send: &str, file: &str, files: &str, newline: &str) => " message · {send} send · {file} file · {files} files · {newline} new line ", " 消息 · {send} 发送 · {file} 文件 · {files} 文件列表 · {newline} 换行 ";
    bytes_used(used: usize, limit: usize) => " {used}/{limit} bytes ", " {used}/{limit} 字节 ";
    too_long(len: usize, limit: usize) => "too long to send: {len} bytes, the server takes {limit}", "太长，发不出去：{len} 字节，服务器最多收 {limit}";
    members_title(count: usize) => " members ({count}) ", " 成员（{count}） ";
    loading() => "loading…", "加载中…";
    mentioned_suffix(title: &str) => "{title} (you were mentioned)", "{title}（有人@你）";
    held_more(body: &str, held: u32) => "{body} (+{held} more)", "{body}（还有 {held} 条）";
    more_messages(held: u32) => "{held} more messages", "还有 {held} 条新消息";
    one_more_message() => "1 more message", "还有 1 条新消息";

    // Messages that did not go.
    not_sent_twice() => "the connection ended twice while the server had it", "服务器处理时连接断了两次";
    message_not_sent_twice(keys: &str) => "a message was not sent: the connection ended twice while the server had it (too long for this server?); {keys}: retry, edit or delete", "有条消息没发出去：服务器处理时连接断了两次（对这台服务器太长了？）；{keys}：重试、编辑或删除";
    message_not_sent(why: &str, keys: &str) => "a message was not sent: {why}; {keys}: retry, edit or delete", "有条消息没发出去：{why}；{keys}：重试、编辑或删除";
    not_sent() => "not sent", "未发出";
    no_failed_here() => "no failed message in this chat", "这个聊天里没有发送失败的消息";
    failed_title() => " a message that was not sent ", " 没发出去的消息 ";
    failed_again(keys: &str) => "/{keys} send again · ", "/{keys} 重新发送 · ";
    failed_edit() => " edit in the composer · ", " 放回输入框编辑 · ";
    failed_delete() => " delete", " 删除";
    closes(keys: &str) => "{keys} closes", "{keys} 关闭";

    // The quick switcher.
    switcher_title() => " go to a chat ", " 转到聊天 ";
    nothing_matches() => "nothing matches", "没有匹配的";
    switcher_forward_keys(send: &str, up: &str, down: &str, close: &str) => "{send} forwards there · {up} {down} move · {close} cancels", "{send} 转发到这里 · {up} {down} 移动 · {close} 取消";
    switcher_keys(open: &str, up: &str, down: &str, close: &str) => "{open} opens · {up} {down} move · {close} closes · # group + friend", "{open} 打开 · {up} {down} 移动 · {close} 关闭 · # 群 + 好友";

    // Find people, friends and requests.
    find_title() => " find people ", " 找人 ";
    found(name: &str, uid: i32, keys: &str) => "found {name} (uid {uid}): {keys} to Greeting/Remark, Enter sends a request", "找到 {name}（UID {uid}）：{keys} 填招呼语/备注，回车发送请求";
    find_hint() => "type a uid or exact name, Enter searches", "输入 UID 或完整名字，回车搜索";
    find_first() => "find someone first (type a uid or name, then Enter)", "先找到人（输入 UID 或名字，再按回车）";
    wants_friends(name: &str, keys: &str) => "{name} wants to be friends ({keys}: contacts)", "{name} 想加你为好友（{keys}：联系人）";
    accepted_yours(name: &str) => "{name} accepted your request", "{name} 通过了你的好友请求";
    friends_now(name: &str) => "you and {name} are friends now", "你和 {name} 已经是好友了";
    accept_failed(err: &str) => "could not accept: {err}", "无法接受：{err}";
    declined_from(name: &str) => "declined the request from {name}", "已拒绝 {name} 的好友请求";
    decline_failed(err: &str) => "could not decline: {err}", "无法拒绝：{err}";
    nobody_found(err: &str) => "nobody found: {err}", "没找到：{err}";
    request_sent(uid: i32) => "friend request sent to uid {uid}", "好友请求已发给 UID {uid}";
    request_not_sent(err: &str) => "request not sent: {err}", "请求没发出：{err}";
    open_chat_failed(err: &str) => "could not open the chat: {err}", "无法打开聊天：{err}";
    older_failed(err: &str) => "could not load older messages: {err}", "无法加载更早的消息：{err}";

    // Groups.
    new_group_title() => " new group ", " 新建群聊 ";
    invite_title(name: &str) => " invite to {name} ", " 邀请加入 {name} ";
    group_name_field() => "Name: ", "群名：";
    group_members_field() => "Members:", "成员：";
    invite_keys(invite: &str, close: &str) => "Space ticks ([•]: already in) · {invite} invites · {close} closes", "空格勾选（[•]：已在群里）· {invite} 邀请 · {close} 关闭";
    new_group_keys(next: &str, create: &str, close: &str) => "{next} name/members · Space ticks · {create} creates · {close} closes", "{next} 群名/成员 · 空格勾选 · {create} 创建 · {close} 关闭";
    tick_to_invite() => "tick the friends to invite (Space ticks)", "勾选要邀请的好友（空格勾选）";
    tick_one() => "tick at least one friend (Tab to the list, Space ticks)", "至少勾选一位好友（Tab 到列表，空格勾选）";
    creating_group(name: &str) => "creating the group {name}…", "正在创建群 {name}…";
    created_group(name: &str) => "created the group {name}", "已创建群 {name}";
    group_create_failed(err: &str) => "could not create the group: {err}", "无法创建群：{err}";
    no_longer_in(name: &str) => "you are no longer in {name}", "你已不在 {name} 里";
    group_error(err: &str) => "group: {err}", "群：{err}";
    members_failed(err: &str) => "could not list the members: {err}", "无法列出成员：{err}";
    leave_asks(name: &str, keys: &str) => "leave {name}? {keys} again leaves; anything else stays", "退出 {name}？再按 {keys} 退出，按别的键留下";
    invite_usage() => "/invite takes your friends' names, separated by commas", "/invite 后面跟好友名字，用逗号分隔";
    rename_rule(rule: &str) => "/rename: {rule}", "/rename：{rule}";
    unknown_command(command: &str) => "unknown command {command}: /invite name,… /leave /rename name /announce text /mute /unmute /members (//text sends /text)", "未知命令 {command}：/invite 名字,… /leave /rename 名字 /announce 公告 /mute /unmute /members（//文字 发送 /文字）";
    an_operator() => "an operator", "管理员";
    and_others(whom: &str, others: usize) => "{whom} and {others} others", "{whom} 等 {others} 人";
    n_members(others: usize) => "{others} members", "{others} 位成员";
    ev_create(by: &str, name: &str, whom: &str) => "{by} created the group \"{name}\" with {whom}", "{by} 创建了群“{name}”，成员有 {whom}";
    ev_invite(by: &str, whom: &str) => "{by} added {whom}", "{by} 邀请了 {whom}";
    ev_leave(by: &str) => "{by} left", "{by} 退出了群聊";
    ev_remove(by: &str, whom: &str) => "{by} removed {whom}", "{by} 把 {whom} 移出了群聊";
    ev_admin(by: &str, whom: &str) => "{by} made {whom} an admin", "{by} 把 {whom} 设为管理员";
    ev_unadmin(by: &str, whom: &str) => "{by} made {whom} a member", "{by} 取消了 {whom} 的管理员";
    ev_owner(by: &str, whom: &str) => "{by} handed the group to {whom}", "{by} 把群主转让给 {whom}";
    ev_rename(by: &str, name: &str) => "{by} renamed the group \"{name}\"", "{by} 把群名改为“{name}”";
    ev_announce(by: &str, text: &str) => "{by} set the announcement: {text}", "{by} 发布了群公告：{text}";
    ev_invite_policy(by: &str, who: &str) => "{by} let {who} invite", "{by} 设置为 {who} 可邀请";
    ev_disband(by: &str) => "{by} disbanded the group", "{by} 解散了群聊";
    ev_oversize() => "(an event too large to show)", "（事件太大，无法显示）";

    // Pictures and files.
    attach_title() => " send a picture or file ", " 发送图片或文件 ";
    attach_path() => "Path: ", "路径：";
    more_candidates(more: usize) => "      … {more} more: type more, then Tab", "      … 还有 {more} 个：再多输入几个字，然后按 Tab";
    attach_keys(complete: &str, send: &str, close: &str) => "{complete} completes · {send} sends · {close} closes", "{complete} 补全 · {send} 发送 · {close} 关闭";
    files_title(count: usize) => " pictures and files ({count}) ", " 图片和文件（{count}） ";
    files_keys(save: &str, open: &str, close: &str) => " {save} saves to downloads · {open} opens · {close} closes ", " {save} 保存到下载目录 · {open} 打开 · {close} 关闭 ";
    state_saved() => "saved", "已保存";
    state_not_uploaded() => "not uploaded yet", "尚未上传";
    state_uploading() => "uploading", "上传中";
    state_failed() => "failed", "失败";
    open_word() => "Open ", "打开 ";
    open_hint(keys: &str) => " {keys} opens · any other key does not ", " {keys} 打开 · 按其他键不打开 ";
    open_title() => " open with the desktop's viewer ", " 用桌面的查看器打开 ";
    file_sending() => " · sending…", " · 发送中…";
    file_waiting() => " · waiting for the upload", " · 等待上传";
    upload_failed_line(why: &str, keys: &str) => " · upload failed: {why} ({keys} retries)", " · 上传失败：{why}（{keys} 重试）";
    saved_to_line(path: &str) => " · saved to {path}", " · 已保存到 {path}";
    already_here(path: &str) => "already on this machine: {path}", "本机已有：{path}";
    on_its_way(name: &str) => "{name} is on its way", "{name} 正在下载";
    not_uploaded(name: &str) => "{name} is not uploaded yet", "{name} 还没上传完";
    group_closed() => "this group is closed: nothing can be sent to it", "这个群已关闭，无法发送";
    files_need_imchat() => "files need an imchat server: this one speaks llfc's protocol only", "文件需要 imchat 服务器：这台服务器只支持 llfc 协议";
    no_files_here() => "no pictures or files in this chat yet", "这个聊天里还没有图片或文件";
    offline_files() => "offline: files go once the connection is back", "离线：连上后再发送文件";
    file_message_lost(keys: &str) => "the connection ended before the file's message was stored ({keys} retries)", "文件消息保存前连接断了（{keys} 重试）";
    not_sent_why(why: &str) => "not sent: {why}", "未发出：{why}";
    upload_failed(name: &str, why: &str, keys: &str) => "upload of {name} failed: {why} ({keys} retries)", "{name} 上传失败：{why}（{keys} 重试）";
    saved_to(path: &str) => "saved to {path}", "已保存到 {path}";
    save_failed(name: &str, why: &str) => "could not save {name}: {why}", "无法保存 {name}：{why}";
    opened(path: &str) => "opened {path}", "已打开 {path}";
    sent_a_picture(who: &str, label: &str) => "{who} sent a picture: {label}", "{who} 发来一张图片：{label}";
    sent_a_file(who: &str, label: &str) => "{who} sent a file: {label}", "{who} 发来一个文件：{label}";
    no_resource_server() => "not connected to a resource server", "没有连上文件服务器";
    type_a_path() => "type the path of a picture or file", "请输入图片或文件的路径";
    is_a_directory(path: &str) => "{path} is a directory", "{path} 是个目录";
    is_empty(path: &str) => "{path} is empty", "{path} 是空的";
    no_such_file() => "no such file", "没有这个文件";
    permission_denied() => "permission denied", "没有权限";
    path_error(path: &str, why: &str) => "{path}: {why}", "{path}：{why}";
    too_large(size: &str, limit: &str) => "too large: {size}, the server takes at most {limit}", "太大：{size}，服务器最多收 {limit}";
    over_quota(left: &str, quota: &str) => "over your storage quota: {left} left of {quota}", "超出存储配额：{quota} 里只剩 {left}";
    cannot_run(program: &str, err: &str) => "cannot run {program}: {err}", "无法运行 {program}：{err}";
    never_opened(what: &str) => "{what} is never opened from a chat (only pictures, PDF and text)", "{what}不会从聊天里打开（只打开图片、PDF 和文本）";
    no_extension() => "a file without an extension", "没有扩展名的文件";
    dot_ext_file(ext: &str) => "a .{ext} file", ".{ext} 文件";
    bytes_are_kind(kind: &str, ext: &str) => "its bytes are a {kind}, not what .{ext} says", "它的内容是{kind}，不是 .{ext} 说的那样";
    bytes_not_ext(ext: &str) => "its bytes are not a .{ext} file", "它的内容不是 .{ext} 文件";
    not_opened(why: &str, path: &str) => "not opened: {why}; saved at {path}", "没有打开：{why}；已保存在 {path}";
    kind_png() => "PNG image", "PNG 图片";
    kind_jpeg() => "JPEG image", "JPEG 图片";
    kind_gif() => "GIF image", "GIF 图片";
    kind_webp() => "WebP image", "WebP 图片";
    kind_pdf() => "PDF document", "PDF 文档";
    kind_text() => "plain text", "纯文本";
}

/// The shared input rules (`imchat_proto::rules`) in Chinese, by their English words.
pub(super) const RULES: &[(&str, &str)] = &[
    ("email is too long", "邮箱太长"),
    ("email must be a plain address like name@example.com", "邮箱必须是 name@example.com 这样的普通地址"),
    ("email domain must contain a dot, e.g. example.com", "邮箱域名里要有点，例如 example.com"),
    ("user name must not be empty or start/end with spaces", "用户名不能为空，首尾不能有空格"),
    ("user name is longer than 32 characters", "用户名超过 32 个字符"),
    ("user name must not contain control characters", "用户名不能含控制字符"),
    ("user name must not contain invisible or direction-changing characters", "用户名不能含不可见或改变方向的字符"),
    ("user name must not be all digits", "用户名不能全是数字"),
    ("group name must not be empty or start/end with spaces", "群名不能为空，首尾不能有空格"),
    ("group name is longer than 64 characters", "群名超过 64 个字符"),
    (
        "group name must not contain control, invisible or direction-changing characters",
        "群名不能含控制字符、不可见字符或改变方向的字符",
    ),
    ("announcement is longer than 1000 characters", "群公告超过 1000 个字符"),
    (
        "announcement must not contain control, invisible or direction-changing characters",
        "群公告不能含控制字符、不可见字符或改变方向的字符",
    ),
    ("password must have at least 6 characters", "密码至少 6 个字符"),
    ("password is longer than 128 characters", "密码超过 128 个字符"),
];

/// Servers' error codes in Chinese (the English is the server's own `message`).
pub(super) const ERROR_CODES: &[(i32, &str)] = &[
    (1001, "请求格式不对"),
    (1002, "内部服务不可用"),
    (1003, "验证码已过期或没有申请"),
    (1004, "验证码错误"),
    (1005, "用户名或邮箱已被注册"),
    (1006, "两次输入的密码不一致"),
    (1007, "邮箱和用户不匹配"),
    (1008, "修改密码失败"),
    (1009, "邮箱或密码错误"),
    (1010, "登录令牌无效"),
    (1011, "未知用户"),
    (1012, "无法创建聊天"),
    (1013, "无法加载聊天"),
    (1100, "消息太大"),
    (1101, "请先登录"),
    (1102, "请求里的用户不是你"),
    (1103, "你们还不是好友"),
    (1104, "未知的消息"),
    (1105, "请求太频繁，请稍后再试"),
    (1106, "参数不合法"),
    (1107, "你不在这个聊天里"),
    (1108, "这个连接已经登录"),
    (1109, "这个用户正在别处登录，请重试"),
    (1110, "这个用户没有待处理的好友请求"),
    (1111, "密码不符合规则"),
    (1112, "服务器内部错误"),
    (1113, "这台服务器还不支持"),
    (1114, "这个消息 ID 已被用于另一条消息"),
    (1115, "存储暂时不可用，请重试"),
    (1116, "只有群管理员可以这样做"),
    (1117, "只有群主可以这样做"),
    (1118, "群已满"),
    (1119, "群已解散"),
    (1120, "这个用户不是群成员"),
    (1121, "没有这个文件"),
    (1122, "文件太大"),
    (1123, "超出存储配额"),
    (1124, "文件名不允许"),
    (1125, "文件和它的 MD5 不符"),
    (1126, "文件分块有误"),
    (1127, "请先认证文件连接"),
    (1128, "已过撤回时限"),
    (1129, "这不是你的消息"),
    (1130, "已过编辑时限"),
];
