//! Who a use case acts for: a signed-in staff member (`Staff`), or anyone, the public included
//! (`Identity`). The edge resolves credentials to these; use cases authorise against them.

use crate::domain::account::Actor;
use crate::store::audit::Author;

/// The caller: a signed-in staff member, or `None` for the public.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The staff member, when signed in.
    pub actor: Option<Actor>,
    /// The session token the caller presented.
    pub token: Option<String>,
    /// The address the request came from, for the audit log and rate limits.
    pub remote_addr: Option<String>,
}

impl Identity {
    /// Records of a confidentiality other than public are hidden from the public.
    pub fn is_public(&self) -> bool {
        self.actor.is_none()
    }

    /// Who the audit log names for this caller (`anonymous` for the public).
    pub fn author(&self) -> Author {
        Author {
            user_id: self.actor.as_ref().map(|a| a.user_id),
            username: self
                .actor
                .as_ref()
                .map_or_else(|| "anonymous".to_string(), |a| a.username.clone()),
            remote_addr: self.remote_addr.clone(),
        }
    }
}

/// A caller who must be signed-in staff.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The staff member with their role and jurisdiction.
    pub actor: Actor,
    /// The session token they presented (signing out ends it).
    pub token: String,
    /// The address the request came from.
    pub remote_addr: Option<String>,
}

impl Staff {
    /// Who the audit log names for this staff member.
    pub fn author(&self) -> Author {
        Author {
            user_id: Some(self.actor.user_id),
            username: self.actor.username.clone(),
            remote_addr: self.remote_addr.clone(),
        }
    }
}
