//! A company's members and the rules of membership: only administrators invite, resend,
//! revoke, change roles and remove; a member may leave; a company always keeps at least
//! one administrator. Pure functions over the roster; the storage makes each change an
//! `If-Match` write of the whole roster, so two changes decided on the same roster cannot
//! both land.

use super::account::{AccountId, Role};
use super::email::EmailAddress;
use time::OffsetDateTime;

/// One member of a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account: AccountId,
    pub email: EmailAddress,
    pub name: Option<String>,
    pub role: Role,
    pub since: OffsetDateTime,
}

/// Every member of one company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub members: Vec<Member>,
}

/// Why a membership change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// The one asking is not a member (the company is not revealed to them).
    #[error("not a member of this company")]
    NotAMember,
    #[error("only administrators may do this")]
    NotAdministrator,
    #[error("the company must keep at least one administrator")]
    LastAdministrator,
    #[error("no such member")]
    UnknownMember,
}

/// Who asks for a change: a member of the company (by account), or a staff member (who
/// may invite into any company).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Member(AccountId),
    Staff,
}

impl Roster {
    pub fn member(&self, account: &AccountId) -> Option<&Member> {
        self.members.iter().find(|m| m.account == *account)
    }

    pub fn member_by_email(&self, email: &EmailAddress) -> Option<&Member> {
        self.members.iter().find(|m| m.email == *email)
    }

    pub fn administrators(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.role == Role::Administrator)
            .count()
    }

    /// Whether `actor` may invite, resend and revoke colleague invitations.
    pub fn may_manage(&self, actor: &Actor) -> Result<(), MembershipError> {
        match actor {
            Actor::Staff => Ok(()),
            Actor::Member(account) => match self.member(account) {
                None => Err(MembershipError::NotAMember),
                Some(m) if m.role == Role::Administrator => Ok(()),
                Some(_) => Err(MembershipError::NotAdministrator),
            },
        }
    }

    /// Adds a member; joining again (the same account) changes nothing and answers `false`.
    pub fn join(&mut self, member: Member) -> bool {
        if self.member(&member.account).is_some() {
            return false;
        }
        self.members.push(member);
        true
    }

    /// Gives `target` the role `role`; the last administrator cannot be demoted.
    /// `Ok(false)` when the role was already that.
    pub fn change_role(
        &mut self,
        actor: &Actor,
        target: &AccountId,
        role: Role,
    ) -> Result<bool, MembershipError> {
        self.may_manage(actor)?;
        let admins = self.administrators();
        let member = self
            .members
            .iter_mut()
            .find(|m| m.account == *target)
            .ok_or(MembershipError::UnknownMember)?;
        if member.role == role {
            return Ok(false);
        }
        if member.role == Role::Administrator && admins <= 1 {
            return Err(MembershipError::LastAdministrator);
        }
        member.role = role;
        Ok(true)
    }

    /// One person deleting their own account (`accounts`: every account of theirs) leaves:
    /// refused when they are its last administrator and others stay. The members taken off.
    pub fn depart(&mut self, accounts: &[AccountId]) -> Result<Vec<Member>, MembershipError> {
        let (gone, stay): (Vec<Member>, Vec<Member>) = self
            .members
            .drain(..)
            .partition(|m| accounts.contains(&m.account));
        let was_administrator = gone.iter().any(|m| m.role == Role::Administrator);
        let left_without = !stay.is_empty() && stay.iter().all(|m| m.role != Role::Administrator);
        if was_administrator && left_without {
            self.members = stay.into_iter().chain(gone).collect();
            return Err(MembershipError::LastAdministrator);
        }
        self.members = stay;
        Ok(gone)
    }

    /// Removes `target`: an administrator removes anyone, a member removes themselves
    /// (leaving); the last administrator can neither be removed nor leave.
    pub fn remove(&mut self, actor: &Actor, target: &AccountId) -> Result<Member, MembershipError> {
        let leaving = matches!(actor, Actor::Member(a) if a == target);
        if leaving {
            if self.member(target).is_none() {
                return Err(MembershipError::NotAMember);
            }
        } else {
            self.may_manage(actor)?;
        }
        let index = self
            .members
            .iter()
            .position(|m| m.account == *target)
            .ok_or(MembershipError::UnknownMember)?;
        if self.members[index].role == Role::Administrator && self.administrators() <= 1 {
            return Err(MembershipError::LastAdministrator);
        }
        Ok(self.members.remove(index))
    }
}

/// What happened to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberEvent {
    Invited,
    Joined,
    RoleChanged,
    Removed,
    Left,
}

