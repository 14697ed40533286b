//! Accounts: usernames, roles and password rules.

use serde::Serialize;

use super::FieldError;

/// A username: lowercase ASCII letters, digits, `_` and `.`, 2 to 30 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, FieldError> {
        let u = s.trim();
        let ok = (2..=30).contains(&u.len())
            && u.starts_with(|c: char| c.is_ascii_lowercase())
            && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if ok {
            Ok(Username(u.to_string()))
        } else {
            Err(FieldError::new("username", "err-bad-username", s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Instance-wide role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the instance: every organisation, every resource.
    Admin,
    /// May be given editing rights in organisations.
    Editor,
    /// An account with no publishing rights of its own.
    Member,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Member => "member",
        }
    }
}

/// Role inside one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgRole {
    /// Edits the profile, manages members, publishes.
    Admin,
    /// Creates, translates and publishes resources.
    Editor,
    /// Reads the organisation's drafts and internal material; publishes nothing.
    Member,
}

impl OrgRole {
    pub fn parse(s: &str) -> Option<OrgRole> {
        match s {
            "admin" => Some(OrgRole::Admin),
            "editor" => Some(OrgRole::Editor),
            "member" => Some(OrgRole::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Admin => "admin",
            OrgRole::Editor => "editor",
            OrgRole::Member => "member",
        }
    }

    /// Admins and editors write the organisation's resources; members only read them.
    pub fn can_edit(self) -> bool {
        matches!(self, OrgRole::Admin | OrgRole::Editor)
    }
}

/// A logged-in account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// How long a display name may be, in characters.
pub const DISPLAY_NAME_MAX: usize = 80;

/// A display name: trimmed, without control characters, at most `DISPLAY_NAME_MAX`
/// characters; empty means none.
pub fn check_display_name(s: &str) -> Result<Option<String>, FieldError> {
    let s = s.trim();
    if s.chars().count() > DISPLAY_NAME_MAX || s.chars().any(char::is_control) {
        return Err(FieldError::new("display_name", "err-bad-display-name", s));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Minimum password length. Long passphrases beat composition rules (NIST SP 800-63B);
/// paste and password managers are welcome (WCAG 3.3.8).
pub const MIN_PASSWORD: usize = 10;

pub fn check_password(p: &str) -> Result<(), FieldError> {
    let n = p.chars().count();
    if n < MIN_PASSWORD {
        return Err(FieldError::new("password", "err-password-short", &MIN_PASSWORD.to_string()));
    }
    if n > 1024 {
        return Err(FieldError::new("password", "err-too-long", "1024"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(Username::parse("amina.k").is_ok());
        assert!(Username::parse("Amina").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("a long enough passphrase").is_ok());
    }
}
