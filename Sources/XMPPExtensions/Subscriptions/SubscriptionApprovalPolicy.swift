import XMPPCore

/// What ``PresenceSubscriptionModule`` does with an incoming subscription request (RFC 6121 §3.1.4).
public enum SubscriptionApprovalPolicy: Sendable {
    /// Report each request as ``SubscriptionEvent/subscriptionRequest(from:)`` and let the app decide.
    case manual
    /// Approve every request (§3.1.5) and report ``SubscriptionEvent/autoApproved(from:)``.
    case approveAll
    /// Approve the requests `shouldApprove` accepts; report the others for the app to decide.
    case approveWhen(@Sendable (JID) async -> Bool)
}