impl MemberEvent {
    const ALL: [MemberEvent; 5] = [
        Self::Invited,
        Self::Joined,
        Self::RoleChanged,
        Self::Removed,
        Self::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Joined => "joined",
            Self::RoleChanged => "roleChanged",
            Self::Removed => "removed",
            Self::Left => "left",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// One entry of a company's membership history: who (`actor`, an email or `system`) did
/// what to whom (`subject`, an email), when, and with which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberHistoryEntry {
    pub at: OffsetDateTime,
    pub event: MemberEvent,
    pub actor: String,
    pub subject: String,
    pub role: Option<Role>,
    /// For `invited`: the invitation sent.
    pub invitation: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, role: Role) -> Member {
        Member {
            account: AccountId::from_stored(id.into()),
            email: EmailAddress::parse(&format!("{id}@example.com")).unwrap(),
            name: None,
            role,
            since: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn account(id: &str) -> AccountId {
        AccountId::from_stored(id.into())
    }

    fn roster(members: &[(&str, Role)]) -> Roster {
        Roster {
            members: members.iter().map(|(id, r)| member(id, *r)).collect(),
        }
    }

    #[test]
    fn only_administrators_and_staff_manage() {
        let r = roster(&[("anne", Role::Administrator), ("bert", Role::Member)]);
        assert_eq!(r.may_manage(&Actor::Member(account("anne"))), Ok(()));
        assert_eq!(r.may_manage(&Actor::Staff), Ok(()));
        assert_eq!(
            r.may_manage(&Actor::Member(account("bert"))),
            Err(MembershipError::NotAdministrator)
        );
        assert_eq!(
            r.may_manage(&Actor::Member(account("carl"))),
            Err(MembershipError::NotAMember)
        );
    }

    #[test]
    fn the_last_administrator_can_be_neither_demoted_nor_removed_nor_leave() {
        let mut r = roster(&[("anne", Role::Administrator), ("bert", Role::Member)]);
        let anne = Actor::Member(account("anne"));
        assert_eq!(
            r.change_role(&anne, &account("anne"), Role::Member),
            Err(MembershipError::LastAdministrator)
        );
        assert_eq!(
            r.remove(&anne, &account("anne")),
            Err(MembershipError::LastAdministrator)
        );
        assert_eq!(r.administrators(), 1);
    }

    #[test]
    fn of_two_administrators_demoting_each_other_on_one_roster_the_second_is_refused() {
        let mut r = roster(&[("anne", Role::Administrator), ("bert", Role::Administrator)]);
        let anne = Actor::Member(account("anne"));
        let bert = Actor::Member(account("bert"));
        assert_eq!(
            r.change_role(&anne, &account("bert"), Role::Member),
            Ok(true)
        );
        assert_eq!(
            r.change_role(&bert, &account("anne"), Role::Member),
            Err(MembershipError::NotAdministrator)
        );
        assert_eq!(r.administrators(), 1);
    }

    #[test]
    fn a_member_may_leave_but_not_remove_others() {
        let mut r = roster(&[
            ("anne", Role::Administrator),
            ("bert", Role::Member),
            ("carl", Role::Member),
        ]);
        let bert = Actor::Member(account("bert"));
        assert_eq!(
            r.remove(&bert, &account("carl")),
            Err(MembershipError::NotAdministrator)
        );
        assert_eq!(
            r.remove(&bert, &account("bert")).map(|m| m.account),
            Ok(account("bert"))
        );
        assert_eq!(r.members.len(), 2);
    }

    #[test]
    fn an_administrator_promotes_removes_and_joining_twice_changes_nothing() {
        let mut r = roster(&[("anne", Role::Administrator)]);
        assert!(r.join(member("bert", Role::Member)));
        assert!(!r.join(member("bert", Role::Administrator)));
        let anne = Actor::Member(account("anne"));
        assert_eq!(
            r.change_role(&anne, &account("bert"), Role::Administrator),
            Ok(true)
        );
        assert_eq!(
            r.change_role(&anne, &account("bert"), Role::Administrator),
            Ok(false)
        );
        // Two administrators now: anne may step down.
        assert_eq!(
            r.change_role(&anne, &account("anne"), Role::Member),
            Ok(true)
        );
        assert_eq!(
            r.remove(&Actor::Member(account("bert")), &account("nobody")),
            Err(MembershipError::UnknownMember)
        );
    }

    #[test]
    fn history_events_read_back() {
        for e in MemberEvent::ALL {
            assert_eq!(MemberEvent::parse(e.as_str()), Some(e));
        }
    }
}
