//! The password form llfc's clients send: `xorString` (llfc-wire.md §5.3) XORs every UTF-16
//! unit with the length in units modulo 255. Every imchat client sends this form too, so one
//! account works from the Qt client and from imchat's own; servers hash it as an opaque string.

/// llfc's `xorString`. It is its own inverse: applied to the sent form it gives the typed
/// password back (accounts made before imchat's clients sent this form hold a hash of that).
pub fn llfc_form(password: &str) -> String {
    let units: Vec<u16> = password.encode_utf16().collect();
    // `length % 255` fits a byte, so only the low byte of each unit flips: a surrogate stays a
    // surrogate of its kind and the result is always valid UTF-16.
    let key = (units.len() % 255) as u16;
    let flipped: Vec<u16> = units.iter().map(|unit| unit ^ key).collect();
    String::from_utf16_lossy(&flipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_llfc_and_is_its_own_inverse() {
        // Ten characters: every unit XOR 0x0A.
        assert_eq!(llfc_form("secret1234"), "yoixo~;89>");
        for typed in ["secret1234", "Passw0rd!", "密码是秘密的", "pass😀word", "", &"x".repeat(300)] {
            assert_eq!(llfc_form(&llfc_form(typed)), typed, "{typed}");
        }
        // 255 units: the key is 0 and the form is the password itself.
        let long = "y".repeat(255);
        assert_eq!(llfc_form(&long), long);
    }

    #[test]
    fn keeps_surrogate_pairs_whole() {
        let typed = "😀😀😀"; // six UTF-16 units, key 6
        let sent = llfc_form(typed);
        assert_eq!(sent.encode_utf16().count(), 6);
        assert!(!sent.contains('\u{FFFD}'));
        assert_eq!(llfc_form(&sent), typed);
    }
}
