/// RFC 6121: roster, subscriptions, presence and message routing.
enum IMChecks {
    static let all: [ConformanceCheck] = RosterChecks.all + SubscriptionChecks.all + PresenceChecks.all + RoutingChecks.all
}
