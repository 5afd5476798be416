import XMPPCore

/// Presence-subscription traffic (RFC 6121 §3) and availability changes, as
/// ``PresenceSubscriptionModule/events`` reports them.
public enum SubscriptionEvent: Sendable, Hashable {
    /// `from` asks to see our presence (§3.1.4); answer with `approve(_:)` or `deny(_:)`.
    case subscriptionRequest(from: JID)
    /// A request from `from` was approved by the module's ``SubscriptionApprovalPolicy`` (§3.1.5).
    case autoApproved(from: JID)
    /// `by` approved our request: we now see its presence (§3.1.6).
    case subscribed(by: JID)
    /// `by` denied our request or cancelled our subscription to its presence (§3.2.3).
    case unsubscribed(by: JID)
    /// `from` no longer wants our presence (§3.3.3).
    case unsubscribe(from: JID)
    /// An availability presence (available, unavailable or error) was recorded in the ``PresenceBook``.
    case presenceChanged(Presence)
}
