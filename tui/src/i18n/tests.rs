//! The catalogue is whole: every entry has both languages, the Chinese one is Chinese, and
//! both name the same arguments.

use super::{ENTRIES, Lang, Tr};

/// `{name}` placeholders of a format string, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> =
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
    found.sort_unstable();
    found
}

#[test]
fn every_entry_is_translated_with_the_same_arguments() {
    for (name, en, zh) in ENTRIES {
        assert_ne!(en, zh, "{name}: not translated");
        assert_eq!(placeholders(en), placeholders(zh), "{name}: the two languages take other arguments");
        // Han characters, or the full-width punctuation Chinese text is set in.
        let cjk = zh
            .chars()
            .any(|c| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}'));
        assert!(cjk, "{name}: the Chinese text has no Chinese: {zh}");
    }
}

#[test]
fn languages_come_from_the_config_or_the_locale() {
    assert_eq!(Lang::named("zh-CN"), Some(Lang::ZhCn));
    assert_eq!(Lang::named("zh_CN.UTF-8"), Some(Lang::ZhCn));
    assert_eq!(Lang::named("en"), Some(Lang::En));
    assert_eq!(Lang::named("fr"), None);
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    };
    assert_eq!(Lang::from_env(env(&[("LANG", "zh_CN.UTF-8")])), Lang::ZhCn);
    assert_eq!(Lang::from_env(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")])), Lang::En);
    assert_eq!(Lang::from_env(env(&[("LC_ALL", ""), ("LANG", "zh_TW.UTF-8")])), Lang::ZhCn);
    assert_eq!(Lang::from_env(env(&[])), Lang::En);
}

/// Every rule the shared checks give is said in Chinese, and known error codes too.
#[test]
fn rules_and_error_codes_are_translated() {
    use imchat_sdk::proto::rules;
    let zh = Tr(Lang::ZhCn);
    let broken = [
        rules::check_email("x").unwrap_err(),
        rules::check_email(&"a".repeat(300)).unwrap_err(),
        rules::check_email("a@b").unwrap_err(),
        rules::check_name(" ").unwrap_err(),
        rules::check_name(&"a".repeat(40)).unwrap_err(),
        rules::check_name("a\u{7}").unwrap_err(),
        rules::check_name("a\u{200b}b").unwrap_err(),
        rules::check_name("123").unwrap_err(),
        rules::check_group_name(" ").unwrap_err(),
        rules::check_group_name(&"a".repeat(70)).unwrap_err(),
        rules::check_group_name("a\u{7}").unwrap_err(),
        rules::check_announcement(&"a".repeat(1100)).unwrap_err(),
        rules::check_announcement("a\u{202e}").unwrap_err(),
        rules::check_password("abc").unwrap_err(),
        rules::check_password(&"a".repeat(200)).unwrap_err(),
    ];
    for rule in broken {
        assert_ne!(zh.rule(rule), rule, "not translated: {rule}");
    }
    assert_eq!(
        Tr(Lang::En).rule("password must have at least 6 characters"),
        "password must have at least 6 characters"
    );
    assert_eq!(zh.server_error(1009, "wrong email or password"), "邮箱或密码错误（1009）");
    assert_eq!(zh.server_error(4242, "new"), "new (4242)");
    assert_eq!(Tr(Lang::En).server_error(1009, "wrong email or password"), "wrong email or password (1009)");
}
