//! Names and ids people type: trimmed, counted in characters (not bytes),
//! and free of control characters (a NUL is refused by PostgreSQL, and a
//! newline or escape in a name breaks exports and logs).

use super::InvalidValue;

/// `value` trimmed, when it is 1 to `max_chars` characters with no control
/// character; else an error naming `field`.
pub fn checked_text(field: &str, value: &str, max_chars: usize) -> Result<String, InvalidValue> {
    let value = value.trim();
    let chars = value.chars().count();
    if chars == 0 || chars > max_chars {
        return Err(InvalidValue::new(
            field,
            format!("must be 1 to {max_chars} characters, got {chars}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidValue::new(
            field,
            "must not contain control characters (NUL, tab, newline, escape …)",
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::checked_text;

    #[test]
    fn names_are_counted_in_characters_and_free_of_control_characters() {
        // 200 characters of 2 bytes each: 400 bytes, still allowed.
        let long = "é".repeat(200);
        assert_eq!(checked_text("name", &long, 200).unwrap(), long);
        let e = checked_text("name", &"é".repeat(201), 200).unwrap_err();
        assert_eq!(e.field, "name");
        assert!(e.message.contains("got 201"), "{e}");
        assert_eq!(checked_text("name", "  Ana  ", 200).unwrap(), "Ana");
        for bad in ["", "   ", "a\0b", "a\nb", "a\u{1b}[31mb"] {
            let e = checked_text("external_id", bad, 100).unwrap_err();
            assert_eq!(e.field, "external_id", "{bad:?}");
        }
    }
}
